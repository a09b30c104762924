package io.longseq.stream;

import static io.longseq.stream.StreamTestSupport.dnaModel;
import static io.longseq.stream.StreamTestSupport.side;
import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.math.FeatureKind;
import io.longseq.math.Features;
import io.longseq.math.ModelConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** {@link ValidateFunction}: each rule's dead letter and reason, and the symbols of valid DNA, TOKENS and LOG. */
class ValidateFunctionTest {

    static final ModelConfig DNA = dnaModel().build();
    static final ModelConfig TOKENS = ModelConfig.builder().featureKind(FeatureKind.TOKENS).vocabSize(100).dModel(32)
            .heads(4).window(8).layers(1).ffnDim(64).blockSize(16).chunkSize(64).build();
    static final int F = 4;
    static final ModelConfig LOG = ModelConfig.builder().featureKind(FeatureKind.LOG).vocabSize(1000).maxFeatures(F)
            .dModel(32).heads(4).window(8).layers(1).ffnDim(64).blockSize(16).chunkSize(64).build();

    static final StreamSettings DNA_SETTINGS = StreamSettings.defaults(DNA);

    static SequenceFragment dna(String id, long offset, String bases) {
        return new SequenceFragment(id, offset, FeatureKind.DNA, bases.getBytes(StandardCharsets.ISO_8859_1), false);
    }

    static SequenceFragment tokens(long offset, int... ids) {
        ByteBuffer b = ByteBuffer.allocate(ids.length * 4);
        for (int id : ids) {
            b.putInt(id);
        }
        return new SequenceFragment("t", offset, FeatureKind.TOKENS, b.array(), false);
    }

    static SequenceFragment log(long offset, byte[] payload) {
        return new SequenceFragment("l", offset, FeatureKind.LOG, payload, false);
    }

    static String reason(SequenceFragment f, StreamSettings s) {
        ValidateFunction.Result r = ValidateFunction.check(f, s);
        assertThat(r.fragment()).as("no fragment for a bad record").isNull();
        assertThat(r.reason()).isNotBlank();
        return r.reason();
    }

    static TokenFragment valid(SequenceFragment f, StreamSettings s) {
        ValidateFunction.Result r = ValidateFunction.check(f, s);
        assertThat(r.reason()).as("reason").isNull();
        assertThat(r.fragment()).isNotNull();
        return r.fragment();
    }

    // ----------------------------------------------------------------------------------------- rules

    @Test
    void aNullRecordOrAMissingSequenceIdIsRefused() {
        assertThat(ValidateFunction.check(null, DNA_SETTINGS).reason()).contains("null");
        assertThat(reason(dna("", 0, "ACGT"), DNA_SETTINGS)).contains("sequence id");
        assertThat(reason(dna(null, 0, "ACGT"), DNA_SETTINGS)).contains("sequence id");
    }

    @Test
    void aWrongOrMissingKindIsRefused() {
        SequenceFragment f = tokens(0, 1, 2);
        assertThat(reason(f, DNA_SETTINGS)).contains("TOKENS").contains("DNA");
        SequenceFragment noKind = dna("s", 0, "ACGT");
        noKind.kind = null;
        assertThat(reason(noKind, DNA_SETTINGS)).contains("kind");
        SequenceFragment noPayload = dna("s", 0, "ACGT");
        noPayload.payload = null;
        assertThat(reason(noPayload, DNA_SETTINGS)).contains("payload");
    }

    @Test
    void aNegativeOffsetIsRefused() {
        assertThat(reason(dna("s", -5, "ACGT"), DNA_SETTINGS)).contains("negative offset").contains("-5");
    }

    @Test
    void aPayloadOverTheLimitIsRefused() {
        StreamSettings s = DNA_SETTINGS.withMaxPayloadBytes(10);
        assertThat(valid(dna("s", 0, "ACGTACGTAC"), s).positions).isEqualTo(10);
        assertThat(reason(dna("s", 0, "ACGTACGTACG"), s)).contains("11 bytes").contains("10")
                .contains("max-payload-bytes");
    }

    @Test
    void anInvalidBaseIsRefusedNamingItsAbsolutePosition() {
        assertThat(reason(dna("s", 1000, "ACGT-ACG"), DNA_SETTINGS)).contains("invalid base")
                .contains("'-'").contains("position 1004");
        assertThat(reason(dna("s", 7, "A.C"), DNA_SETTINGS)).contains("'.'").contains("position 8");
        assertThat(reason(dna("s", 0, "ACGTX"), DNA_SETTINGS)).contains("'X'").contains("position 4");
        assertThat(reason(dna("s", 20, "AC\u0000"), DNA_SETTINGS)).contains("0x00").contains("position 22");
    }

    @Test
    void theFirstBrokenRuleIsTheReason() {
        // negative offset is checked before the bases
        assertThat(reason(dna("s", -1, "AC-"), DNA_SETTINGS)).contains("negative offset")
                .doesNotContain("invalid base");
    }

