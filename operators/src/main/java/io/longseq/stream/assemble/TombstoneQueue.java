package io.longseq.stream.assemble;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tombstones of one {@code assemble} subtask, oldest first: the ids of ended (or given-up) sequences whose
 * cursor is still remembered so that late fragments become dead letters, with the time their retention ends.
 * At most {@code max} are kept ({@code max-tombstones}); {@link #pollExcess} names the oldest one to forget.
 *
 * <p>Not checkpointed: it is derived from the keyed tombstones, and {@link #of} rebuilds it from them after a
 * restore or a rescale, ordered by the end of their retention (which is their age, the retention being one
 * setting) and then by id, so the order is deterministic. Pure; no Flink. Not thread-safe (one per subtask).
 */
final class TombstoneQueue {

    /** One tombstone: a sequence id and the end of its retention (processing time, ms). */
    record Entry(String id, long expiresAt) {}

    private final int max;
    private final LinkedHashMap<String, Long> ids = new LinkedHashMap<>(); // insertion order = age

    TombstoneQueue(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("--max-tombstones must be at least 1, got " + max);
        }
        this.max = max;
    }

    /** A queue holding {@code entries}, oldest (earliest expiry, then smallest id) first; may be over the cap. */
    static TombstoneQueue of(int max, Collection<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::expiresAt).thenComparing(Entry::id));
        TombstoneQueue q = new TombstoneQueue(max);
        for (Entry e : sorted) {
            q.add(e.id(), e.expiresAt());
        }
        return q;
    }

    /** Remembers a new tombstone as the youngest (an id already held moves to the young end). */
    void add(String id, long expiresAt) {
        ids.remove(id);
        ids.put(id, expiresAt);
    }

    /** Forgets a tombstone whose retention is over; false if it was not held. */
    boolean remove(String id) {
        return ids.remove(id) != null;
    }

    /** While more than {@code max} are held: forgets the oldest and returns it; otherwise null. */
    Entry pollExcess() {
        if (ids.size() <= max) {
            return null;
        }
        Iterator<Map.Entry<String, Long>> it = ids.entrySet().iterator();
        Map.Entry<String, Long> oldest = it.next();
        it.remove();
        return new Entry(oldest.getKey(), oldest.getValue());
    }

    int size() {
        return ids.size();
    }

    int max() {
        return max;
    }
}
