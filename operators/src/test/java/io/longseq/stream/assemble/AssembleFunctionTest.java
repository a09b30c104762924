package io.longseq.stream.assemble;

import static io.longseq.stream.StreamTestSupport.CONTENT;
import static io.longseq.stream.StreamTestSupport.T0;
import static io.longseq.stream.StreamTestSupport.assemble;
import static io.longseq.stream.StreamTestSupport.baseSymbols;
import static io.longseq.stream.StreamTestSupport.bases;
import static io.longseq.stream.StreamTestSupport.deadLetters;
import static io.longseq.stream.StreamTestSupport.dna;
import static io.longseq.stream.StreamTestSupport.dnaAt;
import static io.longseq.stream.StreamTestSupport.dnaFragments;
import static io.longseq.stream.StreamTestSupport.dnaModel;
import static io.longseq.stream.StreamTestSupport.expectedChunks;
import static io.longseq.stream.StreamTestSupport.feed;
import static io.longseq.stream.StreamTestSupport.notices;
import static io.longseq.stream.StreamTestSupport.only;
import static io.longseq.stream.StreamTestSupport.settings;
import static io.longseq.stream.StreamTestSupport.shuffled;
import static io.longseq.stream.StreamTestSupport.shuffledWithin;
import static io.longseq.stream.StreamTestSupport.split;
import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.features.Features;
import io.longseq.math.model.ModelConfig;
import io.longseq.stream.DeadLetter;
import io.longseq.stream.Notice;
import io.longseq.stream.StreamTestSupport;
import io.longseq.stream.input.TokenFragment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link AssembleFunction} in an operator harness (no cluster): chunks against chunks computed directly from the
 * whole sequence, dead letters, notices, and keyed state and timers back to zero after the end (docs/design.md 3, 4).
 * The decisions case by case (duplicates, overlaps, end conflicts, each gap policy, refused markers) are tested
 * without Flink in {@link AssemblerTest} and {@link AssemblerGapsTest}; this test runs them through Flink's keyed
 * state, timers and side outputs: shuffled arrival, tombstones and their retention, idle timers, several keys,
 * each feature kind.
 */
class AssembleFunctionTest {

    static final String ID = "seq-1";
    static final int N = 300;

    static final ModelConfig DNA = dnaModel().build();

    private static void assertCleared(KeyedOneInputStreamOperatorTestHarness<String, ?, ?> h) {
        assertThat(h.numKeyedStateEntries()).as("keyed state entries").isZero();
        assertThat(h.numProcessingTimeTimers()).as("processing-time timers").isZero();
    }

    private static void assertEndedOnce(List<Notice> notices, String id, long length) {
        List<Notice> ended = only(notices, n -> n.kind == Notice.Kind.ENDED && n.sequenceId.equals(id));
        assertThat(ended).hasSize(1);
        assertThat(ended.get(0).position).isEqualTo(length);
    }

    static Stream<Arguments> sizesAndCausal() {
        return Stream.of(1, 7, 97).flatMap(s -> Stream.of(Arguments.of(s, false), Arguments.of(s, true)));
    }

    // ----------------------------------------------------------------------------------------- 1. order

    @ParameterizedTest(name = "fragment size {0}, causal {1}")
    @MethodSource("sizesAndCausal")
    void inOrderFragmentsGiveTheChunksOfTheWholeSequence(int size, boolean causal) throws Exception {
        ModelConfig cfg = dnaModel().causal(causal).build();
        byte[] seq = bases(N, 1);
        List<Chunk> expected = expectedChunks(ID, baseSymbols(seq), 1, N, cfg);
        assertThat(expected).hasSize(5);
        List<TokenFragment> in = dnaFragments(ID, seq, N, size);
        try (var h = assemble(settings(cfg))) {
            feed(h, in.subList(0, in.size() - 1));
            // the final chunk waits for the end
            assertThat(h.extractOutputValues()).usingRecursiveFieldByFieldElementComparator(CONTENT)
                    .containsExactlyElementsOf(expected.subList(0, 4));
            feed(h, in.subList(in.size() - 1, in.size()));
            assertThat(h.extractOutputValues()).usingRecursiveFieldByFieldElementComparator(CONTENT)
                    .containsExactlyElementsOf(expected);
            assertThat(deadLetters(h)).isEmpty();
            assertThat(notices(h)).hasSize(1);
            assertEndedOnce(notices(h), ID, N);
            assertCleared(h);
        }
    }

