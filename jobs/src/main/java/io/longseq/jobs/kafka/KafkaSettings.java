package io.longseq.jobs.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;

/**
 * The Kafka side of a job, read once from the configuration; immutable and serialisable.
 *
 * @param client Kafka client properties for every consumer and producer (from the properties file, then
 *               {@code longseq.kafka.client.*} keys, which win)
 */
public record KafkaSettings(String bootstrapServers, String inputTopic, String inputPattern, String groupId,
                            String startingOffsets, boolean bounded, String blocksTopic, String tokensTopic,
                            String deadLettersTopic, String noticesTopic, String alertsTopic,
                            String transactionalIdPrefix,
                            Duration transactionTimeout, Duration checkpointInterval, Map<String, String> client)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Property names whose values are never printed. */
    private static final Pattern SECRET = Pattern.compile(
            "(?i).*(password|secret|jaas|token|credential|user\\.info|keystore\\.key|apikey|api\\.key).*");

    public KafkaSettings {
        client = Map.copyOf(client);
        if (!startingOffsets.equals("committed") && !startingOffsets.equals("earliest")
                && !startingOffsets.equals("latest")) {
            throw new IllegalArgumentException("--starting-offsets: '" + startingOffsets
                    + "' is not one of committed, earliest, latest");
        }
        if (transactionTimeout.isZero() || transactionTimeout.isNegative()) {
            throw new IllegalArgumentException("--transaction-timeout must be positive");
        }
        if (checkpointInterval.toMillis() < 10) {
            throw new IllegalArgumentException("--checkpoint-interval must be at least 10 ms");
        }
    }

    /** Kafka mode is on when the bootstrap servers are set. */
    public static boolean enabled(Configuration c) {
        return c.getOptional(KafkaOptions.BOOTSTRAP_SERVERS).isPresent();
    }

    /**
     * Reads the settings of {@code longseq run} in Kafka mode, and refuses a configuration whose output records may
     * not fit the sinks' producers ({@link SinkRecordBounds#requireFit}: a dead letter's {@code dead-letter-bytes}
     * plus its bounded overhead, a block record, a token-context record, a notice, each against
     * {@code max.request.size}).
     *
     * @throws IllegalArgumentException one line naming the option, or IOException text for an unreadable properties
     *                                  file
     */
    public static KafkaSettings from(Configuration c) {
        KafkaSettings k = read(c);
        SinkRecordBounds.of(c).requireFit(k.sinkProducerProperties());
        return k;
    }

    private static KafkaSettings read(Configuration c) {
        Map<String, String> client = new TreeMap<>();
        c.getOptional(KafkaOptions.PROPERTIES_FILE).ifPresent(file -> {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(Path.of(file))) {
                p.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("--properties-file '" + file + "' cannot be read: " + e.getMessage(), e);
            }
            p.stringPropertyNames().forEach(k -> client.put(k, p.getProperty(k)));
        });
        c.toMap().forEach((k, v) -> {
            if (k.startsWith(KafkaOptions.CLIENT_PREFIX)) {
                client.put(k.substring(KafkaOptions.CLIENT_PREFIX.length()), v);
            }
        });
        return new KafkaSettings(c.get(KafkaOptions.BOOTSTRAP_SERVERS), c.get(KafkaOptions.INPUT_TOPIC),
                c.getOptional(KafkaOptions.INPUT_PATTERN).orElse(null), c.get(KafkaOptions.GROUP_ID),
                c.get(KafkaOptions.STARTING_OFFSETS).toLowerCase(Locale.ROOT), c.get(KafkaOptions.BOUNDED),
                c.get(KafkaOptions.BLOCKS_TOPIC), c.get(KafkaOptions.TOKENS_TOPIC),
                c.get(KafkaOptions.DEAD_LETTERS_TOPIC), c.get(KafkaOptions.NOTICES_TOPIC),
                c.get(KafkaOptions.ALERTS_TOPIC), c.get(KafkaOptions.TRANSACTIONAL_ID_PREFIX), c.get(KafkaOptions.TRANSACTION_TIMEOUT),
                c.get(KafkaOptions.CHECKPOINT_INTERVAL), client);
    }

    /**
     * Producer properties the sinks use unless a client property sets them. The sinks are transactional: what they
     * write becomes visible at the next checkpoint, and Flink flushes every producer before it, so a producer may
     * wait up to 100 ms to fill a batch (Kafka's default: 5 ms, 16 KiB) without delaying any output. Fewer, larger
     * requests: over 4M-position jobs at parallelism 2 the producers' threads took 1.7–1.9 % of a core instead of
     * 4.8, and a single-node broker 6.4–6.7 % instead of 10.6–11.1 (docs/benchmarks.md, "Where the Kafka path's
     * extra cost goes").
     */
    public static final Map<String, String> SINK_PRODUCER_DEFAULTS = Map.of("linger.ms", "100", "batch.size", "262144");

    /** The client properties as {@link Properties}, for a consumer or producer. */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.putAll(client);
        return p;
    }

    /** The sinks' producer properties: {@link #SINK_PRODUCER_DEFAULTS}, then the client properties, which win. */
    public Properties sinkProducerProperties() {
        Properties p = new Properties();
        p.putAll(SINK_PRODUCER_DEFAULTS);
        p.putAll(client);
        return p;
    }

    /** A one-line description for logs and the terminal: secrets masked. */
    public String describe() {
        StringBuilder b = new StringBuilder("bootstrap ").append(bootstrapServers).append(", input ")
                .append(inputPattern != null ? "pattern " + inputPattern : "topic " + inputTopic)
                .append(", outputs ").append(blocksTopic).append(' ').append(deadLettersTopic).append(' ')
                .append(noticesTopic);
        if (!client.isEmpty()) {
            b.append(", client properties ").append(masked(client));
        }
        return b.toString();
    }

    /** The properties with every secret value replaced by {@code ******}. */
    public static Map<String, String> masked(Map<String, String> props) {
        Map<String, String> out = new TreeMap<>();
        props.forEach((k, v) -> out.put(k, SECRET.matcher(k).matches() ? "******" : v));
        return out;
    }

    @Override
    public String toString() {
        return "KafkaSettings{" + describe() + "}";
    }
}