    @Test
    void tokenPayloadsMustBeWholeIdsInsideTheVocabulary() {
        StreamSettings s = StreamSettings.defaults(TOKENS);
        SequenceFragment seven = new SequenceFragment("t", 0, FeatureKind.TOKENS, new byte[7], false);
        assertThat(reason(seven, s)).contains("7 bytes").contains("int32");
        assertThat(reason(tokens(50, 1, 2, 100, 3), s)).contains("token id 100").contains("position 52")
                .contains("100)");
        assertThat(reason(tokens(0, -1), s)).contains("token id -1").contains("position 0");
        TokenFragment ok = valid(tokens(50, 0, 99, 42), s);
        assertThat(ok.symbols).containsExactly(0, 99, 42);
        assertThat(ok.positions).isEqualTo(3);
        assertThat(ok.offset).isEqualTo(50);
        assertThat(ok.end()).isEqualTo(53);
    }

    @Test
    void logPayloadsMustBeUtf8() {
        StreamSettings s = StreamSettings.defaults(LOG);
        assertThat(reason(log(0, new byte[] {'a', (byte) 0xC3, '(', '\n'}), s)).contains("UTF-8");
        assertThat(reason(log(0, new byte[] {(byte) 0xFF}), s)).contains("UTF-8");
    }

    @Test
    void offsetsPastTheLargestPositionAreRefused() {
        StreamSettings s = DNA_SETTINGS.withMaxPosition(1000);
        assertThat(valid(dna("s", 990, "ACGTACGTAC"), s).end()).isEqualTo(1000);
        assertThat(reason(dna("s", 991, "ACGTACGTAC"), s)).contains("max-position").contains("1000");
        assertThat(reason(dna("s", 5000, "A"), s)).contains("max-position");
        StreamSettings t = StreamSettings.defaults(TOKENS).withMaxPosition(10);
        assertThat(reason(tokens(8, 1, 2, 3), t)).contains("max-position");
    }

    // ---------------------------------------------------------------------------------------- symbols

    @Test
    void validDnaGivesTheBaseBytes() {
        String bases = "ACGTUNRYSWKMBDHVacgtunryswkmbdhv";
        SequenceFragment f = dna("s", 123, bases);
        f.last = true;
        TokenFragment t = valid(f, DNA_SETTINGS);
        assertThat(t.positions).isEqualTo(bases.length());
        int[] want = new int[bases.length()];
        for (int i = 0; i < want.length; i++) {
            want[i] = bases.charAt(i);
        }
        assertThat(t.symbols).containsExactly(want);
        assertThat(t.sequenceId).isEqualTo("s");
        assertThat(t.offset).isEqualTo(123);
        assertThat(t.last).isTrue();
        assertThat(t.original).isSameAs(f);
        // an empty payload (an end marker) is valid and has no positions
        TokenFragment end = valid(new SequenceFragment("s", 500, FeatureKind.DNA, new byte[0], true), DNA_SETTINGS);
        assertThat(end.positions).isZero();
        assertThat(end.symbols).isEmpty();
        assertThat(end.last).isTrue();
    }

    @Test
    void validLogTextGivesOneLinePerPositionWithFSymbols() {
        StreamSettings s = StreamSettings.defaults(LOG);
        String a = "block 17 opened by worker 3 in 25 ms";
        String b = "ok";
        int[] want = new int[2 * F];
        System.arraycopy(Features.logLine(a, LOG), 0, want, 0, F);
        System.arraycopy(Features.logLine(b, LOG), 0, want, F, F);
        for (String text : List.of(a + "\n" + b, a + "\n" + b + "\n", a + "\r\n" + b + "\r\n")) {
            TokenFragment t = valid(log(10, text.getBytes(StandardCharsets.UTF_8)), s);
            assertThat(t.positions).as("%s", text).isEqualTo(2);
            assertThat(t.symbols).as("%s", text).containsExactly(want);
            assertThat(t.end()).isEqualTo(12);
        }
        // an empty line is a position with F empty slots; an empty text has no positions
        TokenFragment blank = valid(log(0, "\n".getBytes(StandardCharsets.UTF_8)), s);
        assertThat(blank.positions).isEqualTo(1);
        assertThat(blank.symbols).containsOnly(-1).hasSize(F);
        assertThat(valid(log(0, new byte[0]), s).positions).isZero();
        // non-ASCII UTF-8 is fine
        String u = "Grüße from naïve host\n";
        TokenFragment t = valid(log(0, u.getBytes(StandardCharsets.UTF_8)), s);
        assertThat(t.symbols).containsExactly(Features.logLine("Grüße from naïve host", LOG));
    }

    // ---------------------------------------------------------------------------------------- harness

