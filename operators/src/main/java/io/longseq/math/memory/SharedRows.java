package io.longseq.math.memory;

import io.longseq.math.kernel.RowKernels;

/**
 * The dot products and weighted sum of {@link GlobalTier} over memory entries whose rows stay in the memory's own
 * arrays (RETRIEVAL mode's exemplar store of x_j = LN_g(s_j), {@link MemoryEntries#addSharedRun}), read in place
 * through a row index instead of copied per block. Each result has the bits of {@link io.longseq.math.kernel.RowKernels#entryDots}
 * and {@link io.longseq.math.kernel.RowKernels#weightedSum} on the copied rows: per dot, four partial sums s_j over
 * the columns c ≡ j (mod 4), each in order of c (a tail past the last multiple of four goes to s₀), then
 * (s₀ + s₁) + (s₂ + s₃), every product of two floats exact in double; the weighted sum adds p_e·v_e[c] in order of e.
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
     * qDots[at + i] ← q·K[row[i]] and, when {@code k} is not null, kDots[at + i] ← k·K[row[i]], for i in [0, n):
     * one pass over each row for both vectors, two rows at a time.
     */
    // q [d], k [d] or null, K [·, d], row [n] -> qDots [at, at + n), kDots [at, at + n)
    static void dots(float[] q, float[] k, float[] keys, int[] row, int from, int n, int d, double[] qDots,
                     double[] kDots, int at) {
        int i = 0;
        if (d % 4 == 0 && k != null) {
            for (; i + 2 <= n; i += 2) {
                int o0 = row[from + i] * d;
                int o1 = row[from + i + 1] * d;
                double a0 = 0, a1 = 0, a2 = 0, a3 = 0;     // q·row i
                double b0 = 0, b1 = 0, b2 = 0, b3 = 0;     // k·row i
                double c0 = 0, c1 = 0, c2 = 0, c3 = 0;     // q·row i+1
                double e0 = 0, e1 = 0, e2 = 0, e3 = 0;     // k·row i+1
                for (int c = 0; c < d; c += 4) {
                    double q0 = q[c], q1 = q[c + 1], q2 = q[c + 2], q3 = q[c + 3];
                    double k0 = k[c], k1 = k[c + 1], k2 = k[c + 2], k3 = k[c + 3];
                    double x0 = keys[o0 + c], x1 = keys[o0 + c + 1], x2 = keys[o0 + c + 2], x3 = keys[o0 + c + 3];
                    double y0 = keys[o1 + c], y1 = keys[o1 + c + 1], y2 = keys[o1 + c + 2], y3 = keys[o1 + c + 3];
                    a0 += q0 * x0;
                    a1 += q1 * x1;
                    a2 += q2 * x2;
                    a3 += q3 * x3;
                    b0 += k0 * x0;
                    b1 += k1 * x1;
                    b2 += k2 * x2;
                    b3 += k3 * x3;
                    c0 += q0 * y0;
                    c1 += q1 * y1;
                    c2 += q2 * y2;
                    c3 += q3 * y3;
                    e0 += k0 * y0;
                    e1 += k1 * y1;
                    e2 += k2 * y2;
                    e3 += k3 * y3;
                }
                qDots[at + i] = (a0 + a1) + (a2 + a3);
                kDots[at + i] = (b0 + b1) + (b2 + b3);
                qDots[at + i + 1] = (c0 + c1) + (c2 + c3);
                kDots[at + i + 1] = (e0 + e1) + (e2 + e3);
            }
        }
        for (; i < n; i++) {
            int off = row[from + i] * d;
            qDots[at + i] = RowKernels.dot4(q, keys, off, d);
            if (k != null) {
                kDots[at + i] = RowKernels.dot4(k, keys, off, d);
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
}
