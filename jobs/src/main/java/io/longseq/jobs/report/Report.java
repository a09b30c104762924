package io.longseq.jobs.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code longseq report}: reads a run's {@code blocks.jsonl} and writes {@code report.html}, one self-contained page
 * (inline CSS, SVG and base64 PNG; no script, nothing fetched), and {@code selfsim.png}, the first sequence's map
 * ({@code selfsim-2.png}, ... for the next ones). docs/report.md describes the panels.
 *
 * <p>Two or more passes over the file, each a stream of lines with bounded memory: the first ({@link Survey}) finds
 * the sequences and their sizes; the next draw the first {@value #SECTIONS} sequences, as many per pass as fit
 * {@value #CELL_BUDGET} map cells (one pass unless the sequences are many and long). Sections are written as they
 * are done, so the page is never held in memory.
 */
public final class Report {

    /** Sequences drawn, in file order; the index lists more. */
    static final int SECTIONS = 50;
    /** Map cells (floats) held at once by a drawing pass: 64 MB. */
    static final long CELL_BUDGET = 1L << 24;
    /** The map's side on the page is the largest whole multiple of its cells up to this many pixels. */
    static final int MAP_PIXELS = 640;
    static final int DOT_RGB = 0x1565c0;
    static final int DOT_RADIUS = 7;

    public static final String BLOCKS = "blocks.jsonl";
    public static final String HTML = "report.html";
    public static final String PNG = "selfsim.png";

    /** The input is not what run and offline write; the message is one line naming file, line and what. */
    public static final class BadInput extends Exception {
        private static final long serialVersionUID = 1L;

        BadInput(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** What was written. */
    public record Result(Path html, List<Path> pngs, long sequences, int sections, long blocks, long htmlBytes,
                         int passes) {}

    private Report() {}

    /**
     * Writes the report of {@code dir}.
     *
     * @param kind dna, tokens or log (how positions are labelled), or null: then from settings.json, else "positions"
     */
    public static Result write(Path dir, String kind) throws IOException, BadInput {
        Path blocks = dir.resolve(BLOCKS);
        try {
            Survey s = Survey.of(blocks);
            List<String[]> settings = RunSettings.read(dir);
            String settingsKind = RunSettings.get(settings, "kind");
            Units u = Units.ofKind(kind != null ? kind : settingsKind);
            String unitsFrom = kind != null ? "--kind " + kind : settingsKind != null ? RunSettings.FILE
                    : "the kind of input is not known: --kind dna labels bases";
            List<Survey.Seq> drawn = s.listed.subList(0, Math.min(SECTIONS, s.listed.size()));
            deleteOldMaps(dir);
            Path tmp = dir.resolve(HTML + ".tmp");
            List<Path> pngs = new ArrayList<>();
            int passes;
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                HtmlReport.head(w, "Longseq report: " + dir.toAbsolutePath().normalize().getFileName());
                HtmlReport.overview(w, dir.toString(), s, drawn.size());
                if (s.listed.size() + s.unlistedSequences > 1) {
                    HtmlReport.index(w, s, drawn.size(), u);
                }
                passes = 1 + sections(w, dir, s, drawn, u, pngs); // the pictures first, the settings after them
                HtmlReport.settings(w, s, settings, u, unitsFrom, otherFiles(dir));
                HtmlReport.howToRead(w);
                HtmlReport.end(w);
            } catch (IOException | JsonCursor.Malformed | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            Path html = dir.resolve(HTML);
            Files.move(tmp, html, StandardCopyOption.REPLACE_EXISTING);
            return new Result(html, pngs, s.listed.size() + s.unlistedSequences, drawn.size(), s.lines,
                    Files.size(html), passes);
        } catch (JsonCursor.Malformed e) {
            throw new BadInput(e.getMessage(), e);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new BadInput(BLOCKS + " is not UTF-8 text (" + e + ")", e);
        }
    }

    /**
     * Draws the sections of {@code drawn}, as many per pass over the file as fit {@link #CELL_BUDGET}, writes each
     * map file, and returns the number of passes.
     */
    private static int sections(Writer w, Path dir, Survey s, List<Survey.Seq> drawn, Units u, List<Path> pngs)
            throws IOException, JsonCursor.Malformed {
        int passes = 0;
        int next = 0;
        while (next < drawn.size()) {
            int end = next;
            long cells = 0;
            do {
                cells += SequencePanel.cells(drawn.get(end));
                end++;
            } while (end < drawn.size() && cells + SequencePanel.cells(drawn.get(end)) <= CELL_BUDGET);
            List<SequencePanel> panels = draw(dir.resolve(BLOCKS), drawn.subList(next, end), s.novelty);
            passes++;
            for (SequencePanel p : panels) {
                String name = p.seq.index == 1 ? PNG : "selfsim-" + p.seq.index + ".png";
                Path png = dir.resolve(name);
                try (OutputStream out = Files.newOutputStream(png)) {
                    SelfSimMap.write(p.map.image(p.scale(), p.dots()), out);
                }
                pngs.add(png);
                HtmlReport.section(w, p, SelfSimMap.png(p.map.image()), name, u);
            }
            next = end;
        }
        return passes;
    }

    /** One pass over the file, gathering the panels of {@code seqs}. */
    private static List<SequencePanel> draw(Path blocks, List<Survey.Seq> seqs, boolean novelty)
            throws IOException, JsonCursor.Malformed {
        Map<BlockLine.SeqId, SequencePanel> panels = new HashMap<>();
        List<SequencePanel> ordered = new ArrayList<>();
        for (Survey.Seq q : seqs) {
            SequencePanel p = new SequencePanel(q, novelty);
            panels.put(q.id, p);
            ordered.add(p);
        }
        BlockLine b = new BlockLine();
        try (BlockLineReader r = new BlockLineReader(blocks)) {
            BlockLine.SeqId previous = null;
            SequencePanel current = null;
            while (r.next(b)) {
                if (!b.id.equals(previous)) {
                    current = panels.get(b.id);
                    previous = b.id;
                }
                if (current != null) {
                    current.add(b);
                }
            }
        }
        return ordered;
    }

    /** Maps of an earlier report with more sequences (selfsim-N.png), which this one would not overwrite. */
    private static void deleteOldMaps(Path dir) throws IOException {
        try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, "selfsim-*.png")) {
            for (Path p : old) {
                if (p.getFileName().toString().matches("selfsim-[0-9]{1,9}\\.png")) {
                    Files.delete(p);
                }
            }
        }
    }

    /** The other outputs of the run and their line counts, for the settings panel. */
    private static List<String> otherFiles(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        for (String name : List.of("notices.jsonl", "dead-letters.jsonl", "links.bedpe", "tracks.bedgraph",
                "alerts.jsonl")) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                out.add(name + ": " + Html.count(lines(p)) + " lines");
            }
        }
        return out;
    }

    private static long lines(Path p) throws IOException {
        long n = 0;
        byte[] buf = new byte[1 << 16];
        try (var in = Files.newInputStream(p)) {
            int k;
            while ((k = in.read(buf)) > 0) {
                for (int i = 0; i < k; i++) {
                    if (buf[i] == '\n') {
                        n++;
                    }
                }
            }
        }
        return n;
    }
}
