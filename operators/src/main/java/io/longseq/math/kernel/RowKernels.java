package io.longseq.math.kernel;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The elementwise row steps of the local tier that dominate its time once the GEMMs are fast:
 * the band softmax (one e^x per query and key in the band) and bias + GELU over the FFN hidden layer;
 * also the global tier's d×d mat-vecs, too small for a native call.
 *
 * <p>Two implementations compute the same formulas: {@link VectorRowKernels} with the JDK's Vector API
 * (SIMD, ~15× faster for e^x), used when the JVM runs with {@code --add-modules jdk.incubator.vector},
 * and {@link ScalarRowKernels}, plain Java, used otherwise. They agree to float rounding (sums are
 * accumulated in a different order), not bit for bit: run a job's subtasks on one kind of JVM setup.
 * An instance may keep scratch arrays, so it is not thread-safe: one per tier ({@link #best()} makes a new one).
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

    /** r ← LayerNorm(r)·gain + bias over r[0, d) (eps 1e-5, biased variance), as {@link RowOps#normalizeRow}. */
    // r [d] -> LN(r) [d] in place
    public void layerNorm(float[] r, int d, float[] gain, float[] bias) {
        RowOps.normalizeRow(r, d, gain, bias);
    }

    /**
     * Rows [from, to) of [·, d] float matrices in direct, native-order buffers: dst[i] ← LayerNorm(src[i] (+ rb)),
     * as {@link #layerNorm}. With {@code residualBias} non-null, src[i] ← src[i] + rb first (written back).
     * {@code row} is scratch [d].
     */
    // src rows [from, to) of [·, d] (+ rb, written back) -> dst rows = LN(src)·gain + bias
    public void layerNormRows(ByteBuffer src, ByteBuffer dst, int from, int to, int d, float[] gain, float[] bias,
                              float[] residualBias, float[] row) {
        FloatBuffer in = src.asFloatBuffer();
        FloatBuffer out = dst.asFloatBuffer();
        for (int i = from; i < to; i++) {
            in.get(i * d, row, 0, d);
            if (residualBias != null) {
                for (int c = 0; c < d; c++) {
                    row[c] += residualBias[c];
                }
                in.put(i * d, row, 0, d);
            }
            layerNorm(row, d, gain, bias);
            out.put(i * d, row, 0, d);
        }
    }

    /**
     * As {@link #layerNormRows} into a heap array: z[zOffset + (i − from)·d + c] ← LayerNorm(src[i] (+ rb))[c] for rows
     * [from, to), the same bits; src is left as it is (no x + rb written back).
     */
    // src rows [from, to) of [·, d] (+ rb) -> z [to−from, d] from zOffset = LN(src + rb)·gain + bias
    public void layerNormRowsInto(ByteBuffer src, int from, int to, int d, float[] gain, float[] bias,
                                  float[] residualBias, float[] z, int zOffset, float[] row) {
        FloatBuffer in = src.asFloatBuffer();
        for (int i = from; i < to; i++) {
            in.get(i * d, row, 0, d);
            for (int c = 0; residualBias != null && c < d; c++) {
                row[c] += residualBias[c];
            }
            layerNorm(row, d, gain, bias);
            System.arraycopy(row, 0, z, zOffset + (i - from) * d, d);
        }
    }

    /**
     * r[c] ← GELU(r[c] + b[c]) for c &lt; n (GELU with erf, |error| ≤ 2e-7·|x|), scalar in every kernel set: for
     * single rows off the hot path. Matrices go through {@link #biasGeluRows}, which the vector kernels implement.
     */
    // r [n] pre-activation, b [n] bias -> GELU(r + b)
    public void biasGelu(float[] r, float[] b, int n) {
        for (int c = 0; c < n; c++) {
            r[c] = gelu(r[c] + b[c]);
        }
    }

    /**
     * Rows [from, to) of an [·, f] float matrix held in a direct, native-order buffer (an ND4J array's memory):
     * h[i, c] ← GELU(h[i, c] + b[c]) in place, the same formula as {@link #biasGelu}. {@code row} is scratch [f].
     */
    // h rows [from, to) of [·, f], b [f] -> GELU(h + b) in place
    public void biasGeluRows(ByteBuffer h, int from, int to, int f, float[] b, float[] row) {
        FloatBuffer view = h.asFloatBuffer();
        for (int i = from; i < to; i++) {
            view.get(i * f, row, 0, f);
            biasGelu(row, b, f);
            view.put(i * f, row, 0, f);
        }
    }

    /**
     * y ← x·W for one vector x [d] and W [d, d] (row-major), both held as doubles and summed in double precision:
     * the global tier's mat-vecs.
     */
    // x [d] · W [d, d] -> y [d]  (acc [d] scratch)
    public void matVec(double[] x, double[] w, double[] acc, float[] y, int d) {
        Arrays.fill(acc, 0, d, 0);
        for (int e = 0; e < d; e++) {
            double xe = x[e];
            int row = e * d;
            for (int c = 0; c < d; c++) {
                acc[c] = Math.fma(xe, w[row + c], acc[c]);
            }
        }
        for (int c = 0; c < d; c++) {
            y[c] = (float) acc[c];
        }
    }

    /**
     * dots[e] ← q · keys[e] for the m rows of keys [m, d], in double precision (a float times a float is exact in
     * double): four partial sums s_j over the columns c ≡ j (mod 4), each in order of c (a column tail past the
     * last multiple of four goes to s₀), then (s₀ + s₁) + (s₂ + s₃).
     *
     * <p>Plain Java on purpose, in both kernel sets: four entries at a time give sixteen independent chains of adds
     * (one entry's four chains are bound by the add's latency). A Vector API form (lanes = the four partial sums,
     * F2D conversions) ran 2.5× faster once compiled, but runs ~100× slower until C2 compiles it: 0.65 s of CPU
     * per JVM for this kernel, more than a short job saves with it (docs/benchmarks.md, global tier).
     */
    // q [d] · keys [m, d]ᵀ -> dots [m]
    public final void entryDots(float[] q, float[] keys, int m, int d, double[] dots) {
        int e = 0;
        if (d % 4 == 0) {
            for (; e + 4 <= m; e += 4) {
                int o0 = e * d;
                int o1 = o0 + d;
                int o2 = o1 + d;
                int o3 = o2 + d;
                double a0 = 0, a1 = 0, a2 = 0, a3 = 0;     // entry e:   s₀ … s₃
                double b0 = 0, b1 = 0, b2 = 0, b3 = 0;     // entry e+1
                double c0 = 0, c1 = 0, c2 = 0, c3 = 0;     // entry e+2
                double d0 = 0, d1 = 0, d2 = 0, d3 = 0;     // entry e+3
                for (int c = 0; c < d; c += 4) {
                    double q0 = q[c];
                    double q1 = q[c + 1];
                    double q2 = q[c + 2];
                    double q3 = q[c + 3];
                    a0 += q0 * keys[o0 + c];
                    a1 += q1 * keys[o0 + c + 1];
                    a2 += q2 * keys[o0 + c + 2];
                    a3 += q3 * keys[o0 + c + 3];
                    b0 += q0 * keys[o1 + c];
                    b1 += q1 * keys[o1 + c + 1];
                    b2 += q2 * keys[o1 + c + 2];
                    b3 += q3 * keys[o1 + c + 3];
                    c0 += q0 * keys[o2 + c];
                    c1 += q1 * keys[o2 + c + 1];
                    c2 += q2 * keys[o2 + c + 2];
                    c3 += q3 * keys[o2 + c + 3];
                    d0 += q0 * keys[o3 + c];
                    d1 += q1 * keys[o3 + c + 1];
                    d2 += q2 * keys[o3 + c + 2];
                    d3 += q3 * keys[o3 + c + 3];
                }
                dots[e] = (a0 + a1) + (a2 + a3);
                dots[e + 1] = (b0 + b1) + (b2 + b3);
                dots[e + 2] = (c0 + c1) + (c2 + c3);
                dots[e + 3] = (d0 + d1) + (d2 + d3);
            }
        }
        for (; e < m; e++) {
            dots[e] = dot4(q, keys, e * d, d);
        }
    }

    /** q [d] · keys[off .. off + d): one entry's four partial sums, as in entryDots (the global tier's dot). */
    public static double dot4(float[] q, float[] keys, int off, int d) {
        double dot0 = 0;
        double dot1 = 0;
        double dot2 = 0;
        double dot3 = 0;
        int c = 0;
        for (; c + 4 <= d; c += 4) {
            dot0 += (double) q[c] * keys[off + c];
            dot1 += (double) q[c + 1] * keys[off + c + 1];
            dot2 += (double) q[c + 2] * keys[off + c + 2];
            dot3 += (double) q[c + 3] * keys[off + c + 3];
        }
        for (; c < d; c++) {
            dot0 += (double) q[c] * keys[off + c];
        }
        return (dot0 + dot1) + (dot2 + dot3);
    }

    /**
     * g[c] ← g[c] + p[e]·values[e, c] for e = 0 … m−1 in that order (a multiply, then an add, in double precision):
     * the weighted sum of the memory's values. Four entries per pass over g (the same adds in the same order, a
     * quarter of g's loads and stores). Plain Java in both kernel sets, for the reason given at {@link #entryDots}.
     */
    // p [m], values [m, d] -> g [d] += pᵀ·values
    public final void weightedSum(double[] p, float[] values, int m, int d, double[] g) {
        int e = 0;
        for (; e + 4 <= m; e += 4) {
            double p0 = p[e];
            double p1 = p[e + 1];
            double p2 = p[e + 2];
            double p3 = p[e + 3];
            int o0 = e * d;
            int o1 = o0 + d;
            int o2 = o1 + d;
            int o3 = o2 + d;
            for (int c = 0; c < d; c++) {
                double t = g[c];
                t += p0 * values[o0 + c];
                t += p1 * values[o1 + c];
                t += p2 * values[o2 + c];
                t += p3 * values[o3 + c];
                g[c] = t;
            }
        }
        for (; e < m; e++) {
            double pe = p[e];
            int off = e * d;
            for (int c = 0; c < d; c++) {
                g[c] += pe * values[off + c];
            }
        }
    }

    /**
     * acc[c] ← Σ_j z[j·d + c] over rows j ∈ [from, to), c &lt; d: block mean pooling's sums. Each column is summed in
     * double precision in the order of j (float to double is exact), so every kernel set gives the same bits.
     */
    // z rows [from, to) of [·, d] -> acc [d] column sums
    public void columnSums(float[] z, int from, int to, int d, double[] acc) {
        Arrays.fill(acc, 0, d, 0);
        for (int j = from; j < to; j++) {
            int row = j * d;
            for (int c = 0; c < d; c++) {
                acc[c] += z[row + c];
            }
        }
    }

    /**
     * Splits one row of the fused [q | k | v] product (d floats each, in a direct native-order buffer at byte
     * {@code rowAt}) into heads with rotary embedding: per head hd, q ← RoPE(q_hd)·qScale into
     * {@code qHeads[hd][rowOff ..]}, k ← RoPE(k_hd) into {@code kRow[hd·d_h ..]}, v_hd into {@code vHeads[hd][rowOff ..]}.
     * The angles come duplicated per pair: cosDup [d_h] = (c₀, c₀, c₁, c₁, …), sinAlt [d_h] = (−s₀, s₀, −s₁, s₁, …)
     * at {@code ang}, so pair (x₀, x₁) becomes (x₀c − x₁s, x₁c + x₀s), the bits of {@link Rope#rotateHead}.
     */
    // qkv row [3d] -> q [h][d_h] (RoPE'd, ·qScale), k [h·d_h] (RoPE'd), v [h][d_h]
    public void ropeRow(ByteBuffer qkv, int rowAt, int d, int heads, int dh, float[] cosDup, float[] sinAlt, int ang,
                        float qScale, float[][] qHeads, float[][] vHeads, int rowOff, float[] kRow) {
        for (int hd = 0; hd < heads; hd++) {
            int col = hd * dh;
            float[] qh = qHeads[hd];
            float[] vh = vHeads[hd];
            for (int m = 0; m < dh; m += 2) {
                float c = cosDup[ang + m];
                float sn = sinAlt[ang + m + 1];
                float q0 = qkv.getFloat(rowAt + (col + m) * Float.BYTES);
                float q1 = qkv.getFloat(rowAt + (col + m + 1) * Float.BYTES);
                qh[rowOff + m] = (q0 * c - q1 * sn) * qScale;
                qh[rowOff + m + 1] = (q1 * c + q0 * sn) * qScale;
                float k0 = qkv.getFloat(rowAt + (d + col + m) * Float.BYTES);
                float k1 = qkv.getFloat(rowAt + (d + col + m + 1) * Float.BYTES);
                kRow[col + m] = k0 * c - k1 * sn;
                kRow[col + m + 1] = k1 * c + k0 * sn;
            }
            for (int c = 0; c < dh; c++) {
                vh[rowOff + c] = qkv.getFloat(rowAt + (2 * d + col + c) * Float.BYTES);
            }
        }
    }

    /**
     * Keys already transposed by their GEMM, kᵀ [d, np] at byte {@code at} of a direct native-order buffer, columns
     * (positions) [from, to): per head hd, rows 2m and 2m+1 of the head are rotated by each position's angle m,
     * (k₀c − k₁s, k₁c + k₀s), the bits of {@link #ropeRow}'s keys, into {@code kT[hd]} [d_h, kStride]. The angles
     * are transposed too: cosT, sinT [d_h/2, angStride].
     */
    // kᵀ [d, np] columns [from, to) -> per head kT [d_h, kStride] (RoPE'd) at the same columns
    public void ropeKeysT(ByteBuffer keys, int at, int np, int heads, int dh, float[] cosT, float[] sinT,
                          int angStride, int from, int to, float[][] kT, int kStride) {
        for (int hd = 0; hd < heads; hd++) {
            float[] kt = kT[hd];
            for (int m = 0; m < dh / 2; m++) {
                int r0 = at + (hd * dh + 2 * m) * np * Float.BYTES;
                int r1 = r0 + np * Float.BYTES;
                for (int i = from; i < to; i++) {
                    float c = cosT[m * angStride + i];
                    float sn = sinT[m * angStride + i];
                    float k0 = keys.getFloat(r0 + i * Float.BYTES);
                    float k1 = keys.getFloat(r1 + i * Float.BYTES);
                    kt[2 * m * kStride + i] = k0 * c - k1 * sn;
                    kt[(2 * m + 1) * kStride + i] = k1 * c + k0 * sn;
                }
            }
        }
    }

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
    }
}
