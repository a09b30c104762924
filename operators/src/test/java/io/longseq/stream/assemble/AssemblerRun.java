package io.longseq.stream.assemble;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.stream.DeadLetter;
import io.longseq.stream.Notice;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.input.DeadLetterRule;
import io.longseq.stream.input.TokenFragment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One sequence through an {@link Assembler} without Flink, for unit tests: its cursor and keyed state in memory (a
 * field per value, a map of the held fragments), a clock the test moves, and everything the assembler sends out,
 * recorded in order. Around each call it does what {@link AssembleFunction} does with keyed state: a new cursor
 * for the first fragment, the cursor forgotten once it is {@link AssembleCursor#CLEARED CLEARED}, a tombstone
 * forgotten when its timer fires. After each call it checks the bookkeeping against the state itself: the one
 * timer is the cursor's, the pending counts are those of the fragments held, and a closed sequence holds nothing.
 */
final class AssemblerRun implements Assembler.Output, Assembler.Timers {

    static final String ID = "seq-1";
    static final long T0 = 1_000L;

    /** An in-memory keyed value. */
    static final class Slot implements AssembleState.Value<int[]> {
        int[] v;

        @Override
        public int[] value() {
            return v;
        }

        @Override
        public void update(int[] value) {
            v = value;
        }

        @Override
        public void clear() {
            v = null;
        }
    }

    /** The held fragments in a map, as the heap state backend keeps them. */
    static final class Held implements AssembleState.Fragments {
        final Map<Long, TokenFragment> map = new HashMap<>();

        @Override
        public TokenFragment get(long offset) {
            return map.get(offset);
        }

        @Override
        public void put(long offset, TokenFragment f) {
            map.put(offset, f);
        }

        @Override
        public void remove(long offset) {
            map.remove(offset);
        }

        @Override
        public Iterable<Long> offsets() {
            return new ArrayList<>(map.keySet());
        }

        @Override
        public Iterable<TokenFragment> all() {
            return new ArrayList<>(map.values());
        }

        @Override
        public void clear() {
            map.clear();
        }
    }

    final Assembler assembler;
    final Slot tail = new Slot();
    final Slot prefix = new Slot();
    final Held held = new Held();
    /** The stored cursor; null when there is none (never seen, or cleared). */
    AssembleCursor cursor;
    long now = T0;

    final List<Chunk> chunks = new ArrayList<>();
    final List<DeadLetter> dead = new ArrayList<>();
    final List<DeadLetterRule> rules = new ArrayList<>();
    final List<Notice> notices = new ArrayList<>();
    /** Registered timers (a set, as Flink keeps them per key). */
    final Set<Long> timers = new TreeSet<>();
    /** Timers fired so far. */
    int fired;

    AssemblerRun(StreamSettings settings) {
        assembler = new Assembler(settings, tail, prefix, held);
    }

    /** A marker validate sends on when it refuses fragment f: its positions, no symbols. */
    static TokenFragment refused(TokenFragment f) {
        TokenFragment m = new TokenFragment(f.original, f.positions, new int[0]);
        m.refused = true;
        return m;
    }

    AssemblerRun feed(TokenFragment... in) throws Exception {
        return feed(List.of(in));
    }

    AssemblerRun feed(List<TokenFragment> in) throws Exception {
        for (TokenFragment f : in) {
            if (cursor == null) {
                cursor = new AssembleCursor();
            }
            assembler.fragment(ID, cursor, f, this, this);
            settle();
        }
        return this;
    }

    /** Moves the clock to {@code t}, firing the sequence's timer if it is due then. */
    AssemblerRun at(long t) throws Exception {
        now = t;
        while (cursor != null && cursor.timerAt >= 0 && cursor.timerAt <= now) {
            timers.remove(cursor.timerAt);
            fired++;
            if (cursor.status != AssembleCursor.OPEN) {
                cursor = null; // the tombstone's retention is over
            } else {
                assembler.timer(ID, cursor, this, this);
            }
            settle();
        }
        return this;
    }

    /** Fires the timers one at a time (each when it is due) until none is left or {@code max} have fired. */
    int fireUntilNone(int max) throws Exception {
        int before = fired;
        while (cursor != null && cursor.timerAt >= 0 && fired - before < max) {
            at(Math.max(now, cursor.timerAt));
        }
        return fired - before;
    }

    private void settle() {
        if (cursor != null && cursor.status == AssembleCursor.CLEARED) {
            cursor = null;
        }
        Set<Long> expected = new TreeSet<>();
        if (cursor != null && cursor.timerAt >= 0) {
            expected.add(cursor.timerAt);
        }
        assertThat(timers).as("registered timers: the cursor's one").isEqualTo(expected);
        long positions = 0;
        long bytes = 0;
        for (TokenFragment f : held.map.values()) {
            positions += f.positions;
            bytes += 4L * f.symbols.length + f.original.payload.length;
        }
        if (cursor == null || cursor.status != AssembleCursor.OPEN) {
            assertThat(tail.v).as("tail of a closed sequence").isNull();
            assertThat(prefix.v).as("sink prefix of a closed sequence").isNull();
            assertThat(held.map).as("held fragments of a closed sequence").isEmpty();
        } else {
            assertThat(cursor.pendingCount).as("pendingCount").isEqualTo(held.map.size());
            assertThat(cursor.pendingPositions).as("pendingPositions").isEqualTo(positions);
            assertThat(cursor.pendingBytes).as("pendingBytes").isEqualTo(bytes);
        }
    }

    List<Notice> notices(Notice.Kind kind) {
        return notices.stream().filter(n -> n.kind == kind).toList();
    }

    // ------------------------------------------------------------------------ Assembler.Output, Assembler.Timers

    @Override
    public void chunk(Chunk k) {
        chunks.add(k);
    }

    @Override
    public void deadLetter(DeadLetterRule rule, DeadLetter d) {
        rules.add(rule);
        dead.add(d);
    }

    @Override
    public void notice(Notice n) {
        notices.add(n);
    }

    @Override
    public long now() {
        return now;
    }

    @Override
    public void register(long at) {
        timers.add(at);
    }

    @Override
    public void delete(long at) {
        timers.remove(at);
    }
}
