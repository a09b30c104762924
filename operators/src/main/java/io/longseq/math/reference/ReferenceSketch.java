package io.longseq.math.reference;

/**
 * RETRIEVAL's sign sketches from their definition, in double (docs/design.md 2.5): R = H·S₂·H·S₁/D with H the D×D
 * Walsh–Hadamard matrix, H[i][c] = (−1)^popcount(i AND c), and S₁, S₂ diagonal ±1: sign i of S₁ is bit 0 and of S₂
 * bit 1 of h_i = SplitMix64(SplitMix64(seed XOR "sketch") + (i + 1)·γ). Code bit i = 1 when (R·x)_i &gt; 0 (x padded
 * by zeros to D); the estimate from code σ is x̂ = ‖x‖·Rᵀσ/√D, its first d coordinates. O(D²) a vector: for tests.
 */
public final class ReferenceSketch {

    private static final long GAMMA = 0x9E3779B97F4A7C15L;
    private static final long SALT = 0x736B65746368L;

    final int d;
    final int dim;
    private final double[] s1;   // [D]
    private final double[] s2;   // [D]

    public ReferenceSketch(int d, long seed) {
        this.d = d;
        int p = 1;
        while (p < d) {
            p <<= 1;
        }
        dim = Math.max(256, p);
        s1 = new double[dim];
        s2 = new double[dim];
        long base = ReferenceEntries.splitMix(seed ^ SALT);
        for (int i = 0; i < dim; i++) {
            long h = ReferenceEntries.splitMix(base + (i + 1) * GAMMA);
            s1[i] = (h & 1) == 0 ? 1 : -1;
            s2[i] = (h & 2) == 0 ? 1 : -1;
        }
    }

    /** D, the bits of a code. */
    public int bits() {
        return dim;
    }

    /** R·pad(x) [D]. */
    public double[] rotate(double[] x) {
        double[] y = new double[dim];
        for (int c = 0; c < d; c++) {
            y[c] = x[c] * s1[c];
        }
        y = hadamard(y);
        for (int i = 0; i < dim; i++) {
            y[i] *= s2[i];
        }
        y = hadamard(y);
        for (int i = 0; i < dim; i++) {
            y[i] /= dim;
        }
        return y;
    }

    /** The code of x [d]: D/64 longs, bit i of the code in word i/64, bit i%64. */
    public long[] encode(double[] x) {
        double[] y = rotate(x);
        long[] code = new long[dim / 64];
        for (int i = 0; i < dim; i++) {
            if (y[i] > 0) {
                code[i / 64] |= 1L << (i % 64);
            }
        }
        return code;
    }

    /** x̂ [d] = ‖x‖·Rᵀσ/√D from code σ and norm ‖x‖. */
    public double[] decode(long[] code, double norm) {
        double[] y = new double[dim];
        for (int i = 0; i < dim; i++) {
            y[i] = (code[i / 64] >>> (i % 64) & 1) != 0 ? 1 : -1;
        }
        y = hadamard(y);                                // Rᵀ = S₁·H·S₂·H/D
        for (int i = 0; i < dim; i++) {
            y[i] *= s2[i];
        }
        y = hadamard(y);
        double[] out = new double[d];
        for (int c = 0; c < d; c++) {
            out[c] = y[c] * s1[c] / dim * norm / Math.sqrt(dim);
        }
        return out;
    }

    /** Hamming distance of two codes. */
    public static int distance(long[] a, long[] b) {
        int n = 0;
        for (int w = 0; w < a.length; w++) {
            n += Long.bitCount(a[w] ^ b[w]);
        }
        return n;
    }

    // H·y, from the matrix's definition
    private double[] hadamard(double[] y) {
        double[] out = new double[dim];
        for (int i = 0; i < dim; i++) {
            double s = 0;
            for (int c = 0; c < dim; c++) {
                s += (Integer.bitCount(i & c) & 1) == 0 ? y[c] : -y[c];
            }
            out[i] = s;
        }
        return out;
    }
}
