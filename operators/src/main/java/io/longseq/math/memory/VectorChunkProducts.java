package io.longseq.math.memory;

import jdk.incubator.vector.DoubleVector;
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
    private static final int CT = 8;       // weighted sums: columns per pass over the values

    // scratch of the calling thread (a global-context subtask's), grown to the largest memory seen: no allocation per
    // chunk sized by the memory
    private static final ThreadLocal<double[][]> SCRATCH = ThreadLocal.withInitial(() -> new double[1][0]);

    private VectorChunkProducts() {}

    /** As {@link ChunkProducts#scalarScores}, bitwise. */
    // qs [nq, d] · keys [m, d]ᵀ -> s [nq, m]
    static void scores(float[] qs, int nq, float[] keys, int m, int d, double[] s) {
        double[] qt = new double[d * DL];  // [d, DL] the group's queries, transposed, lanes past nq zero
        double[] r = new double[4 * DL];   // [4, DL] four entries' results
        int d4 = d & ~3;
        for (int g0 = 0; g0 < nq; g0 += DL) {
            int lanes = Math.min(DL, nq - g0);
            for (int c = 0; c < d; c++) {
                for (int l = 0; l < DL; l++) {
                    qt[c * DL + l] = l < lanes ? qs[(g0 + l) * d + c] : 0.0;
                }
            }
            int e = 0;
            for (; e + 4 <= m; e += 4) {
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
                    DoubleVector q0 = DoubleVector.fromArray(D, qt, c * DL);
                    DoubleVector q1 = DoubleVector.fromArray(D, qt, (c + 1) * DL);
                    DoubleVector q2 = DoubleVector.fromArray(D, qt, (c + 2) * DL);
                    DoubleVector q3 = DoubleVector.fromArray(D, qt, (c + 3) * DL);
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
                    DoubleVector qc = DoubleVector.fromArray(D, qt, c * DL);
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
            for (; e < m; e++) {
                int o0 = e * d;
                DoubleVector a0 = DoubleVector.zero(D);
                DoubleVector a1 = a0;
                DoubleVector a2 = a0;
                DoubleVector a3 = a0;
                int c = 0;
                for (; c < d4; c += 4) {
                    a0 = DoubleVector.fromArray(D, qt, c * DL).fma(DoubleVector.broadcast(D, keys[o0 + c]), a0);
                    a1 = DoubleVector.fromArray(D, qt, (c + 1) * DL).fma(DoubleVector.broadcast(D, keys[o0 + c + 1]), a1);
                    a2 = DoubleVector.fromArray(D, qt, (c + 2) * DL).fma(DoubleVector.broadcast(D, keys[o0 + c + 2]), a2);
                    a3 = DoubleVector.fromArray(D, qt, (c + 3) * DL).fma(DoubleVector.broadcast(D, keys[o0 + c + 3]), a3);
                }
                for (; c < d; c++) {
                    a0 = DoubleVector.fromArray(D, qt, c * DL).fma(DoubleVector.broadcast(D, keys[o0 + c]), a0);
                }
                a0.add(a1).add(a2.add(a3)).intoArray(r, 0);
                for (int l = 0; l < lanes; l++) {
                    s[(g0 + l) * m + e] = r[l];
                }
            }
        }
    }

    /** As {@link ChunkProducts#scalarWeightedSums}, bitwise. */
    // w [nb, m] (row i used up to base + i), values [m, d] -> g [nb, d]
    static void weightedSums(double[] w, int nb, int m, long base, float[] values, int d, double[] g) {
        int seen = (int) Math.min(m, base + 1);       // entries [0, seen) are seen by every block of the chunk
        double[] out = new double[CT * DL];           // [CT, DL] a column tile's sums, lanes the blocks
        for (int b0 = 0; b0 < nb; b0 += DL) {
            int lanes = Math.min(DL, nb - b0);
            double[][] scratch = SCRATCH.get();
            if (scratch[0].length < seen * DL) {
                scratch[0] = new double[Math.max(seen * DL, 2 * scratch[0].length)];
            }
            double[] wt = scratch[0];                 // [seen, DL] the weights transposed, lanes past nb zero
            for (int l = 0; l < DL; l++) {
                int wo = (b0 + l) * m;
                for (int e = 0; e < seen; e++) {
                    wt[e * DL + l] = l < lanes ? w[wo + e] : 0.0;
                }
            }
            int c0 = 0;
            for (; c0 + CT <= d; c0 += CT) {
                DoubleVector s0 = DoubleVector.zero(D);
                DoubleVector s1 = s0;
                DoubleVector s2 = s0;
                DoubleVector s3 = s0;
                DoubleVector s4 = s0;
                DoubleVector s5 = s0;
                DoubleVector s6 = s0;
                DoubleVector s7 = s0;
                for (int e = 0; e < seen; e++) {
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
                s0.intoArray(out, 0);
                s1.intoArray(out, DL);
                s2.intoArray(out, 2 * DL);
                s3.intoArray(out, 3 * DL);
                s4.intoArray(out, 4 * DL);
                s5.intoArray(out, 5 * DL);
                s6.intoArray(out, 6 * DL);
                s7.intoArray(out, 7 * DL);
                for (int j = 0; j < CT; j++) {
                    for (int l = 0; l < lanes; l++) {
                        g[(b0 + l) * d + c0 + j] = out[j * DL + l];
                    }
                }
            }
            for (; c0 < d; c0++) {                    // a column tail: one column at a time
                DoubleVector s0 = DoubleVector.zero(D);
                for (int e = 0; e < seen; e++) {
                    s0 = s0.add(DoubleVector.fromArray(D, wt, e * DL).mul(values[e * d + c0]));
                }
                s0.intoArray(out, 0);
                for (int l = 0; l < lanes; l++) {
                    g[(b0 + l) * d + c0] = out[l];
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
}
