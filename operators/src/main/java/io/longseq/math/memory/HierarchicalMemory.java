package io.longseq.math.memory;

import io.longseq.math.model.ModelConfig;
import java.util.Arrays;

/**
 * HIERARCHICAL mode: a multi-resolution partition of blocks [0, b] whose size does not grow with b
 * (docs/design.md 2.5).
 *
 * <p>Level 1 holds single blocks back to a group boundary (R to R+G−1 entries); level ℓ holds groups of
 * G^(ℓ−1) blocks; whatever is older than level H is one running-mean prefix entry with its count. When a
 * new block makes level ℓ start too late (the start s_ℓ of the formula moves by G), its G oldest entries
 * become one entry of level ℓ+1 (their plain mean: every entry of a level stands for the same number of
 * blocks), and the top level spills into the prefix. State: H·(R+G)·2d floats, 2d doubles, a few counters.
 */
public final class HierarchicalMemory extends BlockMemory {

    private final int r;
    private final int g;
    private final int h;
    private final int cap;            // R+G: a level briefly holds R+G entries before it cascades
    final int[] counts;               // [H]   entries per level
    final long[] firsts;              // [H]   group index (in level units) of each level's oldest entry
    final float[] keys;               // [H, cap, d]
    final float[] values;             // [H, cap, d]
    final double[] prefixK;           // [d]   sum of k_b over the prefix's blocks
    final double[] prefixV;           // [d]
    long prefixCount;
    private final long[] groupBlocks; // [H+1] G^ℓ, blocks per entry of level ℓ+1
    private final double[] mk;        // [d] scratch
    private final double[] mv;        // [d] scratch
    private final float[] fk;         // [d] scratch
    private final float[] fv;         // [d] scratch

    HierarchicalMemory(ModelConfig cfg) {
        super(cfg.dModel());
        r = cfg.recent();
        g = cfg.group();
        h = cfg.levels();
        cap = r + g;
        counts = new int[h];
        firsts = new long[h];
        keys = new float[h * cap * d];
        values = new float[h * cap * d];
        prefixK = new double[d];
        prefixV = new double[d];
        groupBlocks = new long[h + 1];
        groupBlocks[0] = 1;
        for (int l = 1; l <= h; l++) {
            groupBlocks[l] = Math.multiplyExact(groupBlocks[l - 1], g);
        }
        mk = new double[d];
        mv = new double[d];
        fk = new float[d];
        fv = new float[d];
    }

    /** Start of level 1 for newest block b: s₁ = max(0, G·⌊(b − R + 1)/G⌋). */
    static long levelOneStart(long b, int r, int g) {
        return Math.max(0, g * Math.floorDiv(b - r + 1, g));
    }

    /** Start of level ℓ ≥ 2 (in its units) from the start of level ℓ−1: max(0, G·⌊(s/G − R)/G⌋). */
    static long nextLevelStart(long previousStart, int r, int g) {
        return Math.max(0, g * Math.floorDiv(previousStart / g - r, g));
    }

    @Override
    protected void add(float[] k, float[] v) {
        push(0, k, v, 0);
        long start = levelOneStart(nextBlock, r, g);
        for (int l = 0; l < h; l++) {
            if (l > 0) {
                start = nextLevelStart(start, r, g);
            }
            while (firsts[l] < start) {
                spill(l);
            }
        }
    }

    private void push(int level, float[] k, float[] v, int off) {
        if (counts[level] == cap) {
            throw new IllegalStateException("hierarchical level " + (level + 1) + " overflowed " + cap
                    + " entries: the partition invariant is broken");
        }
        int at = (level * cap + counts[level]) * d;
        System.arraycopy(k, off, keys, at, d);
        System.arraycopy(v, off, values, at, d);
        counts[level]++;
    }

    // the G oldest entries of level l -> one entry of level l+1 (or the prefix)
    private void spill(int l) {
        if (counts[l] < g) {
            throw new IllegalStateException("hierarchical level " + (l + 1) + " has " + counts[l]
                    + " entries, fewer than a group of " + g);
        }
        Arrays.fill(mk, 0);
        Arrays.fill(mv, 0);
        int base = l * cap * d;
        for (int e = 0; e < g; e++) {
            for (int c = 0; c < d; c++) {
                mk[c] += keys[base + e * d + c];
                mv[c] += values[base + e * d + c];
            }
        }
        if (l + 1 < h) {
            for (int c = 0; c < d; c++) {
                fk[c] = (float) (mk[c] / g);
                fv[c] = (float) (mv[c] / g);
            }
            push(l + 1, fk, fv, 0);
        } else {
            long blocksPerEntry = groupBlocks[l];
            for (int c = 0; c < d; c++) {
                prefixK[c] += mk[c] * blocksPerEntry;
                prefixV[c] += mv[c] * blocksPerEntry;
            }
            prefixCount += groupBlocks[l + 1];
        }
        int remaining = counts[l] - g;
        System.arraycopy(keys, base + g * d, keys, base, remaining * d);
        System.arraycopy(values, base + g * d, values, base, remaining * d);
        Arrays.fill(keys, base + remaining * d, base + counts[l] * d, 0f);
        Arrays.fill(values, base + remaining * d, base + counts[l] * d, 0f);
        counts[l] = remaining;
        firsts[l] += g;
    }

    @Override
    public void collect(MemoryEntries out) {
        out.clear();
        if (prefixCount > 0) {
            out.addMean(prefixK, prefixV, prefixCount, h + 1, 0, prefixCount - 1);
        }
        for (int l = h - 1; l >= 0; l--) {
            long size = groupBlocks[l];
            for (int e = 0; e < counts[l]; e++) {
                long firstBlock = (firsts[l] + e) * size;
                out.add(keys, values, (l * cap + e) * d, size, l + 1, firstBlock, firstBlock + size - 1);
            }
        }
    }

    @Override
    public MemoryState toState() {
        return new MemoryState(nextBlock, counts.clone(), firsts.clone(), keys.clone(), values.clone(),
                prefixK.clone(), prefixV.clone(), prefixCount);
    }

    static HierarchicalMemory restore(ModelConfig cfg, MemoryState s) {
        HierarchicalMemory m = new HierarchicalMemory(cfg);
        if (s.counts().length != m.h || s.firsts().length != m.h || s.keys().length != m.keys.length
                || s.values().length != m.values.length || s.prefixKeySum().length != m.d
                || s.prefixValueSum().length != m.d) {
            throw new IllegalArgumentException("hierarchical memory state does not fit the config (H = " + m.h
                    + ", R+G = " + m.cap + ", d = " + m.d + "): was it saved with other settings?");
        }
        System.arraycopy(s.counts(), 0, m.counts, 0, m.h);
        System.arraycopy(s.firsts(), 0, m.firsts, 0, m.h);
        System.arraycopy(s.keys(), 0, m.keys, 0, m.keys.length);
        System.arraycopy(s.values(), 0, m.values, 0, m.values.length);
        System.arraycopy(s.prefixKeySum(), 0, m.prefixK, 0, m.d);
        System.arraycopy(s.prefixValueSum(), 0, m.prefixV, 0, m.d);
        m.prefixCount = s.prefixCount();
        m.nextBlock = s.nextBlock();
        return m;
    }
}
