package io.longseq.math.memory;

import io.longseq.math.kernel.RowKernels;
import io.longseq.math.weights.Weights;

/**
 * The global tier's linear maps (docs/design.md 2.5): LN_g and the projections q, k, v of a block summary, W_go, and
 * for RETRIEVAL's exemplars, held as x = LN_g(s) alone, the key of an x and a vector's image in x-space. Each is a
 * mat-vec summed in double in a fixed order ({@link RowKernels#matVec}), so both kernel sets give the same bits. The
 * scratch of one {@link GlobalTier}; not thread-safe.
 */
final class GlobalProjections {

    private final RowKernels kernels;
    private final Weights w;
    private final int d;
    private final double[] wq;       // [d, d] W_gq as doubles: the mat-vec loops multiply and add doubles only
    private final double[] wk;       // [d, d] W_gk
    private final double[] wv;       // [d, d] W_gv
    private final double[] wo;       // [d, d] W_go
    private final double[] wkT;      // [d, d] W_gkᵀ: a·k_j = x_j·(W_gk a) for an exemplar held as x_j
    private final double[] in;       // [d] a mat-vec's input as doubles
    private final double[] acc;      // [d] a mat-vec's double sums
    private final float[] unused;    // [d] a mat-vec's float output that is not read

    GlobalProjections(Weights weights, RowKernels kernels, int d) {
        this.kernels = kernels;
        this.w = weights;
        this.d = d;
        wq = toDouble(weights.gWq);
        wk = toDouble(weights.gWk);
        wv = toDouble(weights.gWv);
        wo = toDouble(weights.gWo);
        wkT = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int c = 0; c < d; c++) {
                wkT[c * d + i] = wk[i * d + c];
            }
        }
        in = new double[d];
        acc = new double[d];
        unused = new float[d];
    }

    private static double[] toDouble(float[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    // s [d] -> x = LN_g(s) [d], q = x·W_gq [d], and, when k is not null, k = x·W_gk and v = x·W_gv [d]
    void project(float[] s, float[] x, float[] q, float[] k, float[] v) {
        layerNorm(s, x);
        for (int c = 0; c < d; c++) {
            in[c] = x[c];
        }
        kernels.matVec(in, wq, acc, q, d);
        if (k != null) {
            kernels.matVec(in, wk, acc, k, d);
            kernels.matVec(in, wv, acc, v, d);
        }
    }

    // a [d] -> out [d] = W_gk·a, rounded to float: out·x_j = a·k_j for an exemplar held as x_j
    void toXSpace(float[] a, float[] out) {
        for (int c = 0; c < d; c++) {
            in[c] = a[c];
        }
        kernels.matVec(in, wkT, acc, out, d);
    }

    // x [d] -> k [d] = x·W_gk: the key project gave the block whose LN_g(s) is x, bit for bit
    void keyOf(float[] x, float[] k) {
        for (int c = 0; c < d; c++) {
            in[c] = x[c];
        }
        kernels.matVec(in, wk, acc, k, d);
    }

    // x [d] -> v [d] = x·W_gv
    void valueOf(float[] x, float[] v) {
        for (int c = 0; c < d; c++) {
            in[c] = x[c];
        }
        kernels.matVec(in, wv, acc, v, d);
    }

    // Σ p_j x_j [d] over the exemplars -> g [d] += that·W_gv (= Σ p_j v_j)
    void addExemplarValues(double[] gx, double[] g) {
        kernels.matVec(gx, wv, acc, unused, d);
        for (int c = 0; c < d; c++) {
            g[c] += acc[c];
        }
    }

    // g [d] -> delta [d] = g·W_go
    void out(double[] g, float[] delta) {
        kernels.matVec(g, wo, acc, delta, d);
    }

    // s [d] -> LN_g(s) [d]
    private void layerNorm(float[] s, float[] out) {
        double sum = 0;
        for (int c = 0; c < d; c++) {
            sum += s[c];
        }
        double mean = sum / d;
        double var = 0;
        for (int c = 0; c < d; c++) {
            var += (s[c] - mean) * (s[c] - mean);
        }
        double inv = 1.0 / Math.sqrt(var / d + 1e-5);
        for (int c = 0; c < d; c++) {
            out[c] = (float) ((s[c] - mean) * inv * w.lngGain[c] + w.lngBias[c]);
        }
    }
}
