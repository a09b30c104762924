package io.longseq.stream.assemble;

import static io.longseq.stream.assemble.ChunkGeometry.count;

import io.longseq.stream.DeadLetter;
import io.longseq.stream.Notice;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.input.DeadLetterRule;
import io.longseq.stream.input.TokenFragment;

/**
 * {@code assemble}'s state machine for one sequence at a time (docs/design.md 3): fragments in any order in, whole
 * chunks with their halos out. Pure; no Flink: {@link AssembleFunction} hands it the sequence's cursor and keyed
 * state ({@link AssembleState}) and carries out what it asks for ({@link Output}, {@link Timers}).
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
 *       acts ({@link AssembleEnds}). Padding is never materialised as a whole: it is appended a chunk at a time and
 *       each chunk is emitted as soon as it is complete, at most {@link #FILL_STEP_CHUNKS} chunks of it per fragment
 *       or timer; a longer hole goes on from a timer 1 ms later (so one hole cannot hold the subtask, and
 *       checkpoints, for long). A fragment that overlaps positions being padded is a dead letter; one held while
 *       pending is past a bound finishes the padding at once (as if it had been done in one go).</li>
 *   <li><b>Chunks.</b> Chunk c is emitted once its core and right halo have arrived and one position more (so the
 *       final chunk is only ever emitted by the end of the sequence and carries {@code last}), or at the end.
 *       After chunk c only the next chunk's left halo is kept ({@link AssembleTail}).</li>
 *   <li><b>End and idle close</b>: {@link AssembleEnds}. A cursor left {@link AssembleCursor#ENDED ENDED} or
 *       {@link AssembleCursor#FAILED FAILED} is a tombstone: later fragments are dead letters.</li>
 * </ul>
 * One processing-time timer per sequence at most ({@link AssembleCursor#timerAt}: idle, padding under way, or the
 * tombstone's retention): the idle timer is moved lazily (re-registered when it fires early), not on every
 * fragment. Positions are longs up to {@code max-position}; their arithmetic is in {@link ChunkGeometry}.
 *
 * <p>One instance per subtask: its state stores follow the key in context; each call is given the sequence's
 * cursor, changes it in place, and leaves it to the caller to store (or, when its status becomes
 * {@link AssembleCursor#CLEARED}, to clear). Not thread-safe.
 */
final class Assembler {

    static final String STAGE = "assemble";
    /** Chunks of padding one fragment or timer appends at most; the rest of a hole goes on from a timer. */
    static final int FILL_STEP_CHUNKS = 64;

    /** Where a call's results go, in the order they happen. */
    interface Output {
        /** A chunk, or an abort marker ({@link Chunk#abortMarker}). */
        void chunk(Chunk k);

        /** A dead letter (bounded by the limits already) and the rule it broke. */
        void deadLetter(DeadLetterRule rule, DeadLetter d);

        void notice(Notice n);
    }

    /** The processing-time clock and the sequence's timers (a timer that fires calls {@link #timer}). */
    interface Timers {
        long now();

        void register(long at);

        void delete(long at);
    }

    private final StreamSettings settings;
    private final AssembleTail tail;
    private final AssemblePending pending;
    private final AssembleEnds ends;
    private final int nf;
    private final int chunk;

    /** What the call in progress sends out, for the sequence in hand. */
    private final AssembleOutbox out;
    /** Padding positions the current fragment or timer may still append. */
    private long budget;

    /**
     * @param tail    the sequence's tail ({@code [capacity, F_in]} symbols)
     * @param prefix  the sequence's sink prefix (local mode SINKS)
     * @param held    the sequence's out-of-order fragments
     * @throws IllegalArgumentException when a chunk's array at this F_in would not fit one Java array
     */
    Assembler(StreamSettings settings, AssembleState.Value<int[]> tail, AssembleState.Value<int[]> prefix,
            AssembleState.Fragments held) {
        ChunkGeometry.checkArrays(settings.model(), settings.symbolsPerPosition());
        this.settings = settings;
        this.tail = new AssembleTail(tail, prefix, settings);
        this.pending = new AssemblePending(held, settings);
        this.out = new AssembleOutbox(settings.limits());
        this.ends = new AssembleEnds(settings, this.tail, pending, out);
        this.nf = settings.symbolsPerPosition();
        this.chunk = settings.model().chunkSize();
    }

