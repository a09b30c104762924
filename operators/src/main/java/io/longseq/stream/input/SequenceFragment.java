package io.longseq.stream.input;

import io.longseq.math.features.FeatureKind;
import java.util.Arrays;
import java.util.Objects;

/**
 * One piece of a sequence as it arrives (docs/design.md 5): positions {@code [offset, offset + positions)} of the
 * sequence {@code sequenceId}. A Flink POJO (public fields, no-arg constructor), so it never falls back to Kryo.
 *
 * <p>The payload encodes the positions by {@link #kind}:
 * <ul>
 *   <li>{@code DNA}: one byte per position, an IUPAC nucleotide code in either case ({@code ACGTURYSWKMBDHVN});</li>
 *   <li>{@code TOKENS}: four bytes per position, the token id as a big-endian int32;</li>
 *   <li>{@code LOG}: UTF-8 text, one line per position, lines ended by {@code '\n'} (a final line without its
 *       {@code '\n'} counts too, so {@code "a\nb"} and {@code "a\nb\n"} are both two positions).</li>
 * </ul>
 * {@code last} marks the fragment that ends the sequence: its end, {@code offset + positions}, is the sequence
 * length. A fragment with {@code last} and an empty payload ends a sequence without adding positions.
 *
 * <p>{@code source}, {@code sourcePartition} and {@code sourceOffset} say where the record was read (a file and
 * its fragment number, or a Kafka topic, partition and offset), so a dead letter can point back to it.
 */
public class SequenceFragment {

    public String sequenceId;
    /** Absolute position of the payload's first position. */
    public long offset;
    public FeatureKind kind;
    /** The positions' encoded content (see the class comment); the original bytes go into dead letters. */
    public byte[] payload;
    public boolean last;
    /** Milliseconds since the epoch, as the producer stamped it (informational). */
    public long eventTime;
    public String source;
    public int sourcePartition;
    public long sourceOffset;
    /**
     * Set by a source that could not decode the record (not Avro, another schema, truncated): why. The payload is
     * then the record's raw bytes, and {@code validate} turns it into a dead letter. Null for a decoded record.
     */
    public String decodeError;

    public SequenceFragment() {}

    public SequenceFragment(String sequenceId, long offset, FeatureKind kind, byte[] payload, boolean last) {
        this.sequenceId = sequenceId;
        this.offset = offset;
        this.kind = kind;
        this.payload = payload;
        this.last = last;
    }

    /** A record a source could not decode: its raw bytes, where it came from, and why. */
    public static SequenceFragment undecodable(String sequenceId, byte[] raw, String why) {
        SequenceFragment f = new SequenceFragment();
        f.sequenceId = sequenceId;
        f.payload = raw;
        f.decodeError = why;
        return f;
    }

    /**
     * The positions the payload encodes, by the rules of the class comment, without decoding it: DNA one per byte,
     * TOKENS one per 4 bytes, LOG one per line (a last line without its {@code '\n'} counts); -1 when that cannot
     * be told (no kind or payload, a TOKENS payload that is not a whole number of ids).
     */
    public long positions() {
        if (kind == null || payload == null) {
            return -1;
        }
        return switch (kind) {
            case DNA -> payload.length;
            case TOKENS -> payload.length % 4 == 0 ? payload.length / 4 : -1;
            case LOG -> {
                long lines = 0;
                for (byte b : payload) {
                    lines += b == '\n' ? 1 : 0;
                }
                yield lines + (payload.length > 0 && payload[payload.length - 1] != '\n' ? 1 : 0);
            }
        };
    }

    /** Sets where the record came from; returns this. */
    public SequenceFragment from(String source, int partition, long offset) {
        this.source = source;
        this.sourcePartition = partition;
        this.sourceOffset = offset;
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SequenceFragment f && offset == f.offset && last == f.last && eventTime == f.eventTime
                && sourcePartition == f.sourcePartition && sourceOffset == f.sourceOffset
                && Objects.equals(sequenceId, f.sequenceId) && kind == f.kind && Arrays.equals(payload, f.payload)
                && Objects.equals(source, f.source) && Objects.equals(decodeError, f.decodeError);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sequenceId, offset, kind, last) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "SequenceFragment{" + sequenceId + " @" + offset + " " + kind + " " + (payload == null ? "null" : payload.length + " B")
                + (last ? " last" : "") + "}";
    }
}
