package io.longseq.jobs.kafka;

import io.longseq.jobs.JsonLines;
import io.longseq.stream.Notice;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Notices to Kafka as JSON (they are for people and dashboards; no Avro schema): key = sequence id. */
public final class NoticeSerializer implements KafkaRecordSerializationSchema<Notice> {

    private static final long serialVersionUID = 1L;
    private final String topic;

    public NoticeSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Notice n, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, timestamp, n.sequenceId.getBytes(StandardCharsets.UTF_8),
                JsonLines.notice(n).getBytes(StandardCharsets.UTF_8));
    }
}
