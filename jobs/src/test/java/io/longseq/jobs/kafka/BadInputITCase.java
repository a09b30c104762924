package io.longseq.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.jobs.LongseqJob;
import io.longseq.math.features.FeatureKind;
import io.longseq.math.features.Features;
import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.ChunkedModel;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.WeightsInit;
import io.longseq.schemas.AvroCodec;
import io.longseq.schemas.FragmentKind;
import io.longseq.schemas.TopEntry;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.StreamTypes;
import io.longseq.stream.assemble.Chunk;
import io.longseq.stream.global.BlockContext;
import io.longseq.stream.input.SequenceFragment;
import io.longseq.stream.input.ValidateFunction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * docs/design.md G5 (bad input) through Kafka: a corpus of bad records goes into the input topic between the fragments
 * of good sequences. Each bad record must come out of the dead-letter topic exactly once, with the reason for its
 * case and the original bytes (the raw record value when it could not be decoded, the fragment payload when it
 * could), and with the topic, partition and offset it was read from; nothing else may become a dead letter. The
 * good sequences' block contexts must be exactly those of a run without the bad records ({@code ChunkedModel}
 * offline on each good sequence, bitwise), every good sequence must end normally, and the job must finish
 * successfully with restart strategy {@code none}, so no bad record can have failed it.
 *
 * <p>Some bad records target good sequences (a conflicting overlap with the held tail, a conflicting overlap with a
 * fragment waiting out of order, fragments after the end): they must not change those sequences' output.
 */
class BadInputITCase {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final int FRAGMENT = 500;
    private static final int MAX_PAYLOAD = 4096;
    private static final int DEAD_LETTER_BYTES = 1024;
    private static final long REORDER_BYTES = 8 * 1024;
    private static final int MAX_ID = 1024;
    private static final StreamLimits LIMITS = StreamLimits.DEFAULTS.withDeadLetterBytes(DEAD_LETTER_BYTES)
            .withReorderBytes(REORDER_BYTES).withMaxIdBytes(MAX_ID);
    private static final StreamSettings SETTINGS = StreamSettings.defaults(KafkaPipelineFixture.MODEL)
            .withMaxPayloadBytes(MAX_PAYLOAD)
            .withEndedRetention(Duration.ofMinutes(10))
            .withLimits(LIMITS);

    private static final int LOG_FRAGMENT = 40;
    private static final int MAX_LINE = 16 * 1024;
    private static final ModelConfig LOG_MODEL = ModelConfig.builder().featureKind(FeatureKind.LOG).maxFeatures(32)
            .dModel(32).heads(4).window(16).layers(1).ffnDim(64).blockSize(64).chunkSize(256).build();
    private static final StreamSettings LOG_SETTINGS = StreamSettings.defaults(LOG_MODEL)
            .withEndedRetention(Duration.ofMinutes(10))
            .withLimits(LIMITS.withMaxLineBytes(MAX_LINE));

