package io.longseq.stream.input;

import io.longseq.stream.OperatorMetrics;
import io.longseq.stream.StreamSettings;
import java.util.Arrays;
import java.util.Objects;

/**
 * A fragment that passed {@code validate}: its positions as symbols, plus the original record for dead letters
 * that {@code assemble} may still raise (a conflicting overlap, a fragment after the end).
 *
 * <p>Symbols per position ({@code F_in} of them, see {@link StreamSettings#symbolsPerPosition()}): DNA, the base
 * byte itself (one symbol; k-mers are formed in {@code local-attention}, where the left halo supplies the bases
 * before the chunk); TOKENS, the id; LOG, the hashed ids of the line's first F masked words, -1 in empty slots.
 */
public class TokenFragment {

    public String sequenceId;
    public long offset;
    /** Positions in this fragment. */
    public int positions;
    /** symbols [positions · F_in], position-major. */
    public int[] symbols;
    public boolean last;
    /** The record as it arrived (its payload is the original bytes). */
    public SequenceFragment original;
    /**
     * Validate refused the record (it is already a dead letter): {@code [offset, offset + positions)} will not
     * come from it, and {@code symbols} is empty. Assemble applies the gap policy to those positions.
     */
    public boolean refused;
    /**
     * Processing time (ms) at which {@code validate} received the fragment, for the lag metric
     * ({@link OperatorMetrics#LAG}); 0 when unknown. A measurement, not content: not in {@code equals}.
     */
    public long arrivedAt;

    public TokenFragment() {}

    public TokenFragment(SequenceFragment original, int positions, int[] symbols) {
        this.sequenceId = original.sequenceId;
        this.offset = original.offset;
        this.positions = positions;
        this.symbols = symbols;
        this.last = original.last;
        this.original = original;
    }

    /** One past the last position. */
    public long end() {
        return offset + positions;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenFragment f && offset == f.offset && positions == f.positions && last == f.last
                && refused == f.refused
                && Objects.equals(sequenceId, f.sequenceId) && Arrays.equals(symbols, f.symbols)
                && Objects.equals(original, f.original);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sequenceId, offset, positions, last);
    }

    @Override
    public String toString() {
        return "TokenFragment{" + sequenceId + " [" + offset + ", " + end() + ")" + (last ? " last" : "") + (refused ? " refused" : "") + "}";
    }
}
