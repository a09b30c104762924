package io.longseq.math.memory;

/**
 * FULL mode's arithmetic for all the blocks of one chunk at once, each product reading the memory once per chunk
 * instead of once per block (the memory is n/B rows of d floats, megabytes, far past the caches): the scores
 * S = Q·Kᵀ [nq, m] and the weighted sums G = W·V [nb, d] under the causal mask, and the softmax with its entropy.
 * The scores use the arithmetic of {@link io.longseq.math.kernel.RowKernels#entryDots} (double precision, the same
 * partial sums in the same order), bitwise what the per-block kernel gives. The weighted sums run in float lanes:
 * per tile of {@link #TILE} entries (tiles at fixed multiples of the entry index) a float sum of fused multiply-adds
 * in order of e, the tiles' sums added in double (docs/numerics.md gives the error). {@link #scores} and
 * {@link #weightedSums} run {@link VectorChunkProducts} (the same sums, several lanes at once, bitwise) when the JVM
 * has the module {@code jdk.incubator.vector} and the system property {@code longseq.vector} is not {@code false},
 * as {@link io.longseq.math.kernel.RowKernels#best} decides; else the plain Java here.
 */
final class ChunkProducts {

    /** Whether {@link #scores} and {@link #weightedSums} use the Vector API. */
    static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !"false".equals(System.getProperty("longseq.vector"));

    /** Entries per float partial sum of {@link #weightedSums}: tile t is entries [t·TILE, (t + 1)·TILE). */
    static final int TILE = 256;

    private ChunkProducts() {}

    /** s ← Q·Kᵀ as {@link #scalarScores}, with the Vector API when {@link #VECTOR} (bitwise the same). */
    // qs [nq, d] · keys [m, d]ᵀ -> s [nq, m]
    static void scores(float[] qs, int nq, float[] keys, int m, int d, double[] s) {
        if (VECTOR) {
            VectorChunkProducts.scores(qs, nq, keys, m, d, s);
        } else {
            scalarScores(qs, nq, keys, m, d, s);
        }
    }

    /** g ← W·V as {@link #scalarWeightedSums} (float tiles), with the Vector API when {@link #VECTOR} (bitwise the same). */
    // w [nb, m] (row i used up to base + i), values [m, d] -> g [nb, d]
    static void weightedSums(double[] w, int nb, int m, long base, float[] values, int d, double[] g) {
        if (VECTOR) {
            VectorChunkProducts.weightedSums(w, nb, m, base, values, d, g);
        } else {
            scalarWeightedSums(w, nb, m, base, values, d, g);
        }
    }

    /**
     * The novelty's max(0, max over e ≠ self with |k_b|·|k̄_e| &gt; 0 of min(1, dots[off + e] / sqrt(kk·squares[e]))):
     * {@link #scalarMaxCosine}, or the same per entry in lanes (a maximum does not depend on the order).
     */
    static double maxCosine(double[] dots, int off, double kk, double[] squares, int m, int self) {
        return VECTOR ? VectorChunkProducts.maxCosine(dots, off, kk, squares, m, self)
                : scalarMaxCosine(dots, off, kk, squares, m, self);
    }

    // max(0, max_{e ≠ self, |k_b||k̄_e| > 0} min(1, cos)) in plain Java: ChunkProducts#maxCosine's scalar path
    static double scalarMaxCosine(double[] dots, int off, double kk, double[] squares, int m, int self) {
        double best = 0;
        for (int e = 0; e < m; e++) {
            if (e == self) {
                continue;
            }
            double norms = Math.sqrt(kk * squares[e]);
            if (norms > 0) {
                best = Math.max(best, Math.min(1.0, dots[off + e] / norms));
            }
        }
        return best;
    }

    // x[off .. off + d) -> Σ x_c², in double in order of c (FullMemory#keySquares caches the same sums)
    static double squares(float[] x, int off, int d) {
        double s = 0;
        for (int c = 0; c < d; c++) {
            s += (double) x[off + c] * x[off + c];
        }
        return s;
    }

