package io.longseq.stream.global;

import io.longseq.stream.OperatorMetrics;
import org.apache.flink.metrics.MetricGroup;

/**
 * The sizes of {@code global-context}'s block memory state (its {@link io.longseq.math.memory.MemoryState} bytes, one per
 * open sequence), as running figures: bytes held by all sequences of the subtask, how many hold some, the largest
 * ever written and the last. Each write tells the old and the new bytes ({@link #changed}); nothing scans state.
 * {@link GlobalContextOperator} adds restored state when it opens.
 */
public final class MemoryBytes {

    private long held;
    private long holders;
    private long max;
    private long last;

    /** Registers the four gauges; returns this. */
    MemoryBytes register(MetricGroup group) {
        group.gauge(OperatorMetrics.MEMORY_BYTES_HELD, this::held);
        group.gauge(OperatorMetrics.MEMORY_BYTES_MEAN, this::mean);
        group.gauge(OperatorMetrics.MEMORY_BYTES_MAX, this::max);
        group.gauge(OperatorMetrics.MEMORY_BYTES_LAST, this::last);
        return this;
    }

    /** A sequence's state restored with {@code bytes} bytes. */
    public void restored(long bytes) {
        held += bytes;
        holders++;
        max = Math.max(max, bytes);
    }

    /** A sequence's state went from {@code before} to {@code after} (null: none). */
    public void changed(byte[] before, byte[] after) {
        changed(before == null ? -1 : before.length, after == null ? -1 : after.length);
    }

    /** As {@link #changed(byte[], byte[])} for sizes: a sequence's state went from {@code before} to {@code after}
     *  bytes (−1: none). FULL mode's memory, a list of slabs, is counted this way. */
    public void changed(long before, long after) {
        if (before >= 0) {
            held -= before;
            holders--;
        }
        if (after >= 0) {
            held += after;
            holders++;
            last = after;
            max = Math.max(max, after);
        }
    }

    public long held() {
        return held;
    }

    /** Mean bytes per sequence that holds memory state (0 when none does). */
    public long mean() {
        return holders <= 0 ? 0 : held / holders;
    }

    public long max() {
        return max;
    }

    public long last() {
        return last;
    }
}
