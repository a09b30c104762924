package io.longseq.jobs.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code longseq broker}: a single-node Kafka broker (KRaft, combined broker and controller, the Kafka version
 * of the connector) on 127.0.0.1, to try the Kafka mode on one machine without Docker. The log directory is
 * formatted on first start (what {@code kafka-storage.sh format} does) and kept across runs; Ctrl-C stops the
 * broker cleanly.
 *
 * <p>The broker runs in this JVM from Kafka's server classes. They are not in the job jar: the build declares
 * them {@code provided}, so they land in {@code jobs/target/flink-lib/}, which {@code ./longseq} puts on the class
 * path. This class names no Kafka type in its fields or signatures (the server code is in {@link Server}, loaded
 * only when the command runs), so the CLI still loads where the Kafka server jars are absent, e.g. on a Flink
 * cluster.
 *
 * <p>Settings: one node ({@code node.id=1}) with a static quorum of itself; replication factor 1 and min ISR 1 for
 * the internal topics (transactions, offsets, share-group state), as a single broker needs for transactional
 * (exactly-once) producers; no initial rebalance delay; no automatic topic creation;
 * {@code transaction.max.timeout.ms} at Kafka's default, 900000 (a Flink sink's {@code transaction.timeout.ms} must
 * not exceed it).
 */
@Command(name = BrokerCommand.NAME, mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs a single-node Kafka broker (KRaft, broker and controller in one process) on 127.0.0.1"
                + " for trying the Kafka mode on one machine without Docker. The log directory is formatted on"
                + " first start and reused afterwards. Ctrl-C stops it."},
        footer = {"", "Exit codes: 0 stopped; 1 the broker failed to start; 2 invalid command line."})
public final class BrokerCommand implements Callable<Integer> {

