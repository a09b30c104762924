package io.longseq.jobs.kafka;

import static io.longseq.jobs.kafka.KafkaPipelineFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.jobs.LongseqJob;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.assemble.Chunk;
import io.longseq.stream.global.BlockContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * One run of the job through Kafka, set up as every Kafka ITCase sets it up: topics of its own on the broker (named
 * after the run: input with 4 partitions, blocks 3, dead letters and notices 1; its own group and transactional id
 * prefix), the corpus produced into the input topic, the job ({@link LongseqJob}, as {@code longseq run} builds it)
 * started on them, and the verdict on the blocks topic ({@link BlockVerdict}).
 */
final class KafkaPipeline {

    private final KafkaBrokerExtension kafka;
    private final KafkaSettings k;

    private KafkaPipeline(KafkaBrokerExtension kafka, KafkaSettings k) {
        this.kafka = kafka;
        this.k = k;
    }

    /**
     * Creates the run's topics.
     *
     * @param bounded the job's source stops at the end offsets it finds when it starts (the job then finishes by
     *                itself); otherwise it runs until cancelled or stopped
     */
    static KafkaPipeline create(KafkaBrokerExtension kafka, String run, boolean bounded) {
        KafkaSettings k = KafkaPipelineFixture.kafkaSettings(kafka, run, bounded);
        kafka.createTopic(k.inputTopic(), 4);
        kafka.createTopic(k.blocksTopic(), 3);
        kafka.createTopic(k.deadLettersTopic(), 1);
        kafka.createTopic(k.noticesTopic(), 1);
        return new KafkaPipeline(kafka, k);
    }

    /** The Kafka side of the job: bootstrap servers, topics, group, transactions. */
    KafkaSettings settings() {
        return k;
    }

    String inputTopic() {
        return k.inputTopic();
    }

    /**
     * Produces the fragments of {@code corpus} that {@code include} takes ({@link KafkaPipelineFixture#roundRobin}),
     * in order; returns how many.
     */
    int produce(List<KafkaPipelineFixture.Sequence> corpus, int fragmentSize, Predicate<int[]> include)
            throws Exception {
        return produce(KafkaPipelineFixture.roundRobin(k.inputTopic(), corpus, fragmentSize, include)).size();
    }

    /** Produces the records in order ({@link KafkaPipelineFixture#produce}); where each went. */
    List<RecordMetadata> produce(List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        return KafkaPipelineFixture.produce(kafka, records);
    }

    /** Starts the job at {@code parallelism} with {@code conf}, named as {@code longseq run} names a Kafka job. */
    JobClient start(Configuration conf, int parallelism, StreamSettings settings) throws Exception {
        return start(conf, parallelism, settings, UnaryOperator.identity());
    }

    /** As {@link #start(Configuration, int, StreamSettings)}, with {@code chunkTap} between assemble and local-attention. */
    JobClient start(Configuration conf, int parallelism, StreamSettings settings,
                    UnaryOperator<DataStream<Chunk>> chunkTap) throws Exception {
        StreamExecutionEnvironment env = LongseqJob.environment(conf);
        env.setParallelism(parallelism);
        LongseqJob.Outputs o = LongseqJob.build(LongseqJob.fromKafka(env, k), settings, chunkTap);
        String name = "longseq run (kafka " + k.inputTopic() + ")";
        LongseqJob.toKafka(o, k, settings, name + " " + System.nanoTime());
        return env.executeAsync(name);
    }

    /** A background read_committed consumer of the blocks topic, to decide when to act (never for the verdict). */
    KafkaPipelineFixture.CommittedWatcher watchBlocks() {
        return new KafkaPipelineFixture.CommittedWatcher(kafka, k.blocksTopic());
    }

    /**
     * Waits until {@code blocks} distinct blocks are committed while the (unbounded) job still runs, then cancels
     * it and waits for its end.
     */
    void awaitBlocksThenCancel(JobClient job, int blocks, Duration timeout, String what) throws Exception {
        try (KafkaPipelineFixture.CommittedWatcher w = watchBlocks()) {
            await(() -> w.distinct() >= blocks || job.getJobExecutionResult().isDone(), timeout, what);
            assertThat(job.getJobExecutionResult().isDone()).as("the job still running after " + what).isFalse();
        }
        cancel(job);
    }

    /** Cancels the job and waits for its end. */
    static void cancel(JobClient job) throws Exception {
        job.cancel().get(60, TimeUnit.SECONDS);
        await(() -> job.getJobExecutionResult().isDone(), Duration.ofSeconds(60), "the job cancelled");
    }

    /** The blocks topic as a fresh read_committed consumer sees it once every expected block is there. */
    List<ConsumerRecord<byte[], byte[]>> readBlocks(Map<String, List<BlockContext>> expected) {
        return KafkaPipelineFixture.readBlocks(kafka, k.blocksTopic(), expected);
    }

    /** G3 on the blocks topic: every expected block exactly once, bitwise equal ({@link BlockVerdict}). */
    BlockVerdict.Tally assertBlocksExactlyOnce(String what, Map<String, List<BlockContext>> expected) {
        return BlockVerdict.assertExactlyOnceAndBitwiseEqual(what, readBlocks(expected), expected);
    }

    /** Everything a fresh consumer reads from {@code topic} ({@link KafkaPipelineFixture#readAll}). */
    List<ConsumerRecord<byte[], byte[]>> readAll(String topic, boolean committed,
                                                 Predicate<List<ConsumerRecord<byte[], byte[]>>> enough,
                                                 Duration timeout) {
        return KafkaPipelineFixture.readAll(kafka, topic, committed, enough, timeout);
    }
}
