package io.longseq.jobs.report;

/**
 * One value per block along a sequence (self weight, entropy, novelty), kept at a bounded resolution.
 *
 * <p>Downsampling rule: up to {@value #MAX_POINTS} blocks, one point per block; above, {@value #BINS} bins, block b
 * in bin ⌊b·bins/n⌋, each bin kept as the minimum and maximum of its blocks and drawn as an envelope (a spike in
 * one block still shows). Memory is two floats per bin whatever n is. A missing value (null, NaN) is left out.
 */
final class Track {

    static final int MAX_POINTS = 2_000;
    static final int BINS = 1_000;

    private final String name;
    private final long n;
    private final int bins;
    private final float[] min; // [bins]; NaN = empty bin
    private final float[] max; // [bins]
    private float lo = Float.NaN;
    private float hi = Float.NaN;

    /** @param n blocks in the sequence (largest block index + 1), at least 1 */
    Track(String name, long n) {
        this.name = name;
        this.n = n;
        this.bins = (int) (n <= MAX_POINTS ? n : BINS);
        this.min = new float[bins];
        this.max = new float[bins];
        java.util.Arrays.fill(min, Float.NaN);
        java.util.Arrays.fill(max, Float.NaN);
    }

    String name() {
        return name;
    }

    /** Whether bins hold more than one block (an envelope) rather than one block each. */
    boolean binned() {
        return bins < n;
    }

    int bins() {
        return bins;
    }

    long blocks() {
        return n;
    }

    /** The bin of block b. */
    int bin(long block) {
        return (int) (block * bins / n);
    }

    void add(long block, float v) {
        if (Float.isNaN(v) || block < 0 || block >= n) {
            return;
        }
        int i = bin(block);
        if (Float.isNaN(min[i]) || v < min[i]) {
            min[i] = v;
        }
        if (Float.isNaN(max[i]) || v > max[i]) {
            max[i] = v;
        }
        if (Float.isNaN(lo) || v < lo) {
            lo = v;
        }
        if (Float.isNaN(hi) || v > hi) {
            hi = v;
        }
    }

    float min(int bin) {
        return min[bin];
    }

    float max(int bin) {
        return max[bin];
    }

    /** The smallest value seen, NaN if none. */
    float lo() {
        return lo;
    }

    /** The largest value seen, NaN if none. */
    float hi() {
        return hi;
    }
}
