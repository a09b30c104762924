package io.longseq.stream;

import io.longseq.math.Features;
import io.longseq.math.ModelConfig;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * {@code validate}: checks one fragment and turns its payload into symbols (see {@link TokenFragment}). A record
 * that breaks a rule goes to {@link StreamTypes#DEAD_LETTERS} with a reason that names the rule, the value and
 * the place; nothing here throws on input, so bad records never restart the job (DESIGN.md G5). When the refused
 * record still names its sequence and positions, a {@linkplain #refusedMarker refused marker} goes on to
 * {@code assemble}, which applies the gap policy to those positions.
 *
 * <p>Stateless; the rules are in {@link #check}, which tests call directly.
 */
public class ValidateFunction extends ProcessFunction<SequenceFragment, TokenFragment> {

    private static final long serialVersionUID = 1L;
    public static final String STAGE = "validate";

    private final StreamSettings settings;

    public ValidateFunction(StreamSettings settings) {
        this.settings = settings;
    }

    @Override
    public void processElement(SequenceFragment f, Context ctx, Collector<TokenFragment> out) {
        Result r = check(f, settings);
        if (r.fragment != null) {
            out.collect(r.fragment);
        } else {
            SequenceFragment original = f == null ? new SequenceFragment() : f; // a null record has no fields
            ctx.output(StreamTypes.DEAD_LETTERS, DeadLetter.of(original, STAGE, r.reason));
            TokenFragment marker = refusedMarker(original, settings);
            if (marker != null) {
                out.collect(marker);
            }
        }
    }

    /**
     * The marker that tells {@code assemble} which positions of a sequence were refused, so that it applies the
     * gap policy to them at once instead of waiting for positions that will never come: the same sequence id,
     * offset, extent and last flag, no symbols, {@link TokenFragment#refused} set. Null when the record names no
     * sequence or no position range (no id, a negative or out-of-range offset, another kind, a payload whose
     * length does not tell the positions).
     */
    static TokenFragment refusedMarker(SequenceFragment f, StreamSettings settings) {
        if (f.decodeError != null || f.sequenceId == null || f.sequenceId.isEmpty() || f.offset < 0 || f.payload == null
                || f.kind != settings.model().featureKind()) {
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

    /** Either a valid fragment or the reason it is not. */
    public record Result(TokenFragment fragment, String reason) {}

    /** The rules, in the order they are checked; the first broken one is the reason. */
    public static Result check(SequenceFragment f, StreamSettings settings) {
        ModelConfig cfg = settings.model();
        if (f == null) {
            return bad("null record");
        }
        if (f.decodeError != null) {
            return bad("not a SequenceFragment record: " + f.decodeError);
        }
        if (f.sequenceId == null || f.sequenceId.isEmpty()) {
            return bad("empty sequence id");
        }
        if (f.kind == null) {
            return bad("no kind (expected " + cfg.featureKind() + ")");
        }
        if (f.kind != cfg.featureKind()) {
            return bad("kind " + f.kind + " but this job reads " + cfg.featureKind());
        }
        if (f.payload == null) {
            return bad("no payload");
        }
        if (f.payload.length > settings.maxPayloadBytes()) {
            return bad("payload of " + f.payload.length + " bytes is over the limit of " + settings.maxPayloadBytes()
                    + " bytes (max-payload-bytes)");
        }
        if (f.offset < 0) {
            return bad("negative offset " + f.offset);
        }
        int[] symbols;
        int positions;
        switch (f.kind) {
            case DNA -> {
                int badAt = Features.firstInvalidBase(f.payload, 0, f.payload.length);
                if (badAt >= 0) {
                    return bad(Features.invalidBaseMessage(f.payload, badAt, f.offset + badAt));
                }
                positions = f.payload.length;
                symbols = new int[positions]; // [n]
                for (int i = 0; i < positions; i++) {
                    symbols[i] = f.payload[i] & 0xFF;
                }
            }
            case TOKENS -> {
                if (f.payload.length % 4 != 0) {
                    return bad("token payload of " + f.payload.length + " bytes is not a whole number of big-endian"
                            + " int32 ids");
                }
                positions = f.payload.length / 4;
                symbols = new int[positions]; // [n]
                ByteBuffer b = ByteBuffer.wrap(f.payload);
                for (int i = 0; i < positions; i++) {
                    int id = b.getInt();
                    if (id < 0 || id >= cfg.vocabSize()) {
                        return bad("token id " + id + " at position " + (f.offset + i) + " is outside [0, "
                                + cfg.vocabSize() + ") (vocab-size)");
                    }
                    symbols[i] = id;
                }
            }
            case LOG -> {
                String text;
                try {
                    CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(f.payload));
                    text = chars.toString();
                } catch (CharacterCodingException e) {
                    return bad("log payload is not UTF-8: " + e.getMessage());
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
            return bad(positions + " positions from offset " + f.offset + " pass the largest supported position "
                    + settings.maxPosition() + " (max-position)");
        }
        return new Result(new TokenFragment(f, positions, symbols), null);
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

    private static Result bad(String reason) {
        return new Result(null, reason);
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
