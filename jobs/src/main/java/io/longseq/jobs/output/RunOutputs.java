package io.longseq.jobs.output;

import io.longseq.math.model.BlockResult;
import io.longseq.math.model.TopEntry;
import io.longseq.stream.DeadLetter;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Turns the per-subtask part files of a finished {@code longseq run} into one file per record type in the output
 * directory: {@code blocks.jsonl} ordered like {@code offline}'s (sequences in input order, blocks in order), so the
 * two can be compared line by line; {@code notices.jsonl}, {@code dead-letters.jsonl} and {@code tokens.jsonl}
 * concatenated (per sequence they are already in order). Counts what it merged for the run's summary.
 *
 * <p>The lines are read with {@link JsonScan}, one pass per line: a line holds a sequence id of any length, so no
 * regular expression (Java's backtracking engine recurses per character of a string literal, and a 700 KB id
 * overflowed the stack).
 */
public final class RunOutputs {

    public static final String BLOCKS = "blocks";
    public static final String TOKENS = "tokens";
    public static final String DEAD_LETTERS = "dead-letters";
    public static final String NOTICES = "notices";

    public long blocks;
    public long positions;
    public long sequences;
    public long deadLetters;
    public final Map<String, Long> notices = new LinkedHashMap<>();
    public final TopBlocks top = new TopBlocks(3);

    /**
     * Merges {@code parts} into {@code out} and deletes the parts.
     *
     * @param order sequence ids in input order; ids not in it follow, sorted
     */
    public void merge(Path parts, Path out, List<String> order) throws IOException {
        merge(parts, out, order, List.of());
    }

    /**
     * As {@link #merge(Path, Path, List)}, with dead letters the command itself wrote (inputs it could not open)
     * first in {@code dead-letters.jsonl}.
     */
    public void merge(Path parts, Path out, List<String> order, List<DeadLetter> early) throws IOException {
        mergeBlocks(parts, out.resolve(BLOCKS + ".jsonl"), order);
        deadLetters = concat(parts, DEAD_LETTERS, out.resolve(DEAD_LETTERS + ".jsonl"), early);
        concat(parts, NOTICES, out.resolve(NOTICES + ".jsonl"), List.of());
        for (String line : Files.readAllLines(out.resolve(NOTICES + ".jsonl"), StandardCharsets.UTF_8)) {
            notices.merge(noticeKind(line), 1L, Long::sum);
        }
        if (!parts(parts, TOKENS).isEmpty()) {
            concat(parts, TOKENS, out.resolve(TOKENS + ".jsonl"), List.of());
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
                Head h;
                try {
                    h = head(line);
                } catch (JsonScan.Malformed e) {
                    throw new IOException("unexpected block line in " + p + " (" + e.getMessage() + "): "
                            + shorten(line));
                }
                List<String> l = lines.computeIfAbsent(h.id(), k -> new ArrayList<>());
                index.computeIfAbsent(h.id(), k -> new ArrayList<>()).add(new long[] {h.block(), l.size()});
                l.add(line);
                blocks++;
                positions += h.end() - h.start();
                if (h.top() != null) {
                    top.offer(h.id(), new BlockResult(h.block(), h.start(), h.end(), null, null,
                            new TopEntry[] {h.top()}, 0, 0));
                }
            }
        }
        Set<String> ids = new LinkedHashSet<>();
        for (String id : order) {
            if (lines.containsKey(id)) {
                ids.add(id);
            }
        }
        lines.keySet().stream().filter(id -> !ids.contains(id)).sorted().toList().forEach(ids::add);
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

    private static long concat(Path parts, String name, Path target, List<DeadLetter> early) throws IOException {
        long n = 0;
        try (BufferedWriter w = Files.newBufferedWriter(target, StandardCharsets.UTF_8)) {
            for (DeadLetter d : early) {
                w.write(JsonLines.deadLetter(d));
                w.write('\n');
                n++;
            }
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

    /** The fields of a block line that the merge needs. */
    record Head(String id, long block, long start, long end, TopEntry top) {}

    /** Reads a block line as {@link BlockJsonWriter} writes it: id, block, start, end and the top-1 entry. */
    static Head head(String line) throws JsonScan.Malformed {
        JsonScan j = new JsonScan(line);
        String id = j.expect("{\"sequenceId\":").string();
        long block = j.expect(",\"block\":").integer();
        long start = j.expect(",\"start\":").integer();
        long end = j.expect(",\"end\":").integer();
        j.skipPast("],\"top\":["); // the summary and context arrays hold only numbers and nulls
        TopEntry top = null;
        if (j.accept("{\"level\":")) {
            int level = (int) j.integer();
            long first = j.expect(",\"firstBlock\":").integer();
            long last = j.expect(",\"lastBlock\":").integer();
            float weight = j.expect(",\"weight\":").number();
            byte strand = TopEntry.UNSTATED;
            if (j.accept(",\"strand\":")) {
                String st = j.string();
                strand = st.equals("-") ? TopEntry.REVERSE : TopEntry.FORWARD;
            }
            top = new TopEntry(level, first, last, weight, strand);
        }
        return new Head(id, block, start, end, top);
    }

    /** The kind of a notice line as {@link JsonLines#notice} writes it ("?" if the line is not one). */
    static String noticeKind(String line) {
        try {
            JsonScan j = new JsonScan(line);
            j.expect("{\"sequenceId\":").string();
            j.expect(",\"kind\":");
            return j.string();
        } catch (JsonScan.Malformed e) {
            return "?";
        }
    }

    private static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
