package io.longseq.math.memory;

import io.longseq.math.model.TopEntry;

/**
 * A block's top-K entries from its attention weights: the K entries other than the block itself (on either strand)
 * with the largest weight per block, p_e / c_e (an entry of c blocks weighs like c separate ones, design 2.5, so
 * this is the weight each of its blocks gets: a far single block that the block resembles ranks above a mean of
 * hundreds whose summed weight is larger); ties go to the lower first block, then the earlier score (forward before
 * reverse). The entries report their whole weight p_e. A selection into K
 * slots (insertion from the end), O(M·K) and no boxing, instead of sorting all M entries. One instance per
 * {@link GlobalTier}; not thread-safe.
 */
final class TopK {

    /** LINEAR mode's top-K: no entries exist. */
    static final TopEntry[] NO_ENTRIES = new TopEntry[0];

    private int[] best = new int[0];   // [K] top-K entries so far, best first
    private double[] p;                // [off + total] the weights being ranked (the caller's array, not copied)
    private int off;                   // where they start in p
    private MemoryEntries entries;

    /**
     * The top {@code k} of {@code total} weights {@code p}: scores {@code e ≥ m} are the reverse query's, of entry
     * {@code e − m}; entry {@code self} (and {@code self + m} with both strands) is the block itself and left out.
     */
    // p [total] -> K entries, best first
    TopEntry[] select(double[] p, MemoryEntries entries, int k, int total, int m, int self, boolean both) {
        return select(p, 0, entries, k, total, m, self, both);
    }

    /** As above, the weights at p[off, off + total). */
    // p[off .. off + total) -> K entries, best first
    TopEntry[] select(double[] p, int off, MemoryEntries entries, int k, int total, int m, int self, boolean both) {
        int selves = self >= 0 && self < m ? (both ? 2 : 1) : 0;
        int kk = Math.min(k, total - selves);
        if (kk <= 0) {
            return NO_ENTRIES;
        }
        this.p = p;
        this.off = off;
        this.entries = entries;
        if (best.length < kk) {
            best = new int[kk];
        }
        int held = 0;
        double low = 0;                        // the weight per block of the last held entry, once the list is full
        for (int e = 0; e < total; e++) {
            // below the last held weight per block: not before it (a shortcut of before(), which also orders ties)
            if (e == self || (both && e == self + m)
                    || (held == kk && (perBlock(e, m) < low || !before(e, best[kk - 1], m)))) {
                continue;
            }
            int at = held < kk ? held++ : kk - 1;    // a full list drops its last entry
            while (at > 0 && before(e, best[at - 1], m)) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = e;
            if (held == kk) {
                low = perBlock(best[kk - 1], m);
            }
        }
        TopEntry[] top = new TopEntry[kk];
        for (int i = 0; i < kk; i++) {
            int e = best[i];
            int x = e < m ? e : e - m;
            byte strand = !both ? TopEntry.UNSTATED : e < m ? TopEntry.FORWARD : TopEntry.REVERSE;
            top[i] = new TopEntry(entries.level[x], entries.first[x], entries.last[x], (float) p[off + e], strand);
        }
        this.p = null;
        this.entries = null;
        return top;
    }

    // score e's weight per block of its entry: p_e / c_e (no division for a single block, most of RETRIEVAL's entries:
    // p / 1 is p)
    private double perBlock(int e, int m) {
        long c = entries.count[e < m ? e : e - m];
        return c == 1 ? p[off + e] : p[off + e] / c;
    }

    // score x ranks before score y: larger weight per block, then lower first block, then lower index (a total order)
    private boolean before(int x, int y, int m) {
        int byWeight = Double.compare(perBlock(y, m), perBlock(x, m));
        if (byWeight != 0) {
            return byWeight < 0;
        }
        int byFirst = Long.compare(entries.first[x < m ? x : x - m], entries.first[y < m ? y : y - m]);
        return byFirst != 0 ? byFirst < 0 : x < y;
    }
}
