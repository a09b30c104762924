package io.longseq.math.memory;

import static io.longseq.math.memory.GlobalTierTest.assertBlockClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.longseq.math.TestModels;
import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.ChunkedModel;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.model.Pooling;
import io.longseq.math.reference.ReferenceModel;
import io.longseq.math.weights.Weights;
import io.longseq.math.weights.WeightsInit;
import io.longseq.math.weights.WeightsIo;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Pooling MAX and CONV ({@link Pooling}): the fast path streamed chunk by chunk against the double-precision
 * reference within 1e-4, both against hand-computed summaries, and the conv arrays of the weights file.
 */
class PoolingVariantsTest {

    @BeforeAll
    static void nd4j() {
        Nd4jRuntime.init(1);
    }

    @ParameterizedTest(name = "{0} causal={1} n={2}")
    @CsvSource({"MAX,false,1", "MAX,true,37", "MAX,false,1000", "CONV,false,1", "CONV,true,37", "CONV,false,1000",
            "CONV,true,999"})
    void streamedBlocksMatchReference(Pooling pooling, boolean causal, int n) {
        ModelConfig cfg = TestModels.small().pooling(pooling).causal(causal).build();
        Weights w = WeightsInit.random(cfg, 31, 1f);
        int[] ids = TestModels.dnaIds(cfg, n, 4);
        List<BlockResult> expected = new ReferenceModel(cfg, w).run(ids, n).blocks();
        List<BlockResult> actual;
        try (ChunkedModel model = new ChunkedModel(cfg, w)) {
            actual = model.run(ids, n, false).blocks();
        }
        assertThat(actual).hasSize(expected.size()).hasSize((n + 15) / 16);
        for (int b = 0; b < expected.size(); b++) {
            assertBlockClose(actual.get(b), expected.get(b));
        }
    }

    @Test
    void maxAndConvByHand() {
        ModelConfig base = TestModels.small().blockSize(4).chunkSize(8).build();
        int d = base.dModel();
        int n = 6;                                        // blocks [0, 4) and [4, 6): the last one partial
        float[] z = new float[n * d];                     // [n, d]
        Random r = new Random(5);
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) r.nextGaussian();
        }
        ModelConfig maxCfg = base.toBuilder().pooling(Pooling.MAX).build();
        float[] s = new float[2 * d];
        new BlockPooling(maxCfg, WeightsInit.random(maxCfg, 1, 1f)).pool(z, n, s);
        for (int c = 0; c < d; c++) {
            float m0 = Math.max(Math.max(z[c], z[d + c]), Math.max(z[2 * d + c], z[3 * d + c]));
            float m1 = Math.max(z[4 * d + c], z[5 * d + c]);
            assertThat(s[c]).isEqualTo(m0);
            assertThat(s[d + c]).isEqualTo(m1);
        }

        ModelConfig convCfg = base.toBuilder().pooling(Pooling.CONV).build();
        // the default kernel 1/B and bias 0 give the mean, also of the partial block (scaled by B/m)
        new BlockPooling(convCfg, WeightsInit.defaults(convCfg, 1)).pool(z, n, s);
        for (int c = 0; c < d; c++) {
            double mean0 = ((double) z[c] + z[d + c] + z[2 * d + c] + z[3 * d + c]) / 4;
            double mean1 = ((double) z[4 * d + c] + z[5 * d + c]) / 2;
            assertThat((double) s[c]).isCloseTo(mean0, within(1e-6));
            assertThat((double) s[d + c]).isCloseTo(mean1, within(1e-6));
        }
        // a kernel that picks position 2 of each block, times 3, plus a bias of 0.5
        Map<String, float[]> a = WeightsInit.random(convCfg, 2, 1f).toArrays();
        float[] k = new float[4 * d];
        for (int c = 0; c < d; c++) {
            k[2 * d + c] = 3f;
        }
        a.put(Weights.CONV_KERNEL, k);
        float[] bias = new float[d];
        java.util.Arrays.fill(bias, 0.5f);
        a.put(Weights.CONV_BIAS, bias);
        new BlockPooling(convCfg, Weights.fromArrays(convCfg, a)).pool(z, n, s);
        for (int c = 0; c < d; c++) {
            assertThat((double) s[c]).isCloseTo(3.0 * z[2 * d + c] + 0.5, within(1e-6));
            assertThat((double) s[d + c]).isCloseTo(0.5, within(1e-6));   // the partial block has no position 2
        }
    }

    @Test
    void convArraysAreInTheFileOnlyForConvAndChecked(@TempDir Path dir) throws Exception {
        ModelConfig mean = TestModels.small().build();
        ModelConfig conv = TestModels.small().pooling(Pooling.CONV).build();
        assertThat(Weights.shapes(mean)).doesNotContainKey(Weights.CONV_KERNEL);
        assertThat(Weights.shapes(conv).get(Weights.CONV_KERNEL)).containsExactly(16, 32);
        assertThat(Weights.shapes(conv).get(Weights.CONV_BIAS)).containsExactly(32);

        Path meanFile = dir.resolve("mean.npz");
        WeightsIo.save(meanFile, WeightsInit.defaults(mean, 1));
        assertThat(WeightsIo.check(meanFile, conv)).get().asString().contains("'pool.conv.kernel'", "missing");

        Path convFile = dir.resolve("conv.npz");
        Weights w = WeightsInit.random(conv, 3, 1f);
        WeightsIo.save(convFile, w);
        assertThat(WeightsIo.check(convFile, conv)).isEqualTo(Optional.empty());
        assertThat(WeightsIo.load(convFile, conv).poolConvKernel).containsExactly(w.poolConvKernel);
        // the same file under another block size: the kernel's shape is wrong, said before anything is allocated
        ModelConfig conv8 = conv.toBuilder().blockSize(8).build();
        assertThat(WeightsIo.check(convFile, conv8)).get().asString()
                .contains("'pool.conv.kernel'", "(16, 32)", "block-size 8", "(8, 32)");
        // a conv file is not a mean file: its extra arrays are named
        assertThat(WeightsIo.check(convFile, mean)).get().asString().contains("pool.conv");
    }
}
