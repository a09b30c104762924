package io.longseq.math;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Words of a log line, with the variable parts masked, and their hashes (DESIGN.md 2.1, log lines).
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
 */
public final class LogLines {

    public static final String IP = "<IP>";
    public static final String PATH = "<PATH>";
    public static final String HEX = "<HEX>";
    public static final String NUM = "<NUM>";

    private static final String ALNUM = "[\\p{L}\\p{N}]";
    private static final String PATH_CHAR = "[\\p{L}\\p{N}_.~-]";
    private static final String IPV4 = "(?:\\d{1,3}\\.){3}\\d{1,3}(?::\\d{1,5})?(?!" + ALNUM + "|\\.\\d)";
    private static final String HEXD = "[0-9a-fA-F]";

    private static final Pattern TOKEN = Pattern.compile(
            "(?<ip>(?<![\\p{L}\\p{N}.])" + IPV4 + ")"
            + "|(?<path>" + PATH_CHAR + "*(?:/(?!" + IPV4 + ")" + PATH_CHAR + "+)+/?"
            + "|" + PATH_CHAR + "+/)"
            + "|(?<hex>(?<!" + ALNUM + ")(?:0[xX]" + HEXD + "+"
            + "|" + HEXD + "{8}-" + HEXD + "{4}-" + HEXD + "{4}-" + HEXD + "{4}-" + HEXD + "{12}"
            + "|(?=" + HEXD + "*[0-9])(?=" + HEXD + "*[a-fA-F])" + HEXD + "{8,})(?!" + ALNUM + "))"
            + "|(?<num>(?<!" + ALNUM + ")[-+]?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?)"
            + "|(?<word>" + ALNUM + "+)");

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
        Matcher m = TOKEN.matcher(line);
        while (out.size() < max && m.find()) {
            if (m.group("ip") != null) {
                out.add(IP);
            } else if (m.group("path") != null) {
                out.add(PATH);
            } else if (m.group("hex") != null) {
                out.add(HEX);
            } else if (m.group("num") != null) {
                out.add(NUM);
            } else {
                out.add(m.group("word").toLowerCase(Locale.ROOT));
            }
        }
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
}
