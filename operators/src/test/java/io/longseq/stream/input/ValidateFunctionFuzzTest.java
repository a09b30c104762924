package io.longseq.stream.input;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.longseq.math.features.FeatureKind;
import io.longseq.math.features.Features;
import io.longseq.math.features.LogLinesFuzzTest;
import io.longseq.math.model.ModelConfig;
import io.longseq.stream.DeadLetter;
import io.longseq.stream.StreamSettings;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Fuzzes {@code validate}'s rules, {@link ValidateFunction#check}, with the refused marker and the dead letter it
 * makes of a refusal (docs/fuzzing.md). {@code validate} documents that nothing throws on input (docs/design.md G5), so
 * the property is: no throwable at all; either a fragment or a one-line reason; a fragment has exactly the
 * positions its payload encodes ({@link SequenceFragment#positions()}), ends at or before {@code max-position},
 * and holds valid symbols; a refused marker, when there is one, covers the same positions.
 *
 * <p>Input layout (a short input reads as zero-padded; all numbers big-endian):
 * <pre>
 *  0      flags: 1 id null, 2 payload null, 4 last, 8 kind from byte 1, 16 decode error set,
 *         32 payload mapped into the alphabet (DNA: IUPAC codes, TOKENS: ids mod vocab-size),
 *         64 payload repeated, 128 id repeated
 *  1      kind when flag 8: value % 4 = DNA, TOKENS, LOG, none
 *  2-9    offset (any long)
 *  10-17  max-position (values &lt; 1: the default 2^40)
 *  18-20  max-payload-bytes (0: the default 16 MiB)
 *  21-22  repeat count
 *  23     id length L
 *  24..   L bytes of id (UTF-8), then the payload; with flag 64 the payload is prefix NUL unit NUL suffix,
 *         standing for prefix + unit × repeat + suffix
 * </pre>
 * Ids are cut at {@link #MAX_ID} bytes and payloads at {@link #MAX_PAYLOAD} bytes, LOG payloads at
 * {@link #MAX_LOG_PAYLOAD} (masking a long line is LogLinesFuzzTest's subject; here it would only slow the run).
 */
class ValidateFunctionFuzzTest {

    static final int MAX_ID = 1 << 20;
    static final int MAX_PAYLOAD = (1 << 20) + 16;
    static final int MAX_LOG_PAYLOAD = 8 << 10;
    private static final int HEADER = 24;
    private static final int VOCAB = 1000;
    private static final int F = 16;
    private static final byte[] IUPAC = Features.IUPAC.getBytes(StandardCharsets.US_ASCII);

    private static final StreamSettings DNA = StreamSettings.defaults(ModelConfig.builder()
            .featureKind(FeatureKind.DNA).kmer(3).build());
    private static final StreamSettings TOKENS = StreamSettings.defaults(ModelConfig.builder()
            .featureKind(FeatureKind.TOKENS).vocabSize(VOCAB).build());
    private static final StreamSettings LOG = StreamSettings.defaults(ModelConfig.builder()
            .featureKind(FeatureKind.LOG).vocabSize(1 << 16).maxFeatures(F).build());

    @FuzzTest(maxDuration = "2m")
    void dna(byte[] input) {
        check(DNA, input);
    }

    @FuzzTest(maxDuration = "2m")
    void tokens(byte[] input) {
        check(TOKENS, input);
    }

    @FuzzTest(maxDuration = "2m")
    void log(byte[] input) {
        check(LOG, input);
    }

    private static void check(StreamSettings base, byte[] input) {
        byte[] in = Arrays.copyOf(input, Math.max(input.length, HEADER));
        ByteBuffer h = ByteBuffer.wrap(in);
        int flags = h.get() & 0xFF;
        int kindByte = h.get() & 0xFF;
        long offset = h.getLong();
        long maxPosition = h.getLong();
        int maxPayload = (h.get() & 0xFF) << 16 | (h.get() & 0xFF) << 8 | (h.get() & 0xFF);
        int repeat = h.getShort() & 0xFFFF;
        int idLength = h.get() & 0xFF;
        StreamSettings settings = base.withMaxPosition(maxPosition < 1 ? base.maxPosition() : maxPosition)
                .withMaxPayloadBytes(maxPayload == 0 ? base.maxPayloadBytes() : maxPayload);
        ModelConfig cfg = settings.model();

        int idEnd = Math.min(in.length, HEADER + idLength);
        byte[] id = Arrays.copyOfRange(in, HEADER, idEnd);
        byte[] payload = Arrays.copyOfRange(in, idEnd, in.length);
        if ((flags & 128) != 0) {
            id = repeat(new byte[0], id, repeat, new byte[0], MAX_ID);
        }
        if ((flags & 64) != 0) {
            payload = amplified(payload, repeat);
        }
        int cap = cfg.featureKind() == FeatureKind.LOG ? MAX_LOG_PAYLOAD : MAX_PAYLOAD;
        payload = Arrays.copyOf(payload, Math.min(payload.length, cap));
        if ((flags & 32) != 0) {
            mapIntoAlphabet(cfg.featureKind(), payload);
        }
        FeatureKind kind = (flags & 8) == 0 ? cfg.featureKind() : kindByte % 4 == 3 ? null
                : FeatureKind.values()[kindByte % 4];
        SequenceFragment f = new SequenceFragment((flags & 1) != 0 ? null : new String(id, StandardCharsets.UTF_8),
                offset, kind, (flags & 2) != 0 ? null : payload, (flags & 4) != 0);
        if ((flags & 16) != 0) {
            f.decodeError = "fuzzed decode error";
        }

        ValidateFunction.Result r = ValidateFunction.check(f, settings);

        assertThat(r.fragment() == null).as("either a fragment or a reason").isNotEqualTo(r.reason() == null);
        if (r.fragment() != null) {
            assertAccepted(f, r.fragment(), settings);
        } else {
            assertThat(r.reason()).as("reason").isNotBlank().doesNotContain("\n").doesNotContain("\r");
            DeadLetter d = DeadLetter.of(f, ValidateFunction.STAGE, r.reason());
            assertThat(d.payload).isEqualTo(f.payload == null ? new byte[0] : f.payload);
            TokenFragment m = ValidateFunction.refusedMarker(f, settings);
            if (m != null) {
                assertThat(m.refused).isTrue();
                assertThat(m.symbols).isEmpty();
                assertThat((long) m.positions).as("marker positions").isEqualTo(f.positions());
                assertThat(m.offset).isBetween(0L, settings.maxPosition() - m.positions);
            }
        }
    }

    private static void assertAccepted(SequenceFragment f, TokenFragment t, StreamSettings settings) {
        ModelConfig cfg = settings.model();
        assertThat(f.kind).isEqualTo(cfg.featureKind());
        assertThat(f.payload.length).isLessThanOrEqualTo(settings.maxPayloadBytes());
        assertThat(t.sequenceId).isNotEmpty().isEqualTo(f.sequenceId);
        assertThat(t.offset).isEqualTo(f.offset).isNotNegative();
        assertThat(t.last).isEqualTo(f.last);
        assertThat((long) t.positions).as("positions").isEqualTo(f.positions());
        assertThat(t.offset).as("end within max-position").isLessThanOrEqualTo(settings.maxPosition() - t.positions);
        assertThat(t.symbols).hasSize(t.positions * settings.symbolsPerPosition());
        int low = cfg.featureKind() == FeatureKind.LOG ? Features.EMPTY : 0;
        int high = cfg.featureKind() == FeatureKind.DNA ? 0xFF : cfg.vocabSize() - 1;
        for (int i = 0; i < t.symbols.length; i++) {
            int s = t.symbols[i];
            boolean ok = s >= low && s <= high && (cfg.featureKind() != FeatureKind.DNA
                    || (s == (f.payload[i] & 0xFF) && Features.firstInvalidBase(f.payload, i, i + 1) < 0));
            if (!ok) {
                throw new AssertionError("symbol " + s + " at " + i + " of an accepted " + cfg.featureKind()
                        + " fragment");
            }
        }
    }

    private static void mapIntoAlphabet(FeatureKind kind, byte[] payload) {
        if (kind == FeatureKind.DNA) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] = IUPAC[(payload[i] & 0xFF) % IUPAC.length];
            }
        } else if (kind == FeatureKind.TOKENS) {
            ByteBuffer b = ByteBuffer.wrap(payload);
            for (int i = 0; i + 4 <= payload.length; i += 4) {
                b.putInt(i, Integer.remainderUnsigned(b.getInt(i), VOCAB));
            }
        }
    }

    /** {@code prefix NUL unit NUL suffix} as {@code prefix + unit × repeat + suffix}; as is without two NULs. */
    private static byte[] amplified(byte[] body, int repeat) {
        int a = indexOfNul(body, 0);
        int b = a < 0 ? -1 : indexOfNul(body, a + 1);
        if (b < 0) {
            return body;
        }
        return repeat(Arrays.copyOfRange(body, 0, a), Arrays.copyOfRange(body, a + 1, b), repeat,
                Arrays.copyOfRange(body, b + 1, body.length), MAX_PAYLOAD);
    }

    private static byte[] repeat(byte[] prefix, byte[] unit, int repeat, byte[] suffix, int max) {
        int n = unit.length == 0 ? 0 : Math.min(repeat, max / unit.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(prefix.length + n * unit.length + suffix.length);
        out.writeBytes(prefix);
        for (int i = 0; i < n; i++) {
            out.writeBytes(unit);
        }
        out.writeBytes(suffix);
        byte[] r = out.toByteArray();
        return r.length <= max ? r : Arrays.copyOf(r, max);
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
