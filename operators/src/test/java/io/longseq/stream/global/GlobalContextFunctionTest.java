package io.longseq.stream.global;

import static io.longseq.stream.StreamTestSupport.bases;
import static io.longseq.stream.StreamTestSupport.dnaModel;
import static io.longseq.stream.StreamTestSupport.feed;
import static io.longseq.stream.StreamTestSupport.only;
import static io.longseq.stream.StreamTestSupport.shuffled;
import static io.longseq.stream.StreamTestSupport.side;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.longseq.math.features.Features;
import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.model.BlockResult;
import io.longseq.math.memory.BigBirdMemory;
import io.longseq.math.model.ChunkedModel;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.model.Pooling;
import io.longseq.math.weights.WeightsInit;
import io.longseq.stream.Notice;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.StreamTypes;
import io.longseq.stream.local.ChunkSummary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link GlobalContextFunction} in an operator harness: chunk summaries computed by {@link ChunkedModel} on the
 * whole sequence, fed in order and shuffled, give exactly (bitwise) the block results of that same run; state is
 * gone after the last chunk or an abort marker.
 */
public class GlobalContextFunctionTest {

    public static final long SEED = 7L;
    public static final int N = 1000; // 16 chunks of 64; the last block holds 8 positions

    @BeforeAll
    static void nd4j() {
        Nd4jRuntime.init(1);
    }

    public static ModelConfig config(GlobalMode mode) {
        return dnaModel().recent(4).group(2).levels(3).topK(3).globalMode(mode).build();
    }

    /** What ChunkedModel computes for the whole sequence "s", with the seeded default weights. */
    public static ChunkedModel.Result run(ModelConfig cfg, byte[] seq, boolean keepZ) {
        return run(cfg, "s", seq, keepZ);
    }

    /** As above for the sequence {@code id} (BIGBIRD's random blocks depend on it). */
    public static ChunkedModel.Result run(ModelConfig cfg, String id, byte[] seq, boolean keepZ) {
        int[] ids = Features.dnaKmers(seq, cfg);
        try (ChunkedModel model = new ChunkedModel(cfg, WeightsInit.defaults(cfg, SEED))) {
            return model.run(ids, seq.length, keepZ, done -> { }, BigBirdMemory.sequenceSeed(id));
        }
    }