    @ParameterizedTest(name = "fragment size {0}")
    @ValueSource(ints = {1, 7, 97})
    void shuffledArrivalWithinTheReorderBoundGivesTheSameChunks(int size) throws Exception {
        byte[] seq = bases(N, 2);
        List<Chunk> expected = expectedChunks(ID, baseSymbols(seq), 1, N, DNA);
        List<TokenFragment> in = dnaFragments(ID, seq, N, size);
        for (long seed = 1; seed <= 3; seed++) {
            // the default bound (2^20 positions) holds the whole sequence: any order is within it
            try (var h = assemble(settings(DNA))) {
                feed(h, shuffled(in, seed));
                assertThat(h.extractOutputValues()).as("full shuffle, seed %d", seed)
                        .usingRecursiveFieldByFieldElementComparator(CONTENT).containsExactlyElementsOf(expected);
                assertThat(deadLetters(h)).isEmpty();
                assertThat(only(notices(h), n -> n.kind != Notice.Kind.ENDED)).isEmpty();
                assertEndedOnce(notices(h), ID, N);
                assertCleared(h);
            }
            // a bound of 100 positions, and arrival shuffled only within groups of at most 100 positions
            try (var h = assemble(settings(DNA).withReorderBound(100))) {
                feed(h, shuffledWithin(in, 100, seed));
                assertThat(h.extractOutputValues()).as("shuffle within the bound, seed %d", seed)
                        .usingRecursiveFieldByFieldElementComparator(CONTENT).containsExactlyElementsOf(expected);
                assertThat(deadLetters(h)).isEmpty();
                assertThat(only(notices(h), n -> n.kind != Notice.Kind.ENDED)).isEmpty();
                assertCleared(h);
            }
        }
    }

    /** The bases of [from, to) with the base at {@code at} replaced by another one. */
    private static String altered(byte[] seq, int from, int to, int at) {
        byte[] b = Arrays.copyOfRange(seq, from, to);
        b[at - from] = (byte) (b[at - from] == 'A' ? 'C' : 'A');
        return new String(b, StandardCharsets.US_ASCII);
    }

    // ------------------------------------------------------------------------------------ 2. tombstones

    @Test
    void gapFailSequenceGivesTheSequenceUp() throws Exception {
        byte[] seq = bases(N, 8);
        List<Chunk> whole = expectedChunks(ID, baseSymbols(seq), 1, N, DNA);
        List<TokenFragment> in = dnaFragments(ID, seq, N, 10);
        List<TokenFragment> before = in.subList(0, 20);       // [0, 200): chunks 0 and 1 are emitted
        List<TokenFragment> held = in.subList(22, 28);        // [220, 280): the 6th passes the bound of 50
        Duration retention = Duration.ofMinutes(1);
        try (var h = assemble(settings(DNA).withGapPolicy(GapPolicy.FAIL_SEQUENCE).withReorderBound(50)
                .withEndedRetention(retention))) {
            feed(h, before);
            assertThat(h.extractOutputValues()).hasSize(2);
            feed(h, held);
            List<Chunk> out = h.extractOutputValues();
            assertThat(out).hasSize(3);
            assertThat(out.subList(0, 2)).usingRecursiveFieldByFieldElementComparator(CONTENT)
                    .containsExactlyElementsOf(whole.subList(0, 2));
            Chunk abort = out.get(2);
            assertThat(abort.aborted).isTrue();
            assertThat(abort.index).isEqualTo(2);
            assertThat(abort.sequenceId).isEqualTo(ID);
            assertThat(abort.positions).isZero();

            assertThat(notices(h)).singleElement().satisfies(n -> {
                assertThat(n.kind).isEqualTo(Notice.Kind.SEQUENCE_FAILED);
                assertThat(n.position).isEqualTo(200);
            });
            List<DeadLetter> dead = deadLetters(h);
            assertThat(dead).hasSize(6).allSatisfy(d -> assertThat(d.stage).isEqualTo("assemble"));
            assertThat(dead).extracting(d -> d.sourceOffset).containsExactlyInAnyOrder(220L, 230L, 240L, 250L, 260L,
                    270L);
            for (DeadLetter d : dead) {
                assertThat(d.payload).isEqualTo(Arrays.copyOfRange(seq, (int) d.sourceOffset,
                        (int) d.sourceOffset + 10));
            }
            // only the tombstone is left while the retention lasts
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            assertThat(h.numProcessingTimeTimers()).isEqualTo(1);

            // later fragments of the sequence, even the missing ones, are dead letters
            feed(h, List.of(in.get(20), in.get(29)));
            assertThat(deadLetters(h)).hasSize(8);
            assertThat(deadLetters(h).subList(6, 8)).allSatisfy(d -> assertThat(d.reason).contains("given up"));
            assertThat(h.extractOutputValues()).hasSize(3);
            assertThat(notices(h)).hasSize(1);

            h.setProcessingTime(T0 + retention.toMillis());
            assertCleared(h);
        }
    }

