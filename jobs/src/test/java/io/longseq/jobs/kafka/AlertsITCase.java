package io.longseq.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.jobs.LongseqJob;
import io.longseq.jobs.MiniJson;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.global.BlockContext;
import io.longseq.stream.input.SequenceFragment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Novelty alerts in Kafka mode (docs/outputs.md): the job, bounded, at parallelism 2, writes to the alerts topic
 * (read_committed) exactly the blocks whose novelty reaches the threshold, with the values {@code ChunkedModel}
 * computes offline for the same sequences, each once, keyed by sequence id.
 */
class AlertsITCase {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    /** Random DNA blocks have novelty around 0.5-0.9 with the small model: the threshold takes part of them. */
    static final double THRESHOLD = 0.7;

    @Test
    void theAlertsTopicHoldsTheBlocksAtOrAboveTheThreshold() throws Exception {
        StreamSettings settings = StreamSettings.builder(KafkaPipelineFixture.MODEL).alertThreshold(THRESHOLD).build();
        List<KafkaPipelineFixture.Sequence> corpus = KafkaPipelineFixture.corpus(31, "alert", 5, 1_000, 3_000);
        Map<String, List<BlockContext>> offline = KafkaPipelineFixture.offline(corpus, settings);
        List<String> expected = new ArrayList<>();
        int blocks = 0;
        for (List<BlockContext> l : offline.values()) {
            for (BlockContext c : l) {
                blocks++;
                if (c.novelty >= THRESHOLD) {
                    expected.add(c.sequenceId + " " + c.block + " " + c.start + " " + c.end + " " + c.novelty);
                }
            }
        }
        assertThat(expected.size()).as("alerts among %d blocks", blocks).isBetween(5, blocks - 5);

        KafkaSettings k = KafkaPipeline.create(KAFKA, "alerts", true).settings();
        KAFKA.createTopic(k.alertsTopic(), 2);
        KafkaPipelineFixture.produce(KAFKA, KafkaPipelineFixture.roundRobin(k.inputTopic(), corpus, 700, x -> true));
        StreamExecutionEnvironment env = LongseqJob.environment(KafkaPipelineFixture.jobConfig(0));
        env.setParallelism(2);
        DataStream<SequenceFragment> in = LongseqJob.fromKafka(env, k);
        LongseqJob.toKafka(LongseqJob.build(in, settings), k, settings, "alerts");
        JobClient client = env.executeAsync("alerts");
        client.getJobExecutionResult().get(180, TimeUnit.SECONDS);

        List<ConsumerRecord<byte[], byte[]>> read = KafkaPipelineFixture.readAll(KAFKA, k.alertsTopic(), true,
                rs -> rs.size() >= expected.size(), KafkaPipelineFixture.READ_TIMEOUT);
        List<String> actual = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : read) {
            Map<String, Object> a = MiniJson.object(new String(r.value(), StandardCharsets.UTF_8));
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(a.get("sequenceId"));
            actual.add(a.get("sequenceId") + " " + num(a, "block").asLong() + " " + num(a, "start").asLong() + " "
                    + num(a, "end").asLong() + " " + num(a, "novelty").asFloat());
        }
        assertThat(actual).hasSameSizeAs(expected);
        assertThat(new TreeSet<>(actual)).isEqualTo(new TreeSet<>(expected));
    }

    private static MiniJson.Num num(Map<String, Object> o, String key) {
        return (MiniJson.Num) o.get(key);
    }
}
