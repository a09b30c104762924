package io.longseq.jobs.input;

import io.longseq.stream.StreamLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The reader of log files, for both runs: {@code offline} reads the file as one sequence ({@link LogFileSource}),
 * the stream cuts it into fragments ({@link FragmentReader}). One line is one position (position i = line i+1).
 * Lines end at {@code \n}, {@code \r} or {@code \r\n} ({@link ByteLines#log}); bytes that are not UTF-8 are read as
 * U+FFFD rather than failing the file, because real logs mix encodings; an empty line is a position too.
 *
 * <p>At most {@link StreamLimits#maxLineBytes()} + 1 bytes of a line are held, whatever its length. A longer line
 * is refused ({@link #problem()}: one line naming the file, the line and the limit) and its held bytes are still
 * its {@link #text()}, so each caller applies its own rule: offline refuses the sequence, the stream passes the
 * position on for {@code validate} to refuse. Linear in the input, no recursion.
 */
final class LogReader {

    private final ByteLines lines;
    private final String name;
    private final StreamLimits limits;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final ByteLines.Buf line = new ByteLines.Buf(256); // at most maxLineBytes + 1 bytes

    /** @param in the decompressed bytes (not closed here); {@code name} names the file in problems */
    LogReader(InputStream in, String name, StreamLimits limits) {
        this.lines = ByteLines.log(in);
        this.name = name;
        this.limits = limits;
    }

    /** Reads the next line; false at the end of the input. */
    boolean next() throws IOException {
        line.clear();
        return lines.next(line, (long) limits.maxLineBytes() + 1);
    }

    /** Why the line read last is refused (it is over max-line-bytes), or null. */
    String problem() {
        return lines.length() > limits.maxLineBytes() ? String.format(Locale.ROOT, "log line %,d of %s is %,d bytes,"
                + " over the limit of %,d bytes (max-line-bytes)", lines.lineNumber(), name, lines.length(),
                limits.maxLineBytes()) : null;
    }

    /** The text of the line read last (of its held bytes), bytes that are not UTF-8 as U+FFFD. */
    String text() {
        try {
            return decoder.decode(ByteBuffer.wrap(line.a, 0, line.n)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("a replacing decoder reported " + e, e);
        }
    }

    /** The held bytes of the line read last: for a dead letter. */
    byte[] held() {
        return Arrays.copyOf(line.a, line.n);
    }

    /** The 0-based position of the line read last. */
    long position() {
        return lines.lineNumber() - 1;
    }
}