    /** Reasons whose text another class owns: checked by these parts. */
    private static final String MAX_GAP_REASON = "(max-gap)";
    private static final String REORDER_REASON = "(reorder-bytes)";
    private static final String CUT_REASON = "%d cut (dead-letter-bytes)";
    private static final int MAX_REASON = 1_000;
    /** The sequence id a dead letter keeps of an over-long one: its first max-id-bytes, whole characters only. */
    private static final java.util.function.UnaryOperator<String> ID_PREFIX = id -> {
        int end = 0;
        int bytes = 0;
        while (end < id.length()) {
            int cp = id.codePointAt(end);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > MAX_ID) {
                break;
            }
            bytes += n;
            end += Character.charCount(cp);
        }
        return id.substring(0, end);
    };
    private static final String VALIDATE = "validate";
    private static final String ASSEMBLE = "assemble";
    private static final String NOT_A_FRAGMENT =
            "not a SequenceFragment record: cannot decode io.longseq.schemas.SequenceFragment: ";

    /** One bad record: what it is, the record, and what its dead letter must say. */
    private record Case(String name, ProducerRecord<byte[], byte[]> record, String sequenceId, String stage,
                        String exactReason, List<String> reasonParts, byte[] payload) {}

    @Test
    void everyBadRecordIsADeadLetterWithItsReasonAndBytesAndGoodSequencesAreUntouched() throws Exception {
        long t0 = System.nanoTime();
        KafkaSettings k = KafkaPipelineFixture.kafkaSettings(KAFKA, "bad-input", true);
        KafkaPipelineFixture.createTopics(KAFKA, k);
        String topic = k.inputTopic();

        List<KafkaPipelineFixture.Sequence> good = KafkaPipelineFixture.corpus(7_007L, "good", 8, 2_000, 4_000);
        Map<String, List<BlockContext>> expected = KafkaPipelineFixture.offline(good, SETTINGS);

        // ---- the bad records of their own (sequence ids of their own, or none)
        Random r = new Random(99);
        List<Case> standalone = new ArrayList<>();
        io.longseq.schemas.SequenceFragment ok = KafkaPipelineFixture.avroFragment("bad-truncated", 0,
                FragmentKind.DNA, bases(r, 300), false);
        byte[] full = AvroCodec.encode(ok);
        byte[] truncated = Arrays.copyOf(full, full.length - 120);
        standalone.add(undecodable("truncated Avro (a valid fragment cut short)", topic, "bad-truncated", truncated,
                List.of(NOT_A_FRAGMENT, "body is not a valid record")));
        byte[] appended = concat(AvroCodec.encode(KafkaPipelineFixture.avroFragment("bad-trailing", 0, FragmentKind.DNA,
                bases(r, 300), false)), new byte[] {1, 2, 3});
        standalone.add(undecodable("a valid fragment with 3 bytes appended", topic, "bad-trailing", appended,
                List.of(NOT_A_FRAGMENT, "3 of the", "body bytes are left over after the record")));
        byte[] otherSchema = AvroCodec.encode(blockContext("bad-schema"));
        standalone.add(undecodable("a record of another schema (BlockContext)", topic, "bad-schema", otherSchema,
                List.of(NOT_A_FRAGMENT, "they hold a io.longseq.schemas.BlockContext, not a"
                        + " io.longseq.schemas.SequenceFragment")));
        byte[] random = new byte[200];
        r.nextBytes(random);
        random[0] = 0x00;
        standalone.add(undecodable("random bytes", topic, "bad-random", random,
                List.of(NOT_A_FRAGMENT, "no Avro single-object marker: starts with 00 ")));
        standalone.add(undecodable("an empty value", topic, "bad-empty-value", new byte[0],
                List.of(NOT_A_FRAGMENT, "only 0 bytes, shorter than the 10-byte header")));
        standalone.add(new Case("no value (null, a tombstone)",
                new ProducerRecord<>(topic, utf8("bad-null-value"), null), "bad-null-value", VALIDATE, null,
                List.of(NOT_A_FRAGMENT, "no bytes (null)"), new byte[0]));
        standalone.addAll(hostileAvro(topic));

        byte[] dash = bases(r, 300);
        dash[17] = '-';
        standalone.add(decoded("invalid base '-'", topic, "bad-dash", 0, FragmentKind.DNA, dash, VALIDATE,
                "invalid base '-' (0x2D) at position 17: allowed are the IUPAC nucleotide codes ACGTURYSWKMBDHVN in"
                        + " either case (gaps '-' and '.' are not)"));
        byte[] digit = bases(r, 300);
        digit[3] = '7';
        standalone.add(decoded("invalid base (a digit)", topic, "bad-digit", 500, FragmentKind.DNA, digit, VALIDATE,
                "invalid base '7' (0x37) at position 503: allowed are the IUPAC nucleotide codes ACGTURYSWKMBDHVN in"
                        + " either case (gaps '-' and '.' are not)"));
        byte[] nul = bases(r, 300);
        nul[40] = 0;
        standalone.add(decodedLike("invalid base (a NUL byte)", topic, "bad-nul", 0, FragmentKind.DNA, nul, VALIDATE,
                List.of("invalid base", "(0x00) at position 40")));
        byte[] utf8Base = concat(bases(r, 10), "é".getBytes(StandardCharsets.UTF_8));
        standalone.add(decodedLike("invalid base (a UTF-8 letter)", topic, "bad-utf8-base", 0, FragmentKind.DNA,
                utf8Base, VALIDATE, List.of("invalid base", "(0xC3) at position 10")));
        byte[] lateBad = bases(r, MAX_PAYLOAD - 96);
        lateBad[3_000] = 'Z';
        standalone.add(cut(decodedLike("a refused payload larger than dead-letter-bytes (kept as a prefix)", topic,
                "bad-long-payload", 0, FragmentKind.DNA, lateBad, VALIDATE, List.of("invalid base 'Z' (0x5A) at"
                        + " position 3000"))));
        standalone.add(decoded("negative offset", topic, "bad-negative", -500, FragmentKind.DNA, bases(r, 200),
                VALIDATE, "negative offset -500"));
        long max = SETTINGS.maxPosition();
        standalone.add(decoded("offset at max-position", topic, "bad-huge", max, FragmentKind.DNA, bases(r, 200),
                VALIDATE, "200 positions from offset " + max + " pass the largest supported position " + max
                        + " (max-position)"));
        Case nearLongMax = decoded("offset near Long.MAX_VALUE", topic, "bad-long-max", Long.MAX_VALUE - 10,
                FragmentKind.DNA, bases(r, 200), VALIDATE, null);
        standalone.add(new Case(nearLongMax.name(), nearLongMax.record(), nearLongMax.sequenceId(), VALIDATE, null,
                List.of("200 positions from offset " + (Long.MAX_VALUE - 10), " pass the largest supported position "
                        + max + " (max-position)"), nearLongMax.payload()));
        standalone.add(cut(decoded("payload over max-payload-bytes", topic, "bad-oversized", 0, FragmentKind.DNA,
                bases(r, MAX_PAYLOAD + 904), VALIDATE, "payload of " + (MAX_PAYLOAD + 904) + " bytes is over the"
                        + " limit of " + MAX_PAYLOAD + " bytes (max-payload-bytes)")));
        standalone.add(decoded("empty sequence id", topic, "", 0, FragmentKind.DNA, bases(r, 200), VALIDATE,
                "empty sequence id"));
        standalone.add(longId("a sequence id of 200,000 bytes", topic, "x".repeat(200_000), FragmentKind.DNA,
                bases(r, 200)));
        standalone.add(decoded("a kind other than the job's (TOKENS)", topic, "bad-kind", 0, FragmentKind.TOKENS,
                new byte[400], VALIDATE, "kind TOKENS but this job reads DNA"));
        standalone.add(decodedLike("a first fragment 2^39 positions into its sequence (a hole over max-gap)", topic,
                "bad-far", 1L << 39, FragmentKind.DNA, bases(r, 200), ASSEMBLE, List.of(MAX_GAP_REASON)));

        // ---- bad records aimed at good sequences, or at sequences of their own that need several records
        KafkaPipelineFixture.Sequence s1 = good.get(1);
        KafkaPipelineFixture.Sequence s2 = good.get(2);
        KafkaPipelineFixture.Sequence s3 = good.get(3);
        byte[] tailConflict = s1.fragment(2, FRAGMENT).getPayload().array().clone();
        tailConflict[499] = other(tailConflict[499]);
        Case conflictTail = decoded("conflicting overlap with received positions", topic, s1.id(), 1000,
                FragmentKind.DNA, tailConflict, ASSEMBLE, "conflicting overlap at position 1499: fragment [1000, 1500)"
                        + " differs from the positions already received");
        byte[] heldConflict = s2.fragment(2, FRAGMENT).getPayload().array().clone();
        heldConflict[250] = other(heldConflict[250]);
        Case conflictHeld = decoded("conflicting overlap with a fragment held out of order", topic, s2.id(), 1000,
                FragmentKind.DNA, heldConflict, ASSEMBLE, "conflicting overlap at position 1000: fragment [1000,"
                        + " 1500) differs from another fragment received for the same positions");
        int n3 = s3.bases().length;
        Case pastEnd = decoded("positions after the end of an ended sequence", topic, s3.id(), n3, FragmentKind.DNA,
                bases(r, 100), ASSEMBLE, "fragment [" + n3 + ", " + (n3 + 100) + ") arrived after the end of the"
                        + " sequence at " + n3);
        Case replayAfterEnd = decoded("a fragment of an ended sequence replayed after its end", topic, s3.id(), 0,
                FragmentKind.DNA, Arrays.copyOfRange(s3.bases(), 0, FRAGMENT), ASSEMBLE,
                "fragment [0, " + FRAGMENT + ") arrived after the end of the sequence at " + n3);
        // a hole of 20,000,000 positions after a first fragment: the far fragment is refused, the sequence fails
        byte[] holeBases = bases(r, FRAGMENT);
        ProducerRecord<byte[], byte[]> holeStart = KafkaPipelineFixture.record(topic,
                KafkaPipelineFixture.avroFragment("bad-hole", 0, FragmentKind.DNA, holeBases, false));
        // its first chunk was complete (core and right halo) before the far fragment came: its blocks are out, as
        // offline computes them (a block depends on no later position than its chunk's halo)
        int chunkBlocks = SETTINGS.model().chunkSize() / SETTINGS.model().blockSize();
        expected.put("bad-hole", KafkaPipelineFixture.offline(
                List.of(new KafkaPipelineFixture.Sequence("bad-hole", holeBases)), SETTINGS).get("bad-hole")
                .subList(0, chunkBlocks));
        Case holeFar = decodedLike("a fragment 20,000,000 positions past the received ones (a hole over max-gap)",
                topic, "bad-hole", 20_000_000L, FragmentKind.DNA, bases(r, FRAGMENT), ASSEMBLE,
                List.of(MAX_GAP_REASON));
        // fragments 1.. of a sequence whose fragment 0 never comes: held until they pass reorder-bytes, which counts
        // a held DNA position as 4 bytes of symbols and 1 byte of payload; the one that passes it gives the sequence
        // up, and every held fragment becomes a dead letter
        List<Case> reorder = new ArrayList<>();
        int heldToFail = (int) (REORDER_BYTES / (5L * FRAGMENT)) + 1;
        for (int j = 1; j <= heldToFail; j++) {
            reorder.add(decodedLike("fragments held out of order past reorder-bytes (" + j + ")", topic, "bad-reorder",
                    (long) j * FRAGMENT, FragmentKind.DNA, bases(r, FRAGMENT), ASSEMBLE, List.of(REORDER_REASON)));
        }

        // ---- the production order: good fragments round robin, bad records in between
        List<Case> cases = new ArrayList<>(standalone);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        List<Case> caseOfRecord = new ArrayList<>();
        int most = good.stream().mapToInt(s -> s.fragments(FRAGMENT)).max().orElseThrow();
        int nextStandalone = 0;
        for (int j = 0; j < most; j++) {
            for (KafkaPipelineFixture.Sequence s : good) {
                if (j >= s.fragments(FRAGMENT)) {
                    continue;
                }
                if (s == s2 && j == 1) {
                    // fragment 2 early (held, out of order), then a conflicting copy of it, then fragment 1
                    add(records, caseOfRecord, KafkaPipelineFixture.record(topic, s.fragment(2, FRAGMENT)), null);
                    add(records, caseOfRecord, conflictHeld.record(), conflictHeld);
                }
                add(records, caseOfRecord, KafkaPipelineFixture.record(topic, s.fragment(j, FRAGMENT)), null);
                if (s == s1 && j == 2) {
                    add(records, caseOfRecord, conflictTail.record(), conflictTail);
                }
            }
            if (nextStandalone < standalone.size()) {
                Case c = standalone.get(nextStandalone++);
                add(records, caseOfRecord, c.record(), c);
            }
        }
        while (nextStandalone < standalone.size()) {
            Case c = standalone.get(nextStandalone++);
            add(records, caseOfRecord, c.record(), c);
        }
        add(records, caseOfRecord, pastEnd.record(), pastEnd);
        add(records, caseOfRecord, replayAfterEnd.record(), replayAfterEnd);
        add(records, caseOfRecord, holeStart, null);
        add(records, caseOfRecord, holeFar.record(), holeFar);
        for (Case c : reorder) {
            add(records, caseOfRecord, c.record(), c);
        }
        cases.addAll(List.of(conflictTail, conflictHeld, pastEnd, replayAfterEnd, holeFar));
        cases.addAll(reorder);

        Map<String, Long> ends = new HashMap<>();
        good.forEach(s -> ends.put(s.id(), (long) s.bases().length));
        Checked run = runAndCheck("bad-input", k, SETTINGS, records, caseOfRecord, cases, expected, ends);
        for (String failed : List.of("bad-far", "bad-hole", "bad-reorder")) {
            assertThat(run.notices()).as("notices of %s", failed)
                    .filteredOn(n -> n.contains("\"sequenceId\":\"" + failed + "\""))
                    .anyMatch(n -> n.contains("\"kind\":\"SEQUENCE_FAILED\""));
        }
        report(String.format(Locale.ROOT, "DNA job: %d bad-input kinds, each one dead letter with its reason and"
                        + " bounded original bytes; %d good sequences (%,d positions, %d blocks, counts %s) bitwise"
                        + " equal to ChunkedModel; %d notices; restarts 0; job FINISHED; %d ms%n%s",
                cases.size() - reorder.size() + 1, good.size(), KafkaPipelineFixture.positions(good),
                run.blocks(), run.tally().histogram(), run.notices().size(), (System.nanoTime() - t0) / 1_000_000,
                String.join("\n", run.table())));
    }

    /**
     * The same through a job that reads log lines: lines that used to stop or stall the job (a 4,000-segment path, long
     * runs of '.' or '-', digits, hex, control characters, characters outside the BMP, CRLF endings) are ordinary data
     * inside good sequences, whose blocks must equal {@link ChunkedModel} offline bitwise; records that break a rule
     * (a line over max-line-bytes, invalid UTF-8, another kind, an over-long id, a hole over max-gap) are dead letters.
     */
    @Test
    void hostileLogLinesAreDataOrDeadLettersAndNeverStopTheJob() throws Exception {
        long t0 = System.nanoTime();
        KafkaSettings k = KafkaPipelineFixture.kafkaSettings(KAFKA, "bad-log", true);
        KafkaPipelineFixture.createTopics(KAFKA, k);
        String topic = k.inputTopic();

        Random r = new Random(2_026);
        List<String> hostileButValid = List.of(
                "open " + "a/".repeat(4_000) + "x failed",                 // a 4,001-segment path
                ".".repeat(12_000),                                         // was quadratic in the masking regex
                "-".repeat(12_000) + " done",
                "1.".repeat(3_000) + "1",                                   // an IP-like run
                "9".repeat(5_000) + " bytes",
                "deadbeef".repeat(1_000),
                "\u0000\u0001\u0007 ctrl \u001b[31m red \u007f",
                "user \uD83D\uDE00 \uD835\uDD18\uD835\uDD2B \u0645\u0631\u062D\u0628\u0627 \u4E2D\u6587 \u0661\u0662",
                "",
                " \t ");
        List<LogSequence> good = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            List<String> lines = new ArrayList<>();
            int n = 300 + r.nextInt(300);
            for (int p = 0; p < n; p++) {
                lines.add(syntheticLine(r));
            }
            for (int h = 0; h < hostileButValid.size(); h++) {
                if (h % 6 == i || i == 5) {
                    lines.set(10 + 17 * h + i, hostileButValid.get(h));
                }
            }
            good.add(new LogSequence(String.format("good-log-%03d", i), lines));
        }
        Map<String, List<BlockContext>> expected = offlineLogs(good, LOG_SETTINGS);

        List<Case> cases = new ArrayList<>();
        byte[] longLine = ("x".repeat(MAX_LINE + 1) + "\n").getBytes(StandardCharsets.UTF_8);
        cases.add(cut(decodedLike("a log line over max-line-bytes", topic, "bad-log-long-line", 0, FragmentKind.LOG,
                concat("first line\n".getBytes(StandardCharsets.UTF_8), longLine), VALIDATE,
                List.of("(max-line-bytes)"))));
        cases.add(decodedLike("a log payload that is not UTF-8", topic, "bad-log-latin1", 0, FragmentKind.LOG,
                new byte[] {'c', 'a', 'f', (byte) 0xE9, '\n'}, VALIDATE, List.of("log payload is not UTF-8",
                        "at byte 3 (0xE9) in line 1 of the fragment (position 0)")));
        cases.add(decodedLike("a log payload ending inside a UTF-8 character", topic, "bad-log-cut-utf8", 0,
                FragmentKind.LOG, new byte[] {'a', ' ', (byte) 0xE2, (byte) 0x82}, VALIDATE,
                List.of("log payload is not UTF-8")));
        cases.add(decodedLike("a UTF-16 surrogate encoded in UTF-8", topic, "bad-log-surrogate", 0, FragmentKind.LOG,
                new byte[] {'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '\n'}, VALIDATE,
                List.of("log payload is not UTF-8")));
        cases.add(decoded("a kind other than the job's (DNA)", topic, "bad-log-kind", 0, FragmentKind.DNA,
                bases(r, 100), VALIDATE, "kind DNA but this job reads LOG"));
        cases.add(longId("a sequence id of 600 two-byte characters (counted in bytes)", topic, "é".repeat(600),
                FragmentKind.LOG, "a line\n".getBytes(StandardCharsets.UTF_8)));
        cases.add(decodedLike("a log fragment 2^39 lines into its sequence (a hole over max-gap)", topic,
                "bad-log-far", 1L << 39, FragmentKind.LOG, "late line\n".getBytes(StandardCharsets.UTF_8), ASSEMBLE,
                List.of(MAX_GAP_REASON)));

        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        List<Case> caseOfRecord = new ArrayList<>();
        int most = good.stream().mapToInt(s -> s.fragments(LOG_FRAGMENT)).max().orElseThrow();
        for (int j = 0; j < most; j++) {
            for (LogSequence s : good) {
                if (j < s.fragments(LOG_FRAGMENT)) {
                    // one sequence sends CRLF line ends: the same lines
                    add(records, caseOfRecord, KafkaPipelineFixture.record(topic,
                            s.fragment(j, LOG_FRAGMENT, s.id().endsWith("3") ? "\r\n" : "\n")), null);
                }
            }
            if (j < cases.size()) {
                add(records, caseOfRecord, cases.get(j).record(), cases.get(j));
            }
        }
        for (int j = most; j < cases.size(); j++) {
            add(records, caseOfRecord, cases.get(j).record(), cases.get(j));
        }
        Map<String, Long> ends = new HashMap<>();
        good.forEach(s -> ends.put(s.id(), (long) s.lines().size()));
        Checked run = runAndCheck("bad-log", k, LOG_SETTINGS, records, caseOfRecord, cases, expected, ends);
        report(String.format(Locale.ROOT, "LOG job: %d hostile-but-valid line kinds read as data and %d bad-record"
                        + " kinds as dead letters; %d good sequences (%d blocks, counts %s) bitwise equal to"
                        + " ChunkedModel; restarts 0; job FINISHED; %d ms%n%s",
                hostileButValid.size() + 1, cases.size(), good.size(), run.blocks(), run.tally().histogram(),
                (System.nanoTime() - t0) / 1_000_000, String.join("\n", run.table())));
    }

    /** What {@link #runAndCheck} saw, for the report and checks of its own. */
    private record Checked(List<String> notices, List<String> table, int blocks, KafkaPipelineFixture.Tally tally) {}

    /**
     * Produces the records, runs the job (restart strategy none, bounded, parallelism 2) and checks: one dead letter
     * per bad record with its case's stage, reason and (bounded) bytes, nothing else a dead letter; the good
     * sequences' blocks exactly once and bitwise equal to {@code expected}; one ENDED notice per good sequence at
     * its length; no restart.
     */
    private static Checked runAndCheck(String name, KafkaSettings k, StreamSettings settings,
                                       List<ProducerRecord<byte[], byte[]>> records, List<Case> caseOfRecord,
                                       List<Case> cases, Map<String, List<BlockContext>> expected,
                                       Map<String, Long> goodEnds) throws Exception {
        String topic = k.inputTopic();
        List<RecordMetadata> sent = KafkaPipelineFixture.produce(KAFKA, records);
        Map<String, Case> byPlace = new HashMap<>();
        for (int i = 0; i < records.size(); i++) {
            if (caseOfRecord.get(i) != null) {
                byPlace.put(sent.get(i).partition() + ":" + sent.get(i).offset(), caseOfRecord.get(i));
            }
        }
        assertThat(byPlace).hasSize(cases.size());

        AttemptTap.reset();
        StreamExecutionEnvironment env = LongseqJob.environment(KafkaPipelineFixture.jobConfig(0));
        env.setParallelism(2);
        DataStream<SequenceFragment> in = LongseqJob.fromKafka(env, k);
        LongseqJob.Outputs o = LongseqJob.build(in, settings,
                chunks -> chunks.map(new AttemptTap(), StreamTypes.CHUNK).name("attempt-tap").uid("attempt-tap"));
        LongseqJob.toKafka(o, k, settings, name);
        JobClient client = env.executeAsync(name);
        client.getJobExecutionResult().get(180, TimeUnit.SECONDS); // throws if the job failed

        List<ConsumerRecord<byte[], byte[]>> dead = KafkaPipelineFixture.readAll(KAFKA, k.deadLettersTopic(), true,
                rs -> rs.size() >= cases.size(), KafkaPipelineFixture.READ_TIMEOUT);
        Map<String, List<io.longseq.schemas.DeadLetter>> letters = new HashMap<>();
        List<String> strays = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> d : dead) {
            io.longseq.schemas.DeadLetter l = AvroCodec.decode(d.value(), io.longseq.schemas.DeadLetter.class);
            assertThat(d.key()).as("dead letter key").isEqualTo(utf8(l.getSequenceId()));
            String place = l.getPartition() + ":" + l.getOffset();
            if (!l.getSourceTopic().equals(topic) || !byPlace.containsKey(place)) {
                strays.add(l.getSourceTopic() + ":" + place + " '" + abbreviate(l.getSequenceId()) + "' "
                        + l.getStage() + ": " + l.getReason());
            }
            letters.computeIfAbsent(place, x -> new ArrayList<>()).add(l);
        }
        assertThat(strays).as("dead letters that are no bad record of the corpus").isEmpty();
        List<String> table = new ArrayList<>();
        byPlace.forEach((place, c) -> {
            List<io.longseq.schemas.DeadLetter> ls = letters.getOrDefault(place, List.of());
            assertThat(ls).as("dead letters of case '%s' (%s)", c.name(), place).hasSize(1);
            io.longseq.schemas.DeadLetter l = ls.get(0);
            assertThat(l.getSourceTopic()).as("%s: source topic", c.name()).isEqualTo(topic);
            assertThat(l.getSequenceId()).as("%s: sequence id", c.name()).isEqualTo(c.sequenceId());
            assertThat(l.getStage()).as("%s: stage", c.name()).isEqualTo(c.stage());
            if (c.exactReason() != null) {
                assertThat(l.getReason()).as("%s: reason", c.name()).isEqualTo(c.exactReason());
            } else {
                assertThat(l.getReason()).as("%s: reason", c.name()).contains(c.reasonParts());
            }
            assertThat(l.getReason().length()).as("%s: reason length", c.name()).isLessThanOrEqualTo(MAX_REASON);
            byte[] payload = new byte[l.getPayload().remaining()];
            l.getPayload().duplicate().get(payload);
            assertThat(payload).as("%s: original bytes", c.name()).isEqualTo(c.payload());
            table.add(String.format(Locale.ROOT, "  %-60s %-8s %5d B  %s", c.name(), l.getStage(), payload.length,
                    abbreviate(l.getReason())));
        });
        assertThat(dead).as("dead letters").hasSize(cases.size());

        List<ConsumerRecord<byte[], byte[]>> blocks = KafkaPipelineFixture.readBlocks(KAFKA, k.blocksTopic(), expected);
        KafkaPipelineFixture.Tally t =
                KafkaPipelineFixture.assertExactlyOnceAndBitwiseEqual(name + ": good sequences", blocks, expected);
        List<String> notices = new ArrayList<>();
        KafkaPipelineFixture.readAll(KAFKA, k.noticesTopic(), true, rs -> true, Duration.ofSeconds(20))
                .forEach(n -> notices.add(new String(n.value(), StandardCharsets.UTF_8)));
        goodEnds.forEach((id, end) -> assertThat(notices).as("notices of %s", id)
                .filteredOn(n -> n.contains("\"sequenceId\":\"" + id + "\"")).hasSize(1)
                .allMatch(n -> n.contains("\"kind\":\"ENDED\"") && n.contains("\"position\":" + end + ",")));
        assertThat(AttemptTap.MAX_ATTEMPT.get()).as("task attempts beyond the first (restarts)").isZero();
        table.sort(String::compareTo);
        return new Checked(notices, table, blocks.size(), t);
    }

    /**
     * The dead-letter reason for positions past max-position must name the fragment's range as it is. For an offset
     * near {@code Long.MAX_VALUE}, {@code offset + positions} overflows and the reason shows a negative end (seen
     * through Kafka in the test above: "positions [9223372036854775797, -9223372036854775619) pass ..."). The record
     * is still refused, so nothing is lost; the text is wrong. Checked here on {@link ValidateFunction#check}
     * directly, without a cluster.
     */
    @Test
    void reasonForAnOffsetNearLongMaxShowsNoOverflowedEnd() {
        SequenceFragment f = new SequenceFragment("bad-long-max", Long.MAX_VALUE - 10, io.longseq.math.features.FeatureKind.DNA,
                "ACGTACGTAC".repeat(20).getBytes(StandardCharsets.US_ASCII), false);
        ValidateFunction.Result r = ValidateFunction.check(f, SETTINGS);
        assertThat(r.fragment()).as("refused").isNull();
        assertThat(r.reason()).contains("pass the largest supported position " + SETTINGS.maxPosition());
        assertThat(r.reason()).as("the range in the reason").doesNotContainPattern(", -\\d+\\)");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static void add(List<ProducerRecord<byte[], byte[]>> records, List<Case> caseOfRecord,
                            ProducerRecord<byte[], byte[]> r, Case c) {
        records.add(r);
        caseOfRecord.add(c);
    }

    /** A record the deserializer cannot decode: the dead letter holds the raw value, the reason starts with parts[0]. */
    private static Case undecodable(String name, String topic, String key, byte[] value, List<String> reasonParts) {
        return new Case(name, new ProducerRecord<>(topic, utf8(key), value), key, VALIDATE, null, reasonParts,
                value);
    }

    /** A decodable fragment that breaks a rule: the dead letter holds its payload. */
    private static Case decoded(String name, String topic, String id, long offset, FragmentKind kind, byte[] payload,
                                String stage, String reason) {
        io.longseq.schemas.SequenceFragment f = KafkaPipelineFixture.avroFragment(id, offset, kind, payload, false);
        return new Case(name, new ProducerRecord<>(topic, utf8(id), AvroCodec.encode(f)), id, stage, reason,
                List.of(), payload.clone());
    }

    /** A decodable fragment that breaks a rule, whose reason holds all of {@code parts}. */
    private static Case decodedLike(String name, String topic, String id, long offset, FragmentKind kind,
                                    byte[] payload, String stage, List<String> parts) {
        Case c = decoded(name, topic, id, offset, kind, payload, stage, null);
        return new Case(name, c.record(), id, stage, null, parts, c.payload());
    }

    /** The case of a payload longer than dead-letter-bytes: its dead letter keeps a prefix and says what it cut. */
    private static Case cut(Case c) {
        int kept = DEAD_LETTER_BYTES;
        List<String> parts = new ArrayList<>(c.reasonParts());
        if (c.exactReason() != null) {
            parts.add(c.exactReason() + "; ");
        }
        parts.add(CUT_REASON.formatted(c.payload().length - kept));
        return new Case(c.name(), c.record(), c.sequenceId(), c.stage(), null, parts,
                Arrays.copyOf(c.payload(), kept));
    }

    /** A fragment whose sequence id is over max-id-bytes: its dead letter keeps a bounded prefix of the id. */
    private static Case longId(String name, String topic, String id, FragmentKind kind, byte[] payload) {
        io.longseq.schemas.SequenceFragment f = KafkaPipelineFixture.avroFragment(id, 0, kind, payload, false);
        int bytes = utf8(id).length;
        return new Case(name, new ProducerRecord<>(topic, null, AvroCodec.encode(f)), ID_PREFIX.apply(id), VALIDATE,
                null, List.of("sequence id of " + bytes + " bytes", "(max-id-bytes)"), payload.clone());
    }

    /**
     * Framed records with the right marker and fingerprint whose Avro body lies about its sizes: a payload or a
     * sequence id declaring 2 GiB or a negative length, an enum index past the symbols. Decoding must refuse them
     * without allocating what they declare.
     */
    private static List<Case> hostileAvro(String topic) {
        byte[] header = Arrays.copyOf(AvroCodec.encode(KafkaPipelineFixture.avroFragment("h", 0, FragmentKind.DNA,
                new byte[0], false)), 10);
        List<Case> out = new ArrayList<>();
        byte[] id = concat(zigzag(5), utf8("bad-a"));
        out.add(undecodable("an Avro payload declaring 2 GiB", topic, "bad-avro-2gib",
                concat(header, concat(id, concat(zigzag(0), concat(zigzag(0), zigzag(Integer.MAX_VALUE - 8))))),
                List.of(NOT_A_FRAGMENT, "body is not a valid record")));
        out.add(undecodable("an Avro payload declaring a negative length", topic, "bad-avro-negative",
                concat(header, concat(id, concat(zigzag(0), concat(zigzag(0), zigzag(-7))))),
                List.of(NOT_A_FRAGMENT, "body is not a valid record")));
        out.add(undecodable("an Avro sequence id declaring 1 GiB", topic, "bad-avro-id",
                concat(header, zigzag(1 << 30)), List.of(NOT_A_FRAGMENT, "body is not a valid record")));
        out.add(undecodable("an Avro kind index past the enum's symbols", topic, "bad-avro-enum",
                concat(header, concat(id, concat(zigzag(0), concat(zigzag(9), concat(zigzag(0), new byte[] {0, 0}))))),
                List.of(NOT_A_FRAGMENT, "body is not a valid record")));
        byte[] unknown = header.clone();
        unknown[9] ^= 0x55;
        out.add(undecodable("a fingerprint of no known schema", topic, "bad-avro-fingerprint",
                concat(unknown, new byte[20]), List.of(NOT_A_FRAGMENT, "no known version of"
                        + " io.longseq.schemas.SequenceFragment has it")));
        out.add(undecodable("the marker and half a fingerprint", topic, "bad-avro-short-header",
                Arrays.copyOf(header, 6), List.of(NOT_A_FRAGMENT, "only 6 bytes, shorter than the 10-byte header")));
        return out;
    }

    /** Avro's zig-zag varint of a long. */
    private static byte[] zigzag(long v) {
        long z = (v << 1) ^ (v >> 63);
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        while ((z & ~0x7FL) != 0) {
            b.write((int) ((z & 0x7F) | 0x80));
            z >>>= 7;
        }
        b.write((int) z);
        return b.toByteArray();
    }

    /** One log sequence: a line per position. */
    private record LogSequence(String id, List<String> lines) {

        int fragments(int size) {
            return (lines.size() + size - 1) / size;
        }

        io.longseq.schemas.SequenceFragment fragment(int j, int size, String lineEnd) {
            int from = j * size;
            int to = Math.min(lines.size(), from + size);
            StringBuilder b = new StringBuilder();
            for (String line : lines.subList(from, to)) {
                b.append(line).append(lineEnd);
            }
            return KafkaPipelineFixture.avroFragment(id, from, FragmentKind.LOG, utf8(b.toString()),
                    to == lines.size());
        }
    }

    /** A made-up log line in the shapes of HDFS and sshd logs. */
    private static String syntheticLine(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> String.format(Locale.ROOT, "081109 %06d %d INFO dfs.DataNode$PacketResponder: Received block"
                    + " blk_%d of size %d from /10.250.%d.%d", r.nextInt(235959), r.nextInt(999),
                    r.nextLong(), r.nextInt(1 << 26), r.nextInt(256), r.nextInt(256));
            case 1 -> String.format(Locale.ROOT, "Dec 10 %02d:%02d:%02d LabSZ sshd[%d]: Failed password for invalid"
                    + " user admin from 183.62.%d.%d port %d ssh2", r.nextInt(24), r.nextInt(60), r.nextInt(60),
                    r.nextInt(30_000), r.nextInt(256), r.nextInt(256), r.nextInt(65_536));
            case 2 -> String.format(Locale.ROOT, "worker %d finished task 0x%08x in %d ms, wrote /var/spool/job-%d.out",
                    r.nextInt(64), r.nextInt(), r.nextInt(10_000), r.nextInt(1_000));
            default -> "connection reset by peer";
        };
    }

    /** The block contexts of each log sequence, from {@link ChunkedModel} on the whole sequence, offline. */
    private static Map<String, List<BlockContext>> offlineLogs(List<LogSequence> corpus, StreamSettings settings) {
        ModelConfig cfg = settings.model();
        Nd4jRuntime.init(1);
        Map<String, List<BlockContext>> out = new TreeMap<>();
        try (ChunkedModel m = new ChunkedModel(cfg, WeightsInit.defaults(cfg, settings.seed()))) {
            for (LogSequence s : corpus) {
                List<BlockContext> blocks = new ArrayList<>();
                for (BlockResult b : m.run(Features.logLines(s.lines(), cfg), s.lines().size(), false).blocks()) {
                    blocks.add(BlockContext.of(s.id(), b));
                }
                out.put(s.id(), blocks);
            }
        }
        return out;
    }

    private static io.longseq.schemas.BlockContext blockContext(String id) {
        return io.longseq.schemas.BlockContext.newBuilder().setSequenceId(id).setBlock(3).setStart(192).setEnd(256)
                .setSummary(List.of(0.5f, -1f)).setContext(List.of(0.25f, 2f))
                .setTop(List.of(new TopEntry(1, 0L, 1L, 0.75f, null))).setSelfWeight(0.25f).setEntropy(0.5f).build();
    }

    private static byte[] bases(Random r, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) "ACGT".charAt(r.nextInt(4));
        }
        return b;
    }

    private static byte other(byte base) {
        return (byte) (base == 'A' ? 'C' : 'A');
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s.length() <= 150 ? s : s.substring(0, 147) + "...";
    }

    private static void report(String line) {
        System.out.println("[BadInputITCase] " + line);
    }

    /** Records the highest task attempt number (0 unless the job restarted). */
    public static final class AttemptTap extends RichMapFunction<Chunk, Chunk> {
        private static final long serialVersionUID = 1L;
        static final AtomicInteger MAX_ATTEMPT = new AtomicInteger();

        static void reset() {
            MAX_ATTEMPT.set(0);
        }

        @Override
        public void open(OpenContext ctx) {
            MAX_ATTEMPT.accumulateAndGet(getRuntimeContext().getTaskInfo().getAttemptNumber(), Math::max);
        }

        @Override
        public Chunk map(Chunk c) {
            return c;
        }
    }
}
