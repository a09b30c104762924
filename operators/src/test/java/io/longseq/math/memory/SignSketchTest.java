package io.longseq.math.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.math.reference.ReferenceSketch;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link SignSketch} (RETRIEVAL's sketch tier, float) against {@link ReferenceSketch} (the definition, in double):
 * the same bits wherever the rotated coordinate is clear of zero, estimates within float rounding, and the rotation
 * the definition states (orthogonal, so x̂ has the norm of x).
 */
class SignSketchTest {

    private static float[] gaussian(Random random, int d) {
        float[] x = new float[d];
        for (int c = 0; c < d; c++) {
            x[c] = (float) random.nextGaussian();
        }
        return x;
    }

    private static double[] toDouble(float[] x) {
        double[] out = new double[x.length];
        for (int c = 0; c < x.length; c++) {
            out[c] = x[c];
        }
        return out;
    }

    /** Every bit whose coordinate (R x)_i is more than 1e-5·‖x‖ from zero equals the definition's. */
    @Test
    void codesAreTheDefinitionsAwayFromZero() {
        for (int d : new int[] {8, 32, 128, 300}) {
            SignSketch fast = new SignSketch(d, 11);
            ReferenceSketch ref = new ReferenceSketch(d, 11);
            assertThat(fast.dim).isEqualTo(ref.bits()).isEqualTo(d <= 256 ? 256 : 512);
            Random random = new Random(d);
            int near = 0;
            for (int t = 0; t < 40; t++) {
                float[] x = gaussian(random, d);
                double[] xd = toDouble(x);
                long[] code = new long[fast.words];
                fast.encode(x, 0, code, 0);
                long[] expected = ref.encode(xd);
                double[] y = ref.rotate(xd);
                double norm = Math.sqrt(java.util.Arrays.stream(xd).map(v -> v * v).sum());
                for (int i = 0; i < fast.dim; i++) {
                    boolean bit = (code[i / 64] >>> (i % 64) & 1) != 0;
                    boolean want = (expected[i / 64] >>> (i % 64) & 1) != 0;
                    if (Math.abs(y[i]) > 1e-5 * norm) {
                        assertThat(bit).as("d=%d vector %d bit %d (R x = %s)", d, t, i, y[i]).isEqualTo(want);
                    } else {
                        near++;
                    }
                }
            }
            assertThat(near).as("coordinates within 1e-5·‖x‖ of zero, d=%d", d).isLessThan(5);
        }
    }

    /** x̂ = ‖x‖·Rᵀσ/√D from a code, against the double definition, to float rounding; ‖R x‖ = ‖x‖. */
    @Test
    void estimatesAreTheDefinitions() {
        for (int d : new int[] {8, 128, 300}) {
            SignSketch fast = new SignSketch(d, -3);
            ReferenceSketch ref = new ReferenceSketch(d, -3);
            Random random = new Random(7 + d);
            for (int t = 0; t < 10; t++) {
                float[] x = gaussian(random, d);
                double[] xd = toDouble(x);
                double norm = Math.sqrt(java.util.Arrays.stream(xd).map(v -> v * v).sum());
                double rotated = Math.sqrt(java.util.Arrays.stream(ref.rotate(xd)).map(v -> v * v).sum());
                assertThat(rotated).isCloseTo(norm, org.assertj.core.data.Offset.offset(1e-9 * norm));
                long[] code = ref.encode(xd);
                float[] got = new float[d + 2];
                fast.decode(code, 0, (float) norm, got, 1);
                double[] want = ref.decode(code, norm);
                for (int c = 0; c < d; c++) {
                    assertThat((double) got[1 + c]).as("d=%d coordinate %d", d, c)
                            .isCloseTo(want[c], org.assertj.core.data.Offset.offset(1e-5 * norm));
                }
                assertThat(got[0]).isZero();
                assertThat(got[d + 1]).isZero();
            }
        }
    }

    /**
     * What a sketch is for: at D = 2d the estimate points about where x does (the expected cosine of a D-bit sign
     * estimate of a vector in a d-dimensional subspace is about √(2/π)·√(D/d)/... ≈ 0.8 here: asserted ≥ 0.7 on
     * every vector), and a vector's code is nearer its own slightly perturbed copy than unrelated vectors' codes.
     */
    @Test
    void estimatesPointAtTheirVectorAndNearCopiesHaveNearCodes() {
        int d = 128;
        SignSketch sketch = new SignSketch(d, 5);
        Random random = new Random(1);
        for (int t = 0; t < 50; t++) {
            float[] x = gaussian(random, d);
            long[] code = new long[sketch.words];
            sketch.encode(x, 0, code, 0);
            double nn = 0;
            for (float v : x) {
                nn += (double) v * v;
            }
            float[] xHat = new float[d];
            sketch.decode(code, 0, (float) Math.sqrt(nn), xHat, 0);
            double dot = 0;
            double hh = 0;
            for (int c = 0; c < d; c++) {
                dot += (double) x[c] * xHat[c];
                hh += (double) xHat[c] * xHat[c];
            }
            assertThat(dot / Math.sqrt(nn * hh)).as("cos(x, x̂), vector %d", t).isGreaterThan(0.7);
            float[] near = x.clone();
            for (int c = 0; c < d; c++) {
                near[c] += (float) (0.2 * random.nextGaussian());
            }
            long[] nearCode = new long[sketch.words];
            sketch.encode(near, 0, nearCode, 0);
            long[] other = new long[sketch.words];
            sketch.encode(gaussian(random, d), 0, other, 0);
            assertThat(SignSketch.distance(code, 0, nearCode, 0, sketch.words))
                    .isLessThan(SignSketch.distance(code, 0, other, 0, sketch.words));
        }
    }
}
