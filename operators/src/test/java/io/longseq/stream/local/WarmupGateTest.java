package io.longseq.stream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The warm-up gate: gated chunks of two subtasks never overlap, chunks past a subtask's warm-up do not wait, the gate
 * is free again when a chunk throws, and it is never held between chunks.
 */
class WarmupGateTest {

    private static final long WAIT_S = 30;

    // a thread per task: the common pool may have one thread on a two-core machine
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    // runs gate.run(chunk) on another thread, like another subtask
    private CompletableFuture<Void> runAsync(WarmupGate gate, Runnable chunk) {
        return CompletableFuture.runAsync(() -> {
            try {
                gate.run(chunk);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, threads);
    }

    private static void awaitWaiter() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (!WarmupGate.hasWaiters()) {
            assertThat(System.nanoTime()).as("a subtask waiting at the gate").isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    // a chunk of `gate`, on another thread, that stays inside until `leave` counts down; returns once it is inside
    private CompletableFuture<Void> holdInside(WarmupGate gate, CountDownLatch leave) throws InterruptedException {
        CountDownLatch inside = new CountDownLatch(1);
        CompletableFuture<Void> chunk = runAsync(gate, () -> {
            inside.countDown();
            await(leave);
        });
        assertThat(inside.await(WAIT_S, TimeUnit.SECONDS)).as("the held chunk started").isTrue();
        return chunk;
    }

    @Test
    void aWarmingSubtaskWaitsWhileAnotherRunsAGatedChunk() throws Exception {
        WarmupGate a = new WarmupGate(2);
        WarmupGate b = new WarmupGate(2);
        CountDownLatch aMayLeave = new CountDownLatch(1);
        AtomicBoolean bRan = new AtomicBoolean();
        CompletableFuture<Void> first = holdInside(a, aMayLeave);
        CompletableFuture<Void> second = runAsync(b, () -> bRan.set(true));
        awaitWaiter();                                   // b is queued at the gate, not inside its chunk
        assertThat(bRan).as("b's chunk while a's gated chunk runs").isFalse();
        aMayLeave.countDown();
        first.get(WAIT_S, TimeUnit.SECONDS);
        second.get(WAIT_S, TimeUnit.SECONDS);
        assertThat(bRan).isTrue();
        assertThat(a.left()).isEqualTo(1);
        assertThat(b.left()).isEqualTo(1);
    }

    @Test
    void chunksPastTheWarmupDoNotWaitForTheGate() throws Exception {
        WarmupGate warming = new WarmupGate(1);
        WarmupGate warm = new WarmupGate(0);
        CountDownLatch mayLeave = new CountDownLatch(1);
        CompletableFuture<Void> gated = holdInside(warming, mayLeave);
        AtomicBoolean ran = new AtomicBoolean();
        runAsync(warm, () -> ran.set(true)).get(WAIT_S, TimeUnit.SECONDS); // would time out if it waited
        assertThat(ran).isTrue();
        mayLeave.countDown();
        gated.get(WAIT_S, TimeUnit.SECONDS);
        assertThat(warming.left()).isZero();
    }

    @Test
    void theGateIsFreeAfterAChunkThrowsAndBetweenChunks() throws Exception {
        WarmupGate a = new WarmupGate(3);
        assertThatThrownBy(() -> a.run(() -> {
            throw new IllegalStateException("bad chunk");
        })).hasMessage("bad chunk");
        assertThat(a.left()).isEqualTo(2);
        // a still warming but idle between chunks: another subtask's gated chunk runs at once
        WarmupGate b = new WarmupGate(1);
        AtomicBoolean ran = new AtomicBoolean();
        runAsync(b, () -> ran.set(true)).get(WAIT_S, TimeUnit.SECONDS);
        assertThat(ran).isTrue();
    }

    @Test
    void refusesANegativeCount() {
        assertThatThrownBy(() -> new WarmupGate(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
