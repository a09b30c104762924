package io.longseq.math;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.math.reference.ReferenceModel;
import java.util.Random;
import java.util.stream.Stream;
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
        int n = 1000;
        float[] r = new float[n];
        float[] b = new float[n];
        for (int c = 0; c < n; c++) {
            r[c] = -12f + 24f * c / n;
            b[c] = (c % 7) * 0.01f;
        }
        float[] x = r.clone();
        k.biasGelu(r, b, n);
        for (int c = 0; c < n; c++) {
            double u = (double) x[c] + b[c];
            double expected = ReferenceModel.gelu(u);
            assertThat((double) r[c]).as("GELU(%f)", u)
                    .isCloseTo(expected, org.assertj.core.data.Offset.offset(2e-7 * Math.max(1, Math.abs(u))));
        }
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
