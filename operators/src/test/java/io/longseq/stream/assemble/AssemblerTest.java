package io.longseq.stream.assemble;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static io.longseq.stream.StreamTestSupport.CONTENT;
import static io.longseq.stream.StreamTestSupport.baseSymbols;
import static io.longseq.stream.StreamTestSupport.bases;
import static io.longseq.stream.StreamTestSupport.dna;
import static io.longseq.stream.StreamTestSupport.dnaAt;
import static io.longseq.stream.StreamTestSupport.dnaFragments;
import static io.longseq.stream.StreamTestSupport.dnaModel;
import static io.longseq.stream.StreamTestSupport.empty;
import static io.longseq.stream.StreamTestSupport.expectedChunks;
import static io.longseq.stream.StreamTestSupport.settings;
import static io.longseq.stream.assemble.AssemblerRun.ID;
import static io.longseq.stream.assemble.AssemblerRun.T0;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.LocalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.stream.DeadLetter;
import io.longseq.stream.Notice;
import io.longseq.stream.input.DeadLetterRule;
import io.longseq.stream.input.TokenFragment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Assembler} on its own, without Flink ({@link AssemblerRun}): order, duplicates, overlaps, chunk cutting and
 * the end of a sequence. Expected chunks are computed from the positions directly ({@code expectedChunks}, and the
 * halos written out here: C = 64, left halo L·w + k − 1 = 10, right halo L·w = 8 or 0 when causal; docs/design.md 3).
 * Gaps, bounds and the idle close: {@link AssemblerGapsTest}.
 */
class AssemblerTest {

    static final int N = 300;
    static final ModelConfig DNA = dnaModel().build();

    /** The bases of [from, to) with the base at {@code at} replaced by another one. */
    static String altered(byte[] seq, int from, int to, int at) {
        byte[] b = Arrays.copyOfRange(seq, from, to);
        b[at - from] = (byte) (b[at - from] == 'A' ? 'C' : 'A');
        return new String(b, StandardCharsets.US_ASCII);
    }

    static void assertEnded(AssemblerRun r, long length, long chunks) {
        assertThat(r.notices).singleElement().satisfies(n -> {
            assertThat(n.kind).isEqualTo(Notice.Kind.ENDED);
            assertThat(n.sequenceId).isEqualTo(ID);
            assertThat(n.position).isEqualTo(length);
            assertThat(n.count).isEqualTo(chunks);
        });
        assertThat(r.cursor).as("retention zero: nothing is kept").isNull();
    }

    // ------------------------------------------------------------------------------------- order, chunks

    @ParameterizedTest(name = "causal {0}")
    @ValueSource(booleans = {false, true})
    void inOrderAChunkIsCutOnceItsRightHaloAndOnePositionMoreHaveArrived(boolean causal) throws Exception {
        ModelConfig cfg = dnaModel().causal(causal).build();
        int right = causal ? 0 : 8;
        byte[] seq = bases(N, 1);
        List<Chunk> expected = expectedChunks(ID, baseSymbols(seq), 1, N, cfg);
        AssemblerRun r = new AssemblerRun(settings(cfg));
        for (int p = 0; p < N; p++) {
            r.feed(dna(ID, seq, p, p + 1, p + 1 == N));
            int received = p + 1;
            int ready = 0; // chunks c with c·64 + 64 + right < received, before the end
            while (received < N && (ready + 1) * 64 + right < received) {
                ready++;
            }
            assertThat(r.chunks).as("chunks out after %d positions", received)
                    .hasSize(received == N ? expected.size() : ready);
        }
        assertThat(r.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT).containsExactlyElementsOf(expected);
        // chunk 1 written out: core [64, 128), array [64 − 10, 128 + right)
        Chunk one = r.chunks.get(1);
        assertThat(one.coreFrom).isEqualTo(64);
        assertThat(one.coreTo).isEqualTo(128);
        assertThat(one.first).isEqualTo(54);
        assertThat(one.positions).isEqualTo(128 + right - 54);
        assertThat(one.symbols).isEqualTo(baseSymbols(Arrays.copyOfRange(seq, 54, 128 + right)));
        Chunk lastChunk = r.chunks.get(4);
        assertThat(lastChunk.last).isTrue();
        assertThat(lastChunk.coreFrom).isEqualTo(256);
        assertThat(lastChunk.coreTo).isEqualTo(N);
        assertThat(r.dead).isEmpty();
        assertEnded(r, N, 5);
    }

