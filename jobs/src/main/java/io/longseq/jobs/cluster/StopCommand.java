package io.longseq.jobs.cluster;

import io.longseq.jobs.UsageException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.util.ExceptionUtils;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code longseq stop}: stops the longseq job running on a Flink cluster with a savepoint (through the cluster's
 * REST endpoint, Flink's {@code POST /jobs/:id/stop}), so that {@code longseq run --resume latest} (or
 * {@code --resume PATH}) continues it with its state: its open sequences, input offsets and committed outputs.
 * Without {@code --job-id} it picks the one running job whose name starts with {@value #JOB_NAME_PREFIX}.
 *
 * <p>Prints the savepoint's path alone on stdout (for scripts), a sentence on stderr. Exit codes: 0 stopped; 1 the
 * cluster cannot be reached, no longseq job runs, or the savepoint failed (the job then keeps running); 2 the
 * command line cannot be run as given (a bad value, several longseq jobs and no {@code --job-id}).
 */
@Command(name = StopCommand.NAME, mixinStandardHelpOptions = true,
        description = "Stops the longseq job on a Flink cluster (longseq cluster start, run --jobmanager) with a"
                + " savepoint, to continue later with longseq run --resume latest.",
        footer = {"", "Prints the savepoint's path on stdout. Exit codes: 0 stopped; 1 the cluster cannot be reached,"
                + " no longseq job runs, or the savepoint failed (the job keeps running); 2 invalid command line or"
                + " several longseq jobs without --job-id."})
public final class StopCommand implements Callable<Integer> {

    public static final String NAME = "stop";
    /** The names {@code longseq run} gives its jobs start with this. */
    public static final String JOB_NAME_PREFIX = "longseq run";
    /** Where the cluster's REST endpoint is when {@code --jobmanager} is not given. */
    public static final String DEFAULT_JOBMANAGER = "127.0.0.1:8081";

    @Spec
    CommandSpec spec;

    @Option(names = "--jobmanager", paramLabel = "HOST:PORT", defaultValue = DEFAULT_JOBMANAGER,
            description = "the cluster's REST endpoint (default: ${DEFAULT-VALUE})")
    String jobmanager;

    @Option(names = "--job-id", paramLabel = "ID", description = "the job to stop (default: the running longseq job)")
    String jobId;

    @Option(names = "--savepoint-dir", paramLabel = "DIR", defaultValue = "savepoints",
            description = "where the savepoint goes: any Flink file system URI, or a path relative to the working"
                    + " directory that the cluster can write (default: ${DEFAULT-VALUE})")
    String savepointDir;

    @Option(names = "--stop-timeout", paramLabel = "DURATION", defaultValue = "2 min",
            description = "how long to wait for the savepoint (default: ${DEFAULT-VALUE})")
    String timeout;

    @Option(names = "--verbose", description = "print the stack trace after a failure")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String[] hostPort = hostPort(jobmanager);
        Duration wait = duration(timeout);
        String target = DurableState.uri(DeployOptions.SAVEPOINT_DIR, savepointDir, Path.of(""));
        JobID wanted = null;
        if (jobId != null) {
            try {
                wanted = JobID.fromHexString(jobId.strip());
            } catch (IllegalArgumentException e) {
                throw new UsageException("--job-id: '" + jobId + "' is no Flink job id (32 hexadecimal digits)");
            }
        }
        Configuration c = new Configuration();
        c.set(RestOptions.ADDRESS, hostPort[0]);
        c.set(RestOptions.PORT, Integer.parseInt(hostPort[1]));
        c.set(RestOptions.RETRY_MAX_ATTEMPTS, 1);
        c.set(RestOptions.RETRY_DELAY, Duration.ofMillis(200));
        try (RestClusterClient<StandaloneClusterId> rest =
                     new RestClusterClient<>(c, StandaloneClusterId.getInstance())) {
            Collection<JobStatusMessage> jobs;
            try {
                jobs = rest.listJobs().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                return fail(err, "no Flink cluster answers at " + jobmanager + ": " + root(e), e);
            }
            JobStatusMessage job = pick(jobs, wanted);
            if (job == null) {
                return fail(err, wanted != null ? "no job " + wanted + " runs on " + jobmanager
                        : "no longseq job runs on " + jobmanager + " (jobs there: " + names(jobs) + ")", null);
            }
            err.println("longseq stop: stopping job " + job.getJobId() + " (" + job.getJobName() + ") on " + jobmanager
                    + " with a savepoint in " + target);
            err.flush();
            String path;
            try {
                path = GracefulStop.stopWithSavepoint(() -> rest.stopWithSavepoint(job.getJobId(), false, target,
                        SavepointFormatType.CANONICAL), wait);
            } catch (ExecutionException | TimeoutException e) {
                return fail(err, (e instanceof TimeoutException ? "no savepoint within " + wait.toSeconds() + " s"
                        : "the savepoint failed: " + root(e)) + "; the job keeps running", e);
            }
            err.println("longseq stop: stopped with a savepoint: " + path + " (continue with longseq run"
                    + " --resume latest --savepoint-dir " + savepointDir + ", or --resume " + path + ")");
            err.flush();
            out.println(path);
            out.flush();
            return 0;
        }
    }

    // the one job to stop: the given id if it runs, else the only running longseq job; null when none
    private static JobStatusMessage pick(Collection<JobStatusMessage> jobs, JobID wanted) {
        List<JobStatusMessage> running = jobs.stream().filter(j -> !j.getJobState().isGloballyTerminalState())
                .toList();
        if (wanted != null) {
            return running.stream().filter(j -> j.getJobId().equals(wanted)).findFirst().orElse(null);
        }
        List<JobStatusMessage> ours = running.stream().filter(j -> j.getJobName().startsWith(JOB_NAME_PREFIX))
                .toList();
        if (ours.size() > 1) {
            throw new UsageException(ours.size() + " longseq jobs run (" + names(ours) + "); say which with --job-id");
        }
        return ours.isEmpty() ? null : ours.get(0);
    }

    private static String names(Collection<JobStatusMessage> jobs) {
        if (jobs.isEmpty()) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        for (JobStatusMessage j : jobs) {
            b.append(b.length() == 0 ? "" : ", ").append(j.getJobId()).append(" '").append(j.getJobName())
                    .append("' ").append(j.getJobState());
        }
        return b.toString();
    }

    private int fail(PrintWriter err, String message, Throwable cause) {
        err.println("longseq stop: " + message.replace('\n', ' '));
        if (verbose && cause != null) {
            cause.printStackTrace(err);
        }
        err.flush();
        return 1;
    }

    private static String root(Throwable e) {
        Throwable t = ExceptionUtils.stripExecutionException(e);
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    static String[] hostPort(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new UsageException("--jobmanager: '" + value + "' is not HOST:PORT");
        }
        String port = value.substring(colon + 1);
        try {
            int p = Integer.parseInt(port);
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new UsageException("--jobmanager: '" + port + "' is no port (1..65535)");
        }
        return new String[] {value.substring(0, colon), port};
    }

    private static Duration duration(String value) {
        try {
            Duration d = TimeUtils.parseDuration(value);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("not positive");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new UsageException("--stop-timeout: '" + value + "' is no positive duration (e.g. 90 s, 2 min)");
        }
    }
}
