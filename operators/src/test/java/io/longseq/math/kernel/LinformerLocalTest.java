package io.longseq.math.kernel;

import static io.longseq.math.kernel.LocalTierTest.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longseq.math.TestModels;
import io.longseq.math.model.ChunkedModel;
import io.longseq.math.model.LocalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.reference.ReferenceModel;
import io.longseq.math.weights.Weights;
import io.longseq.math.weights.WeightsInit;
import io.longseq.math.weights.WeightsIo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Local mode LINFORMER (docs/design.md 2.7) against the double-precision reference ({@code LinformerReference}),
 * whole and chunk by chunk (C = 64, segments P = 16 or 32: chunks hold whole segments; causal: halo L·P), within
 * {@link LocalTierTest#TOL} = 1e-4 on z. Lengths cut the last segment (5, 40, 301) or hold a single position.
 */
class LinformerLocalTest {

    @BeforeAll
    static void nd4j() {
        Nd4jRuntime.init(1);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (int headWidth : new int[] {8, 16, 32}) {           // ND4J-less scalar layout at 8 and 16, fused at 32
            for (int[] kp : new int[][] {{4, 16}, {8, 32}, {20, 16}}) {   // k < P, and k > P (zero rows in E)
                for (boolean causal : new boolean[] {false, true}) {
                    for (int layers : new int[] {1, 2}) {
                        for (int n : new int[] {1, 5, 40, 301}) {
                            out.add(Arguments.of(headWidth, kp[0], kp[1], causal, layers, n));
                        }
                    }
                }
            }
        }
        return out.stream();
    }

    static ModelConfig linformer(int headWidth, int rank, int segment, boolean causal, int layers) {
        return LocalTierTest.withHeadWidth(headWidth).localMode(LocalMode.LINFORMER).linformerRank(rank)
                .linformerSegment(segment).causal(causal).layers(layers).build();
    }

    @ParameterizedTest(name = "d_h={0} k={1} P={2} causal={3} L={4} n={5}")
    @MethodSource("cases")
    void matchesReferenceWholeAndChunked(int headWidth, int rank, int segment, boolean causal, int layers, int n) {
        ModelConfig cfg = linformer(headWidth, rank, segment, causal, layers);
        Weights w = WeightsInit.random(cfg, 29, 1f);
        int[] ids = TestModels.dnaIds(cfg, n, 31 + n);
        double[][] expected = new ReferenceModel(cfg, w).localTier(ids, n);
        float[] z = new float[n * cfg.dModel()];
        try (LocalTier tier = new LocalTier(cfg, w, n)) {
            tier.forward(ids, 0, n, 0, n, z);
            assertThat(tier.kernelName()).contains("linformer k=" + rank + " P=" + segment);
        }
        assertClose(z, expected, 0, n, cfg.dModel());
        try (ChunkedModel model = new ChunkedModel(cfg, w)) {
            assertClose(model.run(ids, n, true).z(), expected, 0, n, cfg.dModel());
        }
    }

    @Test
    void defaultWeightsMatchTheReferenceAndDifferFromSliding() {
        ModelConfig cfg = linformer(32, 4, 16, false, 1);
        int n = 200;
        int[] ids = TestModels.dnaIds(cfg, n, 3);
        Weights w = WeightsInit.defaults(cfg, 7);
        // the seeded default E = F is k-way mean pooling of a segment: row r averages 4 positions
        assertThat(w.linformerE[0]).isEqualTo(0.25f);
        assertThat(w.linformerE[4]).isEqualTo(0f);
        assertThat(w.linformerF).containsExactly(w.linformerE);
        double[][] expected = new ReferenceModel(cfg, w).localTier(ids, n);
        float[] z;
        try (ChunkedModel model = new ChunkedModel(cfg, w)) {
            z = model.run(ids, n, true).z();
        }
        assertClose(z, expected, 0, n, cfg.dModel());
        ModelConfig sliding = cfg.toBuilder().localMode(LocalMode.SLIDING).build();
        double[][] other = new ReferenceModel(sliding, WeightsInit.defaults(sliding, 7)).localTier(ids, n);
        double diff = 0;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < cfg.dModel(); c++) {
                diff = Math.max(diff, Math.abs(other[i][c] - expected[i][c]));
            }
        }
        assertThat(diff).as("linformer and sliding attend to different keys").isGreaterThan(1e-2);
    }

    @Test
    void causalQueriesDoNotSeeTheFuture() {
        // changing position 100 (segment 6 with P = 16) leaves every z before it unchanged when causal
        ModelConfig cfg = linformer(32, 4, 16, true, 2);
        Weights w = WeightsInit.random(cfg, 5, 1f);
        int n = 160;
        int[] ids = TestModels.dnaIds(cfg, n, 8);
        int[] changed = ids.clone();
        changed[100] = (ids[100] + 1) % 64;
        float[] a;
        float[] b;
        try (ChunkedModel model = new ChunkedModel(cfg, w)) {
            a = model.run(ids, n, true).z();
            b = model.run(changed, n, true).z();
        }
        int d = cfg.dModel();
        for (int i = 0; i < 100 * d; i++) {
            assertThat(b[i]).as("z[%d] of position %d", i % d, i / d).isEqualTo(a[i]);
        }
        assertThat(b[100 * d]).isNotEqualTo(a[100 * d]);
    }

    @Test
    void aChunkSizeThatCutsSegmentsIsRefused() {
        assertThatThrownBy(() -> TestModels.small().localMode(LocalMode.LINFORMER).linformerSegment(48).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("setting 'chunkSize' = 64")
                .hasMessageContaining("multiple of linformerSegment=48");
        // the other modes ignore the segment length
        assertThat(TestModels.small().linformerSegment(48).build().attentionHalo()).isEqualTo(8);
        assertThat(TestModels.small().localMode(LocalMode.LINFORMER).linformerSegment(16).build().attentionHalo())
                .isZero();
        assertThat(TestModels.small().localMode(LocalMode.LINFORMER).linformerSegment(16).layers(2).causal(true)
                .build().attentionHalo()).isEqualTo(32);
    }

    @Test
    void linformerArraysAreInTheFileOnlyInThatModeAndChecked(@TempDir Path dir) throws Exception {
        ModelConfig sliding = TestModels.small().build();
        ModelConfig lin = TestModels.small().localMode(LocalMode.LINFORMER).linformerRank(4).linformerSegment(16)
                .build();
        assertThat(Weights.shapes(sliding)).doesNotContainKey(Weights.LINFORMER_E);
        assertThat(Weights.shapes(lin).get(Weights.LINFORMER_E)).containsExactly(4, 16);
        assertThat(Weights.shapes(lin).get(Weights.LINFORMER_F)).containsExactly(4, 16);

        Path slidingFile = dir.resolve("sliding.npz");
        WeightsIo.save(slidingFile, WeightsInit.defaults(sliding, 1));
        assertThat(WeightsIo.check(slidingFile, sliding)).isEqualTo(Optional.empty());
        assertThat(WeightsIo.check(slidingFile, lin)).get().asString().contains("'linformer.e'", "missing");

        Path linFile = dir.resolve("linformer.npz");
        Weights w = WeightsInit.random(lin, 3, 1f);
        WeightsIo.save(linFile, w);
        assertThat(WeightsIo.check(linFile, lin)).isEqualTo(Optional.empty());
        assertThat(WeightsIo.load(linFile, lin).linformerF).containsExactly(w.linformerF);
        ModelConfig rank8 = lin.toBuilder().linformerRank(8).build();
        assertThat(WeightsIo.check(linFile, rank8)).get().asString()
                .contains("'linformer.e'", "(4, 16)", "linformer-rank 8 and linformer-segment 16", "(8, 16)");
        assertThat(WeightsIo.check(linFile, sliding)).get().asString().contains("linformer");
    }
}
