package io.longseq.stream.assemble;

import io.longseq.stream.OperatorMetrics;
import java.util.Arrays;
import java.util.Objects;

/**
 * A whole chunk with its halos, from {@code assemble} to {@code local-attention} (docs/design.md 3): the core
 * positions {@code [coreFrom, coreTo)} = {@code [index·C, min(end, (index+1)·C))} and the symbols of
 * {@code [first, first + positions)}, which add the left halo (L·w + k − 1 positions, as far as they exist) and
 * the right halo (L·w when bidirectional).
 *
 * <p>An <em>abort marker</em> ({@code aborted}, no positions) tells {@code global-context} that the sequence was
 * given up (gap policy {@code fail-sequence}) after chunks {@code 0..index−1}, so it clears its state.
 */
public class Chunk {

    public String sequenceId;
    public long index;
    public long coreFrom;
    public long coreTo;
    /** Absolute position of symbols' first position. */
    public long first;
    /** Positions in symbols. */
    public int positions;
    /** symbols [positions · F_in]. */
    public int[] symbols;
    /** Local mode SINKS only: symbols of the sequence's first positions [0, prefix.length / F_in); else empty. */
    public int[] prefix;
    /** This chunk ends the sequence (coreTo is its length). */
    public boolean last;
    public boolean aborted;
    /**
     * Processing time (ms) at which {@code validate} received the fragment that completed this chunk (for a chunk a timer emitted, when {@code assemble} got the sequence's last
     * fragment), for the lag metric
     * ({@link OperatorMetrics#LAG}); 0 when unknown. A measurement, not content: not in {@code equals}.
     */
    public long arrivedAt;

    public Chunk() {}

    /** The abort marker that follows chunks 0..index−1 of a sequence given up. */
    public static Chunk abortMarker(String sequenceId, long index) {
        Chunk c = new Chunk();
        c.sequenceId = sequenceId;
        c.index = index;
        c.symbols = new int[0];
        c.prefix = new int[0];
        c.last = true;
        c.aborted = true;
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Chunk c && index == c.index && coreFrom == c.coreFrom && coreTo == c.coreTo
                && first == c.first && positions == c.positions && last == c.last && aborted == c.aborted
                && Objects.equals(sequenceId, c.sequenceId) && Arrays.equals(symbols, c.symbols)
                && Arrays.equals(prefix, c.prefix);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sequenceId, index, coreFrom, coreTo);
    }

    @Override
    public String toString() {
        return "Chunk{" + sequenceId + " #" + index + " core [" + coreFrom + ", " + coreTo + ") array [" + first + ", "
                + (first + positions) + ")" + (last ? " last" : "") + (aborted ? " aborted" : "") + "}";
    }
}
