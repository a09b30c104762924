package io.longseq.math.kernel;

import java.nio.ByteBuffer;

/**
 * The fused attention path's per-head arrays ({@link LocalTier}): queries, keys transposed (a vector load holds
 * one component of consecutive keys) and values of every head, in the row layout of a {@link DilatedBand}, and
 * the attention output of all heads. Plain Java arrays sized once for {@code maxRows} positions.
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
    private final float[] kTile;   // [KEY_TILE, h·d_h] the RoPE'd keys of consecutive positions, before transposing
    private static final int KEY_TILE = 16;   // most positions transposed at once: the widest vector of floats
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
        kTile = new float[KEY_TILE * d];
    }

    // qkv [n, 3d] -> per head q [n, d_h] (RoPE'd, ·qScale), kᵀ [d_h, n] (RoPE'd), v [n, d_h].
    // Position i goes to row layout.rowOf(i) (the identity for a plain sliding window).
    void scatter(RowKernels kernels, ByteBuffer qkvBytes, int n, float[] cos, float[] sin, float qScale,
                 DilatedBand layout) {
        layout.layout(n);
        scatterRows(kernels, qkvBytes, 0, n, cos, sin, qScale, layout);
    }

    // qkv rows [rowFrom, rowTo) -> the same rows of q, kᵀ, v as scatter, under the layout of the last layout.layout(n)
    void scatterRows(RowKernels kernels, ByteBuffer qkvBytes, int rowFrom, int rowTo, float[] cos, float[] sin,
                     float qScale, DilatedBand layout) {
        int pairs = dh / 2;
        for (int i = rowFrom; i < rowTo; i++) {          // angles per pair -> per component, sin with the pair's sign
            for (int m = 0; m < pairs; m++) {
                int at = i * dh + 2 * m;
                float c = cos[i * pairs + m];
                float sn = sin[i * pairs + m];
                cosDup[at] = c;
                cosDup[at + 1] = c;
                sinAlt[at] = -sn;
                sinAlt[at + 1] = sn;
            }
        }
        float[] kr = kRow;                      // [h·d_h] one position's keys, all heads
        // the keys of `tile` consecutive positions (consecutive rows: a plain sliding window) transposed at once
        int tile = layout.step == 1 ? Math.min(kernels.keyTile(), KEY_TILE) : 1;
        for (int i0 = rowFrom; i0 < rowTo; i0 += tile) {
            int count = Math.min(tile, rowTo - i0);
            for (int p = 0; p < count; p++) {
                int i = i0 + p;
                kernels.ropeRow(qkvBytes, i * 3 * d * Float.BYTES, d, heads, dh, cosDup, sinAlt, i * dh, qScale, q,
                        v, layout.rowOf(i) * dh, kr);
                System.arraycopy(kr, 0, kTile, p * d, d);
            }
            kernels.transposeKeys(kTile, count, heads, dh, kT, kStride, layout.rowOf(i0));
        }
    }
}
