package io.longseq.jobs.kafka;

import io.longseq.schemas.AvroCodec;
import io.longseq.stream.StreamTypes;
import io.longseq.stream.input.SequenceFragment;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Kafka records of the input topic to fragments. A record that is not a framed Avro {@code SequenceFragment}
 * (another schema, truncated, random bytes, no value) never fails the job: it becomes an
 * {@linkplain SequenceFragment#undecodable undecodable} fragment holding the raw bytes and the reason, which
 * {@code validate} sends to the dead letters (docs/design.md G5). Either way the fragment records topic, partition and
 * offset.
 */
public final class FragmentDeserializer implements KafkaRecordDeserializationSchema<SequenceFragment> {

    private static final long serialVersionUID = 1L;

    /** How the reason of a Kafka record that is no SequenceFragment starts. */
    static final String NOT_A_FRAGMENT = "not a SequenceFragment record: ";

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<SequenceFragment> out) {
        SequenceFragment f;
        try {
            f = AvroRecords.fragment(AvroCodec.decode(r.value(), io.longseq.schemas.SequenceFragment.class));
        } catch (AvroCodec.DecodeException | RuntimeException e) {
            String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
            f = SequenceFragment.undecodable(key, r.value() == null ? new byte[0] : r.value(),
                    NOT_A_FRAGMENT + e.getMessage());
        }
        out.collect(f.from(r.topic(), r.partition(), r.offset()));
    }

    @Override
    public TypeInformation<SequenceFragment> getProducedType() {
        return StreamTypes.FRAGMENT;
    }
}
