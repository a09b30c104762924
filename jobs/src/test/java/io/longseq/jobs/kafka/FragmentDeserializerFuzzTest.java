package io.longseq.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.ModelConfig;
import io.longseq.schemas.AvroCodec;
import io.longseq.schemas.FragmentKind;
import io.longseq.stream.DeadLetter;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.input.SequenceFragment;
import io.longseq.stream.input.ValidateFunction;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Fuzzes the Kafka input path of one record (docs/fuzzing.md): {@link FragmentDeserializer} (the bytes of the input
 * topic), {@code validate}'s rules for the fragment's kind, and for a refused record the dead letter as the
 * dead-letter sink writes it ({@link AvroRecords#deadLetter}, {@link AvroCodec#encode}, key = sequence id). In
 * Kafka mode a throwable anywhere on this path is a poison pill (the job restarts and reads the same record), so
 * the property is: no throwable at all; exactly one fragment per record, stamped with topic, partition and offset;
 * an undecodable record carries its raw bytes and a one-line reason; the dead letter decodes back to itself and
 * fits in Kafka's default {@code max.request.size} ({@link #MAX_REQUEST_SIZE}) as key plus value.
 *
 * <p>Input layout (a short input reads as zero-padded; numbers big-endian): byte 0 = flags (1: no key, 2: no value,
 * 4: the value is framed by the harness, marker and the current SequenceFragment fingerprint before the body;
 * 8: the value is a record the harness encodes from fields, see below), bytes 1-2 = repeat count, byte 3 = key
 * length K, then K key bytes, then the body.
 * <br>With flag 8 the body is {@code kind(1) offset(8) last(1) eventTime(8) idLength(1) id payload}, the kind
 * byte % 5 picks DNA, TOKENS, LOG, UNKNOWN or DNA, and the payload {@code prefix NUL unit NUL suffix} stands for
 * {@code prefix + unit × repeat + suffix} (at most {@link #MAX_PAYLOAD} bytes): a well-formed record of any size.
 */
class FragmentDeserializerFuzzTest {

    /** Kafka's default {@code max.request.size}: a larger dead letter is a RecordTooLargeException in the sink. */
    static final int MAX_REQUEST_SIZE = 1 << 20;
    static final int MAX_PAYLOAD = 2 << 20;
    static final int MAX_VALUE = 4 << 20;
    private static final String TOPIC = "fuzz-input";

    private static final StreamSettings DNA = StreamSettings.defaults(ModelConfig.builder()
            .featureKind(FeatureKind.DNA).kmer(3).build());
    private static final StreamSettings TOKENS = StreamSettings.defaults(ModelConfig.builder()
            .featureKind(FeatureKind.TOKENS).vocabSize(1000).build());
    private static final StreamSettings LOG = StreamSettings.defaults(ModelConfig.builder()
            .featureKind(FeatureKind.LOG).vocabSize(1 << 16).maxFeatures(16).build());
    private static final FragmentKind[] KINDS = {FragmentKind.DNA, FragmentKind.TOKENS, FragmentKind.LOG,
        FragmentKind.UNKNOWN, FragmentKind.DNA};

    @FuzzTest(maxDuration = "3m")
    void deserialize(byte[] input) throws Exception {
        byte[] in = Arrays.copyOf(input, Math.max(input.length, 4));
        int flags = in[0] & 0xFF;
        int repeat = ((in[1] & 0xFF) << 8) | (in[2] & 0xFF);
        int keyEnd = Math.min(in.length, 4 + (in[3] & 0xFF));
        byte[] key = (flags & 1) != 0 ? null : Arrays.copyOfRange(in, 4, keyEnd);
        byte[] body = Arrays.copyOfRange(in, keyEnd, in.length);
        byte[] value;
        if ((flags & 2) != 0) {
            value = null;
        } else if ((flags & 8) != 0) {
            value = AvroCodec.encode(record(body, repeat));
        } else if ((flags & 4) != 0) {
            value = frame(body);
        } else {
            value = body;
        }
        if (value != null && value.length > MAX_VALUE) {
            value = Arrays.copyOf(value, MAX_VALUE);
        }
        long offset = 1234L + repeat;
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(TOPIC, 3, offset, key, value);

        List<SequenceFragment> out = new ArrayList<>();
        new FragmentDeserializer().deserialize(record, new ListCollector<>(out));

        assertThat(out).as("fragments of one record").hasSize(1);
        SequenceFragment f = out.get(0);
        assertThat(f.source).isEqualTo(TOPIC);
        assertThat(f.sourcePartition).isEqualTo(3);
        assertThat(f.sourceOffset).isEqualTo(offset);
        if (f.decodeError != null) {
            assertThat(f.decodeError).as("decode error").isNotBlank().doesNotContain("\n");
            assertThat(f.payload).as("raw bytes kept").isEqualTo(value == null ? new byte[0] : value);
        } else {
            assertThat(value).isNotNull();
            assertThat(f.sequenceId).isNotNull();
            assertThat(f.payload).isNotNull();
        }

        StreamSettings settings = f.kind == FeatureKind.TOKENS ? TOKENS : f.kind == FeatureKind.LOG ? LOG : DNA;
        if (f.kind == FeatureKind.LOG && f.payload != null && f.payload.length > 8 << 10) {
            return; // masking long log lines is LogLinesFuzzTest's subject; here it would only slow the run
        }
        ValidateFunction.Result r = ValidateFunction.check(f, settings);
        assertThat(r.fragment() == null).isNotEqualTo(r.reason() == null);
        if (r.reason() != null) {
            assertThat(r.reason()).as("reason").isNotBlank().doesNotContain("\n");
            // as the job writes it: validate's bounded dead letter through the dead-letter sink's serializer
            DeadLetter d = DeadLetter.of(f, ValidateFunction.STAGE, r.reason(), settings.limits());
            var written = new DeadLetterSerializer("dead", settings.limits()).serialize(d, null, null);
            byte[] dkey = written.key();
            byte[] dvalue = written.value();
            io.longseq.schemas.DeadLetter back = AvroCodec.decode(dvalue, io.longseq.schemas.DeadLetter.class);
            assertThat(back.getReason()).isEqualTo(d.reason);
            assertThat(AvroRecords.bytes(back.getPayload())).isEqualTo(d.payload);
            assertThat(d.payload.length).as("bytes kept").isLessThanOrEqualTo(settings.limits().deadLetterBytes());
            assertThat((long) dvalue.length + (dkey == null ? 0 : dkey.length))
                    .as("dead letter key + value bytes (Kafka's default max.request.size)")
                    .isLessThanOrEqualTo(MAX_REQUEST_SIZE);
        }
    }

    private static byte[] frame(byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(AvroCodec.HEADER_LENGTH + body.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(AvroCodec.MARKER_0).put(AvroCodec.MARKER_1)
                .putLong(AvroCodec.fingerprint(io.longseq.schemas.SequenceFragment.class)).put(body);
        return b.array();
    }

    /** A well-formed Avro fragment from the fields in the body (see the class comment). */
    private static io.longseq.schemas.SequenceFragment record(byte[] body, int repeat) {
        byte[] b = Arrays.copyOf(body, Math.max(body.length, 19));
        ByteBuffer h = ByteBuffer.wrap(b);
        FragmentKind kind = KINDS[(h.get() & 0xFF) % KINDS.length];
        long offset = h.getLong();
        boolean last = (h.get() & 1) != 0;
        long eventTime = h.getLong();
        int idEnd = Math.min(b.length, 19 + (h.get() & 0xFF));
        String id = new String(b, 19, idEnd - 19, StandardCharsets.UTF_8);
        byte[] payload = amplified(Arrays.copyOfRange(b, idEnd, b.length), repeat);
        return io.longseq.schemas.SequenceFragment.newBuilder().setSequenceId(id).setOffset(offset).setKind(kind)
                .setPayload(ByteBuffer.wrap(payload)).setLast(last).setEventTime(eventTime).build();
    }

    private static byte[] amplified(byte[] body, int repeat) {
        int a = indexOfNul(body, 0);
        int b = a < 0 ? -1 : indexOfNul(body, a + 1);
        if (b < 0) {
            return body;
        }
        byte[] unit = Arrays.copyOfRange(body, a + 1, b);
        int n = unit.length == 0 ? 0 : Math.min(repeat, MAX_PAYLOAD / unit.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(a + n * unit.length + body.length - b);
        out.write(body, 0, a);
        for (int i = 0; i < n; i++) {
            out.writeBytes(unit);
        }
        out.write(body, b + 1, body.length - b - 1);
        byte[] r = out.toByteArray();
        return r.length <= MAX_PAYLOAD ? r : Arrays.copyOf(r, MAX_PAYLOAD);
    }

    private static int indexOfNul(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
