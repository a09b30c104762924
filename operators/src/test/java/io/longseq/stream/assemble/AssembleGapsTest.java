package io.longseq.stream.assemble;

import static io.longseq.stream.StreamTestSupport.CONTENT;
import static io.longseq.stream.StreamTestSupport.T0;
import static io.longseq.stream.StreamTestSupport.assemble;
import static io.longseq.stream.StreamTestSupport.baseSymbols;
import static io.longseq.stream.StreamTestSupport.bases;
import static io.longseq.stream.StreamTestSupport.deadLetters;
import static io.longseq.stream.StreamTestSupport.dna;
import static io.longseq.stream.StreamTestSupport.dnaAt;
import static io.longseq.stream.StreamTestSupport.dnaModel;
import static io.longseq.stream.StreamTestSupport.empty;
import static io.longseq.stream.StreamTestSupport.expectedChunks;
import static io.longseq.stream.StreamTestSupport.feed;
import static io.longseq.stream.StreamTestSupport.leftHalo;
import static io.longseq.stream.StreamTestSupport.notices;
import static io.longseq.stream.StreamTestSupport.only;
import static io.longseq.stream.StreamTestSupport.rightHalo;
import static io.longseq.stream.StreamTestSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.ModelConfig;
import io.longseq.stream.DeadLetter;
import io.longseq.stream.Notice;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.StreamTestSupport;
import io.longseq.stream.input.SequenceFragment;
import io.longseq.stream.input.TokenFragment;
import io.longseq.stream.input.ValidateFunction;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongToIntFunction;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Gaps at the limits (issue 20): offsets far past the int range, max-gap, and padding that is appended a step of
 * chunks at a time instead of as one array. Expected chunks are computed directly from the positions' symbols
 * (docs/design.md 3), never from the code under test.
 */
class AssembleGapsTest {

    static final String ID = "seq-1";
    static final int N_BASE = 'N';
    static final ModelConfig DNA = dnaModel().build(); // C = 64, left halo 10, right halo 8
    static final long P39 = 1L << 39;
    /** Chunks of padding one element or timer may emit: the step, plus one made ready by what came before. */
    static final int STEP_BOUND = AssembleFunction.FILL_STEP_CHUNKS + 1;

    private static void assertCleared(KeyedOneInputStreamOperatorTestHarness<String, ?, ?> h) {
        assertThat(h.numKeyedStateEntries()).as("keyed state entries").isZero();
        assertThat(h.numProcessingTimeTimers()).as("processing-time timers").isZero();
    }

    private static StreamSettings skip(ModelConfig cfg) {
        return settings(cfg).withGapPolicy(GapPolicy.SKIP);
    }

    private static StreamLimits maxGap(long v) {
        return StreamLimits.DEFAULTS.withMaxGap(v);
    }

    // --------------------------------------------------------------------------------------------- max-gap

