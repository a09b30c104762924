package io.longseq.jobs.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Progress lines on stderr while a long input runs: positions done, rate, and the record being computed.
 *
 * <p>Short runs print nothing: the first line comes after {@link #FIRST_REPORT_SECONDS} seconds, then one every
 * {@link #EVERY_SECONDS}. Within a record the nd4j engine reports each chunk ({@link #within}), so a single huge
 * record shows its positions done, rate and time left; the reference engine reports only whole records. A daemon
 * thread prints, so a hung model never blocks the JVM from exiting.
 */
public final class Progress implements AutoCloseable {

    static final int FIRST_REPORT_SECONDS = 5;
    static final int EVERY_SECONDS = 10;

    private final PrintWriter err;
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService timer;

    private volatile long positionsDone;
    private volatile int recordsDone;
    private volatile String currentId;
    private volatile long currentPositions;
    private volatile long currentStartNanos;
    private volatile long currentDone;

    Progress(PrintWriter err) {
        this.err = err;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "longseq-progress");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::report, FIRST_REPORT_SECONDS, EVERY_SECONDS, TimeUnit.SECONDS);
    }

    /** A record starts computing. */
    void start(String id, long positions) {
        currentStartNanos = System.nanoTime();
        currentPositions = positions;
        currentDone = 0;
        currentId = id;
    }

    /** Positions of the current record computed so far. */
    void within(long positions) {
        currentDone = positions;
    }

    /** The current record is done (or skipped, with 0 positions). */
    void done(long positions) {
        positionsDone += positions;
        recordsDone++;
        currentId = null;
    }

    private void report() {
        err.println(line());
        err.flush();
    }

    /** The progress line as it would be printed now. */
    String line() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  progress: %.0f s", seconds));
        if (recordsDone > 0) {
            line.append(String.format(Locale.ROOT, ", %,d positions in %,d records done, %,.0f positions/s",
                    positionsDone, recordsDone, positionsDone / Math.max(seconds, 1e-9)));
        }
        String id = currentId;
        if (id != null) {
            double running = (System.nanoTime() - currentStartNanos) / 1e9;
            long done = currentDone;
            line.append(String.format(Locale.ROOT, ", computing '%s': %,d of %,d positions", id, done,
                    currentPositions));
            if (done > 0) {
                double rate = done / Math.max(running, 1e-9);
                line.append(String.format(Locale.ROOT, ", %,.0f positions/s, ~%.0f s left", rate,
                        (currentPositions - done) / rate));
            } else {
                line.append(String.format(Locale.ROOT, " (running for %.0f s)", running));
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