    @Test
    void badRecordsGoToTheDeadLettersWithTheirOriginalBytes() throws Exception {
        try (OneInputStreamOperatorTestHarness<SequenceFragment, TokenFragment> h =
                ProcessFunctionTestHarnesses.forProcessFunction(new ValidateFunction(DNA_SETTINGS))) {
            SequenceFragment good = dna("s", 0, "ACGTN").from("topic-a", 2, 40);
            SequenceFragment bad = dna("s", 5, "AC*GT").from("topic-a", 2, 41);
            SequenceFragment noId = dna(null, 0, "ACGT").from("topic-a", 1, 7);
            h.processElement(good, 0L);
            h.processElement(bad, 0L);
            h.processElement(noId, 0L);
            h.processElement(null, 0L);
            List<TokenFragment> out = h.extractOutputValues();
            assertThat(out).hasSize(2);
            assertThat(out.get(0)).satisfies(t -> {
                assertThat(t.symbols).containsExactly('A', 'C', 'G', 'T', 'N');
                assertThat(t.original).isEqualTo(good);
                assertThat(t.refused).isFalse();
            });
            // the refused record still names its sequence and positions: a marker for assemble, no symbols;
            // the records without a sequence id (and the null record) give no marker
            assertThat(out.get(1)).satisfies(t -> {
                assertThat(t.refused).isTrue();
                assertThat(t.sequenceId).isEqualTo("s");
                assertThat(t.offset).isEqualTo(5);
                assertThat(t.positions).isEqualTo(5);
                assertThat(t.symbols).isEmpty();
                assertThat(t.original).isEqualTo(bad);
            });
            List<DeadLetter> dead = side(h, StreamTypes.DEAD_LETTERS);
            assertThat(dead).hasSize(3);
            DeadLetter d = dead.get(0);
            assertThat(d.stage).isEqualTo("validate");
            assertThat(d.reason).contains("'*'").contains("position 7");
            assertThat(d.payload).isEqualTo("AC*GT".getBytes(StandardCharsets.US_ASCII));
            assertThat(d.source).isEqualTo("topic-a");
            assertThat(d.sourcePartition).isEqualTo(2);
            assertThat(d.sourceOffset).isEqualTo(41);
            assertThat(d.sequenceId).isEqualTo("s");
            DeadLetter e = dead.get(1);
            assertThat(e.reason).contains("sequence id");
            assertThat(e.sequenceId).isEmpty();
            assertThat(e.sourceOffset).isEqualTo(7);
            assertThat(e.payload).isEqualTo("ACGT".getBytes(StandardCharsets.US_ASCII));
            // a null record is a dead letter too, not an exception (nothing here throws on input)
            DeadLetter n = dead.get(2);
            assertThat(n.reason).contains("null");
            assertThat(n.stage).isEqualTo("validate");
            assertThat(n.payload).isEmpty();
        }
    }

    @Test
    void refusedMarkersCarryTheExtentWhenThePayloadTellsIt() {
        StreamSettings s = DNA_SETTINGS;
        SequenceFragment last = dna("s", 10, "AC-GT");
        last.last = true;
        TokenFragment m = ValidateFunction.refusedMarker(last, s);
        assertThat(m).isNotNull();
        assertThat(m.refused && m.last && m.offset == 10 && m.positions == 5 && m.end() == 15).isTrue();
        assertThat(ValidateFunction.refusedMarker(dna("s", -1, "ACGT"), s)).as("negative offset").isNull();
        assertThat(ValidateFunction.refusedMarker(dna("", 0, "ACGT"), s)).as("no sequence id").isNull();
        SequenceFragment otherKind = dna("s", 0, "ACGT");
        otherKind.kind = FeatureKind.TOKENS;
        assertThat(ValidateFunction.refusedMarker(otherKind, s)).as("another kind").isNull();
        assertThat(ValidateFunction.refusedMarker(dna("s", (1L << 40) - 2, "ACGT"), s)).as("past max position").isNull();
    }

    @Test
    void payloadPositionsFollowTheEncodingRules() {
        SequenceFragment f = new SequenceFragment("s", 0, FeatureKind.LOG, "a\nb".getBytes(StandardCharsets.UTF_8), false);
        assertThat(f.positions()).isEqualTo(2);
        f.payload = "a\nb\n".getBytes(StandardCharsets.UTF_8);
        assertThat(f.positions()).isEqualTo(2);
        f.payload = new byte[0];
        assertThat(f.positions()).isZero();
        f.kind = FeatureKind.TOKENS;
        f.payload = new byte[12];
        assertThat(f.positions()).isEqualTo(3);
        f.payload = new byte[13];
        assertThat(f.positions()).isEqualTo(-1);
        f.kind = FeatureKind.DNA;
        assertThat(f.positions()).isEqualTo(13);
        f.kind = null;
        assertThat(f.positions()).isEqualTo(-1);
    }
}
