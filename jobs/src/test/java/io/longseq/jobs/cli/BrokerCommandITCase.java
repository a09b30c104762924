package io.longseq.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code longseq broker} in-process on free loopback ports: it formats a new log directory, says it is ready, takes
 * a transactional record that a {@code read_committed} consumer reads back, stops on request (what Ctrl-C does),
 * and starts again on the same directory without formatting it, the record still there.
 */
class BrokerCommandITCase {

    @TempDir
    Path tmp;

    @Test
    void brokerFormatsStartsServesStopsAndRestartsOnItsDirectory() throws Exception {
        int[] ports = freePorts(2);
        Path dir = tmp.resolve("kafka-data");
        String bootstrap = "127.0.0.1:" + ports[0];
        String topic = "broker-command";

        Running first = Running.start(ports, dir);
        assertThat(first.readyLine()).isEqualTo("broker ready on " + bootstrap + " (log dir "
                + dir.toAbsolutePath().normalize() + "); Ctrl-C to stop");
        assertThat(first.err()).contains("Formatting");
        System.out.printf("BrokerCommandITCase: first start (format + start) %.2f s%n", first.startSeconds);
        assertThat(Files.exists(dir.resolve("meta.properties"))).isTrue();

        createTopic(bootstrap, topic);
        Properties tx = new Properties();
        tx.put("bootstrap.servers", bootstrap);
        tx.put("transactional.id", "broker-command-it");
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(tx, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions(); // times out unless the transaction log can live on one broker
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "key", "hello broker"));
            producer.commitTransaction();
        }
        assertThat(read(bootstrap, topic)).containsExactly("hello broker");
        assertThat(first.stop()).isZero();
        assertThat(first.err()).contains("stopped");
        assertFree(ports);

        Running second = Running.start(ports, dir);
        System.out.printf("BrokerCommandITCase: restart on the formatted directory %.2f s%n", second.startSeconds);
        assertThat(second.err()).doesNotContain("Formatting");
        assertThat(read(bootstrap, topic)).containsExactly("hello broker");
        assertThat(second.stop()).isZero();
        assertFree(ports);
    }

    @Test
    void refusesADirectoryThatIsNotAKafkaLogDirectory() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("not-kafka"));
        Files.writeString(dir.resolve("notes.txt"), "mine");
        int[] ports = freePorts(2);
        Buffer out = new Buffer();
        Buffer err = new Buffer();
        CommandLine cl = LongseqCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute("broker", "--port", Integer.toString(ports[0]),
                "--controller-port", Integer.toString(ports[1]), "--dir", dir.toString());
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("neither empty nor a Kafka log directory");
        assertThat(out.toString()).isEmpty();
        assertThat(Files.exists(dir.resolve("meta.properties"))).isFalse();
    }

    /** A port in use is reported before Kafka starts (Kafka itself would halt the JVM on it). */
    @Test
    void portInUseIsReportedWithoutStartingKafka() throws IOException {
        int[] ports = freePorts(2);
        Path dir = tmp.resolve("busy");
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), ports[1]));
            Buffer out = new Buffer();
            Buffer err = new Buffer();
            CommandLine cl = LongseqCli.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            int exit = cl.execute("broker", "--port", Integer.toString(ports[0]),
                    "--controller-port", Integer.toString(ports[1]), "--dir", dir.toString());
            assertThat(exit).isEqualTo(1);
            assertThat(err.toString()).contains("cannot listen on 127.0.0.1:" + ports[1]);
            assertThat(out.toString()).isEmpty();
            assertThat(dir).doesNotExist();
        }
    }

    @Test
    void samePortTwiceIsAUsageError() {
        CommandLine cl = LongseqCli.commandLine();
        cl.setOut(new PrintWriter(new Buffer(), true));
        Buffer err = new Buffer();
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute("broker", "--port", "19092", "--controller-port", "19092",
                "--dir", tmp.resolve("x").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("must differ");
    }

    /** A {@code longseq broker} running on a thread of this JVM. */
    private static final class Running {
        final Buffer out = new Buffer();
        final Buffer err = new Buffer();
        BrokerCommand command;
        CompletableFuture<Integer> exit;
        double startSeconds;

        static Running start(int[] ports, Path dir) throws Exception {
            Running r = new Running();
            CommandLine cl = LongseqCli.commandLine();
            cl.setOut(new PrintWriter(r.out, true));
            cl.setErr(new PrintWriter(r.err, true));
            r.command = (BrokerCommand) cl.getSubcommands().get("broker").getCommand();
            long t0 = System.nanoTime();
            r.exit = CompletableFuture.supplyAsync(() -> cl.execute("broker", "--port", Integer.toString(ports[0]),
                    "--controller-port", Integer.toString(ports[1]), "--dir", dir.toString()));
            long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
            while (!r.out.toString().contains("\n") && !r.exit.isDone() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            r.startSeconds = (System.nanoTime() - t0) / 1e9;
            assertThat(r.out.toString()).as("stdout (stderr: %s)", r.err).contains("broker ready on ");
            return r;
        }

        String readyLine() {
            return out.toString().strip();
        }

        String err() {
            return err.toString();
        }

        int stop() throws Exception {
            command.stop();
            return exit.get(30, TimeUnit.SECONDS);
        }
    }

    private static void createTopic(String bootstrap, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            TopicPartition tp = new TopicPartition(topic, 0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) { // until the partition's leader answers: produce too early and records can be lost
                try {
                    admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get();
                    return;
                } catch (java.util.concurrent.ExecutionException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(25);
                }
            }
        }
    }

    private static List<String> read(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", "broker-command-it-" + UUID.randomUUID());
        p.put("isolation.level", "read_committed");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            // the last stable offset trails a commit until its marker is written: 0 right after commitTransaction
            // on a loaded host; read until the position reaches a non-zero end (the test always wrote a record)
            long end = 0;
            while (System.nanoTime() < deadline && (end == 0 || consumer.position(tp) < end)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                end = consumer.endOffsets(List.of(tp)).get(tp);
            }
        }
        return values;
    }

    /** Distinct ports that are free on 127.0.0.1 right now. */
    static int[] freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket();
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    /** The stopped broker released its ports. */
    private static void assertFree(int[] ports) throws IOException {
        for (int port : ports) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
        }
    }

    /** A thread-safe writer to read what the command printed. */
    private static final class Buffer extends Writer {
        private final StringBuffer sb = new StringBuffer();

        @Override
        public void write(char[] cbuf, int off, int len) {
            sb.append(cbuf, off, len);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}

        @Override
        public String toString() {
            return sb.toString();
        }
    }
}
