package io.longseq.math.memory;

import static io.longseq.math.memory.GlobalTierTest.assertBlockClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RETRIEVAL mode ({@link GlobalMode#RETRIEVAL}, {@link RetrievalMemory}): the fast path, streamed chunk by chunk,
 * against the whole-sequence reference within 1e-4; the held exemplars against the reference's from-scratch
 * definition; state that is bounded, restores bit for bit and does not depend on the chunk size.
 */
class RetrievalMemoryTest {

    @BeforeAll
    static void nd4j() {
        Nd4jRuntime.init(1);
    }

    /** Few slots, so buckets fill and evict within a short test sequence. */
    static ModelConfig.Builder small() {
        return TestModels.small().globalMode(GlobalMode.RETRIEVAL).retrievalBits(2).retrievalSlots(3)
                .retrievalRecent(1).retrievalSeed(11).topK(6);
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Pooling pooling : Pooling.values()) {
            for (boolean causal : new boolean[] {false, true}) {
                for (int n : new int[] {1, 9, 1000, 3000}) {
                    cases.add(Arguments.of(pooling, causal, n));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} causal={1} n={2}")
    @MethodSource("cases")
    void streamedBlocksMatchReference(Pooling pooling, boolean causal, int n) {
        ModelConfig cfg = small().pooling(pooling).causal(causal).build();
        List<BlockResult> actual = compareWithReference(cfg, WeightsInit.random(cfg, 21, 1f), n, 8);
        if (n == 3000) {
            // exemplars older than level 1 exist and are reported as single blocks
            assertThat(actual.stream().flatMap(r -> Stream.of(r.top()))
                    .filter(t -> t.level() == RetrievalMemory.EXEMPLAR_LEVEL)).isNotEmpty()
                    .allSatisfy(t -> assertThat(t.firstBlock()).isEqualTo(t.lastBlock()));
        }
    }

    @Test
    void defaultWeightsAndOneBucketMatchReference() {
        ModelConfig cfg = small().retrievalBits(0).retrievalSlots(5).retrievalRecent(2).build();
        compareWithReference(cfg, WeightsInit.defaults(cfg, 5), 2500, 3);
    }

    @Test
    void defaultWeightsAndPureRecencyMatchReference() {
        ModelConfig cfg = small().retrievalBits(3).retrievalSlots(2).retrievalRecent(2).build();
        compareWithReference(cfg, WeightsInit.defaults(cfg, 5), 2500, 4);
    }

    private static List<BlockResult> compareWithReference(ModelConfig cfg, Weights w, int n, long seed) {
        return GlobalTierTest.streamedMatchesReference(cfg, w, n, seed);
    }

    /** The incremental store holds exactly what the reference's from-scratch definition holds, block by block. */
    @Test
    void heldExemplarsMatchTheDefinition() {
        int d = 6;
        for (int[] p : new int[][] {{2, 4, 1}, {0, 7, 3}, {3, 2, 2}, {1, 1, 1}}) {
            ModelConfig cfg = ModelConfig.builder().dModel(d).heads(1).recent(4).group(2).levels(2)
                    .globalMode(GlobalMode.RETRIEVAL).retrievalBits(p[0]).retrievalSlots(p[1]).retrievalRecent(p[2])
                    .retrievalSeed(-5).build();
            RetrievalMemory memory = (RetrievalMemory) BlockMemory.create(cfg);
            MemoryEntries entries = new MemoryEntries(d);
            Random random = new Random(p[0] * 31L + p[1]);
            int blocks = 600;
            int[] bucketOf = new int[blocks];
            for (int b = 0; b < blocks; b++) {
                float[] k = new float[d];
                for (int c = 0; c < d; c++) {
                    k[c] = (float) random.nextGaussian();
                }
                memory.append(k, k, k);
                bucketOf[b] = memory.lastBucket();
                memory.collect(entries);
                List<Long> held = ReferenceEntries.retrievalHeld(b, bucketOf, p[1], p[2], -5);
                long s1 = HierarchicalMemory.levelOneStart(b, 4, 2);
                List<Long> expected = held.stream().filter(j -> j < s1).toList();
                List<Long> got = new ArrayList<>();
                for (int e = 0; e < entries.size(); e++) {
                    if (entries.level(e) == RetrievalMemory.EXEMPLAR_LEVEL) {
                        assertThat(entries.first(e)).isEqualTo(entries.last(e));
                        assertThat(entries.count(e)).isOne();
                        // an exemplar carries its block's x (here its key too) as key and value rows
                        assertThat(entries.keys[e * d]).isEqualTo(entries.values[e * d]);
                        got.add(entries.first(e));
                    }
                }
                got.sort(Long::compare);
                assertThat(got).as("exemplars after block %d, %s", b, java.util.Arrays.toString(p))
                        .isEqualTo(expected);
                assertThat(memory.held()).isEqualTo(held.size()).isLessThanOrEqualTo(p[1] << p[0]);
            }
        }
    }

    /** Restoring the state after any block continues bit for bit; its size stops growing once buckets are full. */
    @Test
    void stateRestoresBitForBitAndStaysBounded() {
        int d = 8;
        ModelConfig cfg = ModelConfig.builder().dModel(d).heads(1).recent(4).group(2).levels(2)
                .globalMode(GlobalMode.RETRIEVAL).retrievalBits(2).retrievalSlots(4).retrievalRecent(2)
                .retrievalSketches(64).retrievalCandidates(5).build();
        BlockMemory straight = BlockMemory.create(cfg);
        BlockMemory restored = BlockMemory.create(cfg);
        MemoryEntries a = new MemoryEntries(d);
        MemoryEntries b = new MemoryEntries(d);
        Random random = new Random(2);
        int bytesAt1000 = -1;
        for (int blk = 0; blk < 20_000; blk++) {
            float[] x = new float[d];
            float[] k = new float[d];
            float[] v = new float[d];
            for (int c = 0; c < d; c++) {
                x[c] = (float) random.nextGaussian();
                k[c] = (float) random.nextGaussian();
                v[c] = (float) random.nextGaussian();
            }
            straight.append(x, k, v);
            byte[] direct = restored.toBytes();
            if (blk % 31 == 0) { // the bytes written straight from the store are those of toState().toBytes()
                assertThat(direct).isEqualTo(restored.toState().toBytes());
            }
            restored = BlockMemory.fromState(cfg, MemoryState.fromBytes(direct));
            restored.append(x, k, v);
            if (blk % 97 == 0) {
                straight.collect(a);
                restored.collect(b);
                assertThat(b.size()).isEqualTo(a.size());
                assertThat(java.util.Arrays.copyOf(b.keys, b.size() * d))
                        .containsExactly(java.util.Arrays.copyOf(a.keys, a.size() * d));
                assertThat(java.util.Arrays.copyOf(b.first, b.size()))
                        .containsExactly(java.util.Arrays.copyOf(a.first, a.size()));
                // the sketch tier restored: the same candidates and estimates for any query
                RetrievalMemory sr = (RetrievalMemory) straight;
                RetrievalMemory rr = (RetrievalMemory) restored;
                java.util.function.BiConsumer<float[], float[]> keyOf = (in, out) -> System.arraycopy(in, 0, out, 0, d);
                int n = sr.sketchCandidates(k, v, x, keyOf);
                long[] blocks = java.util.Arrays.copyOf(sr.found.blocks, n);
                double[] dots = new double[3 * n];
                double[] norms = java.util.Arrays.copyOf(sr.found.norms, n);
                for (int i = 0; i < n; i++) {
                    dots[3 * i] = sr.found.q[i];
                    dots[3 * i + 1] = sr.found.k[i];
                    dots[3 * i + 2] = sr.found.r[i];
                }
                assertThat(rr.sketchCandidates(k, v, x, keyOf)).isEqualTo(n);
                assertThat(java.util.Arrays.copyOf(rr.found.blocks, n)).containsExactly(blocks);
                for (int i = 0; i < n; i++) {
                    assertThat(new double[] {rr.found.q[i], rr.found.k[i], rr.found.r[i]})
                            .containsExactly(dots[3 * i], dots[3 * i + 1], dots[3 * i + 2]);
                }
                assertThat(java.util.Arrays.copyOf(rr.found.norms, n)).containsExactly(norms);
                if (blk > 200) {
                    assertThat(n).isPositive();
                }
            }
            if (blk == 1000) {
                bytesAt1000 = straight.toState().toBytes().length;
            }
        }
        // 2^2 buckets of 4 slots full, 64 sketches, the hierarchical state: the same bytes at 10^3 and 2·10^4 blocks
        assertThat(straight.toState().toBytes().length).isEqualTo(bytesAt1000);
        assertThat(((RetrievalMemory) straight).held()).isEqualTo(16);
    }

    /**
     * {@link GlobalTier#prepareChunk} (the chunk's projections and exemplar dots computed at once) changes no bit:
     * blocks stepped after it equal blocks stepped alone, with and without reverse-strand queries, through evictions,
     * chunks of 1..9 blocks, a chunk prepared but only partly stepped and steps of blocks never prepared.
     */
    @Test
    void preparedChunksGiveTheBitsOfSingleSteps() {
        ModelConfig cfg = small().dModel(32).retrievalBits(2).retrievalSlots(6).retrievalRecent(2).build();
        Weights w = WeightsInit.random(cfg, 31, 1f);
        int d = cfg.dModel();
        for (boolean both : new boolean[] {false, true}) {
            GlobalTier alone = new GlobalTier(cfg, w);
            GlobalTier chunked = new GlobalTier(cfg, w);
            BlockMemory a = BlockMemory.create(cfg);
            BlockMemory b = BlockMemory.create(cfg);
            Random random = new Random(both ? 8 : 9);
            int block = 0;
            for (int chunk = 0; block < 1500; chunk++) {
                int nb = 1 + random.nextInt(9);
                float[] s = new float[nb * d];
                float[] r = new float[nb * d];
                for (int i = 0; i < nb * d; i++) {
                    s[i] = (float) random.nextGaussian();
                    r[i] = (float) random.nextGaussian();
                }
                int stepped = chunk % 17 == 5 ? nb / 2 : nb; // now and then a chunk prepared but not all stepped
                if (chunk % 13 != 3) {                        // and now and then one not prepared
                    chunked.prepareChunk(b, s, both ? r : null, nb);
                }
                for (int i = 0; i < stepped; i++, block++) {
                    float[] si = Arrays.copyOfRange(s, i * d, (i + 1) * d);
                    float[] ri = both ? Arrays.copyOfRange(r, i * d, (i + 1) * d) : null;
                    BlockResult x = alone.step(a, block * 16L, block * 16L + 16, si, ri);
                    BlockResult y = chunked.step(b, block * 16L, block * 16L + 16, si.clone(), ri == null ? null : ri.clone());
                    assertThat(y.context()).as("block %d, both %s", block, both).containsExactly(x.context());
                    assertThat(y.top()).as("block %d", block).containsExactly(x.top());
                    assertThat(new float[] {y.selfWeight(), y.entropy(), y.novelty()})
                            .containsExactly(x.selfWeight(), x.entropy(), x.novelty());
                }
            }
            assertThat(((RetrievalMemory) b).held()).isEqualTo(24);
        }
    }

    /**
     * {@link GlobalTier#stepBlocks} (a chunk's exemplar sums deferred to one pass over the store, rows evicted during
     * the chunk read from where they were kept) changes no bit: every block, its context and delta included, equals
     * the block stepped alone, with and without reverse-strand queries, through evictions, in chunks of 1..11 blocks;
     * a memory restored between chunks steps on the same.
     */
    @Test
    void stepBlocksGivesTheBitsOfSingleSteps() {
        ModelConfig cfg = small().dModel(32).retrievalBits(2).retrievalSlots(6).retrievalRecent(2).build();
        Weights w = WeightsInit.random(cfg, 37, 1f);
        int d = cfg.dModel();
        for (boolean both : new boolean[] {false, true}) {
            GlobalTier[] tiers = {new GlobalTier(cfg, w), new GlobalTier(cfg, w)};   // block by block, by chunks
            GlobalTier alone = tiers[0];
            GlobalTier chunked = tiers[1];
            BlockMemory a = BlockMemory.create(cfg);
            BlockMemory b = BlockMemory.create(cfg);
            Random random = new Random(both ? 18 : 19);
            int block = 0;
            int compared = 0;
            for (int chunk = 0; block < 1500; chunk++) {
                int nb = 1 + random.nextInt(11);
                float[] s = gaussians(random, nb * d);     // [nb, d]
                float[] r = gaussians(random, nb * d);     // [nb, d]
                long[] starts = new long[nb];
                long[] ends = new long[nb];
                for (int i = 0; i < nb; i++) {
                    starts[i] = (block + i) * 16L;
                    ends[i] = starts[i] + 16;
                }
                if (chunk % 19 == 7) {
                    b = BlockMemory.fromBytes(cfg, b.toBytes());
                }
                BlockResult[] ys = chunked.stepBlocks(b, s.clone(), both ? r.clone() : null, nb, starts, ends);
                for (int i = 0; i < nb; i++, block++) {
                    float[] si = Arrays.copyOfRange(s, i * d, (i + 1) * d);
                    float[] ri = both ? Arrays.copyOfRange(r, i * d, (i + 1) * d) : null;
                    BlockResult x = alone.step(a, starts[i], ends[i], si, ri);
                    BlockResult y = ys[i];
                    assertThat(y.block()).isEqualTo(x.block());
                    assertThat(y.context()).as("block %d, both %s", block, both).containsExactly(x.context());
                    assertThat(chunked.chunkDelta(i)).as("block %d", block).containsExactly(alone.lastDelta());
                    assertThat(y.top()).as("block %d", block).containsExactly(x.top());
                    assertThat(new float[] {y.selfWeight(), y.entropy(), y.novelty()})
                            .containsExactly(x.selfWeight(), x.entropy(), x.novelty());
                    compared++;
                }
            }
            assertThat(compared).isEqualTo(block);
            assertThat(((RetrievalMemory) b).held()).isEqualTo(24);
            assertThat(b.toBytes()).isEqualTo(a.toBytes());
        }
    }

    /**
     * The exemplars are stored as x = LN_g(s) and their keys' norms are not state: a memory restored from its bytes
     * before any block (norms recomputed from x by the tier) steps on bit for bit, the novelty included.
     */
    @Test
    void restoredMemoriesStepOnBitForBit() {
        ModelConfig cfg = small().dModel(32).retrievalBits(2).retrievalSlots(6).retrievalRecent(2).build();
        Weights w = WeightsInit.random(cfg, 17, 1f);
        int d = cfg.dModel();
        GlobalTier straightTier = new GlobalTier(cfg, w);
        GlobalTier restoredTier = new GlobalTier(cfg, w);
        BlockMemory straight = BlockMemory.create(cfg);
        BlockMemory restored = BlockMemory.create(cfg);
        Random random = new Random(12);
        for (int b = 0; b < 800; b++) {
            float[] s = new float[d];
            for (int c = 0; c < d; c++) {
                s[c] = (float) random.nextGaussian();
            }
            if (b % 5 == 0) {
                restored = BlockMemory.fromBytes(cfg, restored.toBytes());
                assertThat(((RetrievalMemory) restored).normsMissing).isEqualTo(((RetrievalMemory) restored).held() > 0);
            }
            BlockResult x = straightTier.step(straight, b * 16L, b * 16L + 16, s);
            BlockResult y = restoredTier.step(restored, b * 16L, b * 16L + 16, s.clone());
            assertThat(y.context()).as("block %d", b).containsExactly(x.context());
            assertThat(y.top()).as("block %d", b).containsExactly(x.top());
            assertThat(new float[] {y.selfWeight(), y.entropy(), y.novelty()})
                    .as("block %d", b).containsExactly(x.selfWeight(), x.entropy(), x.novelty());
        }
        assertThat(((RetrievalMemory) restored).held()).isEqualTo(24);
    }

    /** A state of the layout that held each exemplar's key and value (not x) is refused, saying so. */
    @Test
    void aStateWithExemplarKeysAndValuesIsRefused() {
        ModelConfig cfg = small().dModel(4).heads(1).retrievalBits(1).retrievalSlots(3).retrievalRecent(1).build();
        BlockMemory m = BlockMemory.create(cfg);
        Random random = new Random(4);
        for (int b = 0; b < 100; b++) {
            m.append(new float[] {(float) random.nextGaussian(), 1, 2, 3}, new float[] {(float) random.nextGaussian(),
                    0, 1, 0}, new float[4]);
        }
        MemoryState s = m.toState();
        assertThat(((RetrievalMemory) m).held()).isEqualTo(6);
        // the layout before: values as long as keys (the hierarchical rows, then every held block's value)
        MemoryState old = new MemoryState(s.nextBlock(), s.counts(), s.firsts(), s.keys(), s.keys().clone(),
                s.prefixKeySum(), s.prefixValueSum(), s.prefixCount());
        assertThatThrownBy(() -> BlockMemory.fromState(cfg, old)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keys and values").hasMessageContaining("Longseq version");
        assertThatThrownBy(() -> m.append(new float[4], new float[4])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("append(x, k, v)");
    }

    @Test
    void aStateOfOtherSettingsIsRefused() {
        ModelConfig cfg = small().build();
        BlockMemory m = BlockMemory.create(cfg);
        m.append(new float[32], new float[32], new float[32]);
        MemoryState s = m.toState();
        assertThatThrownBy(() -> BlockMemory.fromState(small().retrievalBits(3).build(), s))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retrieval memory state");
        assertThatThrownBy(() -> ModelConfig.builder().retrievalSlots(4).retrievalRecent(5).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retrievalRecent");
        assertThatThrownBy(() -> ModelConfig.builder().retrievalBits(12).retrievalSlots(32).retrievalRecent(1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retrievalSlots");
    }

    /** Chunk sizes 64 and 256 give the same blocks within float rounding (the streamed-equals-chunked check). */
    @Test
    void chunkSizeChangesOnlyRounding() {
        ModelConfig c64 = small().build();
        ModelConfig c256 = small().chunkSize(256).build();
        Weights w = WeightsInit.defaults(c64, 9);
        int n = 4000;
        int[] ids = TestModels.dnaIds(c64, n, 6);
        try (ChunkedModel x = new ChunkedModel(c64, w); ChunkedModel y = new ChunkedModel(c256, w)) {
            List<BlockResult> a = x.run(ids, n, false).blocks();
            List<BlockResult> b = y.run(ids, n, false).blocks();
            for (int i = 0; i < a.size(); i++) {
                assertBlockClose(a.get(i), b.get(i));
            }
        }
    }

    /**
     * An exact far copy is named. With every block held (the store is larger than the sequence) the single-block
     * entries are FULL mode's, so a block inside the copy ranks its source first among the single blocks exactly as
     * often as in FULL mode; with a store too small to hold everything it still finds some.
     */
    @Test
    void anExactFarCopyIsFoundAsInFullModeWhenHeld() {
        ModelConfig cfg = small().retrievalBits(2).retrievalSlots(256).retrievalRecent(8).topK(64).build();
        int n = 6000;
        byte[] bases = TestModels.bases(n, 12);
        System.arraycopy(bases, 320, bases, 320 + 4800, 640);     // blocks 20..59 copied to 320..359
        int all = hits(cfg, bases);
        int full = hits(cfg.toBuilder().globalMode(GlobalMode.FULL).build(), bases);
        int small = hits(cfg.toBuilder().retrievalSlots(24).build(), bases);
        assertThat(full).as("FULL mode finds the copy").isGreaterThan(18);
        assertThat(all).as("RETRIEVAL holding every block").isEqualTo(full);
        assertThat(small).as("RETRIEVAL holding a quarter of the blocks").isBetween(1, full);
    }

    /**
     * The sketch tier names a far block that is not held whole. With one slot (the whole store holds only the
     * newest block, never an entry) every single-block entry older than level 1 is a sketch candidate: the copy is
     * found through them about as often as FULL mode finds it, and the estimates go through the same attention as
     * everything else (the streamed blocks match the reference, given the float path's codes).
     */
    @Test
    void aFarCopyIsFoundThroughItsSketches() {
        ModelConfig cfg = small().retrievalBits(0).retrievalSlots(1).retrievalRecent(1).topK(64).build();
        int n = 6000;
        byte[] bases = TestModels.bases(n, 12);
        System.arraycopy(bases, 320, bases, 320 + 4800, 640);     // blocks 20..59 copied to 320..359
        int sketched = hits(cfg, bases);
        int none = hits(cfg.toBuilder().retrievalSketches(0).build(), bases);
        int full = hits(cfg.toBuilder().globalMode(GlobalMode.FULL).build(), bases);
        assertThat(full).as("FULL mode finds the copy").isGreaterThan(18);
        assertThat(sketched).as("through sketches").isGreaterThanOrEqualTo((int) (0.8 * full));
        assertThat(none).as("without sketches (hierarchical entries only)").isLessThan(sketched / 2);
        Weights w = WeightsInit.defaults(cfg, 3);
        List<BlockResult> blocks = GlobalTierTest.streamedMatchesReference(cfg.toBuilder().retrievalCandidates(4)
                .build(), w, 2000, 5);
        assertThat(blocks.stream().flatMap(r -> Stream.of(r.top()))
                .filter(t -> t.level() == RetrievalMemory.EXEMPLAR_LEVEL)).isNotEmpty();
    }

    // blocks 322..357 whose best entry at most 8 blocks wide, other than themselves and their neighbours, is b − 300
    private static int hits(ModelConfig cfg, byte[] bases) {
        Weights w = WeightsInit.defaults(cfg, 3);
        int[] ids = io.longseq.math.features.Features.dnaKmers(bases, 0, bases.length, 0, cfg);
        try (ChunkedModel model = new ChunkedModel(cfg, w)) {
            List<BlockResult> blocks = model.run(ids, bases.length, false).blocks();
            int hits = 0;
            for (int b = 322; b < 358; b++) {
                for (TopEntry t : blocks.get(b).top()) {
                    if (t.lastBlock() - t.firstBlock() < 8 && Math.abs(t.firstBlock() - b) > 1) {
                        hits += t.firstBlock() == b - 300 ? 1 : 0;
                        break;
                    }
                }
            }
            return hits;
        }
    }

    private static float[] gaussians(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
