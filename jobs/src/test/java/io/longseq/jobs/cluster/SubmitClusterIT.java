package io.longseq.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job on a real multi-process cluster ({@code ./longseq cluster start}: a JobManager and 2 TaskManagers of 1 slot,
 * separate JVMs from the packaged jars), submitted three ways: {@code ./longseq run --jobmanager} in file mode, whose
 * blocks.jsonl must be byte-identical to {@code ./longseq offline}; Flink's REST API with the jar's own entry class
 * (what the web UI does), which must run to FINISHED and leave the JobManager running; and a job that lands on a
 * TaskManager without the Vector API kernels, which must fail with one line naming the flag, and an ERROR in that
 * TaskManager's log.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SubmitClusterIT {

    @RegisterExtension
    static final ClusterProcesses CLUSTER = new ClusterProcesses("submit");

    private static Path lambda;
    private static List<String> offline;
    private static byte[] offlineBytes;
    private static long jobManagerPid;
    private static int metricsPort;

    @BeforeAll
    static void clusterAndOfflineBaseline() throws Exception {
        long t0 = System.nanoTime();
        lambda = CLUSTER.root().resolve("examples/lambda_virus.fa.gz");
        metricsPort = freeMetricsPorts();
        ClusterProcesses.Result started = CLUSTER.start("--taskmanagers", "2", "--slots", "1", "--metrics-port",
                String.valueOf(metricsPort));
        jobManagerPid = CLUSTER.process("jobmanager").pid();
        report("cluster start: " + ClusterProcesses.seconds(t0) + "; " + CLUSTER.rss());
        assertThat(started.out()).contains("2 TaskManagers, 2 slots (2 free)", "web UI and REST http://"
                + CLUSTER.endpoint());
        long t1 = System.nanoTime();
        Path out = CLUSTER.work().resolve("offline");
        ClusterProcesses.Result r = CLUSTER.run(Duration.ofSeconds(120), "offline", lambda.toString(), "--out",
                out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        offline = Files.readAllLines(out.resolve("blocks.jsonl"));
        offlineBytes = Files.readAllBytes(out.resolve("blocks.jsonl"));
        assertThat(offline).hasSize(190);
        report("offline baseline: " + ClusterProcesses.seconds(t1));
    }

    @Test
    @Order(1)
    void statusShowsTheProcessesTheTaskManagersAndTheirMemory() throws Exception {
        ClusterProcesses.Result s = CLUSTER.run(Duration.ofSeconds(60), "cluster", "status", "--dir",
                CLUSTER.dir().toString());
        assertThat(s.code()).as(s.err()).isZero();
        assertThat(s.out()).contains("jobmanager      pid " + jobManagerPid, "taskmanager-1", "taskmanager-2",
                "running, RSS", "Flink 2.2.1, 2 TaskManagers, 2 slots");
    }

    @Test
    @Order(2)
    void fileModeOnTheClusterIsByteIdenticalToOffline() throws Exception {
        long t0 = System.nanoTime();
        Path out = CLUSTER.work().resolve("run");
        ClusterProcesses.Result r = CLUSTER.run(Duration.ofSeconds(180), "run", "--jobmanager", CLUSTER.endpoint(),
                lambda.toString(), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("parallelism 2");
        assertThat(r.out()).contains("sequences: 1, 48,502 positions in 190 blocks");
        assertThat(Files.readAllBytes(out.resolve("blocks.jsonl")))
                .as("blocks.jsonl of run --jobmanager vs offline").isEqualTo(offlineBytes);
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".parts-"));
        }
        report("run --jobmanager (file mode, lambda, parallelism 2 over 2 TaskManagers): blocks.jsonl byte-identical to"
                + " offline (190 blocks); " + ClusterProcesses.seconds(t0) + " wall; " + CLUSTER.rss());
    }

    @Test
    @Order(3)
    void aRestSubmissionWithTheJarsOwnEntryRunsToFinishedAndTheJobManagerStays() throws Exception {
        long t0 = System.nanoTime();
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://" + CLUSTER.endpoint();
        String boundary = "longseq-" + UUID.randomUUID();
        Path jar = CLUSTER.root().resolve("jobs/target/longseq.jar");
        HttpRequest upload = HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(
                        HttpRequest.BodyPublishers.ofString("--" + boundary + "\r\nContent-Disposition: form-data;"
                                + " name=\"jarfile\"; filename=\"longseq.jar\"\r\nContent-Type:"
                                + " application/x-java-archive\r\n\r\n"),
                        HttpRequest.BodyPublishers.ofFile(jar),
                        HttpRequest.BodyPublishers.ofString("\r\n--" + boundary + "--\r\n")))
                .build();
        HttpResponse<String> up = http.send(upload, HttpResponse.BodyHandlers.ofString());
        assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
        String jarId = Path.of(ClusterRest.json().readTree(up.body()).path("filename").asText()).getFileName()
                .toString();
        JsonNode jars = CLUSTER.rest().get("/jars");
        List<String> entries = new ArrayList<>();
        for (JsonNode f : jars.path("files")) {
            if (f.path("id").asText().equals(jarId)) {
                f.path("entry").forEach(e -> entries.add(e.path("name").asText()));
            }
        }
        assertThat(entries).as("the entry class the web UI offers").containsExactly(ClusterEntry.class.getName());

        Path out = CLUSTER.work().resolve("rest");
        String body = ClusterRest.json().writeValueAsString(java.util.Map.of("programArgsList",
                List.of(lambda.toString(), "--out", out.toString(), "--parallelism", "2")));
        HttpResponse<String> run = http.send(HttpRequest.newBuilder(URI.create(base + "/jars/" + jarId + "/run"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
        String jid = ClusterRest.json().readTree(run.body()).path("jobid").asText();
        String[] state = new String[1];
        ClusterProcesses.await(() -> {
            try {
                state[0] = CLUSTER.rest().get("/jobs/" + jid).path("state").asText();
            } catch (IOException e) {
                state[0] = "no answer: " + e.getMessage();
            }
            return List.of("FINISHED", "FAILED", "CANCELED").contains(state[0]) || state[0].startsWith("no answer");
        }, Duration.ofSeconds(150), "job " + jid + " to end");
        assertThat(state[0]).as("the REST-submitted job").isEqualTo("FINISHED");
        assertThat(CLUSTER.process("jobmanager").pid()).as("the JobManager survived").isEqualTo(jobManagerPid);
        assertThat(CLUSTER.rest().overview().path("taskmanagers").asInt()).isEqualTo(2);

        List<String> lines = new ArrayList<>();
        try (Stream<Path> parts = Files.walk(out)) {
            for (Path p : parts.filter(p -> p.getFileName().toString().matches("blocks-\\d+\\.jsonl")).toList()) {
                lines.addAll(Files.readAllLines(p));
            }
        }
        assertThat(lines).as("the part files of the REST run, in any order, are offline's lines")
                .containsExactlyInAnyOrderElementsOf(offline);
        http.send(HttpRequest.newBuilder(URI.create(base + "/jars/" + jarId)).DELETE().build(),
                HttpResponse.BodyHandlers.discarding());
        // two jobs ran on these TaskManagers: ND4J's natives were loaded once per TaskManager, from nd4j-lib/
        // (parent-first), not once per job from the job jar's blob (which leaked ~450 MB of natives per job)
        List<String> natives = new ArrayList<>();
        for (String tm : List.of("taskmanager-1", "taskmanager-2")) {
            List<String> loaded = Files.readAllLines(Path.of("/proc", Long.toString(CLUSTER.process(tm).pid()),
                    "maps")).stream().filter(l -> l.endsWith("/libnd4jcpu.so")).map(l -> l.substring(l.indexOf('/')))
                    .distinct().toList();
            assertThat(loaded).as(tm + ": the libnd4jcpu.so files it mapped").hasSize(1);
            assertThat(loaded.get(0)).as(tm).contains("/nd4j-native-").doesNotContain("blob_");
            natives.add(tm + " " + loaded.get(0));
        }
        report("REST /jars/upload + /jars/:id/run with the manifest entry " + ClusterEntry.class.getSimpleName()
                + ": FINISHED, JobManager pid " + jobManagerPid + " still running, 190 blocks in part files equal to"
                + " offline's; after 2 jobs each TaskManager mapped one libnd4jcpu.so, " + natives + "; "
                + ClusterProcesses.seconds(t0));
    }

    @Test
    @Order(4)
    void aTaskManagerWithoutTheVectorKernelsIsRefusedLoudly() throws Exception {
        long t0 = System.nanoTime();
        // a third TaskManager, in its own directory, joins the cluster with the scalar kernels
        List<String> args = new ArrayList<>(List.of("cluster", "taskmanager"));
        List<String> opts = new ArrayList<>(CLUSTER.clusterOptions());
        opts.set(opts.indexOf("--dir") + 1, CLUSTER.work().resolve("scalar-tm").toString());
        args.addAll(opts);
        args.addAll(List.of("-D", "env.java.opts.taskmanager=-Dlongseq.vector=false"));
        Process tm = CLUSTER.launch("scalar-tm", args.toArray(String[]::new));
        ClusterProcesses.await(() -> {
            try {
                return CLUSTER.rest().overview().path("taskmanagers").asInt() == 3;
            } catch (IOException e) {
                return false;
            }
        }, Duration.ofSeconds(90), "the third TaskManager");

        Path out = CLUSTER.work().resolve("mismatch");
        ClusterProcesses.Result r = CLUSTER.run(Duration.ofSeconds(180), "run", "--jobmanager", CLUSTER.endpoint(),
                lambda.toString(), "--out", out.toString(), "--parallelism", "3");
        tm.destroy();
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        List<String> failure = r.err().lines().filter(l -> l.contains("the job failed")).toList();
        assertThat(failure).hasSize(1);
        assertThat(failure.get(0)).contains("kernel mismatch", "planned with the vector-", "scalar",
                "--add-modules jdk.incubator.vector");
        ClusterProcesses.await(() -> {
            try {
                return CLUSTER.read("scalar-tm", "out").lines()
                        .anyMatch(l -> l.contains("ERROR") && l.contains("kernel mismatch"));
            } catch (IOException e) {
                return false;
            }
        }, Duration.ofSeconds(10), "the ERROR line in the scalar TaskManager's log");
        assertThat(tm.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).as("the scalar TaskManager stops").isTrue();
        report("a TaskManager started with -Dlongseq.vector=false (scalar kernels): the job failed with '"
                + failure.get(0).substring(0, Math.min(160, failure.get(0).length())) + "...', an ERROR line in that"
                + " TaskManager's log; " + ClusterProcesses.seconds(t0));
    }

    @Test
    @Order(5)
    void everyProcessServesPrometheusOnLoopbackWithTheJobsLongseqMetrics() throws Exception {
        long t0 = System.nanoTime();
        HttpClient http = HttpClient.newHttpClient();
        for (int port = metricsPort; port <= metricsPort + 2; port++) {
            assertThat(listeners(port)).as("the listening sockets of port " + port + " (JobManager, TaskManager 1, 2)")
                    .containsExactly("127.0.0.1");
        }
        assertThat(scrape(http, metricsPort)).as("the JobManager's /metrics").contains("flink_jobmanager_numRegisteredTaskManagers");
        Process run = CLUSTER.launch("metrics-run", "run", "--jobmanager", CLUSTER.endpoint(), lambda.toString(),
                "--out", CLUSTER.work().resolve("metrics-run").toString());
        int tm1 = metricsPort + 1;
        List<String> found = new ArrayList<>();
        ClusterProcesses.await(() -> {
            String text;
            try {
                text = scrape(http, tm1) + scrape(http, tm1 + 1);
            } catch (Exception e) {
                return !run.isAlive();
            }
            found.clear();
            text.lines().filter(l -> l.startsWith("flink_taskmanager_job_task_operator_longseq_blocksOut{")
                    || l.startsWith("flink_taskmanager_job_task_operator_longseq_kernel_info{")).forEach(found::add);
            return found.stream().anyMatch(l -> l.contains("longseq_blocksOut{"))
                    && found.stream().anyMatch(l -> l.contains("longseq_kernel_info{")) || !run.isAlive();
        }, Duration.ofSeconds(150), "longseq metrics on the TaskManagers' /metrics");
        assertThat(run.waitFor(180, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(CLUSTER.read("metrics-run", "err")).isZero();
        assertThat(found).as("longseq lines scraped from the TaskManagers while the job ran")
                .anyMatch(l -> l.contains("longseq_blocksOut{") && l.contains("job_name=\"longseq run lambda_virus.fa.gz\"")
                        && l.contains("operator_name=\"global-context\""))
                .anyMatch(l -> l.contains("longseq_kernel_info{kernel=\"vector-"));
        report("Prometheus on 127.0.0.1:" + metricsPort + "-" + (metricsPort + 2) + " (JobManager, TaskManagers),"
                + " bound to 127.0.0.1 only; scraped while run --jobmanager ran: "
                + found.stream().map(l -> l.replaceAll("task_attempt_id=\"[^\"]*\",", "")).toList() + "; "
                + ClusterProcesses.seconds(t0));
    }

    private static String scrape(HttpClient http, int port) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The local addresses of the sockets listening on {@code port} (from /proc/net/tcp and tcp6). */
    private static List<String> listeners(int port) throws IOException {
        List<String> addresses = new ArrayList<>();
        String hexPort = String.format(":%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[3].equals("0A") && f[1].endsWith(hexPort)) {
                    addresses.add(address(f[1].substring(0, f[1].indexOf(':'))));
                }
            }
        }
        return addresses;
    }

    // /proc/net's little-endian hex: 0100007F is 127.0.0.1; tcp6 ...FFFF0000 0100007F is ::ffff:127.0.0.1
    private static String address(String hex) {
        String v4 = hex.length() == 8 ? hex
                : hex.startsWith("0000000000000000FFFF0000") ? hex.substring(24) : null;
        if (v4 == null) {
            return "[" + hex + "]";
        }
        int[] b = new int[4];
        for (int i = 0; i < 4; i++) {
            b[3 - i] = Integer.parseInt(v4.substring(2 * i, 2 * i + 2), 16);
        }
        return b[0] + "." + b[1] + "." + b[2] + "." + b[3];
    }

    /** A port p with p, p+1 and p+2 free on loopback (the JobManager's and two TaskManagers' /metrics). */
    private static int freeMetricsPorts() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int p = ClusterProcesses.freePort();
            if (p + 2 <= 65_535 && free(p + 1) && free(p + 2)) {
                return p;
            }
        }
        throw new IllegalStateException("no three consecutive free ports");
    }

    private static boolean free(int port) {
        try (java.net.ServerSocket s = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void report(String line) {
        System.out.println("[SubmitClusterIT] " + line);
        System.out.flush();
    }
}
