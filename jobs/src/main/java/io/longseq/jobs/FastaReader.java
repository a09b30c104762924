package io.longseq.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

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
 * <p>What is an error ({@link FormatException}): sequence data before the first header (the file is probably
 * not FASTA), or a record longer than a Java array.
 */
public final class FastaReader implements DnaRecordReader {

    /** One record: its 1-based number in the file, the id, the whole header line (without '>') and its bases. */
    public record Record(int number, String id, String header, byte[] bases) {}

    /** The file is not FASTA, or a record cannot be held; the message names the file and the line. */
    public static final class FormatException extends IOException {
        private static final long serialVersionUID = 1L;

        public FormatException(String message) {
            super(message);
        }
    }

    private static final int MAX_BASES = Integer.MAX_VALUE - 8;

    private final InputStream in;
    private final String name;
    private final byte[] buf = new byte[1 << 16];
    private int bufPos;
    private int bufLen;
    private boolean eof;
    private long lineNumber;

    private byte[] line = new byte[256];
    private int lineLen;

    private String pendingHeader; // header of the next record, already read
    private int records;

    /**
     * @param in   the (already decompressed) bytes; closed by {@link #close()}
     * @param name the file name used in error messages
     */
    public FastaReader(InputStream in, String name) {
        this.in = in;
        this.name = name;
    }

    /** Opens a FASTA file, gzip-compressed or not. */
    public static FastaReader open(Path path) throws IOException {
        return new FastaReader(InputFiles.open(path), path.toString());
    }

    /**
     * The next record, or null at the end of the file.
     *
     * @throws FormatException if sequence data comes before the first header, or a record is too long
     */
    public Record next() throws IOException {
        if (pendingHeader == null) {
            while (readLine()) {
                if (lineLen == 0) {
                    continue;
                }
                if (line[0] != '>') {
                    throw new FormatException(name + ": line " + lineNumber + " holds sequence data before the first"
                            + " '>' header line; is this a FASTA file? (" + preview() + ")");
                }
                pendingHeader = new String(line, 1, lineLen - 1, StandardCharsets.UTF_8);
                break;
            }
            if (pendingHeader == null) {
                return null;
            }
        }
        String header = pendingHeader;
        pendingHeader = null;
        int number = ++records;
        String id = idOf(header, number);
        byte[] bases = new byte[1024];
        int n = 0;
        while (readLine()) {
            if (lineLen == 0) {
                continue;
            }
            if (line[0] == '>') {
                pendingHeader = new String(line, 1, lineLen - 1, StandardCharsets.UTF_8);
                break;
            }
            if ((long) n + lineLen > MAX_BASES) {
                throw new FormatException(name + ": record '" + id + "' is longer than the " + MAX_BASES
                        + " bases a Java array holds (line " + lineNumber + ")");
            }
            if (n + lineLen > bases.length) {
                bases = Arrays.copyOf(bases, (int) Math.min(MAX_BASES, Math.max(2L * bases.length, n + lineLen)));
            }
            System.arraycopy(line, 0, bases, n, lineLen);
            n += lineLen;
        }
        return new Record(number, id, header.strip(), Arrays.copyOf(bases, n));
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

    /**
     * Reads the next line into {@code line[0, lineLen)} without its line end and trailing spaces/tabs.
     * Returns false at the end of input (a last line without a newline is still returned).
     */
    private boolean readLine() throws IOException {
        lineLen = 0;
        boolean any = false;
        while (true) {
            if (bufPos == bufLen) {
                if (eof || !fill()) {
                    break;
                }
            }
            any = true;
            int start = bufPos;
            while (bufPos < bufLen && buf[bufPos] != '\n') {
                bufPos++;
            }
            append(start, bufPos);
            if (bufPos < bufLen) {
                bufPos++; // the '\n'
                lineNumber++;
                trimEnd();
                return true;
            }
        }
        if (any) {
            lineNumber++;
            trimEnd();
        }
        return any;
    }

    private boolean fill() throws IOException {
        int r = in.read(buf, 0, buf.length);
        if (r <= 0) {
            eof = true;
            return false;
        }
        bufPos = 0;
        bufLen = r;
        return true;
    }

    private void append(int from, int to) {
        int len = to - from;
        if (lineLen + len > line.length) {
            line = Arrays.copyOf(line, Math.max(2 * line.length, lineLen + len));
        }
        System.arraycopy(buf, from, line, lineLen, len);
        lineLen += len;
    }

    private void trimEnd() {
        while (lineLen > 0 && (line[lineLen - 1] == '\r' || line[lineLen - 1] == ' ' || line[lineLen - 1] == '\t')) {
            lineLen--;
        }
    }

    private String preview() {
        int n = Math.min(lineLen, 40);
        StringBuilder b = new StringBuilder("it starts with \"");
        for (int i = 0; i < n; i++) {
            int c = line[i] & 0xFF;
            b.append(c >= 0x20 && c < 0x7F ? (char) c : '?'); // binary input stays readable
        }
        return b.append(lineLen > n ? "..." : "").append('"').toString();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
