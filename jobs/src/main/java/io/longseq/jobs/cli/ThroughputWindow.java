package io.longseq.jobs.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The sustained rate of a bounded run: positions done per second between the moment a fraction of the final
 * count was reached and the moment the final count was reached, from samples (time, positions done) taken
 * while the job runs.
 *
 * <p>A whole run's rate includes the cluster's start, task deployment and the JIT's warm-up of the kernels,
 * seconds that do not grow with the input; a streaming job pays them once. The sustained rate leaves them
 * out, as the kernel's own benchmark (JMH, after warm-up iterations) does, so the two compare like for like.
 */
final class ThroughputWindow {

    /** Share of the final count after which the window opens. */
    static final double DEFAULT_FROM = 0.10;

    /** Shortest window worth a figure: with samples every 200 ms, a shorter one would be mostly rounding. */
    static final long MIN_WINDOW_NANOS = 2_000_000_000L;

    private final List<long[]> samples = new ArrayList<>();   // {nanoTime, positions done}

    /** One sample; times must not decrease. */
    void add(long nanos, long done) {
        if (!samples.isEmpty() && nanos < samples.get(samples.size() - 1)[0]) {
            throw new IllegalArgumentException("samples must come in time order");
        }
        samples.add(new long[] {nanos, done});
    }

    /**
     * Positions per second from the first sample with at least {@code from}·final positions to the first sample
     * with the final count; NaN when that window is shorter than {@link #MIN_WINDOW_NANOS} or holds no progress
     * (a run too short to say).
     */
    double sustainedRate(double from) {
        if (samples.isEmpty()) {
            return Double.NaN;
        }
        long total = samples.get(samples.size() - 1)[1];
        long[] open = null;
        for (long[] s : samples) {
            if (open == null && s[1] >= from * total && s[1] > 0) {
                open = s;
            }
            if (s[1] == total) {
                if (open == null || s[0] - open[0] < MIN_WINDOW_NANOS || s[1] == open[1]) {
                    return Double.NaN;
                }
                return (s[1] - open[1]) / ((s[0] - open[0]) / 1e9);
            }
        }
        return Double.NaN;
    }
}
