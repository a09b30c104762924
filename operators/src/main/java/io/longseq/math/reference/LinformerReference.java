package io.longseq.math.reference;

import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.Weights;

/**
 * Local mode LINFORMER in double precision, over a whole sequence (docs/design.md 2.7), for one layer: segment s =
 * positions [sP, min((s+1)P, n)) of m positions; K̃_s[r] = Σ_{j<m} E[r, j]·k_{sP+j}, Ṽ_s[r] = Σ_{j<m} F[r, j]·v_{sP+j}
 * (keys RoPE'd, all heads at once: E acts on positions). Query i of segment s: bidirectional, softmax over the k rows
 * of K̃_s; causal, over the k rows of K̃_{s−1} (s ≥ 1) and the exact keys sP..i. Written independently of the fast
 * path ({@code LinformerPath}): whole sequence, no arrays, no chunks.
 */
final class LinformerReference {

    private final ModelConfig cfg;
    private final double[][][] kp;   // [segments][k][d] projected keys
    private final double[][][] vp;   // [segments][k][d] projected values

    // k, v [n][d] of one layer -> the projections of every segment
    LinformerReference(ModelConfig cfg, Weights w, double[][] k, double[][] v, int n) {
        this.cfg = cfg;
        int p = cfg.linformerSegment();
        int rank = cfg.linformerRank();
        int d = cfg.dModel();
        int segments = (n + p - 1) / p;
        kp = new double[segments][rank][d];
        vp = new double[segments][rank][d];
        for (int s = 0; s < segments; s++) {
            for (int r = 0; r < rank; r++) {
                for (int j = 0; j < p && s * p + j < n; j++) {
                    double e = w.linformerE[r * p + j];
                    double f = w.linformerF[r * p + j];
                    for (int c = 0; c < d; c++) {
                        kp[s][r][c] += e * k[s * p + j][c];
                        vp[s][r][c] += f * v[s * p + j][c];
                    }
                }
            }
        }
    }

    // query i (q [d], RoPE'd, unscaled) -> attention output [d], heads concatenated
    double[] attend(double[] qi, int i, double[][] k, double[][] v) {
        int p = cfg.linformerSegment();
        int rank = cfg.linformerRank();
        int dh = cfg.headDim();
        int s = i / p;
        double scale = 1.0 / Math.sqrt(dh);
        double[] o = new double[cfg.dModel()];
        for (int h = 0; h < cfg.heads(); h++) {
            int off = h * dh;
            int projSeg = cfg.causal() ? s - 1 : s;              // whose projected keys query i reads, if ≥ 0
            int exact = cfg.causal() ? i - s * p + 1 : 0;        // exact keys sP..i when causal
            int projected = projSeg >= 0 ? rank : 0;
            double[] score = new double[projected + exact];
            double max = Double.NEGATIVE_INFINITY;
            for (int t = 0; t < score.length; t++) {
                double[] key = t < projected ? kp[projSeg][t] : k[s * p + t - projected];
                double dot = 0;
                for (int c = 0; c < dh; c++) {
                    dot += qi[off + c] * key[off + c];
                }
                score[t] = dot * scale;
                max = Math.max(max, score[t]);
            }
            double sum = 0;
            for (int t = 0; t < score.length; t++) {
                score[t] = Math.exp(score[t] - max);
                sum += score[t];
            }
            for (int t = 0; t < score.length; t++) {
                double[] val = t < projected ? vp[projSeg][t] : v[s * p + t - projected];
                for (int c = 0; c < dh; c++) {
                    o[off + c] += score[t] / sum * val[off + c];
                }
            }
        }
        return o;
    }
}
