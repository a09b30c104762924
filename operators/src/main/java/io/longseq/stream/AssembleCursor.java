package io.longseq.stream;

/**
 * {@code assemble}'s per-sequence bookkeeping, one keyed value (a POJO of primitives). Positions are absolute.
 *
 * <p>The assembled tail holds the symbols of {@code [tailStart, nextExpected)}: the left halo of the next chunk
 * plus everything received in order since. Out-of-order fragments wait in the pending map.
 */
public class AssembleCursor {

    /** Not stored: the cursor was cleared and must not be written back. */
    public static final int CLEARED = -1;
    public static final int OPEN = 0;
    /** Ended normally; only remembered for {@code endedRetention}, to dead-letter late fragments. */
    public static final int ENDED = 1;
    /** Given up (gap policy fail-sequence); remembered like ENDED. */
    public static final int FAILED = 2;

    public int status;
    /** First position held in the tail. */
    public long tailStart;
    /** One past the last position received in order. */
    public long nextExpected;
    /** Index of the next chunk to emit. */
    public long nextChunk;
    /** Sequence length once a last fragment has said it; -1 before. */
    public long end = -1;
    /** Out-of-order fragments held, and their positions (overlaps counted twice: it is a bound, not a census). */
    public long pendingCount;
    public long pendingPositions;
    /** Processing time of the last fragment. */
    public long lastSeen;
    /** The one registered processing-time timer, or -1. */
    public long timerAt = -1;
    /** Closed by the idle timeout (its notice is IDLE_CLOSED rather than ENDED). */
    public boolean idleClosed;

    public AssembleCursor() {}
}
