package io.longseq.jobs.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** Text helpers of the report page: escaping and number formats. */
final class Html {

    private Html() {}

    /** Text for an HTML element or a double-quoted attribute. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n') {
                        b.append("&#xfffd;");
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** A weight with at most two significant digits, never in exponent notation: 0.5, 0.42, 0.0023; "–" for NaN. */
    static String weight(double w) {
        if (Double.isNaN(w)) {
            return "–";
        }
        if (w == 0) {
            return "0";
        }
        return new BigDecimal(w).round(new MathContext(2)).stripTrailingZeros().toPlainString();
    }

    /** A value in [0, 1] with three decimals (a mean self weight): 0.996; "–" for NaN. */
    static String fixed(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.3f", v);
    }

    /** A pixel coordinate with one decimal. */
    static String px(double v) {
        long t = Math.round(v * 10);
        return t % 10 == 0 ? Long.toString(t / 10) : String.format(Locale.ROOT, "%.1f", t / 10.0);
    }

    static String count(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    /** A byte count: 812 B, 41 KB, 3.2 MB. */
    static String bytes(long v) {
        if (v < 1024) {
            return v + " B";
        }
        if (v < 1024 * 1024) {
            return Math.round(v / 1024.0) + " KB";
        }
        return String.format(Locale.ROOT, "%.1f MB", v / (1024.0 * 1024));
    }
}
