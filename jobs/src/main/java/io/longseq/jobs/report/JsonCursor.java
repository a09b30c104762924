package io.longseq.jobs.report;

import java.io.IOException;
import java.io.Reader;

/**
 * A forward-only cursor over JSON text read from a {@link Reader} through a fixed buffer, for files of JSON lines
 * whose lines may be long (a block line carries 2·d floats, a sequence id may be 700 KB): it never holds a whole
 * line, only the values the caller keeps, each capped. One pass, no regular expression, no recursion (a nested value
 * is skipped with a depth counter), so time is linear in the input and memory does not depend on it. Positions in
 * messages are 1-based line and column.
 */
final class JsonCursor {

    /** The text is not JSON of the expected shape; the message names line and column. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    /** A string value: its first {@code kept} characters, its full length and a 64-bit FNV-1a hash of all of it. */
    record Str(String kept, long length, long hash) {
        boolean truncated() {
            return length > kept.length();
        }
    }

    static final int EOF = -1;

    private final Reader in;
    private final String name;
    private final char[] buf = new char[1 << 16];
    private int pos;
    private int lim;
    private long line = 1;
    private long column = 1;
    private final char[] num = new char[48]; // one number's characters
    private boolean multiline; // line ends count as blanks (a whole-file JSON document)

    /** @param name the file's name, for messages */
    JsonCursor(Reader in, String name) {
        this.in = in;
        this.name = name;
    }

    /** The next character without consuming it, or {@link #EOF}. */
    int peek() throws IOException {
        if (pos == lim) {
            lim = in.read(buf, 0, buf.length);
            pos = 0;
            if (lim <= 0) {
                lim = 0;
                return EOF;
            }
        }
        return buf[pos];
    }

