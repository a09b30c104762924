package io.longseq.math.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longseq.math.TestModels;
import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.ChunkedModel;
import io.longseq.math.model.LocalMode;
import io.longseq.math.model.ModelConfig;
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
 * The ND4J local tier against the double-precision reference. Tolerance: 1e-4 absolute on z, whose
 * entries are LayerNorm outputs of order 1 (float32 rounding through L layers stays near 1e-6).
 */
class LocalTierTest {

    static final double TOL = 1e-4;

    @BeforeAll
    static void nd4j() {
        Nd4jRuntime.init(1);
    }

    /**
     * Head widths 8, 16 and 32: d_h = 2 × the CPU's vector width runs the fused Vector-API attention
     * (32 with AVX-512, 16 with AVX2), the others ND4J's batched products; both are checked.
     */
    static final int[][] HEAD_SHAPES = {{32, 4}, {32, 2}, {64, 2}}; // {d, heads}

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        // n: a single token, shorter than w (8), shorter than B (16), not a multiple of B or C (64), several chunks
        int[] lengths = {1, 5, 13, 61, 150, 301};
        for (int[] shape : HEAD_SHAPES) {
            for (boolean causal : new boolean[] {false, true}) {
                for (int layers : new int[] {1, 2}) {
                    for (boolean random : new boolean[] {true, false}) {
                        for (int n : lengths) {
                            out.add(Arguments.of(shape[0] / shape[1], causal, layers, random, n));
                        }
                    }
                }
            }
        }
        return out.stream();
    }

    static ModelConfig.Builder withHeadWidth(int headWidth) {
        int heads = headWidth == 8 ? 4 : 2;
        return TestModels.small().dModel(headWidth * heads).heads(heads);
    }

    @Test
    void bothAttentionPathsAreExercised() {
        ModelConfig narrow = withHeadWidth(8).build();
        ModelConfig wide = withHeadWidth(RowKernels.best().name().equals("vector-512") ? 32 : 16).build();
        try (LocalTier a = new LocalTier(narrow, WeightsInit.random(narrow, 1, 1f));
             LocalTier b = new LocalTier(wide, WeightsInit.random(wide, 1, 1f))) {
            assertThat(a.kernelName()).endsWith("attention nd4j");
            assertThat(b.kernelName()).contains("attention fused-");
        }
    }

    @ParameterizedTest(name = "d_h={0} causal={1} L={2} randomWeights={3} n={4}")
    @MethodSource("cases")
    void wholeSequenceMatchesReference(int headWidth, boolean causal, int layers, boolean random, int n) {
        ModelConfig cfg = withHeadWidth(headWidth).causal(causal).layers(layers).build();
        Weights w = random ? WeightsInit.random(cfg, 7, 1f) : WeightsInit.defaults(cfg, 7);
        int[] ids = TestModels.dnaIds(cfg, n, 11 + n);
        double[][] expected = new ReferenceModel(cfg, w).localTier(ids, n);
        float[] z = new float[n * cfg.dModel()];
        try (LocalTier tier = new LocalTier(cfg, w, n)) {
            tier.forward(ids, 0, n, 0, n, z);
        }
        assertClose(z, expected, 0, n, cfg.dModel());
    }

    @ParameterizedTest(name = "d_h={0} causal={1} L={2}")
    @MethodSource("chunkCases")
    void chunkByChunkEqualsWhole(int headWidth, boolean causal, int layers) {
        ModelConfig cfg = withHeadWidth(headWidth).causal(causal).layers(layers).build();
        Weights w = WeightsInit.random(cfg, 3, 1f);
        int n = 333;
        int d = cfg.dModel();
        int[] ids = TestModels.dnaIds(cfg, n, 5);
        float[] whole = new float[n * d];
        try (LocalTier tier = new LocalTier(cfg, w, n)) {
            tier.forward(ids, 0, n, 0, n, whole);
        }
        float[] chunked;
        try (ChunkedModel model = new ChunkedModel(cfg, w)) {
            chunked = model.run(ids, n, true).z();
        }
        double maxDiff = 0;
        for (int i = 0; i < whole.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(whole[i] - chunked[i]));
        }
        // only float rounding differs (GEMMs over other row counts); the math is the same
        assertThat(maxDiff).isLessThan(1e-5);
    }

    static Stream<Arguments> chunkCases() {
        List<Arguments> out = new ArrayList<>();
        for (int[] shape : HEAD_SHAPES) {
            for (boolean causal : new boolean[] {false, true}) {
                for (int layers : new int[] {1, 2}) {
                    out.add(Arguments.of(shape[0] / shape[1], causal, layers));
                }
            }
        }
        return out.stream();
    }

    static Stream<Arguments> dilatedCases() {
        List<Arguments> out = new ArrayList<>();
        for (int headWidth : new int[] {8, 16, 32}) {
            for (int dilation : new int[] {2, 3}) {
                for (boolean causal : new boolean[] {false, true}) {
                    for (int layers : new int[] {1, 2}) {
                        for (int n : new int[] {1, 7, 40, 301}) {
                            out.add(Arguments.of(headWidth, dilation, causal, layers, n));
                        }
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "d_h={0} s={1} causal={2} L={3} n={4}")
    @MethodSource("dilatedCases")
    void dilatedMatchesReferenceWholeAndChunked(int headWidth, int dilation, boolean causal, int layers, int n) {
        // docs/design.md 2.7 dilated window: j = i + s·m, |m| ≤ w; the fast path runs s residue classes
        ModelConfig cfg = withHeadWidth(headWidth).localMode(LocalMode.DILATED).dilation(dilation).causal(causal)
                .layers(layers).build();
        Weights w = WeightsInit.random(cfg, 13, 1f);
        int[] ids = TestModels.dnaIds(cfg, n, 17 + n);
        double[][] expected = new ReferenceModel(cfg, w).localTier(ids, n);
        float[] z = new float[n * cfg.dModel()];
        try (LocalTier tier = new LocalTier(cfg, w, n)) {
            tier.forward(ids, 0, n, 0, n, z);
        }
        assertClose(z, expected, 0, n, cfg.dModel());
        try (ChunkedModel model = new ChunkedModel(cfg, w)) {
            // chunks of C = 64 with halos of L·s·w: the core positions see exactly the keys they would whole
            assertClose(model.run(ids, n, true).z(), expected, 0, n, cfg.dModel());
        }
    }

    static Stream<Arguments> sinkCases() {
        List<Arguments> out = new ArrayList<>();
        for (int headWidth : new int[] {8, 32}) {
            for (int sinks : new int[] {1, 4}) {
                for (boolean causal : new boolean[] {false, true}) {
                    for (int layers : new int[] {1, 2}) {
                        for (int n : new int[] {1, 3, 40, 301}) {
                            out.add(Arguments.of(headWidth, sinks, causal, layers, n));
                        }
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "d_h={0} S={1} causal={2} L={3} n={4}")
    @MethodSource("sinkCases")
    void sinksMatchReferenceWholeAndChunked(int headWidth, int sinks, boolean causal, int layers, int n) {
        // docs/design.md 2.7 attention sinks: the window plus positions 0..S−1; chunks past 0 recompute the prefix
        ModelConfig cfg = withHeadWidth(headWidth).localMode(LocalMode.SINKS).sinks(sinks).causal(causal)
                .layers(layers).build();
        Weights w = WeightsInit.random(cfg, 19, 1f);
        int[] ids = TestModels.dnaIds(cfg, n, 23 + n);
        double[][] expected = new ReferenceModel(cfg, w).localTier(ids, n);
        float[] z = new float[n * cfg.dModel()];
        try (LocalTier tier = new LocalTier(cfg, w, n)) {
            tier.forward(ids, 0, n, 0, n, z);
            assertThat(tier.kernelName()).contains("sinks " + sinks);
        }
        assertClose(z, expected, 0, n, cfg.dModel());
        try (ChunkedModel model = new ChunkedModel(cfg, w)) {
            assertClose(model.run(ids, n, true).z(), expected, 0, n, cfg.dModel());
        }
    }

    @Test
    void sinksOfAChunkComeFromItsOwnSequencesPrefix() {
        // a subtask interleaves sequences: another sequence's start must not leak its sinks into this chunk
        ModelConfig cfg = withHeadWidth(32).localMode(LocalMode.SINKS).sinks(4).layers(2).build();
        Weights w = WeightsInit.random(cfg, 29, 1f);
        int n = 301;
        int[] ids = TestModels.dnaIds(cfg, n, 31);
        int[] other = TestModels.dnaIds(cfg, n, 37);
        double[][] expected = new ReferenceModel(cfg, w).localTier(ids, n);
        int halo = cfg.attentionHalo();
        int coreFrom = 128;
        int coreTo = 192;
        int from = coreFrom - halo;
        int to = coreTo + halo;
        float[] z = new float[(coreTo - coreFrom) * cfg.dModel()];
        try (LocalTier tier = new LocalTier(cfg, w)) {
            tier.forward(other, 0, 80, 0, 64, new float[64 * cfg.dModel()]);   // the other sequence's chunk 0
            tier.forward(java.util.Arrays.copyOfRange(ids, from, to), from, to - from, coreFrom, coreTo, z,
                    ids, Math.min(n, cfg.sinkPrefix()));
        }
        assertClose(z, expected, coreFrom, coreTo - coreFrom, cfg.dModel());
    }

    @Test
    void sinksChangeFarPositionsAndNeedThePrefix() {
        ModelConfig sliding = withHeadWidth(32).build();
        ModelConfig withSinks = sliding.toBuilder().localMode(LocalMode.SINKS).sinks(4).build();
        Weights w = WeightsInit.random(sliding, 5, 1f);
        int n = 200;
        int[] ids = TestModels.dnaIds(sliding, n, 9);
        double[][] a = new ReferenceModel(sliding, w).localTier(ids, n);
        double[][] b = new ReferenceModel(withSinks, w).localTier(ids, n);
        // position 150 is far outside the sinks' window: only the sinks can change it
        assertThat(Math.abs(a[150][0] - b[150][0]) + Math.abs(a[150][1] - b[150][1])).isGreaterThan(1e-6);
        try (LocalTier tier = new LocalTier(withSinks, w)) {
            assertThatThrownBy(() -> tier.forward(new int[100], 100, 100, 120, 150, new float[30 * 64]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefixIds");
        }
    }

    @Test
    void dilatedDiffersFromSlidingAndOneIsSliding() {
        ModelConfig sliding = withHeadWidth(32).build();
        ModelConfig dilated = sliding.toBuilder().localMode(LocalMode.DILATED).dilation(3).build();
        ModelConfig one = sliding.toBuilder().localMode(LocalMode.DILATED).dilation(1).build();
        Weights w = WeightsInit.random(sliding, 2, 1f);
        int n = 120;
        int[] ids = TestModels.dnaIds(sliding, n, 3);
        float[] a = new float[n * 64];
        float[] b = new float[n * 64];
        float[] c = new float[n * 64];
        try (LocalTier ts = new LocalTier(sliding, w, n); LocalTier td = new LocalTier(dilated, w, n);
             LocalTier t1 = new LocalTier(one, w, n)) {
            ts.forward(ids, 0, n, 0, n, a);
            td.forward(ids, 0, n, 0, n, b);
            t1.forward(ids, 0, n, 0, n, c);
            assertThat(td.kernelName()).contains("dilation 3");
        }
        assertThat(c).containsExactly(a);
        assertThat(b).isNotEqualTo(a);
        assertThat(dilated.attentionHalo()).isEqualTo(3 * sliding.attentionHalo());
    }

    @Test
    void typicalShapeMatchesReference() {
        // docs/design.md's typical model: d = 128, h = 4, w = 64, one chunk of C = 2048 with its halos
        ModelConfig cfg = ModelConfig.builder().kmer(6).build();
        Weights w = WeightsInit.random(cfg, 1, 1f);
        int n = 2300;
        int[] ids = TestModels.dnaIds(cfg, n, 2);
        double[][] expected = new ReferenceModel(cfg, w).localTier(ids, n);
        float[] z = new float[cfg.chunkSize() * cfg.dModel()];
        try (LocalTier tier = new LocalTier(cfg, w)) {
            // core [64, 2112): a full chunk with a left halo of L·w = 64 and a right halo of 64
            tier.forward(java.util.Arrays.copyOfRange(ids, 0, 2176), 0, 2176, 64, 64 + 2048, z);
        }
        // the chunk's left halo reaches position 0, so the core equals the whole sequence's positions 64..2111
        assertClose(z, expected, 64, 2048, cfg.dModel());
    }

    @Test
    void tokenAndMultiFeatureInputsMatchReference() {
        ModelConfig cfg = TestModels.small().featureKind(FeatureKind.LOG).vocabSize(97).maxFeatures(5).build();
        Weights w = WeightsInit.random(cfg, 9, 1f);
        int n = 77;
        int[] ids = TestModels.tokenIds(cfg, n, 4);
        double[][] expected = new ReferenceModel(cfg, w).localTier(ids, n);
        float[] z = new float[n * cfg.dModel()];
        try (LocalTier tier = new LocalTier(cfg, w, n)) {
            tier.forward(ids, 0, n, 0, n, z);
        }
        assertClose(z, expected, 0, n, cfg.dModel());
    }

    @Test
    void viewCacheIsBoundedAndEvictionChangesNothing() {
        // every sequence ends with a chunk of its own length: the cached views (and their native op
        // contexts) must not grow with the number of sequences
        ModelConfig cfg = TestModels.small().build();
        Weights w = WeightsInit.random(cfg, 4, 1f);
        int d = cfg.dModel();
        try (LocalTier tier = new LocalTier(cfg, w)) {
            int n = 37;
            int[] ids = TestModels.dnaIds(cfg, n, 1);
            float[] first = new float[n * d];
            tier.forward(ids, 0, n, 0, n, first);
            for (int len = 1; len <= 60; len += 4) {
                tier.forward(TestModels.dnaIds(cfg, len, len), 0, len, 0, len, new float[len * d]);
            }
            assertThat(tier.cachedLengths()).isBetween(1, LocalTier.CACHED_LENGTHS);
            float[] again = new float[n * d];
            tier.forward(ids, 0, n, 0, n, again);
            assertThat(again).containsExactly(first);
        }
    }

    @Test
    void rejectsArraysItCannotHold() {
        ModelConfig cfg = TestModels.small().build();
        Weights w = WeightsInit.random(cfg, 1, 1f);
        try (LocalTier tier = new LocalTier(cfg, w)) {
            int cap = tier.capacity();
            assertThatThrownBy(() -> tier.forward(new int[cap + 1], 0, cap + 1, 0, 1, new float[1000]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positions");
            assertThatThrownBy(() -> tier.forward(new int[10], 5, 10, 2, 8, new float[1000]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("core");
            assertThatThrownBy(() -> tier.forward(new int[] {cfg.embeddingRows()}, 0, 1, 0, 1, new float[32]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("embedding table");
        }
    }

    static void assertClose(float[] z, double[][] expected, int from, int count, int d) {
        double maxDiff = 0;
        int worst = -1;
        for (int i = 0; i < count; i++) {
            for (int c = 0; c < d; c++) {
                double diff = Math.abs(z[i * d + c] - expected[from + i][c]);
                if (diff > maxDiff || Double.isNaN(diff)) {
                    maxDiff = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff;
                    worst = from + i;
                }
            }
        }
        assertThat(maxDiff).as("max |z − reference| (worst at position %d)", worst).isLessThan(TOL);
    }
}
