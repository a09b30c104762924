package io.longseq.math.memory;

import java.util.Arrays;

/**
 * What {@link GlobalTier#prepareChunk} keeps of one chunk's blocks: the memory and first block it was for, their
 * summaries, their projections q, k, v (and q' for a reverse-strand summary), and, in a RETRIEVAL memory, their dots
 * with the held exemplars ({@link RetrievalMemory#primeDots}). A step of one of these blocks, on that memory, with the
 * same summaries, takes its projections and dots from here; anything else finds no row. The rows scored are in
 * x-space (W_gk·q: an exemplar is held as x_j = LN_g(s_j), and x_j·(W_gk q) = q·k_j).
 */
final class PreparedChunk {

    private BlockMemory memory;       // null: nothing prepared
    private long base;                // the first block
    private int blocks;               // nb
    private boolean both;             // with reverse-strand summaries
    private int d;
    private float[] s = new float[0];     // [nb, d] summaries
    private float[] x = new float[0];     // [nb, d] LN_g(s)
    private float[] r = new float[0];     // [nb, d] reverse-strand summaries
    private float[] q = new float[0];     // [nb, d]
    private float[] k = new float[0];     // [nb, d]
    private float[] v = new float[0];     // [nb, d]
    private float[] qr = new float[0];    // [nb, d] q'
    // [3nb, d] the rows scored, in x-space: W_gk q [0, nb), W_gk k [nb, 2nb), W_gk q' [2nb, 3nb)
    private float[] xRows = new float[0];

    /** Prepares the nb blocks of s [nb, d] (and s' [nb, d] or null) for {@code memory}, projected by {@code tier}. */
    void prepare(GlobalTier tier, BlockMemory memory, float[] summaries, float[] reverse, int nb) {
        this.memory = null;
        if (!(memory instanceof RetrievalMemory retrieval) || !SharedRows.VECTOR || nb <= 0) {
            return;
        }
        d = tier.q.length;
        both = reverse != null;
        if (s.length < nb * d) {
            s = new float[nb * d];
            x = new float[nb * d];
            xRows = new float[3 * nb * d];
            r = new float[nb * d];
            q = new float[nb * d];
            k = new float[nb * d];
            v = new float[nb * d];
            qr = new float[nb * d];
        }
        float[] one = new float[d];
        for (int i = 0; i < nb; i++) {
            System.arraycopy(summaries, i * d, one, 0, d);
            System.arraycopy(one, 0, s, i * d, d);
            tier.project(one, true);
            System.arraycopy(tier.ln, 0, x, i * d, d);
            System.arraycopy(tier.q, 0, q, i * d, d);
            System.arraycopy(tier.k, 0, k, i * d, d);
            System.arraycopy(tier.v, 0, v, i * d, d);
            if (both) {
                System.arraycopy(reverse, i * d, one, 0, d);
                System.arraycopy(one, 0, r, i * d, d);
                tier.project(one, false);
                System.arraycopy(tier.q, 0, qr, i * d, d);
            }
        }
        float[] in = new float[d];
        float[] out = new float[d];
        for (int i = 0; i < (both ? 3 : 2) * nb; i++) {
            float[] from = i < nb ? q : i < 2 * nb ? k : qr;
            System.arraycopy(from, (i % nb) * d, in, 0, d);
            tier.projections.toXSpace(in, out);
            System.arraycopy(out, 0, xRows, i * d, d);
        }
        retrieval.primeDots(xRows, both ? 3 * nb : 2 * nb);
        this.memory = memory;
        base = memory.nextBlock();
        blocks = nb;
    }

    /** nb of the chunk prepared last. */
    int blocks() {
        return blocks;
    }

    /** Block b's row when it was prepared for this memory with these summaries (s [d], s' [d] or null); else −1. */
    int row(BlockMemory memory, long b, float[] summary, float[] reverse) {
        if (memory != this.memory || b < base || b >= base + blocks || (reverse != null) != both) {
            return -1;
        }
        int row = (int) (b - base);
        if (!Arrays.equals(summary, 0, d, s, row * d, (row + 1) * d)
                || reverse != null && !Arrays.equals(reverse, 0, d, r, row * d, (row + 1) * d)) {
            return -1;
        }
        return row;
    }

    /** Row {@code row}'s x = LN_g(s), q, k, v [d] into the given arrays. */
    void projections(int row, float[] xOut, float[] qOut, float[] kOut, float[] vOut) {
        System.arraycopy(x, row * d, xOut, 0, d);
        System.arraycopy(q, row * d, qOut, 0, d);
        System.arraycopy(k, row * d, kOut, 0, d);
        System.arraycopy(v, row * d, vOut, 0, d);
    }

    /** Row {@code row}'s W_gk q and W_gk k [d] (x-space) into qOut and kOut. */
    void xSpace(int row, float[] qOut, float[] kOut) {
        System.arraycopy(xRows, row * d, qOut, 0, d);
        System.arraycopy(xRows, (blocks + row) * d, kOut, 0, d);
    }

    /** Row {@code row}'s W_gk q' [d] into qOut. */
    void reverseXSpace(int row, float[] qOut) {
        System.arraycopy(xRows, (2 * blocks + row) * d, qOut, 0, d);
    }

    /** Row {@code row}'s q' [d] into qOut. */
    void reverseQuery(int row, float[] qOut) {
        System.arraycopy(qr, row * d, qOut, 0, d);
    }
}
