package io.longseq.stream.input;

import io.longseq.math.features.Features;
import io.longseq.math.model.ModelConfig;
import io.longseq.stream.BoundedText;
import io.longseq.stream.DeadLetter;
import io.longseq.stream.OperatorMetrics;
import io.longseq.stream.StartupTrace;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.StreamTypes;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * {@code validate}: checks one fragment and turns its payload into symbols (see {@link TokenFragment}). A record
 * that breaks a rule goes to {@link StreamTypes#DEAD_LETTERS} with a reason that names the rule, the value and
 * the place; nothing here throws on input, so bad records never restart the job (docs/design.md G5). When the refused
 * record still names its sequence and positions, a {@linkplain #refusedMarker refused marker} goes on to
 * {@code assemble}, which applies the gap policy to those positions.
 *
 * <p>The caps of {@link StreamLimits} hold here: a sequence id over {@code max-id-bytes} is refused before anything
 * else uses it (and gets no refused marker, so {@code assemble} never keys state by it), a LOG line over
 * {@code max-line-bytes} is refused before the payload is decoded, and every dead letter is
 * {@linkplain DeadLetter#bounded bounded} ({@code dead-letter-bytes}). A reason that quotes input quotes a short,
 * escaped part of it. As a last resort, an exception thrown while checking a record makes a dead letter too
 * ({@link #guarded}).
 *
 * <p>Stateless; the rules are in {@link #check}, which tests call directly.
 */
public class ValidateFunction extends ProcessFunction<SequenceFragment, TokenFragment> {

    private static final long serialVersionUID = 1L;
    public static final String STAGE = "validate";

    /** Characters of an over-long sequence id its reason shows. */
    static final int ID_PREFIX_CHARS = 32;
    /** Characters of a source's decoding error a reason quotes. */
    static final int DECODE_ERROR_CHARS = 500;

    private final StreamSettings settings;
    private final Checker checker;

    private transient Counter positionsIn;
    private transient DeadLetterCounters deadLetters;

    public ValidateFunction(StreamSettings settings) {
        this(settings, ValidateFunction::check);
    }

    /** With another checker in place of {@link #check}: for tests of the last resort ({@link #guarded}) only. */
    ValidateFunction(StreamSettings settings, Checker checker) {
        this.settings = settings;
        this.checker = checker;
    }

    @Override
    public void open(OpenContext ctx) {
        MetricGroup metrics = OperatorMetrics.group(getRuntimeContext());
        positionsIn = metrics.counter(OperatorMetrics.POSITIONS_IN);
        deadLetters = new DeadLetterCounters(metrics, DeadLetterRule.VALIDATE);
    }

    @Override
    public void processElement(SequenceFragment f, Context ctx, Collector<TokenFragment> out) {
        StartupTrace.mark("first-fragment");
        long now = ctx.timerService().currentProcessingTime();
        Result r = guarded(f, settings, checker);
        if (r.fragment != null) {
            r.fragment.arrivedAt = now;
            positionsIn.inc(r.fragment.positions);
            out.collect(r.fragment);
        } else {
            SequenceFragment original = f == null ? new SequenceFragment() : f; // a null record has no fields
            ctx.output(StreamTypes.DEAD_LETTERS, DeadLetter.of(original, STAGE, r.reason, settings.limits()));
            deadLetters.count(r.rule);
            TokenFragment marker = refusedMarker(original, settings);
            if (marker != null) {
                marker.arrivedAt = now;
                positionsIn.inc(marker.positions);
                out.collect(marker);
            }
        }
    }

    /** The rules as a function, so that tests can put another checker behind {@link #guarded}. */
    @FunctionalInterface
    interface Checker extends java.io.Serializable {
        Result check(SequenceFragment f, StreamSettings settings);
    }

    /** Longest part of an exception's message an "internal error" reason quotes. */
    public static final int INTERNAL_ERROR_MESSAGE_CHARS = 200;

    /**
     * {@code checker} on one record, with a last resort: a {@link RuntimeException} or {@link StackOverflowError}
     * thrown while checking becomes a refusal with the reason
     * {@code "internal error in validate: <class>: <message cut to 200 characters>"}, so that the record goes to
     * the dead letters instead of failing the job (in Kafka mode a failure would restart the job onto the same
     * record forever). This is defence in depth, not a rule: the rules in {@link #check} must not throw on any
     * input, and such a dead letter is a bug to fix. Other errors ({@link OutOfMemoryError} and the like) still
     * fail the job.
     */
    static Result guarded(SequenceFragment f, StreamSettings settings, Checker checker) {
        try {
            return checker.check(f, settings);
        } catch (RuntimeException | StackOverflowError e) {
            return bad(DeadLetterRule.INTERNAL_ERROR,
                    "internal error in " + STAGE + ": " + BoundedText.describe(e, INTERNAL_ERROR_MESSAGE_CHARS));
        }
    }

    /**
     * The marker that tells {@code assemble} which positions of a sequence were refused, so that it applies the
     * gap policy to them at once instead of waiting for positions that will never come: the same sequence id,
     * offset, extent and last flag, no symbols, {@link TokenFragment#refused} set. Null when the record names no
     * sequence or no position range (no id, an id over {@code max-id-bytes}, a negative or out-of-range offset,
     * another kind, a payload whose length does not tell the positions).
     */
    public static TokenFragment refusedMarker(SequenceFragment f, StreamSettings settings) {
        if (f.decodeError != null || f.sequenceId == null || f.sequenceId.isEmpty() || f.offset < 0 || f.payload == null
                || f.kind != settings.model().featureKind()
                || BoundedText.utf8Length(f.sequenceId) > settings.limits().maxIdBytes()) {
            return null;
        }
        long positions = f.positions();
        if (positions < 0 || f.offset > settings.maxPosition() - positions) {
            return null;
        }
        TokenFragment m = new TokenFragment(f, (int) positions, new int[0]);
        m.refused = true;
        return m;
    }

    /** Either a valid fragment or the rule it breaks and the reason (the rule's words, the value, the place). */
    public record Result(TokenFragment fragment, DeadLetterRule rule, String reason) {}

    /** The rules, in the order they are checked; the first broken one is the reason. */
    public static Result check(SequenceFragment f, StreamSettings settings) {
        ModelConfig cfg = settings.model();
        if (f == null) {
            return bad(DeadLetterRule.NULL_RECORD, "null record");
        }
        if (f.decodeError != null) {
            // the source's words: a Kafka record that is no SequenceFragment, or a file record its reader refused
            return bad(DeadLetterRule.UNDECODABLE,
                    BoundedText.oneLine(BoundedText.cut(f.decodeError, DECODE_ERROR_CHARS)));
        }
        if (f.sequenceId == null || f.sequenceId.isEmpty()) {
            return bad(DeadLetterRule.EMPTY_ID, "empty sequence id");
        }
        long idBytes = BoundedText.utf8Length(f.sequenceId); // before anything else uses the id
        if (idBytes > settings.limits().maxIdBytes()) {
            return bad(DeadLetterRule.MAX_ID_BYTES,
                    "sequence id of " + idBytes + " bytes is over the limit of " + settings.limits().maxIdBytes()
                    + " bytes (max-id-bytes): " + BoundedText.quotedPrefix(f.sequenceId, ID_PREFIX_CHARS));
        }
        if (f.kind == null) {
            return bad(DeadLetterRule.NO_KIND, "no kind (expected " + cfg.featureKind() + ")");
        }
        if (f.kind != cfg.featureKind()) {
            return bad(DeadLetterRule.WRONG_KIND, "kind " + f.kind + " but this job reads " + cfg.featureKind());
        }
        if (f.payload == null) {
            return bad(DeadLetterRule.NO_PAYLOAD, "no payload");
        }
        if (f.payload.length > settings.maxPayloadBytes()) {
            return bad(DeadLetterRule.MAX_PAYLOAD_BYTES,
                    "payload of " + f.payload.length + " bytes is over the limit of " + settings.maxPayloadBytes()
                    + " bytes (max-payload-bytes)");
        }
        if (f.offset < 0) {
            return bad(DeadLetterRule.NEGATIVE_OFFSET, "negative offset " + f.offset);
        }
        int[] symbols;
        int positions;
        switch (f.kind) {
            case DNA -> {
                int badAt = Features.firstInvalidBase(f.payload, 0, f.payload.length);
                if (badAt >= 0) {
                    return bad(DeadLetterRule.INVALID_BASE,
                            Features.invalidBaseMessage(f.payload, badAt, f.offset + badAt));
                }
                positions = f.payload.length;
                symbols = new int[positions]; // [n]
                for (int i = 0; i < positions; i++) {
                    symbols[i] = f.payload[i] & 0xFF;
                }
            }
            case TOKENS -> {
                if (f.payload.length % 4 != 0) {
                    return bad(DeadLetterRule.TOKEN_BYTES,
                            "token payload of " + f.payload.length + " bytes is not a whole number of big-endian"
                            + " int32 ids");
                }
                positions = f.payload.length / 4;
                symbols = new int[positions]; // [n]
                ByteBuffer b = ByteBuffer.wrap(f.payload);
                for (int i = 0; i < positions; i++) {
                    int id = b.getInt();
                    if (id < 0 || id >= cfg.vocabSize()) {
                        return bad(DeadLetterRule.TOKEN_OUTSIDE_VOCAB,
                                "token id " + id + " at position " + (f.offset + i) + " is outside [0, "
                                + cfg.vocabSize() + ") (vocab-size)");
                    }
                    symbols[i] = id;
                }
            }
            case LOG -> {
                String tooLong = overlongLine(f, settings.limits().maxLineBytes());
                if (tooLong != null) {
                    return bad(DeadLetterRule.MAX_LINE_BYTES, tooLong);
                }
                // a line costs F symbols however short it is: bound the symbols as DNA's are (4 bytes each, at most
                // max-payload-bytes of them), so a payload of newlines cannot make an array 128 times its size
                long lineCount = f.positions(); // counted on the bytes, before decoding
                if (lineCount * cfg.maxFeatures() > settings.maxPayloadBytes()) {
                    return bad(DeadLetterRule.MAX_PAYLOAD_BYTES,
                            "log payload of " + lineCount + " lines makes " + lineCount * cfg.maxFeatures() + " symbols ("
                            + cfg.maxFeatures() + " a line), over the limit of " + settings.maxPayloadBytes()
                            + " symbols a fragment (max-payload-bytes)");
                }
                String text = utf8(f.payload);
                if (text == null) {
                    return bad(DeadLetterRule.NOT_UTF8, notUtf8(f));
                }
                String[] lines = splitLines(text);
                positions = lines.length;
                int nf = cfg.maxFeatures();
                symbols = new int[positions * nf]; // [n, F]
                for (int i = 0; i < positions; i++) {
                    System.arraycopy(Features.logLine(lines[i], cfg), 0, symbols, i * nf, nf);
                }
            }
            default -> throw new IllegalStateException("unknown kind " + f.kind);
        }
        if (f.offset > settings.maxPosition() - positions) {
            // the end offset + positions may overflow a long: name the range by its start and length
            return bad(DeadLetterRule.MAX_POSITION,
                    positions + " positions from offset " + f.offset + " pass the largest supported position "
                    + settings.maxPosition() + " (max-position)");
        }
        return new Result(new TokenFragment(f, positions, symbols), null, null);
    }

    /**
     * Why a line of a LOG payload is over {@code max} UTF-8 bytes (the first such line), or null. A line is what
     * {@link #splitLines} makes of it: without its '\n' and a '\r' before it. Scans the bytes, before any decoding.
     */
    static String overlongLine(SequenceFragment f, int max) {
        byte[] p = f.payload;
        if (p.length <= max) {
            return null; // no line can be longer than the payload
        }
        int start = 0;
        long line = 0;
        for (int i = 0; i <= p.length; i++) {
            if (i < p.length && p[i] != '\n') {
                continue;
            }
            if (i == p.length && start == p.length) {
                break; // the text ended with '\n': no line after it
            }
            int len = i - start;
            if (len > 0 && p[i - 1] == '\r') {
                len--;
            }
            if (len > max) {
                return "log line of " + len + " bytes at position " + position(f.offset, line) + " (line " + (line + 1)
                        + " of the fragment) is over the limit of " + max + " bytes (max-line-bytes)";
            }
            line++;
            start = i + 1;
        }
        return null;
    }

    // offset + i as a decimal, without overflowing (both are non-negative)
    private static String position(long offset, long i) {
        return offset <= Long.MAX_VALUE - i ? Long.toString(offset + i) : offset + " + " + i;
    }

    /** The payload as text, or null when it is not well-formed UTF-8. */
    private static String utf8(byte[] payload) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Where a payload stops being UTF-8: the byte, its line in the fragment and its absolute position. */
    static String notUtf8(SequenceFragment f) {
        ByteBuffer in = ByteBuffer.wrap(f.payload);
        CharBuffer out = CharBuffer.allocate(1024); // reused: only the position of the first error matters
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CoderResult r;
        do {
            out.clear();
            r = decoder.decode(in, out, true);
        } while (r.isOverflow());
        if (!r.isError()) {
            r = decoder.flush(out);
        }
        int at = in.position();
        long line = 0;
        for (int i = 0; i < at; i++) {
            if (f.payload[i] == '\n') {
                line++;
            }
        }
        String what = r.isError() ? "a malformed sequence of " + r.length() + " byte(s)" : "an incomplete sequence";
        return String.format(java.util.Locale.ROOT, "log payload is not UTF-8: %s at byte %d (0x%02X) in line %d of"
                + " the fragment (position %s)", what, at, at < f.payload.length ? f.payload[at] & 0xFF : 0, line + 1,
                position(f.offset, line));
    }

    /** Lines ended by '\n' (a trailing '\r' is dropped); a last line without '\n' counts, an empty text has none. */
    static String[] splitLines(String text) {
        if (text.isEmpty()) {
            return new String[0];
        }
        String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        String[] lines = body.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].endsWith("\r")) {
                lines[i] = lines[i].substring(0, lines[i].length() - 1);
            }
        }
        return lines;
    }

    private static Result bad(DeadLetterRule rule, String reason) {
        return new Result(null, rule, reason);
    }

    /** Encodes token ids as a TOKENS payload (big-endian int32 each). */
    public static byte[] tokenPayload(int[] ids, int from, int to) {
        ByteBuffer b = ByteBuffer.allocate((to - from) * 4);
        for (int i = from; i < to; i++) {
            b.putInt(ids[i]);
        }
        return b.array();
    }

}