    @Test
    void aFragmentAtOffset2To39UnderSkipFailsTheSequenceOnMaxGapInsteadOfOverflowing() throws Exception {
        Duration idle = Duration.ofSeconds(10);
        // found when the far fragment arrives: the hole [10, 2^39) before it is far more than max-gap (2^24 by
        // default), so the sequence is given up at once rather than at the idle timeout
        try (var h = assemble(skip(DNA).withIdleTimeout(idle))) {
            TokenFragment far = dnaAt(ID, P39, "ACGTACGTAC", true);
            feed(h, List.of(dnaAt(ID, 0, "ACGTACGTAC", false), far));
            assertThat(notices(h)).singleElement().satisfies(n -> {
                assertThat(n.kind).isEqualTo(Notice.Kind.SEQUENCE_FAILED);
                assertThat(n.position).isEqualTo(10);
                assertThat(n.count).isEqualTo(10); // the held positions that went to the dead letters
                assertThat(n.message).contains("given up (max-gap)").contains("[10, 549755813888)")
                        .contains("a hole of 549,755,813,878 positions")
                        .contains("more than the limit of 16,777,216 (max-gap)");
            });
            assertThat(deadLetters(h)).singleElement().satisfies(d -> {
                assertThat(d.sourceOffset).isEqualTo(P39);
                assertThat(d.reason).contains("given up").contains("max-gap");
            });
            assertThat(h.extractOutputValues()).isEmpty();
            assertCleared(h);
        }
        // with a reorder bound it passes too: max-gap is checked first, as the fragment is held
        try (var h = assemble(skip(DNA).withReorderBound(5))) {
            feed(h, List.of(dnaAt(ID, 0, "ACGTACGTAC", false), dnaAt(ID, P39, "ACGTACGTAC", false)));
            assertThat(notices(h)).singleElement().satisfies(n -> {
                assertThat(n.kind).isEqualTo(Notice.Kind.SEQUENCE_FAILED);
                assertThat(n.message).contains("lies past positions [10, 549755813888)").contains("(max-gap)");
            });
            assertThat(deadLetters(h)).singleElement().satisfies(d -> assertThat(d.sourceOffset).isEqualTo(P39));
            assertCleared(h);
        }
        // an end marker at 2^39 and nothing else: the hole before the end, at the idle timeout
        try (var h = assemble(skip(DNA).withIdleTimeout(idle))) {
            feed(h, List.of(dnaAt(ID, 0, "ACGTACGTAC", false), empty(ID, P39, FeatureKind.DNA, true)));
            h.setProcessingTime(T0 + idle.toMillis());
            assertThat(notices(h)).singleElement().satisfies(n -> {
                assertThat(n.kind).isEqualTo(Notice.Kind.SEQUENCE_FAILED);
                assertThat(n.message).contains("[10, 549755813888)").contains("(max-gap)");
            });
            assertThat(deadLetters(h)).isEmpty();
            assertCleared(h);
        }
    }

    @Test
    void aFragmentEndingAtTheLargestLongIsHandledWithoutOverflow() throws Exception {
        long max = Long.MAX_VALUE;
        Duration idle = Duration.ofSeconds(10);
        try (var h = assemble(skip(DNA).withMaxPosition(max).withIdleTimeout(idle).withReorderBound(15))) {
            TokenFragment last = dnaAt(ID, max - 10, "ACGTACGTAC", true); // ends the sequence at 2^63 − 1
            feed(h, List.of(last));
            // the hole [0, 2^63 − 11) before it gives the sequence up as it arrives
            assertThat(notices(h)).singleElement().satisfies(n -> {
                assertThat(n.kind).isEqualTo(Notice.Kind.SEQUENCE_FAILED);
                assertThat(n.message).contains("[0, " + (max - 10) + ")")
                        .contains("a hole of 9,223,372,036,854,775,797 positions").contains("(max-gap)");
            });
            feed(h, List.of(dnaAt(ID, max - 20, "ACGTACGTAC", false)));
            assertThat(deadLetters(h)).hasSize(2).allSatisfy(d -> assertThat(d.reason).contains("given up"));
            assertCleared(h);
        }
    }

