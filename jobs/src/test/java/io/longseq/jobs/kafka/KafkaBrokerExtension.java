package io.longseq.jobs.kafka;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker for integration tests, started once per test class and stopped after it:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
 * ...
 * KAFKA.createTopic("in", 3);
 * new KafkaProducer<>(KAFKA.producerProps(), ...);
 * }</pre>
 *
 * <p>Which broker, in this order:
 * <ol>
 *   <li>{@link Kind#EXTERNAL}: the environment variable (or system property) {@value #BOOTSTRAP_ENV} names one;
 *       nothing is started or stopped.</li>
 *   <li>{@link Kind#TESTCONTAINERS}: {@value #MODE_KEY}{@code =testcontainers} (system property or environment)
 *       asks for it, or Docker answers; image {@value #DEFAULT_IMAGE} (system property {@value #IMAGE_PROPERTY}).
 *       The Docker probe runs only when a Docker endpoint is configured or its socket exists, and is given
 *       {@link #DOCKER_PROBE_TIMEOUT} at most, so a machine without Docker pays next to nothing.</li>
 *   <li>{@link Kind#IN_PROCESS}: a single-node KRaft cluster in this JVM (Kafka's {@code KafkaClusterTestKit},
 *       combined broker+controller, an internal Kafka API), listening on 127.0.0.1 only, at the latest production
 *       metadata version. {@value #MODE_KEY}{@code =in-process} forces it.</li>
 * </ol>
 * Every broker started here runs the single-node settings a transactional (exactly-once) pipeline needs:
 * replication factor 1 and min ISR 1 for the transaction and offsets topics, no initial rebalance delay, no
 * automatic topic creation (create topics with {@link #createTopic}); see {@link #SINGLE_NODE_SETTINGS}.
 * {@code transaction.max.timeout.ms} stays at Kafka's default, 900000.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {

    /** Where the broker comes from. */
    public enum Kind { EXTERNAL, TESTCONTAINERS, IN_PROCESS }

    /** Bootstrap servers of an external broker to use instead of starting one. */
    public static final String BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS";
    /** {@code testcontainers}, {@code in-process} or {@code auto} (the default). */
    public static final String MODE_KEY = "LONGSEQ_KAFKA";
    /** The Docker image of the Testcontainers broker. */
    public static final String IMAGE_PROPERTY = "longseq.kafka.image";
    public static final String DEFAULT_IMAGE = "apache/kafka:4.2.0";
    static final Duration DOCKER_PROBE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration TOPIC_READY_TIMEOUT = Duration.ofSeconds(30);

    /**
     * The settings of every broker started here (as broker properties): what one broker needs, plus 4 instead of
     * 50 partitions for the transaction and offsets topics, which a single node creates several seconds faster on
     * the first transactional producer or consumer group.
     */
    static final Map<String, String> SINGLE_NODE_SETTINGS = Map.of(
            "transaction.state.log.replication.factor", "1",
            "transaction.state.log.min.isr", "1",
            "transaction.state.log.num.partitions", "4",
            "offsets.topic.replication.factor", "1",
            "offsets.topic.num.partitions", "4",
            "share.coordinator.state.topic.replication.factor", "1",
            "share.coordinator.state.topic.min.isr", "1",
            "group.initial.rebalance.delay.ms", "0",
            "auto.create.topics.enable", "false");

    private final Map<String, String> brokerProperties = new LinkedHashMap<>(SINGLE_NODE_SETTINGS);
    private Broker broker;
    private Object owner;
    private Duration startTime = Duration.ZERO;
    private Duration probeTime = Duration.ZERO;

    public KafkaBrokerExtension() {}

    /** One more broker property (in-process and Testcontainers brokers; an external one is as it is). */
    public KafkaBrokerExtension withBrokerProperty(String key, String value) {
        if (broker != null) {
            throw new IllegalStateException("the broker is already running");
        }
        brokerProperties.put(key, value);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (broker != null) {
            return; // a @Nested class of the class that started it
        }
        long t0 = System.nanoTime();
        broker = start();
        startTime = Duration.ofNanos(System.nanoTime() - t0);
        owner = context.getUniqueId();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (broker != null && context.getUniqueId().equals(owner)) {
            Broker b = broker;
            broker = null;
            owner = null;
            b.stop();
        }
    }

    /** host:port[,host:port...] for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return running().bootstrapServers();
    }

    public Kind kind() {
        return running().kind();
    }

    /** Which broker this is, where, and how long it took to start, e.g. for a test's log. */
    public String describe() {
        return running().describe() + String.format(Locale.ROOT, ", started in %.2f s", startTime.toMillis() / 1e3)
                + (probeTime.toMillis() >= 10
                        ? String.format(Locale.ROOT, " (of which %.2f s asking Docker)", probeTime.toMillis() / 1e3)
                        : "");
    }

    /** How long {@link #beforeAll} took to get a usable broker (nearly zero for an external one). */
    public Duration startTime() {
        return startTime;
    }

    /**
     * Creates a topic (the broker's default replication factor) and returns once every partition has a leader that
     * answers {@code ListOffsets}: producing right after a bare {@code createTopics} can hit
     * {@code NotLeaderOrFollowerException} and lose records.
     */
    public void createTopic(String name, int partitions) {
        try (Admin admin = Admin.create(adminProps())) {
            admin.createTopics(List.of(new NewTopic(name, Optional.of(partitions), Optional.empty())))
                    .all().get(TOPIC_READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            awaitUsable(admin, name, partitions);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create topic " + name + " on " + describe(), e);
        }
    }

    private static void awaitUsable(Admin admin, String topic, int partitions)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TOPIC_READY_TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
                if (d.partitions().size() == partitions && d.partitions().stream().allMatch(p -> p.leader() != null)) {
                    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                    d.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
                    admin.listOffsets(latest).all().get();
                    return;
                }
            } catch (ExecutionException e) {
                last = e; // UnknownTopicOrPartition, LeaderNotAvailable, NotLeaderOrFollower: not there yet
            }
            Thread.sleep(25);
        }
        TimeoutException t = new TimeoutException("topic " + topic + " not usable after " + TOPIC_READY_TIMEOUT);
        if (last != null) {
            t.initCause(last);
        }
        throw t;
    }

    /** Admin client properties. */
    public Properties adminProps() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return p;
    }

    /**
     * An idempotent producer's properties ({@code acks=all}), byte-array serializers (pass serializer instances to
     * the constructor for other types). Add {@code transactional.id} for a transactional one.
     */
    public Properties producerProps() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /**
     * A consumer's properties: a fresh group id, from the earliest offset, no auto-commit, byte-array deserializers,
     * and {@code read_committed} or {@code read_uncommitted} isolation.
     */
    public Properties consumerProps(boolean readCommitted) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "longseq-test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                (readCommitted ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED).toString());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    private Broker running() {
        if (broker == null) {
            throw new IllegalStateException("no broker: register the extension as a static @RegisterExtension field"
                    + " and use it inside the test class's lifecycle");
        }
        return broker;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Choosing and starting

    private Broker start() throws Exception {
        String external = setting(BOOTSTRAP_ENV);
        if (external != null) {
            return new External(external);
        }
        String mode = Optional.ofNullable(setting(MODE_KEY)).orElse("auto").toLowerCase(Locale.ROOT);
        switch (mode) {
            case "testcontainers":
                return Containers.start(image(), brokerProperties);
            case "in-process":
            case "inprocess":
            case "embedded":
                return InProcess.start(brokerProperties);
            case "auto":
                long t0 = System.nanoTime();
                boolean docker = dockerAvailable();
                probeTime = Duration.ofNanos(System.nanoTime() - t0);
                return docker ? Containers.start(image(), brokerProperties) : InProcess.start(brokerProperties);
            default:
                throw new IllegalArgumentException(MODE_KEY + "=" + mode + ": expected testcontainers, in-process or auto");
        }
    }

    private static String image() {
        return Optional.ofNullable(System.getProperty(IMAGE_PROPERTY)).orElse(DEFAULT_IMAGE);
    }

    /** System property first, then the environment; blank counts as unset. */
    private static String setting(String key) {
        String v = System.getProperty(key);
        if (v == null || v.isBlank()) {
            v = System.getenv(key);
        }
        return v == null || v.isBlank() ? null : v.trim();
    }

    /**
     * Whether Testcontainers can reach a Docker engine. Asked only when something points at one (DOCKER_HOST, a
     * Testcontainers properties file, or a Docker socket in a usual place), on a daemon thread with a time limit;
     * any failure (including Testcontainers missing from the class path) means no.
     */
    static boolean dockerAvailable() {
        if (!dockerConfigured()) {
            return false;
        }
        ExecutorService probe = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "docker-probe");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<Boolean> answer = probe.submit(Containers::dockerAvailable);
            return answer.get(DOCKER_PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException | RuntimeException | LinkageError e) {
            return false;
        } finally {
            probe.shutdownNow();
        }
    }

    private static boolean dockerConfigured() {
        if (setting("DOCKER_HOST") != null || setting("TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE") != null) {
            return true;
        }
        String home = System.getProperty("user.home", "");
        String runtime = Optional.ofNullable(System.getenv("XDG_RUNTIME_DIR")).orElse("/nonexistent");
        for (Path p : List.of(Paths.get(home, ".testcontainers.properties"), Paths.get("/var/run/docker.sock"),
                Paths.get("/run/docker.sock"), Paths.get(runtime, "docker.sock"),
                Paths.get(home, ".docker", "run", "docker.sock"), Paths.get(home, ".docker", "desktop", "docker.sock"),
                Paths.get(runtime, "podman", "podman.sock"), Paths.get(home, ".colima", "default", "docker.sock"),
                Paths.get(home, ".rd", "docker.sock"))) {
            if (Files.exists(p)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------------------
    // The three kinds. Each lives in its own class so that only the one in use is loaded: without Docker,
    // Testcontainers is never initialised; with an external broker, the Kafka server classes are never loaded.

    private interface Broker {
        String bootstrapServers();

        Kind kind();

        String describe();

        void stop() throws Exception;
    }

    private static final class External implements Broker {
        private final String bootstrap;

        External(String bootstrap) {
            this.bootstrap = bootstrap;
        }

        @Override
        public String bootstrapServers() {
            return bootstrap;
        }

        @Override
        public Kind kind() {
            return Kind.EXTERNAL;
        }

        @Override
        public String describe() {
            return "external broker at " + bootstrap + " (" + BOOTSTRAP_ENV + ")";
        }

        @Override
        public void stop() {}
    }

    private static final class Containers implements Broker {
        private final org.testcontainers.kafka.KafkaContainer container;
        private final String image;

        private Containers(org.testcontainers.kafka.KafkaContainer container, String image) {
            this.container = container;
            this.image = image;
        }

        static boolean dockerAvailable() {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        }

        static Containers start(String image, Map<String, String> brokerProperties) {
            org.testcontainers.kafka.KafkaContainer c = new org.testcontainers.kafka.KafkaContainer(
                    org.testcontainers.utility.DockerImageName.parse(image)
                            .asCompatibleSubstituteFor("apache/kafka"));
            // The apache/kafka image maps KAFKA_FOO_BAR to foo.bar.
            brokerProperties.forEach((k, v) -> c.withEnv("KAFKA_" + k.toUpperCase(Locale.ROOT).replace('.', '_'), v));
            c.start();
            return new Containers(c, image);
        }

        @Override
        public String bootstrapServers() {
            return container.getBootstrapServers();
        }

        @Override
        public Kind kind() {
            return Kind.TESTCONTAINERS;
        }

        @Override
        public String describe() {
            return "Testcontainers Kafka (" + image + ") at " + bootstrapServers();
        }

        @Override
        public void stop() {
            container.stop();
        }
    }

    /**
     * Kafka's own test cluster, one combined broker+controller node. The test kit pre-binds each listener's
     * socket on the wildcard address; here they are pre-bound on the loopback address instead (through its
     * private socket map: an internal API of kafka-test-common-runtime 4.2.0, checked by the ITCase), so nothing
     * listens beyond 127.0.0.1.
     */
    private static final class InProcess implements Broker {
        private final org.apache.kafka.common.test.KafkaClusterTestKit cluster;
        private final String bootstrap;
        private final boolean loopbackOnly;

        private InProcess(org.apache.kafka.common.test.KafkaClusterTestKit cluster, boolean loopbackOnly) {
            this.cluster = cluster;
            this.bootstrap = cluster.bootstrapServers().replace("localhost:", "127.0.0.1:");
            this.loopbackOnly = loopbackOnly;
        }

        static InProcess start(Map<String, String> brokerProperties) throws Exception {
            org.apache.kafka.server.common.MetadataVersion mv =
                    org.apache.kafka.server.common.MetadataVersion.latestProduction();
            Map<String, Short> features = org.apache.kafka.server.common.Feature.PRODUCTION_FEATURES.stream()
                    .collect(Collectors.toMap(org.apache.kafka.server.common.Feature::featureName,
                            f -> f.defaultLevel(mv)));
            org.apache.kafka.common.test.TestKitNodes nodes = new org.apache.kafka.common.test.TestKitNodes.Builder(
                    org.apache.kafka.metadata.bootstrap.BootstrapMetadata.fromVersions(mv, features, "longseq-test"))
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build();
            String brokerListener = nodes.brokerListenerName().value();
            String controllerListener = nodes.controllerListenerName().value();
            org.apache.kafka.common.test.KafkaClusterTestKit.Builder builder =
                    new org.apache.kafka.common.test.KafkaClusterTestKit.Builder(nodes)
                            .setConfigProp("listeners",
                                    brokerListener + "://127.0.0.1:0," + controllerListener + "://127.0.0.1:0")
                            // A broker as released, not the test kit's preview of unreleased features.
                            .setConfigProp("unstable.api.versions.enable", "false")
                            .setConfigProp("unstable.feature.versions.enable", "false");
            brokerProperties.forEach(builder::setConfigProp);
            boolean loopbackOnly = prebindOnLoopback(builder, nodes, brokerListener, controllerListener);
            org.apache.kafka.common.test.KafkaClusterTestKit cluster = builder.build();
            try {
                cluster.format();
                cluster.startup();
                cluster.waitForReadyBrokers();
                return new InProcess(cluster, loopbackOnly);
            } catch (Exception | Error e) {
                try {
                    cluster.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }

        @SuppressWarnings("unchecked")
        private static boolean prebindOnLoopback(Object builder, org.apache.kafka.common.test.TestKitNodes nodes,
                String brokerListener, String controllerListener) throws IOException {
            Object manager;
            Map<Integer, Map<String, ServerSocketChannel>> sockets;
            try {
                manager = field(builder, "socketFactoryManager");
                sockets = (Map<Integer, Map<String, ServerSocketChannel>>) field(manager, "sockets");
            } catch (ReflectiveOperationException | RuntimeException e) {
                return false; // another kit version: its own (wildcard) binding stays
            }
            synchronized (manager) {
                for (int id : nodes.controllerNodes().keySet()) {
                    sockets.computeIfAbsent(id, k -> new HashMap<>()).put(controllerListener, loopbackSocket());
                }
                for (int id : nodes.brokerNodes().keySet()) {
                    sockets.computeIfAbsent(id, k -> new HashMap<>()).put(brokerListener, loopbackSocket());
                }
            }
            return true;
        }

        private static ServerSocketChannel loopbackSocket() throws IOException {
            ServerSocketChannel channel = ServerSocketChannel.open();
            channel.configureBlocking(false);
            channel.socket().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return channel;
        }

        private static Object field(Object target, String name) throws ReflectiveOperationException {
            Field f = target.getClass().getDeclaredField(name);
            f.setAccessible(true);
            return f.get(target);
        }

        @Override
        public String bootstrapServers() {
            return bootstrap;
        }

        @Override
        public Kind kind() {
            return Kind.IN_PROCESS;
        }

        @Override
        public String describe() {
            return "in-process KRaft broker (KafkaClusterTestKit, combined broker+controller, "
                    + org.apache.kafka.common.utils.AppInfoParser.getVersion() + ") at " + bootstrap
                    + (loopbackOnly ? ", loopback only" : ", listening on all addresses (socket pre-binding failed)");
        }

        @Override
        public void stop() throws Exception {
            cluster.close();
        }
    }
}
