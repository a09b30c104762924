package io.longseq.math.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longseq.math.TestModels;
import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.ChunkedModel;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.model.Pooling;
import io.longseq.math.model.TopEntry;
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
 * Pooling and the global tier, streamed chunk by chunk through {@link ChunkedModel}, against the
 * whole-sequence reference. Tolerance 1e-4 absolute on summaries, contexts, weights and entropy.
 */
public class GlobalTierTest {

    static final double TOL = 1e-4;

    @BeforeAll
    static void nd4j() {
        Nd4jRuntime.init(1);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(GlobalMode.HIERARCHICAL, Pooling.MEAN, false, 1000),
                Arguments.of(GlobalMode.HIERARCHICAL, Pooling.ATTENTION, false, 1000),
                Arguments.of(GlobalMode.HIERARCHICAL, Pooling.MEAN, true, 777),
                Arguments.of(GlobalMode.FULL, Pooling.MEAN, false, 500),
                Arguments.of(GlobalMode.FULL, Pooling.ATTENTION, true, 403),
                Arguments.of(GlobalMode.HIERARCHICAL, Pooling.MEAN, false, 1),
                Arguments.of(GlobalMode.HIERARCHICAL, Pooling.ATTENTION, false, 9));
    }

    @ParameterizedTest(name = "{0} {1} causal={2} n={3}")
    @MethodSource("cases")
    void streamedBlocksMatchReference(GlobalMode mode, Pooling pooling, boolean causal, int n) {
        ModelConfig cfg = TestModels.small().globalMode(mode).pooling(pooling).causal(causal).build();
        streamedMatchesReference(cfg, WeightsInit.random(cfg, 21, 1f), n, 8);
    }

    /**
     * Runs {@code n} seeded DNA positions chunk by chunk through {@link ChunkedModel} and through the whole-sequence
     * reference, asserts every block close ({@link #assertBlockClose}), and returns the streamed blocks.
     */
    public static List<BlockResult> streamedMatchesReference(ModelConfig cfg, Weights w, int n, long seed) {
        int[] ids = TestModels.dnaIds(cfg, n, seed);
        List<BlockResult> actual;
        try (ChunkedModel model = new ChunkedModel(cfg, w)) {
            actual = model.run(ids, n, false).blocks();
        }
        List<BlockResult> expected = new ReferenceModel(cfg, w).withSketchCodes(floatCodes(cfg, w, actual))
                .run(ids, n).blocks();
        assertThat(actual).hasSameSizeAs(expected).hasSize((n + cfg.blockSize() - 1) / cfg.blockSize());
        for (int b = 0; b < expected.size(); b++) {
            assertBlockClose(actual.get(b), expected.get(b));
        }
        return actual;
    }

    /**
     * RETRIEVAL's sketch codes as the float path forms them from its own blocks (x_b = LN_g(s_b) and W_gk·q_b from
     * the streamed summaries), for the reference to use ({@link io.longseq.math.reference.SketchCodes}: a code bit
     * is the sign of a sum; SignSketchTest checks these codes against the double definition away from zero).
     */
    static io.longseq.math.reference.SketchCodes floatCodes(ModelConfig cfg, Weights w, List<BlockResult> blocks) {
        int d = cfg.dModel();
        GlobalProjections projections = new GlobalProjections(w, io.longseq.math.kernel.RowKernels.best(), d);
        SignSketch sketch = new SignSketch(d, cfg.retrievalSeed());
        long[][] codes = new long[blocks.size()][sketch.words];   // [blocks, D/64]
        long[][] queries = new long[blocks.size()][sketch.words]; // [blocks, D/64]
        float[] x = new float[d];
        float[] q = new float[d];
        float[] u = new float[d];
        for (int b = 0; b < blocks.size(); b++) {
            projections.project(blocks.get(b).summary(), x, q, null, null);
            sketch.encode(x, 0, codes[b], 0);
            projections.toXSpace(q, u);
            sketch.encode(u, 0, queries[b], 0);
        }
        return new io.longseq.math.reference.SketchCodes() {
            @Override
            public long[] block(int b) {
                return codes[b];
            }

            @Override
            public long[] query(int b) {
                return queries[b];
            }
        };
    }

    @Test
    void defaultWeightsMatchReference() {
        ModelConfig cfg = TestModels.small().build();
        Weights w = WeightsInit.defaults(cfg, 5);
        int n = 900;
        int[] ids = TestModels.dnaIds(cfg, n, 3);
        List<BlockResult> expected = new ReferenceModel(cfg, w).run(ids, n).blocks();
        try (ChunkedModel model = new ChunkedModel(cfg, w)) {
            List<BlockResult> actual = model.run(ids, n, false).blocks();
            for (int b = 0; b < expected.size(); b++) {
                assertBlockClose(actual.get(b), expected.get(b));
            }
        }
    }

    /**
     * While only level 1 is used both modes hold the same entries; FULL computes its scores and weighted sums in float
     * and its entropy by another formula (docs/numerics.md), so the two agree to float rounding: the same top entries
     * (blocks) with weights, self weight, context and entropy to 1e-6, novelty to 1e-5.
     */
    @Test
    void hierarchicalEqualsFullWhileOnlyLevelOneIsUsed() {
        // R = 8 recent blocks: blocks 0..7 see only level 1 in both modes
        ModelConfig hier = TestModels.small().recent(8).group(4).build();
        ModelConfig full = hier.toBuilder().globalMode(GlobalMode.FULL).build();
        Weights w = WeightsInit.random(hier, 2, 1f);
        int n = 8 * hier.blockSize();
        int[] ids = TestModels.dnaIds(hier, n, 1);
        try (ChunkedModel h = new ChunkedModel(hier, w); ChunkedModel f = new ChunkedModel(full, w)) {
            List<BlockResult> a = h.run(ids, n, false).blocks();
            List<BlockResult> b = f.run(ids, n, false).blocks();
            for (int i = 0; i < a.size(); i++) {
                assertThat(b.get(i).context()).containsExactly(a.get(i).context(), within(1e-6f));
                assertThat(b.get(i).entropy()).isCloseTo(a.get(i).entropy(), within(1e-6f));
                assertSameTop(b.get(i).top(), a.get(i).top());
                assertThat(b.get(i).selfWeight()).isCloseTo(a.get(i).selfWeight(), within(1e-6f));
                assertThat(b.get(i).novelty()).isCloseTo(a.get(i).novelty(), within(1e-5f));
            }
        }
    }

    /**
     * Bases with period B: blocks 1..n/B−2 hold the same k-mers with the same neighbours, so their keys are equal
     * and each one after block 1 has an earlier entry at cosine 1: novelty 0 (up to float rounding). Block 0 has no
     * earlier entry: novelty 1 by definition. Both follow from the definition, not from the code. (In AXIAL mode a
     * block that opens a grid row sees only its column's mean, which includes block 0: it is left out.)
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(value = GlobalMode.class, names = {"FULL", "HIERARCHICAL", "AXIAL"})
    void noveltyIsOneForTheFirstBlockAndZeroForAnExactRepeat(GlobalMode mode) {
        ModelConfig cfg = TestModels.small().globalMode(mode).build();
        Weights w = WeightsInit.random(cfg, 4, 1f);
        int bs = cfg.blockSize();
        int n = 10 * bs;
        byte[] period = TestModels.bases(bs, 9);
        byte[] bases = new byte[n];
        for (int i = 0; i < n; i++) {
            bases[i] = period[i % bs];
        }
        int[] ids = io.longseq.math.features.Features.dnaKmers(bases, 0, n, 0, cfg);
        try (ChunkedModel model = new ChunkedModel(cfg, w)) {
            List<BlockResult> r = model.run(ids, n, false).blocks();
            assertThat(r.get(0).novelty()).isEqualTo(1f);
            int perRow = cfg.chunkSize() / bs;
            for (int b = 2; b <= 8; b++) {
                if (mode == GlobalMode.AXIAL && b % perRow == 0) {
                    continue;
                }
                assertThat((double) r.get(b).novelty()).as("block %d", b).isBetween(0.0, 1e-5);
            }
        }
    }

    @Test
    void linearModeHasNoNovelty() {
        ModelConfig cfg = TestModels.small().globalMode(GlobalMode.LINEAR).build();
        Weights w = WeightsInit.random(cfg, 4, 1f);
        int n = 5 * cfg.blockSize();
        try (ChunkedModel model = new ChunkedModel(cfg, w)) {
            assertThat(model.run(TestModels.dnaIds(cfg, n, 2), n, false).blocks())
                    .allSatisfy(b -> assertThat(b.novelty()).isZero());
        }
    }

    @Test
    void fullModePastItsCapIsAClearError() {
        ModelConfig cfg = TestModels.small().globalMode(GlobalMode.FULL).maxBlocks(3).build();
        Weights w = WeightsInit.random(cfg, 2, 1f);
        int n = 4 * cfg.blockSize();
        try (ChunkedModel model = new ChunkedModel(cfg, w)) {
            assertThatThrownBy(() -> model.run(TestModels.dnaIds(cfg, n, 1), n, false))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("maxBlocks = 3").hasMessageContaining("HIERARCHICAL");
        }
    }

    /**
     * FULL mode's chunk path ({@link GlobalTier#stepChunk}: one score product and one weighted-sum product per chunk)
     * gives bitwise what {@link GlobalTier#step} gives block by block (a chunk of one block each), on one strand and on
     * both, deltas included: a block's result does not depend on the blocks that share its chunk.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "both strands {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void fullChunkProductsEqualTheBlockByBlockStepBitwise(boolean both) {
        ModelConfig cfg = TestModels.small().globalMode(GlobalMode.FULL).topK(5)
                .strand(both ? io.longseq.math.model.Strand.BOTH : io.longseq.math.model.Strand.FORWARD).build();
        Weights w = WeightsInit.random(cfg, 12, 1f);
        int d = cfg.dModel();
        int per = cfg.blocksPerChunk();
        java.util.Random r = new java.util.Random(5);
        GlobalTier byBlock = new GlobalTier(cfg, w);
        GlobalTier byChunk = new GlobalTier(cfg, w);
        BlockMemory m1 = BlockMemory.create(cfg);
        FullMemory m2 = (FullMemory) BlockMemory.create(cfg);
        for (int chunk = 0; chunk < 6; chunk++) {
            int nb = chunk == 5 ? 2 : per;                       // a short last chunk
            float[] s = new float[nb * d];                       // [nb, d]
            float[] sr = new float[nb * d];                      // [nb, d]
            for (int i = 0; i < s.length; i++) {
                s[i] = (float) r.nextGaussian();
                sr[i] = (float) r.nextGaussian();
            }
            long[] starts = new long[nb];
            long[] ends = new long[nb];
            for (int i = 0; i < nb; i++) {
                starts[i] = ((long) chunk * per + i) * cfg.blockSize();
                ends[i] = starts[i] + cfg.blockSize();
            }
            BlockResult[] chunkResults = byChunk.stepChunk(m2, s, both ? sr : null, nb, starts, ends);
            for (int i = 0; i < nb; i++) {
                float[] si = java.util.Arrays.copyOfRange(s, i * d, (i + 1) * d);
                float[] sri = both ? java.util.Arrays.copyOfRange(sr, i * d, (i + 1) * d) : null;
                BlockResult e = byBlock.step(m1, starts[i], ends[i], si, sri);
                BlockResult a = chunkResults[i];
                String at = "block " + e.block();
                assertThat(a.block()).as(at).isEqualTo(e.block());
                assertThat(a.context()).as(at).containsExactly(e.context());
                assertThat(a.summary()).as(at).containsExactly(e.summary());
                assertThat(Float.floatToRawIntBits(a.selfWeight())).as(at).isEqualTo(Float.floatToRawIntBits(e.selfWeight()));
                assertThat(Float.floatToRawIntBits(a.entropy())).as(at).isEqualTo(Float.floatToRawIntBits(e.entropy()));
                assertThat(a.top()).as(at).containsExactly(e.top());
                assertThat(byChunk.chunkDelta(i)).as(at).containsExactly(byBlock.lastDelta());
            }
        }
        assertThat(m2.toState().keys()).containsExactly(m1.toState().keys());
    }

    /** The same entries in the same order, their weights to 1e-6. */
    static void assertSameTop(TopEntry[] actual, TopEntry[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int t = 0; t < expected.length; t++) {
            assertThat(actual[t].firstBlock()).as("top %d", t).isEqualTo(expected[t].firstBlock());
            assertThat(actual[t].lastBlock()).as("top %d", t).isEqualTo(expected[t].lastBlock());
            assertThat(actual[t].level()).as("top %d", t).isEqualTo(expected[t].level());
            assertThat(actual[t].weight()).as("top %d", t).isCloseTo(expected[t].weight(), within(1e-6f));
        }
    }

    public static void assertBlockClose(BlockResult a, BlockResult e) {
        String at = "block " + e.block();
        assertThat(a.block()).as(at).isEqualTo(e.block());
        assertThat(a.start()).as(at).isEqualTo(e.start());
        assertThat(a.end()).as(at).isEqualTo(e.end());
        assertThat(maxDiff(a.summary(), e.summary())).as(at + " summary").isLessThan(TOL);
        assertThat(maxDiff(a.context(), e.context())).as(at + " context").isLessThan(TOL);
        assertThat((double) Math.abs(a.selfWeight() - e.selfWeight())).as(at + " self weight").isLessThan(TOL);
        assertThat((double) Math.abs(a.entropy() - e.entropy())).as(at + " entropy").isLessThan(TOL);
        assertThat((double) Math.abs(a.novelty() - e.novelty())).as(at + " novelty").isLessThan(TOL);
        assertThat(a.top()).as(at + " top-K size").hasSameSizeAs(e.top());
        for (int i = 0; i < e.top().length; i++) {
            TopEntry x = a.top()[i];
            TopEntry y = e.top()[i];
            assertThat((double) Math.abs(x.weight() - y.weight())).as(at + " top weight " + i).isLessThan(TOL);
            // entries whose weights are this close may legitimately swap places under float rounding
            boolean nearTie = (i > 0 && Math.abs(e.top()[i - 1].weight() - y.weight()) < 1e-5)
                    || (i + 1 < e.top().length && Math.abs(e.top()[i + 1].weight() - y.weight()) < 1e-5);
            if (!nearTie) {
                assertThat(x.level()).as(at + " top level " + i).isEqualTo(y.level());
                assertThat(x.firstBlock()).as(at + " top first " + i).isEqualTo(y.firstBlock());
                assertThat(x.lastBlock()).as(at + " top last " + i).isEqualTo(y.lastBlock());
                assertThat(x.strand()).as(at + " top strand " + i).isEqualTo(y.strand());
            }
        }
    }

    static double maxDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            double diff = Math.abs(a[i] - b[i]);
            m = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : Math.max(m, diff);
        }
        return m;
    }
}
