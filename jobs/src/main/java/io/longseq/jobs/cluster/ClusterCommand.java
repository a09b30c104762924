package io.longseq.jobs.cluster;

import io.longseq.jobs.cluster.ClusterLayout.Role;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
        subcommands = {ClusterCommand.Start.class, ClusterCommand.Status.class, ClusterCommand.Stop.class,
                ClusterCommand.JobManager.class, ClusterCommand.TaskManager.class},
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

    /** What a new cluster's configuration is made of; null = the default (or the running cluster's). */
    public static final class LayoutOptions {
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
                    || metricsPort != null || bindAddress != null || jobManagerMemory != null || taskManagerMemory != null || !extra.isEmpty();
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
    }

    static Path libDir(PrintWriter err) {
        Path lib = ClusterLayout.defaultLibDir();
        for (String d : List.of("flink-lib", "nd4j-lib")) {
            if (!Files.isDirectory(lib.resolve(d))) {
                err.println("longseq cluster: " + lib.resolve(d) + " is missing: build with"
                        + " `mvn -q -B -DskipTests package -pl jobs -am`");
                return null;
            }
        }
        return lib;
    }

    /** The layout to run with: a running cluster's (kept) or a new one written from the options. */
    static ClusterLayout layout(LocalCluster lc, Path lib, LayoutOptions lo, PrintWriter err) throws IOException {
        boolean running = lc.processes().stream().anyMatch(LocalCluster.Proc::alive);
        if (running && ClusterLayout.exists(lc.dir())) {
            if (lo.anyGiven()) {
                err.println("longseq cluster: processes of " + lc.dir() + " run; their configuration"
                        + " (conf/config.yaml) is kept and the options other than --taskmanagers are ignored");
            }
            return ClusterLayout.load(lc.dir(), lib);
        }
        lc.cleanTmp();
        ClusterLayout layout = ClusterLayout.create(lc.dir(), lib, lo.options());
        layout.write();
        return layout;
    }

    @Command(name = "start", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Starts the JobManager and N TaskManagers in the background (what is already running in DIR"
                    + " is kept: run it again to replace a TaskManager that died) and waits until they are registered.")
    public static final class Start implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        DirOption dir;
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
            Path lib = libDir(err);
            if (lib == null) {
                return 1;
            }
            long t0 = System.nanoTime();
            LocalCluster lc = new LocalCluster(dir.dir);
            Optional<ProcessHandle> jm = lc.running("jobmanager");
            ClusterLayout layout = layout(lc, lib, layoutOptions, err);
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
            Status.print(lc, layout, out);
            out.println("submit: ./longseq run --jobmanager " + layout.restEndpoint() + " INPUT --out DIR (or Kafka"
                    + " mode); stop: ./longseq cluster stop --dir " + dir.dir);
            out.flush();
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "The processes (pid, memory), the TaskManagers and slots the JobManager knows, and the jobs.")
    public static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        DirOption dir;

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

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "SIGTERM to every process of the cluster, SIGKILL to those still running after --timeout;"
                    + " removes the pid files and Flink's temporary files.")
    public static final class Stop implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        DirOption dir;
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

    /** The foreground forms: one process, its logs on stdout; for containers. */
    abstract static class Foreground implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        DirOption dir;
        @Mixin
        LayoutOptions layoutOptions;

        abstract Role role();

        /** The process's name in DIR (its pid and log file names); null if it runs already. */
        abstract String name(LocalCluster lc) throws IOException;

        @Override
        public Integer call() throws Exception {
            CommandLine cl = spec.commandLine();
            layoutOptions.check(cl);
            Path lib = libDir(cl.getErr());
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
            ClusterLayout layout = layout(lc, lib, layoutOptions, cl.getErr());
            List<String> cmd = layout.command(role(), name, true);
            String argvFile = System.getenv(EXEC_ARGV_ENV);
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
    }

    @Command(name = "jobmanager", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Runs the JobManager in the foreground (logs on stdout), e.g. in a container.")
    public static final class JobManager extends Foreground {
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
    public static final class TaskManager extends Foreground {
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
