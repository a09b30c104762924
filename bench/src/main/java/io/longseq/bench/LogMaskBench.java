package io.longseq.bench;

import io.longseq.math.features.LogLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Log masking on hostile lines (issue 20): {@link LogLines#words} on 1 MiB lines of adversarial shapes — runs of
 * '.', '-', '/', digits, hex, path segments {@code a/a/a…}, IP-like {@code 1.1.1.1…}, one long word, short words,
 * random printable ASCII, a real HDFS line repeated — in ns per byte and ms per line (the best and the median of
 * {@code --reps} timed calls after a warm-up), and the worst shape. As a control, the regex it replaced (a copy:
 * {@link OldRegex}) times the same shapes cut to 16 KiB, once each: it recursed once per path segment
 * (StackOverflowError) and was quadratic on runs of '.' and '-'; the scanner's time at 16 KiB is beside it.
 *
 * <p>Usage: {@code bench/run logmask [--mb MiB (1)] [--reps N (5)] [--regex-kb KiB (16; 0 = no regex control)]
 * [--out DIR]}; prints the table and, with {@code --out}, writes {@code DIR/log-mask.md}.
 */
public final class LogMaskBench {

    private LogMaskBench() {}

    record Shape(String name, String unit) {}

    private static final String HDFS_LINE = "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 "
            + "for block blk_38865049064139660 terminating src: /10.250.19.102:54106 dest: /10.250.19.102:50010 ";

    static List<Shape> shapes() {
        return List.of(new Shape("dots ...", "."), new Shape("dashes ---", "-"), new Shape("dot-dash .-.-", ".-"),
                new Shape("slashes ///", "/"), new Shape("digits", "0123456789"), new Shape("hex", "0123456789abcdef"),
                new Shape("path a/a/a/", "a/"), new Shape("IP-like 1.1.1.", "1."),
                new Shape("IP-ish 1.2.3.4.", "1.2.3.4."), new Shape("negatives -1-1", "-1"),
                new Shape("one word aaa", "a"), new Shape("short words", "ab "), new Shape("random printable", null),
                new Shape("HDFS line repeated", HDFS_LINE));
    }

    static String line(Shape shape, int length) {
        StringBuilder sb = new StringBuilder(length);
        if (shape.unit() == null) {
            SplittableRandom rnd = new SplittableRandom(20);
            while (sb.length() < length) {
                sb.append((char) (0x20 + rnd.nextInt(0x7F - 0x20)));
            }
        } else {
            while (sb.length() < length) {
                sb.append(shape.unit());
            }
        }
        sb.setLength(length);
        return sb.toString();
    }

    public static void main(String[] args) throws IOException {
        int mb = 1;
        int reps = 5;
        int regexKb = 16;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mb" -> mb = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--regex-kb" -> regexKb = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("usage: LogMaskBench [--mb MiB] [--reps N]"
                        + " [--regex-kb KiB] [--out DIR]");
            }
        }
        int length = mb << 20;
        String load0 = Machine.loadAverage();
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Log masking (LogLines.words): %s; load average %s at start.%n%n",
                Machine.describe(), load0));
        md.append(String.format(Locale.ROOT, "| shape | tokens in %,d chars | best ms/line | median ms/line "
                + "| best ns/byte | scanner ms at %d KiB | old regex ms at %d KiB |%n", length, regexKb, regexKb));
        md.append("|---|---:|---:|---:|---:|---:|---:|\n");
        System.out.print(md);
        long sink = 0;
        double worstMs = 0;
        String worst = "";
        for (Shape shape : shapes()) {
            String big = line(shape, length);
            // warm-up: the JIT compiles the scanner on this shape
            for (int w = 0; w < 3; w++) {
                sink += LogLines.words(big).size();
            }
            long[] ns = new long[reps];
            int tokens = 0;
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                List<String> words = LogLines.words(big);
                ns[r] = System.nanoTime() - t0;
                tokens = words.size();
                sink += words.hashCode();
            }
            Arrays.sort(ns);
            double bestMs = ns[0] / 1e6;
            double medianMs = ns[reps / 2] / 1e6;
            if (medianMs > worstMs) {
                worstMs = medianMs;
                worst = shape.name();
            }
            String scannerSmall = "–";
            String regexSmall = "–";
            if (regexKb > 0) {
                String small = line(shape, regexKb << 10);
                long t0 = System.nanoTime();
                sink += LogLines.words(small).size();
                scannerSmall = String.format(Locale.ROOT, "%.3f", (System.nanoTime() - t0) / 1e6);
                regexSmall = timeRegex(small, shape, regexKb);
                sink += regexSmall.length();
            }
            String row = String.format(Locale.ROOT, "| %s | %,d | %.2f | %.2f | %.2f | %s | %s |%n", shape.name(),
                    tokens, bestMs, medianMs, ns[0] / (double) length, scannerSmall, regexSmall);
            System.out.print(row);
            md.append(row);
        }
        String tail = String.format(Locale.ROOT, "%nWorst shape for the scanner: %s, %.2f ms per %,d-char line"
                + " (median of %d). Load average %s at end. (checksum %d)%n", worst, worstMs, length, reps,
                Machine.loadAverage(), sink);
        System.out.print(tail);
        md.append(tail);
        if (out != null) {
            Files.createDirectories(out);
            Files.writeString(out.resolve("log-mask.md"), md.toString());
        }
    }

    // the old regex on a short line, once, after a warm-up on a 1 KiB line of the same shape
    private static String timeRegex(String small, Shape shape, int kb) {
        try {
            OldRegex.words(line(shape, 1 << 10));
            long t0 = System.nanoTime();
            OldRegex.words(small);
            return String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e6);
        } catch (StackOverflowError e) {
            return "StackOverflowError";
        }
    }

    /** The control: the masking regex LogLines used before its scanner, copied unchanged. */
    static final class OldRegex {

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

        private OldRegex() {}

        static List<String> words(String line) {
            List<String> out = new ArrayList<>();
            Matcher m = TOKEN.matcher(line);
            while (m.find()) {
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
    }
}
