package io.longseq.stream.assemble;

import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

/**
 * {@code assemble}'s output as it passes: every chunk gets {@link Chunk#arrivedAt}, the arrival time it stands for
 * (the fragment being processed; for a timer, the sequence's last fragment), and those that are no abort marker are
 * counted ({@code chunksAssembled}). One instance per subtask, pointed at the current collector by {@link #stamp}.
 */
final class EmittedChunks implements Collector<Chunk> {

    private final Counter chunks;
    private Collector<Chunk> out;
    private long arrivedAt;

    EmittedChunks(Counter chunks) {
        this.chunks = chunks;
    }

    /** This, emitting to {@code out} with {@code arrivedAt} (processing time, ms) until the next call. */
    Collector<Chunk> stamp(Collector<Chunk> out, long arrivedAt) {
        this.out = out;
        this.arrivedAt = arrivedAt;
        return this;
    }

    @Override
    public void collect(Chunk c) {
        c.arrivedAt = arrivedAt;
        if (!c.aborted) {
            chunks.inc();
        }
        out.collect(c);
    }

    @Override
    public void close() {
        out.close();
    }
}