    /** The summaries of each chunk, cut from the whole run's block results (and its z when asked). */
    public static List<ChunkSummary> summaries(String id, ChunkedModel.Result r, int n, ModelConfig cfg, boolean withZ) {
        int c = cfg.chunkSize();
        int b = cfg.blockSize();
        int d = cfg.dModel();
        int count = (n + c - 1) / c;
        List<ChunkSummary> out = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            ChunkSummary s = new ChunkSummary();
            s.sequenceId = id;
            s.index = k;
            s.coreFrom = (long) k * c;
            s.coreTo = Math.min(n, (long) (k + 1) * c);
            int b0 = (int) (s.coreFrom / b);
            int b1 = (int) ((s.coreTo + b - 1) / b);
            s.summaries = new float[(b1 - b0) * d];
            for (int blk = b0; blk < b1; blk++) {
                BlockResult br = r.blocks().get(blk);
                assertThat(br.start()).isEqualTo((long) blk * b);
                System.arraycopy(br.summary(), 0, s.summaries, (blk - b0) * d, d);
            }
            s.z = withZ ? Arrays.copyOfRange(r.z(), (int) s.coreFrom * d, (int) s.coreTo * d) : new float[0];
            s.last = k == count - 1;
            s.aborted = false;
            out.add(s);
        }
        return out;
    }

    static ChunkSummary abortMarker(String id, long index) {
        ChunkSummary s = new ChunkSummary();
        s.sequenceId = id;
        s.index = index;
        s.summaries = new float[0];
        s.z = new float[0];
        s.last = true;
        s.aborted = true;
        return s;
    }

    static List<BlockContext> contexts(String id, List<BlockResult> blocks) {
        List<BlockContext> out = new ArrayList<>();
        for (BlockResult r : blocks) {
            out.add(BlockContext.of(id, r));
        }
        return out;
    }

    static KeyedOneInputStreamOperatorTestHarness<String, ChunkSummary, BlockContext> harness(StreamSettings s)
            throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, ChunkSummary, BlockContext> h =
                new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new GlobalContextFunction(s)),
                        x -> x.sequenceId, Types.STRING);
        h.open();
        return h;
    }

    static StreamSettings settings(ModelConfig cfg) {
        return StreamSettings.defaults(cfg).withWeights(null, SEED);
    }

    private static void assertCleared(KeyedOneInputStreamOperatorTestHarness<String, ?, ?> h) {
        assertThat(h.numKeyedStateEntries()).as("keyed state entries").isZero();
        assertThat(h.numProcessingTimeTimers()).as("processing-time timers").isZero();
        assertThat(h.numEventTimeTimers()).as("event-time timers").isZero();
    }

    @ParameterizedTest
    @EnumSource(GlobalMode.class)
    void summariesInOrderGiveTheBlockContextsOfTheWholeSequence(GlobalMode mode) throws Exception {
        ModelConfig cfg = config(mode);
        ChunkedModel.Result r = run(cfg, bases(N, 1), false);
        assertThat(r.blocks()).hasSize(63);
        List<ChunkSummary> in = summaries("s", r, N, cfg, false);
        List<BlockContext> expected = contexts("s", r.blocks());
        try (var h = harness(settings(cfg))) {
            feed(h, in.subList(0, 1));
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(expected.subList(0, 4));
            assertThat(h.numKeyedStateEntries()).isPositive();
            feed(h, in.subList(1, in.size()));
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(expected);
            assertThat(side(h, StreamTypes.TOKEN_CONTEXTS)).isEmpty();
            assertCleared(h);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GlobalMode.class, names = {"HIERARCHICAL", "AXIAL"})
    void attentionPoolingSummariesGiveTheSameBlockContexts(GlobalMode mode) throws Exception {
        ModelConfig cfg = config(mode).toBuilder().pooling(Pooling.ATTENTION).causal(true).build();
        ChunkedModel.Result r = run(cfg, bases(N, 2), false);
        try (var h = harness(settings(cfg))) {
            feed(h, shuffled(summaries("s", r, N, cfg, false), 9));
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(contexts("s", r.blocks()));
            assertCleared(h);
        }
    }

    @ParameterizedTest
    @EnumSource(GlobalMode.class)
    void shuffledSummariesGiveTheSameBlockContexts(GlobalMode mode) throws Exception {
        ModelConfig cfg = config(mode);
        ChunkedModel.Result r = run(cfg, bases(N, 3), false);
        List<ChunkSummary> in = summaries("s", r, N, cfg, false);
        List<BlockContext> expected = contexts("s", r.blocks());
        for (long seed = 1; seed <= 3; seed++) {
            List<ChunkSummary> order = shuffled(in, seed);
            try (var h = harness(settings(cfg))) {
                feed(h, order);
                assertThat(h.extractOutputValues()).as("seed %d", seed).containsExactlyElementsOf(expected);
                assertCleared(h);
            }
        }
        // the last chunk first, the first chunk last: nothing is emitted until chunk 0 arrives
        List<ChunkSummary> reversed = new ArrayList<>(in);
        java.util.Collections.reverse(reversed);
        try (var h = harness(settings(cfg))) {
            feed(h, reversed.subList(0, reversed.size() - 1));
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numKeyedStateEntries()).isPositive();
            feed(h, reversed.subList(reversed.size() - 1, reversed.size()));
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(expected);
            assertCleared(h);
        }
    }

    @Test
    void earlySummariesAreDroppedFromStateOnceProcessed() throws Exception {
        ModelConfig cfg = config(GlobalMode.HIERARCHICAL);
        ChunkedModel.Result r = run(cfg, bases(N, 11), false);
        List<ChunkSummary> in = summaries("s", r, N, cfg, false);
        List<BlockContext> expected = contexts("s", r.blocks());
        int inOrderEntries;
        try (var h = harness(settings(cfg))) {
            feed(h, in.subList(0, 3));
            inOrderEntries = h.numKeyedStateEntries();
            assertThat(inOrderEntries).isPositive();
        }
        try (var h = harness(settings(cfg))) {
            feed(h, List.of(in.get(2), in.get(1)));
            assertThat(h.extractOutputValues()).isEmpty();
            int waiting = h.numKeyedStateEntries();
            feed(h, List.of(in.get(0)));
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(expected.subList(0, 12));
            // once caught up, the state is that of in-order arrival: nothing early is kept
            assertThat(h.numKeyedStateEntries()).isEqualTo(inOrderEntries).isLessThan(waiting + 1);
        }
    }

    @Test
    void theContextsEqualTheMathRecordsBitwise() throws Exception {
        // the same comparison through BlockContext.toResult, field by field, bit by bit
        ModelConfig cfg = config(GlobalMode.HIERARCHICAL);
        ChunkedModel.Result r = run(cfg, bases(N, 4), false);
        try (var h = harness(settings(cfg))) {
            feed(h, shuffled(summaries("s", r, N, cfg, false), 4));
            List<BlockContext> out = h.extractOutputValues();
            assertThat(out).hasSameSizeAs(r.blocks());
            for (int b = 0; b < out.size(); b++) {
                BlockResult got = out.get(b).toResult();
                BlockResult want = r.blocks().get(b);
                assertThat(got.block()).isEqualTo(want.block());
                assertThat(got.start()).isEqualTo(want.start());
                assertThat(got.end()).isEqualTo(want.end());
                assertThat(bits(got.context())).as("context of block %d", b).isEqualTo(bits(want.context()));
                assertThat(bits(got.summary())).isEqualTo(bits(want.summary()));
                assertThat(got.top()).containsExactly(want.top());
                assertThat(Float.floatToRawIntBits(got.selfWeight())).isEqualTo(
                        Float.floatToRawIntBits(want.selfWeight()));
                assertThat(Float.floatToRawIntBits(got.entropy())).isEqualTo(Float.floatToRawIntBits(want.entropy()));
            }
            assertThat(out.get(out.size() - 1).end).isEqualTo(N);
        }
    }

    private static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.floatToRawIntBits(v[i]);
        }
        return out;
    }

    @Test
    void anAbortMarkerClearsTheState() throws Exception {
        ModelConfig cfg = config(GlobalMode.HIERARCHICAL);
        ChunkedModel.Result r = run(cfg, bases(N, 5), false);
        List<ChunkSummary> in = summaries("s", r, N, cfg, false);
        List<BlockContext> expected = contexts("s", r.blocks()).subList(0, 12); // chunks 0..2, 4 blocks each
        try (var h = harness(settings(cfg))) {
            feed(h, in.subList(0, 3));
            assertThat(h.numKeyedStateEntries()).isPositive();
            feed(h, List.of(abortMarker("s", 3)));
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(expected);
            assertCleared(h);
        }
        // a marker without last clears it too (the Javadoc: "the chunk that carries last, or an abort marker")
        try (var h = harness(settings(cfg))) {
            ChunkSummary marker = abortMarker("s", 3);
            marker.last = false;
            feed(h, in.subList(0, 3));
            feed(h, List.of(marker));
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(expected);
            assertCleared(h);
        }
        // the marker overtakes chunks 1 and 2
        try (var h = harness(settings(cfg))) {
            feed(h, List.of(in.get(0), abortMarker("s", 3), in.get(2)));
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(expected.subList(0, 4));
            feed(h, List.of(in.get(1)));
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(expected);
            assertCleared(h);
        }
    }

    @Test
    void tokenContextsAreZPlusTheBlocksDelta() throws Exception {
        ModelConfig cfg = config(GlobalMode.HIERARCHICAL);
        int n = 300;
        ChunkedModel.Result r = run(cfg, bases(n, 6), true);
        int d = cfg.dModel();
        float[] z = r.z(); // [n, d]
        try (var h = harness(settings(cfg).withTokenContexts(true))) {
            feed(h, shuffled(summaries("s", r, n, cfg, true), 6));
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(contexts("s", r.blocks()));
            List<TokenContext> tokens = side(h, StreamTypes.TOKEN_CONTEXTS);
            assertThat(tokens).hasSameSizeAs(r.blocks());
            for (int b = 0; b < tokens.size(); b++) {
                TokenContext t = tokens.get(b);
                BlockResult br = r.blocks().get(b);
                assertThat(t.sequenceId).isEqualTo("s");
                assertThat(t.block).isEqualTo(b);
                assertThat(t.start).isEqualTo(br.start());
                assertThat(t.end).isEqualTo(br.end());
                int len = (int) (br.end() - br.start());
                assertThat(t.vectors).hasSize(len * d);
                for (int i = 0; i < len; i++) {
                    for (int c = 0; c < d; c++) {
                        // u_i = z_i + g_b·W_go, and g_b·W_go = c_b − s_b up to float rounding
                        double want = z[(int) (br.start() + i) * d + c] + ((double) br.context()[c] - br.summary()[c]);
                        assertThat((double) t.vectors[i * d + c]).as("block %d position %d dim %d", b, i, c)
                                .isCloseTo(want, within(1e-5));
                    }
                }
            }
            assertThat(tokens.get(tokens.size() - 1).end).isEqualTo(n);
            assertCleared(h);
        }
    }

    @Test
    void interleavedSequencesDoNotAffectEachOther() throws Exception {
        ModelConfig cfg = config(GlobalMode.HIERARCHICAL);
        ChunkedModel.Result a = run(cfg, "a", bases(N, 7), false);
        ChunkedModel.Result b = run(cfg, "b", bases(500, 8), false);
        List<ChunkSummary> in = new ArrayList<>(summaries("a", a, N, cfg, false));
        in.addAll(summaries("b", b, 500, cfg, false));
        try (var h = harness(settings(cfg))) {
            feed(h, shuffled(in, 10));
            List<BlockContext> out = h.extractOutputValues();
            assertThat(only(out, x -> x.sequenceId.equals("a"))).containsExactlyElementsOf(contexts("a", a.blocks()));
            assertThat(only(out, x -> x.sequenceId.equals("b"))).containsExactlyElementsOf(contexts("b", b.blocks()));
            assertThat(out).hasSize(a.blocks().size() + b.blocks().size());
            assertCleared(h);
        }
    }

    /**
     * FULL mode keeps one slab per chunk in a list state and caches the memory of the sequence it saw last: two
     * sequences taking turns chunk by chunk (a cache miss each time: the memory is rebuilt from the slabs), then a
     * snapshot and a restore into a new operator (no cache), still give the contexts of each whole sequence.
     */
    @Test
    void fullModeSlabsRebuiltAfterInterleavingAndRestoreGiveTheSameContexts() throws Exception {
        ModelConfig cfg = config(GlobalMode.FULL);
        ChunkedModel.Result a = run(cfg, bases(N, 17), false);
        ChunkedModel.Result b = run(cfg, bases(700, 18), false);
        List<ChunkSummary> sa = summaries("a", a, N, cfg, false);
        List<ChunkSummary> sb = summaries("b", b, 700, cfg, false);
        List<ChunkSummary> turns = new ArrayList<>();
        for (int i = 0; i < Math.max(sa.size(), sb.size()); i++) {
            if (i < sa.size()) {
                turns.add(sa.get(i));
            }
            if (i < sb.size()) {
                turns.add(sb.get(i));
            }
        }
        int cut = 9;   // both sequences open at the snapshot
        List<BlockContext> out = new ArrayList<>();
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
        try (var h = harness(settings(cfg))) {
            feed(h, turns.subList(0, cut));
            out.addAll(h.extractOutputValues());
            snapshot = h.snapshot(1, 1);
        }
        KeyedOneInputStreamOperatorTestHarness<String, ChunkSummary, BlockContext> h =
                new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(
                        new GlobalContextFunction(settings(cfg))), x -> x.sequenceId, Types.STRING);
        try (h) {
            h.initializeState(snapshot);
            h.open();
            feed(h, turns.subList(cut, turns.size()));
            out.addAll(h.extractOutputValues());
            assertCleared(h);
        }
        assertThat(only(out, x -> x.sequenceId.equals("a"))).containsExactlyElementsOf(contexts("a", a.blocks()));
        assertThat(only(out, x -> x.sequenceId.equals("b"))).containsExactlyElementsOf(contexts("b", b.blocks()));
    }

    /**
     * State written before the slabs existed: FULL's memory as {@code MemoryState} bytes in the {@code memory} value
     * state. The sequence's next chunk moves it into the list state and goes on as if nothing had changed.
     */
    @Test
    void fullModeMemoryInTheOldValueStateIsMovedToSlabs() throws Exception {
        ModelConfig cfg = config(GlobalMode.FULL);
        ChunkedModel.Result a = run(cfg, bases(N, 19), false);
        List<ChunkSummary> in = summaries("a", a, N, cfg, false);
        // the memory after 5 chunks as the code before the slabs kept it: MemoryState bytes in the memory value state
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
        try (var h = harness(settings(cfg))) {
            feed(h, in.subList(0, 5));
            h.getOperator().setCurrentKey("a");
            var store = h.getOperator().getKeyedStateStore();
            var slabs = store.getListState(GlobalContextFunction.fullMemoryDescriptor());
            io.longseq.math.memory.FullMemory m =
                    (io.longseq.math.memory.FullMemory) io.longseq.math.memory.BlockMemory.create(cfg);
            for (float[] slab : slabs.get()) {
                m.appendSlab(slab);
            }
            assertThat(m.nextBlock()).isEqualTo(5L * cfg.blocksPerChunk());
            slabs.clear();
            store.getState(GlobalContextFunction.memoryDescriptor()).update(m.toState().toBytes());
            snapshot = h.snapshot(1, 1);
        }
        KeyedOneInputStreamOperatorTestHarness<String, ChunkSummary, BlockContext> h =
                new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(
                        new GlobalContextFunction(settings(cfg))), x -> x.sequenceId, Types.STRING);
        try (h) {
            h.initializeState(snapshot);
            h.open();
            feed(h, in.subList(5, in.size()));
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(
                    contexts("a", a.blocks()).subList(5 * cfg.blocksPerChunk(), a.blocks().size()));
            assertCleared(h);
        }
    }

    // ------------------------------------------------------------------------------------ max-early-summaries

    static StreamSettings capped(ModelConfig cfg, int maxEarly) {
        return settings(cfg).withLimits(StreamLimits.DEFAULTS.withMaxEarlySummaries(maxEarly));
    }

    static List<ChunkSummary> pick(List<ChunkSummary> in, int... indices) {
        List<ChunkSummary> out = new ArrayList<>();
        for (int i : indices) {
            out.add(in.get(i));
        }
        return out;
    }

    static String givenUp(long chunk, int waiting, int dropped) {
        return "given up by global-context: chunk " + chunk + " has not arrived and " + waiting + " later chunk"
                + " summaries wait for it, the most allowed (max-early-summaries); " + chunk + " chunks were"
                + " processed, " + dropped + " chunk summaries dropped, later ones will be dropped too";
    }

    @Test
    void summariesUpToTheCapWaitAndGiveTheSameBlockContexts() throws Exception {
        ModelConfig cfg = config(GlobalMode.HIERARCHICAL);
        ChunkedModel.Result r = run(cfg, bases(N, 12), false);
        List<ChunkSummary> in = summaries("s", r, N, cfg, false); // 16 chunks
        try (var h = harness(capped(cfg, 3))) {
            feed(h, pick(in, 3, 1, 2)); // three wait: the cap, not past it
            assertThat(h.extractOutputValues()).isEmpty();
            feed(h, pick(in, 0, 5, 6, 4, 7, 8, 9, 10, 11, 12, 13, 15, 14));
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(contexts("s", r.blocks()));
            assertThat(side(h, StreamTypes.NOTICES)).isEmpty();
            assertCleared(h);
        }
    }

    @Test
    void oneSummaryPastTheCapGivesTheSequenceUpAndItsStateReturnsToZero() throws Exception {
        ModelConfig cfg = config(GlobalMode.HIERARCHICAL);
        ChunkedModel.Result r = run(cfg, bases(N, 13), false);
        List<ChunkSummary> in = summaries("s", r, N, cfg, false);
        List<BlockContext> expected = contexts("s", r.blocks());
        try (var h = harness(capped(cfg, 3))) {
            feed(h, pick(in, 0, 1, 3, 4, 5)); // chunks 0, 1 processed; 3, 4, 5 wait for 2
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(expected.subList(0, 8));
            feed(h, pick(in, 6));
            assertThat(side(h, StreamTypes.NOTICES)).containsExactly(new Notice("s", Notice.Kind.SEQUENCE_FAILED,
                    2 * 64, 4, givenUp(2, 3, 4)));
            assertThat(h.numKeyedStateEntries()).as("only the tombstone").isEqualTo(1);
            // the rest arrives and is dropped without output or exception; the last one takes the tombstone along
            feed(h, pick(in, 2, 15, 7, 8, 9, 10, 11, 12, 13));
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            feed(h, pick(in, 14));
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(expected.subList(0, 8));
            assertThat(side(h, StreamTypes.NOTICES)).hasSize(1);
            assertCleared(h);
        }
    }

    @Test
    void aGivenUpSequenceWhoseLastChunkWasHeldOrIsAnAbortMarkerIsForgottenToo() throws Exception {
        ModelConfig cfg = config(GlobalMode.HIERARCHICAL);
        ChunkedModel.Result r = run(cfg, bases(N, 14), false);
        List<ChunkSummary> in = summaries("s", r, N, cfg, false);
        try (var h = harness(capped(cfg, 2))) {
            feed(h, pick(in, 15, 14, 13)); // the last chunk was among those held when the cap was passed
            assertThat(side(h, StreamTypes.NOTICES)).singleElement().isEqualTo(
                    new Notice("s", Notice.Kind.SEQUENCE_FAILED, 0, 3, givenUp(0, 2, 3)));
            feed(h, pick(in, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            feed(h, pick(in, 12));
            assertThat(h.extractOutputValues()).isEmpty();
            assertCleared(h);
        }
        try (var h = harness(capped(cfg, 1))) {
            feed(h, pick(in, 2, 1)); // given up at chunk 0; then assemble gives it up too: marker at 3
            assertThat(side(h, StreamTypes.NOTICES)).singleElement().isEqualTo(
                    new Notice("s", Notice.Kind.SEQUENCE_FAILED, 0, 2, givenUp(0, 1, 2)));
            feed(h, List.of(abortMarker("s", 3)));
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            feed(h, pick(in, 0));
            assertCleared(h);
        }
    }

    @Test
    void otherSequencesGoOnWhenOneIsGivenUp() throws Exception {
        ModelConfig cfg = config(GlobalMode.HIERARCHICAL);
        ChunkedModel.Result a = run(cfg, bases(N, 15), false);
        ChunkedModel.Result b = run(cfg, bases(500, 16), false);
        List<ChunkSummary> as = summaries("a", a, N, cfg, false);
        List<ChunkSummary> bs = summaries("b", b, 500, cfg, false);
        try (var h = harness(capped(cfg, 2))) {
            List<ChunkSummary> order = new ArrayList<>(pick(bs, 1, 2));  // b: two wait, the cap
            order.addAll(pick(as, 3, 2, 1));                             // a: the third passes it
            order.addAll(pick(bs, 0, 3, 4, 5, 6, 7));
            order.addAll(pick(as, 0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
            feed(h, order);
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(contexts("b", b.blocks()));
            assertThat(side(h, StreamTypes.NOTICES)).singleElement().satisfies(n -> {
                assertThat(n.sequenceId).isEqualTo("a");
                assertThat(n.kind).isEqualTo(Notice.Kind.SEQUENCE_FAILED);
            });
            assertCleared(h);
        }
    }

    @Test
    void theTombstoneCountsArrivalsUntilNoneIsLeft() {
        long[] t = {5, 3, -1}; // given up at chunk 5 with 3 later ones seen, the last unknown
        assertThat(GiveUpTomb.complete(t)).isFalse();
        assertThat(GiveUpTomb.arrive(t, 2, false)).as("before from: not counted").isFalse();
        assertThat(t[1]).isEqualTo(3);
        assertThat(GiveUpTomb.arrive(t, 9, true)).as("last = 9: chunks 5..9 are 5").isFalse();
        assertThat(GiveUpTomb.arrive(t, 5, false)).isTrue();
        assertThat(GiveUpTomb.complete(new long[] {0, 1, 0})).isTrue();
    }

    // ------------------------------------------------------------------------------------ the last resort

    @Test
    void anExceptionWhileProcessingGivesTheSequenceUpInsteadOfFailingTheJob() throws Exception {
        ModelConfig cfg = config(GlobalMode.HIERARCHICAL);
        int n = 300; // 5 chunks
        ChunkedModel.Result r = run(cfg, bases(n, 17), true);
        List<ChunkSummary> in = summaries("s", r, n, cfg, true);
        in.get(1).z = new float[3]; // too short for its core: the token contexts cannot be cut from it
        try (var h = harness(settings(cfg).withTokenContexts(true))) {
            feed(h, pick(in, 0, 2, 1));
            List<BlockContext> expected = contexts("s", r.blocks());
            // chunk 0's blocks, and the first block of chunk 1, computed before its token context failed
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(expected.subList(0, 5));
            assertThat(side(h, StreamTypes.NOTICES)).singleElement().satisfies(notice -> {
                assertThat(notice.kind).isEqualTo(Notice.Kind.SEQUENCE_FAILED);
                assertThat(notice.position).isEqualTo(64);
                assertThat(notice.count).isEqualTo(2);
                assertThat(notice.message).startsWith("given up by global-context: internal error in global-context at"
                        + " chunk 1: java.lang.ArrayIndexOutOfBoundsException: ").endsWith("; 1 chunks were processed,"
                        + " 2 chunk summaries dropped, later ones will be dropped too");
            });
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            feed(h, pick(in, 4, 3));
            assertThat(h.extractOutputValues()).hasSize(5);
            assertCleared(h);
        }
    }
}
