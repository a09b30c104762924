package io.longseq.jobs.input;

import io.longseq.math.features.Features;
import io.longseq.math.model.ModelConfig;
import io.longseq.stream.StreamLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * A log file: one line is one position, its features the masked, hashed words of the line
 * ({@link Features#logLine}); one sequence per file, whose id is the file name. Lines end at {@code \n}, {@code \r}
 * or {@code \r\n}. Bytes that are not UTF-8 are read as U+FFFD rather than failing the file, because real logs mix
 * encodings. An empty line is a position without features (its embedding is zero), so positions stay aligned with
 * line numbers (position i = line i+1). A line longer than {@link StreamLimits#maxLineBytes()} makes the record a
 * problem; the reader holds at most that many bytes of it.
 */
final class LogFileSource extends WholeFileSource {

    private final StreamLimits limits;

    LogFileSource(Path path, ModelConfig cfg, StreamLimits limits) {
        super(path, cfg);
        this.limits = limits;
    }

    @Override
    protected Sequence read(String id) throws IOException {
        int f = cfg.maxFeatures();
        int[] ids = new int[1024 * f];
        int n = 0;
        CharsetDecoder decoder = decoder();
        ByteLines.Buf line = new ByteLines.Buf(1024);
        try (InputStream in = InputFiles.open(path)) {
            ByteLines lines = ByteLines.log(in);
            while (true) {
                line.clear();
                if (!lines.next(line, (long) limits.maxLineBytes() + 1)) {
                    break;
                }
                if (lines.length() > limits.maxLineBytes()) {
                    return Sequence.bad(1, id, tooLong(lines.lineNumber(), lines.length(), path.toString(), limits));
                }
                if ((long) (n + 1) * f > Integer.MAX_VALUE - 8) {
                    return Sequence.bad(1, id, "more than " + n + " lines of " + f
                            + " features, more than a Java array holds");
                }
                if ((n + 1) * f > ids.length) {
                    ids = Arrays.copyOf(ids, (int) Math.min(Integer.MAX_VALUE - 8L, 2L * ids.length));
                }
                System.arraycopy(Features.logLine(decode(decoder, line), cfg), 0, ids, n * f, f);
                n++;
            }
        }
        return Sequence.ok(1, id, Arrays.copyOf(ids, n * f), n);
    }

    /** UTF-8 with every malformed or unmappable byte read as U+FFFD. */
    static CharsetDecoder decoder() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
    }

    /** The line's text, bytes that are not UTF-8 as U+FFFD. */
    static String decode(CharsetDecoder decoder, ByteLines.Buf line) {
        try {
            return decoder.decode(ByteBuffer.wrap(line.a, 0, line.n)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("a replacing decoder reported " + e, e);
        }
    }

    /** The refusal of a log line over max-line-bytes. */
    static String tooLong(long lineNumber, long length, String name, StreamLimits limits) {
        return String.format(Locale.ROOT, "log line %,d of %s is %,d bytes, over the limit of %,d bytes"
                + " (max-line-bytes)", lineNumber, name, length, limits.maxLineBytes());
    }
}
