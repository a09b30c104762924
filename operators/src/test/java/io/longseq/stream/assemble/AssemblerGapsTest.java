package io.longseq.stream.assemble;

import static io.longseq.stream.StreamTestSupport.CONTENT;
import static io.longseq.stream.StreamTestSupport.baseSymbols;
import static io.longseq.stream.StreamTestSupport.bases;
import static io.longseq.stream.StreamTestSupport.dna;
import static io.longseq.stream.StreamTestSupport.dnaFragments;
import static io.longseq.stream.StreamTestSupport.dnaModel;
import static io.longseq.stream.StreamTestSupport.empty;
import static io.longseq.stream.StreamTestSupport.expectedChunks;
import static io.longseq.stream.StreamTestSupport.settings;
import static io.longseq.stream.assemble.AssemblerRun.ID;
import static io.longseq.stream.assemble.AssemblerRun.T0;
import static io.longseq.stream.assemble.AssemblerRun.refused;
import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.ModelConfig;
import io.longseq.stream.Notice;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.StreamTestSupport;
import io.longseq.stream.input.DeadLetterRule;
import io.longseq.stream.input.TokenFragment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Assembler} on its own, without Flink ({@link AssemblerRun}): holes and what the gap policy does with them
 * (each policy), the two reorder bounds, max-gap, refused markers, padding a step at a time, and the idle close.
 * Expected chunks are those of the whole sequence with the padding symbol in the hole (N for DNA, −1 slots for
 * LOG), computed from the positions directly ({@code expectedChunks}).
 */
class AssemblerGapsTest {

    static final int N = 300;
    static final int N_BASE = 'N';
    static final ModelConfig DNA = dnaModel().build(); // C = 64, left halo 10, right halo 8
    static final Duration IDLE = Duration.ofSeconds(10);

    static StreamSettings skip() {
        return settings(DNA).withGapPolicy(GapPolicy.SKIP);
    }

    static StreamSettings fail() {
        return settings(DNA).withGapPolicy(GapPolicy.FAIL_SEQUENCE);
    }

    /** The symbols of seq with padding at [from, to). */
    static int[] padded(byte[] seq, int from, int to) {
        int[] s = baseSymbols(seq);
        Arrays.fill(s, from, to, N_BASE);
        return s;
    }

    // ------------------------------------------------------------------------------- the reorder bounds

    @Test
    void underSkipTheHoleIsPaddedWhenTheFragmentsHeldPassTheReorderBound() throws Exception {
        byte[] seq = bases(N, 21);
        List<TokenFragment> in = dnaFragments(ID, seq, N, 10); // [100, 120) never comes
        AssemblerRun r = new AssemblerRun(skip().withReorderBound(50)).feed(in.subList(0, 10));
        r.feed(in.subList(12, 17)); // 50 positions held: not more than the bound
        assertThat(r.notices).isEmpty();
        assertThat(r.cursor.nextExpected).isEqualTo(100);
        r.feed(in.get(17)); // 60
        assertThat(r.notices).singleElement().satisfies(n -> {
            assertThat(n.kind).isEqualTo(Notice.Kind.GAP_SKIPPED);
            assertThat(n.position).isEqualTo(100);
            assertThat(n.count).isEqualTo(20);
            assertThat(n.message).isEqualTo("positions [100, 120) never arrived (more than 50 positions wait behind"
                    + " it (reorder-bound)); filled with padding (gap policy skip)");
        });
        assertThat(r.cursor.nextExpected).as("padded, then the held fragments went in").isEqualTo(180);
        assertThat(r.cursor.pendingCount).isZero();
        r.feed(in.subList(18, in.size()));
        assertThat(r.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT)
                .containsExactlyElementsOf(expectedChunks(ID, padded(seq, 100, 120), 1, N, DNA));
        assertThat(r.dead).isEmpty();
        assertThat(r.notices(Notice.Kind.ENDED)).hasSize(1);
        assertThat(r.cursor).isNull();
    }