    @Test
    void afterAChunkOnlyTheNextChunksLeftHaloIsHeld() throws Exception {
        byte[] seq = bases(N, 2);
        AssemblerRun r = new AssemblerRun(settings(DNA)).feed(dna(ID, seq, 0, 200, false));
        // 200 − 64 > 64 + 8 but 200 − 128 is not: chunks 0 and 1
        assertThat(r.chunks).hasSize(2);
        assertThat(r.cursor.nextChunk).isEqualTo(2);
        assertThat(r.cursor.nextExpected).isEqualTo(200);
        assertThat(r.cursor.tailStart).as("chunk 2's left halo: 128 − 10").isEqualTo(118);
        assertThat(Arrays.copyOf(r.tail.v, 200 - 118)).isEqualTo(baseSymbols(Arrays.copyOfRange(seq, 118, 200)));
    }

    @Test
    void outOfOrderFragmentsWaitUntilThePositionsBeforeThemArrive() throws Exception {
        byte[] seq = bases(N, 3);
        List<TokenFragment> in = dnaFragments(ID, seq, N, 10);
        AssemblerRun r = new AssemblerRun(settings(DNA));
        for (int i = in.size() - 1; i >= 1; i--) {
            r.feed(in.get(i));
        }
        assertThat(r.chunks).isEmpty();
        assertThat(r.cursor.nextExpected).isZero();
        assertThat(r.cursor.end).as("the last fragment said the end").isEqualTo(N);
        assertThat(r.cursor.pendingCount).isEqualTo(29);
        assertThat(r.cursor.pendingPositions).isEqualTo(290);
        assertThat(r.cursor.pendingBytes).as("29 · (10 symbols · 4 bytes + 10 payload bytes)").isEqualTo(29 * 50);
        r.feed(in.get(0));
        assertThat(r.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT)
                .containsExactlyElementsOf(expectedChunks(ID, baseSymbols(seq), 1, N, DNA));
        assertThat(r.dead).isEmpty();
        assertEnded(r, N, 5);
    }

    @Test
    void duplicatesChangeNothingAndALongerHeldFragmentReplacesAShorterOne() throws Exception {
        byte[] seq = bases(N, 4);
        AssemblerRun r = new AssemblerRun(settings(DNA)).feed(dna(ID, seq, 0, 100, false));
        // chunk 0 is out, the tail holds [54, 100): copies of what it holds
        r.feed(dna(ID, seq, 60, 90, false), dna(ID, seq, 0, 100, false));
        assertThat(r.cursor.nextExpected).isEqualTo(100);
        r.feed(dna(ID, seq, 150, 180, false), dna(ID, seq, 150, 170, false)); // held, then a shorter copy
        assertThat(r.cursor.pendingPositions).isEqualTo(30);
        r.feed(dna(ID, seq, 150, 210, false)); // same offset, longer: replaces the one held
        assertThat(r.cursor.pendingCount).isEqualTo(1);
        assertThat(r.cursor.pendingPositions).isEqualTo(60);
        r.feed(dna(ID, seq, 100, 150, false)); // fills the hole: the held one goes in
        assertThat(r.cursor.nextExpected).isEqualTo(210);
        assertThat(r.cursor.pendingCount).isZero();
        r.feed(dna(ID, seq, 190, 205, false), dna(ID, seq, 210, N, true)); // the tail holds [182, 210) then
        assertThat(r.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT)
                .containsExactlyElementsOf(expectedChunks(ID, baseSymbols(seq), 1, N, DNA));
        assertThat(r.dead).isEmpty();
        assertEnded(r, N, 5);
    }

