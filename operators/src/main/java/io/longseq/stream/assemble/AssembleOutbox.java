package io.longseq.stream.assemble;

import io.longseq.stream.DeadLetter;
import io.longseq.stream.Notice;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.input.DeadLetterRule;
import io.longseq.stream.input.TokenFragment;
import java.util.function.Consumer;

/**
 * What one call of the {@link Assembler} sends out for the sequence in hand: its chunks (it is their
 * {@link Consumer}), its dead letters and notices, made here with the sequence's key, and its timer changes, all
 * passed on to the {@link Assembler.Output} and {@link Assembler.Timers} the caller gave. One per assembler, pointed
 * at the call in progress by {@link #start}. Pure; no Flink.
 */
final class AssembleOutbox implements Consumer<Chunk> {

    private final StreamLimits limits;
    private String key;
    private Assembler.Output out;
    private Assembler.Timers timers;

    AssembleOutbox(StreamLimits limits) {
        this.limits = limits;
    }

    void start(String key, Assembler.Output out, Assembler.Timers timers) {
        this.key = key;
        this.out = out;
        this.timers = timers;
    }

    String key() {
        return key;
    }

    /** A chunk or an abort marker. */
    @Override
    public void accept(Chunk k) {
        out.chunk(k);
    }

    void notice(Notice.Kind kind, long position, long count, String message) {
        out.notice(new Notice(key, kind, position, count, message));
    }

    /** A dead letter for f, unless it is a refused marker (validate has already sent that record to them). */
    void dead(TokenFragment f, DeadLetterRule rule, String reason) {
        if (f.refused) {
            return;
        }
        out.deadLetter(rule, DeadLetter.of(f.original, Assembler.STAGE, reason, limits));
    }

    long now() {
        return timers.now();
    }

    void register(long at) {
        timers.register(at);
    }

    void delete(long at) {
        timers.delete(at);
    }
}