    @Test
    void underFailSequenceTheSequenceIsGivenUpWithItsHeldFragmentsAndAnAbortMarker() throws Exception {
        byte[] seq = bases(N, 22);
        List<TokenFragment> in = dnaFragments(ID, seq, N, 10);
        Duration retention = Duration.ofMinutes(1);
        AssemblerRun r = new AssemblerRun(fail().withReorderBound(50).withEndedRetention(retention));
        r.feed(in.subList(0, 20)); // [0, 200): chunks 0 and 1
        assertThat(r.chunks).hasSize(2);
        r.feed(in.subList(22, 28)); // [220, 280): the 6th passes the bound
        assertThat(r.notices).singleElement().satisfies(n -> {
            assertThat(n.kind).isEqualTo(Notice.Kind.SEQUENCE_FAILED);
            assertThat(n.position).isEqualTo(200);
            assertThat(n.count).as("held positions dropped").isEqualTo(60);
            assertThat(n.message).startsWith("given up (gap policy fail-sequence): gap at position 200:")
                    .contains("(reorder-bound)").endsWith("2 chunks were emitted, 60 held positions went to the"
                            + " dead letters");
        });
        assertThat(r.rules).hasSize(6).containsOnly(DeadLetterRule.GIVEN_UP);
        assertThat(r.dead).extracting(d -> d.sourceOffset).containsExactlyInAnyOrder(220L, 230L, 240L, 250L, 260L,
                270L);
        assertThat(r.chunks).hasSize(3);
        Chunk abort = r.chunks.get(2);
        assertThat(abort.aborted && abort.last).isTrue();
        assertThat(abort.index).isEqualTo(2);
        assertThat(abort.positions).isZero();
        assertThat(abort.sequenceId).isEqualTo(ID);
        assertThat(r.cursor.status).isEqualTo(AssembleCursor.FAILED);
        assertThat(r.cursor.timerAt).isEqualTo(T0 + retention.toMillis());
        // later fragments, even the missing ones, are dead letters
        r.feed(in.get(20), in.get(29));
        assertThat(r.rules).hasSize(8).containsOnly(DeadLetterRule.GIVEN_UP);
        assertThat(r.dead.get(6).reason).contains("given up at position 200");
        assertThat(r.chunks).hasSize(3);

        // given up before any chunk: no abort marker; retention zero: nothing kept
        AssemblerRun s = new AssemblerRun(fail().withReorderBound(5)).feed(in.get(0), in.get(2));
        assertThat(s.notices).singleElement().satisfies(n -> assertThat(n.position).isEqualTo(10));
        assertThat(s.chunks).isEmpty();
        assertThat(s.dead).singleElement().satisfies(d -> assertThat(d.sourceOffset).isEqualTo(20));
        assertThat(s.cursor).isNull();
    }

    @Test
    void theReorderBytesBoundActsLikeThePositionBound() throws Exception {
        byte[] seq = bases(N, 23);
        List<TokenFragment> in = dnaFragments(ID, seq, N, 10);
        // a held DNA fragment of 10 positions costs 10 symbols · 4 bytes + its 10 payload bytes
        AssemblerRun r = new AssemblerRun(skip().withLimits(StreamLimits.DEFAULTS.withReorderBytes(120)))
                .feed(in.subList(0, 10)).feed(in.get(11), in.get(12));
        assertThat(r.cursor.pendingBytes).isEqualTo(100);
        assertThat(r.notices).isEmpty();
        r.feed(in.get(13)); // 150 > 120
        assertThat(r.notices).singleElement().satisfies(n -> {
            assertThat(n.kind).isEqualTo(Notice.Kind.GAP_SKIPPED);
            assertThat(n.position).isEqualTo(100);
            assertThat(n.count).isEqualTo(10);
            assertThat(n.message).contains("more than 120 bytes of symbols and payloads wait behind it"
                    + " (reorder-bytes)");
        });
        assertThat(r.cursor.pendingBytes).as("given back as they went in").isZero();
        assertThat(r.cursor.nextExpected).isEqualTo(140);
        r.feed(in.subList(14, in.size()));
        assertThat(r.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT)
                .containsExactlyElementsOf(expectedChunks(ID, padded(seq, 100, 110), 1, N, DNA));
    }

    // ------------------------------------------------------------------------------------------- max-gap

