package io.longseq.jobs;

import io.longseq.math.BlockResult;
import io.longseq.math.TopEntry;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Turns the per-subtask part files of a finished {@code longseq run} into one file per record type in the output
 * directory: {@code blocks.jsonl} ordered like {@code offline}'s (sequences in input order, blocks in order), so the
 * two can be compared line by line; {@code notices.jsonl}, {@code dead-letters.jsonl} and {@code tokens.jsonl}
 * concatenated (per sequence they are already in order). Counts what it merged for the run's summary.
 */
final class RunOutputs {

    static final String BLOCKS = "blocks";
    static final String TOKENS = "tokens";
    static final String DEAD_LETTERS = "dead-letters";
    static final String NOTICES = "notices";

    private static final Pattern HEAD = Pattern.compile("^\\{\"sequenceId\":(\"(?:[^\"\\\\]|\\\\.)*\"),\"block\":(\\d+),"
            + "\"start\":(\\d+),\"end\":(\\d+),");
    private static final Pattern TOP1 = Pattern.compile("\"top\":\\[\\{\"level\":(\\d+),\"firstBlock\":(\\d+),"
            + "\"lastBlock\":(\\d+),\"weight\":([^}]+)\\}");

    long blocks;
    long positions;
    long sequences;
    long deadLetters;
    final Map<String, Long> notices = new LinkedHashMap<>();
    final TopBlocks top = new TopBlocks(3);

    /**
     * Merges {@code parts} into {@code out} and deletes the parts.
     *
     * @param order sequence ids in input order; ids not in it follow, sorted
     */
    void merge(Path parts, Path out, List<String> order) throws IOException {
        mergeBlocks(parts, out.resolve(BLOCKS + ".jsonl"), order);
        deadLetters = concat(parts, DEAD_LETTERS, out.resolve(DEAD_LETTERS + ".jsonl"));
        concat(parts, NOTICES, out.resolve(NOTICES + ".jsonl"));
        for (String line : Files.readAllLines(out.resolve(NOTICES + ".jsonl"), StandardCharsets.UTF_8)) {
            Matcher m = Pattern.compile("\"kind\":\"([A-Z_]+)\"").matcher(line);
            if (m.find()) {
                notices.merge(m.group(1), 1L, Long::sum);
            }
        }
        if (!parts(parts, TOKENS).isEmpty()) {
            concat(parts, TOKENS, out.resolve(TOKENS + ".jsonl"));
        }
        try (Stream<Path> files = Files.list(parts)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.delete(p);
            }
        }
        Files.delete(parts);
    }

    private void mergeBlocks(Path parts, Path target, List<String> order) throws IOException {
        Map<String, List<long[]>> index = new HashMap<>();  // id -> (block, part file, line number)
        Map<String, List<String>> lines = new HashMap<>();
        for (Path p : parts(parts, BLOCKS)) {
            for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                Matcher m = HEAD.matcher(line);
                if (!m.find()) {
                    throw new IOException("unexpected block line in " + p + ": " + shorten(line));
                }
                String id = unquote(m.group(1));
                List<String> l = lines.computeIfAbsent(id, k -> new ArrayList<>());
                index.computeIfAbsent(id, k -> new ArrayList<>()).add(new long[] {Long.parseLong(m.group(2)), l.size()});
                l.add(line);
                blocks++;
                long start = Long.parseLong(m.group(3));
                long end = Long.parseLong(m.group(4));
                positions += end - start;
                Matcher t = TOP1.matcher(line);
                if (t.find()) {
                    top.offer(id, new BlockResult(Long.parseLong(m.group(2)), start, end, null, null,
                            new TopEntry[] {new TopEntry(Integer.parseInt(t.group(1)), Long.parseLong(t.group(2)),
                                    Long.parseLong(t.group(3)), Float.parseFloat(t.group(4)))}, 0, 0));
                }
            }
        }
        List<String> ids = new ArrayList<>();
        for (String id : order) {
            if (lines.containsKey(id) && !ids.contains(id)) {
                ids.add(id);
            }
        }
        lines.keySet().stream().filter(id -> !ids.contains(id)).sorted().forEach(ids::add);
        sequences = ids.size();
        try (BufferedWriter w = Files.newBufferedWriter(target, StandardCharsets.UTF_8)) {
            for (String id : ids) {
                List<long[]> idx = index.get(id);
                idx.sort(Comparator.comparingLong(a -> a[0]));
                List<String> l = lines.get(id);
                for (long[] e : idx) {
                    w.write(l.get((int) e[1]));
                    w.write('\n');
                }
            }
        }
    }

    private static long concat(Path parts, String name, Path target) throws IOException {
        long n = 0;
        try (BufferedWriter w = Files.newBufferedWriter(target, StandardCharsets.UTF_8)) {
            for (Path p : parts(parts, name)) {
                for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                    w.write(line);
                    w.write('\n');
                    n++;
                }
            }
        }
        return n;
    }

    private static List<Path> parts(Path dir, String name) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, name + "-*.jsonl")) {
            s.forEach(out::add);
        }
        out.sort(Comparator.comparing(Path::toString));
        return out;
    }

    /** The value of a JSON string literal as {@link BlockJsonWriter#string} writes it. */
    static String unquote(String literal) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i < literal.length() - 1; i++) {
            char c = literal.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = literal.charAt(++i);
            switch (e) {
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'u' -> {
                    b.append((char) Integer.parseInt(literal.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> b.append(e);
            }
        }
        return b.toString();
    }

    private static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
