package io.longseq.math;

/**
 * GELU with the exact erf form, GELU(x) = x·Φ(x), Φ(x) = (1 + erf(x/√2))/2, tabulated for speed.
 *
 * <p>An erf per element (1M elements per chunk with d_ff = 512) costs more than the GEMM that feeds it,
 * so Φ is read from a table on [−8, 8] with step 1/512 and linear interpolation. The table is filled
 * once from a convergent all-positive series in double (Abramowitz &amp; Stegun 7.1.6, no cancellation).
 * Interpolation error of Φ is at most h²/8·max|Φ''| = 1.2e-7, so |GELU error| ≤ 1e-6 for |x| ≤ 8;
 * beyond ±8, Φ is 1 or 0 to within 7e-16. See docs/numerics.md.
 */
public final class Gelu {

    private static final float LO = -8f;
    private static final float HI = 8f;
    private static final int STEPS_PER_UNIT = 512;
    private static final float SCALE = STEPS_PER_UNIT;
    /** Φ at LO + i/512, i = 0..8192, plus one guard entry. */
    private static final float[] PHI = buildTable();

    private Gelu() {}

    /** GELU(x) = x·Φ(x), |error| ≤ 1e-6·max(1, |x|/8). */
    public static float apply(float x) {
        if (x >= HI) {
            return x;
        }
        if (x <= LO) {
            return 0f;
        }
        float t = (x - LO) * SCALE;
        int i = (int) t;
        float frac = t - i;
        float phi = PHI[i] + frac * (PHI[i + 1] - PHI[i]);
        return x * phi;
    }

    /** erf(x) in double from the series erf x = 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3···(2n+1)); |x| ≤ 8. */
    static double erf(double x) {
        double ax = Math.abs(x);
        double term = ax;
        double sum = ax;
        for (int n = 1; n < 2000; n++) {
            term *= 2 * ax * ax / (2 * n + 1);
            sum += term;
            if (term < sum * 1e-17) {
                break;
            }
        }
        double r = 2 / Math.sqrt(Math.PI) * Math.exp(-ax * ax) * sum;
        r = Math.min(1.0, r);
        return x < 0 ? -r : r;
    }

    private static float[] buildTable() {
        int n = (int) ((HI - LO) * STEPS_PER_UNIT);
        float[] t = new float[n + 2];
        for (int i = 0; i <= n + 1; i++) {
            double x = LO + (double) i / STEPS_PER_UNIT;
            t[i] = (float) (0.5 * (1 + erf(x / Math.sqrt(2))));
        }
        return t;
    }
}
