package io.longseq.math.memory;

import java.util.Arrays;

/**
 * A chunk's dots with RETRIEVAL's held exemplars ({@link RetrievalMemory#primeDots}): every row of the chunk's
 * vectors [rows, d] (in x-space) against every held x_j, read from the column-major store once for all rows
 * ({@link VectorSharedRows#tileDots}), kept by place with the block each place held then, so a block's step takes
 * its dots from here while its exemplars are still those ({@link #copyOut}). Not state: the scratch of one memory.
 */
final class PrimedDots {

    private float[] dots = new float[0];       // [rows, 2^k·E] by place (each a float chain: widened when copied out)
    private long[] heldAt;                     // [2^k·E] the block each place held when primed (−1: none)
    private int rows;
    private float[] tileOut = new float[0];    // [⌈rows/16⌉·16, lanes] scratch of tileDots
    private float[][] vt = new float[0][];     // [⌈rows/16⌉][d, 16] the rows transposed for tileDots16
    private final int[] at = new int[SharedRows.PAD];   // [lanes] the places of a tile's slots

    // vecs [rows, d] · the held x of m (column-major xT [2^k, d, stride]) -> dots [rows, 2^k·E] by place
    void prime(RetrievalMemory m, float[] xT, int stride, float[] vecs, int rows) {
        this.rows = 0;
        if (xT == null) {
            return;
        }
        int d = m.d;
        int cap = m.buckets * m.slots;
        int lanes = VectorSharedRows.floatLanes();
        if (dots.length < rows * cap) {
            dots = new float[rows * cap];
        }
        if (heldAt == null || heldAt.length != cap) {
            heldAt = new long[cap];
        }
        if (tileOut.length < (rows + 15) / 16 * 16 * lanes) {
            tileOut = new float[(rows + 15) / 16 * 16 * lanes];
        }
        Arrays.fill(heldAt, -1);
        boolean wide = VectorSharedRows.wide();
        int passes = (rows + 15) / 16;
        if (wide) {
            transpose(vecs, rows, d, passes);
        }
        for (int bk = 0; bk < m.buckets; bk++) {
            int base = bk * m.slots;
            for (int s0 = 0; s0 < m.fill[bk]; s0 += lanes) {
                if (wide) {
                    for (int pass = 0; pass < passes; pass++) {
                        VectorSharedRows.tileDots16(vt[pass], d, xT, bk * d * stride + s0, stride, tileOut,
                                pass * 16 * lanes);
                    }
                } else {
                    VectorSharedRows.tileDots(vecs, rows, d, xT, bk * d * stride + s0, stride, tileOut);
                }
                int n = Math.min(lanes, m.fill[bk] - s0);
                for (int i = 0; i < n; i++) {
                    at[i] = base + m.place[base + s0 + i];
                    heldAt[at[i]] = m.index[base + s0 + i];
                }
                for (int r = 0; r < rows; r++) {     // row by row: a row's writes stay within one bucket's places
                    for (int i = 0, o = r * cap, t = r * lanes; i < n; i++) {
                        dots[o + at[i]] = tileOut[t + i];
                    }
                }
            }
        }
        this.rows = rows;
    }

    // vecs [rows, d] -> vt[pass] [d, 16]: row pass·16 + r at c·16 + r; rows past the last repeat it
    private void transpose(float[] vecs, int rows, int d, int passes) {
        if (vt.length < passes || vt[0].length != d * 16) {
            vt = new float[passes][d * 16];
        }
        for (int pass = 0; pass < passes; pass++) {
            for (int r = 0; r < 16; r++) {
                int from = Math.min(pass * 16 + r, rows - 1) * d;
                for (int c = 0; c < d; c++) {
                    vt[pass][c * 16 + r] = vecs[from + c];
                }
            }
        }
    }

    /**
     * When rows qRow (and kRow, when withK) were primed and m's eligible exemplars (the first eligible[bk] slots of
     * each bucket, as collectShared gave them) are the blocks primed at their places: their dots into qDots and kDots
     * from {@code at}, in collectShared's order, and true; else false, with some of those written (the caller then
     * computes them all).
     */
    boolean copyOut(RetrievalMemory m, int[] eligible, int qRow, int kRow, boolean withK, double[] qDots,
                    double[] kDots, int at) {
        if (qRow < 0 || qRow >= rows || withK && (kRow < 0 || kRow >= rows)) {
            return false;
        }
        int cap = m.buckets * m.slots;
        int q0 = qRow * cap;
        int k0 = kRow * cap;
        for (int bk = 0; bk < m.buckets; bk++) {
            int base = bk * m.slots;
            for (int s = base; s < base + eligible[bk]; s++, at++) {
                int pl = base + m.place[s];
                if (heldAt[pl] != m.index[s]) {
                    return false; // a block appended since it was primed (not expected: they are level 1)
                }
                qDots[at] = dots[q0 + pl];
                if (withK) {
                    kDots[at] = dots[k0 + pl];
                }
            }
        }
        return true;
    }
}
