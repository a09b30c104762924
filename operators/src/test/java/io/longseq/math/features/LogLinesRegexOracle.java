package io.longseq.math.features;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The log masking as it was first written: one {@code java.util.regex} pattern (copied unchanged from
 * {@code LogLines} before the scanner). The scanner must give exactly these tokens on every line this pattern
 * can finish: the tokens' ids feed the model. Test-only: it recurses once per path segment and is quadratic on
 * runs of '.' or '-', so it is only run on short lines.
 */
public final class LogLinesRegexOracle {

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

    private LogLinesRegexOracle() {}

    /** The old {@code LogLines.words(line, max)}. */
    public static List<String> words(String line, int max) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(line);
        while (out.size() < max && m.find()) {
            if (m.group("ip") != null) {
                out.add(LogLines.IP);
            } else if (m.group("path") != null) {
                out.add(LogLines.PATH);
            } else if (m.group("hex") != null) {
                out.add(LogLines.HEX);
            } else if (m.group("num") != null) {
                out.add(LogLines.NUM);
            } else {
                out.add(m.group("word").toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    public static List<String> words(String line) {
        return words(line, Integer.MAX_VALUE);
    }
}
