package io.longseq.stream;

import java.util.Objects;

/**
 * Something a user should know about a sequence that is not a bad record: it ended, it was closed after being
 * idle, a gap was skipped, it was given up, how close its global mode came to exact attention. One line each in
 * the notices output (from {@code assemble} and {@code global-context}).
 */
public class Notice {

    /** What happened. */
    public enum Kind {
        /** The sequence ended normally; {@code position} is its length. */
        ENDED,
        /** The sequence ended with no positions at all. */
        EMPTY,
        /** No fragment for the idle timeout: the sequence was closed at {@code position}. */
        IDLE_CLOSED,
        /** Gap policy skip: positions [position, position + count) never arrived and were filled with padding. */
        GAP_SKIPPED,
        /**
         * The sequence was given up at {@code position}: by {@code assemble} (gap policy fail-sequence, or a hole over
         * max-gap; later fragments are dead letters), or by {@code global-context} when a cap was passed or its
         * processing failed ({@code count} is then the chunk summaries dropped; later ones are dropped too). The
         * message says which.
         */
        SEQUENCE_FAILED,
        /**
         * An {@code assemble} subtask held {@code max-tombstones} ended sequences and forgot this one, the oldest,
         * before its retention was over ({@code position}: where it ended); a late fragment of it now starts a new
         * sequence instead of becoming a dead letter.
         */
        TOMBSTONE_DROPPED,
        /**
         * The runtime accuracy monitor ({@code --shadow-sample}) compared this sequence's global mode with exact
         * {@code full} attention: at the sequence's end ({@code position}: its length), or when the shadow stopped
         * early ({@code position}: the start of the first block not compared; the message says why: the
         * {@code max-blocks} cap of the shadow's full memory, or an internal error). {@code count}: the blocks
         * compared. The message gives the figures ({@code ShadowMonitor.Tally#describe}). The block outputs are
         * those of the configured mode either way.
         */
        SHADOW
    }

    public String sequenceId;
    public Kind kind;
    public long position;
    public long count;
    public String message;

    public Notice() {}

    public Notice(String sequenceId, Kind kind, long position, long count, String message) {
        this.sequenceId = sequenceId;
        this.kind = kind;
        this.position = position;
        this.count = count;
        this.message = message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Notice n && position == n.position && count == n.count
                && Objects.equals(sequenceId, n.sequenceId) && kind == n.kind && Objects.equals(message, n.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sequenceId, kind, position);
    }

    @Override
    public String toString() {
        return "Notice{" + sequenceId + " " + kind + " @" + position + ": " + message + "}";
    }
}
