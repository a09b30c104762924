package io.longseq.stream.input;

import static io.longseq.stream.StreamTestSupport.dnaModel;
import static io.longseq.stream.StreamTestSupport.side;
import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.features.Features;
import io.longseq.math.model.ModelConfig;
import io.longseq.stream.DeadLetter;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.StreamTypes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
        assertThat(r.rule()).as("the rule, for the dead-letter counters").isIn(DeadLetterRule.VALIDATE);
        return r.reason();
    }

    static TokenFragment valid(SequenceFragment f, StreamSettings s) {
        ValidateFunction.Result r = ValidateFunction.check(f, s);
        assertThat(r.reason()).as("reason").isNull();
        assertThat(r.rule()).isNull();
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

    // ------------------------------------------------------------------------------------------ caps (issue 20)

    @Test
    void aSequenceIdOverMaxIdBytesIsRefusedNamingItsLength() {
        StreamSettings s = DNA_SETTINGS.withLimits(StreamLimits.DEFAULTS.withMaxIdBytes(8));
        assertThat(valid(dna("abcdefgh", 0, "ACGT"), s).sequenceId).isEqualTo("abcdefgh");
        assertThat(reason(dna("abcdefghi", 0, "ACGT"), s))
                .isEqualTo("sequence id of 9 bytes is over the limit of 8 bytes (max-id-bytes): \"abcdefghi\"");
        // bytes, not characters: ü is 2 UTF-8 bytes, 😀 (a surrogate pair) 4
        assertThat(valid(dna("üüüü", 0, "ACGT"), s).positions).isEqualTo(4);
        assertThat(reason(dna("üüüüü", 0, "ACGT"), s)).startsWith("sequence id of 10 bytes is over the limit of 8");
        assertThat(valid(dna("😀😀", 0, "ACGT"), s).positions).isEqualTo(4);
        assertThat(reason(dna("😀😀a", 0, "ACGT"), s)).startsWith("sequence id of 9 bytes ");
        // checked before anything else uses the id: the kind is wrong too, the id is the reason
        SequenceFragment both = tokens(0, 1);
        both.sequenceId = "x".repeat(9);
        assertThat(reason(both, s)).startsWith("sequence id of 9 bytes");
    }

    @Test
    void aHugeSequenceIdIsNamedByItsLengthAndAShortEscapedPrefix() {
        String id = "\"a\nb\u0000\u202Ec" + "x".repeat(700 * 1024);
        String r = reason(dna(id, 0, "ACGT"), DNA_SETTINGS);
        assertThat(r).isEqualTo("sequence id of " + (6 + 3 + 700 * 1024) + " bytes is over the limit of 4096 bytes"
                + " (max-id-bytes): \"\\\"a\\nb\\x00\\u202Ec" + "x".repeat(32 - 7) + "\"...");
        assertThat(r.length()).isLessThan(200);
    }

    @Test
    void aLogLineOverMaxLineBytesIsRefusedNamingItsLineAndPosition() {
        StreamSettings s = StreamSettings.defaults(LOG).withLimits(StreamLimits.DEFAULTS.withMaxLineBytes(10));
        String ten = "0123456789";
        // exactly at the cap, with \n, \r\n or no line end: accepted
        assertThat(valid(log(100, (ten + "\n" + ten + "\r\n" + ten).getBytes(StandardCharsets.UTF_8)), s).positions)
                .isEqualTo(3);
        assertThat(reason(log(100, (ten + "\nok\n" + ten + "X\nok\n").getBytes(StandardCharsets.UTF_8)), s))
                .isEqualTo("log line of 11 bytes at position 102 (line 3 of the fragment) is over the limit of 10 bytes"
                        + " (max-line-bytes)");
        // the last line without its \n counts; bytes, not characters (é is 2 bytes)
        assertThat(valid(log(0, "ok\néééé\u00e9".getBytes(StandardCharsets.UTF_8)), s).positions).isEqualTo(2);
        assertThat(reason(log(0, "ok\nééééé\u00e9".getBytes(StandardCharsets.UTF_8)), s))
                .isEqualTo("log line of 12 bytes at position 1 (line 2 of the fragment) is over the limit of 10 bytes"
                        + " (max-line-bytes)");
        // checked on the bytes before decoding: an over-long line that is also no UTF-8 is refused for its length
        byte[] bad = new byte[20];
        Arrays.fill(bad, (byte) 0xFF);
        assertThat(reason(log(5, bad), s)).startsWith("log line of 20 bytes at position 5 (line 1 ");
        // an offset near Long.MAX_VALUE does not overflow the position shown
        assertThat(reason(log(Long.MAX_VALUE, ("a\n" + ten + "X").getBytes(StandardCharsets.UTF_8)), s))
                .startsWith("log line of 11 bytes at position " + Long.MAX_VALUE + " + 1 (line 2 ");
    }

    @Test
    void aLineOfAMegabyteIsAcceptedAtTheDefaultCapAndOneByteMoreIsNot() {
        StreamSettings s = StreamSettings.defaults(LOG);
        byte[] line = new byte[1 << 20];
        Arrays.fill(line, (byte) 'w');
        for (int i = 7; i < line.length; i += 8) {
            line[i] = ' ';
        }
        assertThat(valid(log(0, line), s).positions).isEqualTo(1);
        byte[] over = Arrays.copyOf(line, line.length + 2);
        over[line.length] = 'w';
        over[line.length + 1] = '\n';
        assertThat(reason(log(0, over), s)).isEqualTo("log line of 1048577 bytes at position 0 (line 1 of the"
                + " fragment) is over the limit of 1048576 bytes (max-line-bytes)");
    }

    @Test
    void aPayloadThatIsNotUtf8IsRefusedNamingTheByteTheLineAndThePosition() {
        StreamSettings s = StreamSettings.defaults(LOG);
        byte[] latin1 = {'o', 'k', '\n', 'c', 'a', 'f', (byte) 0xE9, '\n'};
        assertThat(reason(log(100, latin1), s)).isEqualTo("log payload is not UTF-8: a malformed sequence of 1 byte(s)"
                + " at byte 6 (0xE9) in line 2 of the fragment (position 101)");
        byte[] surrogate = {'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80};
        // the JDK's decoder reports an encoded surrogate as one malformed sequence of its 3 bytes
        assertThat(reason(log(0, surrogate), s)).isEqualTo("log payload is not UTF-8: a malformed sequence of 3"
                + " byte(s) at byte 1 (0xED) in line 1 of the fragment (position 0)");
        byte[] cut = {'a', ' ', (byte) 0xE2, (byte) 0x82};
        assertThat(reason(log(0, cut), s)).startsWith("log payload is not UTF-8: a malformed sequence of 2 byte(s)"
                + " at byte 2 (0xE2) in line 1");
    }

    @Test
    void aPayloadOfNewlinesCannotMakeSymbolsPastMaxPayloadBytes() {
        // F = 4 symbols a line: 250 lines make 1,000 symbols, the limit; one line more is refused
        StreamSettings s = StreamSettings.defaults(LOG).withMaxPayloadBytes(1_000);
        byte[] at = new byte[250];
        Arrays.fill(at, (byte) '\n');
        assertThat(valid(log(0, at), s).positions).isEqualTo(250);
        byte[] over = new byte[251];
        Arrays.fill(over, (byte) '\n');
        assertThat(reason(log(0, over), s)).isEqualTo("log payload of 251 lines makes 1004 symbols (4 a line), over"
                + " the limit of 1000 symbols a fragment (max-payload-bytes)");
    }

    @Test
    void deadLettersKeepABoundedPrefixAndSayHowManyBytesWereCut() throws Exception {
        StreamSettings s = DNA_SETTINGS.withLimits(StreamLimits.DEFAULTS.withDeadLetterBytes(100).withMaxIdBytes(8));
        String bases = "ACGT".repeat(250);
        try (OneInputStreamOperatorTestHarness<SequenceFragment, TokenFragment> h =
                ProcessFunctionTestHarnesses.forProcessFunction(new ValidateFunction(s))) {
            SequenceFragment cut = dna("s", 0, "-" + bases.substring(1)).from("topic-a", 0, 1); // 1000 bytes
            SequenceFragment kept = dna("s", 0, "-" + bases.substring(1, 100)).from("topic-a", 0, 2); // 100 bytes
            SequenceFragment longId = dna("abcdefghijklmnop", 0, bases).from("topic-a", 0, 3);
            h.processElement(cut, 0L);
            h.processElement(kept, 0L);
            h.processElement(longId, 0L);
            List<DeadLetter> dead = side(h, StreamTypes.DEAD_LETTERS);
            assertThat(dead).hasSize(3);
            String invalid = "invalid base '-' (0x2D) at position 0: allowed are the IUPAC nucleotide codes"
                    + " ACGTURYSWKMBDHVN in either case (gaps '-' and '.' are not)";
            assertThat(dead.get(0).payload).isEqualTo(Arrays.copyOf(cut.payload, 100));
            assertThat(dead.get(0).reason).isEqualTo(invalid + "; the dead letter keeps the first 100 of 1000 payload"
                    + " bytes, 900 cut (dead-letter-bytes)");
            assertThat(dead.get(1).payload).isEqualTo(kept.payload);
            assertThat(dead.get(1).reason).isEqualTo(invalid);
            // an over-long id: the dead letter's id (its Kafka key) is cut to max-id-bytes, and no marker goes on
            assertThat(dead.get(2).sequenceId).isEqualTo("abcdefgh");
            assertThat(dead.get(2).reason).isEqualTo("sequence id of 16 bytes is over the limit of 8 bytes"
                    + " (max-id-bytes): \"abcdefghijklmnop\"; the dead letter keeps the first 100 of 1000 payload"
                    + " bytes, 900 cut (dead-letter-bytes)");
            assertThat(h.extractOutputValues()).as("refused markers").hasSize(2)
                    .allMatch(t -> t.refused && t.sequenceId.equals("s"));
        }
        assertThat(ValidateFunction.refusedMarker(dna("abcdefghi", 0, "ACGT"), s)).as("id over the cap").isNull();
        assertThat(ValidateFunction.refusedMarker(dna("abcdefgh", 0, "ACGT"), s)).as("id at the cap").isNotNull();
    }

    @Test
    void aReasonQuotingADecodingErrorIsCutAndOnOneLine() {
        String why = "line one\nline two " + "z".repeat(5000);
        SequenceFragment f = SequenceFragment.undecodable("k", new byte[3], why);
        String r = reason(f, DNA_SETTINGS);
        assertThat(r).isEqualTo("line one\\nline two " + "z".repeat(500 - 18) + "...");
        assertThat(r).doesNotContain("\n");
    }

    // ---------------------------------------------------------------------------------- the last resort

    @Test
    void anExceptionWhileCheckingBecomesADeadLetterNotAFailure() throws Exception {
        String message = "bad state\n" + "m".repeat(1000);
        ValidateFunction.Checker throwing = (f, settings) -> {
            throw new IllegalStateException(message);
        };
        ValidateFunction.Checker recursing = new ValidateFunction.Checker() {
            @Override
            public ValidateFunction.Result check(SequenceFragment f, StreamSettings settings) {
                return check(f, settings); // no end: a StackOverflowError
            }
        };
        assertThat(ValidateFunction.guarded(dna("s", 0, "ACGT"), DNA_SETTINGS, throwing).reason())
                .isEqualTo("internal error in validate: java.lang.IllegalStateException: bad state\\n"
                        + "m".repeat(190) + "...");
        assertThat(ValidateFunction.guarded(dna("s", 0, "ACGT"), DNA_SETTINGS, recursing).reason())
                .isEqualTo("internal error in validate: java.lang.StackOverflowError: (no message)");
        // through the operator: a dead letter with the original bytes, and the refused marker for assemble
        try (OneInputStreamOperatorTestHarness<SequenceFragment, TokenFragment> h =
                ProcessFunctionTestHarnesses.forProcessFunction(new ValidateFunction(DNA_SETTINGS, recursing))) {
            SequenceFragment f = dna("s", 40, "ACGT").from("topic-a", 1, 9);
            h.processElement(f, 0L);
            List<DeadLetter> dead = side(h, StreamTypes.DEAD_LETTERS);
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).reason).isEqualTo("internal error in validate: java.lang.StackOverflowError:"
                    + " (no message)");
            assertThat(dead.get(0).payload).isEqualTo(f.payload);
            assertThat(dead.get(0).sourceOffset).isEqualTo(9);
            assertThat(h.extractOutputValues()).singleElement()
                    .satisfies(t -> assertThat(t.refused && t.offset == 40 && t.positions == 4).isTrue());
        }
    }

    @Test
    void aLogLineOfThousandsOfPathSegmentsNeverThrowsOutOfValidate() throws Exception {
        // issue 20: such a line overflowed the stack of the masking regex; whatever the masking does now, the
        // record is either valid or a dead letter, and the operator does not throw
        String line = "open " + "a/".repeat(4000) + "b failed\n";
        try (OneInputStreamOperatorTestHarness<SequenceFragment, TokenFragment> h =
                ProcessFunctionTestHarnesses.forProcessFunction(new ValidateFunction(StreamSettings.defaults(LOG)))) {
            h.processElement(log(0, line.getBytes(StandardCharsets.UTF_8)), 0L);
            List<TokenFragment> out = h.extractOutputValues();
            List<DeadLetter> dead = side(h, StreamTypes.DEAD_LETTERS);
            assertThat(out).hasSize(1);
            if (out.get(0).refused) {
                assertThat(dead).singleElement().satisfies(d -> assertThat(d.reason)
                        .startsWith("internal error in validate: java.lang.StackOverflowError"));
            } else {
                assertThat(dead).isEmpty();
                assertThat(out.get(0).positions).isEqualTo(1);
            }
        }
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
