package io.longseq.math.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.math.TestModels;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.reference.ReferenceMath;
import io.longseq.math.reference.ReferenceModel;
import io.longseq.math.weights.Weights;
import io.longseq.math.weights.WeightsInit;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Both elementwise kernel sets against double-precision formulas, and the local tier on each. */
class RowKernelsTest {

    @BeforeAll
    static void nd4j() {
        Nd4jRuntime.init(1);
    }

    static Stream<RowKernels> kernels() {
        return Stream.of(RowKernels.scalar(), RowKernels.best());
    }

    @Test
    void vectorKernelsAreInUseUnderTheBuildsJvmOptions() {
        // surefire runs with --add-modules jdk.incubator.vector, as the launcher and the job do
        assertThat(RowKernels.best().name()).startsWith("vector-");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void bandSoftmaxMatchesDoubleSoftmax(RowKernels k) {
        Random random = new Random(3);
        for (int trial = 0; trial < 200; trial++) {
            int len = 1 + random.nextInt(200);
            int lo = random.nextInt(len);
            int hi = lo + random.nextInt(len - lo);
            float[] r = new float[len];
            for (int j = 0; j < len; j++) {
                r[j] = (float) (random.nextGaussian() * (trial % 2 == 0 ? 3 : 40));
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int j = lo; j <= hi; j++) {
                max = Math.max(max, r[j]);
            }
            double sum = 0;
            for (int j = lo; j <= hi; j++) {
                sum += Math.exp(r[j] - max);
            }
            double[] expected = new double[len];
            for (int j = lo; j <= hi; j++) {
                expected[j] = Math.exp(r[j] - max) / sum;
            }
            k.bandSoftmax(r, lo, hi, len);
            for (int j = 0; j < len; j++) {
                assertThat((double) r[j]).as("trial %d slot %d [%d, %d]", trial, j, lo, hi)
                        .isCloseTo(expected[j], org.assertj.core.data.Offset.offset(1e-6));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void biasGeluMatchesErfGelu(RowKernels k) {
        // a sweep of [−12, 12) and, past it, values where erf is 1 in float (e^(−u²) clamped) and huge ones
        float[] large = {13f, -13f, 20f, -20f, 100f, -100f, 1e4f, -1e4f, 1e30f, -1e30f, 6.3f, -6.3f, 6.4f, -6.4f};
        int n = 1000 + large.length;
        float[] r = new float[n];
        float[] b = new float[n];
        for (int c = 0; c < n; c++) {
            r[c] = c < 1000 ? -12f + 24f * c / 1000 : large[c - 1000];
            b[c] = (c % 7) * 0.01f;
        }
        float[] x = r.clone();
        float[] array = r.clone();
        k.biasGelu(array, b, n);                          // the scalar form every kernel set has
        ByteBuffer buf = direct(r);
        k.biasGeluRows(buf, 0, 1, n, b, new float[n]);   // the kernel set's own (vector) form, one row
        r = floats(buf, n);
        for (int c = 0; c < n; c++) {
            assertThat(array[c]).as("GELU(%f): array form", (double) x[c] + b[c])
                    .isCloseTo(r[c], org.assertj.core.data.Offset.offset(4e-7f * Math.max(1, Math.abs(x[c] + b[c]))));
            double u = (double) x[c] + b[c];
            double expected = ReferenceMath.gelu(u);
            assertThat((double) r[c]).as("GELU(%f)", u)
                    .isCloseTo(expected, org.assertj.core.data.Offset.offset(2e-7 * Math.max(1, Math.abs(u))));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void biasGeluRowsGivesTheSameBitsWhateverTheRowWidth(RowKernels k) {
        // one row of 64 (two vectors at a time in the vector form) against the same values as rows of 16 (the row's one
        // vector paired with itself): a value's GELU must not depend on its neighbour in the pair. (A row's last
        // f mod 16 columns go through the scalar form, equal only to float rounding: biasGeluMatchesErfGelu.)
        Random random = new Random(29);
        float[] x = new float[64 * 40];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * (1 + random.nextInt(8)));
        }
        float[] reference = null;
        for (int f : new int[] {64, 16}) {
            int rows = x.length / f;
            float[] b = new float[f];                        // zero bias: the rows' widths differ
            ByteBuffer buf = direct(x);
            k.biasGeluRows(buf, 0, rows, f, b, new float[f]);
            float[] out = floats(buf, rows * f);
            if (reference == null) {
                reference = out;
            } else {
                assertThat(out).as("rows of %d", f).containsExactly(java.util.Arrays.copyOf(reference, rows * f));
            }
        }
    }

    // [rows, width] floats in a direct native-order buffer, as ND4J's memory is
    private static ByteBuffer direct(float[] values) {
        ByteBuffer b = ByteBuffer.allocateDirect(values.length * Float.BYTES).order(ByteOrder.nativeOrder());
        b.asFloatBuffer().put(values);
        return b;
    }

    private static float[] floats(ByteBuffer b, int n) {
        float[] out = new float[n];
        b.asFloatBuffer().get(0, out, 0, n);
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void biasGeluRowsInADirectBufferMatchErfGelu(RowKernels k) {
        for (int f : new int[] {512, 56, 40, 7}) {         // whole vectors; pairs, an odd vector and a tail; a tail
            int rows = 5;
            float[] h = new float[rows * f];
            float[] b = new float[f];
            Random random = new Random(f);
            for (int i = 0; i < h.length; i++) {
                h[i] = (float) (random.nextGaussian() * 4);
            }
            for (int c = 0; c < f; c++) {
                b[c] = (float) (random.nextGaussian() * 0.1);
            }
            ByteBuffer buf = direct(h);
            k.biasGeluRows(buf, 1, 4, f, b, new float[f]);   // rows 1..3; rows 0 and 4 untouched
            float[] out = floats(buf, h.length);
            for (int i = 0; i < rows; i++) {
                for (int c = 0; c < f; c++) {
                    int at = i * f + c;
                    if (i == 0 || i == 4) {
                        assertThat(out[at]).as("row %d untouched", i).isEqualTo(h[at]);
                        continue;
                    }
                    double u = (double) h[at] + b[c];
                    assertThat((double) out[at]).as("f %d: GELU(%f)", f, u).isCloseTo(ReferenceMath.gelu(u),
                            org.assertj.core.data.Offset.offset(3e-7 * Math.max(1, Math.abs(u))));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void layerNormRowsInDirectBuffersMatchDoubleLayerNorm(RowKernels k) {
        for (int d : new int[] {128, 40}) {                  // vector width, and a width the vector form leaves
            for (boolean withBias : new boolean[] {false, true}) {
                int rows = 6;                                 // rows 1..5: two pairs and an odd last row
                Random random = new Random(d * 2 + (withBias ? 1 : 0));
                float[] x = new float[rows * d];
                float[] gain = new float[d];
                float[] bias = new float[d];
                float[] rb = new float[d];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) (3 + random.nextGaussian() * 2);   // an offset mean, as a residual stream has
                }
                for (int c = 0; c < d; c++) {
                    gain[c] = (float) (1 + 0.1 * random.nextGaussian());
                    bias[c] = (float) (0.1 * random.nextGaussian());
                    rb[c] = (float) random.nextGaussian();
                }
                ByteBuffer src = direct(x);
                ByteBuffer dst = direct(new float[rows * d]);
                k.layerNormRows(src, dst, 1, rows, d, gain, bias, withBias ? rb : null, new float[d]);
                float[] srcOut = floats(src, x.length);
                float[] out = floats(dst, x.length);
                for (int i = 1; i < rows; i++) {
                    // the same bits as the kernel set's one-row form on (x + rb)
                    float[] r = java.util.Arrays.copyOfRange(x, i * d, (i + 1) * d);
                    for (int c = 0; withBias && c < d; c++) {
                        r[c] += rb[c];
                    }
                    k.layerNorm(r, d, gain, bias);
                    assertThat(java.util.Arrays.copyOfRange(out, i * d, (i + 1) * d))
                            .as("d %d bias %s row %d against layerNorm(float[])", d, withBias, i).containsExactly(r);
                }
                for (int i = 0; i < rows; i++) {
                    double[] v = new double[d];
                    double[] ln = doubleLayerNorm(x, i, d, withBias && i > 0 ? rb : null, gain, bias, v);
                    for (int c = 0; c < d; c++) {
                        int at = i * d + c;
                        if (i == 0) {
                            assertThat(out[at]).as("row 0 untouched").isEqualTo(0f);
                            assertThat(srcOut[at]).isEqualTo(x[at]);
                            continue;
                        }
                        assertThat((double) srcOut[at]).as("residual written back").isCloseTo(v[c],
                                org.assertj.core.data.Offset.offset(1e-6 * Math.abs(v[c])));
                        assertThat((double) out[at]).as("d %d bias %s row %d col %d", d, withBias, i, c)
                                .isCloseTo(ln[c], org.assertj.core.data.Offset.offset(2e-5));
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void layerNormRowsIntoAnArrayMatchesDoubleLayerNormAndLeavesTheSourceAlone(RowKernels k) {
        for (int d : new int[] {128, 40}) {                  // vector width, and a width the vector form leaves
            for (boolean withBias : new boolean[] {false, true}) {
                int rows = 8;                                 // rows 2..6: a block of four and a short last one
                Random random = new Random(d * 4 + (withBias ? 3 : 2));
                float[] x = new float[rows * d];
                float[] gain = new float[d];
                float[] bias = new float[d];
                float[] rb = new float[d];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) (-2 + random.nextGaussian() * 3);
                }
                for (int c = 0; c < d; c++) {
                    gain[c] = (float) (1 + 0.1 * random.nextGaussian());
                    bias[c] = (float) (0.1 * random.nextGaussian());
                    rb[c] = (float) random.nextGaussian();
                }
                ByteBuffer src = direct(x);
                int zOffset = 3;
                float[] z = new float[zOffset + 5 * d + 2];   // [5, d] from zOffset, a margin on each side
                java.util.Arrays.fill(z, 7f);
                k.layerNormRowsInto(src, 2, 7, d, gain, bias, withBias ? rb : null, z, zOffset, new float[d]);
                assertThat(floats(src, x.length)).as("source unchanged").containsExactly(x);
                assertThat(z[zOffset - 1]).as("before z's rows").isEqualTo(7f);
                assertThat(z[zOffset + 5 * d]).as("after z's rows").isEqualTo(7f);
                for (int i = 2; i < 7; i++) {
                    double[] ln = doubleLayerNorm(x, i, d, withBias ? rb : null, gain, bias, new double[d]);
                    float[] r = java.util.Arrays.copyOfRange(x, i * d, (i + 1) * d);   // the one-row form's bits
                    for (int c = 0; withBias && c < d; c++) {
                        r[c] += rb[c];
                    }
                    k.layerNorm(r, d, gain, bias);
                    int at = zOffset + (i - 2) * d;
                    assertThat(java.util.Arrays.copyOfRange(z, at, at + d))
                            .as("d %d bias %s row %d against layerNorm(float[])", d, withBias, i).containsExactly(r);
                    for (int c = 0; c < d; c++) {
                        assertThat((double) z[at + c]).as("d %d bias %s row %d col %d", d, withBias, i, c)
                                .isCloseTo(ln[c], org.assertj.core.data.Offset.offset(2e-5));
                    }
                }
            }
        }
    }

    // the independent reference: row i of x [·, d] (+ rb) in double -> v (the row, biased), returns LN(v)·gain + bias
    private static double[] doubleLayerNorm(float[] x, int i, int d, float[] rb, float[] gain, float[] bias,
                                            double[] v) {
        double mean = 0;
        for (int c = 0; c < d; c++) {
            v[c] = (double) x[i * d + c] + (rb != null ? rb[c] : 0);
            mean += v[c];
        }
        mean /= d;
        double var = 0;
        for (int c = 0; c < d; c++) {
            var += (v[c] - mean) * (v[c] - mean);
        }
        double inv = 1 / Math.sqrt(var / d + 1e-5);
        double[] out = new double[d];
        for (int c = 0; c < d; c++) {
            out[c] = (v[c] - mean) * inv * gain[c] + bias[c];
        }
        return out;
    }

    @Test
    void matVecMatchesDoubleProductAndBothKernelSetsAgreeBitForBit() {
        Random random = new Random(17);
        // 128: whole tiles of eight vectors; 96 and 10: widths the vector kernel hands to the scalar loop
        for (int d : new int[] {128, 96, 10}) {
            double[] x = new double[d];
            double[] w = new double[d * d];
            for (int i = 0; i < d; i++) {
                x[i] = random.nextGaussian();
            }
            for (int i = 0; i < d * d; i++) {
                w[i] = (float) random.nextGaussian();
            }
            float[] scalar = new float[d];
            float[] vector = new float[d];
            RowKernels.scalar().matVec(x, w, new double[d], scalar, d);
            RowKernels.best().matVec(x, w, new double[d], vector, d);
            assertThat(vector).as("d = %d", d).containsExactly(scalar);
            for (int c = 0; c < d; c++) {
                double y = 0;
                for (int e = 0; e < d; e++) {
                    y += x[e] * w[e * d + c];
                }
                // float rounding of the result (2^-24 relative) plus double sums of d products
                assertThat((double) scalar[c]).as("d = %d, y[%d]", d, c)
                        .isCloseTo(y, Offset.offset(1e-7 * (1 + Math.abs(y)) + 1e-12 * d));
            }
        }
    }

    @Test
    void entryDotsKeepFourPartialSumsPerEntryAndMatchDoubleDots() {
        Random random = new Random(29);
        // 128 and 12: whole groups of four columns; 10: a column tail; m from 0 to 9 covers every count of entries
        // left after the groups of four entries
        for (int d : new int[] {128, 12, 10}) {
            for (int m = 0; m < 10; m++) {
                float[] q = new float[d];
                float[] keys = new float[m * d + 5];        // slack past the last entry must not be read
                for (int c = 0; c < d; c++) {
                    q[c] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(8) - 4));
                }
                for (int i = 0; i < keys.length; i++) {
                    keys[i] = i < m * d ? (float) (random.nextGaussian() * Math.pow(10, random.nextInt(8) - 4))
                            : Float.NaN;
                }
                double[] dots = new double[m];
                RowKernels.best().entryDots(q, keys, m, d, dots);
                for (int e = 0; e < m; e++) {
                    // the documented order: s_j over columns c ≡ j (mod 4) in order of c, the tail into s₀
                    double[] part = new double[4];
                    double dot = 0;
                    double magnitude = 0;
                    for (int c = 0; c < d; c++) {
                        double t = (double) q[c] * keys[e * d + c];
                        part[c < d - d % 4 ? c % 4 : 0] += t;
                        dot += t;
                        magnitude += Math.abs(t);
                    }
                    assertThat(dots[e]).as("d = %d, m = %d, entry %d", d, m, e)
                            .isEqualTo((part[0] + part[1]) + (part[2] + part[3]));
                    // double sums of d exact products, in another order: a few ulps of the sum of magnitudes
                    assertThat(dots[e]).as("d = %d, entry %d", d, e).isCloseTo(dot, Offset.offset(1e-14 * magnitude));
                }
            }
        }
    }

    @Test
    void weightedSumAddsEntriesInOrder() {
        Random random = new Random(31);
        for (int d : new int[] {128, 96, 10}) {
            for (int m : new int[] {0, 1, 7, 93}) {     // groups of four entries and every remainder
                double[] p = new double[m];
                float[] values = new float[m * d];
                for (int e = 0; e < m; e++) {
                    p[e] = random.nextDouble() * Math.pow(10, random.nextInt(10) - 5);
                }
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(8) - 4));
                }
                double[] g = new double[d];       // g is added to, not overwritten
                for (int c = 0; c < d; c++) {
                    g[c] = random.nextGaussian();
                }
                double[] start = g.clone();
                RowKernels.best().weightedSum(p, values, m, d, g);
                for (int c = 0; c < d; c++) {
                    double expected = start[c];
                    for (int e = 0; e < m; e++) {
                        expected += p[e] * values[e * d + c];
                    }
                    assertThat(g[c]).as("d = %d, m = %d, column %d", d, m, c).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void columnSumsAddEachColumnInRowOrderAndBothKernelSetsAgreeBitForBit() {
        Random random = new Random(23);
        // 128: whole tiles of eight vectors; 96 and 10: widths the vector kernel hands to the scalar loop
        for (int d : new int[] {128, 96, 10}) {
            int rows = 300;
            float[] z = new float[rows * d];
            for (int i = 0; i < z.length; i++) {
                // magnitudes over twelve decades, so the order of the adds shows in the last bits
                z[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(12) - 6));
            }
            for (int trial = 0; trial < 20; trial++) {
                int from = random.nextInt(rows);
                int to = from + 1 + random.nextInt(rows - from);
                double[] scalar = new double[d];
                double[] vector = new double[d];
                java.util.Arrays.fill(vector, 42.0); // stale sums must not leak into the result
                RowKernels.scalar().columnSums(z, from, to, d, scalar);
                RowKernels.best().columnSums(z, from, to, d, vector);
                assertThat(vector).as("d = %d, rows [%d, %d)", d, from, to).containsExactly(scalar);
                for (int c = 0; c < d; c++) {
                    double sum = 0;
                    for (int j = from; j < to; j++) {
                        sum += z[j * d + c];
                    }
                    assertThat(scalar[c]).as("d = %d, column %d", d, c).isEqualTo(sum);
                }
            }
        }
    }

    @Test
    void ropeRowMatchesDoubleRotationAndBothKernelSetsAgreeBitForBit() {
        int d = 128;
        int heads = 4;
        int dh = d / heads;
        Rope rope = new Rope(dh);
        long position = 1_234_567L;
        float[] cos = new float[dh / 2];
        float[] sin = new float[dh / 2];
        rope.angles(position, 1, cos, sin);
        float[] cosDup = new float[dh];
        float[] sinAlt = new float[dh];
        for (int m = 0; m < dh / 2; m++) {
            cosDup[2 * m] = cos[m];
            cosDup[2 * m + 1] = cos[m];
            sinAlt[2 * m] = -sin[m];
            sinAlt[2 * m + 1] = sin[m];
        }
        Random random = new Random(11);
        float[] row = new float[2 * 3 * d];                   // two rows; the second is the one rotated
        for (int i = 0; i < row.length; i++) {
            row[i] = (float) random.nextGaussian();
        }
        ByteBuffer qkv = direct(row);
        float qScale = 0.25f;
        float[][][] q = new float[2][heads][3 * dh];
        float[][][] v = new float[2][heads][3 * dh];
        float[][] k = new float[2][d];
        RowKernels[] sets = {RowKernels.scalar(), RowKernels.best()};
        for (int s = 0; s < 2; s++) {
            sets[s].ropeRow(qkv, 3 * d * Float.BYTES, d, heads, dh, cosDup, sinAlt, 0, qScale, q[s], v[s], dh, k[s]);
        }
        for (int hd = 0; hd < heads; hd++) {
            assertThat(q[1][hd]).as("head %d q", hd).containsExactly(q[0][hd]);
            assertThat(v[1][hd]).as("head %d v", hd).containsExactly(v[0][hd]);
            for (int m = 0; m < dh / 2; m++) {
                double angle = position * rope.theta(m);
                int e = 3 * d + hd * dh + 2 * m;                   // the second row's q pair; k is d further
                double q0 = row[e];
                double q1 = row[e + 1];
                double k0 = row[e + d];
                double k1 = row[e + d + 1];
                Offset<Double> tol = Offset.offset(1e-5 * (1 + Math.abs(q0) + Math.abs(q1) + Math.abs(k0) + Math.abs(k1)));
                assertThat((double) q[0][hd][dh + 2 * m]).isCloseTo((q0 * Math.cos(angle) - q1 * Math.sin(angle)) * qScale, tol);
                assertThat((double) q[0][hd][dh + 2 * m + 1]).isCloseTo((q0 * Math.sin(angle) + q1 * Math.cos(angle)) * qScale, tol);
                assertThat((double) k[0][hd * dh + 2 * m]).isCloseTo(k0 * Math.cos(angle) - k1 * Math.sin(angle), tol);
                assertThat((double) k[0][hd * dh + 2 * m + 1]).isCloseTo(k0 * Math.sin(angle) + k1 * Math.cos(angle), tol);
            }
            for (int c = 0; c < dh; c++) {
                assertThat(v[0][hd][dh + c]).isEqualTo(row[3 * d + 2 * d + hd * dh + c]);
            }
        }
        assertThat(k[1]).containsExactly(k[0]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void localTierMatchesReferenceWithEitherKernels(RowKernels k) {
        ModelConfig cfg = TestModels.small().layers(2).build();
        Weights w = WeightsInit.random(cfg, 5, 1f);
        int n = 200;
        int[] ids = TestModels.dnaIds(cfg, n, 6);
        double[][] expected = new ReferenceModel(cfg, w).localTier(ids, n);
        float[] z = new float[n * cfg.dModel()];
        try (LocalTier tier = new LocalTier(cfg, w, n, k)) {
            tier.forward(ids, 0, n, 0, n, z);
        }
        LocalTierTest.assertClose(z, expected, 0, n, cfg.dModel());
    }
}
