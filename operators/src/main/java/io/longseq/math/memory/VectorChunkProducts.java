package io.longseq.math.memory;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ChunkProducts} with the Vector API, bitwise the same results: every element is the same sums of the same
 * products in the same order, only several of them at once. Loaded only when the module {@code jdk.incubator.vector}
 * is present ({@link ChunkProducts#VECTOR}).
 *
 * <p>Scores: the lanes carry FL consecutive keys (the memory keeps its keys also in tiles [⌈m/FL⌉, d, FL]), eight
 * queries at a time, each query's column c broadcast; each lane is one float chain of fused multiply-adds in order of
 * c, rounded once per step as {@code Math.fma} does.
 *
 * <p>Weighted sums (float tiles, {@link ChunkProducts#scalarWeightedSums}): the lanes carry FL columns of one value
 * row (a plain load), eight blocks at a time, each block's float sums one vector per column group, its weight
 * broadcast (the weights rounded to float and transposed to [m, 8] first); the fused multiply-add rounds once in a
 * lane as {@code Math.fma} does. A tile's sums are added to the block's double sums when the tile ends. The causal
 * triangle (entries of the chunk's own later blocks, fewer than eight) continues each block's chain in scalar, as
 * do the column tails past the last full vector; a group of fewer than eight blocks computes the missing ones from
 * the padding rows and the caller drops them. (The triangle tested per block inside the lane loop made C2 compile it 8× slower.)
 *
 * <p>No vector crosses a method call (see {@code VectorRowKernels}: JDK 17 may box vectors passed to a helper that C2
 * compiled on its own). Only the preferred species (ArchitectureTest).
 */
final class VectorChunkProducts {

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int DL = D.length();
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int FL = F.length();
    private static final int BG = ChunkProducts.ROWS;   // weighted sums: blocks per pass over the values
    /** Keys per tile of {@link ChunkProducts#tile} for {@link #scores}: the float lanes. */
    static final int KT = FL;
    private static final int QG = ChunkProducts.ROWS;   // scores: queries per pass over the keys

    // scratch of the calling thread (a global-context subtask's): one vector's float sums [FL]
    private static final ThreadLocal<float[]> PART = ThreadLocal.withInitial(() -> new float[FL]);

    private VectorChunkProducts() {}

    /**
     * As {@link ChunkProducts#scalarScores}, bitwise, from the keys in tiles [⌈m/KT⌉, d, KT]
     * ({@link ChunkProducts#tile}): lanes are KT consecutive keys, eight queries at a time, each query's column
     * broadcast. qs and s hold {@link ChunkProducts#padded}(nq) rows: the rows past nq are computed too (whatever qs
     * holds there) and the caller ignores them; lanes past m are dropped. No branch here depends on nq or m (a branch
     * first taken late would send this compiled method back to the interpreter, where vectors are boxed objects).
     */
    // qs [nq, d] · tiles [⌈m/KT⌉, d, KT] -> s [nq, m]
    static void scores(float[] qs, int nq, float[] tiles, int m, int d, double[] s) {
        float[] q = qs;
        float[] part = PART.get();            // [KT] one vector's dots
        for (int g0 = 0; g0 < nq; g0 += QG) {
            int q0 = g0 * d;
            int q1 = q0 + d;
            int q2 = q1 + d;
            int q3 = q2 + d;
            int q4 = q3 + d;
            int q5 = q4 + d;
            int q6 = q5 + d;
            int q7 = q6 + d;
            for (int e0 = 0; e0 < m; e0 += KT) {
                int to = e0 * d;                     // tile e0 / KT starts at (e0 / KT)·d·KT = e0·d
                FloatVector a0 = FloatVector.zero(F);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                FloatVector a4 = a0;
                FloatVector a5 = a0;
                FloatVector a6 = a0;
                FloatVector a7 = a0;
                for (int c = 0; c < d; c++) {
                    FloatVector k = FloatVector.fromArray(F, tiles, to + c * KT);
                    a0 = k.fma(FloatVector.broadcast(F, q[q0 + c]), a0);
                    a1 = k.fma(FloatVector.broadcast(F, q[q1 + c]), a1);
                    a2 = k.fma(FloatVector.broadcast(F, q[q2 + c]), a2);
                    a3 = k.fma(FloatVector.broadcast(F, q[q3 + c]), a3);
                    a4 = k.fma(FloatVector.broadcast(F, q[q4 + c]), a4);
                    a5 = k.fma(FloatVector.broadcast(F, q[q5 + c]), a5);
                    a6 = k.fma(FloatVector.broadcast(F, q[q6 + c]), a6);
                    a7 = k.fma(FloatVector.broadcast(F, q[q7 + c]), a7);
                }
                int n = Math.min(KT, m - e0);
                int at = g0 * m + e0;
                a0.intoArray(part, 0);
                putDots(part, s, at, n);
                a1.intoArray(part, 0);
                putDots(part, s, at + m, n);
                a2.intoArray(part, 0);
                putDots(part, s, at + 2 * m, n);
                a3.intoArray(part, 0);
                putDots(part, s, at + 3 * m, n);
                a4.intoArray(part, 0);
                putDots(part, s, at + 4 * m, n);
                a5.intoArray(part, 0);
                putDots(part, s, at + 5 * m, n);
                a6.intoArray(part, 0);
                putDots(part, s, at + 6 * m, n);
                a7.intoArray(part, 0);
                putDots(part, s, at + 7 * m, n);
            }
        }
    }

    // s[at .. at + n) ← part[0 .. n) widened
    private static void putDots(float[] part, double[] s, int at, int n) {
        for (int l = 0; l < n; l++) {
            s[at + l] = part[l];
        }
    }

    /**
     * As {@link ChunkProducts#scalarWeightedSums}, bitwise. w and g hold {@link ChunkProducts#padded}(nb) rows: the
     * rows past nb are computed too (from whatever w holds there) and the caller ignores them; wt is scratch of at
     * least m·8 floats. No branch here depends on nb or m (see {@link #scores}).
     */
    // w [padded(nb), m] (row i used up to base + i), values [m, d] -> g [padded(nb), d]; wt [m, 8] scratch
    static void weightedSums(double[] w, int nb, int m, long base, float[] values, int d, double[] g, float[] wt) {
        java.util.Arrays.fill(g, 0, ChunkProducts.padded(nb) * d, 0.0);
        int cv = d - d % FL;                          // columns in whole vectors
        float[] part = PART.get();             // [FL] one vector's sums
        for (int b0 = 0; b0 < nb; b0 += BG) {
            int lanes = Math.min(BG, nb - b0);
            for (int e = 0; e < m; e++) {             // [m, BG] the group's weights as floats, transposed; a weight
                int at = e * BG;                      // a block does not see (e > base + b0 + j) is never read
                for (int j = 0; j < BG; j++) {
                    wt[at + j] = (float) w[(b0 + j) * m + e];
                }
            }
            int seen = (int) Math.min(m, base + b0 + 1); // entries [0, seen) are seen by every block of the group
            for (int t0 = 0; t0 < m; t0 += ChunkProducts.TILE) {
                int t1 = Math.min(m, t0 + ChunkProducts.TILE);
                int u = Math.max(t0, Math.min(seen, t1));  // [t0, u) in lanes; [u, t1) the causal triangle
                for (int c0 = 0; c0 < cv; c0 += FL) {
                    FloatVector a0 = FloatVector.zero(F);
                    FloatVector a1 = a0;
                    FloatVector a2 = a0;
                    FloatVector a3 = a0;
                    FloatVector a4 = a0;
                    FloatVector a5 = a0;
                    FloatVector a6 = a0;
                    FloatVector a7 = a0;
                    for (int e = t0; e < u; e++) {
                        FloatVector v = FloatVector.fromArray(F, values, e * d + c0);
                        int wo = e * BG;
                        a0 = v.fma(FloatVector.broadcast(F, wt[wo]), a0);
                        a1 = v.fma(FloatVector.broadcast(F, wt[wo + 1]), a1);
                        a2 = v.fma(FloatVector.broadcast(F, wt[wo + 2]), a2);
                        a3 = v.fma(FloatVector.broadcast(F, wt[wo + 3]), a3);
                        a4 = v.fma(FloatVector.broadcast(F, wt[wo + 4]), a4);
                        a5 = v.fma(FloatVector.broadcast(F, wt[wo + 5]), a5);
                        a6 = v.fma(FloatVector.broadcast(F, wt[wo + 6]), a6);
                        a7 = v.fma(FloatVector.broadcast(F, wt[wo + 7]), a7);
                    }
                    int go = b0 * d + c0;             // the tile's sums into the blocks' double sums
                    a0.intoArray(part, 0);
                    endTile(part, g, go, 0, wt, values, d, c0, u, Math.min(t1, seen + 0));
                    a1.intoArray(part, 0);
                    endTile(part, g, go + d, 1, wt, values, d, c0, u, Math.min(t1, seen + 1));
                    a2.intoArray(part, 0);
                    endTile(part, g, go + 2 * d, 2, wt, values, d, c0, u, Math.min(t1, seen + 2));
                    a3.intoArray(part, 0);
                    endTile(part, g, go + 3 * d, 3, wt, values, d, c0, u, Math.min(t1, seen + 3));
                    a4.intoArray(part, 0);
                    endTile(part, g, go + 4 * d, 4, wt, values, d, c0, u, Math.min(t1, seen + 4));
                    a5.intoArray(part, 0);
                    endTile(part, g, go + 5 * d, 5, wt, values, d, c0, u, Math.min(t1, seen + 5));
                    a6.intoArray(part, 0);
                    endTile(part, g, go + 6 * d, 6, wt, values, d, c0, u, Math.min(t1, seen + 6));
                    a7.intoArray(part, 0);
                    endTile(part, g, go + 7 * d, 7, wt, values, d, c0, u, Math.min(t1, seen + 7));
                }
                for (int j = 0; j < lanes; j++) {     // columns past the last whole vector: the same chain in scalar
                    int t = (int) Math.min(t1, base + b0 + j + 1);
                    int go = (b0 + j) * d;
                    for (int c = cv; c < d; c++) {
                        float f = 0f;
                        for (int e = t0; e < t; e++) {
                            f = Math.fma(wt[e * BG + j], values[e * d + c], f);
                        }
                        g[go + c] += f;
                    }
                }
            }
        }
    }

    // block j of the group: its float sums part [FL] of columns c0.. go on over the causal triangle's entries [u, to)
    // in scalar, the same chain, then join g[go .. go + FL)
    private static void endTile(float[] part, double[] g, int go, int j, float[] wt, float[] values, int d, int c0,
                                int u, int to) {
        for (int e = u; e < to; e++) {
            float we = wt[e * BG + j];
            int vo = e * d + c0;
            for (int l = 0; l < FL; l++) {
                part[l] = Math.fma(we, values[vo + l], part[l]);
            }
        }
        for (int l = 0; l < FL; l++) {
            g[go + l] += part[l];
        }
    }

    /**
     * As {@link ChunkProducts#scalarMaxCosine}, bitwise: sqrt and division are exactly rounded in a lane as in Java, min
     * and max have Math's semantics, and a maximum does not depend on the order.
     */
    // dots[off + e], squares [m] -> max cosine
    static double maxCosine(double[] dots, int off, double kk, double[] squares, int m, int self) {
        DoubleVector best = DoubleVector.zero(D);
        DoubleVector zero = best;
        int e = 0;
        for (; e + DL <= m; e += DL) {
            if (self >= e && self < e + DL) {
                continue;                               // the lanes with the block itself: below, one by one
            }
            DoubleVector norms = DoubleVector.fromArray(D, squares, e).mul(kk).lanewise(VectorOperators.SQRT);
            VectorMask<Double> some = norms.compare(VectorOperators.GT, 0.0);
            DoubleVector cos = DoubleVector.fromArray(D, dots, off + e).div(norms).min(1.0);
            best = best.max(zero.blend(cos, some));     // lanes without a norm add +0, which the max ignores
        }
        double b = best.reduceLanes(VectorOperators.MAX);
        if (self >= 0 && self < e) {                    // the lanes skipped above
            int from = self - self % DL;
            b = maxCosineFrom(b, dots, off, kk, squares, from, from + DL, self);
        }
        return maxCosineFrom(b, dots, off, kk, squares, e, m, self);
    }

    // b and entries [from, to) as ChunkProducts#scalarMaxCosine's loop
    private static double maxCosineFrom(double b, double[] dots, int off, double kk, double[] squares, int from, int to,
                                        int self) {
        for (int x = from; x < to; x++) {
            if (x == self) {
                continue;
            }
            double norms = Math.sqrt(kk * squares[x]);
            if (norms > 0) {
                b = Math.max(b, Math.min(1.0, dots[off + x] / norms));
            }
        }
        return b;
    }
}
