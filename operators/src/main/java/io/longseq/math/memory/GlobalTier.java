package io.longseq.math.memory;

import io.longseq.math.kernel.RowKernels;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.model.TopEntry;
import io.longseq.math.weights.Weights;
import java.util.Arrays;

/**
 * Block-level attention, causal over blocks (docs/design.md 2.5–2.6): each new block's query meets the
 * memory of all blocks up to and including itself, and its context is c_b = s_b + g_b·W_go.
 *
 * <p>Per block this is O(M·d + d²) with M ≤ H·(R+G−1)+1 memory entries (HIERARCHICAL), M ≤ C/B + 1 (AXIAL),
 * or O(m·d + d²) for LINEAR mode's m random features: small vectors, so Java with the {@link RowKernels} (a native
 * call would cost more than the arithmetic), summed in double precision in a fixed order, so both kernel sets give
 * the same bits. LINEAR mode has no entries: its memory computes g_b itself ({@link LinearMemory#attend}), top-K
 * is empty, the entropy and the novelty are 0 (see {@link GlobalMode#LINEAR}). The memory itself is passed in and out, so the caller (a keyed Flink operator) owns it as state. Not thread-safe: one
 * instance per subtask.
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
    private final double[] lnD;      // [d] LN_g(s_b) as doubles, the input of the q, k, v mat-vecs
    private final MemoryEntries entries;
    private final RowKernels kernels; // the mat-vecs (Vector API when present), the entries' dots, the weighted sum
    private final double[] acc;      // [d] a mat-vec's sums
    private final double[] wq;       // [d, d] W_q as doubles: the mat-vec loops multiply and add doubles only
    private final double[] wk;       // [d, d] W_k
    private final double[] wv;       // [d, d] W_v
    private final double[] wo;       // [d, d] W_go
    private double[] p = new double[16];      // [M] scores, then weights
    private double[] kDots = new double[16];  // [M] k_b·k̄_m, for the novelty
    private final long[] logCounts = new long[8];      // [8] entry sizes c seen last, with ln c below
    private final double[] logValues = new double[8];  // [8] ln c: the same few sizes recur every block
    private int[] best = new int[0];          // [K] top-K entries so far, best first

    public GlobalTier(ModelConfig cfg, Weights weights) {
        this(cfg, weights, RowKernels.best());
    }

    /** As above, with the given kernels for the mat-vecs (tests compare the scalar and vector ones). */
    public GlobalTier(ModelConfig cfg, Weights weights, RowKernels kernels) {
        this.cfg = cfg;
        this.kernels = kernels;
        this.w = weights;
        d = cfg.dModel();
        ln = new float[d];
        q = new float[d];
        k = new float[d];
        v = new float[d];
        g = new double[d];
        delta = new float[d];
        lnD = new double[d];
        acc = new double[d];
        wq = toDouble(weights.gWq);
        wk = toDouble(weights.gWk);
        wv = toDouble(weights.gWv);
        wo = toDouble(weights.gWo);
        entries = new MemoryEntries(d);
        Arrays.fill(logCounts, -1);      // no entry has −1 blocks: every slot starts empty
    }

    private static double[] toDouble(float[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
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
        for (int c = 0; c < d; c++) {
            lnD[c] = ln[c];
        }
        kernels.matVec(lnD, wq, acc, q, d);
        kernels.matVec(lnD, wk, acc, k, d);
        kernels.matVec(lnD, wv, acc, v, d);
        memory.append(k, v);
        if (memory instanceof LinearMemory linear) {
            double self = linear.attend(q, g);
            return result(b, start, end, summary, NO_ENTRIES, self, 0.0, 0.0);
        }
        memory.collect(entries);

        int m = entries.size;
        if (p.length < m) {
            p = new double[Math.max(m, 2 * p.length)];
        }
        double scale = 1.0 / Math.sqrt(d);
        double max = Double.NEGATIVE_INFINITY;
        kernels.entryDots(q, entries.keys, m, d, p);       // p[e] = q·k̄_e
        for (int e = 0; e < m; e++) {
            p[e] = p[e] * scale + logCount(entries.count[e]);
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
            if (entries.level[e] == 1 && entries.first[e] == b) {
                self = e;
            }
        }
        kernels.weightedSum(p, entries.values, m, d, g);    // g = Σ p_e v̄_e, in order of e
        return result(b, start, end, summary, top(m, self), p[self], entropy, novelty(m, self));
    }

    // s_b [d] + g_b [d] (in g) -> BlockResult with c_b = s_b + g_b·W_go; also sets delta
    private BlockResult result(long b, long start, long end, float[] summary, TopEntry[] top, double selfWeight,
                               double entropy, double novelty) {
        kernels.matVec(g, wo, acc, delta, d);
        float[] context = new float[d];
        for (int c = 0; c < d; c++) {
            context[c] = summary[c] + delta[c];
        }
        return new BlockResult(b, start, end, summary.clone(), context, top, (float) selfWeight, (float) entropy,
                (float) novelty);
    }

    // k_b [d], k̄ [M, d] -> 1 − max(0, max_{m ≠ self} cos(k_b, k̄_m)); 1 without another entry. Doubles in a fixed
    // order (entryDots is the same plain Java in both kernel sets), so the bits do not depend on the kernels.
    private double novelty(int m, int self) {
        if (kDots.length < m) {
            kDots = new double[Math.max(m, 2 * kDots.length)];
        }
        kernels.entryDots(k, entries.keys, m, d, kDots);
        double kk = 0;
        for (int c = 0; c < d; c++) {
            kk += (double) k[c] * k[c];
        }
        double best = 0;
        for (int e = 0; e < m; e++) {
            if (e == self) {
                continue;
            }
            double ee = 0;
            int off = e * d;
            for (int c = 0; c < d; c++) {
                ee += (double) entries.keys[off + c] * entries.keys[off + c];
            }
            double norms = Math.sqrt(kk * ee);
            if (norms > 0) {
                best = Math.max(best, Math.min(1.0, kDots[e] / norms));
            }
        }
        return 1.0 - best;
    }

    /** g_b·W_go of the last {@link #step}: the per-token output is u_i = z_i + this (docs/design.md 2.6). */
    public float[] lastDelta() {
        return delta.clone();
    }

    // the K largest weights other than the block itself; ties go to the lower first block, then the earlier entry.
    // A selection into K slots (insertion from the end), O(M·K) and no boxing, instead of sorting all M entries.
    private TopEntry[] top(int m, int self) {
        int kk = Math.min(cfg.topK(), self >= 0 && self < m ? m - 1 : m);
        if (kk <= 0) {
            return NO_ENTRIES;
        }
        if (best.length < kk) {
            best = new int[kk];
        }
        int held = 0;
        for (int e = 0; e < m; e++) {
            if (e == self || (held == kk && !before(e, best[kk - 1]))) {
                continue;
            }
            int at = held < kk ? held++ : kk - 1;    // a full list drops its last entry
            while (at > 0 && before(e, best[at - 1])) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = e;
        }
        TopEntry[] top = new TopEntry[kk];
        for (int i = 0; i < kk; i++) {
            int e = best[i];
            top[i] = new TopEntry(entries.level[e], entries.first[e], entries.last[e], (float) p[e]);
        }
        return top;
    }

    // entry x ranks before entry y: larger weight, then lower first block, then lower index (a total order)
    private boolean before(int x, int y) {
        int byWeight = Double.compare(p[y], p[x]);
        if (byWeight != 0) {
            return byWeight < 0;
        }
        int byFirst = Long.compare(entries.first[x], entries.first[y]);
        return byFirst != 0 ? byFirst < 0 : x < y;
    }

    // ln c for an entry of c blocks. A memory has a handful of entry sizes (HIERARCHICAL: G^ℓ per level and the
    // prefix's count), so a small table of the last sizes seen saves a logarithm per entry and block; Math.log of
    // the same argument is the same double, so the scores' bits do not change.
    private double logCount(long c) {
        int slot = (int) ((c * 0x9E3779B97F4A7C15L) >>> 61);     // Fibonacci hashing: 3 bits, one of 8 slots
        if (logCounts[slot] != c) {
            logCounts[slot] = c;
            logValues[slot] = Math.log(c);
        }
        return logValues[slot];
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
