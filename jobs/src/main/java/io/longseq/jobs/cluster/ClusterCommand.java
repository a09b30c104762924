package io.longseq.jobs.cluster;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code longseq cluster start|status|stop|jobmanager|taskmanager}: a standalone Flink cluster from the project's own
 * jars, each process a separate JVM ({@link ClusterLayout} says how; {@link LocalCluster} keeps their pid files).
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "A standalone Flink cluster from this build's jars (no Flink download, no Docker): a JobManager and"
                + " TaskManagers as separate JVMs, web UI and REST on 127.0.0.1:8081. Submit with"
                + " `longseq run --jobmanager 127.0.0.1:8081 ...`.",
        subcommands = {ClusterStart.class, ClusterStatus.class, ClusterStop.class, ClusterForeground.JobManager.class,
                ClusterForeground.TaskManager.class},
        footer = {"", "Exit codes: 0 done; 1 a process failed to start or the cluster does not run; 2 invalid command"
                + " line."})
public final class ClusterCommand implements Runnable {

    public static final String NAME = "cluster";
    /** Set by ./longseq for the foreground forms: write the command line there (NUL-separated) for the shell to exec. */
    static final String EXEC_ARGV_ENV = "LONGSEQ_EXEC_ARGV";

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing subcommand: longseq cluster start|status|stop|jobmanager|taskmanager");
    }

    /** --dir, shared by every subcommand. */
    public static final class DirOption {
        @Option(names = "--dir", paramLabel = "DIR", defaultValue = "./cluster",
                description = "the cluster's directory: conf/, log/, tmp/ and pid files (default: ${DEFAULT-VALUE})")
        Path dir;
    }

    /** The build's directory of flink-lib/, nd4j-lib/ and kernel-lib/; null (said on stderr) when one is missing. */
    static Path libDir(PrintWriter err) {
        Path lib = ClusterLayout.defaultLibDir();
        List<String> dirs = new ArrayList<>(List.of("flink-lib"));
        dirs.addAll(ClusterLayout.TASKMANAGER_LIBS);
        for (String d : dirs) {
            if (!Files.isDirectory(lib.resolve(d))) {
                err.println("longseq cluster: " + lib.resolve(d) + " is missing: build with"
                        + " `mvn -q -B -DskipTests package -pl jobs -am`");
                return null;
            }
        }
        return lib;
    }
}
