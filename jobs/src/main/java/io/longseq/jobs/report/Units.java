package io.longseq.jobs.report;

import java.util.Locale;

/** What a position is, for labels and distances: a base (bp), a token, a log line, or unknown. */
enum Units {
    BP("bp"), TOKENS("tokens"), LINES("lines"), POSITIONS("positions");

    private final String word;

    Units(String word) {
        this.word = word;
    }

    /** From a kind as the options spell it (dna, tokens, log); null or anything else gives {@link #POSITIONS}. */
    static Units ofKind(String kind) {
        if (kind == null) {
            return POSITIONS;
        }
        return switch (kind.trim().toLowerCase(Locale.ROOT)) {
            case "dna" -> BP;
            case "tokens" -> TOKENS;
            case "log" -> LINES;
            default -> POSITIONS;
        };
    }

    String word() {
        return word;
    }

    /** A position with thousands separators: 14,080. */
    static String position(long p) {
        return String.format(Locale.ROOT, "%,d", p);
    }

    /**
     * A length or distance for a person: bases as 812 bp, 7.9 kbp, 21 kbp, 1.25 Mbp; other units as 21,504 tokens.
     */
    String amount(long v) {
        if (this != BP) {
            return position(v) + " " + word;
        }
        long a = Math.abs(v);
        if (a < 1_000) {
            return v + " bp";
        }
        if (a < 1_000_000) {
            return a < 10_000 ? String.format(Locale.ROOT, "%.1f kbp", v / 1e3) : Math.round(v / 1e3) + " kbp";
        }
        return String.format(Locale.ROOT, a < 10_000_000 ? "%.2f Mbp" : "%.1f Mbp", v / 1e6);
    }

    /** An axis tick label: 0, 20k, 1.5M (with the unit word appended by the axis title, not here). */
    static String tick(long v) {
        if (v == 0) {
            return "0";
        }
        if (v % 1_000_000 == 0) {
            return v / 1_000_000 + "M";
        }
        if (v >= 1_000_000) {
            return String.format(Locale.ROOT, "%.1fM", v / 1e6);
        }
        if (v % 1_000 == 0) {
            return v / 1_000 + "k";
        }
        return v >= 1_000 ? String.format(Locale.ROOT, "%.1fk", v / 1e3) : Long.toString(v);
    }

    /** A step of 1, 2 or 5 times a power of ten that cuts [0, span] into about {@code target} intervals. */
    static long niceStep(long span, int target) {
        double raw = Math.max(1.0, span / (double) Math.max(1, target));
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double m = raw / p;
        double step = m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10;
        return Math.max(1, Math.round(step * p));
    }
}
