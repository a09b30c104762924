package io.longseq.jobs.cluster;

import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.stream.StartupTrace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads ND4J and its native libraries in a daemon thread, for a job that will run in this JVM (the embedded cluster of
 * {@code longseq run}).
 *
 * <p>Why: each {@code local-attention} subtask loads ND4J when it opens (its classes, the native build chosen from the
 * CPU flags, one thread), 0.15–0.4 s on the way from the command to the first block, after the cluster has started
 * and the job has deployed. Started before the cluster, the same load runs beside the cluster's start, and the subtasks
 * find it done (or wait for it on the class's initialisation lock). The same call the subtasks make
 * ({@link Nd4jRuntime#init}, one thread), so nothing else changes. If the load fails here, its reason is logged as a
 * warning; the subtasks then fail on it as they would have.
 */
public final class NativePreload {

    private static final Logger LOG = LoggerFactory.getLogger(NativePreload.class);

    private NativePreload() {}

    /** Starts the load in a daemon thread, {@code longseq-nd4j-preload}. */
    public static Thread start() {
        Thread t = new Thread(NativePreload::load, "longseq-nd4j-preload");
        t.setDaemon(true);
        t.start();
        return t;
    }

    static void load() {
        try {
            Nd4jRuntime.init(1);
            StartupTrace.mark("nd4j-preloaded");
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("ND4J could not be loaded: {}", e.toString());
        }
    }
}
