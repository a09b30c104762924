package io.longseq.jobs.cluster;

import io.longseq.jobs.LongseqJob;
import io.longseq.jobs.Refusals;
import io.longseq.jobs.UsageException;
import io.longseq.jobs.cli.RunCommand;
import io.longseq.jobs.cli.RunOptions;
import io.longseq.jobs.kafka.KafkaSettings;
import io.longseq.jobs.kafka.KafkaTopics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;

/**
 * The job as Flink's own CLI or REST API submits it ({@link io.longseq.jobs.cluster.ClusterEntry}): the flags and
 * configuration keys of {@code longseq run}, parsed by the same code, and the same pipeline, submitted to the cluster
 * that runs the entry; unlike {@code run} it returns once the job is submitted, never exits the JVM and merges nothing.
 * In file mode the sinks write one file per output and subtask into {@code OUT/parts-<run id>/} (blocks-N.jsonl,
 * notices-N.jsonl, dead-letters-N.jsonl; paths as the JobManager and TaskManagers see them).
 */
public final class ClusterJob {

    /** A submitted job: its client, whether the submitter waits for it (Flink CLI without -d), where outputs go. */
    public record Submitted(JobClient client, boolean attached, String outputs) {}

    private ClusterJob() {}

    /**
     * Parses {@code args} as {@code longseq run} does and submits the job; null for --help (the usage is printed).
     *
     * @throws IllegalArgumentException one line saying what is wrong with the arguments
     */
    public static Submitted submit(String[] args) throws Exception {
        CommandLine cl = RunCommand.command();
        CommandLine.ParseResult pr;
        try {
            pr = cl.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException("longseq: " + Refusals.oneLine(e.getMessage()), e);
        }
        if (pr.isUsageHelpRequested()) {
            cl.usage(System.out);
            return null;
        }
        RunOptions p;
        try {
            p = RunOptions.parse(pr);
        } catch (UsageException e) {
            throw new IllegalArgumentException("longseq: " + Refusals.oneLine(e.getMessage()), e);
        }
        if (p.flink().getOptional(DeployOptions.JOBMANAGER).isPresent()) {
            throw new IllegalArgumentException("longseq: --jobmanager is for ./longseq run; Flink's CLI and REST"
                    + " submit to their own cluster");
        }
        StreamExecutionEnvironment env = LongseqJob.environment(p.flink());
        String runId = UUID.randomUUID().toString();
        String outputs;
        String name;
        if (p.kafka() != null) {
            KafkaSettings k = p.kafka();
            List<String> topics = new ArrayList<>(List.of(k.blocksTopic(), k.deadLettersTopic(), k.noticesTopic()));
            if (p.settings().tokenContexts()) {
                topics.add(k.tokensTopic());
            }
            if (k.inputPattern() == null) {
                topics.add(k.inputTopic());
            }
            KafkaTopics.ensure(k.bootstrapServers(), k.clientProperties(), topics, env.getParallelism());
            LongseqJob.toKafka(LongseqJob.build(LongseqJob.fromKafka(env, k), p.settings()), k, p.settings(), runId);
            outputs = "topics " + k.blocksTopic() + ", " + k.noticesTopic() + ", " + k.deadLettersTopic();
            name = "longseq (kafka " + k.inputTopic() + ")";
        } else {
            if (!p.unusable().isEmpty()) {
                throw new IllegalArgumentException("longseq: " + Refusals.oneLine(p.unusable().get(0).reason));
            }
            Path parts = p.out().toAbsolutePath().resolve("parts-" + runId);
            LongseqJob.toFiles(LongseqJob.build(LongseqJob.fromFiles(env, p.inputs(), p.settings(), p.fragmentSize()),
                    p.settings()), parts, p.settings(), runId);
            outputs = parts + "/ (blocks-N.jsonl, notices-N.jsonl, dead-letters-N.jsonl: one file per subtask,"
                    + " not merged)";
            name = "longseq " + p.inputs().get(0).getFileName();
        }
        JobClient client = env.executeAsync(name);
        boolean attached = env.getConfiguration().get(DeploymentOptions.ATTACHED);
        System.out.println("longseq: submitted job " + client.getJobID() + " (" + name + "); outputs: " + outputs);
        return new Submitted(client, attached, outputs);
    }
}
