package io.longseq.math.memory;

import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import java.util.Arrays;
import java.util.Random;

/**
 * LINEAR mode: Performer-style causal linear attention over blocks with m positive random features
 * ({@link GlobalMode#LINEAR}, docs/numerics.md). It keeps no entries, only the running sums
 * S = Σ φ(k_b') v_b'ᵀ [m, d] and z = Σ φ(k_b') [m], so its state is O(m·d) for any number of blocks.
 *
 * <p><b>Stabiliser.</b> With a_i(x) = ω_i·x' − |x'|²/2 (so φ_i(x) = e^(a_i(x))/√m), each feature i keeps the
 * running maximum M_i of a_i(k_b') and its sums in units of e^(M_i): z̃_i = Σ e^(a_i(k_b') − M_i),
 * S̃_i = Σ e^(a_i(k_b') − M_i) v_b'. When a new key raises M_i, z̃_i and S̃_i are rescaled by e^(M_old − M_new).
 * The query side shifts by E = max_i (a_i(q) + M_i), so its weights are w_i = e^(a_i(q) + M_i − E) ≤ 1 and
 * g = Σ_i w_i S̃_i / Σ_i w_i z̃_i, which is φ(q)ᵀS / φ(q)ᵀz exactly (the factors e^E/m cancel). The
 * denominator is ≥ 1 (the feature attaining E has w = 1 and z̃ ≥ 1), so it never overflows or divides by
 * zero. The sums are doubles because they run over an unbounded number of blocks (like the hierarchical
 * prefix); q, k, v and ω are floats.
 *
 * <p>{@link MemoryState} layout: counts = {m, d}, firsts = {linearSeed} (both checked on restore, as ω follows
 * from them), keys and values empty, prefixKeySum = [z̃ (m), M (m)], prefixValueSum = S̃ [m, d],
 * prefixCount = blocks seen.
 */
public final class LinearMemory extends BlockMemory {

    private final int m;
    private final long seed;
    private final float[] omega;       // [m, d] ω, a function of (seed, m, d); not state
    private final double inputScale;   // d^(−1/4): x' = x·inputScale
    private final double[] sums;       // [m, d] S̃
    private final double[] norms;      // [m]    z̃
    private final double[] shift;      // [m]    M
    private final double[] lastKey;    // [m] scratch: a(k_b) of the block appended last (for the self weight)
    private final double[] qa;         // [m] scratch: a(q)
    private final double[] xs;         // [d] scratch: x'
    private boolean hasLast;

    LinearMemory(ModelConfig cfg) {
        super(cfg.dModel());
        m = cfg.linearFeatures();
        seed = cfg.linearSeed();
        omega = randomFeatures(seed, m, d);
        inputScale = Math.pow(d, -0.25);
        sums = new double[m * d];
        norms = new double[m];
        shift = new double[m];
        lastKey = new double[m];
        qa = new double[m];
        xs = new double[d];
    }

    /**
     * ω [m, d] of {@link GlobalMode#LINEAR}: entry i·d + c is the (i·d + c)-th {@code nextGaussian()} of
     * {@code new Random(mix(seed))}, rounded to float; mix is the SplitMix64 finaliser.
     */
    static float[] randomFeatures(long seed, int m, int d) {
        Random random = new Random(mix(seed));
        float[] w = new float[m * d];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        return w;
    }