    @Test
    void aHoleOfMoreThanMaxGapGivesTheSequenceUpWhateverThePolicy() throws Exception {
        byte[] seq = bases(N, 24);
        StreamSettings s = skip().withIdleTimeout(IDLE).withLimits(StreamLimits.DEFAULTS.withMaxGap(100));
        // a fragment 190 positions past the received ones: given up as it arrives
        AssemblerRun far = new AssemblerRun(s).feed(dna(ID, seq, 0, 10, false), dna(ID, seq, 200, 210, false));
        assertThat(far.notices).singleElement().satisfies(n -> {
            assertThat(n.kind).isEqualTo(Notice.Kind.SEQUENCE_FAILED);
            assertThat(n.position).isEqualTo(10);
            assertThat(n.count).isEqualTo(10);
            assertThat(n.message).isEqualTo("given up (max-gap): fragment [200, 210) lies past positions [10, 200)"
                    + " that never arrived: a hole of 190 positions, more than the limit of 100 (max-gap); 0 chunks"
                    + " were emitted, 10 held positions went to the dead letters");
        });
        assertThat(far.rules).containsExactly(DeadLetterRule.GIVEN_UP);
        assertThat(far.cursor).isNull();

        // a hole of exactly 100 is padded (the bound of 5 makes the policy act)
        AssemblerRun exact = new AssemblerRun(s.withReorderBound(5))
                .feed(dna(ID, seq, 0, 10, false), dna(ID, seq, 110, 120, true));
        assertThat(exact.notices(Notice.Kind.GAP_SKIPPED)).singleElement()
                .satisfies(n -> assertThat(n.position == 10 && n.count == 100).isTrue());
        assertThat(exact.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT).containsExactlyElementsOf(
                expectedChunks(ID, padded(Arrays.copyOf(seq, 120), 10, 110), 1, 120, DNA));

        // an end 111 positions past the received ones, found at the idle timeout
        AssemblerRun end = new AssemblerRun(s).feed(dna(ID, seq, 0, 10, false), empty(ID, 121, FeatureKind.DNA, true));
        end.at(T0 + IDLE.toMillis());
        assertThat(end.notices).singleElement().satisfies(n -> assertThat(n.message).contains(
                "positions [10, 121) never arrived (no fragment for 10000 ms (idle-timeout)): a hole of 111"
                + " positions, more than the limit of 100 (max-gap)"));
        assertThat(end.cursor).isNull();
    }

    // ----------------------------------------------------------------------------------- refused markers

    @Test
    void aRefusedMarkerIsPaddingUnderSkipAndGivesTheSequenceUpUnderFailSequence() throws Exception {
        byte[] seq = bases(N, 25);
        List<TokenFragment> in = new ArrayList<>(dnaFragments(ID, seq, N, 10));
        in.set(13, refused(in.get(13))); // [130, 140)
        AssemblerRun skipped = new AssemblerRun(skip()).feed(in);
        assertThat(skipped.notices(Notice.Kind.GAP_SKIPPED)).singleElement().satisfies(n -> {
            assertThat(n.position == 130 && n.count == 10).isTrue();
            assertThat(n.message).contains("[130, 140) were refused by validate");
        });
        assertThat(skipped.dead).as("validate already sent it to the dead letters").isEmpty();
        assertThat(skipped.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT)
                .containsExactlyElementsOf(expectedChunks(ID, padded(seq, 130, 140), 1, N, DNA));

        AssemblerRun failed = new AssemblerRun(fail()).feed(in.subList(0, 14));
        assertThat(failed.notices).singleElement().satisfies(n -> {
            assertThat(n.kind).isEqualTo(Notice.Kind.SEQUENCE_FAILED);
            assertThat(n.position).isEqualTo(130);
            assertThat(n.message).contains("[130, 140) were refused by validate");
        });
        assertThat(failed.chunks).as("chunk 0, then the abort marker").hasSize(2);
        assertThat(failed.chunks.get(1).aborted).isTrue();

        // a refused copy of positions already received changes nothing
        List<TokenFragment> copy = new ArrayList<>(dnaFragments(ID, seq, N, 10));
        copy.add(5, refused(copy.get(2)));
        AssemblerRun same = new AssemblerRun(fail()).feed(copy);
        assertThat(same.notices).extracting(n -> n.kind).containsExactly(Notice.Kind.ENDED);
        assertThat(same.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT)
                .containsExactlyElementsOf(expectedChunks(ID, baseSymbols(seq), 1, N, DNA));
    }

    // ------------------------------------------------------------------------------ padding, step by step

