package io.longseq.jobs.kafka;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;

/**
 * The Kafka settings of the job, one {@link ConfigOption} each (the {@code run} command offers each as a flag,
 * like {@code LongseqOptions}). Setting {@link #BOOTSTRAP_SERVERS} switches {@code run} to Kafka mode. Any Kafka
 * client property (security.protocol, sasl.*, ssl.*, ...) passes through as {@code longseq.kafka.client.<property>}
 * (the CLI's {@code --kafka-property KEY=VALUE}) or from {@link #PROPERTIES_FILE}; {@link KafkaSettings#describe}
 * masks secrets.
 */
public final class KafkaOptions {

    /** Keys under this prefix are Kafka client properties, passed to every consumer and producer as they are. */
    public static final String CLIENT_PREFIX = "longseq.kafka.client.";

    public static final ConfigOption<String> BOOTSTRAP_SERVERS = key("longseq.kafka.bootstrap-servers").stringType()
            .noDefaultValue().withDescription("Kafka brokers, host:port[,host:port]. Set: read fragments from Kafka and"
                    + " write every output to Kafka (exactly once) instead of files.");
    public static final ConfigOption<String> INPUT_TOPIC = key("longseq.kafka.input-topic").stringType()
            .defaultValue("longseq-fragments").withDescription("Topic of the SequenceFragment records.");
    public static final ConfigOption<String> INPUT_PATTERN = key("longseq.kafka.input-pattern").stringType()
            .noDefaultValue().withDescription("A regular expression of input topics, instead of input-topic.");
    public static final ConfigOption<String> GROUP_ID = key("longseq.kafka.group-id").stringType()
            .defaultValue("longseq").withDescription("Consumer group id (offsets are also kept in checkpoints).");
    public static final ConfigOption<String> STARTING_OFFSETS = key("longseq.kafka.starting-offsets").stringType()
            .defaultValue("committed").withDescription("Where a new job starts reading: committed (the group's"
                    + " offsets, else the earliest), earliest or latest.");
    public static final ConfigOption<Boolean> BOUNDED = key("longseq.kafka.bounded").booleanType().defaultValue(false)
            .withDescription("Stop at the input's latest offsets as of the start (a finite run, for batches and"
                    + " benchmarks).");
    public static final ConfigOption<String> BLOCKS_TOPIC = key("longseq.kafka.blocks-topic").stringType()
            .defaultValue("longseq-blocks").withDescription("Output topic of the BlockContext records.");
    public static final ConfigOption<String> TOKENS_TOPIC = key("longseq.kafka.tokens-topic").stringType()
            .defaultValue("longseq-tokens").withDescription("Output topic of the TokenContext records (token-contexts).");
    public static final ConfigOption<String> DEAD_LETTERS_TOPIC = key("longseq.kafka.dead-letters-topic").stringType()
            .defaultValue("longseq-dead-letters").withDescription("Output topic of the DeadLetter records.");
    public static final ConfigOption<String> NOTICES_TOPIC = key("longseq.kafka.notices-topic").stringType()
            .defaultValue("longseq-notices").withDescription("Output topic of the per-sequence notices (JSON).");
    public static final ConfigOption<String> ALERTS_TOPIC = key("longseq.kafka.alerts-topic").stringType()
            .defaultValue("longseq-alerts").withDescription("Output topic of the novelty alerts (JSON, with"
                    + " alert-threshold).");
    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX = key("longseq.kafka.transactional-id-prefix")
            .stringType().defaultValue("longseq").withDescription("Prefix of the sinks' transactional ids; unique per"
                    + " job on a cluster.");
    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT = key("longseq.kafka.transaction-timeout")
            .durationType().defaultValue(Duration.ofMinutes(10)).withDescription("The sinks' transaction.timeout.ms;"
                    + " must not exceed the broker's transaction.max.timeout.ms (15 min by default) and must outlast a"
                    + " checkpoint interval plus a restart.");
    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = key("longseq.kafka.checkpoint-interval")
            .durationType().defaultValue(Duration.ofSeconds(10)).withDescription("Checkpoint interval in Kafka mode"
                    + " (outputs become visible to read_committed consumers at each checkpoint).");
    public static final ConfigOption<String> PROPERTIES_FILE = key("longseq.kafka.properties-file").stringType()
            .noDefaultValue().withDescription("A Java properties file of Kafka client properties (security.protocol,"
                    + " sasl.*, ssl.*, ...) for every consumer and producer.");

    public static final List<ConfigOption<?>> ALL = List.of(BOOTSTRAP_SERVERS, INPUT_TOPIC, INPUT_PATTERN, GROUP_ID,
            STARTING_OFFSETS, BOUNDED, BLOCKS_TOPIC, TOKENS_TOPIC, DEAD_LETTERS_TOPIC, NOTICES_TOPIC,
            ALERTS_TOPIC, TRANSACTIONAL_ID_PREFIX, TRANSACTION_TIMEOUT, CHECKPOINT_INTERVAL, PROPERTIES_FILE);

    private KafkaOptions() {}
}
