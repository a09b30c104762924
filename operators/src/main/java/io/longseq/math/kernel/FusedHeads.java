package io.longseq.math.kernel;

import java.nio.ByteBuffer;

/**
 * The fused attention path's per-head arrays ({@link LocalTier}): queries, keys transposed (a vector load holds
 * one component of consecutive keys) and values of every head, in the row layout of a {@link DilatedBand}, and
 * the attention output of all heads. Plain Java arrays sized once for {@code maxRows} positions. The fused SLIDING
 * path fills only the keys (and the angles) and reads queries and values in place ({@link #attendInPlace}).
 */
final class FusedHeads {

    final float[][] q;       // per head [maxRows, d_h] queries (RoPE'd, ·1/√d_h)
    final float[][] kT;      // per head [d_h, kStride] keys (RoPE'd), transposed
    final int kStride;       // maxRows + KEY_SLACK, the row length of kT
    final float[][] v;       // per head [maxRows, d_h] values
    final float[] oRows;     // [maxRows, d] attention output, heads concatenated
    private final float[] cosDup;  // [maxRows, d_h] cos of each pair's angle, twice
    private final float[] sinAlt;  // [maxRows, d_h] (−sin, sin) of each pair's angle
    private final float[] kRow;    // [h·d_h] one position's RoPE'd keys
    private final float[] cosT;    // [d_h/2, maxRows] cos of each pair's angle, per position
    private final float[] sinT;    // [d_h/2, maxRows] sin of each pair's angle, per position
    private final int maxRows;
    private final int d;
    private final int heads;
    private final int dh;

    FusedHeads(int maxRows, int d, int heads, int dh) {
        this.d = d;
        this.heads = heads;
        this.dh = dh;
        q = new float[heads][maxRows * dh];
        kStride = maxRows + BandAttention.KEY_SLACK;
        kT = new float[heads][dh * kStride];
        oRows = new float[maxRows * d];
        v = new float[heads][maxRows * dh];
        cosDup = new float[maxRows * dh];
        sinAlt = new float[maxRows * dh];
        kRow = new float[d];
        this.maxRows = maxRows;
        cosT = new float[dh / 2 * maxRows];
        sinT = new float[dh / 2 * maxRows];
    }

    // qkv [n, 3d] -> per head q [n, d_h] (RoPE'd, ·qScale), kᵀ [d_h, n] (RoPE'd), v [n, d_h].
    // Position i goes to row layout.rowOf(i) (the identity for a plain sliding window).
    void scatter(RowKernels kernels, ByteBuffer qkvBytes, int n, float[] cos, float[] sin, float qScale,
                 DilatedBand layout) {
        layout.layout(n);
        scatterRows(kernels, qkvBytes, 0, n, cos, sin, qScale, layout);
    }

    // The fused SLIDING path's products, qv [np, 2d] = a·[W_q|W_v] then kᵀ [d, np] = W_kᵀ·aᵀ in qkvBytes, positions
    // [rowFrom, rowTo) -> the same columns of each head's kᵀ as scatterRows (the identity layout), the same bits (the
    // GEMMs give qkv's sums): the keys come transposed, so each head's kᵀ rows are rotated along the positions instead
    // of stored one element at a time; and those positions' angles for the queries, which attendInPlace reads in place.
    void scatterTiledRows(RowKernels kernels, ByteBuffer qkvBytes, int np, int rowFrom, int rowTo, float[] cos,
                          float[] sin) {
        expandAngles(rowFrom, rowTo, cos, sin, true);
        kernels.ropeKeysT(qkvBytes, np * 2 * d * Float.BYTES, np, heads, dh, cosT, sinT, maxRows, rowFrom, rowTo, kT,
                kStride);
    }

    // cos, sin [n, d_h/2] rows [rowFrom, rowTo) -> cosDup, sinAlt [n, d_h] (the angles per component, sin with the
    // pair's sign) and, when transposed, cosT, sinT [d_h/2, maxRows] (per pair, along the positions)
    private void expandAngles(int rowFrom, int rowTo, float[] cos, float[] sin, boolean transposed) {
        int pairs = dh / 2;
        for (int i = rowFrom; i < rowTo; i++) {
            for (int m = 0; m < pairs; m++) {
                int at = i * dh + 2 * m;
                float c = cos[i * pairs + m];
                float sn = sin[i * pairs + m];
                cosDup[at] = c;
                cosDup[at + 1] = c;
                sinAlt[at] = -sn;
                sinAlt[at + 1] = sn;
                if (transposed) {
                    cosT[m * maxRows + i] = c;
                    sinT[m * maxRows + i] = sn;
                }
            }
        }
    }

    // qv [n, 2d] in qkvBytes (queries not yet rotated) and each head's kᵀ -> o [·, d] rows [from, to) in oBytes, head
    // hd in its columns: the queries and values read and the outputs written in place, no copies
    // (VectorAttention.headInPlace)
    void attendInPlace(VectorAttention kernel, ByteBuffer qkvBytes, ByteBuffer oBytes, float qScale, int n, int from,
                       int to, int w, boolean causal) {
        int rowBytes = 2 * d * Float.BYTES;
        for (int hd = 0; hd < heads; hd++) {
            kernel.headInPlace(qkvBytes, hd * dh * Float.BYTES, (d + hd * dh) * Float.BYTES, rowBytes, cosDup, sinAlt,
                    qScale, kT[hd], kStride, n, from, to, w, causal, oBytes, hd * dh * Float.BYTES, d * Float.BYTES);
        }
    }

    // qkv rows [rowFrom, rowTo) -> the same rows of q, kᵀ, v as scatter, under the layout of the last layout.layout(n)
    void scatterRows(RowKernels kernels, ByteBuffer qkvBytes, int rowFrom, int rowTo, float[] cos, float[] sin,
                     float qScale, DilatedBand layout) {
        expandAngles(rowFrom, rowTo, cos, sin, false);
        float[] kr = kRow;                      // [h·d_h] one position's keys, all heads
        for (int i = rowFrom; i < rowTo; i++) {
            int rowAt = layout.rowOf(i);
            kernels.ropeRow(qkvBytes, i * 3 * d * Float.BYTES, d, heads, dh, cosDup, sinAlt, i * dh, qScale, q,
                    v, rowAt * dh, kr);
            // transposed: 128 stores to as many cache lines, which the next 15 positions fill further while they
            // stay in L1 (faster than gathering 16 positions in a tile and copying its rows: 0.105 against 0.16 ms).
            // Vector gathers of such a tile (FloatVector.fromArray with an index map) were faster alone (0.09 against
            // 0.14 ms) but made C2 compile every vector kernel of the tier with boxed vectors: 22 ms a chunk instead
            // of 5.5, in every JVM tried (2026-12-07)
            for (int hd = 0; hd < heads; hd++) {
                float[] kt = kT[hd];
                for (int c = 0; c < dh; c++) {
                    kt[c * kStride + rowAt] = kr[hd * dh + c];
                }
            }
        }
    }
}