    /** SplitMix64's finaliser: spreads all 64 seed bits over the 48 that java.util.Random keeps. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    // x [d] -> a [m], a_i = ω_i·x' − |x'|²/2 with x' = x / d^(1/4)
    private void logFeatures(float[] x, double[] a) {
        double norm2 = 0;
        for (int c = 0; c < d; c++) {
            xs[c] = x[c] * inputScale;
            norm2 += xs[c] * xs[c];
        }
        for (int i = 0; i < m; i++) {
            double dot = 0;
            int row = i * d;
            for (int c = 0; c < d; c++) {
                dot += omega[row + c] * xs[c];
            }
            a[i] = dot - 0.5 * norm2;
        }
    }

    // k_b [d], v_b [d] -> S̃, z̃, M updated with block b
    @Override
    protected void add(float[] k, float[] v) {
        logFeatures(k, lastKey);
        for (int i = 0; i < m; i++) {
            double a = lastKey[i];
            int row = i * d;
            if (nextBlock == 0) {
                shift[i] = a;
            } else if (a > shift[i]) {
                double r = Math.exp(shift[i] - a);
                norms[i] *= r;
                for (int c = 0; c < d; c++) {
                    sums[row + c] *= r;
                }
                shift[i] = a;
            }
            double e = Math.exp(a - shift[i]);
            norms[i] += e;
            for (int c = 0; c < d; c++) {
                sums[row + c] += e * v[c];
            }
        }
        hasLast = true;
    }

    /**
     * Reads the memory with query q: g = φ(q)ᵀS / φ(q)ᵀz, and the weight of the block appended last.
     *
     * @param q query q_b [d]
     * @param g out: g_b [d]
     * @return selfWeight = φ(q)·φ(k_b) / φ(q)ᵀz of block b = {@code nextBlock() − 1}
     * @throws IllegalStateException if no block was appended to this instance (the self weight needs its key)
     */
    // q_b [d] + state -> g_b [d], selfWeight
    public double attend(float[] q, double[] g) {
        if (!hasLast) {
            throw new IllegalStateException("LINEAR memory: attend needs the block it weighs to be appended to"
                    + " this instance first (append, then attend)");
        }
        logFeatures(q, qa);
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < m; i++) {
            max = Math.max(max, qa[i] + shift[i]);
        }
        Arrays.fill(g, 0, d, 0.0);
        double den = 0;
        double self = 0;
        for (int i = 0; i < m; i++) {
            double w = Math.exp(qa[i] + shift[i] - max);
            den += w * norms[i];
            self += w * Math.exp(lastKey[i] - shift[i]);
            int row = i * d;
            for (int c = 0; c < d; c++) {
                g[c] += w * sums[row + c];
            }
        }
        for (int c = 0; c < d; c++) {
            g[c] /= den;
        }
        return self / den;
    }

    /** Always throws: LINEAR mode keeps no memory entries. */
    @Override
    public void collect(MemoryEntries out) {
        throw new UnsupportedOperationException("global mode LINEAR keeps no memory entries, only a running"
                + " random-feature state; read it with LinearMemory.attend");
    }

    @Override
    public MemoryState toState() {
        double[] keySide = new double[2 * m];
        System.arraycopy(norms, 0, keySide, 0, m);
        System.arraycopy(shift, 0, keySide, m, m);
        return new MemoryState(nextBlock, new int[] {m, d}, new long[] {seed}, new float[0], new float[0],
                keySide, sums.clone(), nextBlock);
    }

    static LinearMemory restore(ModelConfig cfg, MemoryState s) {
        LinearMemory mem = new LinearMemory(cfg);
        int m = mem.m;
        int d = mem.d;
        if (!Arrays.equals(s.counts(), new int[] {m, d}) || !Arrays.equals(s.firsts(), new long[] {mem.seed})
                || s.keys().length != 0 || s.values().length != 0 || s.prefixKeySum().length != 2 * m
                || s.prefixValueSum().length != m * d || s.prefixCount() != s.nextBlock()) {
            throw new IllegalArgumentException("linear memory state does not fit the config (linearFeatures = " + m
                    + ", d = " + d + ", linearSeed = " + mem.seed + "; the state says " + Arrays.toString(s.counts())
                    + " and seed " + Arrays.toString(s.firsts()) + "): was it saved with other settings?");
        }
        System.arraycopy(s.prefixKeySum(), 0, mem.norms, 0, m);
        System.arraycopy(s.prefixKeySum(), m, mem.shift, 0, m);
        System.arraycopy(s.prefixValueSum(), 0, mem.sums, 0, m * d);
        mem.nextBlock = s.nextBlock();
        return mem;
    }
}
