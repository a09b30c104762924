package io.longseq.jobs;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Progress lines on stderr while a long input runs: positions done, rate, and the record being computed.
 *
 * <p>Short runs print nothing: the first line comes after {@link #FIRST_REPORT_SECONDS} seconds, then one every
 * {@link #EVERY_SECONDS}. Positions count once a record is done, because the engines compute a whole record in one
 * call (ChunkedModel has no progress hook yet); for a single huge record the line shows how long the record has been
 * running instead. A daemon thread prints, so a hung model never blocks the JVM from exiting.
 */
final class Progress implements AutoCloseable {

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
        currentId = id;
    }

    /** The current record is done (or skipped, with 0 positions). */
    void done(long positions) {
        positionsDone += positions;
        recordsDone++;
        currentId = null;
    }

    private void report() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  progress: %.0f s", seconds));
        if (recordsDone > 0) {
            line.append(String.format(Locale.ROOT, ", %,d positions in %,d records done, %,.0f positions/s",
                    positionsDone, recordsDone, positionsDone / Math.max(seconds, 1e-9)));
        }
        String id = currentId;
        if (id != null) {
            line.append(String.format(Locale.ROOT, ", computing '%s' (%,d positions) for %.0f s", id,
                    currentPositions, (System.nanoTime() - currentStartNanos) / 1e9));
        }
        err.println(line);
        err.flush();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