    @Test
    void aPositiveRetentionKeepsOnlyTheTombstoneAndDeadLettersLateFragments() throws Exception {
        byte[] seq = bases(N, 13);
        List<Chunk> expected = expectedChunks(ID, baseSymbols(seq), 1, N, DNA);
        Duration retention = Duration.ofMinutes(5);
        try (var h = assemble(settings(DNA).withEndedRetention(retention))) {
            feed(h, dnaFragments(ID, seq, N, 50));
            assertEndedOnce(notices(h), ID, N);
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            assertThat(h.numProcessingTimeTimers()).isEqualTo(1);

            TokenFragment late = dna(ID, seq, 10, 20, false);
            h.processElement(late, 0L);
            assertThat(deadLetters(h)).singleElement().satisfies(d -> {
                assertThat(d.reason).contains("after the end");
                assertThat(d.stage).isEqualTo("assemble");
                assertThat(d.payload).isEqualTo(late.original.payload);
            });
            assertThat(h.extractOutputValues()).usingRecursiveFieldByFieldElementComparator(CONTENT)
                    .containsExactlyElementsOf(expected);
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            assertThat(h.numProcessingTimeTimers()).isEqualTo(1);

            h.setProcessingTime(T0 + retention.toMillis() - 1);
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            h.setProcessingTime(T0 + retention.toMillis());
            assertCleared(h);
        }
    }

    // ------------------------------------------------------------------------------------------ 3. idle

    @Test
    void anIdleSequenceIsClosedAtTheLastPositionReceived() throws Exception {
        byte[] seq = bases(N, 14);
        int n = 150;
        List<Chunk> expected = expectedChunks(ID, baseSymbols(Arrays.copyOf(seq, n)), 1, n, DNA);
        Duration idle = Duration.ofSeconds(10);
        try (var h = assemble(settings(DNA).withIdleTimeout(idle))) {
            feed(h, split(n, 10, (from, to, last) -> dna(ID, seq, from, to, false)));
            assertThat(h.extractOutputValues()).hasSize(2);
            assertThat(h.numProcessingTimeTimers()).isEqualTo(1);
            h.setProcessingTime(T0 + idle.toMillis() - 1);
            assertThat(notices(h)).isEmpty();
            h.setProcessingTime(T0 + idle.toMillis());
            List<Chunk> out = h.extractOutputValues();
            assertThat(out).usingRecursiveFieldByFieldElementComparator(CONTENT).containsExactlyElementsOf(expected);
            assertThat(out.get(2).last).isTrue();
            assertThat(out.get(2).coreTo).isEqualTo(n);
            List<Notice> closed = only(notices(h), x -> x.kind == Notice.Kind.IDLE_CLOSED);
            assertThat(closed).singleElement().satisfies(x -> assertThat(x.position).isEqualTo(n));
            assertThat(deadLetters(h)).isEmpty();
            assertCleared(h);
        }
    }