    @Test
    void aLongHoleIsPaddedAStepOfChunksPerCallAndFragmentsInsideItAreDeadLetters() throws Exception {
        int hole = 64 * 200;
        int n = 100 + hole + 100;
        byte[] seq = bases(n, 26);
        AssemblerRun r = new AssemblerRun(skip().withReorderBound(50))
                .feed(dna(ID, seq, 0, 100, false), dna(ID, seq, 100 + hole, n, true));
        assertThat(r.notices).singleElement().satisfies(x -> assertThat(x.count).isEqualTo(hole));
        // one call pads 64 chunks of 64 positions, emits the chunks that completes, and leaves a timer 1 ms ahead
        assertThat(r.cursor.nextExpected).isEqualTo(100 + 64 * 64);
        assertThat(r.cursor.fillTo).isEqualTo(100 + hole);
        assertThat(r.cursor.timerAt).isEqualTo(T0 + 1);
        assertThat(r.chunks).as("chunk 0, then chunks c with 64c + 72 < 4196").hasSize(65);
        r.feed(dna(ID, seq, 5000, 5010, false)); // inside the hole: a dead letter; the call pads a step too
        assertThat(r.rules).containsExactly(DeadLetterRule.OVERLAPS_PADDING);
        assertThat(r.dead.get(0).reason).isEqualTo("positions [5000, 5010) arrived while [4196, 12900) were being"
                + " filled with padding (gap policy skip)");
        assertThat(r.cursor.nextExpected).isEqualTo(100 + 2 * 64 * 64);
        int before = r.chunks.size();
        assertThat(r.fireUntilNone(100)).as("12,800 positions at 4,096 a call: two timers after two calls").isEqualTo(2);
        assertThat(r.chunks.size() - before).isLessThanOrEqualTo(2 * 65);
        assertThat(r.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT)
                .containsExactlyElementsOf(expectedChunks(ID, padded(seq, 100, 100 + hole), 1, n, DNA));
        assertThat(r.notices(Notice.Kind.ENDED)).singleElement().satisfies(x -> assertThat(x.position).isEqualTo(n));
        assertThat(r.cursor).isNull();

        // a fragment held past the bound while padding finishes the padding in its own call
        AssemblerRun s = new AssemblerRun(skip().withReorderBound(50))
                .feed(dna(ID, seq, 0, 100, false), dna(ID, seq, 100 + hole, 100 + hole + 60, false));
        assertThat(s.cursor.timerAt).isEqualTo(T0 + 1);
        s.feed(dna(ID, seq, 100 + hole + 60, n, true));
        assertThat(s.fired).isZero();
        assertThat(s.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT)
                .containsExactlyElementsOf(expectedChunks(ID, padded(seq, 100, 100 + hole), 1, n, DNA));
        assertThat(s.cursor).isNull();
    }

