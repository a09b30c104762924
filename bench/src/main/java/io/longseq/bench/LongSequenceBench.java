package io.longseq.bench;

import io.longseq.math.features.Features;
import io.longseq.math.kernel.DenseLocalTier;
import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.memory.BlockMemory;
import io.longseq.math.memory.GlobalTier;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.ChunkedModel;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.LocalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.Weights;
import io.longseq.math.weights.WeightsInit;
import java.io.BufferedReader;
import java.io.File;
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
import java.util.SplittableRandom;
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
            Map<String, Object> row = runCase(o.caseConfig, o.caseN, o);
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

    // ---------------------------------------------------------------------------------------------- one case

    static ModelConfig config(Config c, long n, Options o) {
        ModelConfig.Builder b = ModelConfig.builder().dModel(128).heads(4);
        long blocks = (n + 255) / 256;
        int maxBlocks = (int) Math.min(Integer.MAX_VALUE, Math.max(1L << 20, blocks + 1));
        return switch (c) {
            case DENSE -> b.localMode(LocalMode.FULL).globalMode(GlobalMode.FULL).maxDensePositions(o.denseMax)
                    .maxBlocks(maxBlocks).build();
            case HIER -> b.build();
            case FULL -> b.globalMode(GlobalMode.FULL).maxBlocks(maxBlocks).build();
        };
    }

    /** Seeded random A/C/G/T, generated 1 MiB at a time (2 bits of a random long per base). */
    static byte[] randomBases(int n, long seed) {
        byte[] acgt = {'A', 'C', 'G', 'T'};
        byte[] out = new byte[n];
        SplittableRandom r = new SplittableRandom(seed);
        for (int from = 0; from < n; from += 1 << 20) {
            int to = Math.min(n, from + (1 << 20));
            long bits = 0;
            for (int i = from; i < to; i++) {
                if ((i & 31) == 0) {
                    bits = r.nextLong();
                }
                out[i] = acgt[(int) (bits & 3)];
                bits >>>= 2;
            }
        }
        return out;
    }

    /** Float32 bytes of the attention scores materialised at once by the local tier (see docs/benchmarks.md). */
    static long localScoreBytes(ModelConfig cfg, long n) {
        if (cfg.localMode() == LocalMode.FULL) {
            return 4L * n * n * cfg.heads();                              // the whole n×n matrix, every head
        }
        long rows = Math.min(n, (long) cfg.chunkSize() + cfg.attentionHalo() + cfg.rightHalo());
        long band = cfg.causal() ? cfg.window() + 1 : 2L * cfg.window() + 1;
        return 4L * rows * band * cfg.heads();                          // one chunk with halos, one layer
    }

    /** The most entries one block attends to over the first {@code blocks} blocks. */
    static long maxEntries(ModelConfig cfg, long blocks) {
        if (blocks == 0) {
            return 0;
        }
        return cfg.globalMode() == GlobalMode.FULL ? blocks
                : HierarchicalEntries.max(blocks, cfg.recent(), cfg.group(), cfg.levels());
    }

    private static final class BudgetExceeded extends RuntimeException {
        final long reached;

        BudgetExceeded(long reached) {
            super(null, null, false, false);
            this.reached = reached;
        }
    }

    static Map<String, Object> runCase(Config c, long nLong, Options o) {
        Map<String, Object> row = emptyRow(c, nLong);
        ModelConfig cfg = config(c, nLong, o);
        long blocks = (nLong + cfg.blockSize() - 1) / cfg.blockSize();
        row.put("local_score_bytes", localScoreBytes(cfg, nLong));
        row.put("global_score_bytes", 4 * maxEntries(cfg, blocks));
        row.put("global_entries_max", maxEntries(cfg, blocks));
        if (c == Config.DENSE) {
            try {
                DenseLocalTier.checkLength(cfg, nLong);
            } catch (IllegalArgumentException e) {
                row.put("status", "refused");
                row.put("note", oneLine(e.getMessage()));
                return row;
            }
        }
        if (nLong > Integer.MAX_VALUE - 8) {
            row.put("status", "error");
            row.put("note", "n = " + nLong + " does not fit ChunkedModel.run's int[] ids");
            return row;
        }
        int n = (int) nLong;
        byte[] bases = randomBases(n, o.seed);
        int[] ids = Features.dnaKmers(bases, cfg);                   // [n], 4 bytes per position
        bases = null;
        Nd4jRuntime.init(1);
        Weights w = WeightsInit.defaults(cfg, o.seed);
        // warm-up on another instance (closed after): at least 3 runs and 3 s, so the JIT has compiled the hot code
        int warm = Math.min(n, c == Config.DENSE ? 4096 : 16384);
        int[] warmIds = Arrays.copyOf(ids, warm);
        long warmEnd = System.nanoTime() + 3_000_000_000L;
        try (ChunkedModel m = new ChunkedModel(cfg, w)) {
            for (int k = 0; k < 3 || (System.nanoTime() < warmEnd && k < 100); k++) {
                m.run(warmIds, warm, false);
            }
        }
        warmIds = null;
        System.gc();
        try {
            Thread.sleep(1000);                                       // G1 gives the freed heap back meanwhile
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        row.put("rss_before_bytes", org.bytedeco.javacpp.Pointer.physicalBytes());

        // measured: one run, repeated (same instance, as a stream reuses its operator) while short, median wall
        long[] reached = {0};
        long deadline = System.nanoTime() + (long) (o.budget * 1e9);
        ChunkedModel.Result result = null;
        MemorySampler.Peaks peaks;
        List<Double> walls = new ArrayList<>();
        double cpu;
        try (MemorySampler sampler = new MemorySampler(5); ChunkedModel m = new ChunkedModel(cfg, w)) {
            long start = System.nanoTime();
            long cpu0 = processCpuNanos();
            do {
                long t0 = System.nanoTime();
                try {
                    result = m.run(ids, n, false, done -> {
                        reached[0] = done;
                        if (System.nanoTime() > deadline && done < n) {
                            throw new BudgetExceeded(done);
                        }
                    });
                } catch (BudgetExceeded e) {
                    reached[0] = e.reached;
                    result = null;
                }
                walls.add((System.nanoTime() - t0) / 1e9);
            } while (result != null && walls.size() < 20 && System.nanoTime() - start < 2_000_000_000L);
            cpu = (processCpuNanos() - cpu0) / 1e9 / walls.size();
            peaks = sampler.stop();                                   // result still referenced: its heap counts
        }
        List<Double> sorted = new ArrayList<>(walls);
        sorted.sort(null);
        double wall = result == null ? walls.get(walls.size() - 1) : sorted.get(sorted.size() / 2);
        row.put("reps", walls.size());
        row.put("cpu_s", fmt(cpu));
        row.put("wall_s", fmt(wall));
        row.put("positions_per_s", fmt(reached[0] / wall));
        row.put("peak_heap_used_bytes", peaks.heapUsed());
        row.put("peak_heap_after_gc_bytes", peaks.heapAfterGc());
        row.put("peak_rss_bytes", peaks.rss());
        row.put("peak_offheap_min_bytes", peaks.offHeap());
        row.put("peak_javacpp_bytes", peaks.javacpp());

        if (result == null) {
            // stopped by the budget: the state bytes of the blocks done (FULL's bytes depend only on the count)
            long done = (reached[0] + cfg.blockSize() - 1) / cfg.blockSize();
            BlockMemory mem = BlockMemory.create(cfg);
            float[] zero = new float[cfg.dModel()];
            for (long b = 0; b < done; b++) {
                mem.append(zero, zero);
            }
            row.put("status", "budget");
            row.put("blocks", done);
            row.put("state_bytes", mem.toState().toBytes().length);
            row.put("global_entries_max", maxEntries(cfg, done));
            row.put("global_score_bytes", 4 * maxEntries(cfg, done));
            row.put("note", String.format(Locale.ROOT, "stopped by the %.0f s budget after %d of %d positions"
                    + " (%.1f %%); state and entries at that point", o.budget, reached[0], n, 100.0 * reached[0] / n));
            return row;
        }
        // replay the global tier alone over the run's summaries: its state bytes and its own time
        GlobalTier g = new GlobalTier(cfg, w);
        BlockMemory mem = BlockMemory.create(cfg);
        List<BlockResult> out = result.blocks();
        long r0 = System.nanoTime();
        BlockResult last = null;
        for (BlockResult br : out) {
            last = g.step(mem, br.start(), br.end(), br.summary());
        }
        double replay = (System.nanoTime() - r0) / 1e9;
        if (last != null && !Arrays.equals(last.context(), out.get(out.size() - 1).context())) {
            throw new IllegalStateException("the global tier's replay differs from the run: the state read would"
                    + " not be the run's");
        }
        row.put("status", "ok");
        row.put("blocks", out.size());
        row.put("state_bytes", mem.toState().toBytes().length);
        row.put("global_replay_s", fmt(replay));
        row.put("note", "");
        return row;
    }

    // CPU time of this process (every thread: the run's, the GC's, the sampler's)
    static long processCpuNanos() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }

    static Map<String, Object> emptyRow(Config c, long n) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (String col : COLUMNS) {
            row.put(col, "");
        }
        row.put("config", c.id);
        row.put("n", n);
        row.put("load_avg", Machine.loadAverage());
        return row;
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
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
                        row.get("wall_s"), row.get("positions_per_s"), human(row.get("peak_rss_bytes")),
                        human(row.get("peak_heap_used_bytes")), human(row.get("state_bytes")),
                        (System.nanoTime() - t0) / 1e9, row.get("load_avg"));
                write(o, rows, started, loadStart);
            }
        }
        write(o, rows, started, loadStart);
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
            row = emptyRow(c, n);
            row.put("status", "error");
            row.put("note", oneLine("child JVM " + (done ? "exited with " + p.exitValue() : "timed out") + "; "
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

    static void write(Options o, List<Map<String, Object>> rows, String started, String loadStart)
            throws IOException {
        List<String> csv = new ArrayList<>();
        csv.add(Csv.line(COLUMNS));
        for (Map<String, Object> r : rows) {
            csv.add(Csv.line(new ArrayList<>(r.values())));
        }
        Files.write(o.out.resolve("bottleneck.csv"), csv, StandardCharsets.UTF_8);
        Files.writeString(o.out.resolve("bottleneck.md"), markdown(rows, started, loadStart), StandardCharsets.UTF_8);
        plot(o.out.resolve("bottleneck.png").toFile(), rows, o);
    }

    static String markdown(List<Map<String, Object>> rows, String started, String loadStart) {
        StringBuilder b = new StringBuilder();
        b.append("Run started ").append(started).append(" on ").append(Machine.describe())
                .append("; load average at start ").append(loadStart).append(", now ").append(Machine.loadAverage())
                .append(".\n\n");
        b.append("| config | n | wall (s) | CPU (s) | positions/s | peak heap used | heap after GC | peak RSS |"
                + " off-heap ≥ | score bytes local | score bytes global | global state bytes | global tier alone (s) | load |"
                + " note |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        for (Map<String, Object> r : rows) {
            String status = String.valueOf(r.get("status"));
            boolean ok = status.equals("ok") || status.equals("budget");
            b.append("| ").append(r.get("config"))
                    .append(" | ").append(String.format(Locale.ROOT, "%,d", Long.parseLong(String.valueOf(r.get("n")))))
                    .append(" | ").append(ok ? r.get("wall_s") + (status.equals("budget") ? " (stopped)" : "") : status)
                    .append(" | ").append(ok ? r.get("cpu_s") : "–")
                    .append(" | ").append(ok ? String.format(Locale.ROOT, "%,.0f",
                            Double.parseDouble(String.valueOf(r.get("positions_per_s")))) : "–")
                    .append(" | ").append(human(r.get("peak_heap_used_bytes")))
                    .append(" | ").append(human(r.get("peak_heap_after_gc_bytes")))
                    .append(" | ").append(human(r.get("peak_rss_bytes")))
                    .append(" | ").append(human(r.get("peak_offheap_min_bytes")))
                    .append(" | ").append(human(r.get("local_score_bytes")))
                    .append(" | ").append(human(r.get("global_score_bytes")))
                    .append(" | ").append(r.get("state_bytes").toString().isEmpty() ? "–"
                            : String.format(Locale.ROOT, "%,d", Long.parseLong(String.valueOf(r.get("state_bytes")))))
                    .append(" | ").append(String.valueOf(r.get("global_replay_s")).isEmpty() ? "–"
                            : r.get("global_replay_s"))
                    .append(" | ").append(r.get("load_avg"))
                    .append(" | ").append(String.valueOf(r.get("note")).replace("|", "/"))
                    .append(" |\n");
        }
        return b.toString();
    }

    /** Bytes in binary units, "–" when empty. */
    static String human(Object v) {
        String s = String.valueOf(v);
        if (s.isEmpty() || s.equals("null")) {
            return "–";
        }
        double x = Double.parseDouble(s);
        String[] u = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        int i = 0;
        while (x >= 1024 && i < u.length - 1) {
            x /= 1024;
            i++;
        }
        return i == 0 ? String.format(Locale.ROOT, "%.0f B", x) : String.format(Locale.ROOT, "%.1f %s", x, u[i]);
    }

    static void plot(File png, List<Map<String, Object>> rows, Options o) throws IOException {
        List<LogLogPlot.Series> time = new ArrayList<>();
        List<LogLogPlot.Series> mem = new ArrayList<>();
        int ci = 0;
        for (Config c : o.configs) {
            var color = LogLogPlot.PALETTE[ci++ % LogLogPlot.PALETTE.length];
            LogLogPlot.Series t = new LogLogPlot.Series(c.id, color, LogLogPlot.Style.SOLID);
            LogLogPlot.Series rss = new LogLogPlot.Series(c.id + ": peak RSS", color, LogLogPlot.Style.SOLID);
            LogLogPlot.Series score = new LogLogPlot.Series(c.id + ": score bytes at once (analytic)", color,
                    LogLogPlot.Style.DASHED);
            LogLogPlot.Series state = new LogLogPlot.Series(c.id + ": global state bytes", color,
                    LogLogPlot.Style.DOTTED);
            for (Map<String, Object> r : rows) {
                if (!r.get("config").equals(c.id)) {
                    continue;
                }
                double n = Double.parseDouble(String.valueOf(r.get("n")));
                if ("ok".equals(r.get("status"))) {
                    t.add(n, Double.parseDouble(String.valueOf(r.get("wall_s"))));
                    rss.add(n, Double.parseDouble(String.valueOf(r.get("peak_rss_bytes"))));
                    state.add(n, Double.parseDouble(String.valueOf(r.get("state_bytes"))));
                }
                String ls = String.valueOf(r.get("local_score_bytes"));
                String gs = String.valueOf(r.get("global_score_bytes"));
                if (!ls.isEmpty() && !gs.isEmpty() && !"budget".equals(r.get("status"))) {
                    score.add(n, Double.parseDouble(ls) + Double.parseDouble(gs));
                }
            }
            time.add(t);
            mem.add(rss);
            mem.add(score);
            mem.add(state);
        }
        String footer = "single thread, d=128 h=4 w=64 L=1 C=2048 B=256; dense refused past n=" + o.denseMax
                + "; cases that were refused or stopped by the budget are not drawn (solid lines). Load average "
                + Machine.loadAverage() + ".";
        LogLogPlot.write(png, footer, List.of(
                new LogLogPlot.Panel("Wall time of ChunkedModel.run vs n", "positions n", "wall time",
                        LogLogPlot::count, LogLogPlot::seconds, time),
                new LogLogPlot.Panel("Memory vs n", "positions n", "bytes", LogLogPlot::count, LogLogPlot::bytes,
                        mem)));
    }
}
