package io.longseq.math.memory;

import java.util.Arrays;

/**
 * A chunk's dots with RETRIEVAL's held exemplars ({@link RetrievalMemory#primeDots}): every row of the chunk's
 * vectors [rows, d] (in x-space) against every held x_j, read from the column-major store once for all rows
 * ({@link VectorSharedRows#tileDots}), kept by place with the block each place held then, so a block's step takes
 * its dots from here while its exemplars are still those ({@link #copyOut}). Not state: the scratch of one memory.
 */
final class PrimedDots {

    private double[] dots = new double[0];     // [rows, 2^k·E] by place
    private long[] heldAt;                     // [2^k·E] the block each place held when primed (−1: none)
    private int rows;
    private double[] tile;                     // [d, lanes] scratch of tileDots
    private double[] tileOut = new double[0];  // [rows, lanes] scratch of tileDots

    // vecs [rows, d] · the held x of m (column-major xT [2^k, d, stride]) -> dots [rows, 2^k·E] by place
    void prime(RetrievalMemory m, float[] xT, int stride, double[] vecs, int rows) {
        this.rows = 0;
        if (xT == null) {
            return;
        }
        int d = m.d;
        int cap = m.buckets * m.slots;
        int lanes = VectorSharedRows.lanes();
        if (dots.length < rows * cap) {
            dots = new double[rows * cap];
        }
        if (heldAt == null || heldAt.length != cap) {
            heldAt = new long[cap];
            tile = new double[d * lanes];
        }
        if (tileOut.length < rows * lanes) {
            tileOut = new double[rows * lanes];
        }
        Arrays.fill(heldAt, -1);
        for (int bk = 0; bk < m.buckets; bk++) {
            int base = bk * m.slots;
            for (int s0 = 0; s0 < m.fill[bk]; s0 += lanes) {
                VectorSharedRows.tileDots(vecs, rows, d, xT, bk * d * stride + s0, stride, tile, tileOut);
                for (int i = 0; i < lanes && s0 + i < m.fill[bk]; i++) {
                    int at = base + m.place[base + s0 + i];
                    heldAt[at] = m.index[base + s0 + i];
                    for (int r = 0; r < rows; r++) {
                        dots[r * cap + at] = tileOut[r * lanes + i];
                    }
                }
            }
        }
        this.rows = rows;
    }

    /**
     * When rows qRow (and kRow, when withK) were primed and m's eligible exemplars (the first eligible[bk] slots of
     * each bucket, as collectShared gave them) are the blocks primed at their places: their dots into qDots and kDots
     * from {@code at}, in collectShared's order, and true; else false (nothing written).
     */
    boolean copyOut(RetrievalMemory m, int[] eligible, int qRow, int kRow, boolean withK, double[] qDots,
                    double[] kDots, int at) {
        if (qRow < 0 || qRow >= rows || withK && (kRow < 0 || kRow >= rows)) {
            return false;
        }
        for (int bk = 0; bk < m.buckets; bk++) {
            int base = bk * m.slots;
            for (int s = 0; s < eligible[bk]; s++) {
                if (heldAt[base + m.place[base + s]] != m.index[base + s]) {
                    return false; // a block appended since it was primed (not expected: they are level 1)
                }
            }
        }
        int cap = m.buckets * m.slots;
        for (int bk = 0; bk < m.buckets; bk++) {
            int base = bk * m.slots;
            for (int s = 0; s < eligible[bk]; s++, at++) {
                int pl = base + m.place[base + s];
                qDots[at] = dots[qRow * cap + pl];
                if (withK) {
                    kDots[at] = dots[kRow * cap + pl];
                }
            }
        }
        return true;
    }
}
