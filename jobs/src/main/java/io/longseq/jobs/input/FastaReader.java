package io.longseq.jobs.input;

import io.longseq.math.features.Features;
import io.longseq.stream.StreamLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Reads FASTA records one at a time, so a file of many records never sits in memory as a whole.
 *
 * <p>What is accepted: any line width (one base per line up to a whole record on one line), {@code \n} or
 * {@code \r\n} line ends, blank lines anywhere, trailing spaces and tabs, and gzip (see {@link InputFiles#open}).
 * A record starts with a {@code '>'} header line; its id is the first word of the header (up to the first space
 * or tab), or {@code record<N>} when the header has no word. A record may have no bases at all.
 *
 * <p>What is not judged here: bases are returned byte for byte (case, N runs and any other byte included);
 * whether they are valid nucleotide codes is the model's rule ({@code Features.firstInvalidBase}), so the caller
 * can report the record and the position and go on with the next record.
 *
 * <p>What is refused, one record at a time ({@link DnaRecordReader.Record#problem()}, the next record is read as
 * usual): a header longer than {@link StreamLimits#maxHeaderBytes()} (read with a buffer of that size, the rest of
 * the line only counted, the record's bases skipped), an id longer than {@link StreamLimits#maxIdBytes()}, and a
 * record longer than a Java array. What stops the file ({@link FormatException}): sequence data before the first header (the file
 * is probably not FASTA).
 */
public final class FastaReader implements DnaRecordReader {

    /** The file is not FASTA (or FASTQ); the message names the file and the line. */
    public static final class FormatException extends IOException {
        private static final long serialVersionUID = 1L;

        public FormatException(String message) {
            super(message);
        }
    }

    static final int MAX_BASES = Integer.MAX_VALUE - 8;
    private static final int PREVIEW = 40;
    private static final int KEEP_BUFFER = 16 << 20; // a bases buffer larger than this is not kept between records

    private final InputStream in;
    private final ByteLines lines;
    private final String name;
    private final StreamLimits limits;
    private final ByteLines.Buf head;            // the pending header line, '>' included, at most maxHeaderBytes + 1
    private ByteLines.Buf seq = new ByteLines.Buf(1024);
    private boolean pending;                     // head holds the header of the next record
    private long headLine;
    private long headLength;                     // bytes after '>'
    private int records;

    /**
     * @param in   the (already decompressed) bytes; closed by {@link #close()}
     * @param name the file name used in messages
     */
    public FastaReader(InputStream in, String name) {
        this(in, name, StreamLimits.DEFAULTS);
    }

    public FastaReader(InputStream in, String name, StreamLimits limits) {
        this.lines = ByteLines.text(in);
        this.in = in;
        this.name = name;
        this.limits = limits;
        this.head = new ByteLines.Buf(256);
    }

    /** Opens a FASTA file, gzip-compressed or not. */
    public static FastaReader open(Path path) throws IOException {
        return new FastaReader(InputFiles.open(path), path.toString());
    }

    /**
     * The next record (maybe a refused one), or null at the end of the file.
     *
     * @throws FormatException if sequence data comes before the first header
     */
    @Override
    public Record next() throws IOException {
        if (!pending && !firstHeader()) {
            return null;
        }
        pending = false;
        int number = ++records;
        long line = headLine;
        if (headLength > limits.maxHeaderBytes()) {
            String id = shortId(new String(head.a, 1, head.n - 1, StandardCharsets.UTF_8), number);
            byte[] original = Arrays.copyOf(head.a, Math.min(head.n, limits.deadLetterBytes()));
            String problem = String.format(Locale.ROOT, "FASTA header of %,d bytes at line %,d of %s is over the limit"
                    + " of %,d bytes (max-header-bytes); the record is skipped", headLength, line, name,
                    limits.maxHeaderBytes());
            skipBases(); // reads the next header
            return Record.refused(number, id, problem, original);
        }
        String header = new String(head.a, 1, head.n - 1, StandardCharsets.UTF_8);
        String id = idOf(header, number);
        int idBytes = utf8Length(id);
        if (idBytes > limits.maxIdBytes()) {
            byte[] original = Arrays.copyOf(head.a, Math.min(head.n, limits.deadLetterBytes()));
            skipBases();
            return Record.refused(number, shorten(id), String.format(Locale.ROOT, "sequence id of %,d bytes at line"
                    + " %,d of %s is over the limit of %,d bytes (max-id-bytes); the record is skipped", idBytes, line,
                    name, limits.maxIdBytes()), original);
        }
        seq.clear();
        int c;
        while ((c = lines.peek()) >= 0 && c != '>') {
            long room = MAX_BASES - seq.n;
            lines.next(seq, room);
            if (lines.length() > room) {
                long at = lines.lineNumber();
                skipBases();
                seq = new ByteLines.Buf(1024);
                return Record.refused(number, shorten(id), String.format(Locale.ROOT, "record '%s' at line %,d of %s"
                        + " is longer than the %,d bases a Java array holds (line %,d); the record is skipped",
                        shorten(id), line, name, MAX_BASES, at), Arrays.copyOf(head.a, Math.min(head.n, 256)));
            }
        }
        if (c == '>') {
            readHeader();
        }
        byte[] bases = Arrays.copyOf(seq.a, seq.n);
        if (seq.a.length > KEEP_BUFFER) {
            seq = new ByteLines.Buf(1024);
        }
        return new Record(number, id, header.strip(), bases);
    }

    // skips blank lines up to the first header and reads it; false at the end of the input
    private boolean firstHeader() throws IOException {
        ByteLines.Buf preview = new ByteLines.Buf(PREVIEW + 1);
        int c;
        while ((c = lines.peek()) >= 0) {
            if (c == '>') {
                readHeader();
                return true;
            }
            preview.clear();
            lines.next(preview, PREVIEW + 1);
            if (lines.length() > 0) {
                throw new FormatException(name + ": line " + lines.lineNumber() + " holds sequence data before the"
                        + " first '>' header line; is this a FASTA file? (" + preview(preview, lines.length()) + ")");
            }
        }
        return false;
    }

    private void readHeader() throws IOException {
        head.clear();
        lines.next(head, (long) limits.maxHeaderBytes() + 1);
        headLine = lines.lineNumber();
        headLength = lines.length() - 1;
        pending = true;
    }

    // skips the lines of a refused record up to the next header, which it reads
    private void skipBases() throws IOException {
        int c;
        while ((c = lines.peek()) >= 0 && c != '>') {
            lines.skip();
        }
        if (c == '>') {
            readHeader();
        }
    }

    /** The first word of the header, or {@code record<number>} if there is none. */
    static String idOf(String header, int number) {
        String h = header.strip();
        int end = 0;
        while (end < h.length() && !Character.isWhitespace(h.charAt(end))) {
            end++;
        }
        return end == 0 ? "record" + number : h.substring(0, end);
    }

    /** The id of a header that is only partly held, shortened for a message. */
    static String shortId(String partialHeader, int number) {
        return shorten(idOf(partialHeader.length() > 200 ? partialHeader.substring(0, 200) : partialHeader, number));
    }

    /**
     * For a message: at most 40 characters of {@code s}, with "..." when it was longer, control characters shown as
     * '?' (an id may hold terminal escape sequences).
     */
    public static String shorten(String s) {
        return shorten(s, PREVIEW);
    }

    /** As {@link #shorten(String)}, at most {@code max} characters: for a summary line. */
    public static String shorten(String s, int max) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), max) + 3);
        for (int i = 0; i < s.length() && i < max; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return s.length() <= max ? b.toString() : b.append("...").toString();
    }

    static int utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    /** "it starts with "..."": at most 40 bytes of a line, bytes that are no printable ASCII shown as '?'. */
    static String preview(ByteLines.Buf b, long length) {
        int n = (int) Math.min(Math.min(b.n, length), PREVIEW);
        StringBuilder s = new StringBuilder("it starts with \"");
        for (int i = 0; i < n; i++) {
            int c = b.a[i] & 0xFF;
            s.append(c >= 0x20 && c < 0x7F ? (char) c : '?'); // binary input stays readable
        }
        return s.append(length > n ? "..." : "").append('"').toString();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