    @Test
    void fragmentsBeforeTheTimeoutMoveTheDeadline() throws Exception {
        byte[] seq = bases(N, 15);
        Duration idle = Duration.ofSeconds(10);
        try (var h = assemble(settings(DNA).withIdleTimeout(idle))) {
            h.processElement(dna(ID, seq, 0, 50, false), 0L);
            h.setProcessingTime(T0 + 6_000);
            h.processElement(dna(ID, seq, 50, 100, false), 0L);
            assertThat(h.numProcessingTimeTimers()).isEqualTo(1);
            // the first deadline passes: the timer fires early and is moved, nothing closes
            h.setProcessingTime(T0 + 10_000);
            assertThat(notices(h)).isEmpty();
            assertThat(h.numProcessingTimeTimers()).isEqualTo(1);
            assertThat(h.extractOutputValues()).hasSize(1).allSatisfy(c -> assertThat(c.last).isFalse());
            h.setProcessingTime(T0 + 15_999);
            assertThat(notices(h)).isEmpty();
            h.setProcessingTime(T0 + 16_000);
            assertThat(only(notices(h), x -> x.kind == Notice.Kind.IDLE_CLOSED)).singleElement()
                    .satisfies(x -> assertThat(x.position).isEqualTo(100));
            assertThat(h.extractOutputValues()).usingRecursiveFieldByFieldElementComparator(CONTENT)
                    .containsExactlyElementsOf(expectedChunks(ID, baseSymbols(Arrays.copyOf(seq, 100)), 1, 100, DNA));
            assertCleared(h);
        }
    }

    // ---------------------------------------------------------------------------------- 4. several keys

    @Test
    void interleavedSequencesDoNotAffectEachOther() throws Exception {
        byte[] a = bases(300, 21);
        byte[] b = bases(200, 22);
        byte[] c = bases(150, 23);
        byte[] d = bases(250, 24);
        List<List<TokenFragment>> streams = new ArrayList<>();
        streams.add(dnaFragments("a", a, 300, 7));
        streams.add(shuffled(dnaFragments("b", b, 200, 13), 5));
        streams.add(dnaFragments("c", c, 150, 1));
        List<TokenFragment> dIn = new ArrayList<>(dnaFragments("d", d, 250, 20));
        TokenFragment conflict = dnaAt("d", 30, altered(d, 30, 50, 33), false);
        dIn.add(3, conflict); // after [0, 60): a conflicting overlap in d only
        streams.add(dIn);
        List<TokenFragment> in = new ArrayList<>();
        for (int i = 0; !streams.stream().allMatch(List::isEmpty); i++) {
            for (List<TokenFragment> s : streams) {
                if (!s.isEmpty()) {
                    in.add(s.remove(0));
                }
            }
        }
        try (var h = assemble(settings(DNA))) {
            feed(h, in);
            List<Chunk> out = h.extractOutputValues();
            assertThat(only(out, k -> k.sequenceId.equals("a"))).usingRecursiveFieldByFieldElementComparator(CONTENT)
                    .containsExactlyElementsOf(expectedChunks("a", baseSymbols(a), 1, 300, DNA));
            assertThat(only(out, k -> k.sequenceId.equals("b"))).usingRecursiveFieldByFieldElementComparator(CONTENT)
                    .containsExactlyElementsOf(expectedChunks("b", baseSymbols(b), 1, 200, DNA));
            assertThat(only(out, k -> k.sequenceId.equals("c"))).usingRecursiveFieldByFieldElementComparator(CONTENT)
                    .containsExactlyElementsOf(expectedChunks("c", baseSymbols(c), 1, 150, DNA));
            assertThat(only(out, k -> k.sequenceId.equals("d"))).usingRecursiveFieldByFieldElementComparator(CONTENT)
                    .containsExactlyElementsOf(expectedChunks("d", baseSymbols(d), 1, 250, DNA));
            assertThat(deadLetters(h)).singleElement().satisfies(x -> {
                assertThat(x.sequenceId).isEqualTo("d");
                assertThat(x.reason).contains("conflicting");
                assertThat(x.payload).isEqualTo(conflict.original.payload);
            });
            assertEndedOnce(notices(h), "a", 300);
            assertEndedOnce(notices(h), "b", 200);
            assertEndedOnce(notices(h), "c", 150);
            assertEndedOnce(notices(h), "d", 250);
            assertThat(notices(h)).hasSize(4);
            assertCleared(h);
        }
    }

    // ------------------------------------------------------------------------------- 5. TOKENS and LOG

