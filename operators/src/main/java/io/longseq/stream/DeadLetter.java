package io.longseq.stream;

import io.longseq.stream.input.SequenceFragment;
import java.util.Arrays;
import java.util.Objects;

/**
 * A record the job could not use (docs/design.md G5): where it came from, why, and its original bytes, so that
 * nothing is lost silently and it can be fixed and replayed.
 *
 * <p><b>Bounded size.</b> A refused record may be as large as the input allows (a payload of
 * {@code --max-payload-bytes}, a Kafka key of any length), and a dead letter must still fit its sink's
 * {@code max.request.size}, or the sink fails and the job restarts on the same record forever. {@link #bounded}
 * therefore keeps at most {@link StreamLimits#deadLetterBytes()} bytes of the payload (a prefix of the original
 * bytes; the reason then says how many were cut), a sequence id of at most {@link StreamLimits#maxIdBytes()}
 * UTF-8 bytes, a reason of at most {@link #MAX_REASON_CHARS} characters on one line, and source and stage of at
 * most {@link #MAX_SOURCE_CHARS} and {@link #MAX_STAGE_CHARS} characters. {@code validate} bounds its dead letters
 * when it makes them ({@link #of(SequenceFragment, String, String, StreamLimits)}); the sinks bound every dead
 * letter again (a no-op for one already bounded by the same limits), so a stage that makes them with the
 * three-argument {@link #of(SequenceFragment, String, String)} is covered too.
 */
public class DeadLetter {

    /** Longest reason a bounded dead letter carries, in characters (3 UTF-8 bytes each at most). */
    public static final int MAX_REASON_CHARS = 1000;
    /** Longest source (a Kafka topic: at most 249 characters; a file path: PATH_MAX is 4096 bytes). */
    public static final int MAX_SOURCE_CHARS = 4096;
    /** Longest stage name. */
    public static final int MAX_STAGE_CHARS = 64;

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

    /** {@link #of(SequenceFragment, String, String)}, {@linkplain #bounded bounded} by {@code limits}. */
    public static DeadLetter of(SequenceFragment f, String stage, String reason, StreamLimits limits) {
        return of(f, stage, reason).bounded(limits);
    }

    /**
     * This dead letter within the limits (see the class comment): this same object when it is within them already,
     * else a copy with the payload cut to its first {@code deadLetterBytes} bytes, the sequence id cut to at most
     * {@code maxIdBytes} UTF-8 bytes, and the reason cut to {@link #MAX_REASON_CHARS} characters on one line. A cut
     * payload is named at the end of the reason, which is cut first so that the note always survives: "...; the
     * dead letter keeps the first 65536 of 16777216 payload bytes, 16711680 cut (dead-letter-bytes)". Applying it
     * again with the same limits changes nothing.
     */
    public DeadLetter bounded(StreamLimits limits) {
        byte[] p = payload == null ? new byte[0] : payload;
        String id = sequenceId == null ? "" : sequenceId;
        String why = reason == null ? "" : reason;
        String src = source == null ? "" : source;
        String stg = stage == null ? "" : stage;
        int keep = limits.deadLetterBytes();
        String note = p.length > keep ? "; the dead letter keeps the first " + keep + " of " + p.length
                + " payload bytes, " + (p.length - keep) + " cut (dead-letter-bytes)" : "";
        String boundedReason = BoundedText.oneLine(why);
        int room = MAX_REASON_CHARS - note.length();
        if (boundedReason.length() > room) {
            boundedReason = BoundedText.cut(boundedReason, room - BoundedText.ELLIPSIS.length());
        }
        boundedReason += note;
        String boundedId = BoundedText.prefixOfUtf8Bytes(id, limits.maxIdBytes());
        String boundedSource = BoundedText.cut(src, MAX_SOURCE_CHARS - BoundedText.ELLIPSIS.length());
        String boundedStage = BoundedText.cut(stg, MAX_STAGE_CHARS - BoundedText.ELLIPSIS.length());
        if (note.isEmpty() && boundedReason.equals(why) && boundedId.length() == id.length()
                && boundedSource.length() == src.length() && boundedStage.length() == stg.length()
                && payload != null && sequenceId != null && reason != null && source != null && stage != null) {
            return this;
        }
        DeadLetter d = new DeadLetter();
        d.source = boundedSource;
        d.sourcePartition = sourcePartition;
        d.sourceOffset = sourceOffset;
        d.sequenceId = boundedId;
        d.stage = boundedStage;
        d.reason = boundedReason;
        d.payload = p.length > keep ? Arrays.copyOf(p, keep) : p;
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
