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
 * <p>Scores: the lanes carry DL queries (DL = doubles per preferred vector) against one key; for each query the four
 * partial sums s₀ … s₃ of {@code entryDots} are four vectors, each adding its columns in order of c, then
 * (s₀ + s₁) + (s₂ + s₃) lane by lane. A product of two floats is exact in double (24 + 24 significant bits ≤ 53), so
 * the fused multiply-add rounds once where Java's multiply-then-add rounds once too (only the add): the same bits.
 *
 * <p>Weighted sums (float tiles, {@link ChunkProducts#scalarWeightedSums}): the lanes carry FL columns of one value
 * row (a plain load), eight blocks at a time, each block's float sums one vector per column group, its weight
 * broadcast (the weights rounded to float and transposed to [m, 8] first); the fused multiply-add rounds once in a
 * lane as {@code Math.fma} does. A tile's sums are added to the block's double sums when the tile ends. The causal
 * triangle (entries of the chunk's own later blocks, fewer than eight) continues each block's chain in scalar, as
 * do the column tails past the last full vector; a group of fewer than eight blocks computes the missing ones with
 * weight 0 and drops them. (The triangle tested per block inside the lane loop made C2 compile it 8× slower.)
 *
 * <p>No vector crosses a method call (see {@code VectorRowKernels}: JDK 17 may box vectors passed to a helper that C2
 * compiled on its own). Only the preferred species (ArchitectureTest).
 */
final class VectorChunkProducts {

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int DL = D.length();
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int FL = F.length();
    private static final int BG = 8;       // weighted sums: blocks per pass over the values
    private static final int ET = 256;     // key rows per tile (128 KB at d = 128, in L2)

    // scratch of the calling thread (a global-context subtask's), grown to the largest memory seen: no allocation per
    // chunk sized by the memory. [0]: a group's weights [m, BG]; [1]: one vector's float sums [FL]
    private static final ThreadLocal<float[][]> FSCRATCH = ThreadLocal.withInitial(() -> new float[][] {
        new float[0], new float[FL]});

    private VectorChunkProducts() {}

    /** As {@link ChunkProducts#scalarScores}, bitwise. */
    // qs [nq, d] · keys [m, d]ᵀ -> s [nq, m]
    static void scores(float[] qs, int nq, float[] keys, int m, int d, double[] s) {
        int groups = (nq + DL - 1) / DL;
        double[] qt = new double[groups * d * DL]; // [groups, d, DL] the queries, DL a group, transposed; past nq 0
        double[] r = new double[4 * DL];            // [4, DL] four entries' results
        for (int g0 = 0; g0 < nq; g0 += DL) {
            int lanes = Math.min(DL, nq - g0);
            int qo = g0 * d;
            for (int c = 0; c < d; c++) {
                for (int l = 0; l < lanes; l++) {
                    qt[qo + c * DL + l] = qs[(g0 + l) * d + c];
                }
            }
        }
        int d4 = d & ~3;
        for (int e0 = 0; e0 < m; e0 += ET) {       // ET key rows (in L2) for all the groups
            int e1 = Math.min(m, e0 + ET);
            for (int g0 = 0; g0 < nq; g0 += DL) {
                int lanes = Math.min(DL, nq - g0);
                int qo = g0 * d;
                int e = e0;
                for (; e + 4 <= e1; e += 4) {
                    int o0 = e * d;
                    int o1 = o0 + d;
                    int o2 = o1 + d;
                    int o3 = o2 + d;
                    DoubleVector a0 = DoubleVector.zero(D);
                    DoubleVector a1 = a0;
                    DoubleVector a2 = a0;
                    DoubleVector a3 = a0;
                    DoubleVector b0 = a0;
                    DoubleVector b1 = a0;
                    DoubleVector b2 = a0;
                    DoubleVector b3 = a0;
                    DoubleVector c0 = a0;
                    DoubleVector c1 = a0;
                    DoubleVector c2 = a0;
                    DoubleVector c3 = a0;
                    DoubleVector d0 = a0;
                    DoubleVector d1 = a0;
                    DoubleVector d2 = a0;
                    DoubleVector d3 = a0;
                    int c = 0;
                    for (; c < d4; c += 4) {
                        DoubleVector q0 = DoubleVector.fromArray(D, qt, qo + c * DL);
                        DoubleVector q1 = DoubleVector.fromArray(D, qt, qo + (c + 1) * DL);
                        DoubleVector q2 = DoubleVector.fromArray(D, qt, qo + (c + 2) * DL);
                        DoubleVector q3 = DoubleVector.fromArray(D, qt, qo + (c + 3) * DL);
                        a0 = q0.fma(DoubleVector.broadcast(D, keys[o0 + c]), a0);
                        a1 = q1.fma(DoubleVector.broadcast(D, keys[o0 + c + 1]), a1);
                        a2 = q2.fma(DoubleVector.broadcast(D, keys[o0 + c + 2]), a2);
                        a3 = q3.fma(DoubleVector.broadcast(D, keys[o0 + c + 3]), a3);
                        b0 = q0.fma(DoubleVector.broadcast(D, keys[o1 + c]), b0);
                        b1 = q1.fma(DoubleVector.broadcast(D, keys[o1 + c + 1]), b1);
                        b2 = q2.fma(DoubleVector.broadcast(D, keys[o1 + c + 2]), b2);
                        b3 = q3.fma(DoubleVector.broadcast(D, keys[o1 + c + 3]), b3);
                        c0 = q0.fma(DoubleVector.broadcast(D, keys[o2 + c]), c0);
                        c1 = q1.fma(DoubleVector.broadcast(D, keys[o2 + c + 1]), c1);
                        c2 = q2.fma(DoubleVector.broadcast(D, keys[o2 + c + 2]), c2);
                        c3 = q3.fma(DoubleVector.broadcast(D, keys[o2 + c + 3]), c3);
                        d0 = q0.fma(DoubleVector.broadcast(D, keys[o3 + c]), d0);
                        d1 = q1.fma(DoubleVector.broadcast(D, keys[o3 + c + 1]), d1);
                        d2 = q2.fma(DoubleVector.broadcast(D, keys[o3 + c + 2]), d2);
                        d3 = q3.fma(DoubleVector.broadcast(D, keys[o3 + c + 3]), d3);
                    }
                    for (; c < d; c++) {                      // a column tail goes to s₀, after the quads
                        DoubleVector qc = DoubleVector.fromArray(D, qt, qo + c * DL);
                        a0 = qc.fma(DoubleVector.broadcast(D, keys[o0 + c]), a0);
                        b0 = qc.fma(DoubleVector.broadcast(D, keys[o1 + c]), b0);
                        c0 = qc.fma(DoubleVector.broadcast(D, keys[o2 + c]), c0);
                        d0 = qc.fma(DoubleVector.broadcast(D, keys[o3 + c]), d0);
                    }
                    a0.add(a1).add(a2.add(a3)).intoArray(r, 0);
                    b0.add(b1).add(b2.add(b3)).intoArray(r, DL);
                    c0.add(c1).add(c2.add(c3)).intoArray(r, 2 * DL);
                    d0.add(d1).add(d2.add(d3)).intoArray(r, 3 * DL);
                    for (int l = 0; l < lanes; l++) {
                        int at = (g0 + l) * m + e;
                        s[at] = r[l];
                        s[at + 1] = r[DL + l];
                        s[at + 2] = r[2 * DL + l];
                        s[at + 3] = r[3 * DL + l];
                    }
                }
                for (; e < e1; e++) {
                    int o0 = e * d;
                    DoubleVector a0 = DoubleVector.zero(D);
                    DoubleVector a1 = a0;
                    DoubleVector a2 = a0;
                    DoubleVector a3 = a0;
                    int c = 0;
                    for (; c < d4; c += 4) {
                        a0 = DoubleVector.fromArray(D, qt, qo + c * DL)
                                .fma(DoubleVector.broadcast(D, keys[o0 + c]), a0);
                        a1 = DoubleVector.fromArray(D, qt, qo + (c + 1) * DL)
                                .fma(DoubleVector.broadcast(D, keys[o0 + c + 1]), a1);
                        a2 = DoubleVector.fromArray(D, qt, qo + (c + 2) * DL)
                                .fma(DoubleVector.broadcast(D, keys[o0 + c + 2]), a2);
                        a3 = DoubleVector.fromArray(D, qt, qo + (c + 3) * DL)
                                .fma(DoubleVector.broadcast(D, keys[o0 + c + 3]), a3);
                    }
                    for (; c < d; c++) {
                        a0 = DoubleVector.fromArray(D, qt, qo + c * DL)
                                .fma(DoubleVector.broadcast(D, keys[o0 + c]), a0);
                    }
                    a0.add(a1).add(a2.add(a3)).intoArray(r, 0);
                    for (int l = 0; l < lanes; l++) {
                        s[(g0 + l) * m + e] = r[l];
                    }
                }
            }
        }
    }

    /** As {@link ChunkProducts#scalarWeightedSums}, bitwise. */
    // w [nb, m] (row i used up to base + i), values [m, d] -> g [nb, d]
    static void weightedSums(double[] w, int nb, int m, long base, float[] values, int d, double[] g) {
        java.util.Arrays.fill(g, 0, nb * d, 0.0);
        int cv = d - d % FL;                          // columns in whole vectors
        float[][] scratch = FSCRATCH.get();
        if (scratch[0].length < m * BG) {
            scratch[0] = new float[Math.max(m * BG, 2 * scratch[0].length)];
        }
        float[] wt = scratch[0];                      // [m, BG] a group's weights as floats, transposed
        float[] part = scratch[1];                    // [FL] one vector's sums
        for (int b0 = 0; b0 < nb; b0 += BG) {
            int lanes = Math.min(BG, nb - b0);
            for (int e = 0; e < m; e++) {
                int at = e * BG;
                for (int j = 0; j < BG; j++) {        // a weight a block does not see is never read: 0
                    wt[at + j] = j < lanes && e <= base + b0 + j ? (float) w[(b0 + j) * m + e] : 0f;
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
                    endTile(part, g, go, 0, lanes, wt, values, d, c0, u, Math.min(t1, seen + 0));
                    a1.intoArray(part, 0);
                    endTile(part, g, go + d, 1, lanes, wt, values, d, c0, u, Math.min(t1, seen + 1));
                    a2.intoArray(part, 0);
                    endTile(part, g, go + 2 * d, 2, lanes, wt, values, d, c0, u, Math.min(t1, seen + 2));
                    a3.intoArray(part, 0);
                    endTile(part, g, go + 3 * d, 3, lanes, wt, values, d, c0, u, Math.min(t1, seen + 3));
                    a4.intoArray(part, 0);
                    endTile(part, g, go + 4 * d, 4, lanes, wt, values, d, c0, u, Math.min(t1, seen + 4));
                    a5.intoArray(part, 0);
                    endTile(part, g, go + 5 * d, 5, lanes, wt, values, d, c0, u, Math.min(t1, seen + 5));
                    a6.intoArray(part, 0);
                    endTile(part, g, go + 6 * d, 6, lanes, wt, values, d, c0, u, Math.min(t1, seen + 6));
                    a7.intoArray(part, 0);
                    endTile(part, g, go + 7 * d, 7, lanes, wt, values, d, c0, u, Math.min(t1, seen + 7));
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

    // block j of the group (when it exists, j < lanes): its float sums part [FL] of columns c0.. go on over the causal
    // triangle's entries [u, to) in scalar, the same chain, then join g[go .. go + FL)
    private static void endTile(float[] part, double[] g, int go, int j, int lanes, float[] wt, float[] values, int d,
                                int c0, int u, int to) {
        if (j >= lanes) {
            return;
        }
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
