package io.longseq.jobs.input;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * The reader of token-id files, for both runs: {@code offline} reads the file as one sequence
 * ({@link TokenFileSource}), the stream cuts it into fragments ({@link FragmentReader}). One word is one position:
 * runs of bytes above {@code 0x20}, separated by any bytes up to {@code 0x20} (spaces, tabs, line breaks), each with
 * its 1-based line and column (in bytes) and its 0-based position. A word is an id when it is a decimal integer with
 * an optional sign that fits a 32-bit int; otherwise {@link #problem()} says why, naming the file, line and column
 * (the callers add the position). At most {@value #KEPT} bytes of a word are held, whatever its length, so the
 * reader's memory is fixed. Linear in the input, no recursion.
 */
final class TokenReader {

    static final int KEPT = 64;

    private final InputStream in;
    private final String name;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int len;
    private boolean eof;

    private long line = 1;
    private long column;            // of the byte read last
    private final byte[] word = new byte[KEPT];
    private int kept;
    private long wordLength;
    private long wordLine;
    private long wordColumn;
    private long words;             // words read so far
    private int value;
    private String problem;

    /** @param in the decompressed bytes (not closed here); {@code name} names the file in problems */
    TokenReader(InputStream in, String name) {
        this.in = in;
        this.name = name;
    }

    /** Reads the next word; false at the end of the input. */
    boolean next() throws IOException {
        int b;
        while ((b = read()) >= 0 && b <= 0x20) {
            if (b == '\n') {
                line++;
                column = 0;
            }
        }
        if (b < 0) {
            return false;
        }
        words++;
        wordLine = line;
        wordColumn = column;
        kept = 0;
        wordLength = 0;
        boolean negative = b == '-';
        boolean digitsOnly = true;
        int significant = 0; // digits after the leading zeros
        long v = 0;
        while (b > 0x20) {
            if (kept < KEPT) {
                word[kept] = (byte) b;
                kept++;
            }
            boolean sign = wordLength == 0 && (b == '-' || b == '+');
            wordLength++;
            if (!sign) {
                if (b < '0' || b > '9') {
                    digitsOnly = false;
                } else if (significant > 0 || b != '0') {
                    significant++;
                    if (significant <= 11) {
                        v = v * 10 + (b - '0');
                    }
                }
            }
            b = read();
        }
        if (b == '\n') {
            line++;
            column = 0;
        }
        boolean anyDigit = wordLength > (word[0] == '-' || word[0] == '+' ? 1 : 0);
        v = negative ? -v : v;
        problem = null;
        if (!digitsOnly || !anyDigit) {
            problem = describe("is not an integer");
        } else if (significant > 10 || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            problem = describe("is outside the 32-bit integer range");
        } else {
            value = (int) v;
        }
        return true;
    }

    /** The id of the word read last, when {@link #problem()} is null. */
    int value() {
        return value;
    }

    /** Why the word read last is no id (one line naming file, line and column), or null. */
    String problem() {
        return problem;
    }

    /** The first bytes of the word read last (at most {@value #KEPT}). */
    byte[] word() {
        return java.util.Arrays.copyOf(word, kept);
    }

    /** The 0-based position of the word read last: the number of words before it. */
    long position() {
        return words - 1;
    }

    long line() {
        return wordLine;
    }

    long column() {
        return wordColumn;
    }

    private String describe(String what) {
        StringBuilder w = new StringBuilder();
        int n = Math.min(kept, 40);
        for (int k = 0; k < n; k++) {
            int c = word[k] & 0xFF;
            w.append(c < 0x7F ? (char) c : '?');
        }
        if (wordLength > n) {
            w.append(String.format(Locale.ROOT, "... (%,d bytes)", wordLength));
        }
        return String.format(Locale.ROOT, "token '%s' at line %,d, column %,d of %s %s", w, wordLine, wordColumn,
                name, what);
    }

    private int read() throws IOException {
        if (pos == len) {
            if (eof) {
                return -1;
            }
            int r = in.read(buf, 0, buf.length);
            if (r <= 0) {
                eof = true;
                return -1;
            }
            pos = 0;
            len = r;
        }
        column++;
        return buf[pos++] & 0xFF;
    }
}
