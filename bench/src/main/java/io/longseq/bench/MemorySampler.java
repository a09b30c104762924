package io.longseq.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.bytedeco.javacpp.Pointer;

/**
 * Peak memory of this JVM while a case runs, sampled by a daemon thread every {@code periodMillis}:
 * <ul>
 *   <li>{@code heapUsed}: {@link MemoryMXBean#getHeapMemoryUsage()} used bytes — live objects plus garbage not yet
 *       collected, so it depends on the collector and on -Xmx;</li>
 *   <li>{@code heapAfterGc}: the largest heap used right after a collection (JMX GC notifications, the sum over
 *       the heap pools' after-GC usage), plus one forced {@link System#gc()} at {@link #stop()}: an upper bound of
 *       the live set while the case runs (0 when no collection happened before the forced one);</li>
 *   <li>{@code rss}: {@link Pointer#physicalBytes()}, the process' resident set (JavaCPP reads /proc/self/statm):
 *       Java heap pages touched so far, the JVM itself, and every native allocation. ND4J's buffers are malloc'ed
 *       by libnd4j outside JavaCPP's accounting ({@link Pointer#totalBytes()} stays flat when a 256 MB INDArray is
 *       created, RSS grows by 256 MB), so RSS is the measure that sees them;</li>
 *   <li>{@code offHeap}: max over samples of RSS − heap committed, a lower bound of the resident memory outside the
 *       Java heap (committed heap pages need not all be resident);</li>
 *   <li>{@code javacpp}: {@link Pointer#totalBytes()}, JavaCPP's own count of the native bytes it allocated.</li>
 * </ul>
 * Sampling misses peaks shorter than the period; the GC notifications do not.
 */
final class MemorySampler implements AutoCloseable {

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final long periodMillis;
    private final Thread thread;
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onGc;
    private volatile boolean running = true;

    private volatile long heapUsed;
    private volatile long heapAfterGc;
    private volatile long rss;
    private volatile long offHeap;
    private volatile long javacpp;
    private volatile long samples;

    MemorySampler(long periodMillis) {
        this.periodMillis = periodMillis;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter e) {
                e.addNotificationListener(listener, null, null);
                emitters.add(e);
            }
        }
        sample();
        thread = new Thread(this::loop, "memory-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            sample();
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void sample() {
        MemoryUsage heap = memory.getHeapMemoryUsage();
        long r = Pointer.physicalBytes();
        heapUsed = Math.max(heapUsed, heap.getUsed());
        rss = Math.max(rss, r);
        offHeap = Math.max(offHeap, r - heap.getCommitted());
        javacpp = Math.max(javacpp, Pointer.totalBytes());
        samples++;
    }

    private void onGc(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long after = 0;
        for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (isHeapPool(e.getKey())) {
                after += e.getValue().getUsed();
            }
        }
        synchronized (this) {
            heapAfterGc = Math.max(heapAfterGc, after);
        }
    }

    private static boolean isHeapPool(String name) {
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().equals(name)) {
                return pool.getType() == java.lang.management.MemoryType.HEAP;
            }
        }
        return false;
    }

    /** Takes a last sample, forces one collection (so the live set at the end counts), stops sampling. */
    Peaks stop() {
        sample();
        System.gc();
        try {
            Thread.sleep(50); // GC notifications arrive on another thread
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            heapAfterGc = Math.max(heapAfterGc, memory.getHeapMemoryUsage().getUsed());
            return new Peaks(heapUsed, heapAfterGc, rss, offHeap, javacpp, samples);
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(listener);
            } catch (ListenerNotFoundException ignored) {
                // already gone
            }
        }
    }

    /** Peak bytes seen; see the class comment for what each counts. */
    record Peaks(long heapUsed, long heapAfterGc, long rss, long offHeap, long javacpp, long samples) {}
}
