package io.longseq.stream.assemble;

import io.longseq.stream.input.TokenFragment;

/**
 * {@code assemble}'s keyed state of the sequence in hand, as its plain classes ({@link Assembler},
 * {@link AssembleTail}, {@link AssemblePending}) see it: the same operations as Flink's {@code ValueState} and
 * {@code MapState}, which stand behind them in the job ({@link AssembleFunction}), so that the state machine runs
 * without Flink in unit tests. The pending map is read a fragment at a time, never loaded whole. Pure; no Flink.
 */
final class AssembleState {

    private AssembleState() {}

    /** One keyed value (the tail, the sink prefix); null when unset. */
    interface Value<T> {
        T value() throws Exception;

        void update(T value) throws Exception;

        void clear();
    }

    /** The out-of-order fragments held, by offset. */
    interface Fragments {
        TokenFragment get(long offset) throws Exception;

        void put(long offset, TokenFragment f) throws Exception;

        void remove(long offset) throws Exception;

        Iterable<Long> offsets() throws Exception;

        Iterable<TokenFragment> all() throws Exception;

        void clear();
    }
}
