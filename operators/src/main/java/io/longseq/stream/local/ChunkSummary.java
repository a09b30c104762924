package io.longseq.stream.local;

import io.longseq.stream.assemble.Chunk;
import java.util.Arrays;
import java.util.Objects;

/**
 * What {@code local-attention} makes of one chunk, for {@code global-context}: the summaries s_b of the chunk's
 * blocks, in order, and (only when token contexts are on) the per-position vectors z of its core.
 */
public class ChunkSummary {

    public String sequenceId;
    public long index;
    public long coreFrom;
    public long coreTo;
    /** summaries [blocks, d], blocks = ⌈(coreTo − coreFrom) / B⌉. */
    public float[] summaries;
    /**
     * Reverse-strand summaries [blocks, d] with {@link io.longseq.math.model.Strand#BOTH}; else empty (and null in
     * state written before the field existed).
     */
    public float[] reverseSummaries;
    /** z [coreTo − coreFrom, d] when token contexts are on; else empty. */
    public float[] z;
    public boolean last;
    public boolean aborted;
    /** {@link Chunk#arrivedAt} of its chunk, for the lag metric; not in {@code equals}. */
    public long arrivedAt;

    public ChunkSummary() {}

    @Override
    public boolean equals(Object o) {
        return o instanceof ChunkSummary c && index == c.index && coreFrom == c.coreFrom && coreTo == c.coreTo
                && last == c.last && aborted == c.aborted && Objects.equals(sequenceId, c.sequenceId)
                && Arrays.equals(summaries, c.summaries) && Arrays.equals(z, c.z)
                && Arrays.equals(reverseSummaries, c.reverseSummaries);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sequenceId, index);
    }

    @Override
    public String toString() {
        return "ChunkSummary{" + sequenceId + " #" + index + " [" + coreFrom + ", " + coreTo + ")"
                + (last ? " last" : "") + (aborted ? " aborted" : "") + "}";
    }
}
