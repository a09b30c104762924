package io.longseq.jobs.kafka;

import static io.longseq.jobs.kafka.KafkaPipelineFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.stream.StreamSettings;
import io.longseq.stream.StreamTypes;
import io.longseq.stream.assemble.Chunk;
import io.longseq.stream.global.BlockContext;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * docs/design.md G3 (exactly once): Kafka in, Kafka out, checkpoints every 500 ms, parallelism 2, EXACTLY_ONCE sinks.
 * 50 seeded random DNA sequences (at least 200,000 positions) go to a 4-partition input topic as fragments of 500;
 * the job reads them with a bounded source (it finishes by itself; the final checkpoint commits the last
 * transactions). Mid-stream, after a quarter of the block contexts were committed, (a) a map between assemble and
 * local-attention throws once, (a') it throws once from {@code notifyCheckpointComplete} (between a checkpoint's
 * completion and the sinks' commits), or (b) the TaskManager running most of the job's subtasks is terminated. A fresh
 * read_committed consumer must then see every (sequence, block) exactly once, each record bitwise equal, field by
 * field, to what {@code ChunkedModel} computes offline on the whole sequence (the uninterrupted baseline: no Flink,
 * no Kafka, no restart).
 *
 * <p>The MiniCluster has 2 TaskManagers with 2 slots each, so the one left after (b) can run the whole job.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExactlyOnceITCase {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = KafkaPipelineFixture.miniCluster(2, 2, clusterConfig());

    private static final int SEQUENCES = 50;
    private static final int FRAGMENT = 500;
    private static final int PARALLELISM = 2;
    private static final StreamSettings SETTINGS = StreamSettings.defaults(KafkaPipelineFixture.MODEL);

    private static List<KafkaPipelineFixture.Sequence> corpus;
    private static Map<String, List<BlockContext>> expected;
    private static int expectedBlocks;

    // a lost TaskManager is noticed within 5 s; small network buffers, so commits follow the (slowed) stream
    private static Configuration clusterConfig() {
        Configuration c = KafkaPipelineFixture.smallNetworkBuffers();
        c.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, Duration.ofMillis(500));
        c.set(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT, Duration.ofSeconds(5));
        return c;
    }

    @BeforeAll
    static void corpusAndBaseline() {
        long t0 = System.nanoTime();
        corpus = KafkaPipelineFixture.corpus(20_260_601L, "eo", SEQUENCES, 3_000, 6_000);
        assertThat(KafkaPipelineFixture.positions(corpus)).isGreaterThanOrEqualTo(200_000);
        expected = KafkaPipelineFixture.offline(corpus, SETTINGS);
        expectedBlocks = KafkaPipelineFixture.count(expected);
        report(String.format(Locale.ROOT, "broker: %s; corpus %d sequences, %,d positions, %,d blocks;"
                        + " offline ChunkedModel baseline in %d ms", KAFKA.describe(), corpus.size(),
                KafkaPipelineFixture.positions(corpus), expectedBlocks, (System.nanoTime() - t0) / 1_000_000));
    }

    /** (a) An exception thrown once mid-stream, after some output was committed. */
    @Test
    @Order(1)
    void injectedTaskFailureMidStreamLeavesEveryBlockExactlyOnce() throws Exception {
        long t0 = System.nanoTime();
        KafkaPipeline run = KafkaPipeline.create(KAFKA, "eo-task-failure", true);
        int fragments = run.produce(corpus, FRAGMENT, x -> true);

        FailingTap.reset(8);
        FailingTap.failAt = 100;
        JobClient client = start(run);
        long committedWhenArmed;
        try (KafkaPipelineFixture.CommittedWatcher w = run.watchBlocks()) {
            await(() -> w.records() >= expectedBlocks / 4 && FailingTap.CHUNKS.get() >= FailingTap.failAt
                    || client.getJobExecutionResult().isDone(), Duration.ofSeconds(60), "committed output");
            assertThat(client.getJobExecutionResult().isDone()).as("job still running when the failure is armed")
                    .isFalse();
            committedWhenArmed = w.records();
            FailingTap.ARMED.set(true);
            await(() -> FailingTap.THROWN.get() > 0 || client.getJobExecutionResult().isDone(),
                    Duration.ofSeconds(30), "the injected failure");
        }
        client.getJobExecutionResult().get(120, TimeUnit.SECONDS);

        List<ConsumerRecord<byte[], byte[]>> records = run.readBlocks(expected);
        int uncommitted = uncommitted(run);
        BlockVerdict.Tally t = BlockVerdict.assertExactlyOnceAndBitwiseEqual("task failure", records, expected);

        assertThat(FailingTap.THROWN).as("injected failures").hasValue(1);
        assertThat(FailingTap.MAX_ATTEMPT.get()).as("highest task attempt number (restarts)").isGreaterThanOrEqualTo(1);
        assertThat(committedWhenArmed).as("block contexts committed before the failure")
                .isGreaterThanOrEqualTo(expectedBlocks / 4)
                .isLessThan(expectedBlocks);
        report(String.format(Locale.ROOT, "(a) task failure: %d fragments in; failure thrown at chunk %d after %d of"
                        + " %d block contexts were committed; restarts (max attempt number) %d; read_committed saw %d"
                        + " records, per-(sequence, block) counts %s, all bitwise equal to ChunkedModel;"
                        + " read_uncommitted saw %d (aborted duplicates included); %d ms",
                fragments, FailingTap.chunkAtFailure, committedWhenArmed, expectedBlocks,
                FailingTap.MAX_ATTEMPT.get(), records.size(), t.histogram(), uncommitted,
                (System.nanoTime() - t0) / 1_000_000));
    }

    /**
     * (a') The same, but the exception is thrown from {@code notifyCheckpointComplete} of the task that holds
     * assemble: the failure lands between a checkpoint's completion and the commit of its transactions by the sink
     * tasks (which are notified concurrently), the window where a sink has to re-commit on recovery.
     */
    @Test
    @Order(2)
    void failureWhileACheckpointIsBeingConfirmedLeavesEveryBlockExactlyOnce() throws Exception {
        long t0 = System.nanoTime();
        KafkaPipeline run = KafkaPipeline.create(KAFKA, "eo-notify-failure", true);
        run.produce(corpus, FRAGMENT, x -> true);

        FailingTap.reset(8);
        JobClient client = start(run);
        long committedWhenArmed;
        try (KafkaPipelineFixture.CommittedWatcher w = run.watchBlocks()) {
            await(() -> w.records() >= expectedBlocks / 4 || client.getJobExecutionResult().isDone(),
                    Duration.ofSeconds(60), "committed output");
            assertThat(client.getJobExecutionResult().isDone()).as("job still running when the failure is armed")
                    .isFalse();
            committedWhenArmed = w.records();
            FailingTap.ARMED_ON_NOTIFY.set(true);
            await(() -> FailingTap.THROWN.get() > 0 || client.getJobExecutionResult().isDone(),
                    Duration.ofSeconds(30), "the injected failure");
        }
        client.getJobExecutionResult().get(120, TimeUnit.SECONDS);

        List<ConsumerRecord<byte[], byte[]>> records = run.readBlocks(expected);
        BlockVerdict.Tally t = BlockVerdict.assertExactlyOnceAndBitwiseEqual("failure in notifyCheckpointComplete",
                records, expected);
        assertThat(FailingTap.THROWN).as("injected failures").hasValue(1);
        assertThat(FailingTap.MAX_ATTEMPT.get()).as("highest task attempt number (restarts)").isGreaterThanOrEqualTo(1);
        report(String.format(Locale.ROOT, "(a') failure while confirming checkpoint %d, after %d of %d block"
                        + " contexts were committed; restarts %d; read_committed saw %d records, counts %s, all bitwise"
                        + " equal to ChunkedModel; %d ms", FailingTap.checkpointAtFailure, committedWhenArmed,
                expectedBlocks, FailingTap.MAX_ATTEMPT.get(), records.size(), t.histogram(),
                (System.nanoTime() - t0) / 1_000_000));
    }

    /** (b) The TaskManager running most subtasks is terminated mid-stream, after some output was committed. */
    @Test
    @Order(3)
    void taskManagerLossMidStreamLeavesEveryBlockExactlyOnce(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        long t0 = System.nanoTime();
        KafkaPipeline run = KafkaPipeline.create(KAFKA, "eo-tm-loss", true);
        int fragments = run.produce(corpus, FRAGMENT, x -> true);

        FailingTap.reset(8);
        JobClient client = start(run);
        long committedAtKill;
        int[] victim;
        try (KafkaPipelineFixture.CommittedWatcher w = run.watchBlocks()) {
            await(() -> w.records() >= expectedBlocks / 4 || client.getJobExecutionResult().isDone(),
                    Duration.ofSeconds(60), "committed output");
            assertThat(client.getJobExecutionResult().isDone()).as("job still running before the kill").isFalse();
            victim = KafkaPipelineFixture.busiestTaskManager(cluster, client.getJobID());
            assertThat(victim[0]).as("a TaskManager running subtasks of the job").isGreaterThanOrEqualTo(0);
            committedAtKill = w.records();
            cluster.terminateTaskManager(victim[0]).get(30, TimeUnit.SECONDS);
            FailingTap.throttleMillis = 0;
        }
        client.getJobExecutionResult().get(120, TimeUnit.SECONDS);

        List<ConsumerRecord<byte[], byte[]>> records = run.readBlocks(expected);
        int uncommitted = uncommitted(run);
        BlockVerdict.Tally t = BlockVerdict.assertExactlyOnceAndBitwiseEqual("TaskManager loss", records, expected);

        assertThat(FailingTap.MAX_ATTEMPT.get()).as("highest task attempt number (restarts)").isGreaterThanOrEqualTo(1);
        assertThat(committedAtKill).as("block contexts committed before the kill")
                .isGreaterThanOrEqualTo(expectedBlocks / 4)
                .isLessThan(expectedBlocks);
        report(String.format(Locale.ROOT, "(b) TaskManager loss: %d fragments in; TaskManager %d (running %d of the"
                        + " job's subtasks; %d TaskManager(s) in use) terminated after %d of %d block contexts were"
                        + " committed; restarts (max attempt number) %d; read_committed saw %d records,"
                        + " per-(sequence, block) counts %s, all bitwise equal to ChunkedModel; read_uncommitted saw"
                        + " %d; %d ms",
                fragments, victim[0], victim[1], victim[2], committedAtKill, expectedBlocks,
                FailingTap.MAX_ATTEMPT.get(), records.size(), t.histogram(), uncommitted,
                (System.nanoTime() - t0) / 1_000_000));
    }

    // up to 5 restarts; the failing tap between assemble and local-attention
    private static JobClient start(KafkaPipeline run) throws Exception {
        return run.start(KafkaPipelineFixture.jobConfig(5), PARALLELISM, SETTINGS,
                chunks -> chunks.map(new FailingTap(), StreamTypes.CHUNK).name("failing-tap").uid("failing-tap"));
    }

    // what read_uncommitted sees on the blocks topic (aborted duplicates included)
    private static int uncommitted(KafkaPipeline run) {
        return run.readAll(run.settings().blocksTopic(), false, rs -> true, Duration.ofSeconds(20)).size();
    }

    private static void report(String line) {
        System.out.println("[ExactlyOnceITCase] " + line);
    }

    /**
     * Between assemble and local-attention: slows each chunk down (so the stream is still running when the test
     * acts), throws once on the first chunk at or after {@link #failAt} once the test has armed it, and records the
     * highest attempt number it was opened with. JVM-wide state: the MiniCluster runs the tasks in this JVM.
     */
    public static final class FailingTap extends RichMapFunction<Chunk, Chunk> implements CheckpointListener {
        private static final long serialVersionUID = 1L;
        static final AtomicInteger CHUNKS = new AtomicInteger();
        static final AtomicInteger MAX_ATTEMPT = new AtomicInteger();
        static final AtomicBoolean ARMED = new AtomicBoolean();
        static final AtomicBoolean ARMED_ON_NOTIFY = new AtomicBoolean();
        static final AtomicInteger THROWN = new AtomicInteger();
        static volatile int failAt = Integer.MAX_VALUE;
        static volatile long throttleMillis;
        static volatile int chunkAtFailure = -1;
        static volatile long checkpointAtFailure = -1;

        static void reset(long throttle) {
            CHUNKS.set(0);
            MAX_ATTEMPT.set(0);
            ARMED.set(false);
            ARMED_ON_NOTIFY.set(false);
            checkpointAtFailure = -1;
            THROWN.set(0);
            failAt = Integer.MAX_VALUE;
            chunkAtFailure = -1;
            throttleMillis = throttle;
        }

        @Override
        public void open(OpenContext ctx) {
            MAX_ATTEMPT.accumulateAndGet(getRuntimeContext().getTaskInfo().getAttemptNumber(), Math::max);
        }

        @Override
        public Chunk map(Chunk c) throws InterruptedException {
            int n = CHUNKS.incrementAndGet();
            if (n >= failAt && ARMED.compareAndSet(true, false)) {
                chunkAtFailure = n;
                THROWN.incrementAndGet();
                throttleMillis = 0;
                throw new IllegalStateException("injected failure at chunk " + n + " (" + c.sequenceId + " chunk "
                        + c.index + ")");
            }
            long t = throttleMillis;
            if (t > 0) {
                Thread.sleep(t);
            }
            return c;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (ARMED_ON_NOTIFY.compareAndSet(true, false)) {
                checkpointAtFailure = checkpointId;
                THROWN.incrementAndGet();
                throttleMillis = 0;
                throw new IllegalStateException("injected failure while confirming checkpoint " + checkpointId);
            }
        }
    }
}
