package io.longseq.math.memory;

/**
 * A block held as D sign bits of a seeded rotation of its x = LN_g(s) [d], plus ‖x‖: RETRIEVAL's sketch tier
 * (docs/design.md 2.5). Contract: code bit i = 1 when (R·x)_i &gt; 0, with x padded by zeros to D and
 * R = H·S₂·H·S₁/D (H the D×D Walsh–Hadamard matrix of ±1; S₁, S₂ diagonal ±1: bits 0 and 1 of
 * h_i = SplitMix64(SplitMix64(seed XOR "sketch") + (i + 1)·γ)), an orthogonal map; the estimate of x from its code σ (±1) is x̂ = ‖x‖·Rᵀσ/√D, its first d coordinates. Arithmetic in float, in
 * a fixed order (the butterflies of {@link #fwht}), so the same x gives the same bits on every host.
 *
 * <p>D = max(256, the power of two ≥ d): 256 bits (32 bytes) at d = 128. A sketch is a search key, not an exact
 * copy: a code's Hamming distance to a query's code orders blocks roughly by the angle between them, and x̂ has the
 * norm of x and about 0.8 of its direction at D = 2d (measured in docs/retrieval.md). Not thread-safe (scratch).
 */
final class SignSketch {

    private static final long GAMMA = 0x9E3779B97F4A7C15L;
    /** Mixed into the RETRIEVAL seed so the signs do not repeat its hyperplanes' or priorities' stream. */
    static final long SEED_SALT = 0x736B65746368L;  // "sketch"

    final int d;
    final int dim;                    // D
    final int words;                  // D/64 longs per code
    private final float[] s1;         // [D] ±1
    private final float[] s2;         // [D] ±1
    private final float[] y;          // [D] scratch

    SignSketch(int d, long seed) {
        this.d = d;
        dim = dim(d);
        words = dim / 64;
        s1 = new float[dim];
        s2 = new float[dim];
        for (int i = 0; i < dim; i++) {
            long h = LinearMemory.mix(seed ^ SEED_SALT) + (i + 1) * GAMMA;
            h = LinearMemory.mix(h);
            s1[i] = (h & 1) == 0 ? 1f : -1f;
            s2[i] = (h & 2) == 0 ? 1f : -1f;
        }
        y = new float[dim];
    }

    /** D for a model of width d: max(256, the smallest power of two ≥ d). */
    static int dim(int d) {
        int p = 1;
        while (p < d) {
            p <<= 1;
        }
        return Math.max(256, p);
    }

    // x [off, off + d) -> code [at, at + D/64): bit i (word i/64, bit i%64) set when (R x)_i > 0
    void encode(float[] x, int off, long[] code, int at) {
        encode(x, off, code, at, y);
    }

    // x [off, off + d) -> rotated [D] = D·R·pad(x) (H·S₂·H·S₁·pad(x), unnormalised), and its signs into code
    void encode(float[] x, int off, long[] code, int at, float[] rotated) {
        for (int i = 0; i < d; i++) {
            rotated[i] = x[off + i] * s1[i];
        }
        java.util.Arrays.fill(rotated, d, dim, 0f);
        fwht(rotated);
        for (int i = 0; i < dim; i++) {
            rotated[i] *= s2[i];
        }
        fwht(rotated);
        for (int w = 0; w < words; w++) {
            long bits = 0;
            for (int i = 0; i < 64; i++) {
                if (rotated[w * 64 + i] > 0f) {
                    bits |= 1L << i;
                }
            }
            code[at + w] = bits;
        }
    }

    /**
     * σ·y = Σ_i σ_i·y_i in double, in order of i, σ_i = ±1 the bits of the code at [at, at + D/64) and y [D] a rotated
     * vector ({@link #encode}): with y = D·R·pad(u), x̂·u = ‖x‖·(σ·y)/(D·√D) for the block of that code.
     */
    static double signedDot(long[] code, int at, float[] y, int dim) {
        double s = 0;
        for (int i = 0; i < dim; i++) {
            s += (code[at + (i >>> 6)] >>> (i & 63) & 1) != 0 ? y[i] : -y[i];
        }
        return s;
    }

    // z [D] += w·σ for the code at [at, at + D/64)
    void addSigned(long[] code, int at, double w, double[] z) {
        for (int i = 0; i < dim; i++) {
            z[i] += (code[at + (i >>> 6)] >>> (i & 63) & 1) != 0 ? w : -w;
        }
    }

    // z [D] -> out [d] = the first d coordinates of Rᵀ·z = S₁·H·S₂·H·z / D (z is overwritten)
    void unrotate(double[] z, double[] out) {
        fwht(z);
        for (int i = 0; i < dim; i++) {
            z[i] *= s2[i];
        }
        fwht(z);
        for (int c = 0; c < d; c++) {
            out[c] = z[c] * s1[c] / dim;
        }
    }

    // code [at, at + D/64), ‖x‖ -> x̂ [d] = ‖x‖·Rᵀσ/√D (first d coordinates) into out [off, off + d)
    void decode(long[] code, int at, float norm, float[] out, int off) {
        for (int i = 0; i < dim; i++) {
            y[i] = (code[at + i / 64] >>> (i % 64) & 1) != 0 ? 1f : -1f;
        }
        fwht(y);                                          // Rᵀ = S₁·H·S₂·H / D
        for (int i = 0; i < dim; i++) {
            y[i] *= s2[i];
        }
        fwht(y);
        float scale = (float) (norm / (Math.sqrt(dim) * dim));
        for (int i = 0; i < d; i++) {
            out[off + i] = y[i] * s1[i] * scale;
        }
    }

    /** Hamming distance between the codes at a[ai..] and b[bi..], {@code words} longs each. */
    static int distance(long[] a, int ai, long[] b, int bi, int words) {
        int n = 0;
        for (int w = 0; w < words; w++) {
            n += Long.bitCount(a[ai + w] ^ b[bi + w]);
        }
        return n;
    }

    // y [D] -> H·y in place, unnormalised, in double
    static void fwht(double[] y) {
        int n = y.length;
        for (int h = 1; h < n; h <<= 1) {
            for (int i = 0; i < n; i += h << 1) {
                for (int j = i; j < i + h; j++) {
                    double a = y[j];
                    double b = y[j + h];
                    y[j] = a + b;
                    y[j + h] = a - b;
                }
            }
        }
    }

    // y [D] -> H·y in place, unnormalised (entries of H are ±1), butterflies of width 1, 2, 4, ...
    static void fwht(float[] y) {
        int n = y.length;
        for (int h = 1; h < n; h <<= 1) {
            for (int i = 0; i < n; i += h << 1) {
                for (int j = i; j < i + h; j++) {
                    float a = y[j];
                    float b = y[j + h];
                    y[j] = a + b;
                    y[j + h] = a - b;
                }
            }
        }
    }
}