    @Test
    void anAgreeingOverlapAddsOnlyItsNewPositions() throws Exception {
        byte[] seq = bases(N, 5);
        AssemblerRun r = new AssemblerRun(settings(DNA)).feed(dna(ID, seq, 0, 50, false), dna(ID, seq, 40, 120, false));
        assertThat(r.cursor.nextExpected).isEqualTo(120);
        // one fragment across the tail, the hole and two held ones
        r.feed(dna(ID, seq, 180, N, true), dna(ID, seq, 150, 190, false), dna(ID, seq, 100, 200, false));
        assertThat(r.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT)
                .containsExactlyElementsOf(expectedChunks(ID, baseSymbols(seq), 1, N, DNA));
        assertThat(r.dead).isEmpty();
        assertEnded(r, N, 5);
    }

    @Test
    void aConflictingOverlapIsADeadLetterNamingThePositionAndTheRestGoesOn() throws Exception {
        byte[] seq = bases(N, 6);
        TokenFragment againstTail = dnaAt(ID, 50, altered(seq, 50, 70, 60), false);
        TokenFragment againstTailAndNew = dnaAt(ID, 90, altered(seq, 90, 130, 95), false);
        TokenFragment againstHeld = dnaAt(ID, 150, altered(seq, 150, 200, 170), false);
        AssemblerRun r = new AssemblerRun(settings(DNA)).feed(dna(ID, seq, 0, 100, false), againstTail,
                againstTailAndNew, dna(ID, seq, 150, 200, false), againstHeld);
        assertThat(r.cursor.nextExpected).as("nothing of them was used").isEqualTo(100);
        assertThat(r.cursor.pendingPositions).isEqualTo(50);
        assertThat(r.rules).containsExactly(DeadLetterRule.CONFLICTING_OVERLAP, DeadLetterRule.CONFLICTING_OVERLAP,
                DeadLetterRule.CONFLICTING_OVERLAP);
        TokenFragment[] bad = {againstTail, againstTailAndNew, againstHeld};
        String[] at = {"at position 60", "at position 95", "at position 150"}; // a held one is named by its offset
        for (int i = 0; i < 3; i++) {
            DeadLetter d = r.dead.get(i);
            assertThat(d.stage).isEqualTo("assemble");
            assertThat(d.sequenceId).isEqualTo(ID);
            assertThat(d.sourceOffset).isEqualTo(bad[i].offset);
            assertThat(d.payload).isEqualTo(bad[i].original.payload);
            assertThat(d.reason).contains("conflicting overlap " + at[i]);
        }
        r.feed(dna(ID, seq, 100, 150, false), dna(ID, seq, 200, N, true));
        assertThat(r.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT)
                .containsExactlyElementsOf(expectedChunks(ID, baseSymbols(seq), 1, N, DNA));
        assertEnded(r, N, 5);
    }

    @Test
    void aFragmentEntirelyBeforeTheHeldTailIsLate() throws Exception {
        byte[] seq = bases(N, 7);
        AssemblerRun r = new AssemblerRun(settings(DNA)).feed(dna(ID, seq, 0, 200, false), dna(ID, seq, 10, 20, false));
        assertThat(r.rules).containsExactly(DeadLetterRule.LATE);
        assertThat(r.dead.get(0).sourceOffset).isEqualTo(10);
        assertThat(r.dead.get(0).reason).contains("late fragment [10, 20)").contains("held from 118");
        // one that reaches into the held tail is checked and used
        r.feed(dna(ID, seq, 110, 210, false), dna(ID, seq, 210, N, true));
        assertThat(r.rules).hasSize(1);
        assertThat(r.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT)
                .containsExactlyElementsOf(expectedChunks(ID, baseSymbols(seq), 1, N, DNA));
    }

