package io.longseq.jobs.report;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of {@code report.html}, written in order to a {@link Writer}: head, overview, index, settings, one
 * section per drawn sequence, and how to read the page. Everything is inline (CSS, SVG, PNG as base64): the file opens
 * without a network and carries no script.
 */
final class HtmlReport {

    private static final String STYLE = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:16px 24px;\
            color:#222;background:#fff}
            h1{font-size:22px;margin:0 0 6px}h2{font-size:18px;margin:26px 0 4px;border-top:1px solid #ddd;\
            padding-top:14px}h3{font-size:15px;margin:14px 0 4px}
            table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ddd;padding:2px 8px;text-align:left;\
            vertical-align:top}th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
            .figs{display:flex;flex-wrap:wrap;gap:8px 24px;align-items:flex-start}.side{max-width:400px;min-width:240px;flex:1 1 240px}.note{color:#555;font-size:12.5px}
            svg{display:block}svg text{font:11px system-ui,"DejaVu Sans",sans-serif;fill:#333}code{background:#f4f4f4;padding:0 3px}
            """;

    private HtmlReport() {}

    static void head(Writer w, String title) throws IOException {
        w.write("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + Html.esc(title)
                + "</title>\n<style>\n" + STYLE + "</style></head>\n<body>\n");
    }

    static void overview(Writer w, String dir, Survey s, int sections) throws IOException {
        w.write("<h1>Longseq report</h1>\n<p><code>" + Html.esc(dir) + "/blocks.jsonl</code>: "
                + Html.count(s.lines) + " blocks of " + Html.count(s.listed.size() + s.unlistedSequences)
                + " sequence" + (s.listed.size() + s.unlistedSequences == 1 ? "" : "s") + ", "
                + Html.count(s.positions) + " positions."
                + (sections < s.listed.size() + s.unlistedSequences
                ? " Drawn: the first " + sections + " sequences in file order." : "") + "</p>\n");
    }

    /** The index of sequences, each linked to its section when it has one. */
    static void index(Writer w, Survey s, int sections, Units u) throws IOException {
        w.write("<h2>Sequences</h2>\n<table><tr><th>#</th><th>sequence</th><th>length</th><th>blocks</th>"
                + "<th>mean self weight</th><th>strongest long-range link</th></tr>\n");
        for (Survey.Seq q : s.listed) {
            String name = Html.esc(q.id.display());
            w.write("<tr><td class=\"n\">" + q.index + "</td><td>"
                    + (q.index <= sections ? "<a href=\"#seq-" + q.index + "\">" + name + "</a>" : name)
                    + "</td><td class=\"n\">" + Html.esc(u.amount(q.length)) + "</td><td class=\"n\">"
                    + Html.count(q.blocks()) + "</td><td class=\"n\">" + Html.fixed(q.meanSelf()) + "</td><td>"
                    + Html.esc(strongest(q, u)) + "</td></tr>\n");
        }
        w.write("</table>\n");
        if (s.unlistedSequences > 0) {
            w.write("<p class=\"note\">… and " + Html.count(s.unlistedSequences) + " more sequences ("
                    + Html.count(s.unlistedLines) + " blocks), not listed: the index holds the first "
                    + Html.count(Survey.MAX_LISTED) + ".</p>\n");
        }
    }

    /** The run's settings when it wrote them; else what the lines tell. */
    static void settings(Writer w, Survey s, List<String[]> settings, Units u, String unitsFrom,
                         List<String> otherFiles) throws IOException {
        w.write("<h2>Settings</h2>\n");
        if (!settings.isEmpty()) {
            w.write("<p>From <code>" + RunSettings.FILE + "</code>:</p>\n<table><tr><th>setting</th><th>value</th></tr>\n");
            for (String[] e : settings) {
                w.write("<tr><td><code>" + Html.esc(e[0]) + "</code></td><td>" + Html.esc(e[1]) + "</td></tr>\n");
            }
            w.write("</table>\n");
        } else {
            w.write("<p>The run wrote no <code>" + RunSettings.FILE + "</code>; what <code>blocks.jsonl</code> tells:</p>\n");
        }
        List<String> facts = new ArrayList<>();
        long bs = 0;
        for (Survey.Seq q : s.listed) {
            bs = Math.max(bs, q.blockSize);
        }
        facts.add("block size: " + Html.count(bs) + " positions (the longest block)");
        if (s.summaryWidth >= 0) {
            facts.add("model width d = " + s.summaryWidth + " (floats per summary)");
        }
        facts.add("memory entries per block: up to " + s.maxTop + " (top-k)"
                + (s.topDropped > 0 ? "; the report drew the first " + BlockLine.MAX_TOP + " of each" : ""));
        facts.add("memory levels named: " + (s.levels().isEmpty() ? "none" : s.levels().toString()) + "; "
                + (s.rangeEntries ? "some entries stand for several blocks (the hierarchical memory's means)"
                : "every entry stands for one block (as --global-mode full writes)"));
        facts.add("novelty: " + (s.novelty ? "in the lines (a track below)" : "not in the lines"));
        facts.add("positions counted in " + u.word() + " (" + unitsFrom + ")");
        facts.addAll(otherFiles);
        w.write("<ul>\n");
        for (String f : facts) {
            w.write("<li>" + Html.esc(f) + "</li>\n");
        }
        w.write("</ul>\n");
    }

    /** One sequence: facts, map with legend, tracks, table of the strongest long-range links. */
    static void section(Writer w, SequencePanel p, byte[] mapPng, String pngFile, Units u) throws IOException {
        Survey.Seq q = p.seq;
        List<LinkRuns.Run> runs = p.runs();
        w.write("<section id=\"seq-" + q.index + "\">\n<h2>" + q.index + ". " + Html.esc(q.id.display()) + "</h2>\n");
        w.write("<p>" + Html.esc(Units.position(q.length) + " " + u.word()) + " in " + Html.count(q.blocks()) + " blocks of "
                + Html.esc(u.amount(q.blockSize)) + "; mean self weight " + Html.fixed(q.meanSelf()) + ". "
                + Html.esc(verdict(q, runs, u)) + "</p>\n");
        List<long[]> dots = p.dots();
        List<String> titles = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            LinkRuns.Run r = runs.get(i);
            titles.add("#" + (i + 1) + ": " + link(q, r.peakBlock, r.peakBlock, r.peakFirst, r.peakLast, u)
                    + ", weight " + Html.weight(r.maxWeight));
        }
        w.write("<div class=\"figs\"><div>");
        w.write(SvgPlots.map(p, mapPng, dots, titles, u));
        w.write("</div><div class=\"side\"><p class=\"note\">Self-similarity map: row = a block, column = an earlier block, colour"
                + " = the weight of the memory entry covering it (entries standing for several blocks paint their"
                + " range)." + (runs.isEmpty() ? "" : "<br>Rings: the links of the table below.") + "</p>"
                + SvgPlots.legend("scale-" + q.index)
                + "<p class=\"note\">" + Html.esc(mapRule(p)) + "<br>" + Html.esc(trackRule(p))
                + "<br>Also written as <code>" + Html.esc(pngFile) + "</code> (" + p.map.side() * p.scale() + "×"
                + p.map.side() * p.scale() + " pixels, " + p.scale() + "×" + p.scale() + " per cell).</p></div></div>\n");
        w.write("<div class=\"tracks\">");
        w.write(SvgPlots.track(p.self, p, 0f, 1f, "#1f77b4"));
        w.write(SvgPlots.track(p.entropy, p, 0f, Float.isNaN(p.entropy.hi()) ? 1f : Math.max(p.entropy.hi(), 1e-6f),
                "#2ca02c"));
        if (p.novelty != null) {
            float lo = Float.isNaN(p.novelty.lo()) ? 0f : Math.min(0f, p.novelty.lo());
            float hi = Float.isNaN(p.novelty.hi()) ? 1f : Math.max(p.novelty.hi(), lo + 1e-6f);
            w.write(SvgPlots.track(p.novelty, p, lo, hi, "#9467bd"));
        }
        w.write("</div>\n");
        if (!runs.isEmpty()) {
            w.write("<h3>Strongest long-range links</h3>\n<table><tr><th>#</th><th>link</th><th>blocks</th>"
                    + "<th>max weight</th><th>mean weight</th></tr>\n");
            for (int i = 0; i < runs.size(); i++) {
                LinkRuns.Run r = runs.get(i);
                w.write("<tr><td class=\"n\">" + (i + 1) + "</td><td>"
                        + Html.esc(link(q, r.firstBlock, r.lastBlock, r.srcFirst, r.srcLast, u))
                        + "</td><td class=\"n\">" + r.links + "</td><td class=\"n\">" + Html.weight(r.maxWeight)
                        + "</td><td class=\"n\">" + Html.weight(r.meanWeight()) + "</td></tr>\n");
            }
            w.write("</table>\n");
        }
        w.write("</section>\n");
    }

    /** The sentence under a section's title: what the strongest link says, or that there is none worth a row. */
    static String verdict(Survey.Seq q, List<LinkRuns.Run> runs, Units u) {
        if (Float.isNaN(q.strongest)) {
            return "No block names an earlier region (no long-range entry in any block's top entries).";
        }
        if (runs.isEmpty()) {
            return "No long-range link reaches weight " + Html.weight(LinkRuns.MIN_WEIGHT)
                    + ": the model names no earlier region this sequence resembles (the strongest: "
                    + strongest(q, u) + ").";
        }
        LinkRuns.Run r = runs.get(0);
        return "Strongest: " + link(q, r.firstBlock, r.lastBlock, r.srcFirst, r.srcLast, u) + " (weight up to "
                + Html.weight(r.maxWeight) + ").";
    }

    static String strongest(Survey.Seq q, Units u) {
        if (Float.isNaN(q.strongest)) {
            return "none";
        }
        return link(q, q.strongestBlock, q.strongestBlock, q.strongestFirst, q.strongestLast, u) + ", weight "
                + Html.weight(q.strongest);
    }

    /** "[14,080–14,336) resembles [6,144–6,400), 7.9 kbp earlier": blocks a..b and their targets f..l. */
    static String link(Survey.Seq q, long a, long b, long f, long l, Units u) {
        long bs = Math.max(1, q.blockSize);
        long from = a * bs;
        long to = Math.min((b + 1) * bs, Math.max(q.length, from));
        long srcFrom = f * bs;
        long srcTo = Math.min((l + 1) * bs, Math.max(q.length, srcFrom));
        return "[" + Units.position(from) + "–" + Units.position(to) + ") resembles [" + Units.position(srcFrom) + "–"
                + Units.position(srcTo) + "), " + u.amount(from - srcFrom) + " earlier";
    }

    static String mapRule(SequencePanel p) {
        long n = p.map.blocks();
        int s = p.map.side();
        return n <= SelfSimMap.MAX_SIDE ? "Map: " + Html.count(n) + " × " + Html.count(n) + " cells, one per block."
                : "Map downsampled: " + Html.count(n) + " blocks onto " + s + " × " + s + " cells, block b in cell"
                + " ⌊b·" + s + "/" + Html.count(n) + "⌋, each cell the largest weight of the links in it.";
    }

    static String trackRule(SequencePanel p) {
        Track t = p.self;
        return !t.binned() ? "Tracks: one point per block."
                : "Tracks downsampled: " + Html.count(t.blocks()) + " blocks into " + Html.count(t.bins())
                + " bins, block b in bin ⌊b·" + t.bins() + "/" + Html.count(t.blocks()) + "⌋, each drawn as the"
                + " min–max envelope of its blocks.";
    }

    static void howToRead(Writer w) throws IOException {
        w.write("<h2>How to read this page</h2>\n<ul>\n"
                + "<li><b>Map</b>: block × earlier block. A block's global attention spreads over its memory entries;"
                + " the map paints the top entries of each block (as <code>blocks.jsonl</code> lists them) with their"
                + " softmax weight on a fixed log scale, 0.0001 (pale) to 1 (dark red); white = no top entry. A"
                + " repeat shows as a dark cell or diagonal streak below the diagonal at (copy, source).</li>\n"
                + "<li><b>Downsampling</b>: the map has at most " + SelfSimMap.MAX_SIDE + " × " + SelfSimMap.MAX_SIDE
                + " cells, block b in cell ⌊b·S/n⌋, each cell the largest weight of the links in it; tracks have one"
                + " point per block up to " + Html.count(Track.MAX_POINTS) + " blocks, else " + Html.count(Track.BINS)
                + " bins, each the min–max envelope of its blocks.</li>\n"
                + "<li><b>Tracks</b>: self weight (the block's attention on itself: near 1 = nothing earlier"
                + " resembles it), entropy of its attention (nats), novelty when the run wrote it.</li>\n"
                + "<li><b>Links</b>: a long-range link is a top entry ending at least " + LinkRuns.MIN_GAP
                + " blocks before the block, with weight ≥ " + Html.weight(LinkRuns.MIN_WEIGHT) + "; consecutive"
                + " blocks whose targets move along with them form one row. Distances are start to start.</li>\n"
                + "<li>The default hierarchical memory keeps far blocks as means of many blocks, which dilutes a far"
                + " repeat: <code>--global-mode full</code> names single blocks (memory grows with the sequence).</li>\n"
                + "</ul>\n");
    }

    static void end(Writer w) throws IOException {
        w.write("</body></html>\n");
    }
}
