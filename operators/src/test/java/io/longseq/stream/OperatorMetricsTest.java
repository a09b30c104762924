package io.longseq.stream;

import static io.longseq.stream.StreamTestSupport.T0;
import static io.longseq.stream.StreamTestSupport.bases;
import static io.longseq.stream.StreamTestSupport.deadLetters;
import static io.longseq.stream.StreamTestSupport.dna;
import static io.longseq.stream.StreamTestSupport.dnaAt;
import static io.longseq.stream.StreamTestSupport.dnaModel;
import static io.longseq.stream.StreamTestSupport.feed;
import static io.longseq.stream.StreamTestSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.model.ChunkedModel;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.stream.assemble.AssembleFunction;
import io.longseq.stream.assemble.AssembleOperator;
import io.longseq.stream.assemble.Chunk;
import io.longseq.stream.global.BlockContext;
import io.longseq.stream.global.GlobalContextFunction;
import io.longseq.stream.global.GlobalContextFunctionTest;
import io.longseq.stream.global.GlobalContextOperator;
import io.longseq.stream.global.MemoryBytes;
import io.longseq.stream.input.DeadLetterRule;
import io.longseq.stream.input.SequenceFragment;
import io.longseq.stream.input.TokenFragment;
import io.longseq.stream.input.ValidateFunction;
import io.longseq.stream.local.ChunkSummary;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The operators' own metrics (OperatorMetrics): the bounded dead-letter labels, and the running counts behind the
 * gauges, checked against what the keyed state holds, also after a restore into a fresh operator.
 */
class OperatorMetricsTest {

    static final ModelConfig CFG = dnaModel().build(); // C = 64, B = 16
    static final byte[] SEQ = bases(400, 5);

    @Test
    void deadLetterLabelsAreAFixedSetOfDistinctRuleNames() {
        Set<String> labels = new HashSet<>();
        for (DeadLetterRule r : DeadLetterRule.values()) {
            assertThat(r.label()).matches("[a-z0-9]+(-[a-z0-9]+)*");
            labels.add(r.label());
        }
        assertThat(labels).hasSize(DeadLetterRule.values().length).contains("invalid-base", "max-id-bytes",
                "not-utf8", "undecodable", "conflicting-overlap", "after-end", "given-up");
        EnumSet<DeadLetterRule> both = EnumSet.copyOf(DeadLetterRule.VALIDATE);
        both.addAll(DeadLetterRule.ASSEMBLE);
        assertThat(both).as("every rule belongs to a stage").containsExactlyInAnyOrder(DeadLetterRule.values());
    }

    @Test
    void validateNamesTheRuleOfEachRefusal() {
        StreamSettings dna = StreamSettings.defaults(CFG);
        assertThat(rule(new SequenceFragment("s", 0, FeatureKind.DNA, "ACGT-A".getBytes(StandardCharsets.US_ASCII),
                false), dna)).isEqualTo(DeadLetterRule.INVALID_BASE);
        assertThat(rule(new SequenceFragment("x".repeat(dna.limits().maxIdBytes() + 1), 0, FeatureKind.DNA,
                new byte[] {'A'}, false), dna)).isEqualTo(DeadLetterRule.MAX_ID_BYTES);
        assertThat(rule(SequenceFragment.undecodable("s", new byte[] {1, 2}, "not Avro"), dna))
                .isEqualTo(DeadLetterRule.UNDECODABLE);
        assertThat(rule(new SequenceFragment("s", -1, FeatureKind.DNA, new byte[] {'A'}, false), dna))
                .isEqualTo(DeadLetterRule.NEGATIVE_OFFSET);
        StreamSettings log = StreamSettings.defaults(ModelConfig.builder().featureKind(FeatureKind.LOG).build());
        assertThat(rule(new SequenceFragment("s", 0, FeatureKind.LOG, new byte[] {'a', (byte) 0xC3, '\n'}, false),
                log)).isEqualTo(DeadLetterRule.NOT_UTF8);
        assertThat(ValidateFunction.check(new SequenceFragment("s", 0, FeatureKind.DNA, new byte[] {'A'}, false), dna)
                .rule()).as("a valid fragment breaks no rule").isNull();
    }

    private static DeadLetterRule rule(SequenceFragment f, StreamSettings s) {
        ValidateFunction.Result r = ValidateFunction.check(f, s);
        assertThat(r.reason()).isNotNull();
        assertThat(r.rule()).isIn(DeadLetterRule.VALIDATE);
        return r.rule();
    }

