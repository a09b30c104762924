package io.longseq.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link KafkaBrokerExtension} gives a broker that keeps Kafka's guarantees: idempotent writes, per-partition
 * order, and transactions whose aborted records only a {@code read_uncommitted} reader sees.
 */
class KafkaBrokerExtensionITCase {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);

    @BeforeAll
    static void report() {
        System.out.println("KafkaBrokerExtensionITCase broker: " + KAFKA.describe());
    }

    @Test
    void idempotentProducerToReadCommittedConsumerKeepsEveryRecordInPartitionOrder() throws Exception {
        String topic = "numbers-" + UUID.randomUUID(); // unique: an external broker may be reused
        KAFKA.createTopic(topic, 3);

        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(KAFKA.producerProps(), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 1_000; i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, i % 3, "k" + i, Integer.toString(i))));
            }
            producer.flush();
        }
        for (Future<RecordMetadata> ack : acks) {
            assertThat(ack.get().offset()).isGreaterThanOrEqualTo(0);
        }

        List<ConsumerRecord<String, String>> records = readAll(topic, true, 1_000);

        assertThat(records).hasSize(1_000);
        assertThat(records).extracting(r -> Integer.parseInt(r.value()))
                .containsExactlyInAnyOrderElementsOf(range(1_000));
        Map<Integer, List<Integer>> byPartition = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            assertThat(Integer.parseInt(r.value()) % 3).as("partition of %s", r.value()).isEqualTo(r.partition());
            byPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(Integer.parseInt(r.value()));
        }
        assertThat(byPartition).hasSize(3);
        byPartition.values().forEach(values -> assertThat(values).isSorted().doesNotHaveDuplicates());
    }

    @Test
    void abortedTransactionIsInvisibleToReadCommittedAndVisibleToReadUncommitted() throws Exception {
        String topic = "transactions-" + UUID.randomUUID();
        KAFKA.createTopic(topic, 1);

        Properties props = KAFKA.producerProps();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "longseq-test-tx-" + UUID.randomUUID());
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "a", "committed-1"));
            producer.commitTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "b", "aborted-1"));
            producer.send(new ProducerRecord<>(topic, "b", "aborted-2"));
            producer.flush(); // on the broker's log, not just in the producer's buffer
            producer.abortTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "c", "committed-2"));
            producer.commitTransaction();
        }

        assertThat(readAll(topic, true, 2)).extracting(ConsumerRecord::value)
                .containsExactly("committed-1", "committed-2");
        assertThat(readAll(topic, false, 4)).extracting(ConsumerRecord::value)
                .containsExactly("committed-1", "aborted-1", "aborted-2", "committed-2");
    }

    /** The in-process broker listens on the loopback address only (its test kit would bind the wildcard). */
    @Test
    void inProcessBrokerListensOnLoopbackOnly() throws IOException {
        Assumptions.assumeTrue(KAFKA.kind() == KafkaBrokerExtension.Kind.IN_PROCESS, "in-process broker only");
        Path tcp = Path.of("/proc/net/tcp");
        Assumptions.assumeTrue(Files.isReadable(tcp), "needs Linux /proc/net/tcp");
        int port = Integer.parseInt(KAFKA.bootstrapServers().substring(KAFKA.bootstrapServers().lastIndexOf(':') + 1));
        assertThat(KAFKA.bootstrapServers()).startsWith("127.0.0.1:");
        assertThat(KAFKA.describe()).contains("loopback only");

        List<String> listening = new ArrayList<>();
        for (Path table : List.of(tcp, Path.of("/proc/net/tcp6"))) {
            if (!Files.isReadable(table)) {
                continue;
            }
            for (String line : Files.readAllLines(table).subList(1, Files.readAllLines(table).size())) {
                String[] f = line.trim().split("\\s+");
                String local = f[1];
                int localPort = Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
                if ("0A".equals(f[3]) && localPort == port) { // 0A = LISTEN
                    listening.add(local.substring(0, local.indexOf(':')));
                }
            }
        }
        // 127.0.0.1 in little-endian hex, IPv4 or IPv4-mapped IPv6 (a dual-stack socket); a wildcard listener
        // would show 00000000 or all zeros.
        assertThat(listening).isNotEmpty().allMatch(
                a -> a.equals("0100007F") || a.equals("0000000000000000FFFF00000100007F"), "127.0.0.1");
    }

    private static List<ConsumerRecord<String, String>> readAll(String topic, boolean readCommitted, int expected) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(KAFKA.consumerProps(readCommitted),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic)) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            // Read to the end offsets (the last stable offsets for read_committed), then a little further to be
            // sure nothing more arrives.
            while (System.nanoTime() < deadline
                    && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        assertThat(out).as("records read from %s", topic).hasSize(expected);
        return out;
    }

    private static List<Integer> range(int n) {
        List<Integer> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(i);
        }
        return l;
    }
}
