package io.longseq.stream.global;

import static io.longseq.stream.StreamTestSupport.bases;
import static io.longseq.stream.StreamTestSupport.feed;
import static io.longseq.stream.StreamTestSupport.notices;
import static io.longseq.stream.StreamTestSupport.shuffled;
import static io.longseq.stream.StreamTestSupport.side;
import static io.longseq.stream.global.GlobalContextFunctionTest.N;
import static io.longseq.stream.global.GlobalContextFunctionTest.abortMarker;
import static io.longseq.stream.global.GlobalContextFunctionTest.config;
import static io.longseq.stream.global.GlobalContextFunctionTest.contexts;
import static io.longseq.stream.global.GlobalContextFunctionTest.run;
import static io.longseq.stream.global.GlobalContextFunctionTest.settings;
import static io.longseq.stream.global.GlobalContextFunctionTest.summaries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.memory.ShadowMonitor;
import io.longseq.math.memory.ShadowMonitorTest;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.ChunkedModel;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.model.TopEntry;
import io.longseq.stream.Notice;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.StreamTypes;
import io.longseq.stream.local.ChunkSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The runtime accuracy monitor ({@code --shadow-sample}) in {@link GlobalContextFunction}: with every sequence
 * shadowed the block outputs are bitwise those without the monitor, and the figures it publishes (notice and
 * metrics) equal a computation in this test from two {@link ChunkedModel} runs, the configured mode and FULL.
 */
class GlobalShadowTest {

    @BeforeAll
    static void nd4j() {
        Nd4jRuntime.init(1);
    }