    @Test
    void aHoleOfExactlyMaxGapIsPaddedAndOneMoreGivesTheSequenceUp() throws Exception {
        int n = 300;
        byte[] seq = bases(n, 51);
        Duration idle = Duration.ofSeconds(10);
        StreamSettings s = skip(DNA).withIdleTimeout(idle).withLimits(maxGap(20));
        try (var h = assemble(s)) {
            feed(h, List.of(dna(ID, seq, 0, 100, false), dna(ID, seq, 120, n, true)));
            h.setProcessingTime(T0 + idle.toMillis());
            int[] symbols = baseSymbols(seq);
            Arrays.fill(symbols, 100, 120, N_BASE);
            assertThat(h.extractOutputValues()).usingRecursiveFieldByFieldElementComparator(CONTENT)
                    .containsExactlyElementsOf(expectedChunks(ID, symbols, 1, n, DNA));
            assertThat(only(notices(h), x -> x.kind == Notice.Kind.GAP_SKIPPED)).singleElement()
                    .satisfies(x -> assertThat(x.count).isEqualTo(20));
            assertCleared(h);
        }
        try (var h = assemble(s)) {
            feed(h, List.of(dna(ID, seq, 0, 100, false), dna(ID, seq, 121, n, true)));
            h.setProcessingTime(T0 + idle.toMillis());
            assertThat(notices(h)).singleElement().satisfies(x -> {
                assertThat(x.kind).isEqualTo(Notice.Kind.SEQUENCE_FAILED);
                assertThat(x.message).contains("[100, 121)").contains("a hole of 21 positions")
                        .contains("limit of 20 (max-gap)");
            });
            assertThat(h.extractOutputValues()).as("chunk 0 was out: the abort marker follows it").hasSize(2)
                    .last().satisfies(k -> assertThat(k.aborted).isTrue());
            assertCleared(h);
        }
    }

    @Test
    void aRefusedFragmentOfMoreThanMaxGapPositionsGivesTheSequenceUpEvenUnderSkip() throws Exception {
        int n = 300;
        byte[] seq = bases(n, 52);
        List<TokenFragment> in = new ArrayList<>(StreamTestSupport.dnaFragments(ID, seq, n, 10));
        in.set(13, AssembleFunctionTest.refused(in.get(13))); // [130, 140): 10 positions
        try (var h = assemble(skip(DNA).withLimits(maxGap(9)))) {
            feed(h, in.subList(0, 14));
            assertThat(only(notices(h), x -> x.kind == Notice.Kind.SEQUENCE_FAILED)).singleElement()
                    .satisfies(x -> assertThat(x.message).contains("[130, 140) were refused by validate")
                            .contains("a hole of 10 positions").contains("(max-gap)"));
            assertThat(only(notices(h), x -> x.kind == Notice.Kind.GAP_SKIPPED)).isEmpty();
            assertCleared(h);
        }
    }

    // ------------------------------------------------------------------------------- padding step by step

    /** Fires the padding timer (1 ms ahead) until no timer is left or {@code calls} have fired. */
    private static int stepUntilDone(KeyedOneInputStreamOperatorTestHarness<String, TokenFragment, Chunk> h,
                                     List<Chunk> sink, int calls) throws Exception {
        long t = h.getProcessingTime();
        int fired = 0;
        while (h.numProcessingTimeTimers() > 0 && fired < calls) {
            h.setProcessingTime(++t);
            List<Chunk> out = h.extractOutputValues();
            assertThat(out.size()).as("chunks from timer %d", fired).isLessThanOrEqualTo(STEP_BOUND);
            sink.addAll(out);
            h.getOutput().clear();
            fired++;
        }
        return fired;
    }

    @Test
    void aLongHoleIsPaddedAStepOfChunksAtATimeGivingTheChunksOfTheWholePaddedSequence() throws Exception {
        int hole = 64 * 200;
        int n = 100 + hole + 100;
        byte[] seq = bases(n, 53);
        int[] symbols = baseSymbols(seq);
        Arrays.fill(symbols, 100, 100 + hole, N_BASE);
        List<Chunk> expected = expectedChunks(ID, symbols, 1, n, DNA);
        try (var h = assemble(skip(DNA).withReorderBound(50))) {
            // 100 positions wait behind [100, 12900): past the bound, padding starts in this element's call
            feed(h, List.of(dna(ID, seq, 0, 100, false), dna(ID, seq, 100 + hole, n, true)));
            List<Chunk> out = new ArrayList<>(h.extractOutputValues());
            assertThat(out.size()).as("chunks from the element").isBetween(1, STEP_BOUND);
            h.getOutput().clear();
            assertThat(h.numProcessingTimeTimers()).as("the padding timer").isEqualTo(1);
            assertThat(only(notices(h), x -> x.kind == Notice.Kind.GAP_SKIPPED)).singleElement().satisfies(x -> {
                assertThat(x.position).isEqualTo(100);
                assertThat(x.count).isEqualTo(hole);
            });
            int timers = stepUntilDone(h, out, 100);
            // 12,800 positions at 64 · 64 = 4,096 per call: the element's call and three timers
            assertThat(timers).isEqualTo(3);
            assertThat(out).usingRecursiveFieldByFieldElementComparator(CONTENT).containsExactlyElementsOf(expected);
            assertThat(only(notices(h), x -> x.kind == Notice.Kind.ENDED)).singleElement()
                    .satisfies(x -> assertThat(x.position).isEqualTo(n));
            assertThat(deadLetters(h)).isEmpty();
            assertCleared(h);
        }
    }

