package io.longseq.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.jobs.LongseqJob;
import io.longseq.schemas.AvroCodec;
import io.longseq.schemas.FragmentKind;
import io.longseq.schemas.TopEntry;
import io.longseq.stream.BlockContext;
import io.longseq.stream.Chunk;
import io.longseq.stream.SequenceFragment;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.StreamTypes;
import io.longseq.stream.ValidateFunction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
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
 * DESIGN.md G5 (bad input) through Kafka: a corpus of bad records goes into the input topic between the fragments
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
    private static final StreamSettings SETTINGS = StreamSettings.defaults(KafkaPipelineFixture.MODEL)
            .withMaxPayloadBytes(MAX_PAYLOAD)
            .withEndedRetention(Duration.ofMinutes(10));
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
        standalone.add(decoded("payload over max-payload-bytes", topic, "bad-oversized", 0, FragmentKind.DNA,
                bases(r, MAX_PAYLOAD + 904), VALIDATE, "payload of " + (MAX_PAYLOAD + 904) + " bytes is over the"
                        + " limit of " + MAX_PAYLOAD + " bytes (max-payload-bytes)"));
        standalone.add(decoded("empty sequence id", topic, "", 0, FragmentKind.DNA, bases(r, 200), VALIDATE,
                "empty sequence id"));
        standalone.add(decoded("a kind other than the job's (TOKENS)", topic, "bad-kind", 0, FragmentKind.TOKENS,
                new byte[400], VALIDATE, "kind TOKENS but this job reads DNA"));

        // ---- bad records aimed at good sequences
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
        cases.addAll(List.of(conflictTail, conflictHeld, pastEnd, replayAfterEnd));

        List<RecordMetadata> sent = KafkaPipelineFixture.produce(KAFKA, records);
        Map<String, Case> byPlace = new HashMap<>();
        for (int i = 0; i < records.size(); i++) {
            if (caseOfRecord.get(i) != null) {
                byPlace.put(sent.get(i).partition() + ":" + sent.get(i).offset(), caseOfRecord.get(i));
            }
        }
        assertThat(byPlace).hasSize(cases.size());

        // ---- the run: restart strategy none, bounded, parallelism 2
        AttemptTap.reset();
        StreamExecutionEnvironment env = LongseqJob.environment(KafkaPipelineFixture.jobConfig(0));
        env.setParallelism(2);
        DataStream<SequenceFragment> in = LongseqJob.fromKafka(env, k);
        LongseqJob.Outputs o = LongseqJob.build(in, SETTINGS,
                chunks -> chunks.map(new AttemptTap(), StreamTypes.CHUNK).name("attempt-tap").uid("attempt-tap"));
        LongseqJob.toKafka(o, k, SETTINGS, "bad-input");
        JobClient client = env.executeAsync("bad-input");
        client.getJobExecutionResult().get(120, TimeUnit.SECONDS); // throws if the job failed

        // ---- the dead letters: one per case, with its reason and bytes, nothing else
        List<ConsumerRecord<byte[], byte[]>> dead = KafkaPipelineFixture.readAll(KAFKA, k.deadLettersTopic(), true,
                rs -> rs.size() >= cases.size(), KafkaPipelineFixture.READ_TIMEOUT);
        Map<String, List<io.longseq.schemas.DeadLetter>> letters = new HashMap<>();
        List<String> strays = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> d : dead) {
            io.longseq.schemas.DeadLetter l = AvroCodec.decode(d.value(), io.longseq.schemas.DeadLetter.class);
            assertThat(d.key()).as("dead letter key").isEqualTo(utf8(l.getSequenceId()));
            String place = l.getPartition() + ":" + l.getOffset();
            if (!l.getSourceTopic().equals(topic) || !byPlace.containsKey(place)) {
                strays.add(l.getSourceTopic() + ":" + place + " '" + l.getSequenceId() + "' " + l.getStage() + ": "
                        + l.getReason());
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
                assertThat(l.getReason()).as("%s: reason", c.name()).startsWith(c.reasonParts().get(0));
            }
            byte[] payload = new byte[l.getPayload().remaining()];
            l.getPayload().duplicate().get(payload);
            assertThat(payload).as("%s: original bytes", c.name()).isEqualTo(c.payload());
            table.add(String.format(Locale.ROOT, "  %-55s %-8s %4d B  %s", c.name(), l.getStage(), payload.length,
                    abbreviate(l.getReason())));
        });
        assertThat(dead).as("dead letters").hasSize(cases.size());

        // ---- the good sequences: as if the bad records were not there
        List<ConsumerRecord<byte[], byte[]>> blocks = KafkaPipelineFixture.readBlocks(KAFKA, k.blocksTopic(), expected);
        KafkaPipelineFixture.Tally t =
                KafkaPipelineFixture.assertExactlyOnceAndBitwiseEqual("good sequences", blocks, expected);
        List<String> notices = new ArrayList<>();
        KafkaPipelineFixture.readAll(KAFKA, k.noticesTopic(), true, rs -> true, Duration.ofSeconds(20))
                .forEach(n -> notices.add(new String(n.value(), StandardCharsets.UTF_8)));
        for (KafkaPipelineFixture.Sequence s : good) {
            assertThat(notices).as("notices of %s", s.id()).filteredOn(n -> n.contains("\"sequenceId\":\"" + s.id()
                    + "\"")).hasSize(1).allMatch(n -> n.contains("\"kind\":\"ENDED\"")
                    && n.contains("\"position\":" + s.bases().length + ","));
        }
        assertThat(AttemptTap.MAX_ATTEMPT.get()).as("task attempts beyond the first (restarts)").isZero();

        table.sort(String::compareTo);
        report(String.format(Locale.ROOT, "%d bad-input cases, each one dead letter with its reason and original"
                        + " bytes (%d dead letters in all); %d good sequences (%,d positions, %d blocks, counts %s)"
                        + " bitwise equal to ChunkedModel; %d notices; restarts 0; job FINISHED; %d ms%n%s",
                cases.size(), dead.size(), good.size(), KafkaPipelineFixture.positions(good), blocks.size(),
                t.histogram(), notices.size(), (System.nanoTime() - t0) / 1_000_000, String.join("\n", table)));
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
        SequenceFragment f = new SequenceFragment("bad-long-max", Long.MAX_VALUE - 10, io.longseq.math.FeatureKind.DNA,
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

    private static io.longseq.schemas.BlockContext blockContext(String id) {
        return io.longseq.schemas.BlockContext.newBuilder().setSequenceId(id).setBlock(3).setStart(192).setEnd(256)
                .setSummary(List.of(0.5f, -1f)).setContext(List.of(0.25f, 2f))
                .setTop(List.of(new TopEntry(1, 0L, 1L, 0.75f))).setSelfWeight(0.25f).setEntropy(0.5f).build();
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
