package io.longseq.stream.assemble;

import io.longseq.stream.DeadLetter;
import io.longseq.stream.Notice;
import io.longseq.stream.StreamTypes;
import io.longseq.stream.input.DeadLetterCounters;
import io.longseq.stream.input.DeadLetterRule;
import io.longseq.stream.input.TokenFragment;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Where the {@link Assembler}'s output goes in the job: chunks to the collector, dead letters and notices to their
 * side outputs, timers to the key's processing-time timer service. On the way every chunk gets
 * {@link Chunk#arrivedAt}, the arrival time it stands for (the fragment being processed; for a timer, the
 * sequence's last fragment), and the metrics count: chunks that are no abort marker ({@code chunksAssembled}) and
 * dead letters by rule. One instance per subtask, pointed at the current call by {@link #to}.
 */
final class AssembleOutput implements Assembler.Output, Assembler.Timers {

    private final Counter chunks;
    private final DeadLetterCounters deadLetters;
    private KeyedProcessFunction<String, TokenFragment, Chunk>.Context ctx;
    private Collector<Chunk> out;
    private AssembleCursor cursor;
    private long arrivedAt;

    AssembleOutput(Counter chunks, DeadLetterCounters deadLetters) {
        this.chunks = chunks;
        this.deadLetters = deadLetters;
    }

    /**
     * This, emitting through {@code ctx} and {@code out} until the next call; chunks are stamped with
     * {@code arrivedAt} (processing time, ms) or, when that is 0, with the last fragment's arrival at assemble
     * ({@link AssembleCursor#lastSeen}, read as each chunk goes out).
     */
    AssembleOutput to(KeyedProcessFunction<String, TokenFragment, Chunk>.Context ctx, Collector<Chunk> out,
            AssembleCursor cursor, long arrivedAt) {
        this.ctx = ctx;
        this.out = out;
        this.cursor = cursor;
        this.arrivedAt = arrivedAt;
        return this;
    }

    @Override
    public void chunk(Chunk k) {
        k.arrivedAt = arrivedAt > 0 ? arrivedAt : cursor.lastSeen;
        if (!k.aborted) {
            chunks.inc();
        }
        out.collect(k);
    }

    @Override
    public void deadLetter(DeadLetterRule rule, DeadLetter d) {
        deadLetters.count(rule);
        ctx.output(StreamTypes.DEAD_LETTERS, d);
    }

    @Override
    public void notice(Notice n) {
        ctx.output(StreamTypes.NOTICES, n);
    }

    @Override
    public long now() {
        return ctx.timerService().currentProcessingTime();
    }

    @Override
    public void register(long at) {
        ctx.timerService().registerProcessingTimeTimer(at);
    }

    @Override
    public void delete(long at) {
        ctx.timerService().deleteProcessingTimeTimer(at);
    }
}
