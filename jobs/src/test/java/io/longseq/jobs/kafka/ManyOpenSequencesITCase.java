package io.longseq.jobs.kafka;

import static io.longseq.jobs.kafka.KafkaPipelineFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.jobs.cluster.Checkpoints;
import io.longseq.jobs.cluster.DurableState;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.global.BlockContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21, part 3: 10,000 sequences open at once in Kafka mode, through checkpoints and a restore.
 *
 * <p>Every sequence (350 to 500 positions of seeded random DNA, the small model of {@link KafkaPipelineFixture}:
 * chunks of 256, blocks of 64) first gets its first 300 positions as three fragments of 100, none of them last:
 * enough for its first chunk to pass through the job, so that each sequence holds keyed state in assemble (its
 * tail) and in global-context (its block memory, ~24 KB at d = 32), and none ends. Once all 40,000 blocks of those
 * first chunks are committed, the job (parallelism 2, checkpoints every 2 s to a file checkpoint directory as
 * {@link DurableState} sets it up, hashmap backend) must complete at least three more checkpoints, none may fail,
 * and the largest global-context subtask's state must be larger than 5 MiB: the most a checkpoint kept in
 * JobManager memory (Flink's default without a checkpoint directory) accepts per state handle, so without the
 * checkpoint directory every one of these checkpoints would fail ("Size of the state is larger than the maximum
 * permitted memory-backed state") and this test with them. Then the job is cancelled, resumed with
 * {@code latest} from its retained checkpoint, and gets the rest of every sequence with its last fragment.
 *
 * <p>A fresh read_committed consumer must see every (sequence, block) exactly once, each bitwise equal, field by
 * field, to {@code ChunkedModel} run offline on the whole sequence.
 */
class ManyOpenSequencesITCase {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = KafkaPipelineFixture.miniCluster(1, 2, new Configuration());

    static final int SEQUENCES = 10_000;
    private static final int FRAGMENT = 100;
    private static final int OPEN_FRAGMENTS = 3;
    private static final int PARALLELISM = 2;
    private static final StreamSettings SETTINGS = StreamSettings.defaults(KafkaPipelineFixture.MODEL);
    /** JobManagerCheckpointStorage's default maximum state size per handle. */
    private static final long JOB_MANAGER_MAX = MemorySize.parse("5mb").getBytes();

    @TempDir
    Path dir;

    @Test
    void tenThousandOpenSequencesCheckpointRestoreAndFinishExactlyOnce(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        long t0 = System.nanoTime();
        List<KafkaPipelineFixture.Sequence> corpus = KafkaPipelineFixture.corpus(20_261_207L, "open", SEQUENCES,
                350, 500);
        Map<String, List<BlockContext>> expected = KafkaPipelineFixture.offline(corpus, SETTINGS);
        int total = KafkaPipelineFixture.count(expected);
        long offlineMs = (System.nanoTime() - t0) / 1_000_000;
        KafkaPipeline run = KafkaPipeline.create(KAFKA, "many-open", false);
        int opened = run.produce(corpus, FRAGMENT, x -> x[1] < OPEN_FRAGMENTS);
        assertThat(opened).isEqualTo(SEQUENCES * OPEN_FRAGMENTS); // none of them is a last fragment (n > 300)
        int firstChunks = SEQUENCES * (SETTINGS.model().chunkSize() / SETTINGS.model().blockSize());

        // phase 1: every sequence opened, its first chunk through, then three checkpoints with all of them open
        long t1 = System.nanoTime();
        JobClient first = run.start(conf(null), PARALLELISM, SETTINGS);
        CheckpointStatsProbe.Snapshot atOpen;
        CheckpointStatsProbe.Snapshot withAllOpen;
        try (KafkaPipelineFixture.CommittedWatcher w = run.watchBlocks()) {
            await(() -> w.distinct() >= firstChunks || first.getJobExecutionResult().isDone(),
                    Duration.ofSeconds(150), "the first chunk of every sequence committed");
            assertThat(first.getJobExecutionResult().isDone()).as("phase 1 still running").isFalse();
            assertThat(w.distinct()).as("blocks committed while every sequence is open").isEqualTo(firstChunks);
        }
        long openSeconds = (System.nanoTime() - t1) / 1_000_000_000;
        atOpen = CheckpointStatsProbe.of(cluster, first.getJobID());
        await(() -> completed(cluster, first) >= atOpen.completed() + 3, Duration.ofSeconds(90),
                "three more completed checkpoints");
        withAllOpen = CheckpointStatsProbe.of(cluster, first.getJobID());
        KafkaPipeline.cancel(first);

        // (a checkpoint triggered before the tasks ran, on a busy machine, fails and counts: not those)
        assertThat(withAllOpen.failed() - atOpen.failed()).as("checkpoints failed with every sequence open (latest"
                + " failure: " + withAllOpen.latestFailure() + ")").isZero();
        assertThat(String.valueOf(withAllOpen.latestFailure())).doesNotContain("larger than the maximum permitted");
        CheckpointStatsProbe.Completed last = withAllOpen.latest();
        CheckpointStatsProbe.Vertex global = last.vertex("global-context");
        assertThat(global.maxSubtaskStateBytes()).as("largest global-context subtask state in checkpoint " + last.id()
                + " (more than JobManager memory storage takes per handle)").isGreaterThan(JOB_MANAGER_MAX);
        Checkpoints.Found retained = Checkpoints.latest(List.of(DurableState.of(conf(null)).checkpointDir()))
                .orElseThrow(() -> new AssertionError("no retained checkpoint under " + dir));
        assertThat(retained.number()).isGreaterThanOrEqualTo(last.id());

        // phase 2: resumed from the retained checkpoint, the rest of every sequence with its last fragment
        long t2 = System.nanoTime();
        int rest = run.produce(corpus, FRAGMENT, x -> x[1] >= OPEN_FRAGMENTS);
        JobClient second = run.start(conf(DurableState.LATEST), PARALLELISM, SETTINGS);
        run.awaitBlocksThenCancel(second, total, Duration.ofSeconds(150), "every block committed in phase 2");
        long restoreSeconds = (System.nanoTime() - t2) / 1_000_000_000;

        BlockVerdict.Tally t = run.assertBlocksExactlyOnce("10,000 open sequences", expected);
        report(String.format(Locale.ROOT, "%,d sequences open at once (%,d positions, %,d blocks; offline baseline"
                        + " %d ms); all first chunks committed after %d s; checkpoints: %d completed, %d failed; with"
                        + " all open: checkpoint %d, %,d bytes (global-context %,d, largest subtask %,d > %,d),"
                        + " %d ms; retained %s; phase 2 (%,d fragments) resumed from it, done in %d s;"
                        + " read_committed counts %s, bitwise equal to ChunkedModel; %d s in all",
                SEQUENCES, KafkaPipelineFixture.positions(corpus), total, offlineMs, openSeconds,
                withAllOpen.completed(), withAllOpen.failed(), last.id(), last.stateBytes(), global.stateBytes(),
                global.maxSubtaskStateBytes(), JOB_MANAGER_MAX, last.durationMs(), retained.describe(), rest,
                restoreSeconds, t.histogram(), (System.nanoTime() - t0) / 1_000_000_000));
    }

    private static long completed(MiniCluster cluster, JobClient job) {
        try {
            return CheckpointStatsProbe.of(cluster, job.getJobID()).completed();
        } catch (Exception e) {
            return -1;
        }
    }

    // run's Kafka-mode configuration: checkpoints every 2 s, no restarts, file checkpoints under dir
    private Configuration conf(String resume) {
        return KafkaPipelineFixture.durableJobConfig(dir, Duration.ofSeconds(2), "hashmap", resume);
    }

    private static void report(String line) {
        System.out.println("[ManyOpenSequencesITCase] " + line);
    }
}
