package io.longseq.math.features;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Words of a log line, with the variable parts masked, and their hashes (docs/design.md 2.1, log lines).
 *
 * <p>The point of masking is that two lines printed by the same log statement share their words: block ids,
 * counters, addresses and file names vary from line to line and would otherwise make every line unique.
 *
 * <p><b>Rules.</b> The line is scanned from left to right; at each character the first of these patterns that
 * matches there (in this order) gives the next token, and a character where none matches is a separator
 * and is dropped:
 * <ol>
 *   <li><b>{@code <IP>}</b>: an IPv4 address, four dot-separated groups of 1–3 digits, with an optional
 *       {@code :port} of 1–5 digits; not preceded by a letter, digit or '.', and not followed by a letter, digit
 *       or '.'+digit. Example: {@code 183.62.140.253}, {@code 10.250.19.102:50010}.</li>
 *   <li><b>{@code <PATH>}</b>: a run of path characters (letters, digits, {@code _ . ~ -}) and {@code '/'} that
 *       contains a {@code '/'} with a path character on at least one side, e.g. {@code /var/log/syslog},
 *       {@code a/b/c}, {@code ./run.sh}, {@code conf/}. A {@code '/'} directly before an IP address does not
 *       start a path, so {@code /10.0.0.1:80} is an {@code <IP>}.</li>
 *   <li><b>{@code <HEX>}</b>: {@code 0x} or {@code 0X} followed by hex digits; a UUID
 *       ({@code 8-4-4-4-12} hex digits); or a run of at least 8 hex digits holding at least one digit 0–9 and
 *       one letter a–f (a run of decimal digits only is a number). Not preceded or followed by a letter or
 *       digit.</li>
 *   <li><b>{@code <NUM>}</b>: a decimal number not preceded by a letter or digit: optional sign (a '+' or '-'
 *       that itself is not preceded by a letter or digit, so {@code 2015-10-18} is three numbers while
 *       {@code blk_-160} is one negative number), digits, an optional fraction {@code .digits}, an optional
 *       exponent {@code e±digits}. Letters may follow: {@code 35ms} is {@code <NUM>} and {@code ms}.</li>
 *   <li><b>word</b>: a run of letters and digits (Unicode), lowercased with {@link Locale#ROOT}. The underscore
 *       is a separator, so {@code blk_3886} gives {@code blk} and {@code <NUM>}, and {@code dfs.DataNode$Packet}
 *       gives {@code dfs}, {@code datanode}, {@code packet}.</li>
 * </ol>
 * Placeholders are the upper-case strings {@code <IP>}, {@code <PATH>}, {@code <HEX>}, {@code <NUM>}; no
 * lowercased word can equal one. Repeated words are kept (the embedding mean then weighs them). Only the
 * first F tokens of a line are kept.
 *
 * <p><b>Hash.</b> A token's id is {@code Integer.remainderUnsigned(fnv1a32(UTF-8 bytes), V)}: 32-bit FNV-1a
 * (offset basis {@code 0x811C9DC5}, prime {@code 0x01000193}), reduced to {@code [0, V)} with V =
 * {@code vocabSize}. Placeholders are hashed like words. The same word gets the same id on every machine.
 *
 * <p><b>Implementation.</b> The rules were first one {@code java.util.regex} pattern (kept as a test oracle,
 * {@code LogLinesRegexOracle}, whose tokens this class reproduces exactly on every line the pattern could
 * finish); its backtracking recursed once per path segment and was quadratic on runs of {@code '.'} or
 * {@code '-'}. {@link #words} is a left-to-right scanner instead: no recursion, and linear time — each
 * position tries the five rules, and every rule either reads O(1) characters or reads characters that
 * the token it makes consumes; the only exceptions, the run of path characters a failed {@code <PATH>} reads
 * and the hex run a failed {@code <HEX>} reads, are read once per run (the path run is remembered, a hex
 * run can only be tried from its first character). Two details of the pattern are kept on purpose:
 * "preceded by" looks at the one UTF-16 char before (a supplementary letter or digit there is not seen),
 * and {@code \d}, hex digits and the '.'/':' parts are ASCII while letters and digits are Unicode code
 * points ({@code \p{L}}, {@code \p{N}}: {@link Character#getType}).
 */
public final class LogLines {

    public static final String IP = "<IP>";
    public static final String PATH = "<PATH>";
    public static final String HEX = "<HEX>";
    public static final String NUM = "<NUM>";

    // \p{L} and \p{N}: the Unicode general categories of letters and numbers
    private static final int ALNUM_TYPES = (1 << Character.UPPERCASE_LETTER) | (1 << Character.LOWERCASE_LETTER)
            | (1 << Character.TITLECASE_LETTER) | (1 << Character.MODIFIER_LETTER) | (1 << Character.OTHER_LETTER)
            | (1 << Character.DECIMAL_DIGIT_NUMBER) | (1 << Character.LETTER_NUMBER)
            | (1 << Character.OTHER_NUMBER);
    private static final int UUID_LENGTH = 36;  // 8-4-4-4-12 hex digits and four '-'

    private LogLines() {}

    /**
     * The masked, lowercased words of a line, in order, at most {@code max} of them.
     *
     * @throws IllegalArgumentException if line is null or max is negative
     */
    public static List<String> words(String line, int max) {
        if (line == null) {
            throw new IllegalArgumentException("log line is null");
        }
        if (max < 0) {
            throw new IllegalArgumentException("max words " + max + " is negative");
        }
        List<String> out = new ArrayList<>();
        new Scanner(line).scan(out, max);
        return out;
    }

    /** All masked words of a line. */
    public static List<String> words(String line) {
        return words(line, Integer.MAX_VALUE);
    }

    /** The id of a word in {@code [0, buckets)}: {@code Integer.remainderUnsigned(fnv1a32(word), buckets)}. */
    public static int hash(String word, int buckets) {
        if (buckets <= 0) {
            throw new IllegalArgumentException("hash buckets " + buckets + " must be positive");
        }
        return Integer.remainderUnsigned(fnv1a32(word.getBytes(StandardCharsets.UTF_8)), buckets);
    }

    /** 32-bit FNV-1a of the bytes. */
    public static int fnv1a32(byte[] bytes) {
        int h = 0x811C9DC5;
        for (byte b : bytes) {
            h ^= b & 0xFF;
            h *= 0x01000193;
        }
        return h;
    }

    /** A letter or digit: {@code [\p{L}\p{N}]} (a lone surrogate is neither). */
    static boolean alnum(int cp) {
        return ((ALNUM_TYPES >>> Character.getType(cp)) & 1) != 0;
    }

    private static boolean pathChar(int cp) {
        return cp == '_' || cp == '.' || cp == '~' || cp == '-' || alnum(cp);
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean hexDigit(char c) {
        int lower = c | 0x20;  // 'A'..'F' -> 'a'..'f'; no other char lands in 'a'..'f'
        return digit(c) || (lower >= 'a' && lower <= 'f');
    }

    /**
     * One line's scan. Every method that matches a rule at position i returns the end of the token (exclusive)
     * or -1; each reads the line as the pattern's rule did (see the class comment), without backtracking.
     */
    private static final class Scanner {

        private final String s;
        private final int n;
        // the last maximal run of path characters found, [runStart, runEnd): every start inside it ends there
        private int runStart = -1;
        private int runEnd = -1;

        Scanner(String s) {
            this.s = s;
            this.n = s.length();
        }

        void scan(List<String> out, int max) {
            int i = 0;
            while (i < n && out.size() < max) {
                // no rule can start on the second half of a surrogate pair, nor on a lone low surrogate
                if (Character.isLowSurrogate(s.charAt(i))) {
                    i++;
                    continue;
                }
                int end;
                if ((end = ip(i)) >= 0) {
                    out.add(IP);
                } else if ((end = path(i)) >= 0) {
                    out.add(PATH);
                } else if ((end = hex(i)) >= 0) {
                    out.add(HEX);
                } else if ((end = num(i)) >= 0) {
                    out.add(NUM);
                } else if ((end = word(i)) >= 0) {
                    out.add(s.substring(i, end).toLowerCase(Locale.ROOT));
                } else {
                    i++;  // a separator
                    continue;
                }
                i = end;
            }
        }

        // the char before i is a letter or digit (the pattern's one-char lookbehind: a UTF-16 unit)
        private boolean afterAlnum(int i) {
            return i > 0 && alnum(s.charAt(i - 1));
        }

        private boolean alnumAt(int p) {
            return p < n && alnum(s.codePointAt(p));
        }

        // ASCII digits from p, counting at most limit of them
        private int digits(int p, int limit) {
            int k = 0;
            while (k < limit && p + k < n && digit(s.charAt(p + k))) {
                k++;
            }
            return k;
        }

        private int digitRunEnd(int p) {
            while (p < n && digit(s.charAt(p))) {
                p++;
            }
            return p;
        }

        /** {@code <IP>}: not after a letter, digit or '.', then {@link #ipv4}. */
        private int ip(int i) {
            if (!digit(s.charAt(i)) || afterAlnum(i) || (i > 0 && s.charAt(i - 1) == '.')) {
                return -1;
            }
            return ipv4(i);
        }

        /**
         * {@code (\d{1,3}\.){3}\d{1,3}(:\d{1,5})?} not followed by a letter, digit or '.'+digit. A group is
         * its whole digit run (a shorter one leaves a digit where '.', ':' or the end check must be); the port
         * is taken when it passes the end check, else the address ends before the ':' (which passes it).
         */
        private int ipv4(int p) {
            for (int g = 0; g < 3; g++) {
                int d = digits(p, 4);
                if (d == 0 || d > 3 || p + d >= n || s.charAt(p + d) != '.') {
                    return -1;
                }
                p += d + 1;
            }
            int d = digits(p, 4);
            if (d == 0 || d > 3) {
                return -1;
            }
            int e = p + d;
            if (e < n && s.charAt(e) == ':') {
                int port = digits(e + 1, 6);
                if (port >= 1 && port <= 5 && ipEndOk(e + 1 + port)) {
                    return e + 1 + port;
                }
                return e;
            }
            return ipEndOk(e) ? e : -1;
        }

        // (?![\p{L}\p{N}]|\.\d) at p
        private boolean ipEndOk(int p) {
            if (p >= n) {
                return true;
            }
            if (s.charAt(p) == '.') {
                return !(p + 1 < n && digit(s.charAt(p + 1)));
            }
            return !alnum(s.codePointAt(p));
        }

        /** The end of the maximal run of path characters from i (i is not inside a surrogate pair). */
        private int pathRun(int i) {
            if (i >= runStart && i <= runEnd) {
                return runEnd;
            }
            int p = i;
            while (p < n) {
                int cp = s.codePointAt(p);
                if (!pathChar(cp)) {
                    break;
                }
                p += Character.charCount(cp);
            }
            runStart = i;
            runEnd = p;
            return p;
        }

        // at a '/' in p: `/(?!IPV4)PATH_CHAR+` can start, a segment follows and it is not an IPv4 address
        private boolean segmentAt(int p) {
            return p + 1 < n && pathChar(s.codePointAt(p + 1)) && ipv4(p + 1) < 0;
        }

        /**
         * {@code <PATH>}: path characters up to a '/', then segments '/'+path characters as long as they go
         * and one optional trailing '/'; or, with no segment after the first '/', at least one path character
         * and that '/'.
         */
        private int path(int i) {
            int j = pathRun(i);
            if (j >= n || s.charAt(j) != '/') {
                return -1;
            }
            if (segmentAt(j)) {
                int p = j;
                do {
                    p = pathRun(p + 1);
                } while (p < n && s.charAt(p) == '/' && segmentAt(p));
                return p < n && s.charAt(p) == '/' ? p + 1 : p;
            }
            return j > i ? j + 1 : -1;
        }

        /**
         * {@code <HEX>}: not after a letter or digit; 0x+hex digits, a UUID, or at least 8 hex digits holding a
         * digit and a letter; each only when no letter or digit follows (tried in that order). The hex run is
         * read from its first character only: every later character of it comes after a hex digit.
         */
        private int hex(int i) {
            char c = s.charAt(i);
            if (!hexDigit(c) || afterAlnum(i)) {
                return -1;
            }
            if (c == '0' && i + 1 < n && (s.charAt(i + 1) | 0x20) == 'x') {
                int h = i + 2;
                while (h < n && hexDigit(s.charAt(h))) {
                    h++;
                }
                // 'x' is no hex digit: the UUID and the long run cannot match here either
                return h > i + 2 && !alnumAt(h) ? h : -1;
            }
            if (uuidAt(i) && !alnumAt(i + UUID_LENGTH)) {
                return i + UUID_LENGTH;
            }
            int h = i;
            boolean hasDigit = false;
            boolean hasLetter = false;
            while (h < n && hexDigit(s.charAt(h))) {
                if (digit(s.charAt(h))) {
                    hasDigit = true;
                } else {
                    hasLetter = true;
                }
                h++;
            }
            return h - i >= 8 && hasDigit && hasLetter && !alnumAt(h) ? h : -1;
        }

        private boolean uuidAt(int i) {
            if (n - i < UUID_LENGTH) {
                return false;
            }
            for (int k = 0; k < UUID_LENGTH; k++) {
                char c = s.charAt(i + k);
                boolean ok = k == 8 || k == 13 || k == 18 || k == 23 ? c == '-' : hexDigit(c);
                if (!ok) {
                    return false;
                }
            }
            return true;
        }

        /**
         * {@code <NUM>}: not after a letter or digit; an optional sign when a digit follows it, digits, '.'+digits
         * when there, and e/E, optional sign, digits when there.
         */
        private int num(int i) {
            char c = s.charAt(i);
            int p;
            if (digit(c)) {
                p = i;
            } else if ((c == '-' || c == '+') && i + 1 < n && digit(s.charAt(i + 1))) {
                p = i + 1;
            } else {
                return -1;
            }
            if (afterAlnum(i)) {
                return -1;
            }
            p = digitRunEnd(p);
            if (p + 1 < n && s.charAt(p) == '.' && digit(s.charAt(p + 1))) {
                p = digitRunEnd(p + 1);
            }
            if (p < n && (s.charAt(p) | 0x20) == 'e') {
                int q = p + 1;
                if (q + 1 < n && (s.charAt(q) == '-' || s.charAt(q) == '+') && digit(s.charAt(q + 1))) {
                    p = digitRunEnd(q + 1);
                } else if (q < n && digit(s.charAt(q))) {
                    p = digitRunEnd(q);
                }
            }
            return p;
        }

        /** A word: the run of letters and digits (code points) from i. */
        private int word(int i) {
            int p = i;
            while (p < n) {
                int cp = s.codePointAt(p);
                if (!alnum(cp)) {
                    break;
                }
                p += Character.charCount(cp);
            }
            return p > i ? p : -1;
        }
    }
}
