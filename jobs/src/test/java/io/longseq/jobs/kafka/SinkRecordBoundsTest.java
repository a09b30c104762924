package io.longseq.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.stream.DeadLetter;
import io.longseq.stream.Notice;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.global.BlockContext;
import io.longseq.stream.global.TokenContext;
import java.util.Arrays;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;

/**
 * {@link SinkRecordBounds} against real records: the worst records each sink can get (every field at its largest,
 * 3-byte characters, the most expensive varints) are serialised as the job's sinks do and measured the way the
 * Kafka producer measures them before it refuses one ({@code AbstractRecords.estimateSizeInBytesUpperBound}, what
 * {@code KafkaProducer} checks against {@code max.request.size}); the bounds must hold and be close.
 */
class SinkRecordBoundsTest {

    static final int ID = 4096;
    static final int KEEP = 65536;

    /** A string of {@code bytes} UTF-8 bytes of 3-byte characters (and 'a's for the rest). */
    static String utf8(int bytes) {
        return "€".repeat(bytes / 3) + "a".repeat(bytes % 3);
    }

    static long measured(ProducerRecord<byte[], byte[]> r) {
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                r.key(), r.value(), r.headers().toArray());
    }

    static void report(String what, long measured, long bound) {
        System.out.printf("[SinkRecordBoundsTest] worst %s: %d bytes as the producer counts them, bound %d%n", what,
                measured, bound);
    }

    @Test
    void theWorstDeadLetterFitsItsBound() {
        SinkRecordBounds b = new SinkRecordBounds(ID, KEEP, 32, 4, 16, false);
        DeadLetter d = new DeadLetter();
        d.source = "€".repeat(10_000);
        d.sourcePartition = Integer.MIN_VALUE;
        d.sourceOffset = Long.MIN_VALUE;
        d.sequenceId = "€".repeat(100_000);
        d.stage = "€".repeat(1000);
        d.reason = "€".repeat(100_000);
        d.payload = new byte[16 << 20];
        ProducerRecord<byte[], byte[]> r = new DeadLetterSerializer("dead", StreamLimits.DEFAULTS
                .withMaxIdBytes(ID).withDeadLetterBytes(KEEP)).serialize(d, null, 0L);
        long size = measured(r);
        assertThat(r.key()).hasSizeLessThanOrEqualTo(ID);
        assertThat(size).isLessThanOrEqualTo(b.deadLetter()).isGreaterThan(b.deadLetter() - 512);
        assertThat(size).isGreaterThan(KEEP).isLessThan(KEEP + 24_000);
        report("dead letter", size, b.deadLetter());
    }

    @Test
    void theWorstBlockAndTokenRecordsFitTheirBounds() {
        int d = 256;
        int k = 16;
        int blockSize = 64;
        SinkRecordBounds b = new SinkRecordBounds(ID, KEEP, d, k, blockSize, true);
        BlockContext c = new BlockContext();
        c.sequenceId = utf8(ID);
        c.block = Long.MIN_VALUE;
        c.start = Long.MIN_VALUE;
        c.end = Long.MIN_VALUE;
        c.summary = new float[d];
        c.context = new float[d];
        c.topLevel = new int[k];
        c.topFirst = new long[k];
        c.topLast = new long[k];
        c.topWeight = new float[k];
        Arrays.fill(c.topLevel, Integer.MIN_VALUE);
        Arrays.fill(c.topFirst, Long.MIN_VALUE);
        Arrays.fill(c.topLast, Long.MIN_VALUE);
        long block = measured(new KeyedAvroSerializer<BlockContext>("blocks", x -> x.sequenceId, AvroRecords::block)
                .serialize(c, null, 0L));
        assertThat(block).isLessThanOrEqualTo(b.block()).isGreaterThan(b.block() - 128);
        report("block (d 256, top-K 16)", block, b.block());

        TokenContext t = new TokenContext(utf8(ID), Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE,
                new float[blockSize * d]);
        long tokens = measured(new KeyedAvroSerializer<TokenContext>("tokens", x -> x.sequenceId,
                x -> AvroRecords.tokens(x, Integer.MIN_VALUE)).serialize(t, null, 0L));
        assertThat(tokens).isLessThanOrEqualTo(b.tokens()).isGreaterThan(b.tokens() - 128);
        report("token context (64 x 256)", tokens, b.tokens());
    }

    @Test
    void theWorstNoticeFitsItsBound() {
        SinkRecordBounds b = new SinkRecordBounds(ID, KEEP, 32, 4, 16, false);
        Notice n = new Notice("\u0001".repeat(ID), Notice.Kind.SEQUENCE_FAILED, Long.MIN_VALUE, Long.MIN_VALUE,
                "\u0001".repeat(100_000));
        long size = measured(new NoticeSerializer("notices").serialize(n, null, 0L));
        assertThat(size).isLessThanOrEqualTo(b.notice()).isGreaterThan(b.notice() - 512);
        report("notice", size, b.notice());
    }

    @Test
    void theProducerLimitIsTheSmallerOfMaxRequestSizeAndBufferMemory() {
        Properties p = new Properties();
        assertThat(SinkRecordBounds.producerLimit(p)).isEqualTo(1_048_576);
        p.setProperty("max.request.size", "5000000");
        assertThat(SinkRecordBounds.producerLimit(p)).isEqualTo(5_000_000);
        p.setProperty("buffer.memory", "2000000");
        assertThat(SinkRecordBounds.producerLimit(p)).isEqualTo(2_000_000);
    }
}
