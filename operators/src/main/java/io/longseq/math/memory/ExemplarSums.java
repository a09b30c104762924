package io.longseq.math.memory;

import java.util.Arrays;

/**
 * RETRIEVAL's exemplar sums gx_i = Σ_e p_e·x_e of a chunk's blocks, deferred to one pass over the store: each block,
 * stepped in order, leaves here its exemplar weights, which block each entry is and how many each bucket gave
 * ({@link #keep}); at the end of the chunk {@link #sums} adds them for all blocks at once, reading each held row once
 * per four blocks instead of once per block ({@link SharedRows#weightedSums}).
 *
 * <p>The same bits as block by block ({@link SharedRows#weightedSumBest}): a block's entries are in the store's order
 * (bucket by bucket, oldest first), so they are a subsequence of U, the chunk's rows in that order (per bucket: the
 * blocks held at the end, and those evicted during the chunk, up to the newest any block attended); a block's sum over
 * U, with weight 0 on the rows it does not attend, adds its own rows in its own order and nothing else (t + 0·x = t
 * for a finite x, and a sum that starts at +0 is never −0). A row evicted during the chunk is read from
 * {@link EvictedRows}. Scratch of one tier, not state; its sizes are bounded by the chunk's blocks and the store's
 * slots.
 */
final class ExemplarSums {

    private final int d;
    private int blocks;
    private int[] begin = new int[9];         // [nb + 1] block i's entries are [begin[i], begin[i + 1])
    private int[] runs = new int[0];          // [nb, 2^k] block i's entries per bucket, in order of the buckets
    private double[] p = new double[0];       // [Σ entries] their weights
    private int n;                            // |U|
    private int[] uStart = new int[0];        // [2^k + 1] bucket bk's rows of U are [uStart[bk], uStart[bk + 1])
    private long[] newest = new long[0];      // [2^k] the newest block of each bucket a kept block attended
    private int[] off = new int[0];           // [n] where U's rows are: xs[off] when ≥ 0, else evicted x[~off]
    private double[] w = new double[0];       // [nb, n] block i's weight of U's row u, 0 where it has none
    private int[] seen = new int[9];          // [nb] rows evicted before block i's step (its exemplars then)
    private int[] gone = new int[0];          // [evicted] the places in U of the rows evicted, bucket by bucket
    private int[] goneStart = new int[0];     // [2^k + 1] bucket bk's are gone[goneStart[bk], goneStart[bk + 1])

    ExemplarSums(int d) {
        this.d = d;
    }

    /** Starts a chunk: no block kept yet; the memory keeps what it evicts from now on. */
    void begin(RetrievalMemory memory) {
        blocks = 0;
        memory.evicted.start();
    }

    /**
     * Keeps the next block's exemplar entries [own, m) of {@code entries}, with their weights {@code weights[own, m)},
     * as {@code memory}'s {@link RetrievalMemory#collectShared} gave them (its eligible slots per bucket).
     */
    void keep(double[] weights, int own, int m, MemoryEntries entries, RetrievalMemory memory) {
        int k = memory.buckets;
        int at = begin[blocks];
        int end = at + (m - own);
        if (p.length < end) {
            int cap = Math.max(end, 2 * p.length);
            p = Arrays.copyOf(p, cap);
        }
        if (begin.length < blocks + 2) {
            begin = Arrays.copyOf(begin, 2 * begin.length);
            seen = Arrays.copyOf(seen, begin.length);
        }
        seen[blocks] = memory.evicted.size;
        if (runs.length < (blocks + 1) * k) {
            runs = Arrays.copyOf(runs, Math.max((blocks + 1) * k, 2 * runs.length));
        }
        System.arraycopy(weights, own, p, at, m - own);
        if (newest.length < k) {
            newest = new long[k];
        }
        if (blocks == 0) {
            Arrays.fill(newest, 0, k, Long.MIN_VALUE);
        }
        for (int bk = 0, e = own; bk < k; bk++) {
            int cnt = m > own ? memory.eligible[bk] : 0;
            runs[blocks * k + bk] = cnt;
            e += cnt;
            if (cnt > 0) {
                newest[bk] = Math.max(newest[bk], entries.first[e - 1]);
            }
        }
        begin[++blocks] = end;
    }

