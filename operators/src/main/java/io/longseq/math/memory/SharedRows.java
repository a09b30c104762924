package io.longseq.math.memory;

import io.longseq.math.kernel.RowKernels;

/**
 * The dot products and weighted sum of {@link GlobalTier} over memory entries whose rows stay in the memory's own
 * arrays (RETRIEVAL mode's exemplar store of x_j = LN_g(s_j), {@link MemoryEntries#addSharedRun}), read in place
 * through a row index instead of copied per block. A dot is one float chain per row ({@link #dot}; the vector forms
 * and the chunk's primed dots give the same bits); the weighted sum has the bits of {@link RowKernels#weightedSum}
 * on the copied rows: it adds p_e·v_e[c] in double in order of e.
 */
final class SharedRows {

    /** The Vector API form ({@link VectorSharedRows}) when jdk.incubator.vector is in the boot layer. */
    static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !"false".equals(System.getProperty("longseq.vector"));

    /** Slots per column of a column-major key store are padded to a multiple of this (the most float lanes). */
    static final int STRIDE = 16;

    /**
     * Floats an array read by the vector kernels holds past its last row or column block (a load of up to 16 floats
     * starts half a vector before the block's end).
     */
    static final int PAD = 16;

    private SharedRows() {}

    /** Rounds a slot count up to {@link #STRIDE}. */
    static int stride(int slots) {
        return (slots + STRIDE - 1) / STRIDE * STRIDE;
    }

    /**
     * max(best, max_i min(1, dots[at + i] / √(kk·norms[i]))) over i in [0, n) with √(kk·norms[i]) &gt; 0: the largest
     * cosine of a key (‖k‖² = kk) with n others (their dots with it, and their squared norms), as GlobalTier's
     * novelty forms it entry by entry; vector when {@link #VECTOR}, the same value (a max is exact, in any order).
     */
    static double maxCosine(double[] dots, int at, double[] norms, int n, double kk, double best) {
        int i = 0;
        if (VECTOR) {
            i = n - n % VectorSharedRows.lanes();        // whole vectors; the tail below
            best = VectorSharedRows.maxCosine(dots, at, norms, i, kk, best);
        }
        for (; i < n; i++) {
            double nr = Math.sqrt(kk * norms[i]);
            if (nr > 0) {
                best = Math.max(best, Math.min(1.0, dots[at + i] / nr));
            }
        }
        return best;
    }

    /** As {@link #weightedSum(double[], int, float[], int[], int, int, int, double[])}, vector when {@link #VECTOR}. */
    static void weightedSumBest(double[] p, int at, float[] values, int[] row, int from, int n, int d, double[] g) {
        if (VECTOR && VectorSharedRows.fits(d, STRIDE)) {
            // in calls of 16 rows (the same adds in the same order): the JIT compiles a method to SIMD after ~2,400
            // calls, and until then the Vector API runs ~100× slower, so many short calls shorten that phase
            for (int i = 0; i < n; i += STRIDE) {
                VectorSharedRows.weightedSum(p, at + i, values, row, from + i, Math.min(STRIDE, n - i), d, g);
            }
        } else {
            weightedSum(p, at, values, row, from, n, d, g);
        }
    }

    /**
     * An exemplar's dot a·x: the float chain f ← fma(a[c], x[off + c], f) from 0 in order of c, widened to double (the
     * vector forms give each lane this chain: the same bits). |error| ≤ γ_d·Σ_c |a[c]·x[c]| with γ_d = d·2⁻²⁴/(1 −
     * d·2⁻²⁴) (docs/numerics.md).
     */
    static double dot(float[] a, float[] x, int off, int d) {
        float f = 0f;
        for (int c = 0; c < d; c++) {
            f = Math.fma(a[c], x[off + c], f);
        }
        return f;
    }

    /** qDots[at + i] ← {@link #dot}(q, K[row[i]]) and, when {@code k} is not null, kDots[at + i] ← dot(k, K[row[i]]). */
    // q [d], k [d] or null, K [·, d], row [n] -> qDots [at, at + n), kDots [at, at + n)
    static void dots(float[] q, float[] k, float[] keys, int[] row, int from, int n, int d, double[] qDots,
                     double[] kDots, int at) {
        for (int i = 0; i < n; i++) {
            int off = row[from + i] * d;
            qDots[at + i] = dot(q, keys, off, d);
            if (k != null) {
                kDots[at + i] = dot(k, keys, off, d);
            }
        }
    }

    /** g[c] ← g[c] + p[at + i]·V[row[i], c] for i = 0 … n−1 in that order (four rows per pass over g). */
    // p [at, at + n), V [·, d], row [n] -> g [d] += Σ p·V
    static void weightedSum(double[] p, int at, float[] values, int[] row, int from, int n, int d, double[] g) {
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            double p0 = p[at + i], p1 = p[at + i + 1], p2 = p[at + i + 2], p3 = p[at + i + 3];
            int o0 = row[from + i] * d;
            int o1 = row[from + i + 1] * d;
            int o2 = row[from + i + 2] * d;
            int o3 = row[from + i + 3] * d;
            for (int c = 0; c < d; c++) {
                double t = g[c];
                t += p0 * values[o0 + c];
                t += p1 * values[o1 + c];
                t += p2 * values[o2 + c];
                t += p3 * values[o3 + c];
                g[c] = t;
            }
        }
        for (; i < n; i++) {
            double pe = p[at + i];
            int off = row[from + i] * d;
            for (int c = 0; c < d; c++) {
                g[c] += pe * values[off + c];
            }
        }
    }

    /**
     * gx[i, c] ← Σ_u w[i, u]·X_u[c] for every block i of nb, added from +0 in order of the rows u = 0 … n−1, X_u the row
     * at xs[off[u]] when off[u] ≥ 0, else at evicted[~off[u]]: per block the adds of {@link #weightedSum} from g = 0
     * (vector when {@link #VECTOR}: the same bits).
     */
    // w [nb, n], rows X [n, d] (by off) -> gx [nb, d] = W·X
    static void weightedSums(double[] w, int nb, int n, float[] xs, float[] evicted, int[] off, int d, double[] gx) {
        if (VECTOR && VectorSharedRows.fits(d, STRIDE)) {
            VectorSharedRows.weightedSums(w, nb, n, xs, evicted, off, d, gx);
            return;
        }
        java.util.Arrays.fill(gx, 0, nb * d, 0.0);
        for (int i = 0; i < nb; i++) {
            for (int u = 0; u < n; u++) {
                double pe = w[i * n + u];
                float[] x = off[u] >= 0 ? xs : evicted;
                int o = off[u] >= 0 ? off[u] : ~off[u];
                for (int c = 0; c < d; c++) {
                    gx[i * d + c] += pe * x[o + c];
                }
            }
        }
    }
}
