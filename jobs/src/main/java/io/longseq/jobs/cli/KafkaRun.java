package io.longseq.jobs.cli;

import io.longseq.jobs.LongseqJob;
import io.longseq.jobs.LongseqOptions;
import io.longseq.jobs.Refusals;
import io.longseq.jobs.cluster.DeployOptions;
import io.longseq.jobs.cluster.DurableState;
import io.longseq.jobs.cluster.EmbeddedCluster;
import io.longseq.jobs.cluster.GracefulStop;
import io.longseq.jobs.cluster.RemoteSubmit;
import io.longseq.jobs.kafka.KafkaSettings;
import io.longseq.jobs.kafka.KafkaTopics;
import io.longseq.jobs.output.ProgressFunction;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A {@code run} in Kafka mode: from the input topic to the output topics, exactly once; it runs until cancelled
 * (Ctrl-C stops it with a savepoint, {@link GracefulStop}), or to the input's end offsets with --bounded. Exit code
 * 0 done; 1 Kafka not usable, the job failed, or it was cancelled without a savepoint.
 */
record KafkaRun(RunOptions p, PrintWriter out, PrintWriter err, boolean verbose) {

    int call() {
        long t0 = System.nanoTime();
        String runId = UUID.randomUUID().toString();
        KafkaSettings k = p.kafka();
        StreamExecutionEnvironment env = RemoteSubmit.forRun(p.flink());
        err.println("longseq run: Kafka mode (" + k.describe() + "), " + LongseqOptions.lower(p.kind())
                + ", parallelism " + env.getParallelism() + ", checkpoints every "
                + p.flink().get(CheckpointingOptions.CHECKPOINTING_INTERVAL).toMillis() + " ms"
                + (k.bounded() ? ", until the input's current end" : "; Ctrl-C to stop"));
        EmbeddedCluster.addresses(p.flink()).forEach(a -> err.println("longseq run: " + a));
        err.println("longseq run: " + DurableState.of(p.flink()).describe()
                + p.flink().getOptional(StateRecoveryOptions.SAVEPOINT_PATH).map(r -> ", resuming from " + r)
                .orElse(""));
        err.flush();
        if (!ensureTopics(k, env.getParallelism())) {
            return 1;
        }
        JobClient client;
        try {
            LongseqJob.Outputs o = LongseqJob.build(LongseqJob.fromKafka(env, k), p.settings());
            LongseqJob.toKafka(o, k, p.settings(), runId);
            client = env.executeAsync("longseq run (kafka " + k.inputTopic() + ")");
        } catch (Exception e) {
            Refusals.print(err, "longseq run: the job could not start: " + Refusals.describeWithCause(e), e,
                    verbose);
            return 1;
        }
        // Ctrl-C: stop with a savepoint (cancel if that fails); see GracefulStop
        GracefulStop stop = GracefulStop.install(client, p.flink().get(DeployOptions.SAVEPOINT_DIR),
                p.flink().get(DeployOptions.STOP_TIMEOUT), err, "longseq run");
        JobWatch job = new JobWatch(err);
        String failure = job.await(client, runId, CompletableFuture.completedFuture(null), t0);
        try {
            stop.awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop.close();
        long done = ProgressFunction.positionsDone(runId);
        ProgressFunction.forget(runId);
        if (stop.requested() && stop.savepoint() == null) {
            Refusals.print(err, "longseq run: cancelled without a savepoint"
                    + (stop.failure() == null ? "" : " (" + stop.failure() + ")")
                    + "; resume from the last retained checkpoint with --resume latest", job.failure(), verbose);
            return 1;
        }
        if (failure != null) {
            Refusals.print(err, "longseq run: the job failed: " + failure, job.failure(), verbose);
            return 1;
        }
        RunSummary.kafka(out, done, (System.nanoTime() - t0) / 1e9, env.getParallelism(), job, k);
        return 0;
    }

    // the output topics (and the input topic, unless a pattern): created when missing; false if Kafka is not usable
    private boolean ensureTopics(KafkaSettings k, int parallelism) {
        List<String> topics = new ArrayList<>(List.of(k.blocksTopic(), k.deadLettersTopic(), k.noticesTopic()));
        if (p.settings().tokenContexts()) {
            topics.add(k.tokensTopic());
        }
        if (p.settings().alerts()) {
            topics.add(k.alertsTopic());
        }
        if (k.inputPattern() == null) {
            topics.add(k.inputTopic());
        }
        try {
            List<String> created = KafkaTopics.ensure(k.bootstrapServers(), k.clientProperties(), topics, parallelism);
            if (!created.isEmpty()) {
                err.println("longseq run: created topics " + created + " with " + parallelism
                        + " partitions each");
            }
            return true;
        } catch (Exception e) {
            err.println("longseq run: Kafka at " + k.bootstrapServers() + " is not usable: "
                    + ProduceCommand.rootMessage(e));
            err.flush();
            return false;
        }
    }
}