    static final String NAME = "broker";
    static final String HOST = "127.0.0.1";
    static final int NODE_ID = 1;
    static final String READY = "broker ready on ";

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "9092",
            description = "client listener port (bootstrap.servers=127.0.0.1:PORT; default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--controller-port", paramLabel = "PORT", defaultValue = "9093",
            description = "KRaft controller listener port (default: ${DEFAULT-VALUE})")
    int controllerPort;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "./kafka-data",
            description = "log directory: formatted on first start, reused afterwards (default: ${DEFAULT-VALUE})")
    Path dir;

    private volatile CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile CountDownLatch stopped = new CountDownLatch(1);

    /** Asks a running broker to stop, as Ctrl-C does (also a thread interrupt); {@link #call} then returns 0. */
    public void stop() {
        stopRequested.countDown();
    }

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        PrintWriter out = cl.getOut();
        PrintWriter err = cl.getErr();
        for (int p : new int[] {port, controllerPort}) {
            if (p < 1 || p > 65_535) {
                throw new CommandLine.ParameterException(cl, "port out of range: " + p);
            }
        }
        if (port == controllerPort) {
            throw new CommandLine.ParameterException(cl, "--port and --controller-port must differ");
        }
        if (!serverClassesPresent()) {
            err.println("longseq broker: the Kafka server classes are not on the class path. Build with"
                    + " `mvn -B -DskipTests package -pl jobs -am` and start with ./longseq, which adds"
                    + " jobs/target/flink-lib/ (where the build puts them) to the class path.");
            return 1;
        }
        // Checked first: Kafka treats a listener that cannot bind as a fatal fault and halts the JVM.
        for (int p : new int[] {port, controllerPort}) {
            String problem = portProblem(p);
            if (problem != null) {
                err.println("longseq broker: cannot listen on " + HOST + ":" + p + " (" + problem + "); another broker"
                        + " running? Choose other ports with --port and --controller-port.");
                return 1;
            }
        }
        Path logDir = dir.toAbsolutePath().normalize();
        CountDownLatch stopRequested = this.stopRequested;
        CountDownLatch stopped = this.stopped;
        AutoCloseable broker;
        try {
            String problem = checkLogDir(logDir);
            if (problem != null) {
                err.println("longseq broker: " + problem);
                return 1;
            }
            broker = Server.start(settings(logDir), logDir, err);
        } catch (Exception e) {
            err.println("longseq broker: could not start the broker: " + rootMessage(e));
            return 1;
        }

        Thread hook = new Thread(() -> { // Ctrl-C (SIGINT) or SIGTERM
            stopRequested.countDown();
            try {
                stopped.await(60, TimeUnit.SECONDS); // the JVM exits when the hooks return
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "longseq-broker-shutdown");
        boolean hooked = addShutdownHook(hook);
        try {
            out.println(READY + HOST + ":" + port + " (log dir " + logDir + "); Ctrl-C to stop");
            out.flush();
            boolean interrupted = false;
            try {
                stopRequested.await();
            } catch (InterruptedException e) {
                interrupted = true; // treated as a request to stop; the flag is restored once the broker is down
            }
            err.println("longseq broker: stopping");
            err.flush();
            broker.close();
            err.println("longseq broker: stopped");
            err.flush();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return 0;
        } finally {
            stopped.countDown();
            if (hooked) {
                removeShutdownHook(hook);
            }
            // Ready for another run of this instance.
            this.stopRequested = new CountDownLatch(1);
            this.stopped = new CountDownLatch(1);
        }
    }

    /** The broker's configuration (server.properties). */
    Map<String, String> settings(Path logDir) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("process.roles", "broker,controller");
        s.put("node.id", Integer.toString(NODE_ID));
        s.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        s.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        s.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        s.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        s.put("inter.broker.listener.name", "PLAINTEXT");
        s.put("controller.listener.names", "CONTROLLER");
        s.put("log.dirs", logDir.toString());
        s.put("num.partitions", "1");
        s.put("default.replication.factor", "1");
        s.put("offsets.topic.replication.factor", "1");
        s.put("transaction.state.log.replication.factor", "1");
        s.put("transaction.state.log.min.isr", "1");
        s.put("share.coordinator.state.topic.replication.factor", "1");
        s.put("share.coordinator.state.topic.min.isr", "1");
        s.put("group.initial.rebalance.delay.ms", "0");
        s.put("auto.create.topics.enable", "false");
        s.put("transaction.max.timeout.ms", "900000");
        return s;
    }

    /** Null when the directory can be used: absent, empty, or a Kafka log directory already. */
    private static String checkLogDir(Path logDir) throws IOException {
        if (!Files.exists(logDir) || Files.exists(logDir.resolve("meta.properties"))) {
            return null;
        }
        if (!Files.isDirectory(logDir)) {
            return logDir + " is not a directory";
        }
        try (Stream<Path> entries = Files.list(logDir)) {
            if (entries.findAny().isPresent()) {
                return logDir + " is neither empty nor a Kafka log directory (no meta.properties); choose another"
                        + " --dir";
            }
        }
        return null;
    }

    /** Null when a listener could bind HOST:port now (same socket options as Kafka's acceptor). */
    private static String portProblem(int port) {
        try (java.nio.channels.ServerSocketChannel probe = java.nio.channels.ServerSocketChannel.open()) {
            probe.bind(new java.net.InetSocketAddress(HOST, port));
            return null;
        } catch (IOException e) {
            return String.valueOf(e.getMessage());
        }
    }

    private static boolean serverClassesPresent() {
        try {
            Class.forName("kafka.server.KafkaRaftServer", false, BrokerCommand.class.getClassLoader());
            Class.forName("org.apache.kafka.metadata.storage.Formatter", false, BrokerCommand.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static boolean addShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            return true;
        } catch (IllegalStateException e) {
            return false; // already shutting down
        }
    }

    private static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down: the hook is running (Ctrl-C), nothing to remove
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null && !sb.toString().contains(t.getMessage())) {
                sb.append(": ").append(t.getMessage());
            }
        }
        return sb.toString();
    }

    /**
     * The Kafka server code: formats the log directory when new and runs a {@code KafkaRaftServer}, as
     * {@code kafka-storage.sh format} and {@code kafka-server-start.sh} do. Only loaded when the command runs.
     */
    static final class Server implements AutoCloseable {
        private final kafka.server.KafkaRaftServer server;

        private Server(kafka.server.KafkaRaftServer server) {
            this.server = server;
        }

        static Server start(Map<String, String> settings, Path logDir, PrintWriter err) throws Exception {
            Properties props = new Properties();
            props.putAll(settings);
            kafka.server.KafkaConfig config = kafka.server.KafkaConfig.fromProps(props, false);
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                Files.createDirectories(logDir);
                String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
                // What `kafka-storage.sh format --cluster-id ID --config server.properties` runs (StorageTool):
                // meta.properties and the bootstrap checkpoint at the latest production metadata version.
                new org.apache.kafka.metadata.storage.Formatter()
                        .setPrintStream(new PrintStream(new WriterStream(err), true, StandardCharsets.UTF_8))
                        .setNodeId(config.nodeId())
                        .setClusterId(clusterId)
                        .setUnstableFeatureVersionsEnabled(false)
                        .setIgnoreFormatted(false)
                        .setControllerListenerName("CONTROLLER")
                        .setMetadataLogDirectory(logDir.toString())
                        .setDirectories(List.of(logDir.toString()))
                        .run();
            }
            kafka.server.KafkaRaftServer server =
                    new kafka.server.KafkaRaftServer(config, org.apache.kafka.common.utils.Time.SYSTEM);
            try {
                server.startup(); // returns once the broker has caught up with the metadata and is unfenced
            } catch (Throwable e) {
                try {
                    server.shutdown();
                    server.awaitShutdown();
                } catch (Throwable suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            Server started = new Server(server);
            try {
                awaitClients(settings);
            } catch (Exception | Error e) {
                started.close();
                throw e;
            }
            return started;
        }

        /** Returns once a client on the advertised listener sees the broker in the cluster. */
        private static void awaitClients(Map<String, String> settings) throws Exception {
            String bootstrap = settings.get("advertised.listeners").replace("PLAINTEXT://", "");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    Map.<String, Object>of("bootstrap.servers", bootstrap))) {
                Exception last = null;
                while (System.nanoTime() < deadline) {
                    try {
                        if (!admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) {
                            return;
                        }
                    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                        last = e;
                    }
                    Thread.sleep(50);
                }
                throw new IllegalStateException("no client could reach the broker at " + bootstrap, last);
            }
        }

        @Override
        public void close() {
            server.shutdown();
            server.awaitShutdown();
        }
    }

    /** The formatter's notices ("Formatting metadata directory ...") on the command's error writer. */
    private static final class WriterStream extends OutputStream {
        private final PrintWriter writer;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        WriterStream(PrintWriter writer) {
            this.writer = writer;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                writer.println("longseq broker: " + line.toString(StandardCharsets.UTF_8));
                writer.flush();
                line.reset();
            } else {
                line.write(b);
            }
        }
    }
}
