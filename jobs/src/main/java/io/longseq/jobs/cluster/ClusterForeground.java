package io.longseq.jobs.cluster;

import io.longseq.jobs.cluster.ClusterLayout.Role;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code longseq cluster jobmanager|taskmanager}, the foreground forms: one process, its logs on stdout; for
 * containers.
 */
abstract class ClusterForeground implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ClusterCommand.DirOption dir;
    @Mixin
    LayoutOptions layoutOptions;

    abstract Role role();

    /** The process's name in DIR (its pid and log file names); null if it runs already. */
    abstract String name(LocalCluster lc) throws IOException;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        layoutOptions.check(cl);
        Path lib = ClusterCommand.libDir(cl.getErr());
        if (lib == null) {
            return 1;
        }
        LocalCluster lc = new LocalCluster(dir.dir);
        String name = name(lc);
        if (name == null) {
            cl.getErr().println("longseq cluster " + cl.getCommandName() + ": it runs already in " + lc.dir()
                    + " (see longseq cluster status --dir " + dir.dir + ")");
            return 1;
        }
        // a process of DIR that runs keeps its configuration (the pid files say which run), else it is written
        ClusterLayout layout = layoutOptions.layout(lc, lib, cl.getErr());
        List<String> cmd = layout.command(role(), name, true);
        String argvFile = System.getenv(ClusterCommand.EXEC_ARGV_ENV);
        if (argvFile != null && !argvFile.isEmpty()) { // ./longseq execs it: the process replaces the shell
            Files.writeString(Path.of(argvFile), String.join("\0", cmd) + "\0", StandardCharsets.UTF_8);
            long shell = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
            Files.writeString(layout.pidFile(name), shell + "\n"); // exec keeps the shell's pid
            return 0;
        }
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        Files.writeString(layout.pidFile(name), p.pid() + "\n");
        Thread stop = new Thread(() -> {
            p.destroy();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "longseq-cluster-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        return p.waitFor();
    }

    @Command(name = "jobmanager", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Runs the JobManager in the foreground (logs on stdout), e.g. in a container.")
    public static final class JobManager extends ClusterForeground {
        @Override
        Role role() {
            return Role.JOBMANAGER;
        }

        @Override
        String name(LocalCluster lc) throws IOException {
            return lc.running("jobmanager").isPresent() ? null : "jobmanager";
        }
    }

    @Command(name = "taskmanager", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Runs one TaskManager in the foreground (logs on stdout), e.g. in a container.")
    public static final class TaskManager extends ClusterForeground {
        @Option(names = "--index", paramLabel = "N",
                description = "its number, for its pid and log file names (default: the first not running in DIR)")
        Integer index;

        @Override
        Role role() {
            return Role.TASKMANAGER;
        }

        @Override
        String name(LocalCluster lc) throws IOException {
            if (index != null) {
                String n = ClusterLayout.taskManagerName(index);
                return lc.running(n).isPresent() ? null : n;
            }
            for (int i = 1; ; i++) {
                String n = ClusterLayout.taskManagerName(i);
                if (lc.running(n).isEmpty()) {
                    return n;
                }
            }
        }
    }
}
