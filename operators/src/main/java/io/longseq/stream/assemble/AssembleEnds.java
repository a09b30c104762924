package io.longseq.stream.assemble;

import static io.longseq.stream.assemble.ChunkGeometry.count;

import io.longseq.stream.Notice;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.input.DeadLetterRule;
import io.longseq.stream.input.TokenFragment;

/**
 * What the {@link Assembler} does when appending in order cannot go on: the gap policy for a hole, the idle close,
 * and the end of a sequence, normal or given up (docs/design.md 3). Pure; no Flink.
 *
 * <ul>
 *   <li><b>Gaps.</b> When pending passes a bound, or the sequence goes idle with a hole, or validate refused some
 *       of its positions, the {@link GapPolicy} acts: {@code skip} starts padding the missing positions (a notice
 *       says which; the assembler appends the padding); {@code fail-sequence} gives the sequence up (a notice, its
 *       pending fragments and all later ones become dead letters, and {@code global-context} gets an abort marker
 *       if chunks were emitted). A hole of more than {@link StreamLimits#maxGap()} positions gives the sequence up
 *       whatever the policy.</li>
 *   <li><b>End.</b> When the last fragment's end is reached, everything left is flushed, a notice is emitted and
 *       the sequence's state is cleared; only a tombstone cursor stays for {@link StreamSettings#endedRetention()}
 *       (none when it is zero: the cursor is left {@link AssembleCursor#CLEARED}), so that late fragments are dead
 *       letters rather than a new sequence.</li>
 *   <li><b>Idle.</b> A sequence with no fragment for {@link StreamSettings#idleTimeout()} is closed where it is:
 *       holes get the gap policy, then it ends at the last position received, with an IDLE_CLOSED notice.</li>
 * </ul>
 */
final class AssembleEnds {

    private final StreamSettings settings;
    private final AssembleTail tail;
    private final AssemblePending pending;
    private final AssembleOutbox out;

    AssembleEnds(StreamSettings settings, AssembleTail tail, AssemblePending pending, AssembleOutbox out) {
        this.settings = settings;
        this.tail = tail;
        this.pending = pending;
        this.out = out;
    }

    /**
     * Refused positions [max(f.offset, reached), f.end()) that will not come: fail-sequence gives the sequence up;
     * skip turns the marker into padding for them (its symbols stay empty: {@code refused} stands for padding),
     * with a notice, unless the hole is over max-gap. Returns true if the (now padding) fragment should go on.
     */
    boolean refused(AssembleCursor c, TokenFragment f, long reached) throws Exception {
        String what = "positions [" + f.offset + ", " + f.end() + ") were refused by validate (see the dead letters)";
        if (settings.gapPolicy() == GapPolicy.FAIL_SEQUENCE) {
            fail(c, what, "gap policy fail-sequence");
            return false;
        }
        long missing = f.end() - Math.max(f.offset, reached);
        if (missing > settings.limits().maxGap()) {
            fail(c, what + ": " + tooBig(missing), "max-gap");
            return false;
        }
        out.notice(Notice.Kind.GAP_SKIPPED, f.offset, f.positions, what + "; filled with padding (gap policy skip)");
        return true;
    }

    /**
     * The gap policy for the hole that starts at nextExpected and ends at the first pending fragment (or at the
     * end of the sequence, if that comes first). Skip starts padding it, unless it is larger than max-gap.
     */
    void gap(AssembleCursor c, String why) throws Exception {
        if (settings.gapPolicy() == GapPolicy.FAIL_SEQUENCE) {
            fail(c, "gap at position " + c.nextExpected + ": " + why, "gap policy fail-sequence");
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
        startPadding(c, to, why, to);
    }

    /** Gap policy skip for [nextExpected, to): padding is started with a notice, or max-gap gives the sequence up. */
    private void startPadding(AssembleCursor c, long to, String why, long scanFrom) throws Exception {
        long from = c.nextExpected;
        if (to - from > settings.limits().maxGap()) {
            fail(c, "positions [" + from + ", " + to + ") never arrived (" + why + "): " + tooBig(to - from),
                    "max-gap");
            return;
        }
        c.fillTo = to;
        c.scanFrom = scanFrom;
        out.notice(Notice.Kind.GAP_SKIPPED, from, to - from,
                "positions [" + from + ", " + to + ") never arrived (" + why
                        + "); filled with padding (gap policy skip)");
    }

    String tooBig(long hole) {
        return "a hole of " + count(hole) + " positions, more than the limit of " + count(settings.limits().maxGap())
                + " (max-gap)";
    }

    /** The idle close, one step: holes first (gap policy), then the end. Returns true when it is done. */
    boolean closeIdle(AssembleCursor c) throws Exception {
        String why = "no fragment for " + settings.idleTimeout().toMillis() + " ms (idle-timeout)";
        if (c.pendingCount > 0) {
            gap(c, why);
            return false;
        }
        if (c.end > c.nextExpected) {
            if (settings.gapPolicy() == GapPolicy.SKIP) {
                startPadding(c, c.end, why, 0);
            } else {
                fail(c, "positions [" + c.nextExpected + ", " + c.end + ") missing before the end; " + why,
                        "gap policy fail-sequence");
            }
            return false;
        }
        c.closing = false;
        if (c.end < 0) {
            c.end = c.nextExpected;
            c.idleClosed = true;
            out.notice(Notice.Kind.IDLE_CLOSED, c.end, 0,
                    "closed at position " + c.end + " without a last fragment: " + why);
        }
        return true;
    }

    /** The sequence reached its end (its chunks are out): a notice, then all of it is cleared but the tombstone. */
    void finish(AssembleCursor c) throws Exception {
        for (TokenFragment g : pending.all()) {
            out.dead(g, DeadLetterRule.PAST_END,
                    "positions [" + g.offset + ", " + g.end() + ") pass the end of the sequence at " + c.end);
        }
        if (c.idleClosed) {
            close(c, AssembleCursor.ENDED); // the IDLE_CLOSED notice already said how it ended
            return;
        }
        if (c.end == 0) {
            out.notice(Notice.Kind.EMPTY, 0, 0, "the sequence ended with no positions");
        } else {
            out.notice(Notice.Kind.ENDED, c.end, c.nextChunk,
                    "ended at position " + c.end + " after " + c.nextChunk + " chunks");
        }
        close(c, AssembleCursor.ENDED);
    }

    /** Gives the sequence up ({@code cause}: the policy or the limit); what it held becomes dead letters. */
    void fail(AssembleCursor c, String reason, String cause) throws Exception {
        long dropped = 0;
        for (TokenFragment g : pending.all()) {
            dropped += g.positions;
            out.dead(g, DeadLetterRule.GIVEN_UP, "dropped: the sequence was given up (" + reason + ")");
        }
        out.notice(Notice.Kind.SEQUENCE_FAILED, c.nextExpected, dropped,
                "given up (" + cause + "): " + reason + "; " + c.nextChunk + " chunks were emitted, "
                        + dropped + " held positions went to the dead letters");
        if (c.nextChunk > 0) {
            out.accept(Chunk.abortMarker(out.key(), c.nextChunk));
        }
        close(c, AssembleCursor.FAILED);
    }

    // clears everything of the sequence; keeps a tombstone cursor (and its one timer) for the retention only
    private void close(AssembleCursor c, int status) throws Exception {
        if (c.timerAt >= 0) {
            out.delete(c.timerAt);
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
            c.timerAt = ChunkGeometry.plus(out.now(), retention);
            out.register(c.timerAt);
        } else {
            c.status = AssembleCursor.CLEARED;
        }
    }
}
