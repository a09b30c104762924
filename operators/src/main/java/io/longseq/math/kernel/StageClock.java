package io.longseq.math.kernel;

/** The time each {@link LocalTier.Stage} of a {@link LocalTier} takes, summed since construction: for profiling. */
final class StageClock {

    private final long[] nanos = new long[LocalTier.Stage.values().length];

    /** Adds the time from {@code since} to now to {@code stage}; returns now, the start of the next stage. */
    long lap(LocalTier.Stage stage, long since) {
        long now = System.nanoTime();
        nanos[stage.ordinal()] += now - since;
        return now;
    }

    /** Nanoseconds per stage (indexed by ordinal), a copy. */
    long[] nanos() {
        return nanos.clone();
    }
}
