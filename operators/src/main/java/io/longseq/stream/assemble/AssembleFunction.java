package io.longseq.stream.assemble;

import static io.longseq.stream.assemble.ChunkGeometry.count;

import io.longseq.stream.DeadLetter;
import io.longseq.stream.Notice;
import io.longseq.stream.OperatorMetrics;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.StreamTypes;
import io.longseq.stream.input.DeadLetterCounters;
import io.longseq.stream.input.DeadLetterRule;
import io.longseq.stream.input.TokenFragment;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * {@code assemble} (keyed by sequence id, docs/design.md 3): turns fragments in any order into whole chunks with
 * their halos. Run it as {@link AssembleOperator}, which adds the subtask-level cap on tombstones.
 *
 * <ul>
 *   <li><b>Order.</b> A fragment that starts at the next expected position is appended to the tail; one that
 *       starts later waits in {@code pending} until the positions before it arrive. Pending is bounded twice: by
 *       {@link StreamSettings#reorderBound()} positions and by {@link StreamLimits#reorderBytes()} bytes (symbols
 *       and the payloads kept for dead letters, a running count in the cursor). Appending checks the pending map
 *       position by position, so each position is looked at once, and only while something is pending.</li>
 *   <li><b>Duplicates and overlaps.</b> Positions that were already received are compared with the retained tail:
 *       equal means a duplicate (dropped, or only its new part is used); different is a conflicting overlap, and
 *       the whole fragment becomes a dead letter. A fragment entirely before the retained tail cannot be checked
 *       and is a dead letter ("late").</li>
 *   <li><b>Gaps.</b> When pending passes a bound, or the sequence goes idle with a hole, the {@link GapPolicy}
 *       acts: {@code skip} pads the missing positions and goes on (a notice says which); {@code fail-sequence}
 *       gives the sequence up (a notice, its pending fragments and all later ones become dead letters, and
 *       {@code global-context} gets an abort marker). A hole of more than {@link StreamLimits#maxGap()} positions
 *       gives the sequence up whatever the policy. Padding is never materialised as a whole: it is appended a chunk
 *       at a time and each chunk is emitted as soon as it is complete, at most {@link #FILL_STEP_CHUNKS} chunks of
 *       it per element or timer; a longer hole goes on from a timer 1 ms later (so one hole cannot hold the subtask,
 *       and checkpoints, for long). A fragment that overlaps positions being padded is a dead letter; one held
 *       while pending is past a bound finishes the padding at once (as if it had been done in one go).</li>
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
 * One processing-time timer per sequence at most (idle, padding under way, or the tombstone's retention): the idle
 * timer is moved lazily (re-registered when it fires early), not on every fragment. Positions are longs up to
 * {@code max-position}; their arithmetic is in {@link ChunkGeometry}.
 */
public class AssembleFunction extends KeyedProcessFunction<String, TokenFragment, Chunk> {

    private static final long serialVersionUID = 1L;
    public static final String STAGE = "assemble";
    /** Chunks of padding one element or timer appends at most; the rest of a hole goes on from a timer. */
    public static final int FILL_STEP_CHUNKS = 64;

    /** The subtask's tombstones, told of each one made and each one whose retention is over. */
    interface Tombstones {
        Tombstones NONE = new Tombstones() {
            @Override
            public void ended(String id, long expiresAt) {}

            @Override
            public void expired(String id) {}
        };

        void ended(String id, long expiresAt) throws Exception;

        void expired(String id);
    }

    private final StreamSettings settings;

    private transient ValueState<AssembleCursor> cursorState;
    private transient AssembleTail tail;
    private transient AssemblePending pending;
    /** Set by {@link AssembleOperator}; none (no cap) in a plain {@code KeyedProcessOperator}. */
    transient Tombstones tombstones;

    private transient int nf;
    private transient int chunk;
    private transient String key;
    /** Padding positions the current element or timer may still append. */
    private transient long budget;

    // metrics (OperatorMetrics)
    public transient DeadLetterCounters deadLetters;
    /** Open sequences and the positions they hold pending; {@link AssembleOperator} adds those of restored state. */
    public transient OpenSequences sequences;
    private transient EmittedChunks emitted;

    /**
     * @throws IllegalArgumentException when a chunk's array at this F_in would not fit one Java array
     */
    public AssembleFunction(StreamSettings settings) {
        ChunkGeometry.checkArrays(settings.model(), settings.symbolsPerPosition());
        this.settings = settings;
    }

    /** The cursor's state, also read by {@link AssembleOperator} for every key. */
    static ValueStateDescriptor<AssembleCursor> cursorDescriptor() {
        return new ValueStateDescriptor<>("cursor", Types.POJO(AssembleCursor.class));
    }

    @Override
    public void open(OpenContext ctx) {
        cursorState = getRuntimeContext().getState(cursorDescriptor());
        tail = new AssembleTail(
                getRuntimeContext().getState(new ValueStateDescriptor<>("tail",
                        PrimitiveArrayTypeInfo.INT_PRIMITIVE_ARRAY_TYPE_INFO)),
                getRuntimeContext().getState(new ValueStateDescriptor<>("sink-prefix",
                        PrimitiveArrayTypeInfo.INT_PRIMITIVE_ARRAY_TYPE_INFO)),
                settings);
        pending = new AssemblePending(getRuntimeContext().getMapState(
                new MapStateDescriptor<>("pending", Types.LONG, StreamTypes.TOKEN_FRAGMENT)), settings);
        nf = settings.symbolsPerPosition();
        chunk = settings.model().chunkSize();
        if (tombstones == null) {
            tombstones = Tombstones.NONE;
        }
        MetricGroup metrics = OperatorMetrics.group(getRuntimeContext());
        deadLetters = new DeadLetterCounters(metrics, DeadLetterRule.ASSEMBLE);
        sequences = new OpenSequences().register(metrics, true);
        emitted = new EmittedChunks(metrics.counter(OperatorMetrics.CHUNKS_ASSEMBLED));
    }

    @Override
    public void processElement(TokenFragment f, Context ctx, Collector<Chunk> out) throws Exception {
        key = ctx.getCurrentKey();
        AssembleCursor c = cursorState.value();
        if (c == null) {
            c = new AssembleCursor();
            sequences.opened();
        }
        if (c.status == AssembleCursor.ENDED) {
            dead(ctx, f, DeadLetterRule.AFTER_END,
                    "fragment [" + f.offset + ", " + f.end() + ") arrived after the end of the sequence at "
                    + c.end);
            return;
        }
        if (c.status == AssembleCursor.FAILED) {
            dead(ctx, f, DeadLetterRule.GIVEN_UP,
                    "the sequence was given up at position " + c.nextExpected + " (see its SEQUENCE_FAILED"
                    + " notice); fragment [" + f.offset + ", " + f.end() + ") dropped");
            return;
        }
        long now = ctx.timerService().currentProcessingTime();
        c.lastSeen = now;
        long idle = settings.idleTimeout().toMillis();
        if (idle > 0 && c.timerAt < 0) {
            c.timerAt = ChunkGeometry.plus(now, idle);
            ctx.timerService().registerProcessingTimeTimer(c.timerAt);
        }
        budget = (long) FILL_STEP_CHUNKS * chunk;
        long waiting = c.pendingPositions;
        accept(c, f, ctx, emitted.stamp(out, f.arrivedAt > 0 ? f.arrivedAt : now));
        armTimer(c, ctx);
        save(c);
        sequences.waiting(c.pendingPositions - waiting);
    }

    // one fragment into the cursor: end checks, then the part already received, the new part, or pending
    private void accept(AssembleCursor c, TokenFragment f, Context ctx, Collector<Chunk> out) throws Exception {
        long reached = reached(c);
        if (c.end >= 0 && f.end() > c.end) {
            dead(ctx, f, DeadLetterRule.PAST_END,
                    "positions [" + f.offset + ", " + f.end() + ") pass the end of the sequence at " + c.end);
            return;
        }
        if (f.last) {
            if (c.end >= 0 && f.end() != c.end) {
                dead(ctx, f, DeadLetterRule.CONFLICTING_END,
                        "conflicting end: this last fragment ends the sequence at " + f.end()
                        + ", an earlier one at " + c.end);
                return;
            }
            if (f.end() < reached) {
                dead(ctx, f, DeadLetterRule.CONFLICTING_END,
                        "conflicting end: this last fragment ends the sequence at " + f.end()
                        + ", but positions up to " + reached + " were already received"
                        + (filling(c) ? " or are being padded" : ""));
                return;
            }
            c.end = f.end();
        }
        if (f.refused && !refused(c, f, ctx, out)) {
            return;
        }
        if (f.positions > 0) {
            if (filling(c) && f.offset < c.fillTo && f.end() > c.nextExpected) {
                dead(ctx, f, DeadLetterRule.OVERLAPS_PADDING,
                        "positions [" + f.offset + ", " + f.end() + ") arrived while [" + c.nextExpected + ", "
                        + c.fillTo + ") were being filled with padding (gap policy skip)");
            } else if (f.offset > c.nextExpected) {
                hold(c, f, ctx);
                if (f.offset - reached > settings.limits().maxGap()) {
                    // the hole before it is already too large to wait for: give up now, not at the idle timeout
                    fail(c, "fragment [" + f.offset + ", " + f.end() + ") lies past positions [" + reached + ", "
                            + f.offset + ") that never arrived: " + tooBig(f.offset - reached), "max-gap", ctx, out);
                    return;
                }
                if (filling(c) && pending.overBound(c) != null) {
                    budget = Long.MAX_VALUE; // held while padding, past a bound: finish the padding at once
                }
            } else {
                long before = c.nextExpected;
                if (append(c, f, ctx)) {
                    c.scanFrom = before + 1;
                }
            }
        }
        advance(c, ctx, out);
        if (c.status == AssembleCursor.OPEN) {
            emitReady(c, ctx, out);
        }
    }

    /**
     * A refused marker (validate already dead-lettered the record): positions that will not come. Nothing to do
     * if they were all received (or are being padded) already. Policy fail-sequence gives the sequence up; skip
     * turns the marker into padding for those positions (its symbols stay empty: {@code refused} stands for
     * padding), which then goes the normal way. Returns true if the (now padding) fragment should go on.
     */
    private boolean refused(AssembleCursor c, TokenFragment f, Context ctx, Collector<Chunk> out) throws Exception {
        long reached = reached(c);
        if (f.end() <= reached || f.positions == 0) {
            if (c.status == AssembleCursor.OPEN) {
                emitReady(c, ctx, out); // a refused last fragment may have fixed the end
            }
            return false;
        }
        String what = "positions [" + f.offset + ", " + f.end() + ") were refused by validate (see the dead letters)";
        if (settings.gapPolicy() == GapPolicy.FAIL_SEQUENCE) {
            fail(c, what, "gap policy fail-sequence", ctx, out);
            return false;
        }
        long missing = f.end() - Math.max(f.offset, reached);
        if (missing > settings.limits().maxGap()) {
            fail(c, what + ": " + tooBig(missing), "max-gap", ctx, out);
            return false;
        }
        ctx.output(StreamTypes.NOTICES, new Notice(key, Notice.Kind.GAP_SKIPPED, f.offset, f.positions,
                what + "; filled with padding (gap policy skip)"));
        return true;
    }

    /**
     * A fragment that starts at or before nextExpected: the part already received is checked against the tail,
     * the new part appended (padding: its appending is started, {@link #advance} does it). Returns true if it added
     * positions; false if it was a duplicate or a dead letter.
     */
    private boolean append(AssembleCursor c, TokenFragment f, Context ctx) throws Exception {
        long overlapTo = Math.min(f.end(), c.nextExpected);
        if (f.offset < overlapTo) {
            if (f.end() <= c.tailStart) {
                dead(ctx, f, DeadLetterRule.LATE,
                        "late fragment [" + f.offset + ", " + f.end() + "): those positions were processed and"
                        + " are no longer held (held from " + c.tailStart + "), so it cannot be checked");
                return false;
            }
            long at = tail.firstConflict(c, f, Math.max(f.offset, c.tailStart), overlapTo);
            if (at >= 0) {
                dead(ctx, f, DeadLetterRule.CONFLICTING_OVERLAP,
                        "conflicting overlap at position " + at + ": fragment [" + f.offset + ", " + f.end()
                        + ") differs from the positions already received");
                return false;
            }
        }
        if (f.end() <= c.nextExpected) {
            return false; // a duplicate of what is held
        }
        if (f.refused) {
            c.fillTo = f.end(); // padding for the new part, appended by advance()
            return true;
        }
        int skip = ChunkGeometry.index(c.nextExpected, f.offset, nf);
        int count = f.symbols.length - skip;
        if (!tail.fits(c, count)) {
            dead(ctx, f, DeadLetterRule.MAX_PAYLOAD_BYTES,
                    "fragment [" + f.offset + ", " + f.end() + ") of " + count(count) + " new symbols does not fit"
                    + " one array with the " + count(tail.used(c)) + " symbols held before it (max-payload-bytes)");
            return false;
        }
        tail.append(c, f.symbols, skip, count);
        return true;
    }

    /** Keeps a fragment that starts past nextExpected (the bounds are checked by {@link #advance}). */
    private void hold(AssembleCursor c, TokenFragment f, Context ctx) throws Exception {
        if (pending.hold(c, f) == AssemblePending.Held.CONFLICT) {
            dead(ctx, f, DeadLetterRule.CONFLICTING_OVERLAP,
                    "conflicting overlap at position " + f.offset + ": fragment [" + f.offset + ", "
                    + f.end() + ") differs from another fragment received for the same positions");
        }
    }

    /**
     * Brings the sequence as far as it goes: appends padding under way (within the budget), scans the pending
     * map, applies the gap policy while a reorder bound is passed, and goes on closing an idle sequence. Returns
     * with padding still under way when the budget is spent. A loop, not recursion: each pass either appends
     * positions, consumes a pending fragment, or ends the sequence.
     */
    private void advance(AssembleCursor c, Context ctx, Collector<Chunk> out) throws Exception {
        while (c.status == AssembleCursor.OPEN) {
            if (filling(c)) {
                padStep(c, out);
                if (filling(c)) {
                    return; // the rest from the next timer
                }
            } else if (c.scanFrom > 0) {
                long from = c.scanFrom;
                c.scanFrom = 0;
                scan(c, from, ctx);
            } else if (c.end >= 0 && c.nextExpected >= c.end) {
                return; // at the end: emitReady finishes it
            } else if (pending.overBound(c) != null) {
                gap(c, pending.overBound(c), ctx, out);
            } else if (c.closing) {
                if (closeIdle(c, ctx, out)) {
                    return;
                }
            } else {
                return;
            }
        }
    }

    /**
     * Moves the pending fragments that the tail has reached into it. Held keys are always greater than the
     * nextExpected they were held at, so scanning the positions from the previous nextExpected + 1 to the current
     * one (which grows as fragments are appended) finds them all; each position is looked up once. Stops when a
     * padding fragment starts padding, to go on from the next position once it is done.
     */
    private void scan(AssembleCursor c, long from, Context ctx) throws Exception {
        for (long p = from; p >= from && p <= c.nextExpected && c.pendingCount > 0; p++) { // p ≥ from: no wrap
            TokenFragment g = pending.take(c, p);
            if (g == null) {
                continue;
            }
            if (c.end >= 0 && g.end() > c.end) {
                dead(ctx, g, DeadLetterRule.PAST_END,
                        "positions [" + g.offset + ", " + g.end() + ") pass the end of the sequence at " + c.end);
                continue;
            }
            append(c, g, ctx);
            if (filling(c)) {
                c.scanFrom = p + 1;
                return;
            }
        }
    }

    /**
     * The gap policy for the hole that starts at nextExpected and ends at the first pending fragment (or at the
     * end of the sequence, if that comes first). Skip starts padding it, unless it is larger than max-gap.
     */
    private void gap(AssembleCursor c, String why, Context ctx, Collector<Chunk> out) throws Exception {
        if (settings.gapPolicy() == GapPolicy.FAIL_SEQUENCE) {
            fail(c, "gap at position " + c.nextExpected + ": " + why, "gap policy fail-sequence", ctx, out);
            return;
        }
        long to = pending.firstOffset();
        if (to <= c.nextExpected) {
            c.scanFrom = to; // not a hole: a fragment the tail has reached (never left by a scan; kept safe)
            return;
        }
        if (c.end >= 0) {
            to = Math.min(to, c.end);
        }
        startPadding(c, to, why, to, ctx, out);
    }

    /** Gap policy skip for [nextExpected, to): padding is started with a notice, or max-gap gives the sequence up. */
    private void startPadding(AssembleCursor c, long to, String why, long scanFrom, Context ctx, Collector<Chunk> out)
            throws Exception {
        long from = c.nextExpected;
        if (to - from > settings.limits().maxGap()) {
            fail(c, "positions [" + from + ", " + to + ") never arrived (" + why + "): " + tooBig(to - from), "max-gap",
                    ctx, out);
            return;
        }
        c.fillTo = to;
        c.scanFrom = scanFrom;
        ctx.output(StreamTypes.NOTICES, new Notice(key, Notice.Kind.GAP_SKIPPED, from, to - from,
                "positions [" + from + ", " + to + ") never arrived (" + why + "); filled with padding (gap policy skip)"));
    }

    private String tooBig(long hole) {
        return "a hole of " + count(hole) + " positions, more than the limit of " + count(settings.limits().maxGap())
                + " (max-gap)";
    }

    /**
     * Appends padding towards fillTo a piece (≤ one chunk) at a time within the budget, emitting chunks as they
     * fill; the chunks already complete go first, so the tail holds at most a chunk's array and one piece.
     */
    private void padStep(AssembleCursor c, Collector<Chunk> out) throws Exception {
        tail.emitChunks(c, key, false, out);
        while (filling(c) && budget > 0) {
            long n = Math.min(Math.min(c.fillTo - c.nextExpected, budget), chunk);
            tail.appendPadding(c, (int) n);
            budget -= n;
            tail.emitChunks(c, key, false, out);
        }
        if (!filling(c)) {
            c.fillTo = 0;
        }
    }

    /** The idle close, one step: holes first (gap policy), then the end. Returns true when it is done. */
    private boolean closeIdle(AssembleCursor c, Context ctx, Collector<Chunk> out) throws Exception {
        String why = "no fragment for " + settings.idleTimeout().toMillis() + " ms (idle-timeout)";
        if (c.pendingCount > 0) {
            gap(c, why, ctx, out);
            return false;
        }
        if (c.end > c.nextExpected) {
            if (settings.gapPolicy() == GapPolicy.SKIP) {
                startPadding(c, c.end, why, 0, ctx, out);
            } else {
                fail(c, "positions [" + c.nextExpected + ", " + c.end + ") missing before the end; " + why,
                        "gap policy fail-sequence", ctx, out);
            }
            return false;
        }
        c.closing = false;
        if (c.end < 0) {
            c.end = c.nextExpected;
            c.idleClosed = true;
            ctx.output(StreamTypes.NOTICES, new Notice(key, Notice.Kind.IDLE_CLOSED, c.end, 0,
                    "closed at position " + c.end + " without a last fragment: " + why));
        }
        return true;
    }

    /** Emits every chunk that is complete; when the end is reached, the rest, and then closes the sequence. */
    private void emitReady(AssembleCursor c, Context ctx, Collector<Chunk> out) throws Exception {
        boolean ended = c.end >= 0 && c.nextExpected == c.end;
        tail.emitChunks(c, key, ended, out);
        if (ended) {
            finish(c, ctx);
        }
    }

    /** The sequence reached its end: notice, then everything of it is cleared but the tombstone. */
    private void finish(AssembleCursor c, Context ctx) throws Exception {
        for (TokenFragment g : pending.all()) {
            dead(ctx, g, DeadLetterRule.PAST_END,
                    "positions [" + g.offset + ", " + g.end() + ") pass the end of the sequence at " + c.end);
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

    /** Gives the sequence up ({@code cause}: the policy or the limit); what it held becomes dead letters. */
    private void fail(AssembleCursor c, String reason, String cause, Context ctx, Collector<Chunk> out)
            throws Exception {
        long dropped = 0;
        for (TokenFragment g : pending.all()) {
            dropped += g.positions;
            dead(ctx, g, DeadLetterRule.GIVEN_UP, "dropped: the sequence was given up (" + reason + ")");
        }
        ctx.output(StreamTypes.NOTICES, new Notice(key, Notice.Kind.SEQUENCE_FAILED, c.nextExpected, dropped,
                "given up (" + cause + "): " + reason + "; " + c.nextChunk + " chunks were emitted, "
                        + dropped + " held positions went to the dead letters"));
        if (c.nextChunk > 0) {
            out.collect(Chunk.abortMarker(key, c.nextChunk));
        }
        close(c, AssembleCursor.FAILED, ctx);
    }

    // clears everything of the sequence; keeps a tombstone cursor (and its one timer) for the retention only
    private void close(AssembleCursor c, int status, Context ctx) throws Exception {
        sequences.closed();
        if (c.timerAt >= 0) {
            ctx.timerService().deleteProcessingTimeTimer(c.timerAt);
            c.timerAt = -1;
        }
        tail.clear();
        pending.clear(c);
        c.fillTo = 0;
        c.scanFrom = 0;
        c.closing = false;
        long retention = settings.endedRetention().toMillis();
        if (retention > 0) {
            c.status = status;
            c.timerAt = ChunkGeometry.plus(ctx.timerService().currentProcessingTime(), retention);
            ctx.timerService().registerProcessingTimeTimer(c.timerAt);
            tombstones.ended(key, c.timerAt);
        } else {
            c.status = AssembleCursor.CLEARED;
            cursorState.clear();
        }
    }

    /** Positions up to here are received or being padded: nextExpected, or fillTo while padding is under way. */
    private static long reached(AssembleCursor c) {
        return Math.max(c.nextExpected, c.fillTo);
    }

    private static boolean filling(AssembleCursor c) {
        return c.fillTo > c.nextExpected;
    }

    // an open sequence's one timer: 1 ms ahead while padding is under way, else the idle timer (if none is set)
    private void armTimer(AssembleCursor c, Context ctx) throws Exception {
        if (c.status != AssembleCursor.OPEN) {
            return;
        }
        long idle = settings.idleTimeout().toMillis();
        if (filling(c)) {
            long at = ChunkGeometry.plus(ctx.timerService().currentProcessingTime(), 1);
            if (c.timerAt != at) {
                if (c.timerAt >= 0) {
                    ctx.timerService().deleteProcessingTimeTimer(c.timerAt);
                }
                c.timerAt = at;
                ctx.timerService().registerProcessingTimeTimer(at);
            }
        } else if (c.timerAt < 0 && idle > 0) {
            c.timerAt = ChunkGeometry.plus(c.lastSeen, idle);
            ctx.timerService().registerProcessingTimeTimer(c.timerAt);
        }
    }

    private void save(AssembleCursor c) throws Exception {
        if (c.status != AssembleCursor.CLEARED) {
            cursorState.update(c);
        }
    }

    private void dead(Context ctx, TokenFragment f, DeadLetterRule rule, String reason) {
        if (f.refused) {
            return; // validate has already sent this record to the dead letters
        }
        deadLetters.count(rule);
        ctx.output(StreamTypes.DEAD_LETTERS, DeadLetter.of(f.original, STAGE, reason, settings.limits()));
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
            tombstones.expired(key);
            return;
        }
        c.timerAt = -1;
        budget = (long) FILL_STEP_CHUNKS * chunk;
        long waiting = c.pendingPositions;
        Collector<Chunk> stamped = emitted.stamp(out, c.lastSeen); // the last fragment's arrival (at assemble)
        long idle = settings.idleTimeout().toMillis();
        if (!filling(c) && !c.closing) {
            if (idle <= 0) {
                save(c); // a padding timer left over after the padding was finished by a fragment
                return;
            }
            if (timestamp < ChunkGeometry.plus(c.lastSeen, idle)) {
                c.timerAt = ChunkGeometry.plus(c.lastSeen, idle); // fragments came since: move the timer lazily
                ctx.timerService().registerProcessingTimeTimer(c.timerAt);
                save(c);
                return;
            }
            c.closing = true;
        }
        advance(c, ctx, stamped);
        if (c.status == AssembleCursor.OPEN) {
            emitReady(c, ctx, stamped);
        }
        armTimer(c, ctx);
        save(c);
        sequences.waiting(c.pendingPositions - waiting);
    }
}
