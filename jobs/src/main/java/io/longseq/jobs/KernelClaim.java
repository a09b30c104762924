package io.longseq.jobs;

import io.longseq.jobs.cluster.ClusterLayout;
import io.longseq.math.kernel.RowKernels;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every subtask runs the kernels the job claims (issue 21). The row kernels (softmax, GELU, the global tier's
 * mat-vecs) are the Vector API's when the JVM has {@code --add-modules jdk.incubator.vector} and plain Java otherwise;
 * the two agree to float rounding, not bit for bit, so a TaskManager started without the module silently wrote blocks
 * that differ from {@code offline} in their last bits. The JVM that plans the job (the {@code run} command, or the
 * JobManager for a REST submission) claims its own kernels ({@link #claim}, a global job parameter), and each task
 * {@link #check}s its JVM against the claim when it opens: a mismatch is an ERROR in the TaskManager's log and fails the
 * job without restarts, with a one-line message naming the TaskManager and the flag.
 */
public final class KernelClaim {

    /** The global job parameter that holds the claim, e.g. {@code vector-512} or {@code scalar}. */
    public static final String PARAMETER = "longseq.kernels";

    private static final Logger LOG = LoggerFactory.getLogger(KernelClaim.class);
    private static volatile String thisJvm;
    private static volatile boolean reported;

    private KernelClaim() {}

    /** This JVM's row kernels ({@link RowKernels#name()} of {@link RowKernels#best()}). */
    public static String thisJvm() {
        String k = thisJvm;
        if (k == null) {
            k = RowKernels.best().name();
            thisJvm = k;
        }
        return k;
    }

    /** Adds this JVM's kernels to the job's global parameters (unless the configuration already claims some). */
    public static void claim(Configuration c) {
        Map<String, String> params = new HashMap<>(c.getOptional(PipelineOptions.GLOBAL_JOB_PARAMETERS).orElse(Map.of()));
        params.putIfAbsent(PARAMETER, thisJvm());
        c.set(PipelineOptions.GLOBAL_JOB_PARAMETERS, params);
    }

    /** In a task's open(): nothing if this JVM runs the claimed kernels (or nothing is claimed), else the refusal. */
    public static void check(RuntimeContext ctx) {
        String claimed = ctx.getGlobalJobParameters().get(PARAMETER);
        if (claimed == null) {
            return;
        }
        String problem = problem(claimed, thisJvm(), ctx.getTaskInfo().getTaskNameWithSubtasks());
        if (problem != null) {
            LOG.error(problem);
            throw new SuppressRestartsException(new IllegalStateException(problem));
        }
        if (!reported) {
            reported = true;
            LOG.info("kernels {} in this JVM, as the job claims", claimed);
        }
    }

    /** Null if {@code actual} is what was claimed, else the one-line refusal. */
    static String problem(String claimed, String actual, String task) {
        if (claimed.equals(actual)) {
            return null;
        }
        String why = actual.equals("scalar") && ModuleLayer.boot().findModule(ClusterLayout.VECTOR_MODULE).isEmpty()
                ? "this JVM runs without --add-modules " + ClusterLayout.VECTOR_MODULE
                : "this JVM's row kernels are " + actual;
        return "kernel mismatch in " + task + " on " + host() + " (pid " + ProcessHandle.current().pid() + "): the job"
                + " was planned with the " + claimed + " row kernels but " + why + ", whose blocks differ from offline"
                + " in the last bits; start every TaskManager with --add-modules " + ClusterLayout.VECTOR_MODULE
                + " (./longseq cluster does) on machines of one vector width, or plan the job on a JVM with the same"
                + " kernels (-Dlongseq.vector=false for the scalar ones)";
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "this host";
        }
    }
}