    @Test
    void fragmentsArrivingWhilePaddingIsUnderWay() throws Exception {
        int hole = 64 * 200;
        int n = 100 + hole + 300;
        byte[] seq = bases(n, 54);
        int[] symbols = baseSymbols(seq);
        Arrays.fill(symbols, 100, 100 + hole, N_BASE);
        try (var h = assemble(skip(DNA))) {
            // validate refused [100, 12900): padding starts at once, a step per call
            feed(h, List.of(dna(ID, seq, 0, 100, false),
                    AssembleFunctionTest.refused(dna(ID, seq, 100, 100 + hole, false))));
            List<Chunk> out = new ArrayList<>(h.extractOutputValues());
            assertThat(out.size()).isLessThanOrEqualTo(STEP_BOUND);
            h.getOutput().clear();
            TokenFragment inHole = dna(ID, seq, 5000, 5010, false);
            TokenFragment endInHole = empty(ID, 6000, FeatureKind.DNA, true);
            TokenFragment late = dna(ID, seq, 50, 150, false);
            feed(h, List.of(inHole, endInHole, late));
            List<DeadLetter> dead = deadLetters(h);
            assertThat(dead).hasSize(3);
            assertThat(dead.get(0).sourceOffset).isEqualTo(5000);
            assertThat(dead.get(0).reason).contains("[5000, 5010) arrived while").contains("filled with padding");
            assertThat(dead.get(1).reason).contains("conflicting end").contains("or are being padded");
            assertThat(dead.get(2).sourceOffset).isEqualTo(50);
            assertThat(dead.get(2).reason).contains("late");
            // two of those calls went on with the padding, a step each (the conflicting end returned at once)
            assertThat(h.extractOutputValues().size()).isBetween(2 * STEP_BOUND - 4, 2 * STEP_BOUND);
            out.addAll(h.extractOutputValues());
            h.getOutput().clear();
            // the rest of the sequence arrives meanwhile: held behind the padding, appended once it is done
            feed(h, List.of(dna(ID, seq, 100 + hole, 100 + hole + 100, false),
                    dna(ID, seq, 100 + hole + 100, n, true)));
            out.addAll(h.extractOutputValues());
            h.getOutput().clear();
            stepUntilDone(h, out, 100);
            assertThat(out).usingRecursiveFieldByFieldElementComparator(CONTENT)
                    .containsExactlyElementsOf(expectedChunks(ID, symbols, 1, n, DNA));
            assertThat(only(notices(h), x -> x.kind == Notice.Kind.GAP_SKIPPED)).singleElement()
                    .satisfies(x -> assertThat(x.message).contains("refused by validate"));
            assertThat(only(notices(h), x -> x.kind == Notice.Kind.ENDED)).singleElement()
                    .satisfies(x -> assertThat(x.position).isEqualTo(n));
            assertThat(deadLetters(h)).hasSize(3);
            assertCleared(h);
        }
    }