    static KeyedOneInputStreamOperatorTestHarness<String, ChunkSummary, BlockContext> harness(StreamSettings s,
            OperatorSubtaskState restored) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new GlobalContextFunction(s)),
                (ChunkSummary x) -> x.sequenceId, Types.STRING);
        if (restored != null) {
            h.initializeState(restored);
        }
        h.open();
        return h;
    }

    static GlobalShadow shadow(KeyedOneInputStreamOperatorTestHarness<String, ChunkSummary, BlockContext> h) {
        return ((GlobalContextFunction) ((KeyedProcessOperator<?, ?, ?>) h.getOperator()).getUserFunction()).shadow;
    }

    static List<Notice> shadowNotices(KeyedOneInputStreamOperatorTestHarness<String, ?, ?> h) {
        return notices(h).stream().filter(n -> n.kind == Notice.Kind.SHADOW).toList();
    }

    /** The figures of blocks [0, upTo), computed here from the two runs' results. */
    record Figures(long blocks, long ranked, long agreed, double cosineSum) {}

    static Figures expected(ModelConfig cfg, List<BlockResult> bounded, List<BlockResult> full, int upTo) {
        long ranked = 0;
        long agreed = 0;
        double cosineSum = 0;
        for (int b = 0; b < upTo; b++) {
            BlockResult x = bounded.get(b);
            BlockResult y = full.get(b);
            assertThat(x.summary()).as("the same summary in both runs").isEqualTo(y.summary());
            cosineSum += cos(x.context(), y.context());
            if (cfg.globalMode() == GlobalMode.LINEAR || y.top().length == 0) {
                continue;
            }
            ranked++;
            long star = y.top()[0].firstBlock();
            if (x.top().length > 0) {
                TopEntry e = x.top()[0];
                boolean in = e.firstBlock() <= star && star <= e.lastBlock();
                if (cfg.globalMode() == GlobalMode.AXIAL && e.level() == 2) {
                    in &= (star - e.firstBlock()) % (cfg.chunkSize() / cfg.blockSize()) == 0;
                }
                agreed += in ? 1 : 0;
            }
        }
        return new Figures(upTo, ranked, agreed, cosineSum);
    }

    // x·y / √(|x|²·|y|²) for x, y [d]
    static double cos(float[] x, float[] y) {
        double dot = 0;
        double xx = 0;
        double yy = 0;
        for (int c = 0; c < x.length; c++) {
            dot += (double) x[c] * y[c];
            xx += (double) x[c] * x[c];
            yy += (double) y[c] * y[c];
        }
        return dot / Math.sqrt(xx * yy);
    }

    static final Pattern FIGURES = Pattern.compile("top-1 agreement (\\S+) \\((\\d+) of (\\d+) blocks\\), mean context"
            + " cosine (\\S+) over (\\d+) blocks");

    /** Checks a notice's figures against {@code want}: counts exactly, the printed ratios to their decimals. */
    static void assertFigures(String message, Figures want) {
        Matcher m = FIGURES.matcher(message);
        assertThat(m.find()).as(message).isTrue();
        assertThat(message.substring(m.end())).isEmpty();
        assertThat(Long.parseLong(m.group(2))).as("agreed").isEqualTo(want.agreed());
        assertThat(Long.parseLong(m.group(3))).as("ranked").isEqualTo(want.ranked());
        assertThat(Long.parseLong(m.group(5))).as("blocks").isEqualTo(want.blocks());
        if (want.ranked() == 0) {
            assertThat(m.group(1)).isEqualTo("n/a");
        } else {
            assertThat(Double.parseDouble(m.group(1))).isCloseTo((double) want.agreed() / want.ranked(), within(5e-7));
        }
        assertThat(m.group(4)).matches("-?\\d\\.\\d{9}");
        assertThat(Double.parseDouble(m.group(4))).isCloseTo(want.cosineSum() / want.blocks(), within(6e-10));
    }

    static String mode(ModelConfig cfg) {
        return cfg.globalMode().name().toLowerCase(Locale.ROOT);
    }

    @ParameterizedTest
    @EnumSource(value = GlobalMode.class, names = "FULL", mode = EnumSource.Mode.EXCLUDE)
    void everySequenceShadowedGivesTheSameOutputsBitwiseAndTheFiguresOfTwoIndependentRuns(GlobalMode mode)
            throws Exception {
        ModelConfig cfg = config(mode);
        byte[] seq = bases(N, 21);
        ChunkedModel.Result bounded = run(cfg, seq, false);
        ChunkedModel.Result full = run(ShadowMonitor.fullOf(cfg), seq, false);
        List<ChunkSummary> in = shuffled(summaries("s", bounded, N, cfg, false), 5);
        List<BlockContext> off;
        try (var h = harness(settings(cfg), null)) {
            feed(h, in);
            off = h.extractOutputValues();
            assertThat(notices(h)).isEmpty();
            assertThat(shadow(h).cosineHistogram()).as("no shadow metrics when off").isNull();
        }
        assertThat(off).containsExactlyElementsOf(contexts("s", bounded.blocks()));
        int blocks = bounded.blocks().size();
        Figures want = expected(cfg, bounded.blocks(), full.blocks(), blocks);
        try (var h = harness(settings(cfg).withShadowSample(1.0), null)) {
            feed(h, in);
            assertThat(h.extractOutputValues()).as("BlockContext.equals compares raw bits").containsExactlyElementsOf(off);
            Notice n = notices(h).get(0);
            assertThat(notices(h)).hasSize(1);
            assertThat(n.kind).isEqualTo(Notice.Kind.SHADOW);
            assertThat(n.sequenceId).isEqualTo("s");
            assertThat(n.position).isEqualTo(N);
            assertThat(n.count).isEqualTo(blocks);
            assertThat(n.message).startsWith("shadow of global mode " + mode(cfg) + " against full: top-1 agreement ");
            assertFigures(n.message, want);
            ShadowMonitor.Tally subtask = shadow(h).subtask();
            assertThat(subtask.blocks()).isEqualTo(blocks);
            assertThat(subtask.ranked()).isEqualTo(want.ranked());
            assertThat(subtask.agreed()).isEqualTo(want.agreed());
            assertThat(subtask.meanCosine()).isCloseTo(want.cosineSum() / blocks, within(1e-12));
            assertThat(shadow(h).cosineHistogram().getCount()).isEqualTo(blocks);
            assertThat(shadow(h).cosineHistogram().getStatistics().getMax())
                    .isEqualTo(Math.round(1e9 * maxCosine(bounded.blocks(), full.blocks())));
            assertThat(h.numKeyedStateEntries()).as("the sequence ended: no state").isZero();
        }
        assertThat(want.ranked()).as("every block but block 0").isEqualTo(mode == GlobalMode.LINEAR ? 0 : blocks - 1);
        if (mode == GlobalMode.HIERARCHICAL) {
            // the monitor sees a difference: hierarchical's means are not full's blocks
            assertThat(want.agreed()).isLessThan(want.ranked());
            assertThat(want.cosineSum() / blocks).isLessThan(1.0);
        }
    }

    static double maxCosine(List<BlockResult> a, List<BlockResult> b) {
        double max = -2;
        for (int i = 0; i < a.size(); i++) {
            max = Math.max(max, cos(a.get(i).context(), b.get(i).context()));
        }
        return max;
    }

    @Test
    void tokenContextsAreUnchangedWithTheMonitorOn() throws Exception {
        ModelConfig cfg = config(GlobalMode.RETRIEVAL);
        int n = 300;
        ChunkedModel.Result r = run(cfg, bases(n, 22), true);
        List<ChunkSummary> in = summaries("s", r, n, cfg, true);
        List<TokenContext> off;
        try (var h = harness(settings(cfg).withTokenContexts(true), null)) {
            feed(h, in);
            off = side(h, StreamTypes.TOKEN_CONTEXTS);
        }
        try (var h = harness(settings(cfg).withTokenContexts(true).withShadowSample(1), null)) {
            feed(h, in);
            assertThat(side(h, StreamTypes.TOKEN_CONTEXTS)).hasSize(19).containsExactlyElementsOf(off);
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(contexts("s", r.blocks()));
            assertThat(shadowNotices(h)).hasSize(1);
        }
    }

    @Test
    void atMaxBlocksTheShadowStopsWithANoticeAndTheOutputsGoOn() throws Exception {
        ModelConfig cfg = config(GlobalMode.HIERARCHICAL).toBuilder().maxBlocks(20).build();
        byte[] seq = bases(N, 23);
        ChunkedModel.Result bounded = run(cfg, seq, false);
        ChunkedModel.Result full = run(ShadowMonitor.fullOf(config(GlobalMode.HIERARCHICAL)), seq, false); // no cap
        List<ChunkSummary> in = summaries("s", bounded, N, cfg, false); // 4 blocks per chunk
        int offEntries;
        try (var h = harness(settings(cfg), null)) {
            feed(h, in.subList(0, 6));
            offEntries = h.numKeyedStateEntries();
        }
        try (var h = harness(settings(cfg).withShadowSample(1), null)) {
            feed(h, in.subList(0, 5)); // blocks 0..19: the cap, not past it
            assertThat(notices(h)).isEmpty();
            feed(h, in.subList(5, 6));
            Notice n = notices(h).get(0);
            assertThat(notices(h)).hasSize(1);
            assertThat(n.kind).isEqualTo(Notice.Kind.SHADOW);
            assertThat(n.position).isEqualTo(20 * 16);
            assertThat(n.count).isEqualTo(20);
            assertThat(n.message).startsWith("shadow of global mode hierarchical against full stopped at block 20 (its"
                    + " full memory holds max-blocks = 20 blocks); blocks [0, 20): top-1 agreement ");
            assertFigures(n.message, expected(cfg, bounded.blocks(), full.blocks(), 20));
            assertThat(h.numKeyedStateEntries()).as("only the stopped tally beside the sequence's own state")
                    .isEqualTo(offEntries + 1);
            feed(h, in.subList(6, in.size()));
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(contexts("s", bounded.blocks()));
            assertThat(notices(h)).as("no second notice at the end").hasSize(1);
            assertThat(shadow(h).subtask().blocks()).isEqualTo(20);
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void anErrorInTheShadowStopsItWithANoticeAndTheSequenceGoesOn() throws Exception {
        ModelConfig cfg = config(GlobalMode.HIERARCHICAL);
        byte[] seq = bases(N, 27);
        ChunkedModel.Result bounded = run(cfg, seq, false);
        ChunkedModel.Result full = run(ShadowMonitor.fullOf(cfg), seq, false);
        List<ChunkSummary> in = summaries("s", bounded, N, cfg, false);
        try (var h = harness(settings(cfg).withShadowSample(1), null)) {
            feed(h, in.subList(0, 2));
            KeyedStateBackend<String> backend = h.getOperator().getKeyedStateBackend();
            backend.setCurrentKey("s");
            backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                    GlobalShadow.memoryDescriptor()).update(new byte[] {9});
            feed(h, in.subList(2, in.size()));
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(contexts("s", bounded.blocks()));
            Notice n = notices(h).get(0);
            assertThat(notices(h)).hasSize(1);
            assertThat(n.position).isEqualTo(2 * 64);
            assertThat(n.count).isEqualTo(8);
            assertThat(n.message).startsWith("shadow of global mode hierarchical against full stopped at block 8"
                    + " (internal error: java.lang.IllegalArgumentException: memory state version 9 is not known"
                    + " (expected 1)); blocks [0, 8): top-1 agreement ");
            assertFigures(n.message, expected(cfg, bounded.blocks(), full.blocks(), 8));
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void aRestoreMidwayGivesTheSameFiguresAndAShadowStartsOnlyAtChunkZero() throws Exception {
        ModelConfig cfg = config(GlobalMode.RETRIEVAL);
        byte[] seq = bases(N, 24);
        ChunkedModel.Result bounded = run(cfg, seq, false);
        List<ChunkSummary> in = summaries("s", bounded, N, cfg, false);
        StreamSettings on = settings(cfg).withShadowSample(1);
        Notice whole;
        try (var h = harness(on, null)) {
            feed(h, in);
            whole = shadowNotices(h).get(0);
        }
        OperatorSubtaskState snapshot;
        try (var h = harness(on, null)) {
            feed(h, shuffled(in.subList(0, 9), 2));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(on, snapshot)) {
            feed(h, shuffled(in.subList(9, in.size()), 3));
            assertThat(shadowNotices(h)).containsExactly(whole);
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(contexts("s", bounded.blocks()).subList(36, 63));
        }
        // state written with the monitor off, restored with it on: the sequence is not shadowed half-way
        try (var h = harness(settings(cfg), null)) {
            feed(h, in.subList(0, 9));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(on, snapshot)) {
            feed(h, in.subList(9, in.size()));
            assertThat(notices(h)).isEmpty();
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void theSeededHashPicksTheShadowedSequences() throws Exception {
        ModelConfig cfg = config(GlobalMode.HIERARCHICAL);
        int n = 200; // 4 chunks, 13 blocks
        List<ChunkSummary> in = new ArrayList<>();
        Set<String> picked = new TreeSet<>();
        for (int i = 0; i < 20; i++) {
            String id = "q" + i;
            in.addAll(summaries(id, run(cfg, id, bases(n, 100 + i), false), n, cfg, false));
            if (ShadowMonitorTest.referenceUnit(id) < 0.5) {
                picked.add(id);
            }
        }
        assertThat(picked).isNotEmpty().hasSizeLessThan(20);
        try (var h = harness(settings(cfg).withShadowSample(0.5), null)) {
            feed(h, shuffled(in, 7));
            assertThat(notices(h)).allSatisfy(x -> assertThat(x.kind).isEqualTo(Notice.Kind.SHADOW));
            assertThat(notices(h).stream().map(x -> x.sequenceId).toList()).containsExactlyInAnyOrderElementsOf(picked);
            assertThat(shadow(h).subtask().blocks()).isEqualTo(13L * picked.size());
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void fullModeHasNothingToCompareAndAnAbortDropsTheShadowWithoutANotice() throws Exception {
        ModelConfig cfg = config(GlobalMode.FULL);
        ChunkedModel.Result r = run(cfg, bases(N, 25), false);
        try (var h = harness(settings(cfg).withShadowSample(1), null)) {
            feed(h, summaries("s", r, N, cfg, false));
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(contexts("s", r.blocks()));
            assertThat(notices(h)).isEmpty();
        }
        ModelConfig hier = config(GlobalMode.HIERARCHICAL);
        ChunkedModel.Result rh = run(hier, bases(N, 26), false);
        List<ChunkSummary> in = summaries("s", rh, N, hier, false);
        try (var h = harness(settings(hier).withShadowSample(1), null)) {
            feed(h, in.subList(0, 3));
            feed(h, List.of(abortMarker("s", 3)));
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(contexts("s", rh.blocks()).subList(0, 12));
            assertThat(notices(h)).isEmpty();
            assertThat(shadow(h).subtask().blocks()).isEqualTo(12);
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }
}
