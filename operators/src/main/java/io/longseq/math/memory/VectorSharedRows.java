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
     * as doubles qd, kd [d]. Slots n … (n rounded up to the lanes) are read too, and their results dropped;
     * {@link SharedRows#PAD} floats past the block must be readable.
     */
    // qd [d], kd [d] or null, K [d, stride] -> qDots [at, at + n), kDots [at, at + n)   (tmp [FL] scratch)
    static void columnDots(double[] qd, double[] kd, float[] keysT, int base, int stride, int n, int d,
                           double[] qDots, double[] kDots, int at, double[] tmp) {
        boolean both = kd != null;
        for (int s0 = 0; s0 < n; s0 += FL) {
            DoubleVector z = DoubleVector.zero(D);
            DoubleVector q0l = z, q1l = z, q2l = z, q3l = z, q0h = z, q1h = z, q2h = z, q3h = z;
            DoubleVector k0l = z, k1l = z, k2l = z, k3l = z, k0h = z, k1h = z, k2h = z, k3h = z;
            int col = base + s0;
            for (int c = 0; c < d; c += 4, col += 4 * stride) {
                DoubleVector x0l = low(keysT, col);
                DoubleVector x0h = low(keysT, col + HALF);
                DoubleVector x1l = low(keysT, col + stride);
                DoubleVector x1h = low(keysT, col + stride + HALF);
                DoubleVector x2l = low(keysT, col + 2 * stride);
                DoubleVector x2h = low(keysT, col + 2 * stride + HALF);
                DoubleVector x3l = low(keysT, col + 3 * stride);
                DoubleVector x3h = low(keysT, col + 3 * stride + HALF);
                DoubleVector a0 = DoubleVector.broadcast(D, qd[c]);
                DoubleVector a1 = DoubleVector.broadcast(D, qd[c + 1]);
                DoubleVector a2 = DoubleVector.broadcast(D, qd[c + 2]);
                DoubleVector a3 = DoubleVector.broadcast(D, qd[c + 3]);
                q0l = a0.fma(x0l, q0l);
                q0h = a0.fma(x0h, q0h);
                q1l = a1.fma(x1l, q1l);
                q1h = a1.fma(x1h, q1h);
                q2l = a2.fma(x2l, q2l);
                q2h = a2.fma(x2h, q2h);
                q3l = a3.fma(x3l, q3l);
                q3h = a3.fma(x3h, q3h);
                if (both) {
                    DoubleVector b0 = DoubleVector.broadcast(D, kd[c]);
                    DoubleVector b1 = DoubleVector.broadcast(D, kd[c + 1]);
                    DoubleVector b2 = DoubleVector.broadcast(D, kd[c + 2]);
                    DoubleVector b3 = DoubleVector.broadcast(D, kd[c + 3]);
                    k0l = b0.fma(x0l, k0l);
                    k0h = b0.fma(x0h, k0h);
                    k1l = b1.fma(x1l, k1l);
                    k1h = b1.fma(x1h, k1h);
                    k2l = b2.fma(x2l, k2l);
                    k2h = b2.fma(x2h, k2h);
                    k3l = b3.fma(x3l, k3l);
                    k3h = b3.fma(x3h, k3h);
                }
            }
            int take = Math.min(FL, n - s0);
            q0l.add(q1l).add(q2l.add(q3l)).intoArray(tmp, 0);
            q0h.add(q1h).add(q2h.add(q3h)).intoArray(tmp, HALF);
            System.arraycopy(tmp, 0, qDots, at + s0, take);
            if (both) {
                k0l.add(k1l).add(k2l.add(k3l)).intoArray(tmp, 0);
                k0h.add(k1h).add(k2h.add(k3h)).intoArray(tmp, HALF);
                System.arraycopy(tmp, 0, kDots, at + s0, take);
            }
        }
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
