package io.longseq.stream;

import io.longseq.math.ModelConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * {@code assemble} (keyed by sequence id, DESIGN.md 3): turns fragments in any order into whole chunks with
 * their halos.
 *
 * <ul>
 *   <li><b>Order.</b> A fragment that starts at the next expected position is appended to the tail; one that
 *       starts later waits in {@code pending} (bounded by {@link StreamSettings#reorderBound()} positions) until the
 *       positions before it arrive. Appending checks the pending map position by position, so each position is
 *       looked at once, and only while something is pending.</li>
 *   <li><b>Duplicates and overlaps.</b> Positions that were already received are compared with the retained tail:
 *       equal means a duplicate (dropped, or only its new part is used); different is a conflicting overlap, and
 *       the whole fragment becomes a dead letter. A fragment entirely before the retained tail cannot be checked
 *       and is a dead letter ("late").</li>
 *   <li><b>Gaps.</b> When the pending positions pass the bound, or the sequence goes idle with a hole, the
 *       {@link GapPolicy} acts: {@code skip} pads the missing positions and goes on (a notice says which);
 *       {@code fail-sequence} gives the sequence up (a notice, its pending fragments and all later ones become
 *       dead letters, and {@code global-context} gets an abort marker).</li>
 *   <li><b>Chunks.</b> Chunk c is emitted once its core and right halo have arrived and one position more (so the
 *       final chunk is only ever emitted by the end of the sequence and carries {@code last}), or at the end.
 *       After chunk c only the next chunk's left halo is kept.</li>
 *   <li><b>End.</b> When the last fragment's end is reached, everything left is flushed, a notice is emitted and
 *       all keyed state and timers of the sequence are cleared; only a tombstone cursor stays for
 *       {@link StreamSettings#endedRetention()} (none when it is zero), so that late fragments are dead letters
 *       rather than a new sequence.</li>
 *   <li><b>Idle.</b> A sequence with no fragment for {@link StreamSettings#idleTimeout()} is closed where it is:
 *       holes get the gap policy, then it ends at the last position received, with an IDLE_CLOSED notice.</li>
 * </ul>
 * One processing-time timer per sequence at most: it is moved lazily (re-registered when it fires early), not on
 * every fragment.
 */
public class AssembleFunction extends KeyedProcessFunction<String, TokenFragment, Chunk> {

    private static final long serialVersionUID = 1L;
    public static final String STAGE = "assemble";

    private final StreamSettings settings;

    private transient ValueState<AssembleCursor> cursorState;
    private transient ValueState<int[]> tailState;       // [capacity ≥ (nextExpected − tailStart)·F_in]
    private transient ValueState<int[]> prefixState;     // SINKS only: [min(n, sinkPrefix)·F_in]
    private transient MapState<Long, TokenFragment> pendingState;

    private transient int nf;
    private transient int chunk;
    private transient int leftHalo;
    private transient int rightHalo;
    private transient int sinkPrefix;
    private transient String key;

    public AssembleFunction(StreamSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext ctx) {
        cursorState = getRuntimeContext().getState(
                new ValueStateDescriptor<>("cursor", Types.POJO(AssembleCursor.class)));
        tailState = getRuntimeContext().getState(
                new ValueStateDescriptor<>("tail", PrimitiveArrayTypeInfo.INT_PRIMITIVE_ARRAY_TYPE_INFO));
        prefixState = getRuntimeContext().getState(
                new ValueStateDescriptor<>("sink-prefix", PrimitiveArrayTypeInfo.INT_PRIMITIVE_ARRAY_TYPE_INFO));
        pendingState = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("pending", Types.LONG, StreamTypes.TOKEN_FRAGMENT));
        ModelConfig cfg = settings.model();
        nf = settings.symbolsPerPosition();
        chunk = cfg.chunkSize();
        leftHalo = cfg.leftHalo();
        rightHalo = cfg.rightHalo();
        sinkPrefix = cfg.sinkPrefix();
    }

    @Override
    public void processElement(TokenFragment f, Context ctx, Collector<Chunk> out) throws Exception {
        key = ctx.getCurrentKey();
        AssembleCursor c = cursorState.value();
        if (c == null) {
            c = new AssembleCursor();
        }
        if (c.status == AssembleCursor.ENDED) {
            dead(ctx, f, "fragment [" + f.offset + ", " + f.end() + ") arrived after the end of the sequence at "
                    + c.end);
            return;
        }
        if (c.status == AssembleCursor.FAILED) {
            dead(ctx, f, "the sequence was given up at position " + c.nextExpected
                    + " (gap policy fail-sequence); fragment [" + f.offset + ", " + f.end() + ") dropped");
            return;
        }
        long now = ctx.timerService().currentProcessingTime();
        c.lastSeen = now;
        long idle = settings.idleTimeout().toMillis();
        if (idle > 0 && c.timerAt < 0) {
            c.timerAt = now + idle;
            ctx.timerService().registerProcessingTimeTimer(c.timerAt);
        }
        accept(c, f, ctx, out);
        save(c);
    }

    // one fragment into the cursor: end checks, then the part already received, the new part, or pending
    private void accept(AssembleCursor c, TokenFragment f, Context ctx, Collector<Chunk> out) throws Exception {
        if (c.end >= 0 && f.end() > c.end) {
            dead(ctx, f, "positions [" + f.offset + ", " + f.end() + ") pass the end of the sequence at " + c.end);
            return;
        }
        if (f.last) {
            if (c.end >= 0 && f.end() != c.end) {
                dead(ctx, f, "conflicting end: this last fragment ends the sequence at " + f.end()
                        + ", an earlier one at " + c.end);
                return;
            }
            if (f.end() < c.nextExpected) {
                dead(ctx, f, "conflicting end: this last fragment ends the sequence at " + f.end()
                        + ", but positions up to " + c.nextExpected + " were already received");
                return;
            }
            c.end = f.end();
        }
        if (f.refused && !refused(c, f, ctx, out)) {
            return;
        }
        if (f.positions > 0) {
            if (f.offset > c.nextExpected) {
                hold(c, f, ctx, out);
            } else {
                long before = c.nextExpected;
                if (append(c, f, ctx)) {
                    scan(c, before + 1, ctx);
                }
            }
        }
        if (c.status == AssembleCursor.OPEN) {
            emitReady(c, ctx, out);
        }
    }

    /**
     * A refused marker (validate already dead-lettered the record): positions that will not come. Nothing to do
     * if they were all received already. Policy fail-sequence gives the sequence up; skip turns the marker into
     * padding for those positions, which then goes the normal way. Returns true if the (now padding) fragment
     * should go on.
     */
    private boolean refused(AssembleCursor c, TokenFragment f, Context ctx, Collector<Chunk> out) throws Exception {
        if (f.end() <= c.nextExpected || f.positions == 0) {
            if (c.status == AssembleCursor.OPEN) {
                emitReady(c, ctx, out); // a refused last fragment may have fixed the end
            }
            return false;
        }
        String what = "positions [" + f.offset + ", " + f.end() + ") were refused by validate (see the dead letters)";
        if (settings.gapPolicy() == GapPolicy.FAIL_SEQUENCE) {
            fail(c, what, ctx, out);
            return false;
        }
        int[] pad = new int[f.positions * nf];
        Arrays.fill(pad, settings.paddingSymbol());
        f.symbols = pad;
        ctx.output(StreamTypes.NOTICES, new Notice(key, Notice.Kind.GAP_SKIPPED, f.offset, f.positions,
                what + "; filled with padding (gap policy skip)"));
        return true;
    }

    /**
     * A fragment that starts at or before nextExpected: the part already received is checked against the tail,
     * the new part appended. Returns true if it added positions; false if it was a duplicate or a dead letter.
     */
    private boolean append(AssembleCursor c, TokenFragment f, Context ctx) throws Exception {
        long overlapTo = Math.min(f.end(), c.nextExpected);
        if (f.offset < overlapTo) {
            if (f.end() <= c.tailStart) {
                dead(ctx, f, "late fragment [" + f.offset + ", " + f.end() + "): those positions were processed and"
                        + " are no longer held (held from " + c.tailStart + "), so it cannot be checked");
                return false;
            }
            int[] tail = tail();
            for (long p = Math.max(f.offset, c.tailStart); p < overlapTo; p++) {
                int ti = (int) (p - c.tailStart) * nf;
                int fi = (int) (p - f.offset) * nf;
                if (!Arrays.equals(tail, ti, ti + nf, f.symbols, fi, fi + nf)) {
                    dead(ctx, f, "conflicting overlap at position " + p + ": fragment [" + f.offset + ", " + f.end()
                            + ") differs from the positions already received");
                    return false;
                }
            }
        }
        if (f.end() <= c.nextExpected) {
            return false; // a duplicate of what is held
        }
        int skip = (int) (c.nextExpected - f.offset);
        appendSymbols(c, f.symbols, skip * nf, (f.positions - skip) * nf);
        return true;
    }

    private void appendSymbols(AssembleCursor c, int[] src, int from, int count) throws Exception {
        int[] tail = tail();
        int used = (int) (c.nextExpected - c.tailStart) * nf;
        if (used + count > tail.length) {
            tail = Arrays.copyOf(tail, Math.max(used + count, Math.max(64, tail.length * 2)));
        }
        System.arraycopy(src, from, tail, used, count);
        c.nextExpected += count / nf;
        tailState.update(tail);
    }

    private int[] tail() throws Exception {
        int[] t = tailState.value();
        return t == null ? new int[0] : t;
    }

    /** Keeps a fragment that starts past nextExpected; applies the gap policy when the bound is passed. */
    private void hold(AssembleCursor c, TokenFragment f, Context ctx, Collector<Chunk> out) throws Exception {
        TokenFragment held = pendingState.get(f.offset);
        if (held != null) {
            int n = Math.min(held.positions, f.positions) * nf;
            if (!Arrays.equals(held.symbols, 0, n, f.symbols, 0, n)) {
                dead(ctx, f, "conflicting overlap at position " + f.offset + ": fragment [" + f.offset + ", "
                        + f.end() + ") differs from another fragment received for the same positions");
                return;
            }
            if (f.positions <= held.positions) {
                return; // duplicate
            }
            pendingState.put(f.offset, f);
            c.pendingPositions += f.positions - held.positions;
        } else {
            pendingState.put(f.offset, f);
            c.pendingCount++;
            c.pendingPositions += f.positions;
        }
        while (c.status == AssembleCursor.OPEN && c.pendingPositions > settings.reorderBound()) {
            gap(c, "more than " + settings.reorderBound() + " positions wait behind it (reorder-bound)", ctx, out);
        }
    }

    /**
     * Moves the pending fragments that the tail has reached into it. Held keys are always greater than the
     * nextExpected they were held at, so scanning the positions from the previous nextExpected + 1 to the current
     * one (which grows as fragments are appended) finds them all; each position is looked up once.
     */
    private void scan(AssembleCursor c, long from, Context ctx) throws Exception {
        for (long p = from; p <= c.nextExpected && c.pendingCount > 0; p++) {
            TokenFragment g = pendingState.get(p);
            if (g == null) {
                continue;
            }
            pendingState.remove(p);
            c.pendingCount--;
            c.pendingPositions -= g.positions;
            if (c.end >= 0 && g.end() > c.end) {
                dead(ctx, g, "positions [" + g.offset + ", " + g.end() + ") pass the end of the sequence at " + c.end);
                continue;
            }
            append(c, g, ctx);
        }
    }

    /** The gap policy for the hole that starts at nextExpected and ends at the first pending fragment. */
    private void gap(AssembleCursor c, String why, Context ctx, Collector<Chunk> out) throws Exception {
        if (settings.gapPolicy() == GapPolicy.FAIL_SEQUENCE) {
            fail(c, "gap at position " + c.nextExpected + ": " + why, ctx, out);
            return;
        }
        long to = Long.MAX_VALUE;
        for (Long k : pendingState.keys()) {
            to = Math.min(to, k);
        }
        long before = c.nextExpected;
        fill(c, to, why, ctx);
        scan(c, before + 1, ctx);
    }

    /** Gap policy skip: pads [nextExpected, to) and says so in a notice. */
    private void fill(AssembleCursor c, long to, String why, Context ctx) throws Exception {
        long from = c.nextExpected;
        int[] pad = new int[Math.toIntExact((to - from) * nf)];
        Arrays.fill(pad, settings.paddingSymbol());
        appendSymbols(c, pad, 0, pad.length);
        ctx.output(StreamTypes.NOTICES, new Notice(key, Notice.Kind.GAP_SKIPPED, from, to - from,
                "positions [" + from + ", " + to + ") never arrived (" + why + "); filled with padding (gap policy skip)"));
    }

    /** Emits every chunk that is complete; when the end is reached, the rest, and then closes the sequence. */
    private void emitReady(AssembleCursor c, Context ctx, Collector<Chunk> out) throws Exception {
        boolean ended = c.end >= 0 && c.nextExpected == c.end;
        while (true) {
            long coreFrom = c.nextChunk * chunk;
            long coreTo = coreFrom + chunk;
            boolean ready = ended ? coreFrom < c.end
                    : c.nextExpected > coreTo + rightHalo && c.nextExpected >= sinkPrefix;
            if (!ready) {
                break;
            }
            emit(c, Math.min(coreTo, c.nextExpected), ended, out);
        }
        if (ended) {
            finish(c, ctx);
        }
    }

    // chunk nextChunk with core [nextChunk·C, coreTo) and the halos held, then trim the tail to the next left halo
    private void emit(AssembleCursor c, long coreTo, boolean ended, Collector<Chunk> out) throws Exception {
        int[] tail = tail();
        long coreFrom = c.nextChunk * chunk;
        if (c.nextChunk == 0 && sinkPrefix > 0) {
            int n = (int) Math.min(sinkPrefix, c.nextExpected);
            prefixState.update(Arrays.copyOfRange(tail, 0, n * nf));
        }
        Chunk k = new Chunk();
        k.sequenceId = key;
        k.index = c.nextChunk;
        k.coreFrom = coreFrom;
        k.coreTo = coreTo;
        k.first = Math.max(0, coreFrom - leftHalo);
        long arrayTo = Math.min(c.nextExpected, coreTo + rightHalo);
        k.positions = (int) (arrayTo - k.first);
        int from = (int) (k.first - c.tailStart) * nf;
        k.symbols = Arrays.copyOfRange(tail, from, from + k.positions * nf);
        int[] prefix = sinkPrefix > 0 && coreFrom > 0 ? prefixState.value() : null;
        k.prefix = prefix == null ? new int[0] : prefix;
        k.last = ended && coreTo == c.end;
        out.collect(k);
        c.nextChunk++;
        long keepFrom = Math.max(c.tailStart, Math.min(c.nextExpected, c.nextChunk * chunk - leftHalo));
        int drop = (int) (keepFrom - c.tailStart) * nf;
        if (drop > 0) {
            int used = (int) (c.nextExpected - c.tailStart) * nf;
            System.arraycopy(tail, drop, tail, 0, used - drop);
            c.tailStart = keepFrom;
            tailState.update(tail);
        }
    }

    /** The sequence reached its end: notice, then everything of it is cleared but the tombstone. */
    private void finish(AssembleCursor c, Context ctx) throws Exception {
        for (TokenFragment g : pendingState.values()) {
            dead(ctx, g, "positions [" + g.offset + ", " + g.end() + ") pass the end of the sequence at " + c.end);
        }
        if (c.idleClosed) {
            close(c, AssembleCursor.ENDED, ctx); // the IDLE_CLOSED notice already said how it ended
            return;
        }
        ctx.output(StreamTypes.NOTICES, c.end == 0
                ? new Notice(key, Notice.Kind.EMPTY, 0, 0, "the sequence ended with no positions")
                : new Notice(key, Notice.Kind.ENDED, c.end, c.nextChunk,
                        "ended at position " + c.end + " after " + c.nextChunk + " chunks"));
        close(c, AssembleCursor.ENDED, ctx);
    }

    /** Gap policy fail-sequence: gives the sequence up; what it held becomes dead letters. */
    private void fail(AssembleCursor c, String reason, Context ctx, Collector<Chunk> out) throws Exception {
        long dropped = 0;
        for (TokenFragment g : pendingState.values()) {
            dropped += g.positions;
            dead(ctx, g, "dropped: the sequence was given up (" + reason + ")");
        }
        ctx.output(StreamTypes.NOTICES, new Notice(key, Notice.Kind.SEQUENCE_FAILED, c.nextExpected, dropped,
                "given up (gap policy fail-sequence): " + reason + "; " + c.nextChunk + " chunks were emitted, "
                        + dropped + " held positions went to the dead letters"));
        if (c.nextChunk > 0) {
            out.collect(Chunk.abortMarker(key, c.nextChunk));
        }
        close(c, AssembleCursor.FAILED, ctx);
    }

    // clears everything of the sequence; keeps a tombstone cursor (and its one timer) for the retention only
    private void close(AssembleCursor c, int status, Context ctx) throws Exception {
        if (c.timerAt >= 0) {
            ctx.timerService().deleteProcessingTimeTimer(c.timerAt);
            c.timerAt = -1;
        }
        tailState.clear();
        prefixState.clear();
        pendingState.clear();
        c.pendingCount = 0;
        c.pendingPositions = 0;
        long retention = settings.endedRetention().toMillis();
        if (retention > 0) {
            c.status = status;
            c.timerAt = ctx.timerService().currentProcessingTime() + retention;
            ctx.timerService().registerProcessingTimeTimer(c.timerAt);
        } else {
            c.status = AssembleCursor.CLEARED;
            cursorState.clear();
        }
    }

    private void save(AssembleCursor c) throws Exception {
        if (c.status != AssembleCursor.CLEARED) {
            cursorState.update(c);
        }
    }

    private void dead(Context ctx, TokenFragment f, String reason) {
        if (f.refused) {
            return; // validate has already sent this record to the dead letters
        }
        ctx.output(StreamTypes.DEAD_LETTERS, DeadLetter.of(f.original, STAGE, reason));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Chunk> out) throws Exception {
        key = ctx.getCurrentKey();
        AssembleCursor c = cursorState.value();
        if (c == null || timestamp != c.timerAt) {
            return;
        }
        if (c.status != AssembleCursor.OPEN) {
            cursorState.clear(); // the tombstone's retention is over
            return;
        }
        long idle = settings.idleTimeout().toMillis();
        if (timestamp < c.lastSeen + idle) {
            c.timerAt = c.lastSeen + idle; // fragments came since: move the timer lazily
            ctx.timerService().registerProcessingTimeTimer(c.timerAt);
            save(c);
            return;
        }
        c.timerAt = -1;
        String why = "no fragment for " + settings.idleTimeout().toMillis() + " ms (idle-timeout)";
        while (c.status == AssembleCursor.OPEN && c.pendingCount > 0) {
            gap(c, why, ctx, out);
        }
        if (c.status == AssembleCursor.OPEN && c.end > c.nextExpected) {
            if (settings.gapPolicy() == GapPolicy.SKIP) {
                fill(c, c.end, why, ctx);
            } else {
                fail(c, "positions [" + c.nextExpected + ", " + c.end + ") missing before the end; " + why, ctx, out);
            }
        }
        if (c.status == AssembleCursor.OPEN) {
            if (c.end < 0) {
                c.end = c.nextExpected;
                c.idleClosed = true;
                ctx.output(StreamTypes.NOTICES, new Notice(key, Notice.Kind.IDLE_CLOSED, c.end, 0,
                        "closed at position " + c.end + " without a last fragment: " + why));
            }
            emitReady(c, ctx, out);
        }
        save(c);
    }
}
