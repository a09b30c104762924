package io.longseq.math;

import java.util.Arrays;

/**
 * Block-level attention, causal over blocks (DESIGN.md 2.5–2.6): each new block's query meets the
 * memory of all blocks up to and including itself, and its context is c_b = s_b + g_b·W_go.
 *
 * <p>Per block this is O(M·d + d²) with M ≤ H·(R+G−1)+1 memory entries (HIERARCHICAL), M ≤ C/B + 1 (AXIAL),
 * or O(m·d + d²) for LINEAR mode's m random features: small vectors, so plain Java (a native call would cost
 * more than the arithmetic). LINEAR mode has no entries: its memory computes g_b itself
 * ({@link LinearMemory#attend}), top-K is empty and the entropy is 0 (see {@link GlobalMode#LINEAR}). The memory itself is passed in and out, so the
 * caller (a keyed Flink operator) owns it as state. Not thread-safe: one instance per subtask.
 */
public final class GlobalTier {

    /** LINEAR mode's top-K: no entries exist. */
    private static final TopEntry[] NO_ENTRIES = new TopEntry[0];

    private final ModelConfig cfg;
    private final Weights w;
    private final int d;
    private final float[] ln;        // [d] LN_g(s_b)
    private final float[] q;         // [d]
    private final float[] k;         // [d]
    private final float[] v;         // [d]
    private final double[] g;        // [d] Σ p_m v̄_m
    private final float[] delta;     // [d] g_b·W_go
    private final MemoryEntries entries;
    private double[] p = new double[16];      // [M] weights
    private Integer[] order = new Integer[0]; // [M] for top-K

    public GlobalTier(ModelConfig cfg, Weights weights) {
        this.cfg = cfg;
        this.w = weights;
        d = cfg.dModel();
        ln = new float[d];
        q = new float[d];
        k = new float[d];
        v = new float[d];
        g = new double[d];
        delta = new float[d];
        entries = new MemoryEntries(d);
    }

    /**
     * Adds block {@code memory.nextBlock()} with summary s [d] to the memory and attends over it.
     *
     * @param start first position of the block
     * @param end   one past its last position
     */
    // s_b [d] + memory -> BlockResult (memory now includes b)
    public BlockResult step(BlockMemory memory, long start, long end, float[] summary) {
        long b = memory.nextBlock();
        layerNorm(summary, ln);
        matVec(ln, w.gWq, q);
        matVec(ln, w.gWk, k);
        matVec(ln, w.gWv, v);
        memory.append(k, v);
        if (memory instanceof LinearMemory linear) {
            double self = linear.attend(q, g);
            return result(b, start, end, summary, NO_ENTRIES, self, 0.0);
        }
        memory.collect(entries);

        int m = entries.size;
        if (p.length < m) {
            p = new double[Math.max(m, 2 * p.length)];
        }
        double scale = 1.0 / Math.sqrt(d);
        double max = Double.NEGATIVE_INFINITY;
        for (int e = 0; e < m; e++) {
            double dot = 0;
            int off = e * d;
            for (int c = 0; c < d; c++) {
                dot += (double) q[c] * entries.keys[off + c];
            }
            p[e] = dot * scale + Math.log(entries.count[e]);
            max = Math.max(max, p[e]);
        }
        double sum = 0;
        for (int e = 0; e < m; e++) {
            p[e] = Math.exp(p[e] - max);
            sum += p[e];
        }
        Arrays.fill(g, 0);
        double entropy = 0;
        int self = -1;
        for (int e = 0; e < m; e++) {
            p[e] /= sum;
            if (p[e] > 0) {
                entropy -= p[e] * Math.log(p[e]);
            }
            int off = e * d;
            for (int c = 0; c < d; c++) {
                g[c] += p[e] * entries.values[off + c];
            }
            if (entries.level[e] == 1 && entries.first[e] == b) {
                self = e;
            }
        }
        return result(b, start, end, summary, top(m, self), p[self], entropy);
    }

    // s_b [d] + g_b [d] (in g) -> BlockResult with c_b = s_b + g_b·W_go; also sets delta
    private BlockResult result(long b, long start, long end, float[] summary, TopEntry[] top, double selfWeight,
                               double entropy) {
        float[] context = new float[d];
        for (int c = 0; c < d; c++) {
            double y = 0;
            for (int e2 = 0; e2 < d; e2++) {
                y += g[e2] * w.gWo[e2 * d + c];
            }
            delta[c] = (float) y;
            context[c] = summary[c] + delta[c];
        }
        return new BlockResult(b, start, end, summary.clone(), context, top, (float) selfWeight, (float) entropy);
    }

    /** g_b·W_go of the last {@link #step}: the per-token output is u_i = z_i + this (DESIGN.md 2.6). */
    public float[] lastDelta() {
        return delta.clone();
    }

    // the K largest weights other than the block itself; ties go to the lower first block
    private TopEntry[] top(int m, int self) {
        if (order.length < m) {
            order = new Integer[Math.max(m, 2 * order.length)];
        }
        int n = 0;
        for (int e = 0; e < m; e++) {
            if (e != self) {
                order[n++] = e;
            }
        }
        Arrays.sort(order, 0, n, (x, y) -> {
            int byWeight = Double.compare(p[y], p[x]);
            return byWeight != 0 ? byWeight : Long.compare(entries.first[x], entries.first[y]);
        });
        int kk = Math.min(cfg.topK(), n);
        TopEntry[] top = new TopEntry[kk];
        for (int i = 0; i < kk; i++) {
            int e = order[i];
            top[i] = new TopEntry(entries.level[e], entries.first[e], entries.last[e], (float) p[e]);
        }
        return top;
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

    // x [d] · W [d, d] -> y [d]
    private void matVec(float[] x, float[] wm, float[] y) {
        Arrays.fill(g, 0);
        for (int e = 0; e < d; e++) {
            double xe = x[e];
            int row = e * d;
            for (int c = 0; c < d; c++) {
                g[c] += xe * wm[row + c];
            }
        }
        for (int c = 0; c < d; c++) {
            y[c] = (float) g[c];
        }
    }
}
