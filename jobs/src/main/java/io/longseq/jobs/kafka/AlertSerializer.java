package io.longseq.jobs.kafka;

import io.longseq.jobs.output.JsonLines;
import io.longseq.stream.global.BlockContext;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Novelty alerts to Kafka as JSON, the line {@code alerts.jsonl} holds ({@link JsonLines#alert}); key = sequence
 * id. The block context's vectors are not sent: an alert is a pointer into the blocks topic.
 */
public final class AlertSerializer implements KafkaRecordSerializationSchema<BlockContext> {

    private static final long serialVersionUID = 1L;
    private final String topic;

    public AlertSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(BlockContext block, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, timestamp, block.sequenceId.getBytes(StandardCharsets.UTF_8),
                JsonLines.alert(block).getBytes(StandardCharsets.UTF_8));
    }
}
