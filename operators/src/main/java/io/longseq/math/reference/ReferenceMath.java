package io.longseq.math.reference;

/**
 * The scalar helpers of the reference in double precision (docs/design.md 1): x·W, LayerNorm, softmax, the exact
 * GELU and erf. Private to the reference on purpose: it shares no kernel with the code it checks.
 */
public final class ReferenceMath {

    private ReferenceMath() {}

    // ------------------------------------------------------------------------------------------------
    // Scalar and vector helpers, private to the reference on purpose (no shared kernels).
    // ------------------------------------------------------------------------------------------------

    /** y = x·W for a row vector x [din] and W stored row-major [din, dout]. */
    static double[] vecMat(double[] x, float[] wt, int din, int dout) {
        // x [din], W [din, dout] -> y [dout]
        double[] y = new double[dout];
        for (int r = 0; r < din; r++) {
            double xr = x[r];
            int row = r * dout;
            for (int c = 0; c < dout; c++) {
                y[c] += xr * wt[row + c];
            }
        }
        return y;
    }

    /** LayerNorm with biased variance (divide by d), eps 1e-5, gain and bias. */
    static double[] layerNorm(double[] x, float[] gain, float[] bias) {
        // x [d] -> [d]
        int d = x.length;
        double mean = 0;
        for (double u : x) {
            mean += u;
        }
        mean /= d;
        double var = 0;
        for (double u : x) {
            var += (u - mean) * (u - mean);
        }
        var /= d;
        double inv = 1.0 / Math.sqrt(var + ReferenceModel.LN_EPS);
        double[] y = new double[d];
        for (int c = 0; c < d; c++) {
            y[c] = (x[c] - mean) * inv * gain[c] + bias[c];
        }
        return y;
    }

    /** Softmax that subtracts the maximum first. */
    static double[] softmax(double[] s) {
        // s [m] -> p [m]
        double max = Double.NEGATIVE_INFINITY;
        for (double u : s) {
            max = Math.max(max, u);
        }
        double[] p = new double[s.length];
        double sum = 0;
        for (int i = 0; i < s.length; i++) {
            p[i] = Math.exp(s[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < s.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Exact GELU: 0.5·u·(1 + erf(u/√2)). */
    public static double gelu(double u) {
        return 0.5 * u * (1.0 + erf(u / Math.sqrt(2.0)));
    }

    /**
     * The error function in double precision, absolute error below 1e-15 (Java has none).
     *
     * <p>For |x| &lt; 2.5 it sums the series erf(x) = (2/√π)·e^(−x²)·Σ_{n≥0} 2ⁿ x^(2n+1) / (1·3·…·(2n+1))
     * (Abramowitz–Stegun 7.1.6): all terms have one sign, so nothing cancels; terms are added until they
     * no longer change the sum. For 2.5 ≤ |x| &lt; 6 it is 1 − erfc(x), with erfc from its continued
     * fraction erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))) (A–S 7.1.14),
     * evaluated from the tail with a fixed depth that is ample for x ≥ 2.5. For |x| ≥ 6,
     * 1 − |erf(x)| &lt; 2.2e-17, so ±1 is erf rounded to double.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        double ax = Math.abs(x);
        double r;
        if (ax >= 6.0) {
            r = 1.0;
        } else if (ax >= 2.5) {
            double t = ax;
            for (int k = 120; k >= 1; k--) {
                t = ax + (k / 2.0) / t;
            }
            r = 1.0 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / t;
        } else {
            double x2 = ax * ax;
            double term = ax; // n = 0
            double sum = ax;
            for (int n = 1; n < 200; n++) {
                term *= 2.0 * x2 / (2 * n + 1);
                double next = sum + term;
                if (next == sum) {
                    break;
                }
                sum = next;
            }
            r = Math.min(1.0, 2.0 / Math.sqrt(Math.PI) * Math.exp(-x2) * sum);
        }
        return Math.copySign(r, x);
    }
}