    /**
     * s[i·m + e] ← q_i · k_e for the nq rows of qs and the m rows of keys: per element four partial sums over the
     * columns c ≡ j (mod 4), each in order of c (a column tail past the last multiple of four goes to the first),
     * then (s₀ + s₁) + (s₂ + s₃), as {@code entryDots}. Key row e is read once for all nq queries.
     */
    // qs [nq, d] · keys [m, d]ᵀ -> s [nq, m]
    static void scalarScores(float[] qs, int nq, float[] keys, int m, int d, double[] s) {
        for (int e = 0; e < m; e++) {
            int ko = e * d;
            int i = 0;
            if (d % 4 == 0) {
                for (; i + 4 <= nq; i += 4) {           // four queries: sixteen independent chains, as entryDots
                    int qa = i * d;
                    int qb = qa + d;
                    int qc = qb + d;
                    int qd = qc + d;
                    double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                    double b0 = 0, b1 = 0, b2 = 0, b3 = 0;
                    double c0 = 0, c1 = 0, c2 = 0, c3 = 0;
                    double d0 = 0, d1 = 0, d2 = 0, d3 = 0;
                    for (int c = 0; c < d; c += 4) {
                        double k0 = keys[ko + c];
                        double k1 = keys[ko + c + 1];
                        double k2 = keys[ko + c + 2];
                        double k3 = keys[ko + c + 3];
                        a0 += qs[qa + c] * k0;
                        a1 += qs[qa + c + 1] * k1;
                        a2 += qs[qa + c + 2] * k2;
                        a3 += qs[qa + c + 3] * k3;
                        b0 += qs[qb + c] * k0;
                        b1 += qs[qb + c + 1] * k1;
                        b2 += qs[qb + c + 2] * k2;
                        b3 += qs[qb + c + 3] * k3;
                        c0 += qs[qc + c] * k0;
                        c1 += qs[qc + c + 1] * k1;
                        c2 += qs[qc + c + 2] * k2;
                        c3 += qs[qc + c + 3] * k3;
                        d0 += qs[qd + c] * k0;
                        d1 += qs[qd + c + 1] * k1;
                        d2 += qs[qd + c + 2] * k2;
                        d3 += qs[qd + c + 3] * k3;
                    }
                    s[i * m + e] = (a0 + a1) + (a2 + a3);
                    s[(i + 1) * m + e] = (b0 + b1) + (b2 + b3);
                    s[(i + 2) * m + e] = (c0 + c1) + (c2 + c3);
                    s[(i + 3) * m + e] = (d0 + d1) + (d2 + d3);
                }
            }
            for (; i < nq; i++) {
                s[i * m + e] = dot4(qs, i * d, keys, ko, d);
            }
        }
    }

    // qs[qo .. qo + d) · keys[ko .. ko + d): the four partial sums of entryDots
    private static double dot4(float[] qs, int qo, float[] keys, int ko, int d) {
        double dot0 = 0;
        double dot1 = 0;
        double dot2 = 0;
        double dot3 = 0;
        int c = 0;
        for (; c + 4 <= d; c += 4) {
            dot0 += (double) qs[qo + c] * keys[ko + c];
            dot1 += (double) qs[qo + c + 1] * keys[ko + c + 1];
            dot2 += (double) qs[qo + c + 2] * keys[ko + c + 2];
            dot3 += (double) qs[qo + c + 3] * keys[ko + c + 3];
        }
        for (; c < d; c++) {
            dot0 += (double) qs[qo + c] * keys[ko + c];
        }
        return (dot0 + dot1) + (dot2 + dot3);
    }

    /**
     * g[i·d + c] ← Σ_t F_t in double in order of t, F_t = the float sum over the entries e of tile t with
     * e ≤ base + i, from 0 in order of e, f ← fma((float) w[i·m + e], values[e, c], f), for the nb blocks i of the
     * chunk (block i is block base + i and sees rows 0..base + i). Depends on the block's weights and the values only,
     * not on nb or on which blocks share the chunk.
     */
    // w [nb, m] (row i used up to base + i), values [m, d] -> g [nb, d]
    static void scalarWeightedSums(double[] w, int nb, int m, long base, float[] values, int d, double[] g) {
        float[] f = new float[d];                        // [d] one tile's float sums
        for (int i = 0; i < nb; i++) {
            int mi = (int) Math.min(m, base + i + 1);
            int go = i * d;
            java.util.Arrays.fill(g, go, go + d, 0.0);
            for (int t0 = 0; t0 < mi; t0 += TILE) {
                java.util.Arrays.fill(f, 0f);
                for (int e = t0, t1 = Math.min(mi, t0 + TILE); e < t1; e++) {
                    float we = (float) w[i * m + e];
                    int vo = e * d;
                    for (int c = 0; c < d; c++) {
                        f[c] = Math.fma(we, values[vo + c], f[c]);
                    }
                }
                for (int c = 0; c < d; c++) {
                    g[go + c] += f[c];
                }
            }
        }
    }

    /**
     * FULL's softmax of a block's scores p[0, total) in place (every entry one block, so ln c = 0): x_e = p_e/√d,
     * p_e ← exp(x_e − max)/Σ; returns the entropy −Σ p_e ln p_e, computed as ln Σ − Σ_e p_e (x_e − max) (the same
     * quantity, one logarithm per block instead of one per entry).
     */
    // p [total] scores -> weights; returns the entropy
    static double unitSoftmax(double[] p, int total, int d) {
        return unitSoftmax(p, 0, total, d);
    }

    /** As above, on p[off, off + total). */
    // p[off .. off + total) scores -> weights; returns the entropy
    static double unitSoftmax(double[] p, int off, int total, int d) {
        double scale = 1.0 / Math.sqrt(d);
        double max = Double.NEGATIVE_INFINITY;
        int end = off + total;
        for (int e = off; e < end; e++) {
            p[e] *= scale;
            max = Math.max(max, p[e]);
        }
        double sum = 0;
        double shifted = 0;                              // Σ exp(x_e − max)·(x_e − max)
        for (int e = off; e < end; e++) {
            double x = p[e] - max;
            double ex = Math.exp(x);
            p[e] = ex;
            sum += ex;
            if (ex > 0) {
                shifted += ex * x;
            }
        }
        for (int e = off; e < end; e++) {
            p[e] /= sum;
        }
        return Math.log(sum) - shifted / sum;
    }
}