    static KeyedOneInputStreamOperatorTestHarness<String, TokenFragment, Chunk> assemble(OperatorSubtaskState restored)
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new AssembleOperator(settings(CFG)),
                (TokenFragment f) -> f.sequenceId, Types.STRING);
        if (restored != null) {
            h.initializeState(restored);
        }
        h.open();
        h.setProcessingTime(T0);
        return h;
    }

    static AssembleFunction function(KeyedOneInputStreamOperatorTestHarness<String, TokenFragment, Chunk> h) {
        return (AssembleFunction) ((AssembleOperator) h.getOperator()).getUserFunction();
    }

    static TokenFragment arrivedAt(TokenFragment f, long at) {
        f.arrivedAt = at;
        return f;
    }

    @Test
    void assembleCountsOpenSequencesWaitingPositionsAndDeadLettersByRuleAcrossARestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = assemble(null)) {
            feed(h, List.of(arrivedAt(dna("a", SEQ, 0, 100, false), 500), arrivedAt(dna("a", SEQ, 200, 300, false), 501),
                    dna("b", SEQ, 0, 50, false), dnaAt("b", 40, "TTTTTTTTTTTTTTTTTTTT", false),
                    dna("c", SEQ, 0, 100, true)));
            AssembleFunction f = function(h);
            assertThat(f.sequences.open()).as("a and b; c ended").isEqualTo(2);
            assertThat(f.sequences.waiting()).as("a's [200, 300) waits for [100, 200)").isEqualTo(100);
            assertThat(f.deadLetters.counted(DeadLetterRule.CONFLICTING_OVERLAP)).isEqualTo(1);
            assertThat(deadLetters(h)).hasSize(1);
            assertThat(h.extractOutputValues()).filteredOn(c -> c.sequenceId.equals("a")).isNotEmpty()
                    .allSatisfy(c -> assertThat(c.arrivedAt).as("the arrival of a's first fragment").isEqualTo(500));
            snapshot = h.snapshot(1, T0);
        }
        try (var h = assemble(snapshot)) {
            AssembleFunction f = function(h);
            assertThat(f.sequences.open()).as("counted from restored state").isEqualTo(2);
            assertThat(f.sequences.waiting()).isEqualTo(100);
            h.processElement(new StreamRecord<>(arrivedAt(dna("a", SEQ, 100, 200, false), 900)));
            assertThat(f.sequences.waiting()).as("[200, 300) went into the tail").isZero();
            assertThat(h.extractOutputValues()).last().satisfies(c -> assertThat(c.arrivedAt).isEqualTo(900));
            h.processElement(new StreamRecord<>(dna("a", SEQ, 300, 400, true)));
            h.processElement(new StreamRecord<>(dna("a", SEQ, 0, 10, false))); // after the end (no retention: new)
            assertThat(f.sequences.open()).as("a ended and opened again, b open").isEqualTo(2);
            h.processElement(new StreamRecord<>(dna("b", SEQ, 50, 60, true)));
            assertThat(f.sequences.open()).isEqualTo(1);
            assertThat(f.deadLetters.counted(DeadLetterRule.CONFLICTING_OVERLAP)).as("counted per subtask run")
                    .isZero();
        }
    }

    static KeyedOneInputStreamOperatorTestHarness<String, ChunkSummary, BlockContext> global(
            OperatorSubtaskState restored, StreamSettings s) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new GlobalContextOperator(s),
                (ChunkSummary x) -> x.sequenceId, Types.STRING);
        if (restored != null) {
            h.initializeState(restored);
        }
        h.open();
        h.setProcessingTime(T0);
        return h;
    }

    static GlobalContextFunction globalFunction(
            KeyedOneInputStreamOperatorTestHarness<String, ChunkSummary, BlockContext> h) {
        return (GlobalContextFunction) ((GlobalContextOperator) h.getOperator()).getUserFunction();
    }

    @Test
    void globalContextCountsOpenSequencesMemoryBytesBlocksAndLagAcrossARestore() throws Exception {
        Nd4jRuntime.init(1);
        ModelConfig cfg = GlobalContextFunctionTest.config(GlobalMode.HIERARCHICAL);
        StreamSettings s = StreamSettings.defaults(cfg);
        int n = GlobalContextFunctionTest.N;
        byte[] seq = bases(n, GlobalContextFunctionTest.SEED);
        ChunkedModel.Result run = GlobalContextFunctionTest.run(cfg, seq, false);
        List<ChunkSummary> x = GlobalContextFunctionTest.summaries("x", run, n, cfg, false); // 16 chunks
        List<ChunkSummary> y = GlobalContextFunctionTest.summaries("y", run, n, cfg, false);
        x.forEach(c -> c.arrivedAt = T0 - 40);
        OperatorSubtaskState snapshot;
        long held;
        try (var h = global(null, s)) {
            feed(h, x.subList(0, 3));
            feed(h, y);
            GlobalContextFunction f = globalFunction(h);
            assertThat(f.sequences.open()).as("x open, y ended").isEqualTo(1);
            held = f.memoryBytes.held();
            assertThat(held).isPositive().isEqualTo(f.memoryBytes.mean()).isLessThanOrEqualTo(f.memoryBytes.max());
            assertThat(f.lag.getCount()).as("x's three chunks; y's carry no arrival").isEqualTo(3);
            assertThat(f.lag.getStatistics().getMax()).isEqualTo(40);
            assertThat(h.extractOutputValues()).hasSize(2 * run.blocks().size() - (n - 3 * cfg.chunkSize() + 15) / 16);
            snapshot = h.snapshot(1, T0);
        }
        try (var h = global(snapshot, s)) {
            GlobalContextFunction f = globalFunction(h);
            assertThat(f.sequences.open()).as("counted from restored state").isEqualTo(1);
            assertThat(f.memoryBytes.held()).isEqualTo(held);
            feed(h, x.subList(3, x.size()));
            assertThat(f.sequences.open()).isZero();
            assertThat(f.memoryBytes.held()).as("x ended: its memory is gone").isZero();
            assertThat(f.memoryBytes.mean()).isZero();
        }
    }

    @Test
    void memoryBytesFollowEachSequencesLatestState() {
        MemoryBytes m = new MemoryBytes();
        m.restored(100);
        m.changed(null, new byte[30]);
        m.changed(new byte[30], new byte[50]);
        assertThat(m.held()).isEqualTo(150);
        assertThat(m.mean()).isEqualTo(75);
        assertThat(m.max()).isEqualTo(100);
        assertThat(m.last()).isEqualTo(50);
        m.changed(new byte[50], null);
        m.changed(new byte[100], null);
        assertThat(Arrays.asList(m.held(), m.mean(), m.max(), m.last())).containsExactly(0L, 0L, 100L, 50L);
    }
}
