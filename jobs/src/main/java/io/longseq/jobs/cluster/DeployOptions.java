package io.longseq.jobs.cluster;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;

/**
 * Where and how {@code run} executes the job, one {@link ConfigOption} each (offered as flags like
 * {@code LongseqOptions}): the cluster to submit to, durable state, resuming, the web UI and metrics. These are
 * deployment settings; they never change the job's output.
 */
public final class DeployOptions {

    public static final ConfigOption<String> JOBMANAGER = key("longseq.deploy.jobmanager").stringType()
            .noDefaultValue().withDescription("HOST:PORT of a running Flink cluster's REST endpoint (e.g."
                    + " 127.0.0.1:8081, see longseq cluster start): submit the job jar there instead of running an"
                    + " embedded Flink.");
    public static final ConfigOption<String> CHECKPOINT_DIR = key("longseq.deploy.checkpoint-dir").stringType()
            .defaultValue("checkpoints").withDescription("Kafka mode: where checkpoints go, any Flink file system URI"
                    + " or a path (relative to the working directory); retained when the job is cancelled. A run"
                    + " from files takes no checkpoints.");
    public static final ConfigOption<String> SAVEPOINT_DIR = key("longseq.deploy.savepoint-dir").stringType()
            .defaultValue("savepoints").withDescription("Kafka mode: where a graceful stop (Ctrl-C, longseq stop)"
                    + " writes its savepoint, any Flink file system URI or a path (relative to the working"
                    + " directory).");
    public static final ConfigOption<String> STATE_BACKEND = key("longseq.deploy.state-backend").stringType()
            .defaultValue("hashmap").withDescription("hashmap (state on the heap) or rocksdb (state on local disk,"
                    + " incremental checkpoints: for more state than memory).");
    public static final ConfigOption<String> RESUME = key("longseq.deploy.resume").stringType().noDefaultValue()
            .withDescription("Kafka mode: start from retained state, latest (the newest completed checkpoint or"
                    + " savepoint under checkpoint-dir and savepoint-dir) or the path of a checkpoint (chk-N) or"
                    + " savepoint directory.");
    public static final ConfigOption<Duration> STOP_TIMEOUT = key("longseq.deploy.stop-timeout").durationType()
            .defaultValue(Duration.ofMinutes(2)).withDescription("Kafka mode: how long a graceful stop waits for"
                    + " its savepoint before it cancels the job instead (its retained checkpoints stay).");
    public static final ConfigOption<Boolean> WEB_UI = key("longseq.deploy.web-ui").booleanType().defaultValue(false)
            .withDescription("Embedded run: start Flink's web UI on 127.0.0.1 and print its address.");
    public static final ConfigOption<Integer> METRICS_PORT = key("longseq.deploy.metrics-port").intType()
            .noDefaultValue().withDescription("Export the job's metrics with Flink's Prometheus reporter on"
                    + " 127.0.0.1 at this port (embedded run).");

    public static final List<ConfigOption<?>> ALL = List.of(JOBMANAGER, CHECKPOINT_DIR, SAVEPOINT_DIR, STATE_BACKEND,
            RESUME, STOP_TIMEOUT, WEB_UI, METRICS_PORT);

    private DeployOptions() {}
}
