package io.longseq.jobs.cluster;

import io.longseq.jobs.cluster.ClusterLayout.Role;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code longseq cluster start}: the JobManager and TaskManagers in the background, then the status. */
@Command(name = "start", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Starts the JobManager and N TaskManagers in the background (what is already running in DIR"
                + " is kept: run it again to replace a TaskManager that died) and waits until they are registered.")
public final class ClusterStart implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClusterCommand.DirOption dir;
    @Mixin
    LayoutOptions layoutOptions;
    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "90",
            description = "how long to wait for the cluster to be ready (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        layoutOptions.check(cl);
        PrintWriter out = cl.getOut();
        PrintWriter err = cl.getErr();
        Path lib = ClusterCommand.libDir(err);
        if (lib == null) {
            return 1;
        }
        long t0 = System.nanoTime();
        LocalCluster lc = new LocalCluster(dir.dir);
        Optional<ProcessHandle> jm = lc.running("jobmanager");
        ClusterLayout layout = layoutOptions.layout(lc, lib, err);
        int n = layoutOptions.taskManagers != null ? layoutOptions.taskManagers : layout.taskManagers();
        List<ProcessHandle> started = new ArrayList<>();
        List<String> names = new ArrayList<>();
        if (jm.isEmpty()) {
            String taken = LocalCluster.takenPort(layout.config());
            if (taken != null) {
                err.println("longseq cluster start: " + taken);
                return 1;
            }
            started.add(lc.spawn(layout, Role.JOBMANAGER, "jobmanager"));
            names.add("jobmanager");
        }
        for (int i = 1; i <= n; i++) {
            String name = ClusterLayout.taskManagerName(i);
            if (lc.running(name).isEmpty()) {
                started.add(lc.spawn(layout, Role.TASKMANAGER, name));
                names.add(name);
            }
        }
        String problem = LocalCluster.awaitReady(layout, started, n, Duration.ofSeconds(timeoutSeconds));
        if (problem != null) {
            err.println("longseq cluster start: " + problem + "; logs in " + layout.logDir());
            for (String name : names) {
                for (String line : LocalCluster.lastProblems(layout, name, 3)) {
                    err.println("  " + name + ": " + line);
                }
            }
            err.println("  (stop what started with: longseq cluster stop --dir " + dir.dir + ")");
            err.flush();
            return 1;
        }
        out.printf(Locale.ROOT, "cluster in %s ready in %.1f s: %s%n", lc.dir(), (System.nanoTime() - t0) / 1e9,
                names.isEmpty() ? "everything was running" : "started " + String.join(", ", names));
        ClusterStatus.print(lc, layout, out);
        out.println("submit: ./longseq run --jobmanager " + layout.restEndpoint() + " INPUT --out DIR (or Kafka"
                + " mode); stop: ./longseq cluster stop --dir " + dir.dir);
        out.flush();
        return 0;
    }
}
