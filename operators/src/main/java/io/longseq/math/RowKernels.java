package io.longseq.math;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The elementwise row steps of the local tier that dominate its time once the GEMMs are fast:
 * the band softmax (one e^x per query and key in the band) and bias + GELU over the FFN hidden layer.
 *
 * <p>Two implementations compute the same formulas: {@link VectorRowKernels} with the JDK's Vector API
 * (SIMD, ~15× faster for e^x), used when the JVM runs with {@code --add-modules jdk.incubator.vector},
 * and {@link ScalarRowKernels}, plain Java, used otherwise. They agree to float rounding (sums are
 * accumulated in a different order), not bit for bit: run a job's subtasks on one kind of JVM setup.
 */
public abstract class RowKernels {

    private static final Logger LOG = LoggerFactory.getLogger(RowKernels.class);
    private static final String MODULE = "jdk.incubator.vector";

    /** The Vector API kernels when the module is in the boot layer, else the scalar ones. */
    public static RowKernels best() {
        if (ModuleLayer.boot().findModule(MODULE).isPresent()
                && !"false".equals(System.getProperty("longseq.vector"))) {
            return VectorRowKernels.create();
        }
        LOG.warn("{} is not enabled: the local tier uses scalar Java for softmax and GELU (several times slower)."
                + " Start the JVM with --add-modules {}", MODULE, MODULE);
        return new ScalarRowKernels();
    }

    /** Plain Java kernels, whatever the JVM offers. */
    public static RowKernels scalar() {
        return new ScalarRowKernels();
    }

    /** Name for logs and benchmarks. */
    public abstract String name();

    /**
     * A fused band-attention kernel for heads of width d_h on these kernels, or null (then the local
     * tier computes attention with ND4J's batched products). Only the Vector API kernels have one.
     */
    BandAttention attention(int dh, int w) {
        return null;
    }

    /**
     * r[lo..hi] ← softmax(r[lo..hi]) (max subtracted), every other entry of r[0..len) ← 0.
     */
    // r [len] scores -> probabilities over the band [lo, hi], zero elsewhere
    public abstract void bandSoftmax(float[] r, int lo, int hi, int len);

    /** r[c] ← GELU(r[c] + b[c]) for c &lt; n (GELU with erf, |error| ≤ 2e-7·|x|). */
    // r [n] pre-activation, b [n] bias -> GELU(r + b)
    public abstract void biasGelu(float[] r, float[] b, int n);

    // Abramowitz & Stegun 7.1.26: erf(x) = 1 − (a1 t + … + a5 t⁵)·e^(−x²), t = 1/(1 + p·x), x ≥ 0,
    // |error| ≤ 1.5e-7. Φ(x) = (1 + erf(x/√2))/2.
    static final float ERF_P = 0.3275911f;
    static final float ERF_A1 = 0.254829592f;
    static final float ERF_A2 = -0.284496736f;
    static final float ERF_A3 = 1.421413741f;
    static final float ERF_A4 = -1.453152027f;
    static final float ERF_A5 = 1.061405429f;
    static final float INV_SQRT2 = 0.70710678118654752f;

    // e^x for x ≤ 0: Cody–Waite reduction (ln2 in two parts), degree-7 Taylor polynomial, 2^k as exponent bits
    static final float LOG2E = 1.44269504088896341f;
    static final float LN2_HI = 0.693145751953125f;
    static final float LN2_LO = 1.42860682030941723212e-6f;
    static final float ROUNDER = 12582912f; // 1.5·2^23: adding it rounds to an integer in the low bits

    /** GELU(x) = x·Φ(x) with the erf of A&amp;S 7.1.26; |error| ≤ 1.1e-7·|x|. */
    static float gelu(float x) {
        float u = Math.abs(x) * INV_SQRT2;
        float t = 1f / (1f + ERF_P * u);
        float poly = t * (ERF_A1 + t * (ERF_A2 + t * (ERF_A3 + t * (ERF_A4 + t * ERF_A5))));
        float erf = 1f - poly * exp(-u * u);
        return x * (0.5f * (1f + Math.copySign(erf, x)));
    }

    /** e^x for x ≤ 0, relative error ≤ 3e-7; x below −87 gives e^−87. */
    static float exp(float x) {
        float xc = Math.max(x, -87f);
        float big = xc * LOG2E + ROUNDER;
        float k = big - ROUNDER;
        float rr = xc - k * LN2_HI - k * LN2_LO;
        float p = 1f + rr * (1f + rr * (0.5f + rr * (1f / 6 + rr * (1f / 24 + rr * (1f / 120
                + rr * (1f / 720 + rr * (1f / 5040)))))));
        int bits = (Float.floatToRawIntBits(big) - (0x4B400000 - 127)) << 23;
        return p * Float.intBitsToFloat(bits);
    }

    /** Plain Java. */
    static final class ScalarRowKernels extends RowKernels {
        @Override
        public String name() {
            return "scalar";
        }

        @Override
        public void bandSoftmax(float[] r, int lo, int hi, int len) {
            float max = Float.NEGATIVE_INFINITY;
            for (int j = lo; j <= hi; j++) {
                max = Math.max(max, r[j]);
            }
            float sum = 0f;
            for (int j = lo; j <= hi; j++) {
                float e = exp(r[j] - max);
                r[j] = e;
                sum += e;
            }
            float inv = 1f / sum;
            java.util.Arrays.fill(r, 0, lo, 0f);
            for (int j = lo; j <= hi; j++) {
                r[j] *= inv;
            }
            java.util.Arrays.fill(r, hi + 1, len, 0f);
        }

        @Override
        public void biasGelu(float[] r, float[] b, int n) {
            for (int c = 0; c < n; c++) {
                r[c] = gelu(r[c] + b[c]);
            }
        }
    }
}
