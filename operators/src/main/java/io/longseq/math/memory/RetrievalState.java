package io.longseq.math.memory;

import io.longseq.math.model.ModelConfig;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The {@link MemoryState} of a {@link RetrievalMemory}: written whole, rewritten in place where a chunk changed it,
 * and restored.
 *
 * <p>Layout: counts = hierarchical counts [H] ++ bucket fills [2^k]; firsts = hierarchical firsts [H] ++ the held
 * block indices, bucket by bucket; keys = hierarchical [H, R+G, d] ++ the held x = LN_g(s) [Σ fills, d] in the same
 * order (firsts then also ++ the sketch tier's codes [min(n, S), D/64], slot j mod S for block j); values =
 * hierarchical [H, R+G, d] ++ the sketches' norms [min(n, S)]; prefixKeySum = hierarchical [d] ++ Σ k over all blocks [d]; prefixValueSum and prefixCount as
 * hierarchical. Within its bucket's run a held block sits at its place ({@link RetrievalMemory#place}): blocks in
 * arrival order until the bucket is full, then each new block at the place of the block it evicted. So once a
 * bucket is full its run keeps its length and its other places, and a chunk that grows no bucket changes, besides
 * the header, the hierarchical arrays and the sums, only the places of its new blocks: {@link #rewrite} writes just
 * those into the previous bytes (at the defaults ~100 kB and ~0.5 kB per block of a 1.03 MB state). A restore sorts
 * each run by block index (a state written in ascending order, as before places existed, restores the same).
 */
final class RetrievalState {

    private RetrievalState() {}

    /** The state's bytes, new; the memory's record of what changed is kept. */
    static byte[] write(RetrievalMemory m) {
        HierarchicalMemory h = m.hier;
        int d = m.d;
        int held = m.held();
        int hh = h.counts.length;
        int nk = h.keys.length + held * d;
        int ring = ringSlots(m);
        int ringLongs = ring * (m.sketches == null ? 0 : m.sketches.words);
        int[] slot = slots(m);
        MemoryState.Writer w = new MemoryState.Writer(m.nextBlock(), hh + m.buckets, hh + held + ringLongs, nk,
                h.values.length + ring, 2 * d, h.prefixV.length);
        w.ints(h.counts, 0, hh).ints(m.fill, 0, m.buckets);
        w.longs(h.firsts, 0, hh);
        for (int bk = 0, base = 0; bk < m.buckets; bk++, base += m.slots) {
            for (int p = 0, n; p < m.fill[bk]; p += n) {
                n = run(slot, base, p, m.fill[bk]);
                w.longs(m.index, base + slot[base + p], n);
            }
        }
        long[] code = new long[m.sketches == null ? 0 : m.sketches.words];   // [D/64]
        for (int sl = 0; sl < ring; sl++) {
            m.sketches.code(sl, code, 0);
            w.longs(code, 0, code.length);
        }
        w.floats(h.keys, 0, h.keys.length);
        rows(m, slot, w, m.xs);
        w.floats(h.values, 0, h.values.length);
        if (ring > 0) {
            w.floats(m.sketches.norms, 0, ring);
        }
        w.doubles(h.prefixK, 0, d).doubles(m.keySum, 0, d);
        w.doubles(h.prefixV, 0, h.prefixV.length);
        return w.end(h.prefixCount);
    }

    /**
     * The state's bytes: {@code previous} rewritten in place where it differs when it is the array the memory was
     * last written to or read from and no bucket grew since, else new bytes; either way the array returned becomes
     * the one the memory was last written to.
     */
    static byte[] rewrite(RetrievalMemory m, byte[] previous) {
        byte[] out = previous != null && previous == m.base && !m.regrown ? patch(m, previous) : write(m);
        readFrom(m, out);
        return out;
    }

    /** The memory holds what {@code bytes} hold: nothing changed since. */
    static void readFrom(RetrievalMemory m, byte[] bytes) {
        m.base = bytes;
        m.baseNext = m.nextBlock();
        m.changes = 0;
        m.regrown = false;
    }

    // bytes [the layout of write(m)] <- the header, hierarchical arrays, sums and the places in m.changed
    private static byte[] patch(RetrievalMemory m, byte[] bytes) {
        HierarchicalMemory h = m.hier;
        int d = m.d;
        int hh = h.counts.length;
        int hk = h.keys.length;
        long held = m.held();
        int ring = ringSlots(m);
        int words = m.sketches == null ? 0 : m.sketches.words;
        long counts = 1 + 8 + 4;
        long firsts = counts + 4L * (hh + m.buckets) + 4;
        long keys = firsts + 8L * (hh + held + (long) ring * words) + 4;
        long values = keys + 4L * (hk + held * d) + 4;
        long sums = values + 4L * (hk + ring) + 4;
        long sumsV = sums + 8L * 2 * d + 4;
        long count = sumsV + 8L * h.prefixV.length;
        if (bytes.length != count + 8 || bytes[0] != 1) {
            throw new IllegalStateException("retrieval memory state to rewrite has " + bytes.length
                    + " bytes, not the " + (count + 8) + " the memory was written to");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.putLong(1, m.nextBlock());
        b.position((int) counts);
        b.asIntBuffer().put(h.counts); // the fills after them did not change
        b.position((int) firsts);
        b.asLongBuffer().put(h.firsts);
        b.position((int) keys);
        b.asFloatBuffer().put(h.keys);
        b.position((int) values);
        b.asFloatBuffer().put(h.values);
        int[] start = new int[m.buckets]; // [2^k] each bucket's first row among the held ones
        for (int bk = 1; bk < m.buckets; bk++) {
            start[bk] = start[bk - 1] + m.fill[bk - 1];
        }
        for (int c = 0; c < m.changes; c++) {
            int bk = m.changed[c] / m.slots;
            int p = m.changed[c] % m.slots;
            int s = bk * m.slots;
            int end = s + m.fill[bk];
            while (s < end && m.place[s] != p) {
                s++;
            }
            if (s == end) {
                throw new IllegalStateException("retrieval memory: place " + p + " of bucket " + bk + " is empty");
            }
            long row = start[bk] + p;
            b.putLong((int) (firsts + 8 * (hh + row)), m.index[s]);
            b.position((int) (keys + 4 * (hk + row * d)));
            b.asFloatBuffer().put(m.xs, s * d, d);
        }
        // the sketches of the blocks since: each at its slot j mod S of the (full) ring
        for (long j = Math.max(m.baseNext, m.nextBlock() - ring); ring > 0 && j < m.nextBlock(); j++) {
            int sl = (int) (j % m.sketches.capacity);
            for (int w = 0; w < words; w++) {
                b.putLong((int) (firsts + 8 * (hh + held + (long) sl * words + w)),
                        m.sketches.planes[w * m.sketches.slots() + sl]);
            }
            b.putFloat((int) (values + 4 * (hk + sl)), m.sketches.norms[sl]);
        }
        b.position((int) sums);
        b.asDoubleBuffer().put(h.prefixK).put(m.keySum);
        b.position((int) sumsV);
        b.asDoubleBuffer().put(h.prefixV);
        b.putLong((int) count, h.prefixCount);
        return bytes;
    }

    static MemoryState toState(RetrievalMemory m) {
        MemoryState h = m.hier.toState();
        int d = m.d;
        int held = m.held();
        int hh = h.counts().length;
        int[] counts = Arrays.copyOf(h.counts(), hh + m.buckets);
        System.arraycopy(m.fill, 0, counts, hh, m.buckets);
        int ring = ringSlots(m);
        int ringLongs = ring * (m.sketches == null ? 0 : m.sketches.words);
        long[] firsts = Arrays.copyOf(h.firsts(), hh + held + ringLongs);
        float[] k = Arrays.copyOf(h.keys(), h.keys().length + held * d);
        float[] v = Arrays.copyOf(h.values(), h.values().length + ring);
        for (int sl = 0; sl < ring; sl++) {
            m.sketches.code(sl, firsts, hh + held + sl * m.sketches.words);
        }
        if (ring > 0) {
            System.arraycopy(m.sketches.norms, 0, v, h.values().length, ring);
        }
        int[] slot = slots(m);
        int at = 0;
        for (int bk = 0, base = 0; bk < m.buckets; bk++, base += m.slots) {
            for (int p = 0; p < m.fill[bk]; p++, at++) {
                int s = base + slot[base + p];
                firsts[hh + at] = m.index[s];
                System.arraycopy(m.xs, s * d, k, h.keys().length + at * d, d);
            }
        }
        double[] sums = Arrays.copyOf(h.prefixKeySum(), 2 * d);
        System.arraycopy(m.keySum, 0, sums, d, d);
        return new MemoryState(m.nextBlock(), counts, firsts, k, v, sums, h.prefixValueSum(), h.prefixCount());
    }

    /** {@code m}, new for {@code cfg}, set to state {@code s}; checks it fits the config. */
    static RetrievalMemory restore(RetrievalMemory m, ModelConfig cfg, MemoryState s) {
        int d = m.d;
        int hLevels = cfg.levels();
        int hFloats = hLevels * (cfg.recent() + cfg.group()) * d;
        String fit = "retrieval memory state does not fit the config (H = " + hLevels + ", 2^k = " + m.buckets
                + " buckets of " + m.slots + " slots, d = " + d + "): was it saved with other settings?";
        if (s.counts().length != hLevels + m.buckets || s.keys().length < hFloats
                || s.prefixKeySum().length != 2 * d) {
            throw new IllegalArgumentException(fit);
        }
        long held = 0;
        for (int bk = 0; bk < m.buckets; bk++) {
            int f = s.counts()[hLevels + bk];
            if (f < 0 || f > m.slots) {
                throw new IllegalArgumentException(fit + " (bucket " + bk + " holds " + f + ")");
            }
            held += f;
        }
        int ring = m.sketches == null ? 0 : (int) Math.min(s.nextBlock(), m.sketches.capacity);
        int ringLongs = ring * (m.sketches == null ? 0 : m.sketches.words);
        if (s.firsts().length != hLevels + held + ringLongs || s.keys().length != hFloats + held * d) {
            throw new IllegalArgumentException(fit + (s.firsts().length != hLevels + held + ringLongs
                    ? " (" + (s.firsts().length - hLevels - held) + " longs of sketches, not " + ringLongs + ")" : ""));
        }
        if (s.values().length != hFloats + ring) {
            throw new IllegalArgumentException(s.values().length == s.keys().length
                    ? "retrieval memory state holds its exemplars as keys and values (the layout before they were"
                    + " stored as LN_g(s)): restore it with the Longseq version that wrote it, or start without it"
                    : fit);
        }
        m.hier = HierarchicalMemory.restore(cfg, new MemoryState(s.nextBlock(), Arrays.copyOf(s.counts(), hLevels),
                Arrays.copyOf(s.firsts(), hLevels), Arrays.copyOf(s.keys(), hFloats),
                Arrays.copyOf(s.values(), hFloats), Arrays.copyOf(s.prefixKeySum(), d), s.prefixValueSum(),
                s.prefixCount()));
        System.arraycopy(s.prefixKeySum(), d, m.keySum, 0, d);
        long[] sorted = new long[m.slots]; // [E] a run's block indices, ascending
        int at = hLevels;
        for (int bk = 0; bk < m.buckets; bk++) {
            int f = s.counts()[hLevels + bk];
            int base = bk * m.slots;
            System.arraycopy(s.firsts(), at, sorted, 0, f);
            Arrays.sort(sorted, 0, f);
            for (int i = 1; i < f; i++) {
                if (sorted[i] == sorted[i - 1]) {
                    throw new IllegalArgumentException("retrieval memory state is corrupt: bucket " + bk
                            + " holds block " + sorted[i] + " twice");
                }
            }
            for (int p = 0; p < f; p++) {
                int row = at - hLevels + p;
                int sl = Arrays.binarySearch(sorted, 0, f, s.firsts()[at + p]);
                m.index[base + sl] = sorted[sl];
                m.place[base + sl] = p;
                System.arraycopy(s.keys(), hFloats + row * d, m.xs, (base + sl) * d, d);
            }
            for (int sl = 0; sl < f; sl++) {
                m.norms[base + sl] = Double.NaN;       // GlobalTier projects x to k for these (computeNorms)
                m.transpose(bk, sl);
            }
            m.normsMissing |= f > 0;
            m.fill[bk] = f;
            at += f;
        }
        if (ring > 0) {
            m.sketches.grow(ring);
            for (int sl = 0; sl < ring; sl++) {
                m.sketches.setCode(sl, s.firsts(), hLevels + (int) held + sl * m.sketches.words);
            }
            System.arraycopy(s.values(), hFloats, m.sketches.norms, 0, ring);
        }
        m.nextBlock = s.nextBlock();
        return m;
    }

    // the sketches the state holds: min(blocks so far, S)
    private static int ringSlots(RetrievalMemory m) {
        return m.sketches == null ? 0 : (int) Math.min(m.nextBlock(), m.sketches.capacity);
    }

    // [2^k, E] the slot (bucket-relative) of each bucket's place p, for places < fill
    private static int[] slots(RetrievalMemory m) {
        int[] slot = new int[m.buckets * m.slots];
        for (int bk = 0, base = 0; bk < m.buckets; bk++, base += m.slots) {
            for (int s = 0; s < m.fill[bk]; s++) {
                slot[base + m.place[base + s]] = s;
            }
        }
        return slot;
    }

    // how many places from p on hold consecutive slots (p, p+1, ... ↦ s, s+1, ...), at most to f
    private static int run(int[] slot, int base, int p, int f) {
        int n = 1;
        while (p + n < f && slot[base + p + n] == slot[base + p] + n) {
            n++;
        }
        return n;
    }

    // the held rows of x [2^k, E, d] in state order
    private static void rows(RetrievalMemory m, int[] slot, MemoryState.Writer w, float[] x) {
        int d = m.d;
        for (int bk = 0, base = 0; bk < m.buckets; bk++, base += m.slots) {
            for (int p = 0, n; p < m.fill[bk]; p += n) {
                n = run(slot, base, p, m.fill[bk]);
                w.floats(x, (base + slot[base + p]) * d, n * d);
            }
        }
    }
}
