package io.longseq.jobs.cluster;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code longseq cluster stop}: ends every process of DIR. */
@Command(name = "stop", mixinStandardHelpOptions = true,
        description = "SIGTERM to every process of the cluster, SIGKILL to those still running after --timeout;"
                + " removes the pid files and Flink's temporary files.")
public final class ClusterStop implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClusterCommand.DirOption dir;
    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "seconds between SIGTERM and SIGKILL (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        LocalCluster lc = new LocalCluster(dir.dir);
        if (lc.processes().isEmpty()) {
            out.println("no cluster processes in " + lc.dir());
        } else {
            out.println("stopping the cluster in " + lc.dir() + ": "
                    + String.join("; ", lc.stop(Duration.ofSeconds(timeoutSeconds))));
        }
        out.flush();
        return 0;
    }
}
