package io.longseq.math.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longseq.math.TestModels;
import io.longseq.math.features.FeatureKind;
import io.longseq.math.memory.GlobalTierTest;
import io.longseq.math.model.ChunkedModel;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.LocalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.model.Pooling;
import io.longseq.math.reference.ReferenceModel;
import io.longseq.math.weights.Weights;
import io.longseq.math.weights.WeightsInit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Local mode FULL (docs/design.md 2.7): the dense ND4J local tier against the double-precision reference with an
 * unbounded window, against the sliding tier when the window covers the whole sequence, through
 * {@link ChunkedModel}, and its memory guard. Tolerance 1e-4 absolute, as for the sliding tier.
 */
class DenseLocalTierTest {

    @BeforeAll
    static void nd4j() {
        Nd4jRuntime.init(1);
    }

    static ModelConfig.Builder dense() {
        return TestModels.small().localMode(LocalMode.FULL);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (boolean causal : new boolean[] {false, true}) {
            for (int layers : new int[] {1, 2}) {
                for (boolean random : new boolean[] {true, false}) {
                    for (int n : new int[] {1, 5, 37, 300}) {
                        out.add(Arguments.of(causal, layers, random, n));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "causal={0} L={1} randomWeights={2} n={3}")
    @MethodSource("cases")
    void matchesReference(boolean causal, int layers, boolean random, int n) {
        ModelConfig cfg = dense().causal(causal).layers(layers).build();
        Weights w = random ? WeightsInit.random(cfg, 7, 1f) : WeightsInit.defaults(cfg, 7);
        int[] ids = TestModels.dnaIds(cfg, n, 11 + n);
        double[][] expected = new ReferenceModel(cfg, w).localTier(ids, n);
        float[] z = new float[n * cfg.dModel()];
        try (DenseLocalTier tier = new DenseLocalTier(cfg, w)) {
            tier.forward(ids, n, z);
        }
        LocalTierTest.assertClose(z, expected, 0, n, cfg.dModel());
    }

    @Test
    void referenceFullDiffersFromSlidingWhenTheWindowIsShort() {
        // guards against a FULL mode that silently keeps the window: with w = 8 and n = 60 the results differ
        ModelConfig full = dense().build();
        ModelConfig sliding = full.toBuilder().localMode(LocalMode.SLIDING).build();
        Weights w = WeightsInit.random(full, 3, 1f);
        int n = 60;
        int[] ids = TestModels.dnaIds(full, n, 2);
        double[][] a = new ReferenceModel(full, w).localTier(ids, n);
        double[][] b = new ReferenceModel(sliding, w).localTier(ids, n);
        double maxDiff = 0;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < full.dModel(); c++) {
                maxDiff = Math.max(maxDiff, Math.abs(a[i][c] - b[i][c]));
            }
        }
        assertThat(maxDiff).isGreaterThan(1e-3);
    }

    @Test
    void referenceFullIsSlidingWithACoveringWindow() {
        // the reference's FULL mode is its sliding window made unbounded: with w ≥ n the two are the same loops
        for (boolean causal : new boolean[] {false, true}) {
            int n = 45;
            ModelConfig sliding = TestModels.small().causal(causal).layers(2).window(n).build();
            ModelConfig full = sliding.toBuilder().localMode(LocalMode.FULL).build();
            Weights w = WeightsInit.random(sliding, 6, 1f);
            int[] ids = TestModels.dnaIds(sliding, n, 3);
            assertThat(new ReferenceModel(full, w).localTier(ids, n))
                    .isDeepEqualTo(new ReferenceModel(sliding, w).localTier(ids, n));
        }
    }

    @Test
    void wideHeadsAndMultiFeatureInputsMatchReference() {
        // d_h = 32 (the width of the sliding tier's fused path) and LOG inputs with empty slots
        ModelConfig cfg = dense().dModel(64).heads(2).featureKind(FeatureKind.LOG).vocabSize(97).maxFeatures(5)
                .layers(2).build();
        Weights w = WeightsInit.random(cfg, 9, 1f);
        int n = 77;
        int[] ids = TestModels.tokenIds(cfg, n, 4);
        double[][] expected = new ReferenceModel(cfg, w).localTier(ids, n);
        float[] z = new float[n * cfg.dModel()];
        try (DenseLocalTier tier = new DenseLocalTier(cfg, w)) {
            tier.forward(ids, n, z);
        }
        LocalTierTest.assertClose(z, expected, 0, n, cfg.dModel());
    }

    static Stream<Arguments> coveringWindowCases() {
        List<Arguments> out = new ArrayList<>();
        for (boolean causal : new boolean[] {false, true}) {
            for (int layers : new int[] {1, 2}) {
                for (int headWidth : new int[] {8, 32}) {
                    out.add(Arguments.of(causal, layers, headWidth));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "causal={0} L={1} d_h={2}")
    @MethodSource("coveringWindowCases")
    void equalsSlidingWhenTheWindowCoversTheSequence(boolean causal, int layers, int headWidth) {
        int n = 150;
        int heads = headWidth == 8 ? 4 : 2;
        ModelConfig sliding = TestModels.small().dModel(headWidth * heads).heads(heads).causal(causal).layers(layers)
                .window(n).build();                                  // w ≥ n: every position sees every other
        ModelConfig full = sliding.toBuilder().localMode(LocalMode.FULL).build();
        Weights w = WeightsInit.random(sliding, 5, 1f);
        int d = sliding.dModel();
        int[] ids = TestModels.dnaIds(sliding, n, 17);
        float[] a = new float[n * d];
        float[] b = new float[n * d];
        try (LocalTier tier = new LocalTier(sliding, w, n)) {
            tier.forward(ids, 0, n, 0, n, a);
        }
        try (DenseLocalTier tier = new DenseLocalTier(full, w)) {
            tier.forward(ids, n, b);
        }
        double maxDiff = 0;
        for (int i = 0; i < a.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
        }
        assertThat(maxDiff).isLessThan(1e-4);
    }

    static Stream<Arguments> chunkedCases() {
        return Stream.of(
                Arguments.of(GlobalMode.HIERARCHICAL, Pooling.MEAN, false, 500),
                Arguments.of(GlobalMode.HIERARCHICAL, Pooling.ATTENTION, true, 333),
                Arguments.of(GlobalMode.FULL, Pooling.MEAN, true, 200),
                Arguments.of(GlobalMode.FULL, Pooling.ATTENTION, false, 64),
                Arguments.of(GlobalMode.HIERARCHICAL, Pooling.MEAN, false, 1),
                Arguments.of(GlobalMode.HIERARCHICAL, Pooling.ATTENTION, false, 9));
    }

    @ParameterizedTest(name = "{0} {1} causal={2} n={3}")
    @MethodSource("chunkedCases")
    void chunkedModelInFullModeMatchesReferenceBlocks(GlobalMode mode, Pooling pooling, boolean causal, int n) {
        ModelConfig cfg = dense().globalMode(mode).pooling(pooling).causal(causal).build();
        Weights w = WeightsInit.random(cfg, 21, 1f);
        int[] ids = TestModels.dnaIds(cfg, n, 8);
        ReferenceModel.Result expected = new ReferenceModel(cfg, w).run(ids, n);
        ChunkedModel.Result actual;
        List<Long> progress = new ArrayList<>();
        try (ChunkedModel model = new ChunkedModel(cfg, w)) {
            actual = model.run(ids, n, true, progress::add);
        }
        assertThat(actual.blocks()).hasSameSizeAs(expected.blocks())
                .hasSize((n + cfg.blockSize() - 1) / cfg.blockSize());
        for (int b = 0; b < expected.blocks().size(); b++) {
            GlobalTierTest.assertBlockClose(actual.blocks().get(b), expected.blocks().get(b));
        }
        LocalTierTest.assertClose(actual.z(), expected.z(), 0, n, cfg.dModel());
        assertThat(progress).isNotEmpty().last().isEqualTo((long) n);
    }

    @Test
    void emptySequenceGivesNoBlocks() {
        ModelConfig cfg = dense().build();
        try (ChunkedModel model = new ChunkedModel(cfg, WeightsInit.random(cfg, 1, 1f))) {
            ChunkedModel.Result r = model.run(new int[0], 0, true);
            assertThat(r.blocks()).isEmpty();
            assertThat(r.z()).isEmpty();
        }
    }

    @Test
    void refusesSequencesPastMaxDensePositions() {
        ModelConfig cfg = dense().maxDensePositions(100).build();
        Weights w = WeightsInit.random(cfg, 1, 1f);
        int n = 101;
        int[] ids = TestModels.dnaIds(cfg, n, 1);
        String bytes = Long.toString(4L * n * n); // 40804
        try (DenseLocalTier tier = new DenseLocalTier(cfg, w)) {
            assertThatThrownBy(() -> tier.forward(ids, n, new float[n * cfg.dModel()]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxDensePositions = 100")
                    .hasMessageContaining("n = 101")
                    .hasMessageContaining(bytes + " bytes")
                    .hasMessageContaining("localMode SLIDING");
            // exactly at the cap is fine
            float[] z = new float[100 * cfg.dModel()];
            tier.forward(ids, 100, z);
            assertThat(z).doesNotContain(Float.NaN);
        }
        try (ChunkedModel model = new ChunkedModel(cfg, w)) {
            assertThatThrownBy(() -> model.run(ids, n, false))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxDensePositions")
                    .hasMessageContaining(bytes);
        }
        // the cap only concerns FULL mode: SLIDING runs any length
        ModelConfig sliding = cfg.toBuilder().localMode(LocalMode.SLIDING).build();
        try (ChunkedModel model = new ChunkedModel(sliding, w)) {
            assertThat(model.run(ids, n, false).blocks()).hasSize((n + 15) / 16);
        }
    }

    @Test
    void scoreBytesIsTheDesignFigure() {
        // docs/design.md 8: n = 10k, a 400 MB score matrix per head in float32
        assertThat(DenseLocalTier.scoreBytes(10_000)).isEqualTo(400_000_000L);
        assertThat(DenseLocalTier.scoreBytes(65_536)).isEqualTo(17_179_869_184L); // no int overflow
        assertThat(DenseLocalTier.scoreBytes(1)).isEqualTo(4L);
    }

    @Test
    void buffersAreReusedAndReallocatedWithoutChangingResults() {
        ModelConfig cfg = dense().causal(true).build();
        Weights w = WeightsInit.random(cfg, 4, 1f);
        int d = cfg.dModel();
        int n = 37;
        int[] ids = TestModels.dnaIds(cfg, n, 1);
        try (DenseLocalTier tier = new DenseLocalTier(cfg, w)) {
            float[] first = new float[n * d];
            tier.forward(ids, n, first);
            float[] again = new float[n * d];
            tier.forward(ids, n, again);                       // same n: buffers reused
            assertThat(again).containsExactly(first);
            tier.forward(TestModels.dnaIds(cfg, 90, 2), 90, new float[90 * d]); // another n: reallocated
            float[] back = new float[n * d];
            tier.forward(ids, n, back);
            assertThat(back).containsExactly(first);
        }
    }

    @Test
    void rejectsBadArguments() {
        ModelConfig cfg = dense().build();
        try (DenseLocalTier tier = new DenseLocalTier(cfg, WeightsInit.random(cfg, 1, 1f))) {
            assertThatThrownBy(() -> tier.forward(new int[1], 0, new float[32]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
            assertThatThrownBy(() -> tier.forward(new int[4], 5, new float[5 * 32]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ids holds 4");
            assertThatThrownBy(() -> tier.forward(new int[5], 5, new float[10]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("z holds 10");
            assertThatThrownBy(() -> tier.forward(new int[] {cfg.embeddingRows()}, 1, new float[32]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("embedding table");
        }
        DenseLocalTier closed = new DenseLocalTier(cfg, WeightsInit.random(cfg, 1, 1f));
        closed.close();
        assertThatThrownBy(() -> closed.forward(new int[1], 1, new float[32]))
                .isInstanceOf(IllegalStateException.class);
    }
}