    @Test
    void aFragmentHeldPastTheBoundWhilePaddingFinishesThePaddingAtOnce() throws Exception {
        int hole = 64 * 200;
        int n = 100 + hole + 200;
        byte[] seq = bases(n, 55);
        int[] symbols = baseSymbols(seq);
        Arrays.fill(symbols, 100, 100 + hole, N_BASE);
        try (var h = assemble(skip(DNA).withReorderBound(50))) {
            feed(h, List.of(dna(ID, seq, 0, 100, false), dna(ID, seq, 100 + hole, 100 + hole + 100, false)));
            int first = h.extractOutputValues().size();
            assertThat(first).isLessThanOrEqualTo(STEP_BOUND);
            feed(h, List.of(dna(ID, seq, 100 + hole + 100, n, true))); // held: pending 200 > 50
            List<Chunk> out = h.extractOutputValues();
            assertThat(out).usingRecursiveFieldByFieldElementComparator(CONTENT)
                    .containsExactlyElementsOf(expectedChunks(ID, symbols, 1, n, DNA));
            assertThat(out.size() - first).as("chunks from the second element").isGreaterThan(STEP_BOUND);
            assertCleared(h);
        }
    }

    @Test
    void aRefusedLogFragmentHeldAheadIsPaddedWhenReachedWithoutMaterialisingIt() throws Exception {
        int nf = 32;
        ModelConfig cfg = ModelConfig.builder().featureKind(FeatureKind.LOG).vocabSize(1000).maxFeatures(nf)
                .dModel(32).heads(4).window(8).layers(1).ffnDim(64).blockSize(16).chunkSize(64).build();
        int refusedLines = 20_000;
        int n = 100 + refusedLines + 50;
        int[] symbols = new int[n * nf]; // [n, F]
        for (int i = 0; i < symbols.length; i++) {
            symbols[i] = (i * 7919) % 1000;
        }
        Arrays.fill(symbols, 100 * nf, (100 + refusedLines) * nf, -1);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add("line " + i);
        }
        // the refused record: 20,000 lines, which validate refused; its marker holds no symbols
        String text = "x\n".repeat(refusedLines);
        SequenceFragment bad = new SequenceFragment(ID, 100, FeatureKind.LOG, text.getBytes(StandardCharsets.UTF_8),
                false).from("test-topic", 0, 100);
        TokenFragment marker = ValidateFunction.refusedMarker(bad, skip(cfg));
        assertThat(marker.positions).isEqualTo(refusedLines);
        assertThat(marker.symbols).isEmpty();
        try (var h = assemble(skip(cfg))) {
            feed(h, List.of(StreamTestSupport.logs(ID, lines, symbols, nf, 0, 90, false), marker,
                    StreamTestSupport.logs(ID, lines, symbols, nf, 100 + refusedLines, n, true)));
            assertThat(only(notices(h), x -> x.kind == Notice.Kind.GAP_SKIPPED)).singleElement()
                    .satisfies(x -> assertThat(x.position == 100 && x.count == refusedLines).isTrue());
            List<Chunk> out = new ArrayList<>(h.extractOutputValues());
            h.getOutput().clear();
            feed(h, List.of(StreamTestSupport.logs(ID, lines, symbols, nf, 90, 100, false))); // reaches the marker
            assertThat(h.extractOutputValues().size()).isLessThanOrEqualTo(STEP_BOUND);
            out.addAll(h.extractOutputValues());
            h.getOutput().clear();
            stepUntilDone(h, out, 1000);
            // Chunk.equals compares every field and symbol (the recursive comparator is slow on 800k symbols)
            assertThat(out).containsExactlyElementsOf(expectedChunks(ID, symbols, nf, n, cfg));
            assertThat(deadLetters(h)).isEmpty();
            assertCleared(h);
        }
    }

    // ------------------------------------------------------------------------- 10^8 positions, lazily

    /** Chunk {@code index} of a sequence of n positions (F_in = 1) whose symbol at p is sym(p), computed directly. */
    static Chunk expectedChunk(String id, long index, long n, ModelConfig cfg, LongToIntFunction sym) {
        int size = cfg.chunkSize();
        long count = (n + size - 1) / size;
        Chunk k = new Chunk();
        k.sequenceId = id;
        k.index = index;
        k.coreFrom = index * size;
        k.coreTo = Math.min(n, (index + 1) * size);
        k.first = Math.max(0, k.coreFrom - leftHalo(cfg));
        long to = Math.min(n, (index + 1) * size + rightHalo(cfg));
        k.positions = (int) (to - k.first);
        k.symbols = new int[k.positions];
        for (int i = 0; i < k.positions; i++) {
            k.symbols[i] = sym.applyAsInt(k.first + i);
        }
        k.prefix = new int[0];
        k.last = index == count - 1;
        return k;
    }

    /** Bytes this thread has allocated so far, or −1 where the JVM does not say. */
    static long allocated() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean b
                && b.isThreadAllocatedMemorySupported() && b.isThreadAllocatedMemoryEnabled()) {
            return b.getCurrentThreadAllocatedBytes();
        }
        return -1;
    }

    @Test
    void aHoleOf10To8PositionsIsPaddedLazilyWithBoundedAllocationPerCall() throws Exception {
        Assumptions.assumeTrue(allocated() >= 0, "per-thread allocation counting");
        ModelConfig cfg = dnaModel().chunkSize(4096).build();
        long hole = 100_000_000L;
        long n = 100 + hole + 100;
        byte[] head = bases(100, 56);
        byte[] tailBases = bases(100, 57);
        LongToIntFunction sym = p -> p < 100 ? head[(int) p] : p < 100 + hole ? N_BASE : tailBases[(int) (p - 100 - hole)];
        StreamSettings s = skip(cfg).withReorderBound(50).withLimits(maxGap(1L << 27));
        try (var h = assemble(s)) {
            h.processElement(dnaAt(ID, 0, new String(head, StandardCharsets.US_ASCII), false), 0L);
            long before = allocated();
            h.processElement(dnaAt(ID, 100 + hole, new String(tailBases, StandardCharsets.US_ASCII), true), 0L);
            long most = allocated() - before;
            long index = 0;
            int calls = 1;
            long t = h.getProcessingTime();
            while (true) {
                List<Chunk> out = h.extractOutputValues();
                assertThat(out.size()).as("chunks from call %d", calls).isLessThanOrEqualTo(STEP_BOUND);
                for (Chunk k : out) {
                    Chunk e = expectedChunk(ID, index++, n, cfg, sym);
                    if (!e.equals(k)) {
                        fail("chunk " + k + " differs from " + e + " at symbol "
                                + Arrays.mismatch(e.symbols, k.symbols));
                    }
                }
                h.getOutput().clear();
                if (h.numProcessingTimeTimers() == 0) {
                    break;
                }
                before = allocated();
                h.setProcessingTime(++t);
                most = Math.max(most, allocated() - before);
                calls++;
            }
            System.out.printf(java.util.Locale.ROOT, "[AssembleGapsTest] hole of %,d positions padded in %d calls,"
                    + " %,d chunks, at most %,d bytes allocated by one call (the hole as one int[]: %,d bytes)%n",
                    hole, calls, index, most, 4 * hole);
            assertThat(index).as("chunks").isEqualTo((n + 4095) / 4096);
            // 10^8 positions at 64 · 4,096 per call
            assertThat(calls).isEqualTo((int) ((hole + 64 * 4096 - 1) / (64 * 4096)));
            // one call's chunks are 65 · 4,114 ints ≈ 1 MiB; the hole as one array would be 400 MB
            assertThat(most).as("bytes allocated by the busiest call").isLessThan(32L << 20);
            assertThat(only(notices(h), x -> x.kind == Notice.Kind.GAP_SKIPPED)).singleElement()
                    .satisfies(x -> assertThat(x.count).isEqualTo(hole));
            assertThat(only(notices(h), x -> x.kind == Notice.Kind.ENDED)).singleElement()
                    .satisfies(x -> assertThat(x.position).isEqualTo(n));
            assertCleared(h);
        }
    }
}
