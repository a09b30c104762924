package io.longseq.jobs.output;


/**
 * A cursor over one JSON line that the job wrote itself ({@link BlockJsonWriter}, {@link JsonLines}), reading the
 * fields in the order they were written: a literal, a string, an integer, a float. One pass, left to right, no
 * regular expression and no recursion, so a line of any length (a 700 KB escaped sequence id) costs time linear in
 * its length. Anything unexpected is a {@link Malformed} naming the offset.
 */
final class JsonScan {

    /** The line is not what the writer writes. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    private final String s;
    private int i;

    JsonScan(String line) {
        this.s = line;
    }

    /** The offset of the next character. */
    int position() {
        return i;
    }

    /** Reads exactly {@code literal}. */
    JsonScan expect(String literal) throws Malformed {
        if (!s.startsWith(literal, i)) {
            throw new Malformed("expected " + literal + " at offset " + i);
        }
        i += literal.length();
        return this;
    }

    /** True (and reads it) if {@code literal} comes next. */
    boolean accept(String literal) {
        if (s.startsWith(literal, i)) {
            i += literal.length();
            return true;
        }
        return false;
    }

    /** Moves past the next occurrence of {@code literal}. */
    JsonScan skipPast(String literal) throws Malformed {
        int at = s.indexOf(literal, i);
        if (at < 0) {
            throw new Malformed("no " + literal + " after offset " + i);
        }
        i = at + literal.length();
        return this;
    }

    /** A JSON string literal, unescaped (RFC 8259 escapes, as {@link BlockJsonWriter#string} writes them). */
    String string() throws Malformed {
        expect("\"");
        StringBuilder b = null; // only when there is an escape
        int from = i;
        while (true) {
            if (i >= s.length()) {
                throw new Malformed("unterminated string from offset " + (from - 1));
            }
            char c = s.charAt(i);
            if (c == '"') {
                String out = b == null ? s.substring(from, i) : b.append(s, from, i).toString();
                i++;
                return out;
            }
            if (c != '\\') {
                i++;
                continue;
            }
            if (b == null) {
                b = new StringBuilder();
            }
            b.append(s, from, i);
            if (i + 1 >= s.length()) {
                throw new Malformed("unterminated escape at offset " + i);
            }
            char e = s.charAt(i + 1);
            i += 2;
            switch (e) {
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case '"', '\\', '/' -> b.append(e);
                case 'u' -> {
                    if (i + 4 > s.length()) {
                        throw new Malformed("short \\u escape at offset " + (i - 2));
                    }
                    int v = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = Character.digit(s.charAt(i + k), 16);
                        if (d < 0) {
                            throw new Malformed("bad \\u escape at offset " + (i - 2));
                        }
                        v = v * 16 + d;
                    }
                    b.append((char) v);
                    i += 4;
                }
                default -> throw new Malformed("bad escape \\" + e + " at offset " + (i - 2));
            }
            from = i;
        }
    }

    /** A non-negative or negative decimal integer that fits a long. */
    long integer() throws Malformed {
        int from = i;
        boolean negative = i < s.length() && s.charAt(i) == '-';
        if (negative) {
            i++;
        }
        long v = 0;
        int digits = 0;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            if (++digits > 18) {
                throw new Malformed("integer too long at offset " + from);
            }
            v = v * 10 + (s.charAt(i++) - '0');
        }
        if (digits == 0) {
            throw new Malformed("expected an integer at offset " + from);
        }
        return negative ? -v : v;
    }

    /** A number as {@link ShortestFloat} writes it, or {@code null} (NaN). */
    float number() throws Malformed {
        if (accept("null")) {
            return Float.NaN;
        }
        int from = i;
        while (i < s.length() && i - from < 40 && "-+.0123456789eE".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        try {
            return Float.parseFloat(s.substring(from, i));
        } catch (NumberFormatException e) {
            throw new Malformed("expected a number at offset " + from);
        }
    }
}
