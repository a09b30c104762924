package io.longseq.stream.global;

import java.util.Arrays;
import java.util.Objects;

/**
 * Per-token output of one block (docs/design.md 2.6, optional and heavy): u_i = z_i + g_b·W_go for the positions
 * i of block b, one record per block rather than per token, so that the per-record cost is paid once per B
 * positions.
 */
public class TokenContext {

    public String sequenceId;
    public long block;
    /** First position. */
    public long start;
    /** One past the last position. */
    public long end;
    /** u [end − start, d]. */
    public float[] vectors;

    public TokenContext() {}

    public TokenContext(String sequenceId, long block, long start, long end, float[] vectors) {
        this.sequenceId = sequenceId;
        this.block = block;
        this.start = start;
        this.end = end;
        this.vectors = vectors;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenContext t && block == t.block && start == t.start && end == t.end
                && Objects.equals(sequenceId, t.sequenceId) && Arrays.equals(vectors, t.vectors);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sequenceId, block);
    }

    @Override
    public String toString() {
        return "TokenContext{" + sequenceId + " block " + block + " [" + start + ", " + end + ")}";
    }
}
