package io.longseq.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * Fuzzes the decoding side of {@link AvroCodec} (docs/fuzzing.md). The property: bytes from a Kafka topic either
 * decode into a record or are refused with a {@link AvroCodec.DecodeException} whose message is one line (the
 * binary forms; JSON errors carry Jackson's location line); no other throwable escapes. A record that decodes
 * re-encodes canonically: encoding it, decoding that and encoding again gives the same bytes; a record read from
 * JSON can be encoded.
 *
 * <p>Input layouts (so seeds can be written by hand; a short input reads as zero-padded):
 * <ul>
 *   <li>{@link #decode}: byte 0 = {@code type | mode << 2}, type 0..3 = SequenceFragment, BlockContext,
 *       TokenContext, DeadLetter; mode 0 = the rest is the whole framed record, mode 1 = marker {@code C3 01} and
 *       the writer fingerprint number {@code byte 1} (of the accepted ones, in ascending order) are prepended to the
 *       body {@code in[2..]}, so the fuzzer reaches the Avro body of every known writer version; mode 2 and 3 =
 *       {@link AvroCodec#decodeRaw} of {@code in[1..]}.</li>
 *   <li>{@link #fromJson}: byte 0 = type, the rest is the JSON text (UTF-8).</li>
 * </ul>
 */
class AvroCodecFuzzTest {

    /** Longest input used (a Kafka record is at most a few MiB; the fuzzer's inputs are far shorter anyway). */
    private static final int MAX_INPUT = 1 << 20;

    private static final List<Class<? extends SpecificRecord>> TYPES = List.of(SequenceFragment.class,
            BlockContext.class, TokenContext.class, DeadLetter.class);

    @FuzzTest(maxDuration = "3m")
    void decode(byte[] input) {
        byte[] in = Arrays.copyOf(input, Math.min(input.length, MAX_INPUT));
        int head = in.length > 0 ? in[0] & 0xFF : 0;
        Class<? extends SpecificRecord> type = TYPES.get(head & 3);
        int mode = (head >> 2) & 3;
        SpecificRecord record;
        try {
            if (mode == 0) {
                record = AvroCodec.decode(tail(in, 1), type);
            } else if (mode == 1) {
                long[] fingerprints = AvroCodec.acceptedWriterFingerprints(type).stream().mapToLong(Long::longValue)
                        .sorted().toArray();
                int which = in.length > 1 ? (in[1] & 0xFF) % fingerprints.length : 0;
                record = AvroCodec.decode(framed(fingerprints[which], tail(in, 2)), type);
            } else {
                record = AvroCodec.decodeRaw(tail(in, 1), type);
            }
        } catch (AvroCodec.DecodeException e) {
            assertOneLine(e.getMessage());
            assertThat(e.schemaName()).isEqualTo(type.getName());
            return;
        }
        assertThat(record).isInstanceOf(type);
        byte[] once = AvroCodec.encode(record);
        byte[] twice;
        try {
            twice = AvroCodec.encode(AvroCodec.decode(once, type));
        } catch (AvroCodec.DecodeException e) {
            throw new AssertionError("a decoded record does not decode after re-encoding: " + e.getMessage(), e);
        }
        assertThat(twice).as("canonical re-encoding").isEqualTo(once);
    }

    @FuzzTest(maxDuration = "1m")
    void fromJson(byte[] input) {
        byte[] in = Arrays.copyOf(input, Math.min(input.length, MAX_INPUT));
        Class<? extends SpecificRecord> type = TYPES.get(in.length > 0 ? in[0] & 3 : 0);
        String json = new String(tail(in, 1), StandardCharsets.UTF_8);
        SpecificRecord record;
        try {
            record = AvroCodec.fromJson(json, type);
        } catch (AvroCodec.DecodeException e) {
            // Not one line: Jackson puts the location on a line of its own. fromJson is on no job or command path.
            assertThat(e.getMessage()).as("refusal message").isNotBlank();
            return;
        }
        assertThat(record).isInstanceOf(type);
        // what was read from JSON is a record like any other: it encodes (encode throws on a record it cannot write)
        assertThat(AvroCodec.encode(record)).hasSizeGreaterThanOrEqualTo(AvroCodec.HEADER_LENGTH);
    }

    static byte[] framed(long fingerprint, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(AvroCodec.HEADER_LENGTH + body.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(AvroCodec.MARKER_0).put(AvroCodec.MARKER_1).putLong(fingerprint).put(body);
        return b.array();
    }

    private static byte[] tail(byte[] in, int from) {
        return in.length <= from ? new byte[0] : Arrays.copyOfRange(in, from, in.length);
    }

    private static void assertOneLine(String message) {
        assertThat(message).as("refusal message").isNotBlank().doesNotContain("\n").doesNotContain("\r");
    }
}
