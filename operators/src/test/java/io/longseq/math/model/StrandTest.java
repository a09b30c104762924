package io.longseq.math.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longseq.math.TestModels;
import io.longseq.math.features.FeatureKind;
import io.longseq.math.features.Features;
import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.memory.GlobalTierTest;
import io.longseq.math.reference.ReferenceModel;
import io.longseq.math.weights.Weights;
import io.longseq.math.weights.WeightsInit;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Strand#BOTH}: the reverse-strand k-mers against the production k-mer code run on the reverse-complemented
 * bases, the chunked fast path against the double-precision reference (1e-4, as {@link GlobalTierTest}), and the
 * settings BOTH refuses.
 */
class StrandTest {

    @BeforeAll
    static void nd4j() {
        Nd4jRuntime.init(1);
    }

    @Test
    void reverseComplementKmersAreTheKmersOfTheReverseComplementedBases() {
        ModelConfig cfg = TestModels.small().kmer(5).build();
        int n = 300;
        byte[] x = TestModels.bases(n, 4);
        byte[] y = new byte[n];                              // the reverse complement, base by base
        for (int i = 0; i < n; i++) {
            y[i] = (byte) switch (Character.toUpperCase(x[n - 1 - i])) {
                case 'A' -> 'T';
                case 'C' -> 'G';
                case 'G' -> 'C';
                case 'T' -> 'A';
                default -> 'N';
            };
        }
        int k = cfg.kmer();
        int[] fx = Features.dnaKmers(x, cfg);
        int[] fy = Features.dnaKmers(y, cfg);
        int[] rc = Features.reverseComplementIds(fx, 0, n, cfg);
        for (int p = k - 1; p < n; p++) {
            // forward k-mer of bases p−k+1..p is, reverse-complemented, y's k-mer of bases n−1−p..n−p+k−2
            assertThat(Features.reverseComplementKmer(fx[p], cfg)).as("position " + p).isEqualTo(fy[n - 2 - p + k]);
            assertThat(rc[n - 1 - p]).isEqualTo(Features.reverseComplementKmer(fx[p], cfg));
        }
        assertThat(Features.reverseComplementKmer(cfg.nId(), cfg)).isEqualTo(cfg.nId());
        assertThat(Features.reverseComplementKmer(cfg.padId(), cfg)).isEqualTo(cfg.padId());
        ModelConfig k3 = TestModels.small().build();
        assertThat(Features.reverseComplementKmer(1, k3)).as("AAC -> GTT").isEqualTo(2 * 16 + 3 * 4 + 3);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(GlobalMode.HIERARCHICAL, Pooling.MEAN, LocalMode.SLIDING, 1, 1000),
                Arguments.of(GlobalMode.FULL, Pooling.ATTENTION, LocalMode.SLIDING, 2, 700),
                Arguments.of(GlobalMode.RETRIEVAL, Pooling.MEAN, LocalMode.SLIDING, 1, 1500),
                Arguments.of(GlobalMode.AXIAL, Pooling.MEAN, LocalMode.DILATED, 1, 600),
                Arguments.of(GlobalMode.FULL, Pooling.MEAN, LocalMode.SLIDING, 1, 37));
    }

    @ParameterizedTest(name = "{0} {1} {2} L={3} n={4}")
    @MethodSource("cases")
    void bothStrandsMatchTheReference(GlobalMode mode, Pooling pooling, LocalMode local, int layers, int n) {
        ModelConfig cfg = TestModels.small().globalMode(mode).pooling(pooling).localMode(local).layers(layers)
                .retrievalBits(2).retrievalSlots(3).retrievalRecent(1).topK(6).strand(Strand.BOTH).build();
        Weights w = WeightsInit.random(cfg, 17, 1f);
        int[] ids = TestModels.dnaIds(cfg, n, 9);
        List<BlockResult> expected = new ReferenceModel(cfg, w).run(ids, n).blocks();
        List<BlockResult> actual;
        try (ChunkedModel model = new ChunkedModel(cfg, w)) {
            actual = model.run(ids, n, false).blocks();
        }
        assertThat(actual).hasSameSizeAs(expected);
        int reverse = 0;
        for (int b = 0; b < expected.size(); b++) {
            GlobalTierTest.assertBlockClose(actual.get(b), expected.get(b));
            for (TopEntry t : actual.get(b).top()) {
                assertThat(t.strand()).isIn(TopEntry.FORWARD, TopEntry.REVERSE);
                reverse += t.strand() == TopEntry.REVERSE ? 1 : 0;
            }
        }
        if (n > 100) {
            assertThat(reverse).as("reverse-strand entries among the top").isPositive();
        }
    }

    @Test
    void bothStrandsChangeTheContextButForwardRunsStateNoStrand() {
        ModelConfig fwd = TestModels.small().globalMode(GlobalMode.FULL).build();
        ModelConfig both = fwd.toBuilder().strand(Strand.BOTH).build();
        Weights w = WeightsInit.random(fwd, 3, 1f);
        int n = 500;
        int[] ids = TestModels.dnaIds(fwd, n, 2);
        try (ChunkedModel f = new ChunkedModel(fwd, w); ChunkedModel t = new ChunkedModel(both, w)) {
            List<BlockResult> a = f.run(ids, n, false).blocks();
            List<BlockResult> b = t.run(ids, n, false).blocks();
            for (BlockResult r : a) {
                for (TopEntry e : r.top()) {
                    assertThat(e.strand()).isEqualTo(TopEntry.UNSTATED);
                }
            }
            // the summaries are the forward strand's in both runs; the contexts mix both queries' weights
            assertThat(b.get(20).summary()).containsExactly(a.get(20).summary());
            assertThat(b.get(20).context()).isNotEqualTo(a.get(20).context());
        }
    }

    @Test
    void bothIsRefusedWhereItHasNoMeaning() {
        assertThatThrownBy(() -> TestModels.small().strand(Strand.BOTH).causal(true).build())
                .hasMessageContaining("strand").hasMessageContaining("causal");
        assertThatThrownBy(() -> TestModels.small().strand(Strand.BOTH).localMode(LocalMode.SINKS).build())
                .hasMessageContaining("SINKS");
        assertThatThrownBy(() -> TestModels.small().strand(Strand.BOTH).globalMode(GlobalMode.LINEAR).build())
                .hasMessageContaining("LINEAR");
        assertThatThrownBy(() -> ModelConfig.builder().featureKind(FeatureKind.TOKENS).strand(Strand.BOTH).build())
                .hasMessageContaining("only DNA");
    }
}
