package io.longseq.bench;

import io.longseq.math.kernel.DenseLocalTier;
import io.longseq.math.memory.GlobalTier;
import io.longseq.math.model.ChunkedModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The bottleneck table (docs/design.md 8, issue "Benchmarks" part 1): one synthetic DNA sequence of n positions
 * (seeded random bases, 6-mer ids, generated in memory) through {@link ChunkedModel#run} — the streaming job's
 * code path, chunk by chunk — for n = 1k .. 16M (powers of two: 1,024 .. 16,777,216), d = 128, h = 4, w = 64,
 * L = 1, C = 2048, B = 256, single-threaded, in three configurations:
 * <ul>
 *   <li>{@code dense-full}: local mode FULL (dense O(n²) attention, {@link DenseLocalTier}) + global mode FULL;
 *       refused past {@code maxDensePositions} (here {@code --dense-max}, default 16,384): the refusal message is
 *       the table entry;</li>
 *   <li>{@code local+hierarchical}: the defaults (sliding window + bounded hierarchical memory);</li>
 *   <li>{@code local+full-global}: sliding window + global mode FULL (every block its own entry; maxBlocks raised
 *       so that it never trips here); its state and per-block work grow with n/B.</li>
 * </ul>
 *
 * <p>Each (config, n) runs in its own fresh JVM ({@code -Xmx8g}), so peak memory is per case. Inside it: ids are
 * generated, ND4J starts with one thread, warm-up runs on min(n, 16384) positions (dense: 4096) on another model
 * instance, closed after (at least 3 runs and 3 s), compile the hot code; then the measured runs start under a
 * {@link MemorySampler}. Wall time covers {@code ChunkedModel.run} only; a run shorter than 2 s is repeated on
 * the same instance (up to 20 times within 2 s) and the median (the upper middle for an even count) is reported
 * ({@code reps}); {@code cpu_s} is the
 * process' CPU time per run (all threads), which shows how much of the wall time the JVM actually ran on a shared
 * machine. A case that passes {@code --budget} seconds (default 400) is stopped after the chunk in progress (status
 * {@code budget}, with the positions reached). After the run the global tier is replayed alone over the
 * recorded block summaries (a fresh {@link GlobalTier} and memory; its last context is checked to equal the run's) to
 * read the memory's keyed-state bytes {@code memory.toState().toBytes().length} and time the global tier by itself.
 *
 * <p>Usage: {@code bench/run long [--max N] [--out DIR] [--budget S] [--configs dense,hier,full] [--n 1k,4k]
 * [--dense-max N] [--xmx 8g]}; sizes take k/M/G suffixes (binary: 1k = 1024). Writes {@code DIR/bottleneck.csv},
 * {@code DIR/bottleneck.md} (the table) and {@code DIR/bottleneck.png} (log-log time and memory vs n), rewritten
 * after every case. One case by itself: {@code --case CONFIG N} (prints a {@code RESULT} CSV line).
 */
public final class LongSequenceBench {

    /** The three configurations of the table. */
    enum Config {
        DENSE("dense-full", "dense full attention (local FULL + global FULL)"),
        HIER("local+hierarchical", "sliding window + hierarchical global (default)"),
        FULL("local+full-global", "sliding window + full global (state grows)");

        final String id;
        final String title;

        Config(String id, String title) {
            this.id = id;
            this.title = title;
        }

        static Config parse(String s) {
            for (Config c : values()) {
                if (c.id.equalsIgnoreCase(s) || c.name().equalsIgnoreCase(s)) {
                    return c;
                }
            }
            throw new IllegalArgumentException("unknown config '" + s + "': one of dense, hier, full");
        }
    }

    static final long[] DEFAULT_NS = {1L << 10, 1L << 12, 1L << 14, 1L << 16, 1L << 18, 1L << 20, 1L << 24};

    static final List<String> COLUMNS = List.of("config", "n", "status", "wall_s", "reps", "cpu_s", "positions_per_s",
            "peak_heap_used_bytes", "peak_heap_after_gc_bytes", "peak_rss_bytes", "peak_offheap_min_bytes",
            "peak_javacpp_bytes", "rss_before_bytes", "local_score_bytes", "global_score_bytes", "global_entries_max",
            "state_bytes", "blocks", "global_replay_s", "load_avg", "note");

    private LongSequenceBench() {}

    /** Options of both the orchestrator and a case. */
    static final class Options {
        long max = Long.MAX_VALUE;
        long[] ns = DEFAULT_NS;
        Path out = Path.of("bench/results");
        double budget = 400;   // local + hierarchical at 16M takes ~70 s on an AVX-512 core, ~220 s on an AVX2 one
        List<Config> configs = List.of(Config.DENSE, Config.HIER, Config.FULL);
        int denseMax = 1 << 14;
        String xmx = "8g";
        long seed = 42;
        Config caseConfig;
        long caseN;
        String extraJvm = System.getenv().getOrDefault("BENCH_CHILD_OPTS", "");
    }

    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        if (o.caseConfig != null) {
            Map<String, Object> row = BottleneckCase.runCase(o.caseConfig, o.caseN, o);
            System.out.println("RESULT " + Csv.line(new ArrayList<>(row.values())));
            System.out.flush();
            System.exit(0); // ND4J's threads
        }
        orchestrate(o);
    }

    static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--max" -> o.max = size(args[++i]);
                case "--n" -> o.ns = Arrays.stream(args[++i].split(",")).mapToLong(LongSequenceBench::size).toArray();
                case "--out" -> o.out = Path.of(args[++i]);
                case "--budget" -> o.budget = Double.parseDouble(args[++i]);
                case "--configs" -> o.configs = Arrays.stream(args[++i].split(",")).map(Config::parse).toList();
                case "--dense-max" -> o.denseMax = (int) size(args[++i]);
                case "--xmx" -> o.xmx = args[++i];
                case "--seed" -> o.seed = Long.parseLong(args[++i]);
                case "--case" -> {
                    o.caseConfig = Config.parse(args[++i]);
                    o.caseN = size(args[++i]);
                }
                case "-h", "--help" -> {
                    System.out.println("usage: LongSequenceBench [--max N] [--n 1k,4k,...] [--out DIR]"
                            + " [--budget S, default 400] [--configs dense,hier,full] [--dense-max N] [--xmx 8g]"
                            + " [--seed S] | --case CONFIG N");
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("unknown option '" + a + "' (try --help)");
            }
        }
        return o;
    }

    /** "16M" → 16,777,216; "1k" → 1024; "100000" → 100,000. */
    static long size(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        long mult = 1;
        if (t.endsWith("k")) {
            mult = 1L << 10;
        } else if (t.endsWith("m")) {
            mult = 1L << 20;
        } else if (t.endsWith("g")) {
            mult = 1L << 30;
        }
        if (mult > 1) {
            t = t.substring(0, t.length() - 1);
        }
        return Math.round(Double.parseDouble(t.replace("_", "")) * mult);
    }

    // ---------------------------------------------------------------------------------------------- orchestrator

    static void orchestrate(Options o) throws IOException, InterruptedException {
        Files.createDirectories(o.out);
        String started = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String loadStart = Machine.loadAverage();
        System.out.println("bottleneck table: " + Machine.describe());
        System.out.println("load average at start: " + loadStart + "; results in " + o.out.toAbsolutePath());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Config c : o.configs) {
            for (long n : o.ns) {
                if (n > o.max) {
                    continue;
                }
                long t0 = System.nanoTime();
                Map<String, Object> row = child(c, n, o);
                rows.add(row);
                System.out.printf(Locale.ROOT, "%-20s n=%-10d %-8s wall=%-9s pos/s=%-10s rss=%-8s heap=%-8s"
                                + " state=%-9s (%.0f s with JVM start, load %s)%n", c.id, n, row.get("status"),
                        row.get("wall_s"), row.get("positions_per_s"), BottleneckTable.human(row.get("peak_rss_bytes")),
                        BottleneckTable.human(row.get("peak_heap_used_bytes")), BottleneckTable.human(row.get("state_bytes")),
                        (System.nanoTime() - t0) / 1e9, row.get("load_avg"));
                BottleneckTable.write(o, rows, started, loadStart);
            }
        }
        BottleneckTable.write(o, rows, started, loadStart);
        System.out.println();
        System.out.println(Files.readString(o.out.resolve("bottleneck.md")));
    }

    // one case in a fresh JVM with the same class path; its stderr goes to DIR/logs/
    static Map<String, Object> child(Config c, long n, Options o) throws IOException, InterruptedException {
        Path logs = o.out.resolve("logs");
        Files.createDirectories(logs);
        Path log = logs.resolve(c.id.replace('+', '_') + "-" + n + ".log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + o.xmx);
        cmd.add("--add-modules=jdk.incubator.vector");
        for (String extra : o.extraJvm.trim().split("\\s+")) {
            if (!extra.isEmpty()) {
                cmd.add(extra);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LongSequenceBench.class.getName(),
                "--case", c.id, Long.toString(n), "--budget", Double.toString(o.budget),
                "--dense-max", Integer.toString(o.denseMax), "--seed", Long.toString(o.seed)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
        Process p = pb.start();
        Map<String, Object> row = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("RESULT ")) {
                    List<String> f = Csv.parse(line.substring(7));
                    row = new LinkedHashMap<>();
                    for (int i = 0; i < COLUMNS.size(); i++) {
                        row.put(COLUMNS.get(i), i < f.size() ? f.get(i) : "");
                    }
                }
            }
        }
        boolean done = p.waitFor((long) o.budget + 600, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        if (row == null) {
            row = BottleneckCase.emptyRow(c, n);
            row.put("status", "error");
            row.put("note", BottleneckCase.oneLine("child JVM " + (done ? "exited with " + p.exitValue() : "timed out") + "; "
                    + lastProblem(log) + " (log: " + log + ")"));
        }
        return row;
    }

    static String lastProblem(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            for (int i = lines.size() - 1; i >= 0; i--) {
                String l = lines.get(i);
                if (l.contains("Exception") || l.contains("Error")) {
                    return l.trim();
                }
            }
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1).trim();
        } catch (IOException e) {
            return "";
        }
    }

}
