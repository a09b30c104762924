package io.longseq.math.kernel;

import io.longseq.math.model.LocalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.Weights;

/**
 * Local mode LINFORMER on the fused layout (docs/design.md 2.7): segment s = absolute positions [sP, (s+1)P); its
 * keys and values are projected to k rows, K̃_s = E·K_s and Ṽ_s = F·V_s with E, F [k, P] from the weights file
 * (a segment cut by the array's edge, or the sequence's cut last segment, uses the columns of the positions it has).
 * Bidirectional: query i of segment s meets K̃_s. Causal: K̃_{s−1} (when segment s−1 is in the array) plus the exact
 * keys of its own segment up to itself. Segments follow absolute positions, so a segment inside the array gives the
 * same floats whatever the chunk; with chunks of whole segments and a left halo of L·P when causal, the core is exact.
 */
final class LinformerPath {

    private final int heads;
    private final int dh;
    private final int d;
    private final int rank;          // k
    private final int seg;           // P
    private final boolean causal;
    private final float[] e;         // [k, P] key projection E
    private final float[] f;         // [k, P] value projection F
    private final float[] kp;        // [segments, k, d_h] one head's projected keys, per segment of the array
    private final float[] vp;        // [segments, k, d_h] its projected values
    private final float[] score;     // [k + P] one query's scores

    LinformerPath(ModelConfig cfg, Weights weights, int maxRows) {
        heads = cfg.heads();
        dh = cfg.headDim();
        d = cfg.dModel();
        rank = cfg.linformerRank();
        seg = cfg.linformerSegment();
        causal = cfg.causal();
        e = weights.linformerE;
        f = weights.linformerF;
        int segments = maxRows / seg + 2;                    // an array of maxRows positions touches at most this many
        kp = new float[segments * rank * dh];
        vp = new float[segments * rank * dh];
        score = new float[rank + seg];
    }

    /** True when the config's local mode is LINFORMER. */
    static boolean on(ModelConfig cfg) {
        return cfg.localMode() == LocalMode.LINFORMER;
    }

    // heads' q, kᵀ, v of positions [first, first+n) (laid out by position) -> hs.oRows rows [from, to)
    void attend(long first, int n, int from, int to, FusedHeads hs) {
        long s0 = Math.floorDiv(first, seg);                                  // first segment in the array
        long qFirst = (first + from) / seg;
        long qLast = (first + to - 1) / seg;
        long pFrom = causal ? Math.max(s0, qFirst - 1) : qFirst;              // segments whose projections are read
        long pTo = causal ? qLast - 1 : qLast;
        for (int hd = 0; hd < heads; hd++) {
            for (long s = pFrom; s <= pTo; s++) {
                project(s, first, n, hs, hd, (int) (s - pFrom));
            }
            for (int i = from; i < to; i++) {
                long s = (first + i) / seg;
                int m = 0;                                                     // keys met so far
                int projSlot = -1;
                if (!causal) {
                    projSlot = (int) (s - pFrom);
                } else if (s - 1 >= pFrom) {
                    projSlot = (int) (s - 1 - pFrom);
                }
                int exactFrom = causal ? (int) Math.max(0, s * seg - first) : i + 1;   // causal: own segment ≤ i
                float[] q = hs.q[hd];
                int qAt = i * dh;
                float max = Float.NEGATIVE_INFINITY;
                if (projSlot >= 0) {
                    for (int r = 0; r < rank; r++) {
                        int at = (projSlot * rank + r) * dh;
                        float dot = 0f;
                        for (int c = 0; c < dh; c++) {
                            dot += q[qAt + c] * kp[at + c];
                        }
                        score[m++] = dot;
                        max = Math.max(max, dot);
                    }
                }
                float[] kt = hs.kT[hd];
                for (int j = exactFrom; j <= i; j++) {
                    float dot = 0f;
                    for (int c = 0; c < dh; c++) {
                        dot += q[qAt + c] * kt[c * hs.kStride + j];
                    }
                    score[m++] = dot;
                    max = Math.max(max, dot);
                }
                float sum = 0f;
                for (int t = 0; t < m; t++) {
                    score[t] = (float) Math.exp(score[t] - max);
                    sum += score[t];
                }
                int outAt = i * d + hd * dh;
                java.util.Arrays.fill(hs.oRows, outAt, outAt + dh, 0f);
                int t = 0;
                if (projSlot >= 0) {
                    for (int r = 0; r < rank; r++, t++) {
                        int at = (projSlot * rank + r) * dh;
                        float p = score[t] / sum;
                        for (int c = 0; c < dh; c++) {
                            hs.oRows[outAt + c] += p * vp[at + c];
                        }
                    }
                }
                float[] v = hs.v[hd];
                for (int j = exactFrom; j <= i; j++, t++) {
                    float p = score[t] / sum;
                    for (int c = 0; c < dh; c++) {
                        hs.oRows[outAt + c] += p * v[j * dh + c];
                    }
                }
            }
        }
    }

    // head hd's keys and values of segment s (its positions inside the array) -> kp, vp slot [k, d_h]
    private void project(long s, long first, int n, FusedHeads hs, int hd, int slot) {
        int r0 = (int) Math.max(0, s * seg - first);                           // array rows of the segment
        int r1 = (int) Math.min(n, (s + 1) * seg - first);
        int col0 = (int) (first + r0 - s * seg);                               // E's column of row r0
        float[] kt = hs.kT[hd];
        float[] v = hs.v[hd];
        int base = slot * rank * dh;
        java.util.Arrays.fill(kp, base, base + rank * dh, 0f);
        java.util.Arrays.fill(vp, base, base + rank * dh, 0f);
        for (int r = 0; r < rank; r++) {
            int at = base + r * dh;
            for (int j = r0; j < r1; j++) {
                float ej = e[r * seg + col0 + j - r0];
                float fj = f[r * seg + col0 + j - r0];
                for (int c = 0; c < dh; c++) {
                    kp[at + c] += ej * kt[c * hs.kStride + j];
                    vp[at + c] += fj * v[j * dh + c];
                }
            }
        }
    }
}
