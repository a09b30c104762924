package io.longseq.jobs.cluster;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code longseq cluster status}: the processes of DIR and what the cluster's REST endpoint says. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "The processes (pid, memory), the TaskManagers and slots the JobManager knows, and the jobs.")
public final class ClusterStatus implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClusterCommand.DirOption dir;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        LocalCluster lc = new LocalCluster(dir.dir);
        if (!ClusterLayout.exists(lc.dir())) {
            out.println("no cluster in " + lc.dir() + " (no conf/config.yaml); start one with longseq cluster start");
            out.flush();
            return 1;
        }
        boolean ok = print(lc, ClusterLayout.load(lc.dir(), lc.dir()), out);
        out.flush();
        return ok ? 0 : 1;
    }

    /** Prints the processes and what the REST endpoint says; true if it answered. */
    static boolean print(LocalCluster lc, ClusterLayout layout, PrintWriter out) throws IOException {
        if (lc.processes().isEmpty()) {
            out.println("  no processes (no pid files in " + lc.dir() + ")");
        }
        for (LocalCluster.Proc p : lc.processes()) {
            out.printf(Locale.ROOT, "  %-15s pid %-8d %s%n", p.name(), p.pid(), p.alive()
                    ? "running, RSS " + LocalCluster.rssMb(p.pid()) + " MB" : "not running");
        }
        ClusterRest rest = new ClusterRest(layout.restEndpoint(), Duration.ofSeconds(3));
        try {
            JsonNode o = rest.overview();
            out.printf(Locale.ROOT, "  web UI and REST %s: Flink %s, %d TaskManagers, %d slots (%d free); jobs"
                            + " running %d, finished %d, cancelled %d, failed %d%n", rest.base(),
                    o.path("flink-version").asText(), o.path("taskmanagers").asInt(), o.path("slots-total").asInt(),
                    o.path("slots-available").asInt(), o.path("jobs-running").asInt(),
                    o.path("jobs-finished").asInt(), o.path("jobs-cancelled").asInt(),
                    o.path("jobs-failed").asInt());
            for (JsonNode j : rest.get("/jobs/overview").path("jobs")) {
                out.printf(Locale.ROOT, "    job %s %-9s %.1f s  %s%n", j.path("jid").asText(),
                        j.path("state").asText(), j.path("duration").asLong() / 1e3, j.path("name").asText());
            }
            return true;
        } catch (IOException e) {
            out.println("  REST " + rest.base() + " does not answer: " + e.getMessage());
            return false;
        }
    }
}
