package io.longseq.stream.assemble;

import static io.longseq.stream.StreamTestSupport.assemble;
import static io.longseq.stream.StreamTestSupport.deadLetters;
import static io.longseq.stream.StreamTestSupport.expectedChunks;
import static io.longseq.stream.StreamTestSupport.feed;
import static io.longseq.stream.StreamTestSupport.logs;
import static io.longseq.stream.StreamTestSupport.notices;
import static io.longseq.stream.StreamTestSupport.only;
import static io.longseq.stream.StreamTestSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.ModelConfig;
import io.longseq.stream.Notice;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.input.TokenFragment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The reorder bound in bytes ({@code reorder-bytes}): LOG fragments of F_in = 32 symbols per position, held out of
 * order until what they hold (symbols, 4 bytes each, and the payload kept for dead letters) passes the limit; the
 * position bound is left at its default (2^20), far from reached.
 */
class AssembleReorderBytesTest {

    static final String ID = "log-1";
    static final int NF = 32;
    static final int N = 200;
    static final ModelConfig LOG = ModelConfig.builder().featureKind(FeatureKind.LOG).vocabSize(1000).maxFeatures(NF)
            .dModel(32).heads(4).window(8).layers(1).ffnDim(64).blockSize(16).chunkSize(64).build();
    /** "line 000123 ok": 14 characters and a newline, so ten lines are 150 payload bytes. */
    static final List<String> LINES = new ArrayList<>();
    static final int[] SYMBOLS = new int[N * NF]; // [N, F]

    static {
        Random r = new Random(61);
        for (int i = 0; i < N; i++) {
            LINES.add(String.format(Locale.ROOT, "line %06d ok", i));
        }
        for (int i = 0; i < SYMBOLS.length; i++) {
            SYMBOLS[i] = r.nextInt(1000);
        }
    }

    /** Ten lines held: 10 · 32 symbols · 4 bytes + 150 payload bytes. */
    static final long TEN_LINES = 10 * NF * 4 + 150;
    static final long LIMIT = 3 * TEN_LINES; // 4,290 bytes: three such fragments fit, a fourth passes it

    static TokenFragment lines(int from, int to, boolean last) {
        return logs(ID, LINES, SYMBOLS, NF, from, to, last);
    }

    static StreamSettings limited(GapPolicy policy) {
        return settings(LOG).withGapPolicy(policy).withLimits(StreamLimits.DEFAULTS.withReorderBytes(LIMIT));
    }

    /** The symbols with positions [from, to) as empty slots (-1): what skip pads a LOG hole with. */
    static int[] paddedAt(int from, int to) {
        int[] s = SYMBOLS.clone();
        Arrays.fill(s, from * NF, to * NF, -1);
        return s;
    }

    private static void assertCleared(KeyedOneInputStreamOperatorTestHarness<String, ?, ?> h) {
        assertThat(h.numKeyedStateEntries()).as("keyed state entries").isZero();
        assertThat(h.numProcessingTimeTimers()).as("processing-time timers").isZero();
    }

    @Test
    void theHeldFragmentThatPassesTheLimitMakesSkipPadTheHole() throws Exception {
        assertThat(lines(100, 110, false).original.payload).hasSize(150);
        assertThat(AssemblePending.heldBytes(lines(100, 110, false))).isEqualTo(TEN_LINES);
        try (var h = assemble(limited(GapPolicy.SKIP))) {
            feed(h, List.of(lines(0, 90, false),
                    lines(100, 105, false),      // held: 5 lines
                    lines(100, 110, false),      // replaces it: the count is that of 10 lines, not 15
                    lines(110, 120, false),
                    lines(120, 130, false)));   // 3 · 1,430 = 4,290: at the limit, not past it
            assertThat(notices(h)).isEmpty();
            feed(h, List.of(lines(130, 140, false)));
            assertThat(notices(h)).singleElement().satisfies(n -> {
                assertThat(n.kind).isEqualTo(Notice.Kind.GAP_SKIPPED);
                assertThat(n.position).isEqualTo(90);
                assertThat(n.count).isEqualTo(10);
                assertThat(n.message).contains("[90, 100)").contains("more than 4,290 bytes")
                        .contains("(reorder-bytes)");
            });
            feed(h, List.of(lines(140, N, true)));
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(
                    expectedChunks(ID, paddedAt(90, 100), NF, N, LOG));
            assertThat(deadLetters(h)).isEmpty();
            assertCleared(h);
        }
    }

    @Test
    void underFailSequenceTheSequenceIsGivenUp() throws Exception {
        try (var h = assemble(limited(GapPolicy.FAIL_SEQUENCE))) {
            feed(h, List.of(lines(0, 90, false), lines(100, 110, false), lines(110, 120, false),
                    lines(120, 130, false)));
            assertThat(notices(h)).isEmpty();
            feed(h, List.of(lines(130, 140, false)));
            assertThat(notices(h)).singleElement().satisfies(n -> {
                assertThat(n.kind).isEqualTo(Notice.Kind.SEQUENCE_FAILED);
                assertThat(n.position).isEqualTo(90);
                assertThat(n.count).isEqualTo(40);
                assertThat(n.message).contains("gap at position 90").contains("(reorder-bytes)");
            });
            assertThat(deadLetters(h)).hasSize(4).allSatisfy(d -> assertThat(d.reason).contains("given up"));
            assertCleared(h);
        }
    }

    @Test
    void bytesAreGivenBackWhenHeldFragmentsAreAppended() throws Exception {
        try (var h = assemble(limited(GapPolicy.SKIP))) {
            // three held, then the hole arrives: all appended, the count goes back to zero
            feed(h, List.of(lines(0, 90, false), lines(100, 110, false), lines(110, 120, false),
                    lines(120, 130, false), lines(90, 100, false)));
            // three more behind a new hole: 4,290 again, not 8,580
            feed(h, List.of(lines(140, 150, false), lines(150, 160, false), lines(160, 170, false)));
            assertThat(notices(h)).isEmpty();
            feed(h, List.of(lines(170, 180, false)));
            assertThat(only(notices(h), n -> n.kind == Notice.Kind.GAP_SKIPPED)).singleElement()
                    .satisfies(n -> assertThat(n.position).isEqualTo(130));
            feed(h, List.of(lines(180, N, true)));
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(
                    expectedChunks(ID, paddedAt(130, 140), NF, N, LOG));
            assertCleared(h);
        }
    }

    @Test
    void atTheDefaultsTheSymbolsOfAFullPositionBoundFitTheByteLimit() {
        // 2^20 positions of 32 symbols are 128 MiB of symbols: under the default 256 MiB, with payload room
        StreamSettings d = StreamSettings.defaults(LOG);
        assertThat((long) d.reorderBound() * NF * 4).isLessThan(d.limits().reorderBytes());
    }
}
