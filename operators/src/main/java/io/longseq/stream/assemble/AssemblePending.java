package io.longseq.stream.assemble;

import static io.longseq.stream.assemble.ChunkGeometry.count;

import io.longseq.stream.StreamLimits;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.input.TokenFragment;

/**
 * {@code assemble}'s out-of-order fragments of one sequence (the keyed state of the key in context), by offset,
 * and the two reorder bounds on them: {@link StreamSettings#reorderBound()} positions and
 * {@link StreamLimits#reorderBytes()} bytes. The counts are kept in the cursor as running totals, changed by
 * each fragment held or taken, so checking a bound never scans the map. Pure; no Flink (the state behind it is an
 * {@link AssembleState.Fragments}).
 */
final class AssemblePending {

    /** What {@link #hold} did with a fragment. */
    enum Held { NEW, LONGER, DUPLICATE, CONFLICT }

    private final AssembleState.Fragments state;
    private final int nf;
    private final int pad;
    private final int reorderBound;
    private final long reorderBytes;

    AssemblePending(AssembleState.Fragments state, StreamSettings settings) {
        this.state = state;
        this.nf = settings.symbolsPerPosition();
        this.pad = settings.paddingSymbol();
        this.reorderBound = settings.reorderBound();
        this.reorderBytes = settings.limits().reorderBytes();
    }

    /**
     * What a held fragment costs: its symbols (positions · F_in · 4 bytes; none for a refused one, which stands
     * for padding) and the original payload kept for a dead letter.
     */
    static long heldBytes(TokenFragment f) {
        long payload = f.original == null || f.original.payload == null ? 0 : f.original.payload.length;
        return 4L * (f.symbols == null ? 0 : f.symbols.length) + payload;
    }

    /**
     * Holds a fragment that starts past nextExpected. Another one held for the same offset must agree on their
     * common positions (else CONFLICT, nothing changes); the longer of the two is kept.
     */
    Held hold(AssembleCursor c, TokenFragment f) throws Exception {
        TokenFragment held = state.get(f.offset);
        if (held == null) {
            state.put(f.offset, f);
            c.pendingCount++;
            c.pendingPositions += f.positions;
            c.pendingBytes += heldBytes(f);
            return Held.NEW;
        }
        if (!SymbolRanges.samePrefix(held.refused ? null : held.symbols, f.refused ? null : f.symbols,
                Math.min(held.positions, f.positions), nf, pad)) {
            return Held.CONFLICT;
        }
        if (f.positions <= held.positions) {
            return Held.DUPLICATE;
        }
        state.put(f.offset, f);
        c.pendingPositions += f.positions - held.positions;
        c.pendingBytes += heldBytes(f) - heldBytes(held);
        return Held.LONGER;
    }

    /** Takes the fragment held for {@code offset} out, or returns null if there is none. */
    TokenFragment take(AssembleCursor c, long offset) throws Exception {
        TokenFragment g = state.get(offset);
        if (g != null) {
            state.remove(offset);
            c.pendingCount--;
            c.pendingPositions -= g.positions;
            c.pendingBytes = Math.max(0, c.pendingBytes - heldBytes(g)); // ≥ 0 even for state from before the count
        }
        return g;
    }

    /** The smallest offset held (a scan of the keys: only when the gap policy acts), Long.MAX_VALUE if none. */
    long firstOffset() throws Exception {
        long first = Long.MAX_VALUE;
        for (Long k : state.offsets()) {
            first = Math.min(first, k);
        }
        return first;
    }

    /** Why the held fragments are past a reorder bound, or null if they are not. */
    String overBound(AssembleCursor c) {
        if (c.pendingPositions > reorderBound) {
            return "more than " + reorderBound + " positions wait behind it (reorder-bound)";
        }
        if (c.pendingBytes > reorderBytes) {
            return "more than " + count(reorderBytes) + " bytes of symbols and payloads wait behind it"
                    + " (reorder-bytes)";
        }
        return null;
    }

    Iterable<TokenFragment> all() throws Exception {
        return state.all();
    }

    void clear(AssembleCursor c) {
        state.clear();
        c.pendingCount = 0;
        c.pendingPositions = 0;
        c.pendingBytes = 0;
    }
}
