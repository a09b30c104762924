package io.longseq.math.kernel;

/**
 * Rotary position angles for absolute positions, computed in double and rounded to float (docs/design.md 1).
 *
 * <p>cos(p·θ_m) and sin(p·θ_m) for millions of positions would cost a libm call each. The position is
 * split as p = hi + lo with lo = p mod 4096, and the angle-addition formulas combine a fixed table for
 * lo with one cos/sin pair for hi, all in double. The result is a function of p alone (not of how a
 * sequence is chunked), so every chunking gets bitwise the same angles.
 */
public final class Rope {

    private static final int LO_BITS = 12;
    private static final int LO_SIZE = 1 << LO_BITS;

    private final int pairs;            // d_h / 2
    private final double[] theta;       // [pairs]
    private final double[] loCos;       // [4096, pairs]
    private final double[] loSin;       // [4096, pairs]
    private final double[] hiCos;       // [pairs] for the current hi
    private final double[] hiSin;       // [pairs]
    private long currentHi = -1;

    public Rope(int headDim) {
        pairs = headDim / 2;
        theta = new double[pairs];
        for (int m = 0; m < pairs; m++) {
            theta[m] = Math.pow(10000.0, -2.0 * m / headDim);
        }
        loCos = new double[LO_SIZE * pairs];
        loSin = new double[LO_SIZE * pairs];
        for (int lo = 0; lo < LO_SIZE; lo++) {
            for (int m = 0; m < pairs; m++) {
                loCos[lo * pairs + m] = Math.cos(lo * theta[m]);
                loSin[lo * pairs + m] = Math.sin(lo * theta[m]);
            }
        }
        hiCos = new double[pairs];
        hiSin = new double[pairs];
    }

    /** θ_m = 10000^(−2m/d_h). */
    public double theta(int m) {
        return theta[m];
    }

    // positions [first, first+n) -> cos, sin [n, d_h/2] (float)
    public void angles(long first, int n, float[] cos, float[] sin) {
        for (int i = 0; i < n; i++) {
            long p = first + i;
            long hi = p & ~(LO_SIZE - 1L);
            int lo = (int) (p - hi);
            if (hi != currentHi) {
                for (int m = 0; m < pairs; m++) {
                    hiCos[m] = Math.cos(hi * theta[m]);
                    hiSin[m] = Math.sin(hi * theta[m]);
                }
                currentHi = hi;
            }
            int o = i * pairs;
            int t = lo * pairs;
            for (int m = 0; m < pairs; m++) {
                double c = hiCos[m] * loCos[t + m] - hiSin[m] * loSin[t + m];
                double s = hiSin[m] * loCos[t + m] + hiCos[m] * loSin[t + m];
                cos[o + m] = (float) c;
                sin[o + m] = (float) s;
            }
        }
    }

    /**
     * Rotates one head's query and key of a fused [q | k | v] row: pair (2m, 2m+1) by the position's angle m.
     * The query is also scaled (by 1/√d_h, so the scores need no division).
     */
    // qkvRow [3d], head columns [col, col+d_h), angles cos/sin [·, d_h/2] at ang -> q [d_h], k [d_h]
    static void rotateHead(float[] qkvRow, int d, int col, int dh, float[] cos, float[] sin, int ang, float qScale,
                           float[] q, float[] k) {
        for (int m = 0; m < dh / 2; m++) {
            float c = cos[ang + m];
            float sn = sin[ang + m];
            int e = col + 2 * m;
            float q0 = qkvRow[e];
            float q1 = qkvRow[e + 1];
            q[2 * m] = (q0 * c - q1 * sn) * qScale;
            q[2 * m + 1] = (q0 * sn + q1 * c) * qScale;
            float k0 = qkvRow[d + e];
            float k1 = qkvRow[d + e + 1];
            k[2 * m] = k0 * c - k1 * sn;
            k[2 * m + 1] = k0 * sn + k1 * c;
        }
    }
}
