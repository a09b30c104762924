package io.longseq.jobs.output;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.TopEntry;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * The part of a run's summary that says what the blocks show, in the input's coordinates (docs/outputs.md): the
 * strongest long-range links ("[14,080-14,336) resembles [6,144-6,400), 7.9 kbp earlier (weight 0.42)"; lines for
 * a log, tokens for token ids) or, when none reaches the link threshold, a sentence saying that the input shows no
 * clear long-range repeat; for logs and tokens the most novel blocks; the number of alerts. Blocks are offered in
 * output order, so ties go to the block that comes first there.
 *
 * <p>A link is long-range when the earlier region ends at least one whole block before the block starts (the
 * neighbouring block is local context, not a repeat).
 */
public final class Findings {

    /** Hits shown per list. */
    public static final int SHOWN = 3;

    private final OutputSettings settings;
    private final TopBlocks links = new TopBlocks(SHOWN);
    private final TopBlocks novel = new TopBlocks(SHOWN);
    private long strongLinks;
    private long alerts;

    public Findings(OutputSettings settings) {
        this.settings = settings;
    }

    /** Takes one block into account. */
    public void offer(String sequenceId, BlockResult r) {
        TopEntry t = settings.strongestLongRange(r);
        if (t != null) {
            long[] reg = settings.region(r, t);
            links.offer(new TopBlocks.Hit(sequenceId, r.block(), r.start(), r.end(), t.weight(), reg[0], reg[1]));
            if (t.weight() >= settings.linkThreshold()) {
                strongLinks++;
            }
        }
        if (r.block() > 0) { // a first block is new by definition (novelty 1)
            novel.offer(new TopBlocks.Hit(sequenceId, r.block(), r.start(), r.end(), r.novelty(), -1, -1));
        }
        if (settings.alerts() && r.novelty() >= settings.alertThreshold()) {
            alerts++;
        }
    }

    /** Blocks whose strongest long-range link reaches the link threshold. */
    public long strongLinks() {
        return strongLinks;
    }

    /** Blocks at or above the alert threshold. */
    public long alerts() {
        return alerts;
    }

    /**
     * Prints the findings, a few lines.
     *
     * @param alertsFile where the alerts went, for the alerts line
     */
    public void print(PrintWriter out, String alertsFile) {
        double threshold = settings.linkThreshold();
        if (settings.mode() == io.longseq.math.model.GlobalMode.LINEAR) {
            out.println("repeats:   not reported: global mode linear keeps no memory entries to link to");
        } else if (links.hits().isEmpty()) {
            out.println("repeats:   the input shows no clear long-range repeat: no block links to an earlier region"
                    + " one block or more back");
        } else if (links.hits().get(0).score() < threshold) {
            out.println("repeats:   the input shows no clear long-range repeat: the strongest link to an earlier"
                    + " region (one block or more back) has weight " + number(links.hits().get(0).score())
                    + ", below " + number(threshold) + " (--link-threshold)");
        } else {
            out.printf(Locale.ROOT, "repeats:   %,d block%s resemble%s an earlier region with weight %s or more; the"
                    + " strongest:%n", strongLinks, strongLinks == 1 ? "" : "s", strongLinks == 1 ? "s" : "",
                    number(threshold));
            for (TopBlocks.Hit h : links.hits()) {
                if (h.score() >= threshold) {
                    out.println("  " + link(h));
                }
            }
        }
        if (settings.kind() != FeatureKind.DNA && !novel.hits().isEmpty()) {
            out.println("novelty:   most unlike anything before them (1 - best cosine with an earlier memory entry):");
            for (TopBlocks.Hit h : novel.hits()) {
                out.println("  " + id(h.sequenceId()) + " " + range(h.start(), h.end()) + " (novelty "
                        + number(h.score()) + ")");
            }
        }
        if (settings.alerts()) {
            out.printf(Locale.ROOT, "alerts:    %,d blocks with novelty %s or more (%s)%n", alerts,
                    number(settings.alertThreshold()), alertsFile);
        }
    }

    /** "id [14,080-14,336) resembles [6,144-6,400), 7.9 kbp earlier (weight 0.42)". */
    String link(TopBlocks.Hit h) {
        boolean lines = settings.kind() == FeatureKind.LOG;
        return id(h.sequenceId()) + " " + range(h.start(), h.end()) + (lines ? " resemble " : " resembles ")
                + range(h.linkStart(), h.linkEnd()) + ", " + distance(h.start() - h.linkStart()) + " earlier (weight "
                + number(h.score()) + ")";
    }

    /** Positions as a person reads them: [a-b) for bases and tokens, "lines a+1-b" for a log. */
    String range(long start, long end) {
        if (settings.kind() == FeatureKind.LOG) {
            return String.format(Locale.ROOT, "lines %,d-%,d", start + 1, end);
        }
        return String.format(Locale.ROOT, "[%,d-%,d)", start, end);
    }

    /** A distance in the input's unit: bp, kbp or Mbp (two or three significant digits) for DNA; lines; tokens. */
    String distance(long n) {
        return switch (settings.kind()) {
            case LOG -> String.format(Locale.ROOT, "%,d line%s", n, n == 1 ? "" : "s");
            case TOKENS -> String.format(Locale.ROOT, "%,d token%s", n, n == 1 ? "" : "s");
            default -> bases(n);
        };
    }

    static String bases(long n) {
        if (n < 1_000) {
            return n + " bp";
        }
        double k = n / 1e3;
        if (k < 10) {
            return String.format(Locale.ROOT, "%.1f kbp", k);
        }
        if (k < 1_000) {
            return String.format(Locale.ROOT, "%.0f kbp", k);
        }
        double m = n / 1e6;
        return String.format(Locale.ROOT, m < 10 ? "%.1f Mbp" : "%.0f Mbp", m);
    }

    /** Two significant digits for weights below 1 ("0.42", "0.0014"), as given for thresholds ("0.05"). */
    static String number(double v) {
        if (v == 0 || !Double.isFinite(v)) {
            return String.valueOf(v == 0 ? "0" : v);
        }
        String s = new java.math.BigDecimal(v).round(new java.math.MathContext(2)).stripTrailingZeros()
                .toPlainString();
        return s;
    }

    private static String id(String id) {
        return id.length() <= 60 ? id : id.substring(0, 57) + "...";
    }
}