    @Test
    void aLogHoleIsPaddedWithEmptySlots() throws Exception {
        int nf = 4;
        ModelConfig cfg = ModelConfig.builder().featureKind(FeatureKind.LOG).vocabSize(1000).maxFeatures(nf)
                .dModel(32).heads(4).window(8).layers(1).ffnDim(64).blockSize(16).chunkSize(64).build();
        int n = 200;
        Random random = new Random(27);
        int[] symbols = new int[n * nf]; // [n, F]
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add("line " + i);
            for (int j = 0; j < nf; j++) {
                symbols[i * nf + j] = random.nextInt(1000);
            }
        }
        List<TokenFragment> in = StreamTestSupport.split(n, 10,
                (from, to, last) -> StreamTestSupport.logs(ID, lines, symbols, nf, from, to, last));
        in.remove(9); // lines [90, 100)
        AssemblerRun r = new AssemblerRun(settings(cfg).withGapPolicy(GapPolicy.SKIP).withReorderBound(20)).feed(in);
        int[] expected = symbols.clone();
        Arrays.fill(expected, 90 * nf, 100 * nf, -1); // F empty slots per position
        assertThat(r.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT)
                .containsExactlyElementsOf(expectedChunks(ID, expected, nf, n, cfg));
        assertThat(r.notices(Notice.Kind.GAP_SKIPPED)).singleElement()
                .satisfies(x -> assertThat(x.position == 90 && x.count == 10).isTrue());
    }

    // ------------------------------------------------------------------------------------------ idle close

    @Test
    void anIdleSequenceIsClosedAtTheLastPositionReceivedAndItsTimerMovesLazily() throws Exception {
        byte[] seq = bases(N, 28);
        AssemblerRun r = new AssemblerRun(settings(DNA).withIdleTimeout(IDLE)).feed(dna(ID, seq, 0, 50, false));
        assertThat(r.cursor.timerAt).isEqualTo(T0 + 10_000);
        r.at(T0 + 6_000).feed(dna(ID, seq, 50, 100, false));
        assertThat(r.cursor.timerAt).as("not moved by a fragment").isEqualTo(T0 + 10_000);
        r.at(T0 + 10_000);
        assertThat(r.fired).isEqualTo(1);
        assertThat(r.cursor.timerAt).as("moved when it fired early").isEqualTo(T0 + 16_000);
        assertThat(r.notices).isEmpty();
        r.at(T0 + 15_999);
        assertThat(r.notices).isEmpty();
        assertThat(r.chunks).hasSize(1);
        r.at(T0 + 16_000);
        assertThat(r.notices).singleElement().satisfies(n -> {
            assertThat(n.kind).isEqualTo(Notice.Kind.IDLE_CLOSED);
            assertThat(n.position).isEqualTo(100);
            assertThat(n.message).isEqualTo("closed at position 100 without a last fragment: no fragment for 10000"
                    + " ms (idle-timeout)");
        });
        assertThat(r.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT).containsExactlyElementsOf(
                expectedChunks(ID, baseSymbols(Arrays.copyOf(seq, 100)), 1, 100, DNA));
        assertThat(r.cursor).isNull();

        AssemblerRun never = new AssemblerRun(settings(DNA).withIdleTimeout(Duration.ZERO))
                .feed(dna(ID, seq, 0, 50, false));
        assertThat(never.cursor.timerAt).as("idle timeout zero: no timer").isEqualTo(-1);
    }

    @Test
    void anIdleSequenceWithHolesGetsTheGapPolicyFirst() throws Exception {
        byte[] seq = bases(N, 29);
        // a hole before a held fragment: skip pads it, then the sequence closes after the held one
        AssemblerRun skipped = new AssemblerRun(skip().withIdleTimeout(IDLE))
                .feed(dna(ID, seq, 0, 50, false), dna(ID, seq, 60, 80, false)).at(T0 + IDLE.toMillis());
        assertThat(skipped.notices).extracting(n -> n.kind)
                .containsExactly(Notice.Kind.GAP_SKIPPED, Notice.Kind.IDLE_CLOSED);
        assertThat(skipped.notices.get(0).message).contains("[50, 60) never arrived (no fragment for 10000 ms");
        assertThat(skipped.notices.get(1).position).isEqualTo(80);
        assertThat(skipped.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT).containsExactlyElementsOf(
                expectedChunks(ID, padded(Arrays.copyOf(seq, 80), 50, 60), 1, 80, DNA));

        // fail-sequence: given up at the hole, the held fragment a dead letter, chunk 0 followed by an abort marker
        AssemblerRun failed = new AssemblerRun(fail().withIdleTimeout(IDLE))
                .feed(dna(ID, seq, 0, 100, false), dna(ID, seq, 120, 130, false)).at(T0 + IDLE.toMillis());
        assertThat(failed.notices).singleElement().satisfies(n -> assertThat(n.position).isEqualTo(100));
        assertThat(failed.dead).singleElement().satisfies(d -> assertThat(d.sourceOffset).isEqualTo(120));
        assertThat(failed.chunks).hasSize(2);
        assertThat(failed.chunks.get(1).aborted).isTrue();

        // a known end with a hole before it: skip pads it and the sequence ends normally
        AssemblerRun toEnd = new AssemblerRun(skip().withIdleTimeout(IDLE))
                .feed(dna(ID, seq, 0, 50, false), empty(ID, 80, FeatureKind.DNA, true)).at(T0 + IDLE.toMillis());
        assertThat(toEnd.notices).extracting(n -> n.kind).containsExactly(Notice.Kind.GAP_SKIPPED, Notice.Kind.ENDED);
        assertThat(toEnd.notices.get(0).count).isEqualTo(30);
        assertThat(toEnd.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT).containsExactlyElementsOf(
                expectedChunks(ID, padded(Arrays.copyOf(seq, 80), 50, 80), 1, 80, DNA));
        AssemblerRun endFailed = new AssemblerRun(fail().withIdleTimeout(IDLE))
                .feed(dna(ID, seq, 0, 50, false), empty(ID, 80, FeatureKind.DNA, true)).at(T0 + IDLE.toMillis());
        assertThat(endFailed.notices).singleElement().satisfies(n -> assertThat(n.message)
                .contains("positions [50, 80) missing before the end; no fragment for 10000 ms (idle-timeout)"));
    }
}
