package io.longseq.stream;

/**
 * Text of bounded size from untrusted strings, for dead-letter reasons and notices (docs/design.md G5): UTF-8 lengths
 * counted without encoding, cuts that never split a surrogate pair, one-line escaping, and a short escaped prefix
 * that names a huge value without copying it. Plain code, no Flink; every method is linear in the characters it
 * looks at, allocates at most its result, and never recurses.
 */
public final class BoundedText {

    /** What a cut string ends with. */
    public static final String ELLIPSIS = "...";

    private BoundedText() {}

    /**
     * The UTF-8 length of {@code s} in bytes. A lone surrogate counts 3 bytes, an upper bound (Java's encoder
     * writes it as the 1-byte '?'), so a cap checked with this holds for the encoded bytes.
     */
    public static long utf8Length(CharSequence s) {
        long n = 0;
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /**
     * The longest prefix of {@code s} whose UTF-8 encoding takes at most {@code maxBytes} bytes, cut between code
     * points; {@code s} itself if it fits.
     */
    public static String prefixOfUtf8Bytes(String s, int maxBytes) {
        long n = 0;
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            int bytes;
            int chars = 1;
            if (c < 0x80) {
                bytes = 1;
            } else if (c < 0x800) {
                bytes = 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes = 4;
                chars = 2;
            } else {
                bytes = 3;
            }
            if (n + bytes > maxBytes) {
                return s.substring(0, i);
            }
            n += bytes;
            i += chars - 1;
        }
        return s;
    }

    /**
     * {@code s} if it has at most {@code maxChars} characters; else its first characters (one fewer if that would
     * split a surrogate pair) and {@link #ELLIPSIS}, at most {@code maxChars} + 3 characters in all.
     */
    public static String cut(String s, int maxChars) {
        if (s.length() <= maxChars) {
            return s;
        }
        int end = maxChars;
        if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + ELLIPSIS;
    }

    /**
     * {@code s} on one line: line breaks, tabs and other control characters escaped ({@code \n}, {@code \r},
     * {@code \t}, {@code \xNN}), everything else as it is. Returns {@code s} itself when nothing needs escaping.
     */
    public static String oneLine(String s) {
        int len = s.length();
        int i = 0;
        while (i < len && !needsEscape(s.charAt(i))) {
            i++;
        }
        if (i == len) {
            return s;
        }
        StringBuilder b = new StringBuilder(len + 16).append(s, 0, i);
        for (; i < len; i++) {
            char c = s.charAt(i);
            if (needsEscape(c)) {
                escapeControl(b, c);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * At most {@code maxChars} characters of {@code s} in double quotes, escaped so that they are printable ASCII
     * (or letters and digits of any script) on one line, with {@link #ELLIPSIS} after the closing quote when
     * {@code s} is longer: {@code "abc\x00d"...}. Reads only the characters it shows.
     */
    public static String quotedPrefix(String s, int maxChars) {
        int n = Math.min(s.length(), maxChars);
        if (n < s.length() && n > 0 && Character.isHighSurrogate(s.charAt(n - 1))) {
            n--;
        }
        StringBuilder b = new StringBuilder(n + 8).append('"');
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7F) {
                b.append(c);
            } else if (needsEscape(c)) {
                escapeControl(b, c);
            } else if (c >= 0x80 && Character.isLetterOrDigit(c)) {
                b.append(c);
            } else {
                b.append(String.format("\\u%04X", (int) c)); // format, bidi and other invisible characters
            }
        }
        b.append('"');
        if (n < s.length()) {
            b.append(ELLIPSIS);
        }
        return b.toString();
    }

    /**
     * One line about a throwable, for "internal error" reasons: its class name, then its message cut to
     * {@code maxMessageChars} and put on one line ("(no message)" when it has none).
     */
    public static String describe(Throwable t, int maxMessageChars) {
        String m = t.getMessage();
        return t.getClass().getName() + ": " + (m == null ? "(no message)" : oneLine(cut(m, maxMessageChars)));
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == '\u2028' || c == '\u2029';
    }

    private static void escapeControl(StringBuilder b, char c) {
        switch (c) {
            case '\n' -> b.append("\\n");
            case '\r' -> b.append("\\r");
            case '\t' -> b.append("\\t");
            default -> {
                if (c < 0x100) {
                    b.append(String.format("\\x%02X", (int) c));
                } else {
                    b.append(String.format("\\u%04X", (int) c));
                }
            }
        }
    }
}
