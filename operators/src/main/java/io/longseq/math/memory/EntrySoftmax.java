package io.longseq.math.memory;

import java.util.Arrays;

/**
 * {@link GlobalTier}'s softmax over a block's memory entries (docs/design.md 2.5): the scores q·k̄_e scaled by 1/√d,
 * plus ln c_e for an entry of c_e blocks, normalised in place ({@link ChunkProducts#normalize}, as FULL's), with the
 * entropy; and which entry is the block itself. Not thread-safe: one per tier.
 */
final class EntrySoftmax {

    private static final double LN_ONE = Math.log(1);   // what logCount(1) gives

    private final long[] logCounts = new long[8];      // [8] entry sizes c seen last, with ln c below
    private final double[] logValues = new double[8];  // [8] ln c: the same few sizes recur every block
    private int self;

    EntrySoftmax() {
        Arrays.fill(logCounts, -1);      // no entry has −1 blocks: every slot starts empty
    }

    /**
     * p[0, total) holds block b's dots with the m entries (total = 2m: then the reverse query's follow): scaled,
     * + ln c, softmax in place; returns the entropy and sets {@link #self}.
     */
    // p [total] dots -> p [total] weights
    double apply(double[] p, MemoryEntries entries, long b, int m, int total, int d) {
        double scale = 1.0 / Math.sqrt(d);
        double max = Double.NEGATIVE_INFINITY;
        for (int e = 0; e < total; e++) {
            long c = entries.count[e < m ? e : e - m];
            p[e] = p[e] * scale + (c == 1 ? LN_ONE : logCount(c));  // single blocks (exemplars): no lookup
            max = Math.max(max, p[e]);
        }
        double entropy = ChunkProducts.normalize(p, 0, total, max);   // as FULL's unitSoftmax
        int at = -1;
        for (int e = 0; e < m; e++) {
            if (entries.level[e] == 1 && entries.first[e] == b) {
                at = e;
            }
        }
        self = at;
        return entropy;
    }

    /** The entry of the block itself in the last {@link #apply} (level 1, its own index), −1 if none. */
    int self() {
        return self;
    }

    // ln c for an entry of c blocks. A memory has a handful of entry sizes (HIERARCHICAL: G^ℓ per level and the
    // prefix's count), so a small table of the last sizes seen saves a logarithm per entry and block; Math.log of
    // the same argument is the same double, so the scores' bits do not change.
    private double logCount(long c) {
        int slot = (int) ((c * 0x9E3779B97F4A7C15L) >>> 61);     // Fibonacci hashing: 3 bits, one of 8 slots
        if (logCounts[slot] != c) {
            logCounts[slot] = c;
            logValues[slot] = Math.log(c);
        }
        return logValues[slot];
    }
}
