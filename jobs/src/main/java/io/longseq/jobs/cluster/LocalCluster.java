package io.longseq.jobs.cluster;

import io.longseq.jobs.cluster.ClusterLayout.Role;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.configuration.BlobServerOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;

/**
 * The processes of a cluster in a directory, as Flink's scripts keep them: one pid file per process
 * ({@code DIR/jobmanager.pid}, {@code DIR/taskmanager-N.pid}), logs in {@code DIR/log}, Flink's temporary files in
 * {@code DIR/tmp}. Each process runs in its own session ({@code setsid}: a signal to the shell that started it does
 * not reach it) with the command {@link ClusterLayout} gives, and carries a mark ({@code -Dlongseq.cluster.process})
 * so that a pid file whose pid now belongs to another process is not taken for it.
 */
public final class LocalCluster {

    /** One process of the cluster, from its pid file. */
    public record Proc(String name, Role role, long pid, boolean alive) {}

    private final Path dir;

    public LocalCluster(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    public Path dir() {
        return dir;
    }

    /** The processes that have a pid file, JobManager first, each with whether it still runs. */
    public List<Proc> processes() throws IOException {
        List<Proc> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".pid"))
                    .sorted(Comparator.comparing(LocalCluster::order)).toList()) {
                String name = p.getFileName().toString().replaceFirst("\\.pid$", "");
                Role role = name.equals("jobmanager") ? Role.JOBMANAGER : Role.TASKMANAGER;
                long pid = readPid(p);
                out.add(new Proc(name, role, pid, pid > 0 && isOurs(pid, name)));
            }
        }
        return out;
    }

    // jobmanager first, then taskmanager-1, -2, ..., -10 in numeric order
    private static String order(Path p) {
        String n = p.getFileName().toString();
        if (n.startsWith("jobmanager")) {
            return "0";
        }
        String digits = n.replaceAll("\\D", "");
        return "1" + "0".repeat(Math.max(0, 6 - digits.length())) + digits;
    }

    /** The running process called {@code name}, if any. */
    public Optional<ProcessHandle> running(String name) throws IOException {
        Path f = dir.resolve(name + ".pid");
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        long pid = readPid(f);
        return pid > 0 && isOurs(pid, name) ? ProcessHandle.of(pid) : Optional.empty();
    }

    /** True if pid runs and carries this cluster's mark for {@code name}. */
    boolean isOurs(long pid, String name) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return false;
        }
        String mark = "-D" + ClusterLayout.PROCESS_MARK + "=" + dir.resolve(name);
        try {
            byte[] cmd = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            for (String arg : new String(cmd, StandardCharsets.UTF_8).split("\0")) {
                if (arg.equals(mark)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) { // no /proc: trust the pid file
            return true;
        }
    }

    private static long readPid(Path f) {
        try {
            return Long.parseLong(Files.readString(f).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Starts process {@code name} in the background, detached in its own session, stdout and stderr appended to
     * its {@code .out} file; writes its pid file.
     */
    public ProcessHandle spawn(ClusterLayout layout, Role role, String name) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            cmd.add("/usr/bin/setsid"); // the child of a JVM is no group leader: setsid(1) execs in place, same pid
        }
        cmd.addAll(layout.command(role, name, false));
        Files.createDirectories(layout.logDir());
        File out = layout.outFile(name).toFile();
        Process p = new ProcessBuilder(cmd).directory(layout.dir().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out))
                .redirectErrorStream(true)
                .start();
        Files.writeString(layout.pidFile(name), p.pid() + "\n");
        return p.toHandle();
    }

    /**
     * SIGTERM to every running process of the cluster, SIGKILL to those still running after {@code timeout}; removes
     * the pid files and, when nothing runs any more, Flink's temporary files. Returns what happened, one line each.
     */
    public List<String> stop(Duration timeout) throws IOException, InterruptedException {
        List<String> said = new ArrayList<>();
        List<Proc> procs = processes();
        List<ProcessHandle> handles = new ArrayList<>();
        for (Proc p : procs) {
            if (p.alive()) {
                ProcessHandle.of(p.pid()).ifPresent(h -> {
                    h.destroy();
                    handles.add(h);
                });
            }
        }
        long t0 = System.nanoTime();
        long deadline = t0 + timeout.toNanos();
        while (handles.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        for (Proc p : procs) {
            Optional<ProcessHandle> h = handles.stream().filter(x -> x.pid() == p.pid()).findFirst();
            if (h.isEmpty()) {
                said.add(p.name() + ": was not running");
            } else if (h.get().isAlive()) {
                h.get().destroyForcibly();
                h.get().onExit().join();
                said.add(p.name() + " (pid " + p.pid() + "): SIGKILL, still running " + timeout.toSeconds()
                        + " s after SIGTERM");
            } else {
                said.add(p.name() + " (pid " + p.pid() + "): stopped");
            }
            Files.deleteIfExists(dir.resolve(p.name() + ".pid"));
        }
        said.add(String.format(java.util.Locale.ROOT, "in %.1f s", (System.nanoTime() - t0) / 1e9));
        cleanTmp();
        return said;
    }

    /** Deletes DIR/tmp's contents (Flink's blobs, its tm_/jm_ directories) when no process of the cluster runs. */
    public void cleanTmp() throws IOException {
        if (processes().stream().anyMatch(Proc::alive)) {
            return;
        }
        Path tmp = dir.resolve("tmp");
        if (!Files.isDirectory(tmp)) {
            return;
        }
        try (Stream<Path> s = Files.walk(tmp)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(tmp)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The ports a JobManager of this configuration binds that are taken, as "NAME PORT" for a refusal; or null. */
    static String takenPort(Configuration c) {
        String bind = c.get(JobManagerOptions.BIND_HOST);
        String[][] ports = {{"--rest-port", String.valueOf(c.get(RestOptions.PORT))},
                {"--rpc-port", String.valueOf(c.get(JobManagerOptions.PORT))},
                {"--blob-port", c.get(BlobServerOptions.PORT)}};
        for (String[] p : ports) {
            int port;
            try {
                port = Integer.parseInt(p[1]);
            } catch (NumberFormatException e) {
                continue; // a range: Flink picks
            }
            if (port == 0) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getByName(bind == null ? "0.0.0.0" : bind), port));
            } catch (IOException e) {
                return "port " + port + " on " + bind + " is in use (" + e.getMessage() + "); another cluster? choose"
                        + " another with " + p[0];
            }
        }
        return null;
    }

    /** Resident memory of a process in MB (from /proc), or -1. */
    public static long rssMb(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone
        }
        return -1;
    }

    /** The last lines of a process's .out and .log files that say ERROR or Exception (or the last line). */
    public static List<String> lastProblems(ClusterLayout layout, String name, int max) {
        List<String> out = new ArrayList<>();
        for (Path f : List.of(layout.outFile(name), layout.logFile(name))) {
            try {
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                List<String> bad = lines.stream().filter(l -> l.contains("ERROR") || l.contains("Exception")
                        || l.contains("Error:")).toList();
                List<String> pick = bad.isEmpty() ? lines : bad;
                out.addAll(pick.subList(Math.max(0, pick.size() - max), pick.size()));
            } catch (IOException e) {
                // not written
            }
        }
        return out;
    }

    /**
     * Waits until the REST endpoint answers with at least {@code taskManagers} registered and all their slots offered
     * (a TaskManager is listed a moment before its slots are), or a process died.
     */
    static String awaitReady(ClusterLayout layout, List<ProcessHandle> started, int taskManagers, Duration timeout)
            throws InterruptedException {
        ClusterRest rest = new ClusterRest(layout.restEndpoint(), Duration.ofSeconds(2));
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer from " + rest.base();
        while (System.nanoTime() < deadline) {
            for (ProcessHandle h : started) {
                if (!h.isAlive()) {
                    return "process " + h.pid() + " ended";
                }
            }
            try {
                JsonNode o = rest.overview();
                int tms = o.path("taskmanagers").asInt();
                int slots = o.path("slots-total").asInt();
                if (tms >= taskManagers && slots >= taskManagers * layout.slots()) {
                    return null;
                }
                last = tms + " of " + taskManagers + " TaskManagers registered, " + slots + " of "
                        + taskManagers * layout.slots() + " slots";
            } catch (IOException e) {
                last = "no answer from " + rest.base() + " (" + e.getMessage() + ")";
            }
            Thread.sleep(250);
        }
        return "not ready after " + timeout.toSeconds() + " s: " + last;
    }
}