    @Test
    void tokenIdsGiveTheChunksOfTheWholeSequence() throws Exception {
        ModelConfig cfg = ModelConfig.builder().featureKind(FeatureKind.TOKENS).vocabSize(1000).dModel(32)
                .heads(4).window(8).layers(1).ffnDim(64).blockSize(16).chunkSize(64).build();
        int n = 250;
        Random r = new Random(41);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(1000);
        }
        List<Chunk> expected = expectedChunks(ID, ids, 1, n, cfg);
        // halos without the k-mer context: array of chunk 1 is [64 − 8, 128 + 8)
        assertThat(expected.get(1).first).isEqualTo(56);
        assertThat(expected.get(1).positions).isEqualTo(80);
        List<TokenFragment> in = split(n, 11, (from, to, last) -> StreamTestSupport.tokens(ID, ids, from, to, last));
        try (var h = assemble(settings(cfg))) {
            feed(h, shuffled(in, 3));
            assertThat(h.extractOutputValues()).usingRecursiveFieldByFieldElementComparator(CONTENT)
                    .containsExactlyElementsOf(expected);
            assertThat(deadLetters(h)).isEmpty();
            assertEndedOnce(notices(h), ID, n);
            assertCleared(h);
        }
    }

    @Test
    void logLinesGiveTheChunksOfTheWholeSequenceWithFSymbolsPerPosition() throws Exception {
        int nf = 4;
        ModelConfig cfg = ModelConfig.builder().featureKind(FeatureKind.LOG).vocabSize(1000).maxFeatures(nf)
                .dModel(32).heads(4).window(8).layers(1).ffnDim(64).blockSize(16).chunkSize(64).build();
        int n = 200;
        Random r = new Random(42);
        String[] verbs = {"opened", "closed", "failed", "read", "wrote"};
        List<String> lines = new ArrayList<>();
        int[] symbols = new int[n * nf];
        for (int i = 0; i < n; i++) {
            String line = r.nextInt(5) == 0 ? "ok" : "block " + r.nextInt(1000) + " " + verbs[r.nextInt(5)]
                    + " by worker " + r.nextInt(9) + " in " + r.nextInt(100) + " ms";
            lines.add(line);
            System.arraycopy(Features.logLine(line, cfg), 0, symbols, i * nf, nf);
        }
        List<Chunk> expected = expectedChunks(ID, symbols, nf, n, cfg);
        assertThat(expected.get(1).symbols).hasSize(expected.get(1).positions * nf);
        List<TokenFragment> in = split(n, 9, (from, to, last) -> StreamTestSupport.logs(ID, lines, symbols, nf, from,
                to, last));
        try (var h = assemble(settings(cfg))) {
            feed(h, shuffled(in, 4));
            assertThat(h.extractOutputValues()).usingRecursiveFieldByFieldElementComparator(CONTENT)
                    .containsExactlyElementsOf(expected);
            assertThat(deadLetters(h)).isEmpty();
            assertEndedOnce(notices(h), ID, n);
            assertCleared(h);
        }
        // a skipped hole is F empty slots (-1) per position
        int[] padded = symbols.clone();
        Arrays.fill(padded, 90 * nf, 99 * nf, -1);
        List<TokenFragment> withHole = new ArrayList<>(in);
        withHole.remove(10); // lines [90, 99)
        try (var h = assemble(settings(cfg).withGapPolicy(GapPolicy.SKIP).withReorderBound(20))) {
            feed(h, withHole);
            assertThat(h.extractOutputValues()).usingRecursiveFieldByFieldElementComparator(CONTENT)
                    .containsExactlyElementsOf(expectedChunks(ID, padded, nf, n, cfg));
            assertThat(only(notices(h), x -> x.kind == Notice.Kind.GAP_SKIPPED)).singleElement()
                    .satisfies(x -> assertThat(x.position).isEqualTo(90));
            assertCleared(h);
        }
    }

    /** The marker validate sends on when it refuses the fragment {@code f} (used by {@link AssembleGapsTest}). */
    static TokenFragment refused(TokenFragment f) {
        TokenFragment m = new TokenFragment(f.original, f.positions, new int[0]);
        m.refused = true;
        return m;
    }
}
