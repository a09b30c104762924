package io.longseq.jobs.cluster;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.util.ExceptionUtils;

/**
 * How {@code longseq run} in Kafka mode ends on Ctrl-C: stop with a savepoint into savepoint-dir (the sinks commit
 * their last transactions, the state is kept), and the savepoint's path printed; if that fails or takes longer
 * than stop-timeout, cancel instead (the retained checkpoints stay, {@code --resume latest} starts from the newest).
 *
 * <p>{@link #install} catches SIGINT and SIGTERM with a signal handler, not a shutdown hook: shutdown hooks run
 * concurrently, and the embedded cluster's own hooks delete its temporary directories (a RocksDB backend's working
 * directories among them) while a savepoint would still be reading them. With the handler the JVM does not begin to
 * shut down; the stop runs, the job ends, and the command finishes normally. A second signal cancels at once. Only
 * the {@code longseq} launcher asks for the handlers ({@link #enableSignals}); elsewhere (a job's main run by
 * Flink's own client or a JobManager, tests) a shutdown hook cancels the job, as before.
 *
 * <p>Savepoints are CANONICAL (Flink's portable format): one can be restored with either state backend.
 */
public final class GracefulStop implements AutoCloseable {

    private static volatile boolean signals;

    private final JobClient client;
    private final String savepointDir;
    private final Duration timeout;
    private final PrintWriter err;
    private final String who;
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Object> previous = new ArrayList<>(); // [signal, handler] pairs to restore
    private final Thread hook;
    private volatile Thread stopping;
    private volatile String savepoint;
    private volatile String failure;

    private GracefulStop(JobClient client, String savepointDir, Duration timeout, PrintWriter err, String who) {
        this.client = client;
        this.savepointDir = savepointDir;
        this.timeout = timeout;
        this.err = err;
        this.who = who;
        this.hook = new Thread(() -> {
            if (requests.get() == 0) {
                client.cancel().join(); // the JVM is going down some other way: do not leave the job running
            }
        }, "longseq-cancel-on-exit");
    }

    /** The launcher's main calls this: Ctrl-C (SIGINT) and SIGTERM stop the job gracefully. */
    public static void enableSignals() {
        signals = true;
    }

    /**
     * Watches for Ctrl-C while {@code client}'s job runs: a graceful stop with the signal handlers (when enabled),
     * else a shutdown hook that cancels. Close it when the job has ended.
     *
     * @param who the message prefix, e.g. "longseq run"
     */
    public static GracefulStop install(JobClient client, String savepointDir, Duration timeout, PrintWriter err,
                                       String who) {
        GracefulStop g = new GracefulStop(client, savepointDir, timeout, err, who);
        Runtime.getRuntime().addShutdownHook(g.hook);
        if (signals) {
            for (String name : List.of("INT", "TERM")) {
                try {
                    sun.misc.Signal s = new sun.misc.Signal(name);
                    g.previous.add(s);
                    g.previous.add(sun.misc.Signal.handle(s, sig -> g.request()));
                } catch (IllegalArgumentException | UnsupportedOperationException e) {
                    g.err.println(who + ": cannot catch SIG" + name + " (" + e.getMessage() + "); it cancels the job");
                }
            }
        }
        return g;
    }

    /** A stop was asked for (Ctrl-C): the job's end is then no failure. */
    public boolean requested() {
        return requests.get() > 0;
    }

    /** The savepoint's path after a graceful stop, else null. */
    public String savepoint() {
        return savepoint;
    }

    /** Why the graceful stop fell back to cancelling, else null. */
    public String failure() {
        return failure;
    }

    /** What a signal does: the first stops with a savepoint (in a thread of its own), the next cancels. */
    void request() {
        int n = requests.incrementAndGet();
        if (n == 1) {
            Thread t = new Thread(this::stop, "longseq-graceful-stop");
            t.setDaemon(true);
            stopping = t;
            t.start();
        } else if (n == 2) {
            err.println(who + ": second stop request: cancelling the job now (its retained checkpoints stay)");
            err.flush();
            client.cancel();
        }
    }

    /**
     * Stops the job with a savepoint into savepoint-dir, waiting at most the timeout; cancels it if that fails.
     * Returns the savepoint's path, or null after cancelling.
     */
    public String stop() {
        requests.compareAndSet(0, 1);
        err.println(who + ": stopping the job with a savepoint in " + savepointDir + " (at most "
                + timeout.toSeconds() + " s; Ctrl-C again cancels at once)");
        err.flush();
        try {
            String path = stopWithSavepoint(() -> client.stopWithSavepoint(false, savepointDir,
                    SavepointFormatType.CANONICAL), timeout);
            savepoint = path;
            err.println(who + ": stopped with a savepoint: " + path + " (continue with --resume latest or --resume "
                    + path + ")");
            err.flush();
            return path;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        } catch (TimeoutException e) {
            failure = "no savepoint within " + timeout.toSeconds() + " s";
        } catch (Exception e) {
            Throwable t = ExceptionUtils.stripExecutionException(e);
            Throwable root = ExceptionUtils.findThrowable(t, x -> x.getCause() == null).orElse(t);
            failure = "the savepoint failed: " + root.getClass().getSimpleName() + ": " + root.getMessage();
        }
        err.println(who + ": " + failure + "; cancelling the job (its retained checkpoints stay: --resume latest)");
        err.flush();
        try {
            client.cancel().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // the job may have ended meanwhile; the caller sees its end
        }
        return null;
    }

    /**
     * Stops with a savepoint, waiting at most {@code timeout}; a refusal because the job is still starting (its
     * JobManager initializing, or tasks not yet running: a savepoint needs every task running) is retried every
     * 500 ms until the timeout, so that a stop asked for right after a start or a restore waits for it.
     */
    static String stopWithSavepoint(Supplier<CompletableFuture<String>> stop, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException();
            }
            try {
                return stop.get().get(left, TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                if (!starting(e) || deadline - System.nanoTime() < TimeUnit.MILLISECONDS.toNanos(500)) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    // Flink's refusals of a savepoint for a job that is not yet running (matched by their messages: the
    // exceptions come back serialised from the JobManager)
    static boolean starting(Throwable t) {
        for (Throwable x = t; x != null; x = x.getCause() == x ? null : x.getCause()) {
            String m = String.valueOf(x.getMessage());
            if (m.contains("is not being executed at the moment") || m.contains("JobManager is initializing")
                    || m.contains("UnavailableDispatcherOperationException")) {
                return true;
            }
        }
        return false;
    }

    /** After the job has ended: waits until a stop under way has said how it ended (its savepoint's path). */
    public void awaitStop() throws InterruptedException {
        Thread t = stopping;
        if (t != null) {
            t.join(timeout.toMillis() * 2 + 1000);
        }
    }

    /** Restores the previous signal handlers and removes the shutdown hook (unless the JVM is shutting down). */
    @Override
    public void close() {
        for (int i = 0; i + 1 < previous.size(); i += 2) {
            sun.misc.Signal.handle((sun.misc.Signal) previous.get(i), (sun.misc.SignalHandler) previous.get(i + 1));
        }
        previous.clear();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running
        }
    }
}
