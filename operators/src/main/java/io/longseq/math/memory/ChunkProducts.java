package io.longseq.math.memory;

/**
 * FULL mode's arithmetic for all the blocks of one chunk at once, each product reading the memory once per chunk
 * instead of once per block (the memory is n/B rows of d floats, megabytes, far past the caches): the scores
 * S = Q·Kᵀ [nq, m] and the weighted sums G = W·V [nb, d] under the causal mask, and the softmax with its entropy.
 * Both run in float: a score is one float chain of fused multiply-adds over the columns in order of c,
 * f ← fma(q_c, k_c, f) from 0, widened to double; a weighted sum is, per tile of {@link #TILE} entries (tiles at fixed
 * multiples of the entry index), a float sum of fused multiply-adds fma((float) w_e, v_e[c], f) in order of e, the
 * tiles' sums added in double (docs/numerics.md gives the errors). Every element depends on its own row's inputs only,
 * never on how many rows share the product. {@link #scores} and {@link #weightedSums} run {@link VectorChunkProducts}
 * (the same chains, several lanes at once, bitwise) when the JVM has the module {@code jdk.incubator.vector} and the
 * system property {@code longseq.vector} is not {@code false}, as {@link io.longseq.math.kernel.RowKernels#best}
 * decides; else the plain Java here.
 */
final class ChunkProducts {

    /** Whether {@link #scores} and {@link #weightedSums} use the Vector API. */
    static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !"false".equals(System.getProperty("longseq.vector"));

    /** Queries and blocks per group of the products; their arrays hold {@link #padded} rows. */
    static final int ROWS = 8;

    // the weights of a group of blocks as floats [m, ROWS], the calling thread's (a global-context subtask's), grown
    // to the largest memory seen: no allocation per chunk
    private static final ThreadLocal<float[]> WEIGHTS = ThreadLocal.withInitial(() -> new float[0]);

    /** Entries per float partial sum of {@link #weightedSums}: tile t is entries [t·TILE, (t + 1)·TILE). */
    static final int TILE = 256;

    private ChunkProducts() {}

    /**
     * s ← Q·Kᵀ as {@link #scalarScores}, with the Vector API when {@link #VECTOR} (bitwise the same), reading the
     * memory's keys as {@link FullMemory#keyTiles} there. qs and s hold {@link #padded}(nq) rows; the rows past nq of
     * s are scratch.
     */
    // qs [padded(nq), d] · keys [m, d]ᵀ -> s [padded(nq), m]
    static void scores(float[] qs, int nq, FullMemory memory, int m, int d, double[] s) {
        if (VECTOR) {
            VectorChunkProducts.scores(qs, nq, memory.keyTiles(m, VectorChunkProducts.KT), m, d, s);
        } else {
            scalarScores(qs, nq, memory.keys(), m, d, s);
        }
    }

    /**
     * Keys [from, to) of keys [.., d] into tiles [⌈to/kt⌉, d, kt]: key e, column c at
     * (e / kt)·d·kt + c·kt + e % kt, so that kt consecutive keys' column c is one vector.
     */
    // keys [m, d] -> tiles [⌈m/kt⌉, d, kt]
    static void tile(float[] keys, int from, int to, int d, int kt, float[] tiles) {
        for (int e = from; e < to; e++) {
            int at = (e / kt) * d * kt + e % kt;
            int ko = e * d;
            for (int c = 0; c < d; c++) {
                tiles[at + c * kt] = keys[ko + c];
            }
        }
    }

    /**
     * g ← W·V as {@link #scalarWeightedSums} (float tiles), with the Vector API when {@link #VECTOR} (bitwise the same).
     * w and g hold {@link #padded}(nb) rows; the rows past nb of g are scratch.
     */
    // w [padded(nb), m] (row i used up to base + i), values [m, d] -> g [padded(nb), d]
    static void weightedSums(double[] w, int nb, int m, long base, float[] values, int d, double[] g) {
        if (VECTOR) {
            float[] wt = WEIGHTS.get();
            if (wt.length < m * ROWS) {               // grown here, outside the compiled vector loop
                wt = new float[Math.max(m * ROWS, 2 * wt.length)];
                WEIGHTS.set(wt);
            }
            VectorChunkProducts.weightedSums(w, nb, m, base, values, d, g, wt);
        } else {
            scalarWeightedSums(w, nb, m, base, values, d, g);
        }
    }

    /** Whether a[0, n) and b[from, from + n) hold the same floats bit for bit (then their dots are the same too). */
    static boolean sameRows(float[] a, float[] b, int from, int n) {
        for (int x = 0; x < n; x++) {
            if (Float.floatToRawIntBits(a[x]) != Float.floatToRawIntBits(b[from + x])) {
                return false;
            }
        }
        return true;
    }

    /** Rows rounded up to the products' groups of {@link #ROWS}: the size of their query, weight and result rows. */
    static int padded(int rows) {
        return (rows + ROWS - 1) / ROWS * ROWS;
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
     * out[e] ← {@link #squares}(x, e·d, d) for the rows e in [0, rows): the same sums, four rows at a time so that four
     * independent chains of adds run side by side (one row's chain is bound by the add's latency).
     */
    // x [rows, d] -> out [rows]
    static void rowSquares(float[] x, int rows, int d, double[] out) {
        int e = 0;
        for (; e + 4 <= rows; e += 4) {
            int o0 = e * d;
            int o1 = o0 + d;
            int o2 = o1 + d;
            int o3 = o2 + d;
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            for (int c = 0; c < d; c++) {
                s0 += (double) x[o0 + c] * x[o0 + c];
                s1 += (double) x[o1 + c] * x[o1 + c];
                s2 += (double) x[o2 + c] * x[o2 + c];
                s3 += (double) x[o3 + c] * x[o3 + c];
            }
            out[e] = s0;
            out[e + 1] = s1;
            out[e + 2] = s2;
            out[e + 3] = s3;
        }
        for (; e < rows; e++) {
            out[e] = squares(x, e * d, d);
        }
    }

    /**
     * s[i·m + e] ← q_i · k_e for the nq rows of qs and the m rows of keys: one float chain f ← fma(q_c, k_c, f) from
     * 0 in order of c, widened to double.
     */
    // qs [nq, d] · keys [m, d]ᵀ -> s [nq, m]
    static void scalarScores(float[] qs, int nq, float[] keys, int m, int d, double[] s) {
        for (int e = 0; e < m; e++) {
            int ko = e * d;
            for (int i = 0; i < nq; i++) {
                int qo = i * d;
                float f = 0f;
                for (int c = 0; c < d; c++) {
                    f = Math.fma(qs[qo + c], keys[ko + c], f);
                }
                s[i * m + e] = f;
            }
        }
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
        return normalize(p, off, end, max);
    }

    /**
     * p[off, end) scores x_e with maximum {@code max} -> the weights exp(x_e − max)/S, S = Σ_e exp(x_e − max), in place;
     * returns the entropy −Σ p ln p as ln S − Σ_e exp(x_e − max)·(x_e − max)/S: one logarithm, not one per entry.
     */
    static double normalize(double[] p, int off, int end, double max) {
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
