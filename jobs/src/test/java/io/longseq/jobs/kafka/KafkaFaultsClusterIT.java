package io.longseq.jobs.kafka;

import static io.longseq.jobs.cluster.ClusterProcesses.await;
import static io.longseq.jobs.cluster.ClusterProcesses.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.jobs.LongseqOptions;
import io.longseq.jobs.cluster.ClusterProcesses;
import io.longseq.math.features.FeatureKind;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.global.BlockContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults on the real multi-process cluster (issue 21, item 4): the Kafka job submitted with
 * {@code ./longseq run --jobmanager} to {@code ./longseq cluster start} (a JobManager and 2 TaskManagers of 1 slot:
 * separate JVMs), parallelism 2, checkpoints every second to a directory, while a producer streams the input. Mid-stream
 * one TaskManager process is SIGKILLed and a new one started ({@code cluster start} again); the job restarts from its
 * last checkpoint. Later the JobManager process is SIGKILLed (the job dies with it: no HA), the cluster is stopped and
 * started again, and the job is submitted again with {@code --resume latest} (the newest retained checkpoint). A
 * read_committed consumer must then see every (sequence, block) exactly once, each record bitwise equal to
 * {@code ChunkedModel} offline on the whole sequence ({@link KafkaPipelineFixture#assertExactlyOnceAndBitwiseEqual}).
 */
class KafkaFaultsClusterIT {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final ClusterProcesses CLUSTER = new ClusterProcesses("faults");

    private static final int SEQUENCES = 40;
    private static final int FRAGMENT = 500;
    /** The small model of the Kafka tests, as the job's configuration keys (the job gets them as -D). */
    private static final Map<String, String> MODEL = Map.of("longseq.model.kmer", "4", "longseq.model.d-model", "32",
            "longseq.model.heads", "4", "longseq.model.window", "16", "longseq.model.layers", "1",
            "longseq.model.ffn-dim", "64", "longseq.model.block-size", "64", "longseq.model.chunk-size", "256");

    @Test
    void theKafkaJobSurvivesATaskManagerKillAndAJobManagerKillWithEveryBlockExactlyOnce() throws Exception {
        long t0 = System.nanoTime();
        StreamSettings settings = LongseqOptions.settings(Configuration.fromMap(MODEL), FeatureKind.DNA);
        List<KafkaPipelineFixture.Sequence> corpus = KafkaPipelineFixture.corpus(20_261_207L, "cl", SEQUENCES, 3_000,
                6_000);
        Map<String, List<BlockContext>> expected = KafkaPipelineFixture.offline(corpus, settings);
        int expectedBlocks = KafkaPipelineFixture.count(expected);
        KafkaPipeline run = KafkaPipeline.create(KAFKA, "faults", false);
        KafkaSettings k = run.settings();
        List<ProducerRecord<byte[], byte[]>> input = KafkaPipelineFixture.roundRobin(k.inputTopic(), corpus, FRAGMENT,
                x -> true);

        long tStart = System.nanoTime();
        CLUSTER.start("--taskmanagers", "2", "--slots", "1", "-D", "heartbeat.interval=1s", "-D",
                "heartbeat.timeout=8s");
        String startTime = seconds(tStart);
        Path checkpoints = CLUSTER.work().resolve("checkpoints");
        List<String> job = new ArrayList<>(List.of("run", "--jobmanager", CLUSTER.endpoint(), "--bootstrap-servers",
                k.bootstrapServers(), "--input-topic", k.inputTopic(), "--blocks-topic", k.blocksTopic(),
                "--dead-letters-topic", k.deadLettersTopic(), "--notices-topic", k.noticesTopic(), "--group-id",
                k.groupId(), "--transactional-id-prefix", k.transactionalIdPrefix(), "--checkpoint-interval", "1s",
                "--parallelism", "2",
                "-D", "restart-strategy.type=fixed-delay", "-D", "restart-strategy.fixed-delay.attempts=1000",
                "-D", "restart-strategy.fixed-delay.delay=1s", "--checkpoint-dir", checkpoints.toString()));
        MODEL.forEach((key, v) -> job.addAll(List.of("-D", key + "=" + v)));

        long tSubmit = System.nanoTime();
        Process client1 = CLUSTER.launch("client-1", job.toArray(String[]::new));
        String jid1 = CLUSTER.awaitJob("RUNNING", Duration.ofSeconds(120));
        CLUSTER.awaitAllTasksRunning(jid1, Duration.ofSeconds(120));
        String submitTime = seconds(tSubmit);

        Producer producer = new Producer(input, input.size() * 7 / 10);
        producer.start();
        try (KafkaPipelineFixture.CommittedWatcher watcher = run.watchBlocks()) {
            // 1. a TaskManager SIGKILLed mid-stream, a new one started
            await(() -> watcher.distinct() >= expectedBlocks / 6, Duration.ofSeconds(120), "1/6 of the blocks");
            int committedAtTmKill = watcher.distinct();
            int sentAtTmKill = producer.sent.get();
            long tmPid = CLUSTER.kill9("taskmanager-1");
            long tTmKill = System.nanoTime();
            CLUSTER.start();
            long newTmPid = CLUSTER.process("taskmanager-1").pid();
            await(() -> restarts(jid1) >= 1, Duration.ofSeconds(60), "the job to restart");
            CLUSTER.awaitAllTasksRunning(jid1, Duration.ofSeconds(180));
            String tmRecovery = seconds(tTmKill);

            // 2. the JobManager SIGKILLed; the cluster restarted; the job resumed from its last retained checkpoint
            await(() -> watcher.distinct() >= expectedBlocks * 9 / 20, Duration.ofSeconds(120), "45 % of the blocks");
            int committedAtJmKill = watcher.distinct();
            int sentAtJmKill = producer.sent.get();
            long jmPid = CLUSTER.kill9("jobmanager");
            long tJmKill = System.nanoTime();
            client1.destroyForcibly().waitFor();
            ClusterProcesses.Result stopped = CLUSTER.run(Duration.ofSeconds(90), "cluster", "stop", "--dir",
                    CLUSTER.dir().toString(), "--timeout", "20");
            assertThat(stopped.code()).as(stopped.err()).isZero();
            CLUSTER.start();
            Path latest = latestCheckpoint(checkpoints); // what --resume latest must find
            List<String> resumed = new ArrayList<>(job);
            resumed.addAll(List.of("--resume", "latest"));
            Process client2 = CLUSTER.launch("client-2", resumed.toArray(String[]::new));
            String jid2 = CLUSTER.awaitJob("RUNNING", Duration.ofSeconds(120));
            CLUSTER.awaitAllTasksRunning(jid2, Duration.ofSeconds(120));
            String jmRecovery = seconds(tJmKill);
            String restoredFrom = restoredCheckpoint(jid2);
            assertThat(restoredFrom).as("the resumed job restored the retained checkpoint")
                    .contains(latest.getFileName().toString()).doesNotContain("?");
            producer.rest.countDown();

            await(() -> watcher.distinct() >= expectedBlocks, Duration.ofSeconds(180), "every block committed");
            producer.join(30_000);
            assertThat(producer.failure).isNull();
            List<ConsumerRecord<byte[], byte[]>> records = run.readBlocks(expected);
            BlockVerdict.Tally t = BlockVerdict.assertExactlyOnceAndBitwiseEqual("cluster faults", records, expected);
            String rss = CLUSTER.rss();
            cancel(jid2);
            client2.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(committedAtTmKill).isLessThan(expectedBlocks);
            assertThat(committedAtJmKill).isLessThan(expectedBlocks);
            assertThat(newTmPid).isNotEqualTo(tmPid);
            System.out.printf(Locale.ROOT, "[KafkaFaultsClusterIT] %d sequences, %,d positions, %d fragments, %d"
                            + " blocks expected; cluster start %s, job RUNNING %s after submission; TaskManager pid %d"
                            + " SIGKILLed after %d committed blocks and %d of %d fragments sent, new TaskManager pid %d,"
                            + " all tasks RUNNING again %s after the kill; JobManager pid %d SIGKILLed after %d committed"
                            + " blocks and %d fragments sent, cluster stopped and started, job resumed (--resume latest)"
                            + " from %s, all tasks"
                            + " RUNNING %s after the kill; read_committed saw %d records, per-(sequence, block) counts %s"
                            + " (lost %d, duplicated %d, unexpected %d), every record bitwise equal to ChunkedModel"
                            + " offline; RSS at the end: %s; wall %s%n", SEQUENCES,
                    KafkaPipelineFixture.positions(corpus), input.size(), expectedBlocks, startTime, submitTime, tmPid,
                    committedAtTmKill, sentAtTmKill, input.size(), newTmPid, tmRecovery, jmPid, committedAtJmKill,
                    sentAtJmKill, restoredFrom, jmRecovery, records.size(), t.histogram(), t.missing().size(),
                    t.duplicated().size(), t.unexpected().size(), rss, seconds(t0));
        } finally {
            producer.rest.countDown();
            producer.interrupt();
        }
    }

    /** The job's restarts (its numRestarts metric), 0 if not known yet. */
    private static long restarts(String jid) {
        try {
            for (JsonNode m : CLUSTER.rest().get("/jobs/" + jid + "/metrics?get=numRestarts")) {
                return Long.parseLong(m.path("value").asText("0"));
            }
        } catch (IOException | NumberFormatException e) {
            // not yet
        }
        return 0;
    }

    /** "checkpoint N (path)" the job was restored from, from its checkpoint statistics. */
    private static String restoredCheckpoint(String jid) throws IOException {
        JsonNode r = CLUSTER.rest().get("/jobs/" + jid + "/checkpoints").path("latest").path("restored");
        return "checkpoint " + r.path("id").asText("?") + " (" + r.path("external_path").asText("?") + ")";
    }

    private static void cancel(String jid) throws Exception {
        java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(CLUSTER.rest().base() + "/jobs/" + jid + "?mode=cancel"))
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
    }

    /** The newest completed checkpoint (a chk-N directory with its _metadata) under the checkpoint directory. */
    static Path latestCheckpoint(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root, 2)) {
            return s.filter(p -> p.getFileName().toString().matches("chk-\\d+"))
                    .filter(p -> Files.isRegularFile(p.resolve("_metadata")))
                    .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(4))))
                    .orElseThrow(() -> new AssertionError("no completed checkpoint under " + root));
        }
    }

    /**
     * Streams the input: the first {@code first} records paced over ~25 s (so the faults happen while input is being
     * produced), the rest once {@link #rest} is released (after the resume).
     */
    private static final class Producer extends Thread {
        final CountDownLatch rest = new CountDownLatch(1);
        final AtomicInteger sent = new AtomicInteger();
        private final List<ProducerRecord<byte[], byte[]>> records;
        private final int first;
        volatile Throwable failure;

        Producer(List<ProducerRecord<byte[], byte[]>> records, int first) {
            super("faults-producer");
            setDaemon(true);
            this.records = records;
            this.first = first;
        }

        @Override
        public void run() {
            java.util.Properties p = KAFKA.producerProps();
            p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            long pause = 25_000L / Math.max(1, first / 10);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                for (int i = 0; i < records.size(); i++) {
                    if (i == first) {
                        producer.flush();
                        rest.await();
                    }
                    producer.send(records.get(i)).get();
                    sent.incrementAndGet();
                    if (i < first && i % 10 == 9) {
                        Thread.sleep(pause);
                    }
                }
                producer.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                failure = t;
            }
        }
    }
}