    /** Consumes and returns the next character, or {@link #EOF}. */
    int read() throws IOException {
        int c = peek();
        if (c != EOF) {
            pos++;
            if (c == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return c;
    }

    /** Makes line ends count as blanks, for a JSON document that spans lines (settings.json). */
    JsonCursor multiline() {
        multiline = true;
        return this;
    }

    String name() {
        return name;
    }

    long line() {
        return line;
    }

    /** "name line L, column C: what". */
    Malformed malformed(String what) {
        return new Malformed(name + " line " + line + ", column " + column + ": " + what);
    }

    /** Skips spaces, tabs and carriage returns; line ends too when {@link #multiline()}. */
    void skipBlanks() throws IOException {
        int c;
        while ((c = peek()) == ' ' || c == '\t' || c == '\r' || (multiline && c == '\n')) {
            read();
        }
    }

    /** Reads {@code c} after optional blanks. */
    void expect(char c) throws IOException, Malformed {
        skipBlanks();
        int got = peek();
        if (got != c) {
            throw malformed("expected '" + c + "' but found " + describe(got));
        }
        read();
    }

    /** True (and reads it) if {@code c} comes next after optional blanks. */
    boolean accept(char c) throws IOException {
        skipBlanks();
        if (peek() == c) {
            read();
            return true;
        }
        return false;
    }

    /** Skips to just after the next line end (or to the end of the input). */
    void skipLine() throws IOException {
        int c;
        while ((c = read()) != EOF && c != '\n') {
            // skipped
        }
    }

    /** A string literal, keeping at most {@code keep} characters; the rest is hashed and counted, not stored. */
    Str string(int keep) throws IOException, Malformed {
        expect('"');
        StringBuilder b = new StringBuilder(Math.min(keep, 64));
        long length = 0;
        long hash = 0xcbf29ce484222325L;
        while (true) {
            int c = read();
            if (c == EOF || c == '\n') {
                throw malformed("unterminated string");
            }
            if (c == '"') {
                return new Str(b.toString(), length, hash);
            }
            if (c == '\\') {
                c = escape();
            }
            if (length < keep) {
                b.append((char) c);
            }
            length++;
            hash = (hash ^ c) * 0x100000001b3L;
        }
    }

    private int escape() throws IOException, Malformed {
        int e = read();
        switch (e) {
            case 'n': return '\n';
            case 'r': return '\r';
            case 't': return '\t';
            case 'b': return '\b';
            case 'f': return '\f';
            case '"': case '\\': case '/': return e;
            case 'u': {
                int v = 0;
                for (int k = 0; k < 4; k++) {
                    int d = Character.digit(read(), 16);
                    if (d < 0) {
                        throw malformed("bad \\u escape");
                    }
                    v = v * 16 + d;
                }
                return v;
            }
            default: throw malformed("bad escape \\" + describe(e));
        }
    }

    /** A number or {@code null} (NaN) as a double; at most 48 characters. */
    double number() throws IOException, Malformed {
        skipBlanks();
        if (peek() == 'n') {
            literal("null");
            return Double.NaN;
        }
        int n = 0;
        int c;
        while ((c = peek()) != EOF && isNumberChar(c)) {
            if (n == num.length) {
                throw malformed("number longer than " + num.length + " characters");
            }
            num[n++] = (char) read();
        }
        if (n == 0) {
            throw malformed("expected a number but found " + describe(c));
        }
        try {
            return Double.parseDouble(new String(num, 0, n));
        } catch (NumberFormatException e) {
            throw malformed("not a number: " + new String(num, 0, n));
        }
    }

    /** A whole number that fits a long (a float value with no fraction is accepted, e.g. 3.0). */
    long integer() throws IOException, Malformed {
        skipBlanks();
        long at = column;
        double v = number();
        if (Double.isNaN(v) || v != Math.rint(v) || Math.abs(v) >= 1L << 53) {
            throw new Malformed(name + " line " + line + ", column " + at + ": expected an integer below 2^53 but found "
                    + (Double.isNaN(v) ? "null" : new java.math.BigDecimal(v).stripTrailingZeros().toPlainString()));
        }
        return (long) v;
    }

    /** Reads exactly {@code word} (true, false, null). */
    void literal(String word) throws IOException, Malformed {
        skipBlanks();
        for (int k = 0; k < word.length(); k++) {
            if (read() != word.charAt(k)) {
                throw malformed("expected " + word);
            }
        }
    }

    /**
     * Skips one value of any kind: nested arrays and objects with a depth counter (no recursion), strings with their
     * escapes. Only checks brackets balance and strings end; the text inside is not validated further.
     */
    void skipValue() throws IOException, Malformed {
        skipBlanks();
        long depth = 0;
        do {
            int c = peek();
            switch (c) {
                case EOF -> throw malformed("value cut off by the end of the file");
                case '\n' -> {
                    if (!multiline) {
                        throw malformed("value cut off by the end of the line");
                    }
                    read();
                }
                case '"' -> string(0);
                case '[', '{' -> {
                    read();
                    depth++;
                }
                case ']', '}' -> {
                    if (depth == 0) {
                        throw malformed("unexpected '" + (char) c + "'");
                    }
                    read();
                    depth--;
                }
                default -> {
                    if (depth == 0 && (c == ',' || c == ':')) {
                        throw malformed("expected a value but found '" + (char) c + "'");
                    }
                    read(); // a number, literal, comma, colon or blank inside the value
                }
            }
        } while (depth > 0);
        // a scalar at depth 0: the loop consumed its first character; consume the rest of it
        int c;
        while ((c = peek()) != EOF && (isNumberChar(c) || Character.isLetter(c))) {
            read();
        }
    }

    /**
     * Skips an array of numbers and nulls (a summary or context vector) in a tight loop over the buffer and returns
     * how many values it held. Anything else inside (a string, a nested value, a line end) is malformed.
     */
    int skipNumberArray() throws IOException, Malformed {
        expect('[');
        int values = 0;
        boolean inValue = false;
        while (true) {
            if (pos == lim && peek() == EOF) {
                throw malformed("array cut off by the end of the file");
            }
            int from = pos;
            int i = pos;
            int end = lim;
            char[] b = buf;
            while (i < end) {
                char c = b[i];
                if ((c >= '0' && c <= '9') || c == '.' || c == '-' || c == 'e' || c == 'E' || c == '+' || c == 'n'
                        || c == 'u' || c == 'l') {
                    if (!inValue) {
                        inValue = true;
                        values++;
                    }
                } else if (c == ',') {
                    inValue = false;
                } else if (c == ']') {
                    column += i + 1 - from;
                    pos = i + 1;
                    return values;
                } else if (c != ' ' && c != '\t' && c != '\r') {
                    column += i - from;
                    pos = i;
                    throw malformed("expected a number in the array but found " + describe(c));
                }
                i++;
            }
            column += i - from;
            pos = i;
        }
    }

    private static boolean isNumberChar(int c) {
        return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
    }

    static String describe(int c) {
        return c == EOF ? "the end of the file" : c == '\n' ? "the end of the line" : "'" + (char) c + "'";
    }
}
