package io.longseq.jobs.kafka;

import io.longseq.schemas.AvroCodec;
import io.longseq.stream.DeadLetter;
import io.longseq.stream.StreamLimits;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Dead letters to Kafka, each first {@linkplain DeadLetter#bounded bounded} by the job's limits, so that no dead
 * letter is larger than {@link SinkRecordBounds#deadLetter()} (which {@link SinkRecordBounds#requireFit} checked
 * against the producer's {@code max.request.size} before the job started): key = the (bounded) sequence id,
 * value = the framed Avro {@code DeadLetter}. A dead letter {@code validate} bounded already passes unchanged.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final StreamLimits limits;

    public DeadLetterSerializer(String topic, StreamLimits limits) {
        this.topic = topic;
        this.limits = limits;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext context, Long timestamp) {
        DeadLetter b = d.bounded(limits);
        return new ProducerRecord<>(topic, null, timestamp, b.sequenceId.getBytes(StandardCharsets.UTF_8),
                AvroCodec.encode(AvroRecords.deadLetter(b)));
    }
}
