package io.longseq.jobs.kafka;

import io.longseq.jobs.cluster.DurableState;
import io.longseq.stream.StreamSettings;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Checkpoints with many open sequences (issue 21, part 3), one case per JVM ({@code bench/run checkpoints} runs
 * them): N sequences of the small model of {@link KafkaPipelineFixture} each get their first 300 positions (three
 * fragments of 100, none last: their first chunk passes through the job, so each holds assemble and global-context
 * state) through an in-process Kafka broker into the Kafka job (parallelism 2, one TaskManager on this JVM's
 * MiniCluster, checkpoints every {@code --interval} into a file checkpoint directory as {@link DurableState} sets it
 * up, the given state backend). Once all first chunks are committed the next {@code --checkpoints} completed
 * checkpoints are measured from Flink's checkpoint statistics (what the web UI's checkpoint tab shows): full state
 * size, uploaded (checkpointed) size, end-to-end duration, per operator; and the checkpoint directory's size on
 * disk. Appends one line per case to {@code OUT/checkpoints.csv} and rewrites {@code OUT/checkpoints.md}.
 *
 * <pre>
 *   CheckpointBench --sequences 10000 --backend hashmap [--interval 5s] [--checkpoints 3] [--out DIR]
 * </pre>
 */
public final class CheckpointBench {

    private static final int FRAGMENT = 100;
    private static final int OPEN_FRAGMENTS = 3;
    private static final String HEADER = "date,host,commit,sequences,backend,open_s,checkpoints,state_bytes,"
            + "bytes_per_sequence,global_context_bytes,assemble_bytes,checkpointed_bytes_median,duration_ms_median,"
            + "duration_ms_max,async_ms_max,dir_bytes,failed_while_open";

    private CheckpointBench() {}