    /**
     * One fragment of sequence {@code key}, whose cursor is {@code c} (a new cursor for a sequence not seen before).
     * A tombstone (ENDED, FAILED) only turns it into a dead letter.
     */
    void fragment(String key, AssembleCursor c, TokenFragment f, Output output, Timers timers) throws Exception {
        start(key, output, timers);
        if (c.status == AssembleCursor.ENDED) {
            out.dead(f, DeadLetterRule.AFTER_END,
                    "fragment [" + f.offset + ", " + f.end() + ") arrived after the end of the sequence at "
                    + c.end);
            return;
        }
        if (c.status == AssembleCursor.FAILED) {
            out.dead(f, DeadLetterRule.GIVEN_UP,
                    "the sequence was given up at position " + c.nextExpected + " (see its SEQUENCE_FAILED"
                    + " notice); fragment [" + f.offset + ", " + f.end() + ") dropped");
            return;
        }
        long now = out.now();
        c.lastSeen = now;
        long idle = settings.idleTimeout().toMillis();
        if (idle > 0 && c.timerAt < 0) {
            c.timerAt = ChunkGeometry.plus(now, idle);
            out.register(c.timerAt);
        }
        accept(c, f);
        armTimer(c);
    }

    /**
     * The timer of an open sequence ({@link AssembleCursor#timerAt}) fired: padding goes on, or, once the sequence
     * has had no fragment for the idle timeout, it is closed (an earlier deadline only moves the timer).
     */
    void timer(String key, AssembleCursor c, Output output, Timers timers) throws Exception {
        start(key, output, timers);
        long fired = c.timerAt;
        c.timerAt = -1;
        long idle = settings.idleTimeout().toMillis();
        if (!filling(c) && !c.closing) {
            if (idle <= 0) {
                return; // a padding timer left over after the padding was finished by a fragment
            }
            if (fired < ChunkGeometry.plus(c.lastSeen, idle)) {
                c.timerAt = ChunkGeometry.plus(c.lastSeen, idle); // fragments came since: move the timer lazily
                out.register(c.timerAt);
                return;
            }
            c.closing = true;
        }
        advance(c);
        if (c.status == AssembleCursor.OPEN) {
            emitReady(c);
        }
        armTimer(c);
    }

    private void start(String key, Output output, Timers timers) {
        out.start(key, output, timers);
        budget = (long) FILL_STEP_CHUNKS * chunk;
    }

    // one fragment into the cursor: end checks, then the part already received, the new part, or pending
    private void accept(AssembleCursor c, TokenFragment f) throws Exception {
        long reached = reached(c);
        if (c.end >= 0 && f.end() > c.end) {
            out.dead(f, DeadLetterRule.PAST_END,
                    "positions [" + f.offset + ", " + f.end() + ") pass the end of the sequence at " + c.end);
            return;
        }
        if (f.last) {
            if (c.end >= 0 && f.end() != c.end) {
                out.dead(f, DeadLetterRule.CONFLICTING_END,
                        "conflicting end: this last fragment ends the sequence at " + f.end()
                        + ", an earlier one at " + c.end);
                return;
            }
            if (f.end() < reached) {
                out.dead(f, DeadLetterRule.CONFLICTING_END,
                        "conflicting end: this last fragment ends the sequence at " + f.end()
                        + ", but positions up to " + reached + " were already received"
                        + (filling(c) ? " or are being padded" : ""));
                return;
            }
            c.end = f.end();
        }
        if (f.refused && !refused(c, f)) {
            return;
        }
        if (f.positions > 0) {
            if (filling(c) && f.offset < c.fillTo && f.end() > c.nextExpected) {
                out.dead(f, DeadLetterRule.OVERLAPS_PADDING,
                        "positions [" + f.offset + ", " + f.end() + ") arrived while [" + c.nextExpected + ", "
                        + c.fillTo + ") were being filled with padding (gap policy skip)");
            } else if (f.offset > c.nextExpected) {
                hold(c, f);
                if (f.offset - reached > settings.limits().maxGap()) {
                    // the hole before it is already too large to wait for: give up now, not at the idle timeout
                    ends.fail(c, "fragment [" + f.offset + ", " + f.end() + ") lies past positions [" + reached
                            + ", " + f.offset + ") that never arrived: " + ends.tooBig(f.offset - reached), "max-gap");
                    return;
                }
                if (filling(c) && pending.overBound(c) != null) {
                    budget = Long.MAX_VALUE; // held while padding, past a bound: finish the padding at once
                }
            } else {
                long before = c.nextExpected;
                if (append(c, f)) {
                    c.scanFrom = before + 1;
                }
            }
        }
        advance(c);
        if (c.status == AssembleCursor.OPEN) {
            emitReady(c);
        }
    }

    /**
     * A refused marker (validate already dead-lettered the record): positions that will not come. Nothing to do
     * if they were all received (or are being padded) already. Otherwise the gap policy acts
     * ({@link AssembleEnds#refused}). Returns true if the (now padding) fragment should go on.
     */
    private boolean refused(AssembleCursor c, TokenFragment f) throws Exception {
        if (f.end() <= reached(c) || f.positions == 0) {
            if (c.status == AssembleCursor.OPEN) {
                emitReady(c); // a refused last fragment may have fixed the end
            }
            return false;
        }
        return ends.refused(c, f, reached(c));
    }

