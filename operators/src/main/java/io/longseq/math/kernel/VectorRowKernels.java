package io.longseq.math.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowKernels} with the Vector API (AVX-512: 16 floats per instruction). Only loaded when the
 * module {@code jdk.incubator.vector} is present. Avoids lane conversions (F2I), which JDK 17 does not
 * compile to SIMD: 2^k comes from the bits of x·log2e + 1.5·2^23, reinterpreted.
 *
 * <p>No vector crosses a method call: e^x is written out in each loop that needs it, not called. JDK 17's C2 may
 * compile a hot vector helper on its own before its caller, and then, finding it "already compiled into a big
 * method", call it instead of inlining it: every vector crossing the call is boxed on the heap. Whether that happens
 * depends on the order of compilation, so it came and went between runs: the dense baseline's softmax ran 15× slower
 * in one JVM than in the next (n = 4,096: 2.34 s against 0.12–0.13 s). Two GELU experiments that took 3.4–4.1
 * instead of 0.55 ms a chunk were probably the same effect (docs/benchmarks.md, "Findings that shape the code"; the
 * experiments themselves are in its git history).
 */
final class VectorRowKernels extends RowKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int DLANES = D.length();
    // as many floats as D has doubles: one load converts to one DoubleVector (F2D)
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final FloatVector ONE = FloatVector.broadcast(F, 1f);
    private static final FloatVector HALF = FloatVector.broadcast(F, 0.5f);
    private static final FloatVector C6 = FloatVector.broadcast(F, 1f / 6);
    private static final FloatVector C24 = FloatVector.broadcast(F, 1f / 24);
    private static final FloatVector C120 = FloatVector.broadcast(F, 1f / 120);
    private static final FloatVector ERF_A1v = FloatVector.broadcast(F, ERF_A1);
    private static final FloatVector ERF_A2v = FloatVector.broadcast(F, ERF_A2);
    private static final FloatVector ERF_A3v = FloatVector.broadcast(F, ERF_A3);
    private static final FloatVector LOG2E_V = FloatVector.broadcast(F, LOG2E);
    private static final FloatVector ROUNDER_V = FloatVector.broadcast(F, ROUNDER);
    private static final FloatVector NEG_LN2_HI = FloatVector.broadcast(F, -LN2_HI);
    private static final int NEG20_BITS = Float.floatToRawIntBits(-20f);

    private final VectorLayerNorm layerNorm = new VectorLayerNorm();   // its scratch: not thread-safe, as its callers

    static RowKernels create() {
        return new VectorRowKernels();
    }

    @Override
    public String name() {
        return "vector-" + F.vectorBitSize();
    }

    @Override
    BandAttention attention(int dh, int w) {
        return VectorAttention.create(dh, w);
    }

    @Override
    public void bandSoftmax(float[] r, int lo, int hi, int len) {
        int end = hi + 1;
        FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int j = lo;
        for (; j <= end - LANES; j += LANES) {
            vmax = vmax.max(FloatVector.fromArray(F, r, j));
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (; j < end; j++) {
            max = Math.max(max, r[j]);
        }
        FloatVector vsum = FloatVector.zero(F);
        j = lo;
        for (; j <= end - LANES; j += LANES) {
            // e^x, x = s − max ≤ 0, written out here (see the class comment): Cody–Waite reduction, degree-7 Taylor
            // polynomial, 2^k from the exponent bits; below −87 clamped to e^−87
            FloatVector xc = FloatVector.fromArray(F, r, j).sub(max).max(-87f);
            FloatVector big = xc.mul(LOG2E).add(ROUNDER);
            FloatVector k = big.sub(ROUNDER);
            FloatVector rr = xc.sub(k.mul(LN2_HI)).sub(k.mul(LN2_LO));
            FloatVector p = rr.mul(1f / 5040).add(1f / 720).mul(rr).add(1f / 120).mul(rr).add(1f / 24).mul(rr)
                    .add(1f / 6).mul(rr).add(0.5f).mul(rr).add(1f).mul(rr).add(1f);
            IntVector bits = big.reinterpretAsInts().sub(0x4B400000 - 127).lanewise(VectorOperators.LSHL, 23);
            FloatVector e = p.mul(bits.reinterpretAsFloats());
            e.intoArray(r, j);
            vsum = vsum.add(e);
        }
        float sum = vsum.reduceLanes(VectorOperators.ADD);
        for (; j < end; j++) {
            float e = RowKernels.exp(r[j] - max);
            r[j] = e;
            sum += e;
        }
        float inv = 1f / sum;
        java.util.Arrays.fill(r, 0, lo, 0f);
        j = lo;
        for (; j <= end - LANES; j += LANES) {
            FloatVector.fromArray(F, r, j).mul(inv).intoArray(r, j);
        }
        for (; j < end; j++) {
            r[j] *= inv;
        }
        java.util.Arrays.fill(r, end, len, 0f);
    }

    @Override
    public void layerNorm(float[] r, int d, float[] gain, float[] bias) {
        if (d % LANES != 0) {
            super.layerNorm(r, d, gain, bias);
            return;
        }
        FloatVector sum = FloatVector.zero(F);
        for (int c = 0; c < d; c += LANES) {
            sum = sum.add(FloatVector.fromArray(F, r, c));
        }
        float mean = sum.reduceLanes(VectorOperators.ADD) / d;
        FloatVector sq = FloatVector.zero(F);
        for (int c = 0; c < d; c += LANES) {
            FloatVector a = FloatVector.fromArray(F, r, c).sub(mean);
            sq = a.fma(a, sq);
        }
        float inv = (float) (1.0 / Math.sqrt(sq.reduceLanes(VectorOperators.ADD) / d + 1e-5));
        for (int c = 0; c < d; c += LANES) {
            FloatVector a = FloatVector.fromArray(F, r, c).sub(mean).mul(inv);
            a.fma(FloatVector.fromArray(F, gain, c), FloatVector.fromArray(F, bias, c)).intoArray(r, c);
        }
    }

    // LayerNorm in lanes on blocks of rows copied to the heap (VectorLayerNorm: only arrays, buffers and ints cross)
    @Override
    public void layerNormRows(ByteBuffer src, ByteBuffer dst, int from, int to, int d, float[] gain, float[] bias,
                              float[] residualBias, float[] row) {
        if (d % LANES != 0) {
            super.layerNormRows(src, dst, from, to, d, gain, bias, residualBias, row);
            return;
        }
        layerNorm.rows(src, dst, from, to, d, gain, bias, residualBias);
    }

    @Override
    public void layerNormRowsInto(ByteBuffer src, int from, int to, int d, float[] gain, float[] bias,
                                  float[] residualBias, float[] z, int zOffset, float[] row) {
        if (d % LANES != 0) {
            super.layerNormRowsInto(src, from, to, d, gain, bias, residualBias, z, zOffset, row);
            return;
        }
        layerNorm.rowsInto(src, from, to, d, gain, bias, residualBias, z, zOffset);
    }

    // RoPE in lanes (VectorRope: only arrays, buffers and ints cross the call, no vector)
    @Override
    public void ropeRow(ByteBuffer qkv, int rowAt, int d, int heads, int dh, float[] cosDup, float[] sinAlt, int ang,
                        float qScale, float[][] qHeads, float[][] vHeads, int rowOff, float[] kRow) {
        if (dh % LANES != 0) {
            super.ropeRow(qkv, rowAt, d, heads, dh, cosDup, sinAlt, ang, qScale, qHeads, vHeads, rowOff, kRow);
            return;
        }
        VectorRope.row(qkv, rowAt, d, heads, dh, cosDup, sinAlt, ang, qScale, qHeads, vHeads, rowOff, kRow);
    }

    @Override
    public void ropeKeysT(ByteBuffer keys, int at, int np, int heads, int dh, float[] cosT, float[] sinT,
                          int angStride, int from, int to, float[][] kT, int kStride) {
        VectorRope.keysT(keys, at, np, heads, dh, cosT, sinT, angStride, from, to, kT, kStride);
    }

    // Eight vectors of y's sums stay in registers while x runs through W's rows (eight independent FMA chains; only
    // W is loaded), then the next eight; the same sums as the scalar loop, in the same order of e.
    @Override
    public void matVec(double[] x, double[] w, double[] acc, float[] y, int d) {
        if (d % (8 * DLANES) != 0) {
            super.matVec(x, w, acc, y, d);
            return;
        }
        for (int c0 = 0; c0 < d; c0 += 8 * DLANES) {
            DoubleVector a0 = DoubleVector.zero(D);
            DoubleVector a1 = a0;
            DoubleVector a2 = a0;
            DoubleVector a3 = a0;
            DoubleVector a4 = a0;
            DoubleVector a5 = a0;
            DoubleVector a6 = a0;
            DoubleVector a7 = a0;
            for (int e = 0; e < d; e++) {
                DoubleVector xe = DoubleVector.broadcast(D, x[e]);
                int at = e * d + c0;
                a0 = xe.fma(DoubleVector.fromArray(D, w, at), a0);
                a1 = xe.fma(DoubleVector.fromArray(D, w, at + DLANES), a1);
                a2 = xe.fma(DoubleVector.fromArray(D, w, at + 2 * DLANES), a2);
                a3 = xe.fma(DoubleVector.fromArray(D, w, at + 3 * DLANES), a3);
                a4 = xe.fma(DoubleVector.fromArray(D, w, at + 4 * DLANES), a4);
                a5 = xe.fma(DoubleVector.fromArray(D, w, at + 5 * DLANES), a5);
                a6 = xe.fma(DoubleVector.fromArray(D, w, at + 6 * DLANES), a6);
                a7 = xe.fma(DoubleVector.fromArray(D, w, at + 7 * DLANES), a7);
            }
            a0.intoArray(acc, c0);
            a1.intoArray(acc, c0 + DLANES);
            a2.intoArray(acc, c0 + 2 * DLANES);
            a3.intoArray(acc, c0 + 3 * DLANES);
            a4.intoArray(acc, c0 + 4 * DLANES);
            a5.intoArray(acc, c0 + 5 * DLANES);
            a6.intoArray(acc, c0 + 6 * DLANES);
            a7.intoArray(acc, c0 + 7 * DLANES);
        }
        for (int c = 0; c < d; c++) {
            y[c] = (float) acc[c];
        }
    }

    // Eight vectors of eight column sums stay in registers while the rows go by (eight independent chains of adds),
    // then the next 64 columns: each column still adds its rows in order of j, so the bits of the scalar loop. The
    // floats are loaded 16 at a time (the preferred species, like every FloatVector in the JVM) and widened in two
    // halves: a second float shape (an earlier version loaded 8 at a time through a 256-bit species) makes the JDK's
    // shared vector code see two classes, and C2 then sometimes compiled the fused attention with boxed vectors, 2-3×
    // slower, for the whole life of a streaming job.
    @Override
    public void columnSums(float[] z, int from, int to, int d, double[] acc) {
        if (d % (8 * DLANES) != 0 || LANES != 2 * DLANES) {
            super.columnSums(z, from, to, d, acc);
            return;
        }
        for (int c0 = 0; c0 < d; c0 += 8 * DLANES) {
            DoubleVector a0 = DoubleVector.zero(D);
            DoubleVector a1 = a0;
            DoubleVector a2 = a0;
            DoubleVector a3 = a0;
            DoubleVector a4 = a0;
            DoubleVector a5 = a0;
            DoubleVector a6 = a0;
            DoubleVector a7 = a0;
            for (int j = from; j < to; j++) {
                int at = j * d + c0;
                FloatVector f0 = FloatVector.fromArray(F, z, at);                 // columns c0 .. c0+15
                FloatVector f1 = FloatVector.fromArray(F, z, at + LANES);
                FloatVector f2 = FloatVector.fromArray(F, z, at + 2 * LANES);
                FloatVector f3 = FloatVector.fromArray(F, z, at + 3 * LANES);
                a0 = a0.add(f0.convertShape(VectorOperators.F2D, D, 0));           // its first half
                a1 = a1.add(f0.convertShape(VectorOperators.F2D, D, 1));           // its second half
                a2 = a2.add(f1.convertShape(VectorOperators.F2D, D, 0));
                a3 = a3.add(f1.convertShape(VectorOperators.F2D, D, 1));
                a4 = a4.add(f2.convertShape(VectorOperators.F2D, D, 0));
                a5 = a5.add(f2.convertShape(VectorOperators.F2D, D, 1));
                a6 = a6.add(f3.convertShape(VectorOperators.F2D, D, 0));
                a7 = a7.add(f3.convertShape(VectorOperators.F2D, D, 1));
            }
            a0.intoArray(acc, c0);
            a1.intoArray(acc, c0 + DLANES);
            a2.intoArray(acc, c0 + 2 * DLANES);
            a3.intoArray(acc, c0 + 3 * DLANES);
            a4.intoArray(acc, c0 + 4 * DLANES);
            a5.intoArray(acc, c0 + 5 * DLANES);
            a6.intoArray(acc, c0 + 6 * DLANES);
            a7.intoArray(acc, c0 + 7 * DLANES);
        }
    }

    // Reads and writes the buffer in place with vector loads and stores: no copy through a Java array. Two vectors at a
    // time, written out side by side (two independent chains of the same operations): 0.56 → 0.39 ms a chunk, the
    // same bits (RowKernelsTest). An odd last vector of a row is both vectors of its pair (both loaded before either is
    // stored, so the same value is stored twice); a row's last f mod LANES columns go through the scalar form.
    @Override
    public void biasGeluRows(ByteBuffer h, int from, int to, int f, float[] b, float[] row) {
        int whole = f - f % LANES;
        for (int i = from; i < to; i++) {
            long rowAt = (long) i * f * Float.BYTES;
            for (int c = 0; c < whole; c += 2 * LANES) {
                int c1 = c + LANES < whole ? c + LANES : c;   // an odd last vector goes with itself: the same values twice
                int at0 = (int) (rowAt + (long) c * Float.BYTES);
                int at1 = (int) (rowAt + (long) c1 * Float.BYTES);
                // GELU(x) = x·Φ(x) = (x + |x|·erf(|x|/√2))/2: no sign select; Horner and e^x with fused multiply-adds
                FloatVector x0 = FloatVector.fromByteBuffer(F, h, at0, NATIVE).add(FloatVector.fromArray(F, b, c));
                FloatVector x1 = FloatVector.fromByteBuffer(F, h, at1, NATIVE).add(FloatVector.fromArray(F, b, c1));
                FloatVector ax0 = x0.abs();
                FloatVector ax1 = x1.abs();
                FloatVector u0 = ax0.mul(INV_SQRT2);
                FloatVector u1 = ax1.mul(INV_SQRT2);
                FloatVector t0 = ONE.div(u0.fma(ERF_P, 1f));
                FloatVector t1 = ONE.div(u1.fma(ERF_P, 1f));
                FloatVector poly0 = t0.fma(ERF_A5, ERF_A4).fma(t0, ERF_A3v).fma(t0, ERF_A2v).fma(t0, ERF_A1v).mul(t0);
                FloatVector poly1 = t1.fma(ERF_A5, ERF_A4).fma(t1, ERF_A3v).fma(t1, ERF_A2v).fma(t1, ERF_A1v).mul(t1);
                // e^(−u²): the reduction and the polynomial in fused multiply-adds, clamped at −20 (not −87): for
                // u² ≥ 20, 1 − poly·e^(−u²) rounds to 1 in float either way (poly·e^(−u²) < 3e-10, far below half
                // an ulp of 1), so no output changes, and e^x stays clear of subnormal results, which cost microcode
                // assists (pre-activations of σ = 11: 1.6 ms a chunk instead of 0.6, identical bits). The clamp is one
                // integer min on the raw bits: with the sign bit set a larger int is a more negative float, so
                // min(bits(v), bits(−20)) = bits(max(v, −20)); a float max with Java's semantics is five instructions
                FloatVector xc0 = u0.mul(u0).neg().reinterpretAsInts().min(NEG20_BITS).reinterpretAsFloats();
                FloatVector xc1 = u1.mul(u1).neg().reinterpretAsInts().min(NEG20_BITS).reinterpretAsFloats();
                FloatVector big0 = xc0.fma(LOG2E_V, ROUNDER_V);
                FloatVector big1 = xc1.fma(LOG2E_V, ROUNDER_V);
                FloatVector k0 = big0.sub(ROUNDER);
                FloatVector k1 = big1.sub(ROUNDER);
                FloatVector rr0 = k0.fma(NEG_LN2_HI, xc0).sub(k0.mul(LN2_LO));
                FloatVector rr1 = k1.fma(NEG_LN2_HI, xc1).sub(k1.mul(LN2_LO));
                FloatVector p0 = rr0.fma(1f / 5040, 1f / 720).fma(rr0, C120).fma(rr0, C24).fma(rr0, C6).fma(rr0, HALF)
                        .fma(rr0, ONE).fma(rr0, ONE);
                FloatVector p1 = rr1.fma(1f / 5040, 1f / 720).fma(rr1, C120).fma(rr1, C24).fma(rr1, C6).fma(rr1, HALF)
                        .fma(rr1, ONE).fma(rr1, ONE);
                IntVector bits0 = big0.reinterpretAsInts().sub(0x4B400000 - 127).lanewise(VectorOperators.LSHL, 23);
                IntVector bits1 = big1.reinterpretAsInts().sub(0x4B400000 - 127).lanewise(VectorOperators.LSHL, 23);
                FloatVector erf0 = ONE.sub(poly0.mul(p0.mul(bits0.reinterpretAsFloats())));
                FloatVector erf1 = ONE.sub(poly1.mul(p1.mul(bits1.reinterpretAsFloats())));
                ax0.fma(erf0, x0).mul(0.5f).intoByteBuffer(h, at0, NATIVE);
                ax1.fma(erf1, x1).mul(0.5f).intoByteBuffer(h, at1, NATIVE);
            }
            for (int c = whole; c < f; c++) {
                int at = (int) (rowAt + (long) c * Float.BYTES);
                float x = h.getFloat(at) + b[c];
                h.putFloat(at, 0.5f * (x + Math.abs(x) * erf(Math.abs(x) * INV_SQRT2)));
            }
        }
    }

    // erf(u), u ≥ 0, A&S 7.1.26 (the scalar form of the vector GELU above, for a row's last few columns)
    private static float erf(float u) {
        float t = 1f / Math.fma(u, ERF_P, 1f);
        float poly = Math.fma(Math.fma(Math.fma(Math.fma(t, ERF_A5, ERF_A4), t, ERF_A3), t, ERF_A2), t, ERF_A1) * t;
        return 1f - poly * RowKernels.exp(-u * u);
    }
}
