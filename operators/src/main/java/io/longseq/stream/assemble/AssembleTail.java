package io.longseq.stream.assemble;

import io.longseq.math.model.ModelConfig;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.input.TokenFragment;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * {@code assemble}'s assembled tail of one sequence (the keyed state of the key in context) and the chunks cut from
 * it: the symbols of {@code [tailStart, nextExpected)} (docs/design.md 3). Positions become array indices only through
 * {@link ChunkGeometry}; the tail holds at most a chunk's array, one position more and the last fragment appended
 * (padding comes a piece of at most one chunk at a time), so its size is set by the configuration and by the
 * payload cap, never by an offset or a hole. Pure; no Flink (the state behind it is an {@link AssembleState.Value}).
 */
final class AssembleTail {

    private final AssembleState.Value<int[]> tailState;   // [capacity ≥ (nextExpected − tailStart)·F_in]
    private final AssembleState.Value<int[]> prefixState; // SINKS only: [min(n, sinkPrefix)·F_in]
    private final int nf;
    private final int chunk;
    private final int leftHalo;
    private final int rightHalo;
    private final int sinkPrefix;
    private final int pad;

    AssembleTail(AssembleState.Value<int[]> tailState, AssembleState.Value<int[]> prefixState,
            StreamSettings settings) {
        ModelConfig cfg = settings.model();
        this.tailState = tailState;
        this.prefixState = prefixState;
        this.nf = settings.symbolsPerPosition();
        this.chunk = cfg.chunkSize();
        this.leftHalo = cfg.leftHalo();
        this.rightHalo = cfg.rightHalo();
        this.sinkPrefix = cfg.sinkPrefix();
        this.pad = settings.paddingSymbol();
    }

    private int[] symbols() throws Exception {
        int[] t = tailState.value();
        return t == null ? new int[0] : t;
    }

    /** Symbols held: (nextExpected − tailStart)·F_in. */
    int used(AssembleCursor c) {
        return ChunkGeometry.index(c.nextExpected, c.tailStart, nf);
    }

    /**
     * The first position in [from, to) (held in the tail) where fragment f differs from the tail, or −1. A refused
     * fragment stands for padding.
     */
    long firstConflict(AssembleCursor c, TokenFragment f, long from, long to) throws Exception {
        int at = SymbolRanges.firstMismatch(symbols(), ChunkGeometry.index(from, c.tailStart, nf),
                f.refused ? null : f.symbols, f.refused ? 0 : ChunkGeometry.index(from, f.offset, nf),
                ChunkGeometry.index(to, from, nf), pad);
        return at < 0 ? -1 : from + at / nf;
    }

    /** Whether {@code count} more symbols fit one array beside those held. */
    boolean fits(AssembleCursor c, int count) {
        return (long) used(c) + count <= ChunkGeometry.MAX_ARRAY;
    }

    /** Appends src[from, from + count) (whole positions; {@link #fits} first). */
    void append(AssembleCursor c, int[] src, int from, int count) throws Exception {
        int used = used(c);
        int[] tail = room(symbols(), used + count);
        System.arraycopy(src, from, tail, used, count);
        c.nextExpected += count / nf;
        tailState.update(tail);
    }

    /** Appends n positions of padding (n ≤ chunk, so the tail stays within ChunkGeometry.maxTailPositions). */
    void appendPadding(AssembleCursor c, int n) throws Exception {
        int used = used(c);
        int[] tail = room(symbols(), used + n * nf);
        Arrays.fill(tail, used, used + n * nf, pad);
        c.nextExpected += n;
        tailState.update(tail);
    }

    // the tail with room for `need` symbols, grown by doubling (capped at the largest array)
    private static int[] room(int[] tail, int need) {
        if (need <= tail.length) {
            return tail;
        }
        long grown = Math.max(need, Math.max(64L, 2L * tail.length));
        return Arrays.copyOf(tail, (int) Math.min(grown, ChunkGeometry.MAX_ARRAY));
    }

    /**
     * Emits every chunk that is complete: before the end, once its core, its right halo and one position more
     * have arrived (and the sink prefix); at the end ({@code ended}), all the rest, the final one with
     * {@code last}. Then trims the tail to the next chunk's left halo (not at the end: it is cleared then).
     */
    void emitChunks(AssembleCursor c, String key, boolean ended, Consumer<Chunk> out) throws Exception {
        int[] tail = null;
        while (true) {
            long coreFrom = ChunkGeometry.coreFrom(c.nextChunk, chunk);
            boolean ready = ended ? coreFrom < c.end
                    : ChunkGeometry.readyBeforeEnd(c.nextExpected, coreFrom, chunk, rightHalo, sinkPrefix);
            if (!ready) {
                break;
            }
            if (tail == null) {
                tail = symbols();
            }
            emit(c, key, tail, coreFrom, ended, out);
        }
        if (tail != null && !ended) {
            trim(c, tail);
        }
    }

    // chunk nextChunk with core [coreFrom, coreTo) and the halos held
    private void emit(AssembleCursor c, String key, int[] tail, long coreFrom, boolean ended, Consumer<Chunk> out)
            throws Exception {
        long coreTo = ChunkGeometry.coreTo(coreFrom, chunk, c.nextExpected);
        if (c.nextChunk == 0 && sinkPrefix > 0) {
            int n = (int) Math.min(sinkPrefix, c.nextExpected); // the tail starts at 0 until chunk 0 is out
            prefixState.update(Arrays.copyOfRange(tail, 0, n * nf));
        }
        Chunk k = new Chunk();
        k.sequenceId = key;
        k.index = c.nextChunk;
        k.coreFrom = coreFrom;
        k.coreTo = coreTo;
        k.first = ChunkGeometry.arrayFrom(coreFrom, leftHalo);
        long arrayTo = ChunkGeometry.arrayTo(coreFrom, chunk, rightHalo, c.nextExpected);
        k.positions = (int) (arrayTo - k.first); // ≤ leftHalo + chunk + rightHalo (checkArrays)
        int from = ChunkGeometry.index(k.first, c.tailStart, nf);
        k.symbols = Arrays.copyOfRange(tail, from, from + k.positions * nf); // [positions, F_in]
        int[] prefix = sinkPrefix > 0 && coreFrom > 0 ? prefixState.value() : null;
        k.prefix = prefix == null ? new int[0] : prefix;
        k.last = ended && coreTo == c.end;
        out.accept(k);
        c.nextChunk++;
    }

    // drops the positions before the next chunk's left halo; gives back the room of a tail that grew far past it
    private void trim(AssembleCursor c, int[] tail) throws Exception {
        long keepFrom = ChunkGeometry.keepFrom(c.tailStart, c.nextExpected,
                ChunkGeometry.coreFrom(c.nextChunk, chunk), leftHalo);
        int drop = ChunkGeometry.index(keepFrom, c.tailStart, nf);
        if (drop <= 0) {
            return;
        }
        int keep = used(c) - drop;
        long room = Math.max(64L, 2L * keep);
        if (tail.length > 2 * room) {
            int[] t = new int[(int) Math.min(room, ChunkGeometry.MAX_ARRAY)];
            System.arraycopy(tail, drop, t, 0, keep);
            tail = t;
        } else {
            System.arraycopy(tail, drop, tail, 0, keep);
        }
        c.tailStart = keepFrom;
        tailState.update(tail);
    }

    void clear() {
        tailState.clear();
        prefixState.clear();
    }
}
