package io.longseq.jobs.output;

import io.longseq.jobs.MiniJson;
import io.longseq.jobs.cli.LongseqCli;
import io.longseq.math.features.LogLines;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Block novelty as an alert signal on the labelled Loghub BGL sample (docs/outputs.md): precision and recall at
 * block level against a baseline that flags a block holding a log template never seen before.
 *
 * <p>The sample's first column is the label ({@code -} = normal, anything else an alert category). It is cut off
 * before the model sees a line: the model reads a copy of the log without it, through {@code longseq offline}, as a
 * user would run it. A block is an alert when it holds at least one alert line. The model flags a block when its
 * novelty is at or above a threshold; the table gives a few thresholds, the best F1 over all thresholds (chosen on
 * this same data, so optimistic) and the average precision of the novelty ranking (threshold-free). The baselines'
 * template of a line is its masked words ({@link LogLines#words}, the masking the model's features use), joined:
 * all of them, or only the message (BGL's six header fields, timestamps and node names, left out).
 *
 * <p>Usage (a test-scope main; {@code BglNoveltyTest} runs it when the data is there):
 * {@code java -cp <jobs test class path> io.longseq.jobs.output.BglNoveltyEval [BGL_2k.log] [--blocks 8,16,32]
 * [--out FILE.md]}.
 */
public final class BglNoveltyEval {

    /** Header fields of a BGL line after the label: epoch, date, node, timestamp, node again. */
    static final int BGL_HEADER_FIELDS = 5;

    private BglNoveltyEval() {}

    /** The log without its label column, and the labels (true = alert line). */
    record Labelled(List<String> lines, boolean[] alert) {}

    /** Cuts the first column (up to and including the first space) off every line. */
    static Labelled strip(List<String> raw) {
        List<String> lines = new ArrayList<>(raw.size());
        boolean[] alert = new boolean[raw.size()];
        for (int i = 0; i < raw.size(); i++) {
            String l = raw.get(i);
            int space = l.indexOf(' ');
            String label = space < 0 ? l : l.substring(0, space);
            alert[i] = !label.equals("-");
            lines.add(space < 0 ? "" : l.substring(space + 1));
        }
        return new Labelled(lines, alert);
    }

    /** Per block of {@code b} lines: whether it holds an alert line. */
    static boolean[] blockLabels(boolean[] alert, int b) {
        boolean[] out = new boolean[(alert.length + b - 1) / b];
        for (int i = 0; i < alert.length; i++) {
            out[i / b] |= alert[i];
        }
        return out;
    }

    /** Per block of {@code b} lines: whether it holds a line whose template no earlier line had. */
    static boolean[] newTemplateBlocks(List<String> lines, int b, boolean messageOnly) {
        boolean[] out = new boolean[(lines.size() + b - 1) / b];
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (messageOnly) {
                String[] f = line.split(" ", BGL_HEADER_FIELDS + 1);
                line = f.length > BGL_HEADER_FIELDS ? f[BGL_HEADER_FIELDS] : "";
            }
            List<String> w = LogLines.words(line);
            if (seen.add(String.join(" ", w))) {
                out[i / b] = true;
            }
        }
        return out;
    }

    /** Precision, recall, F1 and the counts of one prediction. */
    record Score(int tp, int fp, int fn) {
        double precision() {
            return tp + fp == 0 ? Double.NaN : (double) tp / (tp + fp);
        }

        double recall() {
            return tp + fn == 0 ? Double.NaN : (double) tp / (tp + fn);
        }

        double f1() {
            double p = precision();
            double r = recall();
            return tp == 0 ? 0 : 2 * p * r / (p + r);
        }

        static Score of(boolean[] predicted, boolean[] truth) {
            int tp = 0;
            int fp = 0;
            int fn = 0;
            for (int i = 0; i < truth.length; i++) {
                tp += predicted[i] && truth[i] ? 1 : 0;
                fp += predicted[i] && !truth[i] ? 1 : 0;
                fn += !predicted[i] && truth[i] ? 1 : 0;
            }
            return new Score(tp, fp, fn);
        }
    }

    static boolean[] atLeast(float[] novelty, double threshold) {
        boolean[] out = new boolean[novelty.length];
        for (int i = 0; i < novelty.length; i++) {
            out[i] = novelty[i] >= threshold;
        }
        return out;
    }

    /** Average precision of ranking the blocks by novelty, highest first (ties broken by block order). */
    static double averagePrecision(float[] novelty, boolean[] truth) {
        Integer[] order = new Integer[novelty.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, c) -> Float.compare(novelty[c], novelty[a]));
        int positives = 0;
        for (boolean t : truth) {
            positives += t ? 1 : 0;
        }
        double sum = 0;
        int hits = 0;
        for (int k = 0; k < order.length; k++) {
            if (truth[order[k]]) {
                hits++;
                sum += (double) hits / (k + 1);
            }
        }
        return positives == 0 ? Double.NaN : sum / positives;
    }

    /** The novelty of every block, from {@code longseq offline} on the stripped log with block size {@code b}. */
    static float[] novelty(Path stripped, int b, String globalMode, Path work) throws IOException {
        Path out = work.resolve("out-" + b + "-" + globalMode);
        StringWriter so = new StringWriter();
        StringWriter se = new StringWriter();
        var cl = LongseqCli.commandLine();
        cl.setOut(new PrintWriter(so));
        cl.setErr(new PrintWriter(se));
        int exit = cl.execute("offline", stripped.toString(), "--out", out.toString(), "--block-size",
                String.valueOf(b), "--global-mode", globalMode);
        if (exit != 0) {
            throw new IOException("longseq offline failed (" + exit + "): " + se);
        }
        List<String> lines = Files.readAllLines(out.resolve("blocks.jsonl"), StandardCharsets.UTF_8);
        float[] v = new float[lines.size()];
        for (int i = 0; i < v.length; i++) {
            var o = MiniJson.object(lines.get(i));
            if (((MiniJson.Num) o.get("block")).asLong() != i) {
                throw new IOException("block " + i + " out of order in " + out);
            }
            v[i] = ((MiniJson.Num) o.get("novelty")).asFloat();
        }
        return v;
    }

    /** The Markdown table for the given block sizes. */
    static String table(Path log, int[] blockSizes, Path work) throws IOException {
        Labelled l = strip(Files.readAllLines(log, StandardCharsets.UTF_8));
        Path stripped = work.resolve("bgl-unlabelled.log");
        Files.write(stripped, l.lines(), StandardCharsets.UTF_8);
        int alertLines = 0;
        for (boolean a : l.alert()) {
            alertLines += a ? 1 : 0;
        }
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "%s: %,d lines, %,d alert lines.%n%n", log.getFileName(), l.lines().size(),
                alertLines));
        t.append("| B (lines) | blocks | alert blocks | method | flagged | precision | recall | F1 |\n");
        t.append("|---|---|---|---|---|---|---|---|\n");
        for (int b : blockSizes) {
            boolean[] truth = blockLabels(l.alert(), b);
            int positives = 0;
            for (boolean x : truth) {
                positives += x ? 1 : 0;
            }
            String head = String.format(Locale.ROOT, "| %d | %d | %d | ", b, truth.length, positives);
            row(t, head, "baseline: a template never seen before (all masked words)",
                    newTemplateBlocks(l.lines(), b, false), truth);
            row(t, head, "baseline: a message template never seen before (header fields left out)",
                    newTemplateBlocks(l.lines(), b, true), truth);
            for (String mode : List.of("hierarchical", "full")) {
                float[] nv = novelty(stripped, b, mode, work);
                if (nv.length != truth.length) {
                    throw new IOException(nv.length + " blocks from the model, " + truth.length + " from the labels");
                }
                if (mode.equals("hierarchical")) {
                    for (double th : new double[] {0.005, 0.01, 0.02}) {
                        row(t, head, String.format(Locale.ROOT, "novelty >= %s (%s)", th, mode), atLeast(nv, th),
                                truth);
                    }
                }
                double best = Double.NaN;
                double bestF1 = -1;
                for (float th : nv) {
                    double f = Score.of(atLeast(nv, th), truth).f1();
                    if (f > bestF1 || (f == bestF1 && th > best)) {
                        bestF1 = f;
                        best = th;
                    }
                }
                row(t, head, String.format(Locale.ROOT, "novelty >= %.4f (%s; the best F1, tuned on this data)", best,
                        mode), atLeast(nv, best), truth);
                t.append(head).append(String.format(Locale.ROOT, "novelty ranking (%s): average precision %.3f"
                        + " | | | | |%n", mode, averagePrecision(nv, truth)));
            }
        }
        return t.toString();
    }

    private static void row(StringBuilder t, String head, String method, boolean[] predicted, boolean[] truth) {
        Score s = Score.of(predicted, truth);
        t.append(head).append(method).append(String.format(Locale.ROOT, " | %d | %.3f | %.3f | %.3f |%n",
                s.tp() + s.fp(), s.precision(), s.recall(), s.f1()));
    }

    public static void main(String[] args) throws IOException {
        Path log = Path.of("../../shared/data/logs/BGL_2k.log");
        int[] blocks = {8, 16, 32};
        Path outFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--blocks" -> blocks = java.util.Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt)
                        .toArray();
                case "--out" -> outFile = Path.of(args[++i]);
                default -> log = Path.of(args[i]);
            }
        }
        Path work = Files.createTempDirectory("bgl-novelty");
        String table;
        try {
            table = table(log, blocks, work);
        } finally {
            try (var files = Files.walk(work)) { // the unlabelled copy of the log stays nowhere (licence)
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        System.out.print(table);
        if (outFile != null) {
            Files.writeString(outFile, table, StandardCharsets.UTF_8);
        }
    }
}
