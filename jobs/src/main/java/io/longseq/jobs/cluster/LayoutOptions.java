package io.longseq.jobs.cluster;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options of {@code longseq cluster start|jobmanager|taskmanager} that make a new cluster's configuration
 * (conf/config.yaml, {@link ClusterLayout}); null = the default (or the running cluster's).
 */
public final class LayoutOptions {
    @Option(names = "--taskmanagers", paramLabel = "N", description = "TaskManager processes (default: 2)")
    Integer taskManagers;
    @Option(names = "--slots", paramLabel = "S", description = "task slots per TaskManager (default: 1)")
    Integer slots;
    @Option(names = "--rest-port", paramLabel = "PORT", description = "web UI and REST port (default: 8081)")
    Integer restPort;
    @Option(names = "--rpc-port", paramLabel = "PORT", description = "JobManager RPC port (default: 6123)")
    Integer rpcPort;
    @Option(names = "--blob-port", paramLabel = "PORT", description = "JobManager blob server port (default: 6124)")
    Integer blobPort;
    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Prometheus /metrics of the JobManager on PORT, of TaskManager i on PORT+i, on the bind"
                    + " address (default: 9249; 0: none)")
    Integer metricsPort;
    @Option(names = "--jobmanager-address", paramLabel = "HOST",
            description = "the JobManager's address as the other processes and clients reach it (default:"
                    + " 127.0.0.1; in docker-compose the service name)")
    String address;
    @Option(names = "--bind-address", paramLabel = "ADDR",
            description = "the address every socket binds (default: 127.0.0.1; 0.0.0.0 inside a container)")
    String bindAddress;
    @Option(names = "--jobmanager-memory", paramLabel = "SIZE",
            description = "jobmanager.memory.process.size (default: 1024m)")
    String jobManagerMemory;
    @Option(names = "--taskmanager-memory", paramLabel = "SIZE",
            description = "taskmanager.memory.process.size (default: 1280m)")
    String taskManagerMemory;
    @Option(names = "-D", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "any Flink configuration key for config.yaml, e.g. -D heartbeat.timeout=10s,"
                    + " -D env.java.opts.taskmanager=-Xss4m")
    Map<String, String> extra = new LinkedHashMap<>();

    boolean anyGiven() {
        return slots != null || restPort != null || rpcPort != null || blobPort != null || address != null
                || metricsPort != null || bindAddress != null || jobManagerMemory != null || taskManagerMemory != null
                || !extra.isEmpty();
    }

    ClusterLayout.Options options() {
        ClusterLayout.Options d = ClusterLayout.Options.defaults();
        return new ClusterLayout.Options(taskManagers != null ? taskManagers : d.taskManagers(),
                slots != null ? slots : d.slots(), restPort != null ? restPort : d.restPort(),
                rpcPort != null ? rpcPort : d.rpcPort(), blobPort != null ? blobPort : d.blobPort(),
                address != null ? address : d.address(), bindAddress != null ? bindAddress : d.bindAddress(),
                jobManagerMemory != null ? jobManagerMemory : d.jobManagerMemory(),
                taskManagerMemory != null ? taskManagerMemory : d.taskManagerMemory(), extra());
    }

    private Map<String, String> extra() {
        Map<String, String> e = new LinkedHashMap<>();
        if (metricsPort != null) {
            e.put(ClusterLayout.METRICS_PORT.key(), String.valueOf(metricsPort));
        }
        e.putAll(extra);
        return Map.copyOf(e);
    }

    void check(CommandLine cl) {
        if (taskManagers != null && (taskManagers < 0 || taskManagers > 64)) {
            throw new CommandLine.ParameterException(cl, "--taskmanagers must be in [0, 64], got " + taskManagers);
        }
        if (slots != null && slots < 1) {
            throw new CommandLine.ParameterException(cl, "--slots must be at least 1, got " + slots);
        }
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65_535 - 64)) {
            throw new CommandLine.ParameterException(cl, "--metrics-port must be 0 or in [1, 65471], got "
                    + metricsPort);
        }
        for (Integer p : new Integer[] {restPort, rpcPort, blobPort}) {
            if (p != null && (p < 1 || p > 65_535)) {
                throw new CommandLine.ParameterException(cl, "port out of range: " + p);
            }
        }
    }

    /** The layout to run with: a running cluster's (kept) or a new one written from the options. */
    ClusterLayout layout(LocalCluster lc, Path lib, PrintWriter err) throws IOException {
        boolean running = lc.processes().stream().anyMatch(LocalCluster.Proc::alive);
        if (running && ClusterLayout.exists(lc.dir())) {
            if (anyGiven()) {
                err.println("longseq cluster: processes of " + lc.dir() + " run; their configuration"
                        + " (conf/config.yaml) is kept and the options other than --taskmanagers are ignored");
            }
            return ClusterLayout.load(lc.dir(), lib);
        }
        lc.cleanTmp();
        ClusterLayout layout = ClusterLayout.create(lc.dir(), lib, options());
        layout.write();
        return layout;
    }
}