    // ------------------------------------------------------------------------------------------------ end

    @Test
    void aConflictingEndAndPositionsPastTheEndAreDeadLetters() throws Exception {
        byte[] seq = bases(N, 8);
        AssemblerRun r = new AssemblerRun(settings(DNA)).feed(dna(ID, seq, 0, 100, false), dna(ID, seq, 250, N, true));
        r.feed(dna(ID, seq, 280, 290, true), dnaAt(ID, 300, "ACGTACGTAC", false),
                dnaAt(ID, 290, "ACGTACGTACGTACG", false));
        assertThat(r.rules).containsExactly(DeadLetterRule.CONFLICTING_END, DeadLetterRule.PAST_END,
                DeadLetterRule.PAST_END);
        assertThat(r.dead.get(0).reason).contains("ends the sequence at 290, an earlier one at 300");
        assertThat(r.dead.get(1).reason).contains("[300, 310) pass the end of the sequence at 300");
        assertThat(r.cursor.end).isEqualTo(N);
        r.feed(dna(ID, seq, 100, 250, false));
        assertThat(r.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT)
                .containsExactlyElementsOf(expectedChunks(ID, baseSymbols(seq), 1, N, DNA));
        assertEnded(r, N, 5);

        // a last fragment that ends before positions already received; a later one ends it at 200
        AssemblerRun s = new AssemblerRun(settings(DNA))
                .feed(dna(ID, seq, 0, 100, false), dna(ID, seq, 40, 60, true), dna(ID, seq, 100, 200, true));
        assertThat(s.rules).containsExactly(DeadLetterRule.CONFLICTING_END);
        assertThat(s.dead.get(0).reason).contains("ends the sequence at 60, but positions up to 100");
        assertThat(s.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT)
                .containsExactlyElementsOf(expectedChunks(ID, baseSymbols(Arrays.copyOf(seq, 200)), 1, 200, DNA));
        assertEnded(s, 200, 4);
    }

    @Test
    void anEmptyLastFragmentEndsTheSequenceAtItsOffsetBeforeOrAfterTheData() throws Exception {
        byte[] seq = bases(N, 9);
        List<Chunk> expected = expectedChunks(ID, baseSymbols(seq), 1, N, DNA);
        List<TokenFragment> data = new ArrayList<>();
        for (int from = 0; from < N; from += 7) {
            data.add(dna(ID, seq, from, Math.min(N, from + 7), false));
        }
        AssemblerRun after = new AssemblerRun(settings(DNA)).feed(data);
        assertThat(after.chunks).as("the final chunk waits for the end").hasSize(4);
        after.feed(empty(ID, N, FeatureKind.DNA, true));
        assertThat(after.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT).containsExactlyElementsOf(expected);
        assertEnded(after, N, 5);

        AssemblerRun before = new AssemblerRun(settings(DNA)).feed(empty(ID, N, FeatureKind.DNA, true)).feed(data);
        assertThat(before.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT).containsExactlyElementsOf(expected);
        assertEnded(before, N, 5);

        AssemblerRun none = new AssemblerRun(settings(DNA)).feed(empty(ID, 0, FeatureKind.DNA, true));
        assertThat(none.chunks).isEmpty();
        assertThat(none.notices).singleElement().satisfies(n -> {
            assertThat(n.kind).isEqualTo(Notice.Kind.EMPTY);
            assertThat(n.position).isZero();
        });
        assertThat(none.cursor).isNull();
    }

