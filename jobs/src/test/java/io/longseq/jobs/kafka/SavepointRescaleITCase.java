package io.longseq.jobs.kafka;

import static io.longseq.jobs.kafka.KafkaPipelineFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.stream.StreamSettings;
import io.longseq.stream.StreamTypes;
import io.longseq.stream.assemble.Chunk;
import io.longseq.stream.global.BlockContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/design.md G1 (restart from a savepoint at another parallelism) with G3 (exactly once), through Kafka: the corpus
 * of {@link ExactlyOnceITCase} (50 seeded DNA sequences, at least 200,000 positions, fragments of 500, a
 * 4-partition input topic). The first 60 % of every sequence's fragments are produced; a job at parallelism 2
 * (unbounded source, checkpoints every 500 ms, EXACTLY_ONCE sinks) is stopped with a canonical savepoint once some
 * block contexts are committed, while it has not yet got through that first part (a slowed map between assemble
 * and local-attention keeps it from racing ahead). Then the rest is produced and the job is restored from the
 * savepoint at parallelism 3 (keyed state of assemble and global-context, source offsets and sink transactions
 * across the change) and ended with another savepoint once every block is there.
 *
 * <p>A fresh read_committed consumer must see every (sequence, block) exactly once, each record bitwise equal,
 * field by field, to what {@code ChunkedModel} computes offline on the whole sequence (the uninterrupted
 * baseline). Lost state, lost offsets or replayed input would show as missing, wrong or duplicated blocks.
 */
class SavepointRescaleITCase {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = KafkaPipelineFixture.miniCluster(1, 4,
            KafkaPipelineFixture.smallNetworkBuffers()); // the savepoint barrier does not queue behind part 1

    private static final int FRAGMENT = 500;
    private static final StreamSettings SETTINGS = StreamSettings.defaults(KafkaPipelineFixture.MODEL);

    @TempDir
    static Path dir;

    @Test
    void stopWithSavepointAtParallelism2AndRestoreAt3GivesTheUninterruptedOutputExactlyOnce() throws Exception {
        long t0 = System.nanoTime();
        List<KafkaPipelineFixture.Sequence> corpus =
                KafkaPipelineFixture.corpus(20_260_601L, "sp", 50, 3_000, 6_000);
        assertThat(KafkaPipelineFixture.positions(corpus)).isGreaterThanOrEqualTo(200_000);
        Map<String, List<BlockContext>> expected = KafkaPipelineFixture.offline(corpus, SETTINGS);
        int total = KafkaPipelineFixture.count(expected);
        long baselineMs = (System.nanoTime() - t0) / 1_000_000;

        KafkaPipeline run = KafkaPipeline.create(KAFKA, "savepoint-rescale", false);
        // part 1: fragments [0, ceil(0.6 n)) of each sequence; the blocks it yields at most (chunks that are
        // complete with their right halo, 4 blocks each)
        List<Integer> firstPart = corpus.stream().map(s -> (int) Math.ceil(0.6 * s.fragments(FRAGMENT))).toList();
        int part1 = run.produce(corpus, FRAGMENT, x -> x[1] < firstPart.get(x[0]));
        int part1Blocks = 0;
        for (int i = 0; i < corpus.size(); i++) {
            long p = Math.min(corpus.get(i).bases().length, (long) firstPart.get(i) * FRAGMENT);
            int c = SETTINGS.model().chunkSize();
            part1Blocks += (int) ((p - SETTINGS.model().rightHalo() - 1) / c) * (c / SETTINGS.model().blockSize());
        }

        // ---- phase 1: parallelism 2, slowed, stopped with a savepoint mid-way through part 1
        ThrottleTap.reset(8);
        JobClient first = start(run, 2, null);
        String savepoint;
        long committedAtStop;
        try (KafkaPipelineFixture.CommittedWatcher w = run.watchBlocks()) {
            await(() -> w.records() >= total / 8 || first.getJobExecutionResult().isDone(), Duration.ofSeconds(60),
                    "committed output of phase 1");
            assertThat(first.getJobExecutionResult().isDone()).as("phase 1 still running").isFalse();
            committedAtStop = w.records();
            savepoint = first.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL).get(60, TimeUnit.SECONDS);
        }
        first.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        int chunksPhase1 = ThrottleTap.CHUNKS.get();
        int afterPhase1 = run.readAll(run.settings().blocksTopic(), true, rs -> true, Duration.ofSeconds(20)).size();
        assertThat(Files.isDirectory(Path.of(java.net.URI.create(savepoint)))).as("savepoint directory " + savepoint)
                .isTrue();
        assertThat(afterPhase1).as("blocks committed by phase 1 (0 < n < what part 1 yields: the source still had"
                + " data of part 1 left)").isPositive().isLessThan(part1Blocks);