    /** Whether block i (in order of {@link #keep}) had exemplar entries. */
    boolean has(int i) {
        return begin[i + 1] > begin[i];
    }

    /**
     * gx [nb, d] ← for each kept block i, Σ_e p_e·x_e over its entries in their order (rows of {@code memory}'s store,
     * or evicted since {@link #begin}); then the memory stops keeping evictions.
     */
    // kept weights [Σ entries] -> gx [nb, d]
    void sums(RetrievalMemory memory, double[] gx) {
        try {
            if (blocks == 0) {
                return;
            }
            union(memory);
            weights(memory.buckets);
            SharedRows.weightedSums(w, blocks, n, memory.xs, memory.evicted.x, off, d, gx);
        } finally {
            memory.evicted.stop();
        }
    }

    // U and where its rows are: per bucket, the held blocks and those evicted since begin, merged in order, up to the
    // newest block any kept block attended in that bucket
    private void union(RetrievalMemory memory) {
        int k = memory.buckets;
        EvictedRows ev = memory.evicted;
        int cap = memory.buckets * memory.slots + ev.size;
        if (off.length < cap) {
            off = new int[cap];
        }
        if (uStart.length < k + 1) {
            uStart = new int[k + 1];
            goneStart = new int[k + 1];
        }
        if (gone.length < ev.size) {
            gone = new int[Math.max(ev.size, 2 * gone.length)];
        }
        int g = 0;
        int[] evictedAt = ev.byBucketAndBlock();        // the evicted in order of bucket, then block
        int e = 0;
        n = 0;
        for (int bk = 0; bk < k; bk++) {
            uStart[bk] = n;
            goneStart[bk] = g;
            int base = bk * memory.slots;
            int s = 0;
            int held = memory.fill[bk];
            while (e < ev.size && ev.bucket[evictedAt[e]] < bk) {
                e++;
            }
            while (true) {
                long hj = s < held ? memory.index[base + s] : Long.MAX_VALUE;
                boolean fromEvicted = e < ev.size && ev.bucket[evictedAt[e]] == bk && ev.block[evictedAt[e]] < hj;
                long j = fromEvicted ? ev.block[evictedAt[e]] : hj;
                if (j > newest[bk] || j == Long.MAX_VALUE) {
                    break;
                }
                if (fromEvicted) {
                    gone[g++] = n;
                }
                off[n++] = fromEvicted ? ~(evictedAt[e++] * d) : (base + s++) * d;
            }
        }
        uStart[k] = n;
        goneStart[k] = g;
    }

    // w [nb, n]: block i's weights at the places of its entries in U, 0 elsewhere. Block i's entries of bucket bk are
    // U's rows of bk in order, less those evicted before block i's step, as many as it took: its weights are copied in
    // runs between those rows
    private void weights(int k) {
        if (w.length < blocks * n) {
            w = new double[Math.max(blocks * n, 2 * w.length)];
        }
        for (int i = 0; i < blocks; i++) {
            int e = begin[i];
            int row = i * n;
            for (int bk = 0; bk < k; bk++) {
                int u = uStart[bk];
                int end = uStart[bk + 1];
                int need = runs[i * k + bk];
                for (int g = goneStart[bk]; g < goneStart[bk + 1] && need > 0; g++) {
                    int at = gone[g];
                    if ((~off[at]) / d >= seen[i]) {
                        continue;                           // evicted after block i's step: it still attended it
                    }
                    int len = Math.min(at - u, need);
                    System.arraycopy(p, e, w, row + u, len);
                    e += len;
                    need -= len;
                    u += len;
                    if (need > 0) {
                        w[row + at] = 0;
                        u = at + 1;
                    }
                }
                System.arraycopy(p, e, w, row + u, need);
                e += need;
                u += need;
                Arrays.fill(w, row + u, row + end, 0.0);
            }
        }
    }
}
