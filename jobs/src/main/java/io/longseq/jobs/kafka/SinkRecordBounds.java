package io.longseq.jobs.kafka;

import io.longseq.jobs.LongseqOptions;
import io.longseq.stream.DeadLetter;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.StreamSettings;
import java.util.Properties;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The most bytes one record of each Kafka sink can take, from the configuration alone, checked against the sinks'
 * producer limit before the job starts (docs/design.md G5). A record the producer finds too large fails the sink with
 * {@code RecordTooLargeException}; the job restarts and makes the same record again, forever. So every record size
 * must have a bound that the configuration sets, and the bound must fit:
 *
 * <ul>
 *   <li><b>dead letters</b>: key and sequence id at most {@code max-id-bytes} each, payload at most
 *       {@code dead-letter-bytes}, reason, source and stage at most {@link DeadLetter#MAX_REASON_CHARS},
 *       {@link DeadLetter#MAX_SOURCE_CHARS}, {@link DeadLetter#MAX_STAGE_CHARS} characters (3 UTF-8 bytes each at
 *       most), all enforced by {@link DeadLetter#bounded} in {@link DeadLetterSerializer};</li>
 *   <li><b>blocks</b>: the sequence id (validate refuses one over {@code max-id-bytes}), d floats twice (summary and
 *       context), at most top-K entries and three floats (self weight, entropy, novelty);</li>
 *   <li><b>token contexts</b> (when on): the sequence id and at most block-size × d floats;</li>
 *   <li><b>notices</b>: the sequence id as key and, JSON-escaped (6 bytes per character at most), in the value,
 *       and a message {@link NoticeSerializer} cuts to {@link NoticeSerializer#MAX_MESSAGE_CHARS};</li>
 *   <li><b>alerts</b> (with an alert threshold): the sequence id as key and, JSON-escaped, in the value, and four
 *       numbers ({@link AlertSerializer}).</li>
 * </ul>
 * Each bound adds the Avro framing (10-byte header, 5 bytes per length or int, 10 per long) and Kafka's per-record
 * overhead ({@link #KAFKA_RECORD_OVERHEAD}, above what kafka-clients 4.2 estimates: a 61-byte batch header and at
 * most 21 + 11 bytes of record header, lengths and header count). The producer refuses a record over
 * {@code max.request.size} (default 1,048,576) or {@code buffer.memory} (default 33,554,432), whichever is smaller.
 * Not checked here: the topic's {@code max.message.bytes} on the broker (1,048,588 by default), which must be at
 * least as large when {@code max.request.size} is raised.
 */
public final class SinkRecordBounds {

    /** Kafka's bytes around one record's key and value: batch header 61, record header and varints ≤ 32. */
    public static final int KAFKA_RECORD_OVERHEAD = 128;
    /** The producer's default max.request.size. */
    public static final int DEFAULT_MAX_REQUEST_SIZE = 1 << 20;
    /** The producer's default buffer.memory. */
    public static final long DEFAULT_BUFFER_MEMORY = 32L << 20;

    private static final int FRAME = 10;     // Avro single-object header: marker and fingerprint
    private static final int LENGTH = 5;     // a varint length or int
    private static final int LONG = 10;      // a varint long
    private static final int FLOAT = 4;

    private final int maxIdBytes;
    private final int deadLetterBytes;
    private final int d;
    private final int topK;
    private final int blockSize;
    private final boolean tokenContexts;

    public SinkRecordBounds(int maxIdBytes, int deadLetterBytes, int d, int topK, int blockSize,
                            boolean tokenContexts) {
        this.maxIdBytes = maxIdBytes;
        this.deadLetterBytes = deadLetterBytes;
        this.d = Math.max(0, d);
        this.topK = Math.max(0, topK);
        this.blockSize = Math.max(0, blockSize);
        this.tokenContexts = tokenContexts;
    }

    /** The bounds of a job's settings. */
    public static SinkRecordBounds of(StreamSettings s) {
        return new SinkRecordBounds(s.limits().maxIdBytes(), s.limits().deadLetterBytes(), s.model().dModel(),
                s.model().topK(), s.model().blockSize(), s.tokenContexts());
    }

    /**
     * The bounds of a configuration, read from the options of {@link LongseqOptions} (defaults where unset).
     *
     * @throws IllegalArgumentException naming the flag, for a cap below 1
     */
    public static SinkRecordBounds of(ReadableConfig c) {
        StreamLimits l = LongseqOptions.limits(c);
        return new SinkRecordBounds(l.maxIdBytes(), l.deadLetterBytes(), c.get(LongseqOptions.D_MODEL),
                c.get(LongseqOptions.TOP_K), c.get(LongseqOptions.BLOCK_SIZE), c.get(LongseqOptions.TOKEN_CONTEXTS));
    }

    /** A string of at most {@code bytes} UTF-8 bytes, Avro-encoded. */
    private static long string(long bytes) {
        return LENGTH + bytes;
    }

    /** An Avro array of {@code n} items of at most {@code item} bytes: one block of n, then the 0 that ends it. */
    private static long array(long n, long item) {
        return n == 0 ? 1 : LENGTH + n * item + 1;
    }

    /** The most bytes one dead letter takes on the wire (key and value). */
    public long deadLetter() {
        long value = FRAME + string(3L * DeadLetter.MAX_SOURCE_CHARS) + LENGTH + LONG + string(maxIdBytes)
                + string(3L * DeadLetter.MAX_STAGE_CHARS) + string(3L * DeadLetter.MAX_REASON_CHARS)
                + string(deadLetterBytes);
        return KAFKA_RECORD_OVERHEAD + maxIdBytes + value;
    }

    /** The most bytes of a dead letter besides its kept payload: key, id, reason, source, stage and framing. */
    public long deadLetterOverhead() {
        return deadLetter() - deadLetterBytes;
    }

    /**
     * The most bytes one block record takes: id, block, start, end, summary [d], context [d], top [K], 3 floats
     * (self weight, entropy, novelty).
     */
    public long block() {
        long top = array(topK, LENGTH + LONG + LONG + FLOAT);
        long value = FRAME + string(maxIdBytes) + 3L * LONG + 2 * array(d, FLOAT) + top + 3L * FLOAT;
        return KAFKA_RECORD_OVERHEAD + maxIdBytes + value;
    }

    /** The most bytes one token-context record takes: id, block, start, end, vectors [B, d], d. */
    public long tokens() {
        long value = FRAME + string(maxIdBytes) + 3L * LONG + array((long) blockSize * d, FLOAT) + LENGTH;
        return KAFKA_RECORD_OVERHEAD + maxIdBytes + value;
    }

    /** The most bytes one notice takes: the id as key and JSON-escaped in the value, numbers, kind, message. */
    public long notice() {
        long json = 6L * maxIdBytes + 6L * (NoticeSerializer.MAX_MESSAGE_CHARS + 3) + 256; // 256: names, kind, numbers
        return KAFKA_RECORD_OVERHEAD + maxIdBytes + json;
    }

    /** The most bytes one alert takes: the id as key and JSON-escaped in the value, four numbers; below a notice. */
    public long alert() {
        long json = 6L * maxIdBytes + 128; // 128: names and numbers
        return KAFKA_RECORD_OVERHEAD + maxIdBytes + json;
    }

    /**
     * The largest record the sinks' producers accept: the smaller of {@code max.request.size} and
     * {@code buffer.memory} in {@code producer}, or their defaults.
     *
     * @throws IllegalArgumentException naming the property, for a value that is not a whole number
     */
    public static long producerLimit(Properties producer) {
        long request = property(producer, "max.request.size", DEFAULT_MAX_REQUEST_SIZE);
        long buffer = property(producer, "buffer.memory", DEFAULT_BUFFER_MEMORY);
        return Math.min(request, buffer);
    }

    private static long property(Properties p, String name, long fallback) {
        String v = p.getProperty(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Kafka property " + name + ": '" + v + "' is not a number of bytes");
        }
    }

    /**
     * Refuses a configuration whose records may not fit the sinks' producers.
     *
     * @throws IllegalArgumentException one line naming the setting, the bound and the producer's limit
     */
    public void requireFit(Properties producer) {
        long limit = producerLimit(producer);
        String where = " the sinks' max.request.size of " + limit + " bytes (the smaller of the Kafka properties"
                + " max.request.size and buffer.memory)";
        if (deadLetter() > limit) {
            throw new IllegalArgumentException("--dead-letter-bytes " + deadLetterBytes + " does not fit" + where
                    + ": a dead letter may take " + deadLetter() + " bytes, its kept payload and up to "
                    + deadLetterOverhead() + " of key, sequence id (--max-id-bytes " + maxIdBytes + " each), reason"
                    + " and framing; lower --dead-letter-bytes to at most " + Math.max(0, limit - deadLetterOverhead())
                    + " or raise max.request.size (--kafka-property max.request.size=N)");
        }
        if (block() > limit) {
            throw new IllegalArgumentException("block records of --d-model " + d + ", --top-k " + topK
                    + " and --max-id-bytes " + maxIdBytes + " may take " + block() + " bytes, more than" + where
                    + "; raise max.request.size (--kafka-property max.request.size=N)");
        }
        if (tokenContexts && tokens() > limit) {
            throw new IllegalArgumentException("token-context records of --block-size " + blockSize + " x --d-model "
                    + d + " floats may take " + tokens() + " bytes, more than" + where + "; lower --block-size or"
                    + " raise max.request.size (--kafka-property max.request.size=N)");
        }
        if (Math.max(notice(), alert()) > limit) {
            throw new IllegalArgumentException("notices and alerts of sequence ids up to --max-id-bytes " + maxIdBytes
                    + " may take " + Math.max(notice(), alert()) + " bytes, more than" + where + "; lower --max-id-bytes");
        }
    }
}
