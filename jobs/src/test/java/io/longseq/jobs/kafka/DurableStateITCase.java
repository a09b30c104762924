package io.longseq.jobs.kafka;

import static io.longseq.jobs.kafka.KafkaPipelineFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.jobs.LongseqOptions;
import io.longseq.jobs.cli.LongseqCli;
import io.longseq.jobs.cluster.Checkpoints;
import io.longseq.jobs.cluster.DeployOptions;
import io.longseq.jobs.cluster.DurableState;
import io.longseq.jobs.cluster.GracefulStop;
import io.longseq.math.model.GlobalMode;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.global.BlockContext;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * Durable state of the Kafka job (issue 21, part 2), through the configuration {@code longseq run} builds
 * ({@link DurableState#configure} from the deploy options) and the commands a user runs. Every job here reads a
 * 4-partition topic at parallelism 2 with checkpoints every 500 ms and EXACTLY_ONCE sinks; the sequences stay open
 * (no last fragment) until the final part of the input, so each restore must carry their assemble and
 * global-context state. At the end a fresh read_committed consumer must see every (sequence, block) exactly once,
 * each record bitwise equal, field by field, to {@code ChunkedModel} run offline on the whole sequence.
 *
 * <ul>
 *   <li>Cancel and {@code --resume latest}, with the hashmap and the RocksDB backend, in the default global mode and
 *       in RETRIEVAL (whose memory is rewritten in place in keyed state): the cancelled job's latest checkpoint must
 *       still be there (RETAIN_ON_CANCELLATION) and be what {@code latest} picks.</li>
 *   <li>Ctrl-C, {@code longseq stop} and {@code --resume PATH}: {@code longseq run} as its own JVM gets SIGINT and
 *       must stop with a savepoint and print its path; a job resumed from it with {@code latest} (the savepoint is
 *       newer than the retained checkpoints) on the test's MiniCluster is stopped by {@code longseq stop} through
 *       the cluster's REST endpoint right after its start, while it restores (the stop waits until its tasks run);
 *       the last part runs from the path that printed.</li>
 *   <li>A graceful stop whose savepoint fails (an unwritable savepoint directory) cancels the job instead, and its
 *       retained checkpoint stays.</li>
 * </ul>
 */
class DurableStateITCase {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = KafkaPipelineFixture.miniCluster(1, 4,
            KafkaPipelineFixture.smallNetworkBuffers());

    private static final int FRAGMENT = 500;
    private static final int PARALLELISM = 2;
    private static final StreamSettings SETTINGS = StreamSettings.defaults(KafkaPipelineFixture.MODEL);
    private static final Pattern SAVEPOINT_LINE = Pattern.compile("stopped with a savepoint: (\\S+)");

    @TempDir
    Path dir;

    /** Global modes of the cancel-and-resume case: the default, and RETRIEVAL, whose state is rewritten in place,
     *  with a store of 2 buckets of 4 slots, so it evicts at nearly every chunk (30–60 blocks a sequence). */
    private static StreamSettings settings(String mode) {
        return mode.equals("retrieval") ? StreamSettings.defaults(KafkaPipelineFixture.MODEL.toBuilder()
                .globalMode(GlobalMode.RETRIEVAL).retrievalBits(1).retrievalSlots(4).retrievalRecent(1).build())
                : SETTINGS;
    }

    @ParameterizedTest
    @CsvSource({"hashmap,hierarchical", "rocksdb,hierarchical", "hashmap,retrieval", "rocksdb,retrieval"})
    void aCancelledJobKeepsItsCheckpointAndResumeLatestContinuesItExactlyOnce(String backend, String mode)
            throws Exception {
        long t0 = System.nanoTime();
        StreamSettings settings = settings(mode);
        String name = backend + (mode.equals("hierarchical") ? "" : "-" + mode);
        List<KafkaPipelineFixture.Sequence> corpus = KafkaPipelineFixture.corpus(name.hashCode(), "ds-" + name,
                20, 2_000, 4_000);
        Map<String, List<BlockContext>> expected = KafkaPipelineFixture.offline(corpus, settings);
        int total = KafkaPipelineFixture.count(expected);
        KafkaPipeline run = KafkaPipeline.create(KAFKA, "durable-" + name, false);
        List<Integer> split = corpus.stream().map(s -> (int) Math.ceil(0.6 * s.fragments(FRAGMENT))).toList();
        run.produce(corpus, FRAGMENT, x -> x[1] < split.get(x[0]));
        Path ck = dir.resolve("checkpoints");

        // phase 1: runs until a second checkpoint has completed after output was committed, then is cancelled
        Configuration c1 = deploy(backend, null);
        JobClient first = run.start(c1, PARALLELISM, settings);
        Checkpoints.Found retained;
        try (KafkaPipelineFixture.CommittedWatcher w = run.watchBlocks()) {
            await(() -> w.records() > 0 || first.getJobExecutionResult().isDone(), Duration.ofSeconds(90),
                    "committed output of phase 1");
            long seen = latestNumber(ck);
            await(() -> latestNumber(ck) >= seen + 2 || first.getJobExecutionResult().isDone(),
                    Duration.ofSeconds(60), "two more completed checkpoints");
            assertThat(first.getJobExecutionResult().isDone()).as("phase 1 still running").isFalse();
        }
        KafkaPipeline.cancel(first);
        Optional<Checkpoints.Found> kept = Checkpoints.latest(List.of(DurableState.of(c1).checkpointDir()));
        assertThat(kept).as("a checkpoint retained after cancelling, under " + ck).isPresent();
        retained = kept.get();
        assertThat(retained.directory()).contains(first.getJobID().toString() + "/chk-");
        if (backend.equals("rocksdb")) {
            try (Stream<Path> shared = Files.list(ck.resolve(first.getJobID().toString()).resolve("shared"))) {
                assertThat(shared.count()).as("incremental RocksDB files in shared/").isPositive();
            }
        }

        // phase 2: the rest of the input (last fragments included), resumed with latest
        run.produce(corpus, FRAGMENT, x -> x[1] >= split.get(x[0]));
        Configuration c2 = deploy(backend, DurableState.LATEST);
        assertThat(DurableState.configure(new Configuration(c2), true, dir).resumeFrom()).isEqualTo(retained);
        JobClient second = run.start(c2, PARALLELISM, settings);
        run.awaitBlocksThenCancel(second, total, Duration.ofSeconds(120), "every block committed");

        BlockVerdict.Tally t = run.assertBlocksExactlyOnce("cancel + resume latest (" + name + ")", expected);
        report(String.format(Locale.ROOT, "%s: %d open sequences, %d blocks; phase 1 cancelled, retained %s;"
                        + " phase 2 resumed from it; read_committed counts %s, bitwise equal to ChunkedModel; %d ms",
                name, corpus.size(), total, retained.describe(), t.histogram(),
                (System.nanoTime() - t0) / 1_000_000));
    }

    @Test
    void ctrlCStopsTheCliWithASavepointLongseqStopStopsAClusterJobAndBothResume(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        long t0 = System.nanoTime();
        List<KafkaPipelineFixture.Sequence> corpus = KafkaPipelineFixture.corpus(21L, "ds-stop", 20, 2_500, 4_000);
        Map<String, List<BlockContext>> expected = KafkaPipelineFixture.offline(corpus, SETTINGS);
        int total = KafkaPipelineFixture.count(expected);
        KafkaPipeline run = KafkaPipeline.create(KAFKA, "durable-stop", false);
        // three parts: fragments [0, a), [a, b), [b, n) of each sequence; only the last part holds last fragments
        List<int[]> cuts = corpus.stream().map(s -> new int[] {(int) Math.ceil(0.35 * s.fragments(FRAGMENT)),
                (int) Math.ceil(0.7 * s.fragments(FRAGMENT))}).toList();
        run.produce(corpus, FRAGMENT, x -> x[1] < cuts.get(x[0])[0]);

        // phase A: longseq run in its own JVM, Ctrl-C (SIGINT) once output is committed
        Path out = dir.resolve("cli.out");
        Path err = dir.resolve("cli.err");
        Process cli = new ProcessBuilder(cliCommand(run.settings())).redirectOutput(out.toFile()).redirectError(err.toFile())
                .start();
        String fromCtrlC;
        try (KafkaPipelineFixture.CommittedWatcher w = run.watchBlocks()) {
            await(() -> w.records() > 0 || !cli.isAlive(), Duration.ofSeconds(120), "committed output of the CLI");
            assertThat(cli.isAlive()).as("the CLI still runs; its stderr: " + Files.readString(err)).isTrue();
            new ProcessBuilder("kill", "-INT", Long.toString(cli.pid())).inheritIO().start().waitFor();
            assertThat(cli.waitFor(120, TimeUnit.SECONDS)).as("the CLI ended after Ctrl-C").isTrue();
        } finally {
            cli.destroyForcibly();
        }
        String cliErr = Files.readString(err);
        assertThat(cli.exitValue()).as("exit code after Ctrl-C; stderr: " + cliErr).isZero();
        Matcher m = SAVEPOINT_LINE.matcher(cliErr);
        assertThat(m.find()).as("the savepoint line in: " + cliErr).isTrue();
        fromCtrlC = m.group(1);
        assertThat(Checkpoints.at(fromCtrlC)).as("savepoint " + fromCtrlC).get()
                .extracting(Checkpoints.Found::isSavepoint).isEqualTo(true);
        assertThat(cliErr).contains("checkpoints in " + DurableState.of(deploy("hashmap", null)).checkpointDir());

        // phase B: the second part; resumed with latest (the savepoint), stopped by longseq stop via REST right
        // after its start
        run.produce(corpus, FRAGMENT, x -> x[1] >= cuts.get(x[0])[0] && x[1] < cuts.get(x[0])[1]);
        Configuration cb = deploy("hashmap", DurableState.LATEST);
        assertThat(DurableState.configure(new Configuration(cb), true, dir).resumeFrom().directory())
                .isEqualTo(Checkpoints.at(fromCtrlC).get().directory());
        JobClient b = run.start(cb, PARALLELISM, SETTINGS);
        // at once, while the job restores: the stop waits for its tasks to run (Flink refuses a savepoint before)
        String rest = cluster.getRestAddress().get().getHost() + ":" + cluster.getRestAddress().get().getPort();
        StringWriter so = new StringWriter();
        StringWriter se = new StringWriter();
        CommandLine stop = LongseqCli.commandLine();
        stop.setOut(new PrintWriter(so, true));
        stop.setErr(new PrintWriter(se, true));
        int code = stop.execute("stop", "--jobmanager", rest, "--savepoint-dir", dir.resolve("savepoints").toString());
        assertThat(code).as("longseq stop: " + se).isZero();
        String fromStop = so.toString().strip();
        assertThat(se.toString()).contains("stopping job " + b.getJobID(), "stopped with a savepoint: " + fromStop);
        b.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        assertThat(Checkpoints.at(fromStop)).as("savepoint " + fromStop).isPresent();

        // phase C: the rest, from the printed path
        run.produce(corpus, FRAGMENT, x -> x[1] >= cuts.get(x[0])[1]);
        JobClient c = run.start(deploy("hashmap", fromStop), PARALLELISM, SETTINGS);
        run.awaitBlocksThenCancel(c, total, Duration.ofSeconds(120), "every block committed");

        BlockVerdict.Tally t = run.assertBlocksExactlyOnce("Ctrl-C, stop, resume", expected);
        report(String.format(Locale.ROOT, "Ctrl-C -> %s; longseq stop -> %s; %d open sequences, %d blocks;"
                        + " read_committed counts %s, bitwise equal to ChunkedModel; %d ms", fromCtrlC, fromStop,
                corpus.size(), total, t.histogram(), (System.nanoTime() - t0) / 1_000_000));
    }

    @Test
    void aStopWhoseSavepointFailsCancelsTheJobAndItsCheckpointStays() throws Exception {
        KafkaPipeline run = KafkaPipeline.create(KAFKA, "durable-fallback", false);
        run.produce(KafkaPipelineFixture.corpus(3L, "ds-fallback", 4, 1_000, 2_000), FRAGMENT, x -> true);
        Configuration c = deploy("hashmap", null);
        JobClient job = run.start(c, PARALLELISM, SETTINGS);
        Path ck = dir.resolve("checkpoints");
        await(() -> latestNumber(ck) >= 1 || job.getJobExecutionResult().isDone(), Duration.ofSeconds(60),
                "a completed checkpoint");
        // a savepoint directory below a regular file cannot be created: the savepoint fails
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
        StringWriter err = new StringWriter();
        try (GracefulStop stop = GracefulStop.install(job, "file://" + file.resolve("savepoints"),
                Duration.ofSeconds(30), new PrintWriter(err, true), "test")) {
            assertThat(stop.stop()).as("the savepoint's path; stderr: " + err).isNull();
            assertThat(stop.requested()).isTrue();
            assertThat(stop.failure()).startsWith("the savepoint failed: ");
        }
        await(() -> job.getJobExecutionResult().isDone(), Duration.ofSeconds(60), "the job cancelled");
        assertThat(job.getJobStatus().get()).isEqualTo(org.apache.flink.api.common.JobStatus.CANCELED);
        assertThat(err.toString()).contains("stopping the job with a savepoint", "; cancelling the job");
        assertThat(Checkpoints.latest(List.of(DurableState.of(c).checkpointDir()))).as("retained after the cancel")
                .isPresent();
    }

    // the job configuration run builds in Kafka mode: checkpoints every 500 ms, no restarts, the deploy options
    private Configuration deploy(String backend, String resume) {
        return KafkaPipelineFixture.durableJobConfig(dir, Duration.ofMillis(500), backend, resume);
    }

    private static long latestNumber(Path ck) {
        try {
            return Checkpoints.latest(List.of("file://" + ck)).map(Checkpoints.Found::number).orElse(0L);
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    // longseq run in Kafka mode as its own JVM, the small model, the same topics, the deploy directories of dir
    private List<String> cliCommand(KafkaSettings k) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                LongseqCli.class.getName(), "run", "--parallelism", Integer.toString(PARALLELISM)));
        String[][] flags = {
                {flag(KafkaOptions.BOOTSTRAP_SERVERS), k.bootstrapServers()},
                {flag(KafkaOptions.INPUT_TOPIC), k.inputTopic()},
                {flag(KafkaOptions.GROUP_ID), k.groupId()},
                {flag(KafkaOptions.STARTING_OFFSETS), k.startingOffsets()},
                {flag(KafkaOptions.BLOCKS_TOPIC), k.blocksTopic()},
                {flag(KafkaOptions.TOKENS_TOPIC), k.tokensTopic()},
                {flag(KafkaOptions.DEAD_LETTERS_TOPIC), k.deadLettersTopic()},
                {flag(KafkaOptions.NOTICES_TOPIC), k.noticesTopic()},
                {flag(KafkaOptions.TRANSACTIONAL_ID_PREFIX), k.transactionalIdPrefix()},
                {flag(KafkaOptions.TRANSACTION_TIMEOUT), "3 min"},
                {flag(KafkaOptions.CHECKPOINT_INTERVAL), "500 ms"},
                {flag(DeployOptions.CHECKPOINT_DIR), dir.resolve("checkpoints").toString()},
                {flag(DeployOptions.SAVEPOINT_DIR), dir.resolve("savepoints").toString()},
                {"--kmer", "4"}, {"--d-model", "32"}, {"--heads", "4"}, {"--window", "16"}, {"--layers", "1"},
                {"--ffn-dim", "64"}, {"--block-size", "64"}, {"--chunk-size", "256"}};
        for (String[] f : flags) {
            cmd.addAll(List.of(f));
        }
        return cmd;
    }

    private static String flag(org.apache.flink.configuration.ConfigOption<?> o) {
        return LongseqOptions.flag(o);
    }

    private static void report(String line) {
        System.out.println("[DurableStateITCase] " + line);
    }
}
