package io.longseq.jobs.cluster;

import io.longseq.jobs.LongseqJob;
import io.longseq.jobs.UsageException;
import io.longseq.jobs.output.ProgressFunction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.JobListener;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code longseq run --jobmanager HOST:PORT}: the job planned here, as for the embedded run, and executed by a running
 * cluster (its REST endpoint at HOST:PORT): the environment ships the job jar this class came from, the command waits
 * for the job as it waits for an embedded one, and in file mode merges the part files the sinks wrote (so the output
 * directory must be one the TaskManagers write to: the same machine or a shared file system). Without
 * {@code --parallelism} the job takes every slot of the cluster. The progress line reads the job's
 * {@code positionsDone} metric over REST.
 */
public final class RemoteSubmit {

    private RemoteSubmit() {}

    /**
     * The environment {@code run} submits to: the cluster at {@code --jobmanager} when it is set, else
     * {@link LongseqJob#environment} (this JVM's embedded cluster).
     */
    public static StreamExecutionEnvironment forRun(Configuration conf) {
        return conf.getOptional(DeployOptions.JOBMANAGER).isPresent()
                ? environment(LongseqJob.configure(conf))
                : LongseqJob.environment(conf);
    }

    /** The remote environment for {@link DeployOptions#JOBMANAGER}; a {@link UsageException} if nothing answers. */
    public static StreamExecutionEnvironment environment(Configuration c) {
        String endpoint = c.get(DeployOptions.JOBMANAGER).trim();
        int colon = endpoint.lastIndexOf(':');
        int port;
        try {
            port = colon > 0 ? Integer.parseInt(endpoint.substring(colon + 1)) : -1;
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65_535) {
            throw new UsageException("--jobmanager wants HOST:PORT of a cluster's REST endpoint (e.g. 127.0.0.1:8081),"
                    + " got '" + endpoint + "'");
        }
        String host = endpoint.substring(0, colon);
        ClusterRest rest = new ClusterRest(endpoint, Duration.ofSeconds(5));
        JsonNode overview;
        try {
            overview = rest.overview();
        } catch (IOException e) {
            throw new UsageException("no Flink cluster answers at " + rest.base() + " (" + e.getMessage() + "); start"
                    + " one with ./longseq cluster start, or check --jobmanager");
        }
        if (c.getOptional(CoreOptions.DEFAULT_PARALLELISM).isEmpty()) {
            c.set(CoreOptions.DEFAULT_PARALLELISM, Math.max(1, overview.path("slots-total").asInt()));
        }
        Path jar = jobJar();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment(host, port, c,
                jar.toString());
        env.registerJobListener(new JobListener() {
            @Override
            public void onJobSubmitted(JobClient client, Throwable t) {
                if (client != null) {
                    ProgressFunction.countedElsewhere(new RestProgress(rest, client.getJobID()));
                }
            }

            @Override
            public void onJobExecuted(JobExecutionResult result, Throwable t) {}
        });
        return env;
    }

    /** Beside longseq.jar: the job jar without ND4J's closure, which a {@code longseq cluster} TaskManager has. */
    static final String CLUSTER_JAR = "longseq-cluster.jar";

    /**
     * The job jar: {@value #CLUSTER_JAR} beside the jar this class was loaded from when it is there, else that jar
     * itself ({@code longseq.job.jar} overrides; a cluster whose TaskManagers lack nd4j-lib/ needs longseq.jar).
     */
    static Path jobJar() {
        String p = System.getProperty("longseq.job.jar");
        Path jar;
        try {
            jar = p != null ? Path.of(p) : thinOrSelf(
                    Path.of(RemoteSubmit.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (Exception e) {
            throw new UsageException("--jobmanager: cannot tell where the job jar is (" + e + ")");
        }
        if (!Files.isRegularFile(jar) || !jar.toString().endsWith(".jar")) {
            throw new UsageException("--jobmanager submits the job jar, but the classes come from " + jar + ": run"
                    + " ./longseq (jobs/target/longseq.jar) or set -Dlongseq.job.jar");
        }
        return jar;
    }

    // longseq-cluster.jar beside a jar that has one; the jar itself otherwise (or when it is a class directory)
    static Path thinOrSelf(Path loadedFrom) {
        Path parent = loadedFrom.getParent();
        Path thin = parent == null ? null : parent.resolve(CLUSTER_JAR);
        return thin != null && loadedFrom.toString().endsWith(".jar") && Files.isRegularFile(thin) ? thin : loadedFrom;
    }

    /**
     * The positions a cluster job's {@code progress} subtasks counted: the metric {@code progress.positionsDone} summed
     * over subtasks, as the JobManager last fetched it (every few seconds); asked at most once a second, in the
     * background.
     */
    static final class RestProgress implements LongSupplier {
        private final ClusterRest rest;
        private final JobID job;
        private volatile long value;
        private volatile String vertex;
        private volatile long askedAt;
        private volatile CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);

        RestProgress(ClusterRest rest, JobID job) {
            this.rest = rest;
            this.job = job;
        }

        @Override
        public long getAsLong() {
            long now = System.nanoTime();
            if (inFlight.isDone() && now - askedAt > 1_000_000_000L) {
                askedAt = now;
                inFlight = CompletableFuture.runAsync(this::fetch);
            }
            return value;
        }

        private void fetch() {
            try {
                if (vertex == null) {
                    for (JsonNode v : rest.get("/jobs/" + job).path("vertices")) {
                        if (v.path("name").asText().contains("progress")) {
                            vertex = v.path("id").asText();
                        }
                    }
                }
                if (vertex != null) {
                    for (JsonNode m : rest.get("/jobs/" + job + "/vertices/" + vertex
                            + "/subtasks/metrics?get=progress.positionsDone&agg=sum")) {
                        value = Math.max(value, (long) m.path("sum").asDouble());
                    }
                }
            } catch (IOException | RuntimeException e) {
                // keep the last value: the line is only progress
            }
        }
    }
}
