package io.longseq.stream.assemble;

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
    /**
     * Bytes the pending fragments hold: their symbols (positions · F_in · 4) and the original payloads kept for
     * dead letters; bounded by {@code reorder-bytes}. Kept as a running count, never recomputed from the map.
     */
    public long pendingBytes;
    /**
     * Gap policy skip, padding under way: positions [nextExpected, fillTo) are appended as padding a piece at a
     * time, at most a step of chunks per element or timer. Padding is under way iff fillTo &gt; nextExpected (so
     * the default 0 means none).
     */
    public long fillTo;
    /** Once the padding is done, the pending map is scanned from this position on; 0 for none. */
    public long scanFrom;
    /** The idle timeout fired and the sequence is being closed (it waits for padding under way). */
    public boolean closing;
    /** Processing time of the last fragment. */
    public long lastSeen;
    /** The one registered processing-time timer, or -1. */
    public long timerAt = -1;
    /** Closed by the idle timeout (its notice is IDLE_CLOSED rather than ENDED). */
    public boolean idleClosed;

    public AssembleCursor() {}
}
