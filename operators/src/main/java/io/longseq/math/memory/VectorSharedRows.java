package io.longseq.math.memory;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link SharedRows} with the Vector API (preferred shapes only), the same bits. Loaded only when
 * {@code jdk.incubator.vector} is in the boot layer.
 *
 * <p>Dots ({@link #columnDots}): the keys are read column-major (RETRIEVAL's store keeps such a copy), so the lanes
 * are consecutive slots; each slot's four partial sums s₀ … s₃ (s_j over the columns c ≡ j (mod 4), in order of c)
 * are four accumulators, each a lane-wise fused multiply-add that equals the scalar multiply and add because a
 * product of two floats is exact in double; then (s₀ + s₁) + (s₂ + s₃) lane-wise. Weighted sum: lanes are columns
 * of g, each a multiply then an add in order of the rows, as in the scalar form.
 */
final class VectorSharedRows {

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int FL = F.length();        // floats per vector: 2 × D's lanes
    private static final int HALF = FL / 2;

    private VectorSharedRows() {}

    /** True when the kernels take rows of d columns and a column-major store of this stride. */
    static boolean fits(int d, int stride) {
        return d % 4 == 0 && d % FL == 0 && stride % FL == 0 && FL == 2 * D.length() && FL <= SharedRows.PAD;
    }

    /**
     * qDots[at + i] ← q·K[·, i] and, when kd is not null, kDots[at + i] ← k·K[·, i], for the n slots i of a
     * column-major block of keys K [d, stride] at {@code base} (column c of slot i at base + c·stride + i); q and k
     * as doubles qd, kd [d] from offset qo. Slots n … (n rounded up to the lanes) are read too, and their results dropped;
     * {@link SharedRows#PAD} floats past the block must be readable.
     */
    // qd [d], kd [d] or null, K [d, stride] -> qDots [at, at + n), kDots [at, at + n)   (tmp [FL] scratch)
    static void columnDots(double[] qd, double[] kd, int qo, float[] keysT, int base, int stride, int n, int d,
                           double[] qDots, double[] kDots, int at, double[] tmp) {
        // half a float vector's slots per pass (D's lanes): 8 accumulators and 4 loaded columns stay in registers
        for (int s0 = 0; s0 < n; s0 += HALF) {
            int take = Math.min(HALF, n - s0);
            int col0 = base + s0;
            if (kd == null) {
                DoubleVector z = DoubleVector.zero(D);
                DoubleVector q0 = z, q1 = z, q2 = z, q3 = z;
                for (int c = 0, col = col0; c < d; c += 4, col += 4 * stride) {
                    q0 = DoubleVector.broadcast(D, qd[qo + c]).fma(low(keysT, col), q0);
                    q1 = DoubleVector.broadcast(D, qd[qo + c + 1]).fma(low(keysT, col + stride), q1);
                    q2 = DoubleVector.broadcast(D, qd[qo + c + 2]).fma(low(keysT, col + 2 * stride), q2);
                    q3 = DoubleVector.broadcast(D, qd[qo + c + 3]).fma(low(keysT, col + 3 * stride), q3);
                }
                q0.add(q1).add(q2.add(q3)).intoArray(tmp, 0);
                System.arraycopy(tmp, 0, qDots, at + s0, take);
            } else {
                DoubleVector z = DoubleVector.zero(D);
                DoubleVector q0 = z, q1 = z, q2 = z, q3 = z, k0 = z, k1 = z, k2 = z, k3 = z;
                for (int c = 0, col = col0; c < d; c += 4, col += 4 * stride) {
                    DoubleVector x0 = low(keysT, col);
                    DoubleVector x1 = low(keysT, col + stride);
                    DoubleVector x2 = low(keysT, col + 2 * stride);
                    DoubleVector x3 = low(keysT, col + 3 * stride);
                    q0 = DoubleVector.broadcast(D, qd[qo + c]).fma(x0, q0);
                    q1 = DoubleVector.broadcast(D, qd[qo + c + 1]).fma(x1, q1);
                    q2 = DoubleVector.broadcast(D, qd[qo + c + 2]).fma(x2, q2);
                    q3 = DoubleVector.broadcast(D, qd[qo + c + 3]).fma(x3, q3);
                    k0 = DoubleVector.broadcast(D, kd[qo + c]).fma(x0, k0);
                    k1 = DoubleVector.broadcast(D, kd[qo + c + 1]).fma(x1, k1);
                    k2 = DoubleVector.broadcast(D, kd[qo + c + 2]).fma(x2, k2);
                    k3 = DoubleVector.broadcast(D, kd[qo + c + 3]).fma(x3, k3);
                }
                q0.add(q1).add(q2.add(q3)).intoArray(tmp, 0);
                System.arraycopy(tmp, 0, qDots, at + s0, take);
                k0.add(k1).add(k2.add(k3)).intoArray(tmp, 0);
                System.arraycopy(tmp, 0, kDots, at + s0, take);
            }
        }
    }

    /**
     * out[r·L + i] ← vecs[r]·K[·, i] for every row r of vecs [rows, d] and the L = {@link #lanes()} slots i of a
     * column-major block of keys K [d, stride] at {@code base}: the bits {@link #columnDots} gives each of them (the
     * same four partial sums and fused multiply-adds per lane), with the block read once for all rows (converted to
     * doubles into tile [d, L] first). Slots past the caller's count are computed too and to be dropped.
     */
    // vecs [rows, d], K [d, stride] -> out [rows, L]   (tile [d, L] scratch)
    static void tileDots(double[] vecs, int rows, int d, float[] keysT, int base, int stride, double[] tile,
                         double[] out) {
        int l = D.length();
        for (int c = 0, col = base; c < d; c++, col += stride) {
            low(keysT, col).intoArray(tile, c * l);
        }
        for (int r = 0; r < rows; r++) {
            int o = r * d;
            DoubleVector z = DoubleVector.zero(D);
            DoubleVector a0 = z, a1 = z, a2 = z, a3 = z;
            for (int c = 0; c < d; c += 4) {
                a0 = DoubleVector.broadcast(D, vecs[o + c]).fma(DoubleVector.fromArray(D, tile, c * l), a0);
                a1 = DoubleVector.broadcast(D, vecs[o + c + 1]).fma(DoubleVector.fromArray(D, tile, (c + 1) * l), a1);
                a2 = DoubleVector.broadcast(D, vecs[o + c + 2]).fma(DoubleVector.fromArray(D, tile, (c + 2) * l), a2);
                a3 = DoubleVector.broadcast(D, vecs[o + c + 3]).fma(DoubleVector.fromArray(D, tile, (c + 3) * l), a3);
            }
            a0.add(a1).add(a2.add(a3)).intoArray(out, r * l);
        }
    }

    /** Doubles per vector. */
    static int lanes() {
        return D.length();
    }

    /** As {@link SharedRows#maxCosine}, n a multiple of {@link #lanes()}: the lanes' maxima, then the max of them. */
    static double maxCosine(double[] dots, int at, double[] norms, int n, double kk, double best) {
        DoubleVector m = DoubleVector.broadcast(D, best);
        DoubleVector one = DoubleVector.broadcast(D, 1.0);
        DoubleVector k2 = DoubleVector.broadcast(D, kk);
        for (int i = 0; i < n; i += D.length()) {
            DoubleVector nr = k2.mul(DoubleVector.fromArray(D, norms, i)).sqrt();
            DoubleVector cos = DoubleVector.fromArray(D, dots, at + i).div(nr).min(one);
            m = m.blend(m.max(cos), nr.compare(VectorOperators.GT, 0.0));
        }
        return m.reduceLanes(VectorOperators.MAX);
    }

    /** As {@link SharedRows#weightedSum}; d a multiple of the float lanes ({@link #fits}), {@link SharedRows#PAD} floats
     *  readable past the last row. */
    // p [at, at + n), V [·, d], row [n] -> g [d] += Σ p·V
    static void weightedSum(double[] p, int at, float[] values, int[] row, int from, int n, int d, double[] g) {
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            DoubleVector p0 = DoubleVector.broadcast(D, p[at + i]);
            DoubleVector p1 = DoubleVector.broadcast(D, p[at + i + 1]);
            DoubleVector p2 = DoubleVector.broadcast(D, p[at + i + 2]);
            DoubleVector p3 = DoubleVector.broadcast(D, p[at + i + 3]);
            int o0 = row[from + i] * d;
            int o1 = row[from + i + 1] * d;
            int o2 = row[from + i + 2] * d;
            int o3 = row[from + i + 3] * d;
            for (int c = 0; c < d; c += FL) {
                DoubleVector lo = DoubleVector.fromArray(D, g, c);
                DoubleVector hi = DoubleVector.fromArray(D, g, c + HALF);
                lo = lo.add(p0.mul(low(values, o0 + c)));
                hi = hi.add(p0.mul(low(values, o0 + c + HALF)));
                lo = lo.add(p1.mul(low(values, o1 + c)));
                hi = hi.add(p1.mul(low(values, o1 + c + HALF)));
                lo = lo.add(p2.mul(low(values, o2 + c)));
                hi = hi.add(p2.mul(low(values, o2 + c + HALF)));
                lo = lo.add(p3.mul(low(values, o3 + c)));
                hi = hi.add(p3.mul(low(values, o3 + c + HALF)));
                lo.intoArray(g, c);
                hi.intoArray(g, c + HALF);
            }
        }
        for (; i < n; i++) {
            DoubleVector pe = DoubleVector.broadcast(D, p[at + i]);
            int o = row[from + i] * d;
            for (int c = 0; c < d; c += FL) {
                DoubleVector.fromArray(D, g, c).add(pe.mul(low(values, o + c))).intoArray(g, c);
                DoubleVector.fromArray(D, g, c + HALF).add(pe.mul(low(values, o + c + HALF))).intoArray(g, c + HALF);
            }
        }
    }

    // a[off .. off + D's lanes) as doubles: the first half of a float vector loaded at off (reads FL floats; the
    // second half of a load, convertShape part 1, is not compiled to SIMD by JDK 17's C2: a load at off + HALF is)
    private static DoubleVector low(float[] a, int off) {
        return (DoubleVector) FloatVector.fromArray(F, a, off).convertShape(VectorOperators.F2D, D, 0);
    }
}
