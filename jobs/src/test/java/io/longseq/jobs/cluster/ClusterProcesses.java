package io.longseq.jobs.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The processes a *ClusterIT starts, through the launcher as a user would ({@code ./longseq cluster start},
 * {@code ./longseq run ...}), and their cleanup: every process it started is ended after the class, also when a test
 * failed ({@code cluster stop}, then SIGKILL for any pid of the cluster's directory still alive, then every other
 * process it launched), and by a shutdown hook if the JVM ends first. Ports are picked free, so the cluster does not
 * meet another one on 8081.
 *
 * <p>Needs the packaged build (jobs/target/longseq.jar, flink-lib/, nd4j-lib/): failsafe runs these tests after
 * {@code package}. The repository root comes from the system property {@code longseq.root}.
 */
public final class ClusterProcesses implements BeforeAllCallback, AfterAllCallback {

    /** A finished command: exit code, stdout, stderr. */
    public record Result(int code, String out, String err) {}

    private final String name;
    private final List<Process> launched = new ArrayList<>();
    private final Thread hook = new Thread(this::cleanUp, "cluster-it-cleanup");
    private Path root;
    private Path work;
    private Path dir;
    private int restPort;
    private int rpcPort;
    private int blobPort;

    public ClusterProcesses(String name) {
        this.name = name;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        root = Path.of(System.getProperty("longseq.root", "..")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("jobs/target/longseq.jar"))) {
            throw new IllegalStateException(root.resolve("jobs/target/longseq.jar") + " is missing: the *ClusterIT"
                    + " tests run after package (mvn -B verify)");
        }
        work = root.resolve("jobs/target/cluster-it").resolve(name);
        deleteTree(work);
        Files.createDirectories(work);
        dir = work.resolve("cluster");
        restPort = freePort();
        rpcPort = freePort();
        blobPort = freePort();
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs
        }
    }

    private synchronized void cleanUp() {
        for (Process p : launched) {
            p.destroyForcibly();
        }
        try {
            if (dir != null && Files.isDirectory(dir)) {
                run(Duration.ofSeconds(60), "cluster", "stop", "--dir", dir.toString(), "--timeout", "10");
                LocalCluster lc = new LocalCluster(dir);
                for (LocalCluster.Proc p : lc.processes()) {
                    if (p.alive()) {
                        ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                lc.cleanTmp();
            }
        } catch (Exception e) {
            System.err.println("cluster-it cleanup: " + e);
        }
        for (Process p : launched) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        launched.clear();
    }

    public Path root() {
        return root;
    }

    /** A directory for this class's files (under jobs/target/cluster-it). */
    public Path work() {
        return work;
    }

    public Path dir() {
        return dir;
    }

    public String endpoint() {
        return "127.0.0.1:" + restPort;
    }

    public ClusterRest rest() {
        return new ClusterRest(endpoint(), Duration.ofSeconds(5));
    }

    /** The cluster options of this class: its directory and free ports. */
    public List<String> clusterOptions() {
        return List.of("--dir", dir.toString(), "--rest-port", String.valueOf(restPort), "--rpc-port",
                String.valueOf(rpcPort), "--blob-port", String.valueOf(blobPort));
    }

    /** {@code ./longseq cluster start} with this class's options and {@code more}; fails the test if it fails. */
    public Result start(String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("cluster", "start"));
        args.addAll(clusterOptions());
        args.addAll(List.of(more));
        Result r = run(Duration.ofSeconds(150), args.toArray(String[]::new));
        if (r.code() != 0) {
            throw new AssertionError("cluster start failed (" + r.code() + "): " + r.err() + r.out());
        }
        return r;
    }

    /** Runs {@code ./longseq ARGS} to its end (or kills it after {@code timeout}). */
    public Result run(Duration timeout, String... args) throws Exception {
        String tag = "cmd-" + System.nanoTime();
        Process p = launch(tag, args);
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("./longseq " + String.join(" ", args) + " did not end within " + timeout);
        }
        return new Result(p.exitValue(), Files.readString(work.resolve(tag + ".out")),
                Files.readString(work.resolve(tag + ".err")));
    }

    /** Starts {@code ./longseq ARGS} in the background, output in work/TAG.out and .err; ended after the class. */
    public synchronized Process launch(String tag, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(root.resolve("longseq").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(cmd).directory(work.toFile())
                .redirectOutput(work.resolve(tag + ".out").toFile()).redirectError(work.resolve(tag + ".err").toFile());
        b.environment().put("LONGSEQ_NO_BUILD", "1");
        Process p = b.start();
        launched.add(p);
        return p;
    }

    public String read(String tag, String stream) throws IOException {
        return Files.readString(work.resolve(tag + "." + stream), StandardCharsets.UTF_8);
    }

    /** The running process NAME (jobmanager, taskmanager-1, ...) of the cluster. */
    public ProcessHandle process(String processName) throws IOException {
        return new LocalCluster(dir).running(processName)
                .orElseThrow(() -> new AssertionError(processName + " does not run"));
    }

    /** SIGKILL to process NAME of the cluster; waits until it is gone. */
    public long kill9(String processName) throws IOException {
        ProcessHandle h = process(processName);
        h.destroyForcibly();
        h.onExit().join();
        return h.pid();
    }

    /** Resident memory of every running process of the cluster, "name RSS MB" each. */
    public String rss() throws IOException {
        StringBuilder b = new StringBuilder();
        for (LocalCluster.Proc p : new LocalCluster(dir).processes()) {
            if (p.alive()) {
                b.append(b.length() == 0 ? "" : ", ").append(p.name()).append(' ')
                        .append(LocalCluster.rssMb(p.pid())).append(" MB");
            }
        }
        return b.toString();
    }

    /** The id of the one job in state {@code state} (e.g. RUNNING), waiting up to {@code timeout}. */
    public String awaitJob(String state, Duration timeout) throws Exception {
        String[] found = new String[1];
        await(() -> {
            try {
                for (JsonNode j : rest().get("/jobs/overview").path("jobs")) {
                    if (j.path("state").asText().equals(state)) {
                        found[0] = j.path("jid").asText();
                        return true;
                    }
                }
            } catch (IOException e) {
                // not yet
            }
            return false;
        }, timeout, "a job in state " + state);
        return found[0];
    }

    /** Waits until job {@code jid} is RUNNING with every task RUNNING. */
    public void awaitAllTasksRunning(String jid, Duration timeout) throws Exception {
        await(() -> {
            try {
                JsonNode j = rest().get("/jobs/" + jid);
                if (!j.path("state").asText().equals("RUNNING")) {
                    return false;
                }
                for (JsonNode v : j.path("vertices")) {
                    if (!v.path("status").asText().equals("RUNNING")) {
                        return false;
                    }
                }
                return true;
            } catch (IOException e) {
                return false;
            }
        }, timeout, "every task of job " + jid + " RUNNING");
    }

    public static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    public static String seconds(long fromNanos) {
        return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - fromNanos) / 1e9);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
