package io.longseq.jobs;

import io.longseq.jobs.input.FragmentFileFormat;
import io.longseq.jobs.kafka.AlertSerializer;
import io.longseq.jobs.kafka.AvroRecords;
import io.longseq.jobs.kafka.DeadLetterSerializer;
import io.longseq.jobs.kafka.FragmentDeserializer;
import io.longseq.jobs.kafka.KafkaSettings;
import io.longseq.jobs.kafka.KeyedAvroSerializer;
import io.longseq.jobs.kafka.NoticeSerializer;
import io.longseq.jobs.kafka.SinkRecordBounds;
import io.longseq.jobs.output.JsonLines;
import io.longseq.jobs.output.JsonLinesSink;
import io.longseq.jobs.output.ProgressFunction;
import io.longseq.jobs.output.RunOutputs;
import io.longseq.stream.DeadLetter;
import io.longseq.stream.Notice;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.StreamTypes;
import io.longseq.stream.assemble.AssembleOperator;
import io.longseq.stream.assemble.Chunk;
import io.longseq.stream.global.BlockContext;
import io.longseq.stream.global.GlobalContextOperator;
import io.longseq.stream.global.TokenContext;
import io.longseq.stream.input.SequenceFragment;
import io.longseq.stream.input.TokenFragment;
import io.longseq.stream.input.ValidateFunction;
import io.longseq.stream.local.ChunkSummary;
import io.longseq.stream.local.LocalAttentionFunction;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The streaming job (docs/design.md 3): {@link #build} turns a stream of fragments into the output streams, so tests
 * can feed it anything; {@link #fromFiles}/{@link #toFiles} and {@link #fromKafka}/{@link #toKafka} are the
 * sources and sinks of {@code longseq run}; {@link #environment} is the one place an execution environment is
 * made. No logic lives
 * here: the operators delegate to {@code io.longseq.stream}, which delegates to the math.
 *
 * <pre>
 * fragments ─► validate ─► keyBy(seq) assemble ─► rebalance local-attention ─► keyBy(seq) global-context ─► blocks
 *                 │ DLQ        │ DLQ, notices                                            │ token contexts
 * </pre>
 */
public final class LongseqJob {

    /** The output streams of the job. */
    public record Outputs(DataStream<BlockContext> blocks, DataStream<TokenContext> tokens,
                          DataStream<DeadLetter> deadLetters, DataStream<Notice> notices) {}

    private LongseqJob() {}

    /**
     * The job's settings on top of {@code conf}: generic types (Kryo) off, so a record type that is no POJO fails at
     * job build time instead of falling back to Kryo (docs/platform-notes.md: a silent data-loss trap), and the
     * kernels this JVM runs claimed for every task to check ({@link KernelClaim}).
     */
    public static Configuration configure(Configuration conf) {
        Configuration c = new Configuration(conf);
        c.set(PipelineOptions.GENERIC_TYPES, false);
        KernelClaim.claim(c);
        return c;
    }

    /** An environment for the job in this JVM (or the one a Flink client provides): {@link #configure}d. */
    public static StreamExecutionEnvironment environment(Configuration conf) {
        return StreamExecutionEnvironment.getExecutionEnvironment(configure(conf));
    }

    /** The pipeline from fragments to outputs. */
    public static Outputs build(DataStream<SequenceFragment> fragments, StreamSettings settings) {
        return build(fragments, settings, UnaryOperator.identity());
    }

    /**
     * As {@link #build(DataStream, StreamSettings)}, with {@code chunkTap} applied to the chunks between
     * {@code assemble} and {@code local-attention}: tests inject failures or observe chunks there.
     */
    public static Outputs build(DataStream<SequenceFragment> fragments, StreamSettings settings,
                                UnaryOperator<DataStream<Chunk>> chunkTap) {
        SingleOutputStreamOperator<TokenFragment> valid = fragments
                .process(new ValidateFunction(settings), StreamTypes.TOKEN_FRAGMENT)
                .name("validate").uid("validate");
        if (fragments.getParallelism() > 0) {
            valid.setParallelism(fragments.getParallelism()); // chained to the source: keeps each file's order
        }
        SingleOutputStreamOperator<Chunk> chunks = valid
                .keyBy(f -> f.sequenceId, Types.STRING)
                .transform("assemble", StreamTypes.CHUNK, new AssembleOperator(settings)) // + max-tombstones
                .uid("assemble");
        SingleOutputStreamOperator<ChunkSummary> summaries = chunkTap.apply(chunks)
                .rebalance()
                .map(new LocalAttentionFunction(settings), StreamTypes.CHUNK_SUMMARY)
                .name("local-attention").uid("local-attention");
        SingleOutputStreamOperator<BlockContext> blocks = summaries
                .keyBy(s -> s.sequenceId, Types.STRING)
                .transform("global-context", StreamTypes.BLOCK_CONTEXT, new GlobalContextOperator(settings)) // + gauges
                .uid("global-context");
        DataStream<DeadLetter> dead = valid.getSideOutput(StreamTypes.DEAD_LETTERS)
                .union(chunks.getSideOutput(StreamTypes.DEAD_LETTERS));
        DataStream<Notice> notices = chunks.getSideOutput(StreamTypes.NOTICES)
                .union(blocks.getSideOutput(StreamTypes.NOTICES)); // global-context gives sequences up too
        return new Outputs(blocks, blocks.getSideOutput(StreamTypes.TOKEN_CONTEXTS), dead, notices);
    }

    /** Fragments of the files, read in order by one source subtask (a file is never split). */
    public static DataStream<SequenceFragment> fromFiles(StreamExecutionEnvironment env, List<Path> files,
                                                         StreamSettings settings, int fragmentSize) {
        org.apache.flink.core.fs.Path[] paths = files.stream()
                .map(p -> new org.apache.flink.core.fs.Path(p.toAbsolutePath().toUri()))
                .toArray(org.apache.flink.core.fs.Path[]::new);
        FileSource<SequenceFragment> source = FileSource
                .forBulkFileFormat(new FragmentFileFormat(settings, fragmentSize), paths)
                .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "files", StreamTypes.FRAGMENT)
                .uid("files").setParallelism(1);
    }

    /** JSON-lines sinks under {@code partsDir}, one file per record type and subtask; returns the progress run id. */
    public static void toFiles(Outputs o, Path partsDir, StreamSettings settings, String runId) {
        int d = settings.model().dModel();
        o.blocks().map(new ProgressFunction(runId), StreamTypes.BLOCK_CONTEXT).name("progress").uid("progress")
                .sinkTo(new JsonLinesSink<>(partsDir, RunOutputs.BLOCKS, JsonLines::block))
                .name("blocks-file").uid("blocks-file");
        StreamLimits limits = settings.limits();
        o.deadLetters().sinkTo(new JsonLinesSink<DeadLetter>(partsDir, RunOutputs.DEAD_LETTERS,
                        x -> JsonLines.deadLetter(x.bounded(limits))))
                .name("dead-letters-file").uid("dead-letters-file").setParallelism(1);
        o.notices().sinkTo(new JsonLinesSink<>(partsDir, RunOutputs.NOTICES, JsonLines::notice))
                .name("notices-file").uid("notices-file").setParallelism(1);
        if (settings.tokenContexts()) {
            o.tokens().sinkTo(new JsonLinesSink<>(partsDir, RunOutputs.TOKENS, t -> JsonLines.tokens(t, d)))
                    .name("tokens-file").uid("tokens-file");
        }
        if (settings.alerts()) {
            alerts(o.blocks(), settings.alertThreshold())
                    .sinkTo(new JsonLinesSink<BlockContext>(partsDir, RunOutputs.ALERTS, JsonLines::alert))
                    .name("alerts-file").uid("alerts-file");
        }
    }

    /** The blocks whose novelty is at least {@code threshold} (docs/outputs.md). */
    public static DataStream<BlockContext> alerts(DataStream<BlockContext> blocks, double threshold) {
        return blocks.filter(b -> b.novelty >= threshold).name("alerts").uid("alerts");
    }

    /**
     * Fragments from Kafka: the input topic (or pattern), offsets in checkpoints, undecodable records turned into
     * dead-letter candidates ({@link FragmentDeserializer}). Runs at the job's parallelism; a sequence is in one
     * partition (key = sequence id), so its order is the partition's.
     */
    public static DataStream<SequenceFragment> fromKafka(StreamExecutionEnvironment env, KafkaSettings k) {
        KafkaSourceBuilder<SequenceFragment> b = KafkaSource.<SequenceFragment>builder()
                .setBootstrapServers(k.bootstrapServers())
                .setGroupId(k.groupId())
                .setDeserializer(new FragmentDeserializer())
                .setProperties(k.clientProperties())
                .setProperty("isolation.level", "read_committed")
                .setStartingOffsets(switch (k.startingOffsets()) {
                    case "earliest" -> OffsetsInitializer.earliest();
                    case "latest" -> OffsetsInitializer.latest();
                    default -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                });
        if (k.inputPattern() != null) {
            b.setTopicPattern(java.util.regex.Pattern.compile(k.inputPattern()));
        } else {
            b.setTopics(k.inputTopic());
        }
        if (k.bounded()) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return env.fromSource(b.build(), WatermarkStrategy.noWatermarks(), "kafka-source", StreamTypes.FRAGMENT)
                .uid("kafka-source");
    }

    /**
     * Every output to its Kafka topic, EXACTLY_ONCE (transactions committed on checkpoints; consumers read with
     * read_committed), key = sequence id. Each sink has its own transactional id prefix; its producer batches
     * longer than Kafka's default ({@link KafkaSettings#SINK_PRODUCER_DEFAULTS}). Dead letters are bounded by the
     * settings' limits ({@link DeadLetterSerializer}).
     *
     * @throws IllegalArgumentException if a record may not fit the producers' max.request.size
     *                                  ({@link SinkRecordBounds#requireFit}; {@code run} checks it when it reads the
     *                                  options)
     */
    public static void toKafka(Outputs o, KafkaSettings k, StreamSettings settings, String runId) {
        SinkRecordBounds.of(settings).requireFit(k.sinkProducerProperties());
        int d = settings.model().dModel();
        o.blocks().map(new ProgressFunction(runId), StreamTypes.BLOCK_CONTEXT).name("progress").uid("progress")
                .sinkTo(kafkaSink(k, "blocks", new KeyedAvroSerializer<BlockContext>(k.blocksTopic(),
                        c -> c.sequenceId, AvroRecords::block)))
                .name("blocks-kafka").uid("blocks-kafka");
        o.deadLetters().sinkTo(kafkaSink(k, "dead-letters", new DeadLetterSerializer(k.deadLettersTopic(),
                        settings.limits())))
                .name("dead-letters-kafka").uid("dead-letters-kafka");
        o.notices().sinkTo(kafkaSink(k, "notices", new NoticeSerializer(k.noticesTopic())))
                .name("notices-kafka").uid("notices-kafka");
        if (settings.alerts()) {
            alerts(o.blocks(), settings.alertThreshold())
                    .sinkTo(kafkaSink(k, "alerts", new AlertSerializer(k.alertsTopic())))
                    .name("alerts-kafka").uid("alerts-kafka");
        }
        if (settings.tokenContexts()) {
            o.tokens().sinkTo(kafkaSink(k, "tokens", new KeyedAvroSerializer<TokenContext>(k.tokensTopic(),
                            t -> t.sequenceId, t -> AvroRecords.tokens(t, d))))
                    .name("tokens-kafka").uid("tokens-kafka");
        }
    }

    private static <T> KafkaSink<T> kafkaSink(KafkaSettings k, String name,
                                              org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema<T> s) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(k.bootstrapServers())
                .setKafkaProducerConfig(k.sinkProducerProperties())
                .setProperty("transaction.timeout.ms", String.valueOf(k.transactionTimeout().toMillis()))
                .setRecordSerializer(s)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(k.transactionalIdPrefix() + "-" + name)
                .build();
    }
}
