package io.longseq.math;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Band attention of one head fused in registers with the Vector API: scores, band softmax and weighted
 * values per block of four queries, without writing a score matrix to memory.
 *
 * <p>libnd4j runs the sliding-chunks products ([q_b, d_h]·[d_h, q_b+2w] and back) in its own loop at
 * ~37 GFLOP/s; here four queries share every key load (scores: 2 key vectors × 4 rows = 8 independent
 * FMA chains) and every value load (weighted values: 2 vectors of d_h × 4 rows), only the union of the
 * four rows' bands is computed (2w+4 keys instead of q_b+2w), and the softmax runs on the scores while
 * they are in cache. Needs d_h = 2·LANES for a SPECIES of 4, 8 or 16 floats that the CPU runs natively
 * ({@link #supports}); otherwise {@link LocalTier} keeps the ND4J path.
 */
final class VectorAttention implements BandAttention {

    private static final int ROWS = 4;
    // The Vector API compiles to SIMD only when the SPECIES is a constant: the preferred one, fixed here.
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    private final int dh;
    private final RowKernels kernels;
    private final float[][] scores;   // [4][2w+4] scores, then probabilities, of the current 4 queries

    private VectorAttention(int dh, int w, RowKernels kernels) {
        this.dh = dh;
        this.kernels = kernels;
        this.scores = new float[ROWS][2 * w + ROWS + 2 * LANES];
    }

    /**
     * A fused kernel for heads of width d_h, or null when d_h is not two vectors of the CPU's preferred
     * width (32 with AVX-512, 16 with AVX2): then the local tier uses ND4J's batched products.
     */
    static VectorAttention create(int dh, int w, RowKernels kernels) {
        return dh == 2 * LANES ? new VectorAttention(dh, w, kernels) : null;
    }

    @Override
    public String name() {
        return "fused-" + SPECIES.vectorBitSize();
    }

    @Override
    public void head(float[] q, float[] kT, int stride, float[] v, int base, int n, int from, int to, int w,
                     boolean causal, RowSink out) {
        for (int i0 = from; i0 < to; i0 += ROWS) {
            int rows = Math.min(ROWS, to - i0);
            int lo = Math.max(0, i0 - w);                                 // union of the rows' bands
            int hi = causal ? i0 + rows - 1 : Math.min(n - 1, i0 + rows - 1 + w);
            int len = hi - lo + 1;
            scoresOfBlock(q, kT, stride, base + i0, rows, base + lo, len);
            for (int r = 0; r < rows; r++) {
                int i = i0 + r;
                int bandLo = Math.max(0, i - w) - lo;
                int bandHi = (causal ? i : Math.min(n - 1, i + w)) - lo;
                kernels.bandSoftmax(scores[r], bandLo, bandHi, len);
            }
            mixBlock(v, base + lo, i0, rows, len, out);
        }
    }

    // s[r][j] = q[qRow+r] · k[keyRow+j] for r < rows, j < len (rows of the whole arrays)
    private void scoresOfBlock(float[] q, float[] kT, int stride, int qRow, int rows, int keyRow, int len) {
        float[] s0 = scores[0];
        float[] s1 = scores[1];
        float[] s2 = scores[2];
        float[] s3 = scores[3];
        int q0 = qRow * dh;
        int q1 = rows > 1 ? q0 + dh : q0;   // missing rows repeat row 0; their scores are never read
        int q2 = rows > 2 ? q0 + 2 * dh : q0;
        int q3 = rows > 3 ? q0 + 3 * dh : q0;
        int j = 0;
        for (; j + 2 * LANES <= len; j += 2 * LANES) {
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0;
            FloatVector b0 = a0;
            FloatVector b1 = a0;
            FloatVector c0 = a0;
            FloatVector c1 = a0;
            FloatVector d0 = a0;
            FloatVector d1 = a0;
            int col = keyRow + j;
            for (int c = 0; c < dh; c++) {
                FloatVector k0 = FloatVector.fromArray(SPECIES, kT, c * stride + col);
                FloatVector k1 = FloatVector.fromArray(SPECIES, kT, c * stride + col + LANES);
                FloatVector x0 = FloatVector.broadcast(SPECIES, q[q0 + c]);
                FloatVector x1 = FloatVector.broadcast(SPECIES, q[q1 + c]);
                FloatVector x2 = FloatVector.broadcast(SPECIES, q[q2 + c]);
                FloatVector x3 = FloatVector.broadcast(SPECIES, q[q3 + c]);
                a0 = x0.fma(k0, a0);
                a1 = x0.fma(k1, a1);
                b0 = x1.fma(k0, b0);
                b1 = x1.fma(k1, b1);
                c0 = x2.fma(k0, c0);
                c1 = x2.fma(k1, c1);
                d0 = x3.fma(k0, d0);
                d1 = x3.fma(k1, d1);
            }
            a0.intoArray(s0, j);
            a1.intoArray(s0, j + LANES);
            b0.intoArray(s1, j);
            b1.intoArray(s1, j + LANES);
            c0.intoArray(s2, j);
            c1.intoArray(s2, j + LANES);
            d0.intoArray(s3, j);
            d1.intoArray(s3, j + LANES);
        }
        for (; j < len; j++) {                          // the last keys, one at a time
            int col = keyRow + j;
            float t0 = 0f;
            float t1 = 0f;
            float t2 = 0f;
            float t3 = 0f;
            for (int c = 0; c < dh; c++) {
                float k = kT[c * stride + col];
                t0 = Math.fma(q[q0 + c], k, t0);
                t1 = Math.fma(q[q1 + c], k, t1);
                t2 = Math.fma(q[q2 + c], k, t2);
                t3 = Math.fma(q[q3 + c], k, t3);
            }
            s0[j] = t0;
            s1[j] = t1;
            s2[j] = t2;
            s3[j] = t3;
        }
    }

    // out[i0+r] = Σ_j p[r][j] · v[keyRow+j]  (d_h = 2 LANES); i0 counts from the sequence's base
    private void mixBlock(float[] v, int keyRow, int i0, int rows, int len, RowSink out) {
        float[] p0 = scores[0];
        float[] p1 = scores[1];
        float[] p2 = scores[2];
        float[] p3 = scores[3];
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        FloatVector c0 = a0;
        FloatVector c1 = a0;
        FloatVector d0 = a0;
        FloatVector d1 = a0;
        for (int j = 0; j < len; j++) {
            int at = (keyRow + j) * dh;
            FloatVector v0 = FloatVector.fromArray(SPECIES, v, at);
            FloatVector v1 = FloatVector.fromArray(SPECIES, v, at + LANES);
            FloatVector x0 = FloatVector.broadcast(SPECIES, p0[j]);
            FloatVector x1 = FloatVector.broadcast(SPECIES, p1[j]);
            FloatVector x2 = FloatVector.broadcast(SPECIES, p2[j]);
            FloatVector x3 = FloatVector.broadcast(SPECIES, p3[j]);
            a0 = x0.fma(v0, a0);
            a1 = x0.fma(v1, a1);
            b0 = x1.fma(v0, b0);
            b1 = x1.fma(v1, b1);
            c0 = x2.fma(v0, c0);
            c1 = x2.fma(v1, c1);
            d0 = x3.fma(v0, d0);
            d1 = x3.fma(v1, d1);
        }
        float[] row = out.row();
        a0.intoArray(row, 0);
        a1.intoArray(row, LANES);
        out.put(i0, row);
        if (rows > 1) {
            b0.intoArray(row, 0);
            b1.intoArray(row, LANES);
            out.put(i0 + 1, row);
        }
        if (rows > 2) {
            c0.intoArray(row, 0);
            c1.intoArray(row, LANES);
            out.put(i0 + 2, row);
        }
        if (rows > 3) {
            d0.intoArray(row, 0);
            d1.intoArray(row, LANES);
            out.put(i0 + 3, row);
        }
    }

}
