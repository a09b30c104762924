package io.longseq.jobs.output;

import io.longseq.stream.StartupTrace;
import io.longseq.stream.global.BlockContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

/**
 * {@code progress}: passes block contexts through and counts the positions they cover, as the Flink metric
 * {@code positionsDone} (web UI, reporters) and in a JVM-wide counter per run id that the embedded
 * {@code longseq run} reads for its progress line (the job and the CLI share the JVM there; on a cluster the
 * counter is simply not read).
 */
public class ProgressFunction extends RichMapFunction<BlockContext, BlockContext> {

    private static final long serialVersionUID = 1L;
    private static final Map<String, AtomicLong> RUNS = new ConcurrentHashMap<>();

    private final String runId;
    private transient AtomicLong done;
    private transient Counter metric;

    public ProgressFunction(String runId) {
        this.runId = runId;
    }

    // a job on a cluster (run --jobmanager): its positionsDone metric, read over REST
    private static volatile java.util.function.LongSupplier elsewhere;

    /** Positions done so far by the run {@code runId} in this JVM (or by the job this JVM submitted to a cluster). */
    public static long positionsDone(String runId) {
        AtomicLong c = RUNS.get(runId);
        java.util.function.LongSupplier e = elsewhere;
        return c != null ? c.get() : e != null ? e.getAsLong() : 0;
    }

    /** The progress of the job this JVM submitted to a cluster, where its subtasks count ({@code RemoteSubmit}). */
    public static void countedElsewhere(java.util.function.LongSupplier positionsDone) {
        elsewhere = positionsDone;
    }

    /** Forgets a finished run. */
    public static void forget(String runId) {
        RUNS.remove(runId);
    }

    @Override
    public void open(OpenContext ctx) {
        io.longseq.jobs.KernelClaim.check(getRuntimeContext()); // a subtask in every slot the job uses
        done = RUNS.computeIfAbsent(runId, k -> new AtomicLong());
        metric = getRuntimeContext().getMetricGroup().counter("positionsDone");
    }

    @Override
    public BlockContext map(BlockContext c) {
        StartupTrace.mark("first-block");
        long n = c.end - c.start;
        done.addAndGet(n);
        metric.inc(n);
        return c;
    }
}
