package io.longseq.math.memory;

import jdk.incubator.vector.DoubleVector;
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
 * <p>Weighted sums: the lanes carry DL blocks' sums of one column (the weights transposed to [m, DL] first), eight
 * columns per pass over the values; the weight is a double, so that product is rounded and the multiply and the add
 * stay two operations, as in Java. Each block's columns still add their entries in order of e from zero; the causal
 * triangle (the chunk's own later blocks) is added last, in scalar, in the same order. (Lanes over the columns, with
 * the value rows widened to double, ran at 2/3 of this speed.)
 *
 * <p>No vector crosses a method call (see {@code VectorRowKernels}: JDK 17 may box vectors passed to a helper that C2
 * compiled on its own). Only the preferred species (ArchitectureTest).
 */
final class VectorChunkProducts {

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int DL = D.length();
    private static final int CT = 8;       // weighted sums: columns per pass over a tile of value rows
    private static final int ET = 256;     // key or value rows per tile (128 KB at d = 128, in L2)

    // scratch of the calling thread (a global-context subtask's), grown to the largest memory seen: no allocation per
    // chunk sized by the memory
    private static final ThreadLocal<double[][]> SCRATCH = ThreadLocal.withInitial(() -> new double[1][0]);

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
        int seen = (int) Math.min(m, base + 1);       // entries [0, seen) are seen by every block of the chunk
        for (int b0 = 0; b0 < nb; b0 += DL) {
            int lanes = Math.min(DL, nb - b0);
            double[][] scratch = SCRATCH.get();
            if (scratch[0].length < seen * DL) {
                scratch[0] = new double[Math.max(seen * DL, 2 * scratch[0].length)];
            }
            double[] wt = scratch[0];                 // [seen, DL] the weights transposed, lanes past nb zero
            int wo = b0 * m;
            for (int e = 0; e < seen; e++) {          // written in order, read from the lanes' rows side by side
                int at = e * DL;
                for (int l = 0; l < DL; l++) {
                    wt[at + l] = l < lanes ? w[wo + l * m + e] : 0.0;
                }
            }
            if (scratch.length < 2 || scratch[1].length < d * DL) {
                scratch = new double[][] {scratch[0], new double[d * DL]};
                SCRATCH.set(scratch);
            }
            double[] acc = scratch[1];                // [d, DL] the sums so far, lanes the blocks
            java.util.Arrays.fill(acc, 0, d * DL, 0.0);
            int ct = d - d % CT;
            for (int e0 = 0; e0 < seen; e0 += ET) {   // ET value rows (in L2) for all the column tiles
                int e1 = Math.min(seen, e0 + ET);
                for (int c0 = 0; c0 < ct; c0 += CT) {
                    int ao = c0 * DL;
                    DoubleVector s0 = DoubleVector.fromArray(D, acc, ao);
                    DoubleVector s1 = DoubleVector.fromArray(D, acc, ao + DL);
                    DoubleVector s2 = DoubleVector.fromArray(D, acc, ao + 2 * DL);
                    DoubleVector s3 = DoubleVector.fromArray(D, acc, ao + 3 * DL);
                    DoubleVector s4 = DoubleVector.fromArray(D, acc, ao + 4 * DL);
                    DoubleVector s5 = DoubleVector.fromArray(D, acc, ao + 5 * DL);
                    DoubleVector s6 = DoubleVector.fromArray(D, acc, ao + 6 * DL);
                    DoubleVector s7 = DoubleVector.fromArray(D, acc, ao + 7 * DL);
                    for (int e = e0; e < e1; e++) {
                        DoubleVector we = DoubleVector.fromArray(D, wt, e * DL);
                        int vo = e * d + c0;
                        s0 = s0.add(we.mul(values[vo]));
                        s1 = s1.add(we.mul(values[vo + 1]));
                        s2 = s2.add(we.mul(values[vo + 2]));
                        s3 = s3.add(we.mul(values[vo + 3]));
                        s4 = s4.add(we.mul(values[vo + 4]));
                        s5 = s5.add(we.mul(values[vo + 5]));
                        s6 = s6.add(we.mul(values[vo + 6]));
                        s7 = s7.add(we.mul(values[vo + 7]));
                    }
                    s0.intoArray(acc, ao);
                    s1.intoArray(acc, ao + DL);
                    s2.intoArray(acc, ao + 2 * DL);
                    s3.intoArray(acc, ao + 3 * DL);
                    s4.intoArray(acc, ao + 4 * DL);
                    s5.intoArray(acc, ao + 5 * DL);
                    s6.intoArray(acc, ao + 6 * DL);
                    s7.intoArray(acc, ao + 7 * DL);
                }
                for (int c = ct; c < d; c++) {        // a column tail: one column at a time
                    DoubleVector s0 = DoubleVector.fromArray(D, acc, c * DL);
                    for (int e = e0; e < e1; e++) {
                        s0 = s0.add(DoubleVector.fromArray(D, wt, e * DL).mul(values[e * d + c]));
                    }
                    s0.intoArray(acc, c * DL);
                }
            }
            for (int l = 0; l < lanes; l++) {
                int go = (b0 + l) * d;
                for (int c = 0; c < d; c++) {
                    g[go + c] = acc[c * DL + l];
                }
            }
        }
        for (int e = seen; e < m; e++) {              // the chunk's later blocks, seen by blocks i ≥ e − base
            int vo = e * d;
            for (int i = (int) (e - base); i < nb; i++) {
                double we = w[i * m + e];
                int go = i * d;
                for (int c = 0; c < d; c++) {
                    g[go + c] += we * values[vo + c];
                }
            }
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
