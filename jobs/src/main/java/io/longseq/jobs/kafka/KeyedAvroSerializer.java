package io.longseq.jobs.kafka;

import io.longseq.schemas.AvroCodec;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Output records to Kafka: key = the sequence id (UTF-8), so one sequence stays in one partition and in order;
 * value = the framed Avro record ({@link AvroCodec#encode}).
 */
public final class KeyedAvroSerializer<T> implements KafkaRecordSerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    /** The sequence id of a record. */
    @FunctionalInterface
    public interface Key<T> extends Serializable {
        String of(T record);
    }

    /** The Avro form of a record. */
    @FunctionalInterface
    public interface ToAvro<T> extends Serializable {
        SpecificRecord of(T record);
    }

    private final String topic;
    private final Key<T> key;
    private final ToAvro<T> toAvro;

    public KeyedAvroSerializer(String topic, Key<T> key, ToAvro<T> toAvro) {
        this.topic = topic;
        this.key = key;
        this.toAvro = toAvro;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T record, KafkaSinkContext context, Long timestamp) {
        String k = key.of(record);
        return new ProducerRecord<>(topic, null, timestamp, k == null ? null : k.getBytes(StandardCharsets.UTF_8),
                AvroCodec.encode(toAvro.of(record)));
    }
}