    @Test
    void theLastFragmentArrivingFirstEndsTheSequenceWhenTheRestArrives() throws Exception {
        byte[] seq = bases(N, 10);
        List<TokenFragment> in = dnaFragments(ID, seq, N, 25);
        AssemblerRun r = new AssemblerRun(settings(DNA)).feed(in.get(in.size() - 1));
        assertThat(r.chunks).isEmpty();
        r.feed(in.subList(0, in.size() - 2)); // [0, 250): chunks 0..2
        assertThat(r.chunks).hasSize(3);
        assertThat(r.notices).isEmpty();
        r.feed(in.get(in.size() - 2));
        assertThat(r.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT)
                .containsExactlyElementsOf(expectedChunks(ID, baseSymbols(seq), 1, N, DNA));
        assertEnded(r, N, 5);
    }

    @Test
    void anEndedSequenceLeavesATombstoneForTheRetentionAndLaterFragmentsAreDeadLetters() throws Exception {
        byte[] seq = bases(N, 11);
        Duration retention = Duration.ofMinutes(5);
        AssemblerRun r = new AssemblerRun(settings(DNA).withEndedRetention(retention));
        r.now = T0 + 7;
        r.feed(dnaFragments(ID, seq, N, 50));
        assertThat(r.chunks).hasSize(5);
        assertThat(r.cursor.status).isEqualTo(AssembleCursor.ENDED);
        assertThat(r.cursor.timerAt).isEqualTo(T0 + 7 + retention.toMillis());
        TokenFragment late = dna(ID, seq, 10, 20, false);
        r.feed(late);
        assertThat(r.rules).containsExactly(DeadLetterRule.AFTER_END);
        assertThat(r.dead.get(0).reason).contains("arrived after the end of the sequence at 300");
        assertThat(r.dead.get(0).payload).isEqualTo(late.original.payload);
        r.feed(AssemblerRun.refused(dna(ID, seq, 20, 30, false)));
        assertThat(r.dead).as("a refused marker: validate already sent its record to the dead letters").hasSize(1);
        assertThat(r.chunks).hasSize(5);
        assertThat(r.notices).hasSize(1);
    }

    // --------------------------------------------------------------------------------------------- halos

    @Test
    void sinksChunksCarryTheSequencesFirstPositionsAndChunkZeroWaitsForThem() throws Exception {
        // SINKS with 100 sinks: the prefix is sinks + L·w = 108 positions, more than chunk 0's array and one more
        ModelConfig cfg = dnaModel().localMode(LocalMode.SINKS).sinks(100).build();
        byte[] seq = bases(N, 12);
        int[] symbols = baseSymbols(seq);
        AssemblerRun r = new AssemblerRun(settings(cfg));
        for (int p = 0; p < N; p++) {
            r.feed(dna(ID, seq, p, p + 1, p + 1 == N));
            if (p + 1 == 107) {
                assertThat(r.chunks).as("chunk 0 waits for the 108 positions of the prefix").isEmpty();
            }
            if (p + 1 == 108) {
                assertThat(r.chunks).hasSize(1);
            }
        }
        List<Chunk> expected = expectedChunks(ID, symbols, 1, N, cfg); // halos as without sinks, no prefix
        for (Chunk k : expected) {
            if (k.index > 0) {
                k.prefix = Arrays.copyOf(symbols, 108);
            }
        }
        assertThat(r.chunks).usingRecursiveFieldByFieldElementComparator(CONTENT).containsExactlyElementsOf(expected);
        assertEnded(r, N, 5);
    }

    // ---------------------------------------------------------------------------------------------- layers

    @Test
    void theStateMachineHasNoFlinkDependency() {
        noClasses().that().belongToAnyOf(Assembler.class, AssembleEnds.class, AssembleOutbox.class,
                        AssembleTail.class, AssemblePending.class, AssembleState.class, AssembleCursor.class,
                        ChunkGeometry.class, SymbolRanges.class, TombstoneQueue.class, GapPolicy.class)
                .should().dependOnClassesThat().resideInAPackage("org.apache.flink..")
                .because("the decisions of assemble are plain classes; AssembleFunction and AssembleStates are the"
                        + " Flink side (docs/design.md 6)")
                .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("io.longseq.stream.assemble"));
    }
}
