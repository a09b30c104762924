package io.longseq.math.memory;

/**
 * The memory entries one block attends to, gathered into flat arrays (reused from block to block).
 * Entry m stands for blocks [first[m], last[m]] and holds their mean key and mean value; the one exception is
 * the column entry of AXIAL mode, which stands for every (C/B)-th block from first[m] to last[m].
 */
public final class MemoryEntries {
    final int d;
    int size;
    float[] keys = new float[0];      // [size, d]  k̄_m
    float[] values = new float[0];    // [size, d]  v̄_m
    long[] count = new long[0];       // [size]     c_m, blocks per entry
    int[] level = new int[0];         // [size]     1..H, H+1 = prefix (AXIAL: 1 row, 2 column)
    long[] first = new long[0];       // [size]
    long[] last = new long[0];        // [size]

    MemoryEntries(int d) {
        this.d = d;
    }

    void clear() {
        size = 0;
    }

    /**
     * FULL mode's m entries, block e as entry e (c = 1, level 1), as bookkeeping only: the keys and values are not
     * copied (the caller reads them from the {@link FullMemory}).
     */
    void fullRange(int m) {
        if (count.length < m) {
            int cap = Math.max(16, Math.max(m, count.length * 2));
            count = java.util.Arrays.copyOf(count, cap);
            level = java.util.Arrays.copyOf(level, cap);
            first = java.util.Arrays.copyOf(first, cap);
            last = java.util.Arrays.copyOf(last, cap);
        }
        for (int e = 0; e < m; e++) {
            count[e] = 1;
            level[e] = 1;
            first[e] = e;
            last[e] = e;
        }
        size = m;
    }

    /** Appends one entry; k and v are read from offset {@code off} of their arrays. */
    void add(float[] k, float[] v, int off, long c, int lvl, long firstBlock, long lastBlock) {
        ensure(size + 1);
        System.arraycopy(k, off, keys, size * d, d);
        System.arraycopy(v, off, values, size * d, d);
        count[size] = c;
        level[size] = lvl;
        first[size] = firstBlock;
        last[size] = lastBlock;
        size++;
    }

    /** Appends an entry given as sums over its c blocks (the running-mean prefix). */
    void addMean(double[] kSum, double[] vSum, long c, int lvl, long firstBlock, long lastBlock) {
        addMean(kSum, vSum, 0, c, lvl, firstBlock, lastBlock);
    }

    /** As {@link #addMean(double[], double[], long, int, long, long)}, the sums read from offset {@code off}. */
    void addMean(double[] kSum, double[] vSum, int off, long c, int lvl, long firstBlock, long lastBlock) {
        ensure(size + 1);
        for (int i = 0; i < d; i++) {
            keys[size * d + i] = (float) (kSum[off + i] / c);
            values[size * d + i] = (float) (vSum[off + i] / c);
        }
        count[size] = c;
        level[size] = lvl;
        first[size] = firstBlock;
        last[size] = lastBlock;
        size++;
    }

    private void ensure(int n) {
        if (count.length >= n && keys.length >= n * d) {
            return;
        }
        int cap = Math.max(16, Math.max(n, count.length * 2));
        keys = java.util.Arrays.copyOf(keys, cap * d);
        values = java.util.Arrays.copyOf(values, cap * d);
        count = java.util.Arrays.copyOf(count, cap);
        level = java.util.Arrays.copyOf(level, cap);
        first = java.util.Arrays.copyOf(first, cap);
        last = java.util.Arrays.copyOf(last, cap);
    }

    public int size() {
        return size;
    }

    public int level(int m) {
        return level[m];
    }

    public long first(int m) {
        return first[m];
    }

    public long last(int m) {
        return last[m];
    }

    public long count(int m) {
        return count[m];
    }
}
