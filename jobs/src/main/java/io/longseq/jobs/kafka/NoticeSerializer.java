package io.longseq.jobs.kafka;

import io.longseq.jobs.output.JsonLines;
import io.longseq.stream.BoundedText;
import io.longseq.stream.Notice;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Notices to Kafka as JSON (they are for people and dashboards; no Avro schema): key = sequence id. A message
 * longer than {@link #MAX_MESSAGE_CHARS} is cut (none of the job's is), so that a notice's size has a bound
 * ({@link SinkRecordBounds#notice()}); the sequence id is one {@code validate} accepted, within
 * {@code max-id-bytes}.
 */
public final class NoticeSerializer implements KafkaRecordSerializationSchema<Notice> {

    private static final long serialVersionUID = 1L;
    /** Longest message a notice carries, in characters. */
    public static final int MAX_MESSAGE_CHARS = 2000;
    private final String topic;

    public NoticeSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Notice notice, KafkaSinkContext context, Long timestamp) {
        Notice n = notice;
        if (n.message != null && n.message.length() > MAX_MESSAGE_CHARS) {
            n = new Notice(n.sequenceId, n.kind, n.position, n.count, BoundedText.cut(n.message, MAX_MESSAGE_CHARS));
        }
        return new ProducerRecord<>(topic, null, timestamp, n.sequenceId.getBytes(StandardCharsets.UTF_8),
                JsonLines.notice(n).getBytes(StandardCharsets.UTF_8));
    }
}
