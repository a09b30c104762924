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
        int r = 0;
        for (; r + 2 <= rows; r += 2) {      // two rows: eight independent chains (one row's four wait on the FMA latency)
            int o = r * d;
            int ob = o + d;
            DoubleVector z = DoubleVector.zero(D);
            DoubleVector a0 = z, a1 = z, a2 = z, a3 = z;
            DoubleVector b0 = z, b1 = z, b2 = z, b3 = z;
            for (int c = 0; c < d; c += 4) {
                DoubleVector t0 = DoubleVector.fromArray(D, tile, c * l);
                DoubleVector t1 = DoubleVector.fromArray(D, tile, (c + 1) * l);
                DoubleVector t2 = DoubleVector.fromArray(D, tile, (c + 2) * l);
                DoubleVector t3 = DoubleVector.fromArray(D, tile, (c + 3) * l);
                a0 = DoubleVector.broadcast(D, vecs[o + c]).fma(t0, a0);
                a1 = DoubleVector.broadcast(D, vecs[o + c + 1]).fma(t1, a1);
                a2 = DoubleVector.broadcast(D, vecs[o + c + 2]).fma(t2, a2);
                a3 = DoubleVector.broadcast(D, vecs[o + c + 3]).fma(t3, a3);
                b0 = DoubleVector.broadcast(D, vecs[ob + c]).fma(t0, b0);
                b1 = DoubleVector.broadcast(D, vecs[ob + c + 1]).fma(t1, b1);
                b2 = DoubleVector.broadcast(D, vecs[ob + c + 2]).fma(t2, b2);
                b3 = DoubleVector.broadcast(D, vecs[ob + c + 3]).fma(t3, b3);
            }
            a0.add(a1).add(a2.add(a3)).intoArray(out, r * l);
            b0.add(b1).add(b2.add(b3)).intoArray(out, (r + 1) * l);
        }
        for (; r < rows; r++) {
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

    /**
     * As {@link SharedRows#weightedSum}; d a multiple of the float lanes ({@link #fits}), {@link SharedRows#PAD} floats
     * readable past the last row. Column tiles of 4·FL (64 doubles with AVX-512: eight vectors) stay in registers while
     * the n rows go by, so g is read and written once per call, not once per row; each column still adds its rows in
     * order, a multiply then an add: the same bits (against one load and store of g per four rows: the weighted sum
     * took ~40 % less CPU in a 5 Mbp retrieval run).
     */
    // p [at, at + n), V [·, d], row [n] -> g [d] += Σ p·V
    static void weightedSum(double[] p, int at, float[] values, int[] row, int from, int n, int d, double[] g) {
        int tile = 4 * FL;
        int c0 = 0;
        for (; c0 + tile <= d; c0 += tile) {
            DoubleVector s0 = DoubleVector.fromArray(D, g, c0);
            DoubleVector s1 = DoubleVector.fromArray(D, g, c0 + HALF);
            DoubleVector s2 = DoubleVector.fromArray(D, g, c0 + 2 * HALF);
            DoubleVector s3 = DoubleVector.fromArray(D, g, c0 + 3 * HALF);
            DoubleVector s4 = DoubleVector.fromArray(D, g, c0 + 4 * HALF);
            DoubleVector s5 = DoubleVector.fromArray(D, g, c0 + 5 * HALF);
            DoubleVector s6 = DoubleVector.fromArray(D, g, c0 + 6 * HALF);
            DoubleVector s7 = DoubleVector.fromArray(D, g, c0 + 7 * HALF);
            for (int i = 0; i < n; i++) {
                DoubleVector pe = DoubleVector.broadcast(D, p[at + i]);
                int o = row[from + i] * d + c0;
                s0 = s0.add(pe.mul(low(values, o)));
                s1 = s1.add(pe.mul(low(values, o + HALF)));
                s2 = s2.add(pe.mul(low(values, o + 2 * HALF)));
                s3 = s3.add(pe.mul(low(values, o + 3 * HALF)));
                s4 = s4.add(pe.mul(low(values, o + 4 * HALF)));
                s5 = s5.add(pe.mul(low(values, o + 5 * HALF)));
                s6 = s6.add(pe.mul(low(values, o + 6 * HALF)));
                s7 = s7.add(pe.mul(low(values, o + 7 * HALF)));
            }
            s0.intoArray(g, c0);
            s1.intoArray(g, c0 + HALF);
            s2.intoArray(g, c0 + 2 * HALF);
            s3.intoArray(g, c0 + 3 * HALF);
            s4.intoArray(g, c0 + 4 * HALF);
            s5.intoArray(g, c0 + 5 * HALF);
            s6.intoArray(g, c0 + 6 * HALF);
            s7.intoArray(g, c0 + 7 * HALF);
        }
        for (; c0 < d; c0 += FL) {                       // columns past the last whole tile: FL at a time
            DoubleVector s0 = DoubleVector.fromArray(D, g, c0);
            DoubleVector s1 = DoubleVector.fromArray(D, g, c0 + HALF);
            for (int i = 0; i < n; i++) {
                DoubleVector pe = DoubleVector.broadcast(D, p[at + i]);
                int o = row[from + i] * d + c0;
                s0 = s0.add(pe.mul(low(values, o)));
                s1 = s1.add(pe.mul(low(values, o + HALF)));
            }
            s0.intoArray(g, c0);
            s1.intoArray(g, c0 + HALF);
        }
    }

    // a[off .. off + D's lanes) as doubles: the first half of a float vector loaded at off (reads FL floats; the
    // second half of a load, convertShape part 1, is not compiled to SIMD by JDK 17's C2: a load at off + HALF is)
    private static DoubleVector low(float[] a, int off) {
        return (DoubleVector) FloatVector.fromArray(F, a, off).convertShape(VectorOperators.F2D, D, 0);
    }
}