    /**
     * A fragment that starts at or before nextExpected: the part already received is checked against the tail,
     * the new part appended (padding: its appending is started, {@link #advance} does it). Returns true if it added
     * positions; false if it was a duplicate or a dead letter.
     */
    private boolean append(AssembleCursor c, TokenFragment f) throws Exception {
        long overlapTo = Math.min(f.end(), c.nextExpected);
        if (f.offset < overlapTo) {
            if (f.end() <= c.tailStart) {
                out.dead(f, DeadLetterRule.LATE,
                        "late fragment [" + f.offset + ", " + f.end() + "): those positions were processed and"
                        + " are no longer held (held from " + c.tailStart + "), so it cannot be checked");
                return false;
            }
            long at = tail.firstConflict(c, f, Math.max(f.offset, c.tailStart), overlapTo);
            if (at >= 0) {
                out.dead(f, DeadLetterRule.CONFLICTING_OVERLAP,
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
            out.dead(f, DeadLetterRule.MAX_PAYLOAD_BYTES,
                    "fragment [" + f.offset + ", " + f.end() + ") of " + count(count) + " new symbols does not fit"
                    + " one array with the " + count(tail.used(c)) + " symbols held before it (max-payload-bytes)");
            return false;
        }
        tail.append(c, f.symbols, skip, count);
        return true;
    }

    /** Keeps a fragment that starts past nextExpected (the bounds are checked by {@link #advance}). */
    private void hold(AssembleCursor c, TokenFragment f) throws Exception {
        if (pending.hold(c, f) == AssemblePending.Held.CONFLICT) {
            out.dead(f, DeadLetterRule.CONFLICTING_OVERLAP,
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
    private void advance(AssembleCursor c) throws Exception {
        while (c.status == AssembleCursor.OPEN) {
            if (filling(c)) {
                padStep(c);
                if (filling(c)) {
                    return; // the rest from the next timer
                }
            } else if (c.scanFrom > 0) {
                long from = c.scanFrom;
                c.scanFrom = 0;
                scan(c, from);
            } else if (c.end >= 0 && c.nextExpected >= c.end) {
                return; // at the end: emitReady finishes it
            } else if (pending.overBound(c) != null) {
                ends.gap(c, pending.overBound(c));
            } else if (c.closing) {
                if (ends.closeIdle(c)) {
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
    private void scan(AssembleCursor c, long from) throws Exception {
        for (long p = from; p >= from && p <= c.nextExpected && c.pendingCount > 0; p++) { // p ≥ from: no wrap
            TokenFragment g = pending.take(c, p);
            if (g == null) {
                continue;
            }
            if (c.end >= 0 && g.end() > c.end) {
                out.dead(g, DeadLetterRule.PAST_END,
                        "positions [" + g.offset + ", " + g.end() + ") pass the end of the sequence at " + c.end);
                continue;
            }
            append(c, g);
            if (filling(c)) {
                c.scanFrom = p + 1;
                return;
            }
        }
    }

    /**
     * Appends padding towards fillTo a piece (≤ one chunk) at a time within the budget, emitting chunks as they
     * fill; the chunks already complete go first, so the tail holds at most a chunk's array and one piece.
     */
    private void padStep(AssembleCursor c) throws Exception {
        tail.emitChunks(c, out.key(), false, out);
        while (filling(c) && budget > 0) {
            long n = Math.min(Math.min(c.fillTo - c.nextExpected, budget), chunk);
            tail.appendPadding(c, (int) n);
            budget -= n;
            tail.emitChunks(c, out.key(), false, out);
        }
        if (!filling(c)) {
            c.fillTo = 0;
        }
    }

    /** Emits every chunk that is complete; when the end is reached, the rest, and then closes the sequence. */
    private void emitReady(AssembleCursor c) throws Exception {
        boolean ended = c.end >= 0 && c.nextExpected == c.end;
        tail.emitChunks(c, out.key(), ended, out);
        if (ended) {
            ends.finish(c);
        }
    }

    // an open sequence's one timer: 1 ms ahead while padding is under way, else the idle timer (if none is set)
    private void armTimer(AssembleCursor c) {
        if (c.status != AssembleCursor.OPEN) {
            return;
        }
        long idle = settings.idleTimeout().toMillis();
        if (filling(c)) {
            long at = ChunkGeometry.plus(out.now(), 1);
            if (c.timerAt != at) {
                if (c.timerAt >= 0) {
                    out.delete(c.timerAt);
                }
                c.timerAt = at;
                out.register(at);
            }
        } else if (c.timerAt < 0 && idle > 0) {
            c.timerAt = ChunkGeometry.plus(c.lastSeen, idle);
            out.register(c.timerAt);
        }
    }

    /** Positions up to here are received or being padded: nextExpected, or fillTo while padding is under way. */
    static long reached(AssembleCursor c) {
        return Math.max(c.nextExpected, c.fillTo);
    }

    static boolean filling(AssembleCursor c) {
        return c.fillTo > c.nextExpected;
    }
}