        // ---- the rest of the input, then phase 2: restored from the savepoint at parallelism 3
        int part2 = run.produce(corpus, FRAGMENT, x -> x[1] >= firstPart.get(x[0]));
        ThrottleTap.reset(0);
        JobClient second = start(run, 3, savepoint);
        try (KafkaPipelineFixture.CommittedWatcher w = run.watchBlocks()) {
            await(() -> w.distinct() >= total || second.getJobExecutionResult().isDone(), Duration.ofSeconds(90),
                    "every block committed in phase 2");
            assertThat(second.getJobExecutionResult().isDone()).as("phase 2 still running").isFalse();
            second.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL).get(60, TimeUnit.SECONDS);
        }
        second.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        assertThat(ThrottleTap.MAX_PARALLELISM.get()).as("parallelism of phase 2").isEqualTo(3);
        assertThat(ThrottleTap.MAX_ATTEMPT.get()).as("restarts in phase 2").isZero();

        List<ConsumerRecord<byte[], byte[]>> records = run.readBlocks(expected);
        BlockVerdict.Tally t = BlockVerdict.assertExactlyOnceAndBitwiseEqual("savepoint p2 -> p3", records, expected);
        report(String.format(Locale.ROOT, "%d sequences, %,d positions, %d blocks (ChunkedModel baseline %d ms);"
                        + " phase 1 (p2): %d fragments produced (they yield >= %d blocks), stopped with a savepoint"
                        + " after %d chunks when %d blocks were seen committed, %d committed in all; phase 2 (p3,"
                        + " restored from %s): %d more fragments; read_committed saw %d records, per-(sequence, block)"
                        + " counts %s, all bitwise equal to ChunkedModel; %d ms",
                corpus.size(), KafkaPipelineFixture.positions(corpus), total, baselineMs, part1, part1Blocks,
                chunksPhase1, committedAtStop, afterPhase1, savepoint, part2, records.size(), t.histogram(),
                (System.nanoTime() - t0) / 1_000_000));
    }

    // restarts allowed (3), from the savepoint when given; the throttle between assemble and local-attention
    private static JobClient start(KafkaPipeline run, int parallelism, String savepoint) throws Exception {
        Configuration conf = KafkaPipelineFixture.jobConfig(3);
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        return run.start(conf, parallelism, SETTINGS,
                chunks -> chunks.map(new ThrottleTap(), StreamTypes.CHUNK).name("throttle").uid("throttle"));
    }

    private static void report(String line) {
        System.out.println("[SavepointRescaleITCase] " + line);
    }

    /**
     * Between assemble and local-attention in both phases (so both job graphs are the same): sleeps per chunk when
     * asked, counts chunks, records the parallelism and highest attempt number it ran with.
     */
    public static final class ThrottleTap extends RichMapFunction<Chunk, Chunk> {
        private static final long serialVersionUID = 1L;
        static final AtomicInteger CHUNKS = new AtomicInteger();
        static final AtomicInteger MAX_ATTEMPT = new AtomicInteger();
        static final AtomicInteger MAX_PARALLELISM = new AtomicInteger();
        static volatile long throttleMillis;

        static void reset(long throttle) {
            CHUNKS.set(0);
            MAX_ATTEMPT.set(0);
            MAX_PARALLELISM.set(0);
            throttleMillis = throttle;
        }

        @Override
        public void open(OpenContext ctx) {
            MAX_ATTEMPT.accumulateAndGet(getRuntimeContext().getTaskInfo().getAttemptNumber(), Math::max);
            MAX_PARALLELISM.accumulateAndGet(getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(),
                    Math::max);
        }

        @Override
        public Chunk map(Chunk c) throws InterruptedException {
            CHUNKS.incrementAndGet();
            long t = throttleMillis;
            if (t > 0) {
                Thread.sleep(t);
            }
            return c;
        }
    }
}
