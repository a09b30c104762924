package io.longseq.math;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowKernels} with the Vector API (AVX-512: 16 floats per instruction). Only loaded when the
 * module {@code jdk.incubator.vector} is present. Avoids lane conversions (F2I), which JDK 17 does not
 * compile to SIMD: 2^k comes from the bits of x·log2e + 1.5·2^23, reinterpreted.
 */
final class VectorRowKernels extends RowKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();

    static RowKernels create() {
        return new VectorRowKernels();
    }

    @Override
    public String name() {
        return "vector-" + F.vectorBitSize();
    }

    @Override
    BandAttention attention(int dh, int w) {
        return VectorAttention.create(dh, w, this);
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
            FloatVector e = exp(FloatVector.fromArray(F, r, j).sub(max));
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
    public void biasGelu(float[] r, float[] b, int n) {
        int c = 0;
        for (; c <= n - LANES; c += LANES) {
            FloatVector x = FloatVector.fromArray(F, r, c).add(FloatVector.fromArray(F, b, c));
            FloatVector u = x.abs().mul(INV_SQRT2);
            FloatVector t = u.mul(ERF_P).add(1f);
            t = FloatVector.broadcast(F, 1f).div(t);
            FloatVector poly = t.mul(ERF_A5).add(ERF_A4).mul(t).add(ERF_A3).mul(t).add(ERF_A2).mul(t).add(ERF_A1).mul(t);
            FloatVector erf = FloatVector.broadcast(F, 1f).sub(poly.mul(exp(u.mul(u).neg())));
            VectorMask<Float> negative = x.compare(VectorOperators.LT, 0f);
            erf = erf.blend(erf.neg(), negative);
            x.mul(erf.add(1f).mul(0.5f)).intoArray(r, c);
        }
        for (; c < n; c++) {
            r[c] = gelu(r[c] + b[c]);
        }
    }

    // e^x for x ≤ 0, lane-wise; x below −87 gives ≈ 0 (clamped to e^−87)
    private static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(-87f);
        FloatVector big = xc.mul(LOG2E).add(ROUNDER);
        FloatVector k = big.sub(ROUNDER);
        FloatVector rr = xc.sub(k.mul(LN2_HI)).sub(k.mul(LN2_LO));
        FloatVector p = rr.mul(1f / 5040).add(1f / 720).mul(rr).add(1f / 120).mul(rr).add(1f / 24).mul(rr)
                .add(1f / 6).mul(rr).add(0.5f).mul(rr).add(1f).mul(rr).add(1f);
        IntVector bits = big.reinterpretAsInts().sub(0x4B400000 - 127).lanewise(VectorOperators.LSHL, 23);
        return p.mul(bits.reinterpretAsFloats());
    }
}
