package io.longseq.jobs.input;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The lines of a byte stream, each read with a cap: at most {@code cap} bytes of a line are kept, the rest is only
 * counted, so a line of any length (a 5 MB FASTA header, a log line of a gigabyte, a binary file without a line
 * break) costs no memory beyond the cap. Linear in the input, no recursion.
 *
 * <p>Two dialects. {@link #text}: lines end at {@code '\n'}, and trailing {@code '\r'}, spaces and tabs are not
 * part of the line (FASTA, FASTQ). {@link #log}: lines end at {@code '\n'}, {@code '\r'} or {@code "\r\n"} and keep
 * every other byte, exactly as {@link java.io.BufferedReader#readLine()} splits them (the log readers' rule since
 * the start, so log positions do not move).
 */
final class ByteLines {

    /** A growable byte buffer that lines are appended to. */
    static final class Buf {
        byte[] a;
        int n;

        Buf(int capacity) {
            a = new byte[capacity];
        }

        void clear() {
            n = 0;
        }

        private void append(byte[] src, int from, int len) {
            if (n + len > a.length) {
                a = Arrays.copyOf(a, (int) Math.min(Integer.MAX_VALUE - 8L, Math.max(2L * a.length, (long) n + len)));
            }
            System.arraycopy(src, from, a, n, len);
            n += len;
        }
    }

    private final InputStream in;
    private final boolean logDialect;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int len;
    private boolean eof;
    private boolean skipLf; // log dialect: the last line ended with '\r'; a '\n' right after it belongs to it

    private long lineNumber;
    private long length;

    private ByteLines(InputStream in, boolean logDialect) {
        this.in = in;
        this.logDialect = logDialect;
    }

    /** FASTA/FASTQ lines: ended by {@code '\n'}, trailing {@code '\r'}, spaces and tabs dropped. */
    static ByteLines text(InputStream in) {
        return new ByteLines(in, false);
    }

    /** Log lines: ended by {@code '\n'}, {@code '\r'} or {@code "\r\n"}, nothing dropped. */
    static ByteLines log(InputStream in) {
        return new ByteLines(in, true);
    }

    /** The 1-based number of the line read last (0 before the first). */
    long lineNumber() {
        return lineNumber;
    }

    /** The length in bytes of the line read last, without its line end (and, in the text dialect, trailing blanks). */
    long length() {
        return length;
    }

    /** The first byte of the next line, without reading it; -1 at the end of the input. */
    int peek() throws IOException {
        while (available()) {
            if (skipLf) {
                skipLf = false;
                if (buf[pos] == '\n') {
                    pos++;
                    continue;
                }
            }
            return buf[pos] & 0xFF;
        }
        return -1;
    }

    /**
     * Reads the next line, appending at most {@code cap} of its bytes to {@code to} (which may be null when
     * {@code cap} is 0). Exactly {@code min(cap, length())} bytes are appended.
     *
     * @return false at the end of the input (then nothing was read)
     */
    boolean next(Buf to, long cap) throws IOException {
        if (peek() < 0) {
            return false;
        }
        long total = 0;    // bytes of the line so far
        long content = 0;  // text dialect: total up to the last byte that is no trailing blank
        long kept = 0;     // bytes appended to `to`
        while (available()) {
            int start = pos;
            int end = start;
            byte stop = 0;
            while (end < len) {
                byte b = buf[end];
                if (b == '\n' || (logDialect && b == '\r')) {
                    stop = b;
                    break;
                }
                end++;
            }
            int n = end - start;
            if (kept < cap && n > 0) {
                int k = (int) Math.min(n, cap - kept);
                to.append(buf, start, k);
                kept += k;
            }
            if (!logDialect) {
                int last = end - 1;
                while (last >= start && (buf[last] == '\r' || buf[last] == ' ' || buf[last] == '\t')) {
                    last--;
                }
                if (last >= start) {
                    content = total + (last - start + 1);
                }
            }
            total += n;
            pos = end;
            if (stop != 0) {
                pos++;
                skipLf = stop == '\r';
                break;
            }
        }
        lineNumber++;
        length = logDialect ? total : content;
        if (kept > length) { // the kept part ends in trailing blanks: drop them
            to.n -= (int) (kept - length);
        }
        return true;
    }

    /** Skips the next line; false at the end of the input. */
    boolean skip() throws IOException {
        return next(null, 0);
    }

    private boolean available() throws IOException {
        if (pos < len) {
            return true;
        }
        if (eof) {
            return false;
        }
        int r = in.read(buf, 0, buf.length);
        if (r <= 0) {
            eof = true;
            return false;
        }
        pos = 0;
        len = r;
        return true;
    }
}
