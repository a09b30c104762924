package io.longseq.math.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.longseq.math.TestModels;
import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.ChunkedModel;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.model.Pooling;
import io.longseq.math.model.TopEntry;
import io.longseq.math.reference.ReferenceEntries;
import io.longseq.math.weights.Weights;
import io.longseq.math.weights.WeightsInit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The global-tier variants LINEAR and AXIAL (docs/design.md 2.7, {@link GlobalMode}): the fast path, streamed chunk
 * by chunk through {@link ChunkedModel}, against the whole-sequence reference within 1e-4 absolute, and the
 * properties of {@link LinearMemory} and {@link AxialMemory} themselves.
 */
class GlobalVariantsTest {

    @BeforeAll
    static void nd4j() {
        Nd4jRuntime.init(1);
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (GlobalMode mode : new GlobalMode[] {GlobalMode.LINEAR, GlobalMode.AXIAL}) {
            for (Pooling pooling : Pooling.values()) {
                for (boolean causal : new boolean[] {false, true}) {
                    for (int n : new int[] {1, 9, 1000}) {
                        cases.add(Arguments.of(mode, pooling, causal, n));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} causal={2} n={3}")
    @MethodSource("cases")
    void streamedBlocksMatchReference(GlobalMode mode, Pooling pooling, boolean causal, int n) {
        ModelConfig cfg = TestModels.small().globalMode(mode).pooling(pooling).causal(causal).build();
        compareWithReference(cfg, WeightsInit.random(cfg, 21, 1f), n, 8);
    }

    @Test
    void linearWithManyFeaturesAndDefaultWeightsMatchesReference() {
        ModelConfig cfg = TestModels.small().globalMode(GlobalMode.LINEAR).linearFeatures(4096).linearSeed(-77)
                .build();
        compareWithReference(cfg, WeightsInit.defaults(cfg, 5), 300, 3);
    }

    @Test
    void axialWithOneBlockPerChunkAndDefaultWeightsMatchesReference() {
        // C = B: every row has one block, so each block sees itself and its column (all earlier blocks, averaged)
        ModelConfig cfg = TestModels.small().globalMode(GlobalMode.AXIAL).chunkSize(16).build();
        compareWithReference(cfg, WeightsInit.defaults(cfg, 5), 300, 3);
    }

    private static void compareWithReference(ModelConfig cfg, Weights w, int n, long seed) {
        List<BlockResult> actual = GlobalTierTest.streamedMatchesReference(cfg, w, n, seed);
        for (int b = 0; b < actual.size(); b++) {
            if (cfg.globalMode() == GlobalMode.LINEAR) {
                assertThat(actual.get(b).top()).isEmpty();
                assertThat(actual.get(b).entropy()).isZero();
                assertThat(actual.get(b).selfWeight()).isGreaterThan(0f).isLessThanOrEqualTo(1f);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // LINEAR
    // ------------------------------------------------------------------------------------------------

    @Test
    void randomFeaturesAreTheReferencesBitForBit() {
        for (long seed : new long[] {1, -77, 1L << 60}) {
            float[] fast = LinearMemory.randomFeatures(seed, 5, 3);
            double[][] ref = ReferenceEntries.linearOmega(seed, 5, 3);
            for (int i = 0; i < 5; i++) {
                for (int c = 0; c < 3; c++) {
                    assertThat((double) fast[i * 3 + c]).isEqualTo(ref[i][c]);
                }
            }
        }
        // every seed bit matters (java.util.Random alone would drop the top 16)
        assertThat(LinearMemory.randomFeatures(1, 4, 4)).isNotEqualTo(LinearMemory.randomFeatures(1 | 1L << 60, 4, 4));
    }

    /** W_gk = 0: every key has the same features, so block b weighs every block 1/(b+1) and g_b is the mean v. */
    @Test
    void linearWithZeroKeysWeighsAllBlocksEqually() {
        ModelConfig cfg = TestModels.small().globalMode(GlobalMode.LINEAR).build();
        ModelConfig full = cfg.toBuilder().globalMode(GlobalMode.FULL).build();
        Map<String, float[]> a = arrays(cfg, 4);
        Arrays.fill(a.get("global.wk"), 0f);
        Weights w = Weights.fromArrays(cfg, a);
        int n = 500;
        int[] ids = TestModels.dnaIds(cfg, n, 2);
        try (ChunkedModel lin = new ChunkedModel(cfg, w); ChunkedModel exact = new ChunkedModel(full, w)) {
            List<BlockResult> x = lin.run(ids, n, false).blocks();
            List<BlockResult> y = exact.run(ids, n, false).blocks(); // FULL with zero keys: also uniform
            for (int b = 0; b < x.size(); b++) {
                assertThat(x.get(b).selfWeight()).as("block %d", b).isCloseTo(1f / (b + 1), within(1e-6f));
                assertThat(GlobalTierTest.maxDiff(x.get(b).context(), y.get(b).context())).isLessThan(1e-5);
            }
        }
    }

    /**
     * Keys and queries of huge norm: unstabilised, e^(−|x'|²/2) underflows to 0 for every feature and g is 0/0.
     * The stabiliser keeps everything finite and the self weight in [0, 1].
     */
    @Test
    void linearStabiliserKeepsHugeExponentsFinite() {
        ModelConfig cfg = ModelConfig.builder().dModel(4).heads(1).globalMode(GlobalMode.LINEAR).linearFeatures(32)
                .build();
        LinearMemory memory = (LinearMemory) BlockMemory.create(cfg);
        Random random = new Random(3);
        double[] g = new double[4];
        for (int b = 0; b < 200; b++) {
            float[] k = new float[4];
            float[] v = new float[4];
            for (int c = 0; c < 4; c++) {
                k[c] = (float) (random.nextGaussian() * (b % 2 == 0 ? 1e3 : 1e-3));
                v[c] = (float) random.nextGaussian();
            }
            memory.append(k, v);
            double self = memory.attend(k, g);
            // with norms this large the estimate is all on one block, so a weight may round to 0, never NaN
            assertThat(self).as("block %d", b).isBetween(0.0, 1 + 1e-12);
            assertThat(b > 0 || self == 1.0).isTrue();
            for (double u : g) {
                assertThat(u).isFinite();
            }
        }
        // unstabilised, the huge keys' features are exactly zero in double
        double x2 = 1e6 / 2; // |x'|² ≥ ~1e6/√4 for entries of size 1e3
        assertThat(Math.exp(-x2 / 2)).isZero();
    }

    @Test
    void linearMemoryHasNoEntriesAndNeedsAnAppendBeforeAttend() {
        ModelConfig cfg = ModelConfig.builder().dModel(4).heads(1).globalMode(GlobalMode.LINEAR).build();
        LinearMemory memory = (LinearMemory) BlockMemory.create(cfg);
        assertThatThrownBy(() -> memory.attend(new float[4], new double[4]))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("append, then attend");
        memory.append(new float[4], new float[4]);
        assertThatThrownBy(() -> memory.collect(new MemoryEntries(4)))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("LINEAR");
        LinearMemory restored = (LinearMemory) BlockMemory.fromState(cfg, memory.toState());
        assertThat(restored.nextBlock()).isEqualTo(1);
    }

    /** The streaming sums with their rescalings give what a direct double sum over all blocks gives. */
    @Test
    void linearRunningStateEqualsDirectSums() {
        int d = 6;
        int m = 10;
        ModelConfig cfg = ModelConfig.builder().dModel(d).heads(1).globalMode(GlobalMode.LINEAR).linearFeatures(m)
                .linearSeed(9).build();
        LinearMemory memory = (LinearMemory) BlockMemory.create(cfg);
        double[][] omega = ReferenceEntries.linearOmega(9, m, d);
        Random random = new Random(8);
        List<float[]> keys = new ArrayList<>();
        List<float[]> values = new ArrayList<>();
        double[] g = new double[d];
        for (int b = 0; b < 300; b++) {
            float[] k = new float[d];
            float[] v = new float[d];
            float[] q = new float[d];
            for (int c = 0; c < d; c++) {
                k[c] = (float) (random.nextGaussian() * (1 + b % 3)); // growing norms force rescalings
                v[c] = (float) random.nextGaussian();
                q[c] = (float) random.nextGaussian();
            }
            keys.add(k);
            values.add(v);
            memory.append(k, v);
            double self = memory.attend(q, g);
            // direct: φ(q)ᵀS / φ(q)ᵀz with S, z summed from scratch
            double[] fq = features(omega, q);
            double den = 0;
            double[] num = new double[d];
            double selfNum = 0;
            for (int j = 0; j <= b; j++) {
                double[] fk = features(omega, keys.get(j));
                double dot = 0;
                for (int i = 0; i < m; i++) {
                    dot += fq[i] * fk[i];
                }
                den += dot;
                for (int c = 0; c < d; c++) {
                    num[c] += dot * values.get(j)[c];
                }
                if (j == b) {
                    selfNum = dot;
                }
            }
            for (int c = 0; c < d; c++) {
                assertThat(g[c]).as("block %d", b).isCloseTo(num[c] / den, within(1e-9));
            }
            assertThat(self).isCloseTo(selfNum / den, within(1e-12));
        }
    }

    // φ(x)_i = exp(ω_i·x' − |x'|²/2)/√m, x' = x/d^(1/4), plainly, unstabilised (fine for moderate norms)
    private static double[] features(double[][] omega, float[] x) {
        int d = x.length;
        double s = Math.pow(d, -0.25);
        double n2 = 0;
        for (float u : x) {
            n2 += u * s * u * s;
        }
        double[] f = new double[omega.length];
        for (int i = 0; i < omega.length; i++) {
            double dot = 0;
            for (int c = 0; c < d; c++) {
                dot += omega[i][c] * x[c] * s;
            }
            f[i] = Math.exp(dot - n2 / 2) / Math.sqrt(omega.length);
        }
        return f;
    }

    // ------------------------------------------------------------------------------------------------
    // AXIAL
    // ------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "C/B = {0}")
    @ValueSource(ints = {1, 2, 4, 7})
    void axialEntriesMatchTheDefinition(int perChunk) {
        ModelConfig cfg = ModelConfig.builder().dModel(2).heads(1).globalMode(GlobalMode.AXIAL).blockSize(16)
                .chunkSize(16 * perChunk).build();
        BlockMemory memory = BlockMemory.create(cfg);
        MemoryEntries entries = new MemoryEntries(2);
        float[] k = new float[2];
        for (long b = 0; b < 3000; b++) {
            k[0] = b;
            k[1] = 1;
            memory.append(k, k);
            memory.collect(entries);
            List<long[]> expected = ReferenceEntries.axialEntries(b, perChunk);
            assertThat(entries.size()).as("entries at b=%d", b).isEqualTo(expected.size())
                    .isLessThanOrEqualTo(perChunk + 1);
            for (int e = 0; e < entries.size(); e++) {
                long[] x = expected.get(e);
                assertThat(new long[] {entries.level(e), entries.first(e), entries.last(e)}).as("entry %d at b=%d", e, b)
                        .containsExactly(x[0], x[1], x[2]);
                long stride = x.length > 3 ? x[3] : 1;
                assertThat(entries.count(e)).isEqualTo((x[2] - x[1]) / stride + 1);
                // k_b = (b, 1): the stored key is the mean block index of the blocks the entry stands for
                double mean = (x[1] + x[2]) / 2.0;
                assertThat((double) entries.keys[e * 2]).isCloseTo(mean, within(1e-6 * Math.max(1, mean)));
                assertThat((double) entries.keys[e * 2 + 1]).isCloseTo(1.0, within(1e-6));
            }
            assertThat(entries.last(entries.size() - 1)).isEqualTo(b); // the block itself comes last
        }
    }

    /**
     * One chunk (n ≤ C): only the own row exists, so AXIAL holds FULL's entries; FULL computes its scores and weighted
     * sums in float and its entropy by another formula (docs/numerics.md), so they agree to float rounding: the same
     * top entries (blocks) with weights, self weight, context and entropy to 1e-6.
     */
    @Test
    void axialWithinOneChunkEqualsFull() {
        ModelConfig axial = TestModels.small().globalMode(GlobalMode.AXIAL).build();
        ModelConfig full = axial.toBuilder().globalMode(GlobalMode.FULL).build();
        Weights w = WeightsInit.random(axial, 6, 1f);
        int n = axial.chunkSize();
        int[] ids = TestModels.dnaIds(axial, n, 1);
        try (ChunkedModel a = new ChunkedModel(axial, w); ChunkedModel f = new ChunkedModel(full, w)) {
            List<BlockResult> x = a.run(ids, n, false).blocks();
            List<BlockResult> y = f.run(ids, n, false).blocks();
            assertThat(x).hasSize(axial.blocksPerChunk());
            for (int b = 0; b < x.size(); b++) {
                assertThat(y.get(b).context()).containsExactly(x.get(b).context(), within(1e-6f));
                assertThat(y.get(b).selfWeight()).isCloseTo(x.get(b).selfWeight(), within(1e-6f));
                assertThat(y.get(b).entropy()).isCloseTo(x.get(b).entropy(), within(1e-6f));
                GlobalTierTest.assertSameTop(y.get(b).top(), x.get(b).top());
            }
        }
    }

    @Test
    void axialTopReportsTheColumnEntry() {
        ModelConfig cfg = TestModels.small().globalMode(GlobalMode.AXIAL).topK(10).build();
        Weights w = WeightsInit.random(cfg, 6, 1f);
        int n = 10 * cfg.chunkSize();
        try (ChunkedModel model = new ChunkedModel(cfg, w)) {
            List<BlockResult> blocks = model.run(TestModels.dnaIds(cfg, n, 4), n, false).blocks();
            int p = cfg.blocksPerChunk();
            for (BlockResult r : blocks) {
                long row = r.block() / p;
                long col = r.block() % p;
                // everything but the block itself is reported (topK exceeds the entries)
                assertThat(r.top()).hasSize((int) col + (row > 0 ? 1 : 0));
                double sum = r.selfWeight();
                for (TopEntry t : r.top()) {
                    sum += t.weight();
                    if (t.level() == 2) {
                        assertThat(new long[] {t.firstBlock(), t.lastBlock()}).containsExactly(col, (row - 1) * p + col);
                    } else {
                        assertThat(t.level()).isEqualTo(1);
                        assertThat(t.firstBlock()).isEqualTo(t.lastBlock()).isBetween(row * p, r.block() - 1);
                    }
                }
                assertThat(sum).isCloseTo(1.0, within(1e-5));
                assertThat(r.entropy()).isBetween(0f, (float) Math.log(col + 2) + 1e-5f);
            }
        }
    }

    // a fresh random model's arrays by name, free to change (they belong to no one else)
    private static Map<String, float[]> arrays(ModelConfig cfg, long seed) {
        return WeightsInit.random(cfg, seed, 1f).toArrays();
    }
}
