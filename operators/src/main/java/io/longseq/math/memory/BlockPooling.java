package io.longseq.math.memory;

import io.longseq.math.kernel.RowKernels;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.model.Pooling;
import io.longseq.math.weights.Weights;

/**
 * Level-1 block summaries s_b from the local tier's token vectors z (docs/design.md 2.4).
 *
 * <p>Chunks start on block boundaries (C is a multiple of B), so a chunk's blocks never straddle two
 * chunks; the last block of an ended sequence pools over the positions it has. Plain Java: per block
 * this is O(B·d) plus one d×d product for attention pooling, far below the local tier's cost.
 */
public final class BlockPooling {

    private final ModelConfig cfg;
    private final int d;
    private final int b;
    private final float[] u;        // [d]  W_pk·q_p: q_p·(z_j W_pk) = z_j·u
    private final float[] wpv;      // [d, d]
    private final double[] acc;     // [d]
    private final double[] alpha;   // [B]
    private final RowKernels kernels; // mean pooling's column sums
    private final float[] convKernel; // [B, d] CONV: K, else null
    private final float[] convBias;   // [d]    CONV: β, else null

    public BlockPooling(ModelConfig cfg, Weights weights) {
        this(cfg, weights, RowKernels.best());
    }

    /** As above, with the given kernels (tests compare the scalar and vector ones). */
    public BlockPooling(ModelConfig cfg, Weights weights, RowKernels kernels) {
        this.cfg = cfg;
        this.kernels = kernels;
        d = cfg.dModel();
        b = cfg.blockSize();
        u = new float[d];
        for (int e = 0; e < d; e++) {
            double sum = 0;
            for (int c = 0; c < d; c++) {
                sum += (double) weights.poolWk[e * d + c] * weights.poolQuery[c];
            }
            u[e] = (float) sum;
        }
        wpv = weights.poolWv;
        acc = new double[d];
        alpha = new double[b];
        convKernel = weights.poolConvKernel;
        convBias = weights.poolConvBias;
    }

    /** Blocks that n positions starting at a block boundary make: ⌈n/B⌉. */
    public int blocks(int n) {
        return (n + b - 1) / b;
    }

    // z [n, d] (first position on a block boundary) -> summaries [⌈n/B⌉, d]
    public void pool(float[] z, int n, float[] summaries) {
        int nBlocks = blocks(n);
        for (int blk = 0; blk < nBlocks; blk++) {
            int from = blk * b;
            int to = Math.min(n, from + b);
            int out = blk * d;
            switch (cfg.pooling()) {
                case MEAN -> mean(z, from, to, summaries, out);
                case ATTENTION -> attention(z, from, to, summaries, out);
                case MAX -> max(z, from, to, summaries, out);
                case CONV -> conv(z, from, to, summaries, out);
            }
        }
    }

    private void mean(float[] z, int from, int to, float[] s, int out) {
        kernels.columnSums(z, from, to, d, acc);
        double inv = 1.0 / (to - from);
        for (int c = 0; c < d; c++) {
            s[out + c] = (float) (acc[c] * inv);
        }
    }

    // z rows [from, to) -> s [d]: s[c] = max_j z_j[c]
    private void max(float[] z, int from, int to, float[] s, int out) {
        System.arraycopy(z, from * d, s, out, d);
        for (int j = from + 1; j < to; j++) {
            for (int c = 0; c < d; c++) {
                s[out + c] = Math.max(s[out + c], z[j * d + c]);
            }
        }
    }

    // z rows [from, to), m = to − from -> s [d]: s[c] = (B/m)·Σ_j K[j, c]·z_{from+j}[c] + β[c], summed in double
    private void conv(float[] z, int from, int to, float[] s, int out) {
        java.util.Arrays.fill(acc, 0);
        for (int j = from; j < to; j++) {
            int kAt = (j - from) * d;
            for (int c = 0; c < d; c++) {
                acc[c] += (double) convKernel[kAt + c] * z[j * d + c];
            }
        }
        double scale = (double) b / (to - from);
        for (int c = 0; c < d; c++) {
            s[out + c] = (float) (acc[c] * scale + convBias[c]);
        }
    }

    // α_j = softmax(z_j·u/√d), s_b = (Σ α_j z_j)·W_pv
    private void attention(float[] z, int from, int to, float[] s, int out) {
        double scale = 1.0 / Math.sqrt(d);
        double max = Double.NEGATIVE_INFINITY;
        for (int j = from; j < to; j++) {
            double dot = 0;
            for (int c = 0; c < d; c++) {
                dot += (double) z[j * d + c] * u[c];
            }
            alpha[j - from] = dot * scale;
            max = Math.max(max, alpha[j - from]);
        }
        double sum = 0;
        for (int j = from; j < to; j++) {
            alpha[j - from] = Math.exp(alpha[j - from] - max);
            sum += alpha[j - from];
        }
        java.util.Arrays.fill(acc, 0);
        for (int j = from; j < to; j++) {
            double p = alpha[j - from] / sum;
            for (int c = 0; c < d; c++) {
                acc[c] += p * z[j * d + c];
            }
        }
        for (int c = 0; c < d; c++) {
            double y = 0;
            for (int e = 0; e < d; e++) {
                y += acc[e] * wpv[e * d + c];
            }
            s[out + c] = (float) y;
        }
    }
}