    public static void main(String[] args) throws Exception {
        int sequences = Integer.parseInt(arg(args, "--sequences", "10000"));
        String backend = arg(args, "--backend", "hashmap");
        Duration interval = org.apache.flink.util.TimeUtils.parseDuration(arg(args, "--interval", "5s"));
        int measured = Integer.parseInt(arg(args, "--checkpoints", "3"));
        Path out = Path.of(arg(args, "--out", "bench/results"));
        Path work = Files.createTempDirectory("longseq-ckbench");
        KafkaBrokerExtension kafka = new KafkaBrokerExtension();
        ExtensionContext ctx = (ExtensionContext) Proxy.newProxyInstance(CheckpointBench.class.getClassLoader(),
                new Class<?>[] {ExtensionContext.class},
                (p, m, a) -> m.getName().equals("getUniqueId") ? "checkpoint-bench" : null);
        kafka.beforeAll(ctx);
        Configuration cc = new Configuration();
        cc.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("512m"));
        cc.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        cc.set(RestOptions.ADDRESS, "127.0.0.1");
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(cc)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(2).build());
        try {
            cluster.start();
            TestStreamEnvironment.setAsContext(cluster, 2);
            String line = run(kafka, cluster, work, sequences, backend, interval, measured);
            Files.createDirectories(out);
            Path csv = out.resolve("checkpoints.csv");
            if (!Files.exists(csv)) {
                Files.writeString(csv, HEADER + "\n");
            }
            Files.writeString(csv, line + "\n", StandardOpenOption.APPEND);
            Files.writeString(out.resolve("checkpoints.md"), table(Files.readAllLines(csv)));
            System.out.println(line);
        } finally {
            TestStreamEnvironment.unsetAsContext();
            cluster.close();
            kafka.afterAll(ctx);
            deleteTree(work);
        }
        System.exit(0); // the broker's and Flink's non-daemon threads
    }

    private static String run(KafkaBrokerExtension kafka, MiniCluster cluster, Path work, int n, String backend,
                              Duration interval, int measured) throws Exception {
        StreamSettings settings = StreamSettings.defaults(KafkaPipelineFixture.MODEL);
        List<KafkaPipelineFixture.Sequence> corpus = KafkaPipelineFixture.corpus(7L, "bench", n, 350, 500);
        KafkaPipeline run = KafkaPipeline.create(kafka, "ckbench", false);
        run.produce(corpus, FRAGMENT, x -> x[1] < OPEN_FRAGMENTS);
        int firstChunks = n * (settings.model().chunkSize() / settings.model().blockSize());

        Configuration conf = KafkaPipelineFixture.durableJobConfig(work, interval, backend, null);
        long t0 = System.nanoTime();
        JobClient job = run.start(conf, 2, settings);
        double openSeconds;
        try (KafkaPipelineFixture.CommittedWatcher w = run.watchBlocks()) {
            KafkaPipelineFixture.await(() -> w.distinct() >= firstChunks || job.getJobExecutionResult().isDone(),
                    Duration.ofMinutes(30), "the first chunk of every sequence committed");
            openSeconds = (System.nanoTime() - t0) / 1e9;
        }
        CheckpointStatsProbe.Snapshot before = CheckpointStatsProbe.of(cluster, job.getJobID());
        long base = before.completed();
        KafkaPipelineFixture.await(() -> {
            try {
                return CheckpointStatsProbe.of(cluster, job.getJobID()).completed() >= base + measured + 1;
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofMinutes(30), measured + 1 + " more completed checkpoints");
        CheckpointStatsProbe.Snapshot s = CheckpointStatsProbe.of(cluster, job.getJobID());
        job.cancel().get();
        if (s.failed() > 0) {
            System.err.println("checkpoints failed: " + before.failed() + " before every sequence was open, "
                    + (s.failed() - before.failed()) + " after; the latest: " + s.latestFailure());
        }
        // the checkpoints taken with every sequence open: the last `measured` ones (the one in flight when the last
        // first chunk was committed is skipped)
        List<CheckpointStatsProbe.Completed> h = s.history();
        List<CheckpointStatsProbe.Completed> m = h.subList(Math.max(0, h.size() - measured), h.size());
        CheckpointStatsProbe.Completed last = m.get(m.size() - 1);
        long[] durations = m.stream().mapToLong(CheckpointStatsProbe.Completed::durationMs).sorted().toArray();
        long[] uploaded = m.stream().mapToLong(CheckpointStatsProbe.Completed::checkpointedBytes).sorted().toArray();
        long async = m.stream().flatMap(c -> c.vertices().stream()).mapToLong(CheckpointStatsProbe.Vertex::maxAsyncMs)
                .max().orElse(0);
        long dirBytes = size(work.resolve("checkpoints"));
        String commit = System.getProperty("longseq.commit", "unknown");
        return String.join(",", Instant.now().toString(), '"' + host() + '"', commit, Integer.toString(n), backend,
                String.format(Locale.ROOT, "%.1f", openSeconds), Integer.toString(m.size()),
                Long.toString(last.stateBytes()), Long.toString(last.stateBytes() / n),
                Long.toString(last.vertex("global-context").stateBytes()),
                Long.toString(last.vertex("assemble").stateBytes()), Long.toString(uploaded[uploaded.length / 2]),
                Long.toString(durations[durations.length / 2]), Long.toString(durations[durations.length - 1]),
                Long.toString(async), Long.toString(dirBytes), Long.toString(s.failed() - before.failed()));
    }

    // the CSV as a Markdown table, one row per case
    static String table(List<String> csv) {
        StringBuilder b = new StringBuilder("| open sequences | backend | full state | per open sequence | uploaded per"
                + " checkpoint (median) | checkpoint duration median / max | slowest async part | checkpoint dir on"
                + " disk | failed while open | all opened after | host | date | commit |\n|---:|---|---:|---:|---:|---:|---:|---:|"
                + "---:|---:|---|---|---|\n");
        for (String line : csv.subList(1, csv.size())) {
            String[] f = line.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)");
            b.append(String.format(Locale.ROOT, "| %,d | %s | %s | %s | %s | %,d / %,d ms | %,d ms | %s | %s | %s s |"
                            + " %s | %s | %s |%n", Long.parseLong(f[3]), f[4], mb(f[7]), kb(f[8]), mb(f[11]),
                    Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14]), mb(f[15]), f[16], f[5],
                    f[1].replace("\"", ""), f[0].substring(0, 16), f[2]));
        }
        return b.toString();
    }

    private static String mb(String bytes) {
        return String.format(Locale.ROOT, "%,.1f MB", Long.parseLong(bytes) / 1e6);
    }

    private static String kb(String bytes) {
        return String.format(Locale.ROOT, "%,.1f KB", Long.parseLong(bytes) / 1e3);
    }

    // "AMD EPYC family 25 model 1, 2 cores, AVX2" (hosts of one machine kind differ)
    private static String host() throws IOException {
        List<String> info = Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8);
        String flags = field(info, "flags");
        String vec = (" " + flags + " ").contains(" avx512f ") ? "AVX-512" : (" " + flags + " ").contains(" avx2 ")
                ? "AVX2" : "no AVX2";
        return field(info, "model name") + " family " + field(info, "cpu family") + " model " + field(info, "model")
                + ", " + Runtime.getRuntime().availableProcessors() + " cores, " + vec;
    }

    private static String field(List<String> cpuinfo, String name) {
        return cpuinfo.stream().filter(l -> l.matches(java.util.regex.Pattern.quote(name) + "\\s*:.*")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("?");
    }

    private static long size(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            List<Path> all = new ArrayList<>(s.toList());
            java.util.Collections.reverse(all);
            for (Path f : all) {
                Files.deleteIfExists(f);
            }
        }
    }

    private static String arg(String[] args, String name, String def) {
        int i = Arrays.asList(args).indexOf(name);
        return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
    }
}
