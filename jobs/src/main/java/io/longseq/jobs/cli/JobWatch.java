package io.longseq.jobs.cli;

import io.longseq.jobs.Refusals;
import io.longseq.jobs.input.InputScan;
import io.longseq.jobs.output.ProgressFunction;
import io.longseq.stream.StartupTrace;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.util.ExceptionUtils;

/**
 * Waits for a submitted {@code run} job: samples the positions done ({@link ProgressFunction}) every 200 ms for the
 * sustained rate, prints a progress line on stderr every few seconds, and keeps the job's net runtime and its
 * failure.
 */
final class JobWatch {

    private final PrintWriter err;
    private final ThroughputWindow window = new ThroughputWindow(); // positions done, sampled while it runs
    private double jobSeconds; // the job's net runtime: from submission to its end, no cluster start-up
    private Throwable failed;  // the job's failure, for --verbose

    JobWatch(PrintWriter err) {
        this.err = err;
    }

    /**
     * Waits for the job, printing a progress line every few seconds (with the total of {@code scan} once known).
     *
     * @return the failure's message, or null when the job finished
     */
    String await(JobClient client, String runId, CompletableFuture<InputScan> scan, long t0) {
        var result = client.getJobExecutionResult();
        long nextReport = t0 + TimeUnit.SECONDS.toNanos(Progress.FIRST_REPORT_SECONDS);
        long lastShown = -1;
        long lastShownAt = 0;
        while (true) {
            try {
                jobSeconds = result.get(200, TimeUnit.MILLISECONDS).getNetRuntime(TimeUnit.MILLISECONDS) / 1e3;
                StartupTrace.mark("job-finished");
                window.add(System.nanoTime(), ProgressFunction.positionsDone(runId));
                return null;
            } catch (TimeoutException e) {
                long now = System.nanoTime();
                long sampled = ProgressFunction.positionsDone(runId);
                window.add(now, sampled);
                InputScan known = scan.getNow(null);
                if (known != null && sampled > 0 && sampled >= ThroughputWindow.DEFAULT_FROM * known.positions()) {
                    StartupTrace.mark("sustained-window-opens"); // 10 % of the positions done
                }
                if (now >= nextReport) {
                    long done = ProgressFunction.positionsDone(runId);
                    // an unbounded job may wait for input: repeat an unchanged count only once a minute
                    if (done != lastShown || now - lastShownAt > TimeUnit.SECONDS.toNanos(60)) {
                        err.println(progressLine(done, scan.getNow(null), t0));
                        err.flush();
                        lastShown = done;
                        lastShownAt = now;
                    }
                    nextReport += TimeUnit.SECONDS.toNanos(5);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                client.cancel();
                return "interrupted";
            } catch (ExecutionException e) {
                failed = ExceptionUtils.stripExecutionException(e);
                return Refusals.describe(Refusals.root(failed));
            }
        }
    }

    /** The job's net runtime in seconds, once it finished. */
    double jobSeconds() {
        return jobSeconds;
    }

    /** The job's failure (for --verbose), or null. */
    Throwable failure() {
        return failed;
    }

    /** "; sustained R positions/s ..." once the run was long enough to tell, else "". */
    String sustained() {
        double rate = window.sustainedRate(ThroughputWindow.DEFAULT_FROM);
        return Double.isNaN(rate) ? "" : String.format(Locale.ROOT,
                "; sustained %,.0f positions/s (from %.0f %% of the positions to the last, after start-up and"
                        + " warm-up)", rate, 100 * ThroughputWindow.DEFAULT_FROM);
    }

    static String progressLine(long done, InputScan scan, long t0) {
        double seconds = (System.nanoTime() - t0) / 1e9;
        double rate = done / Math.max(seconds, 1e-9);
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "  progress: %.0f s, %,d", seconds, done));
        if (scan != null && scan.positions() > 0) {
            long total = scan.positions();
            b.append(String.format(Locale.ROOT, " of %,d positions (%.1f %%)", total, 100.0 * done / total));
            b.append(String.format(Locale.ROOT, ", %,.0f positions/s", rate));
            if (done > 0) {
                b.append(String.format(Locale.ROOT, ", ~%.0f s left", Math.max(0, total - done) / rate));
            }
        } else {
            b.append(String.format(Locale.ROOT, " positions, %,.0f positions/s", rate));
        }
        return b.toString();
    }
}
