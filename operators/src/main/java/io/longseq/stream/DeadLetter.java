package io.longseq.stream;

import java.util.Arrays;
import java.util.Objects;

/**
 * A record the job could not use (DESIGN.md G5): where it came from, why, and its original bytes, so that
 * nothing is lost silently and it can be fixed and replayed.
 */
public class DeadLetter {

    /** A file path or Kafka topic. */
    public String source;
    public int sourcePartition;
    /** The record's offset in its source (a fragment number for files, the Kafka offset). */
    public long sourceOffset;
    /** The sequence id, when the record had one (may be empty). */
    public String sequenceId;
    /** The operator that refused it: validate or assemble (or the source's deserializer). */
    public String stage;
    public String reason;
    /** The record's payload bytes as they arrived. */
    public byte[] payload;

    public DeadLetter() {}

    public static DeadLetter of(SequenceFragment f, String stage, String reason) {
        DeadLetter d = new DeadLetter();
        d.source = f.source == null ? "" : f.source;
        d.sourcePartition = f.sourcePartition;
        d.sourceOffset = f.sourceOffset;
        d.sequenceId = f.sequenceId == null ? "" : f.sequenceId;
        d.stage = stage;
        d.reason = reason;
        d.payload = f.payload == null ? new byte[0] : f.payload;
        return d;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeadLetter d && sourcePartition == d.sourcePartition && sourceOffset == d.sourceOffset
                && Objects.equals(source, d.source) && Objects.equals(sequenceId, d.sequenceId)
                && Objects.equals(stage, d.stage) && Objects.equals(reason, d.reason)
                && Arrays.equals(payload, d.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, sourcePartition, sourceOffset, reason);
    }

    @Override
    public String toString() {
        return "DeadLetter{" + source + ":" + sourcePartition + ":" + sourceOffset + " '" + sequenceId + "' " + stage
                + ": " + reason + "}";
    }
}
