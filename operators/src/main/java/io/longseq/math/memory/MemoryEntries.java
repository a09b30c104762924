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
    // Entries [copied, size) are rows of shared arrays, read in place (RETRIEVAL's exemplars, addSharedRun): their
    // k̄ and v̄ are sharedKeys/sharedValues [·, d] at row[e − copied], and ‖k̄‖² is sharedNorms at that row; keys
    // and values above hold only the entries [0, copied).
    int copied;
    // Of the shared entries, the first `sketched` are RETRIEVAL's sketch candidates (addSketchRun): no rows, their
    // dots and sums come from the sketches; the exemplar rows follow them.
    int sketched;
    float[] sharedKeys;
    float[] sharedValues;
    double[] sharedNorms;
    int[] row = new int[0];           // [size − copied]
    double[] norm = new double[0];    // [size − copied] ‖k̄‖² of the shared entries, in entry order

    MemoryEntries(int d) {
        this.d = d;
    }

    void clear() {
        size = 0;
        copied = 0;
        sketched = 0;
        sharedKeys = null;
        sharedValues = null;
        sharedNorms = null;
    }

    /** Entries [copied, size) will be rows of these arrays: keys, values [·, d], norms [·] (‖key‖², see GlobalTier). */
    void share(float[] keys, float[] values, double[] norms) {
        copied = size;
        sharedKeys = keys;
        sharedValues = values;
        sharedNorms = norms;
    }

    /**
     * Appends n entries of one block each (c = 1) at level {@code lvl}: entry i is row r0 + i of the shared arrays
     * and stands for block index[from + i]; not copied.
     */
    void addSharedRun(int r0, int n, int lvl, long[] index, int from) {
        if (sharedKeys == null) {
            throw new IllegalStateException("addSharedRun before share");
        }
        bookkeeping(size + n);
        int at = size - copied;
        if (row.length < at + n) {
            row = java.util.Arrays.copyOf(row, Math.max(16, Math.max(at + n, row.length * 2)));
            norm = java.util.Arrays.copyOf(norm, row.length);
        }
        for (int i = 0; i < n; i++) {
            row[at + i] = r0 + i;
        }
        System.arraycopy(sharedNorms, r0, norm, at, n);
        java.util.Arrays.fill(count, size, size + n, 1L);
        java.util.Arrays.fill(level, size, size + n, lvl);
        System.arraycopy(index, from, first, size, n);
        System.arraycopy(index, from, last, size, n);
        size += n;
    }

    /**
     * Appends n sketch candidates right after {@link #share} (before any shared run): entry i stands for block
     * blocks[i] (c = 1, level {@code lvl}) with squared key norm norms[i]; it has no row.
     */
    void addSketchRun(int n, int lvl, long[] blocks, double[] norms) {
        if (sharedKeys == null || size != copied) {
            throw new IllegalStateException("addSketchRun must follow share");
        }
        bookkeeping(size + n);
        if (row.length < n) {
            row = java.util.Arrays.copyOf(row, Math.max(16, Math.max(n, row.length * 2)));
            norm = java.util.Arrays.copyOf(norm, row.length);
        }
        java.util.Arrays.fill(row, 0, n, -1);
        System.arraycopy(norms, 0, norm, 0, n);
        java.util.Arrays.fill(count, size, size + n, 1L);
        java.util.Arrays.fill(level, size, size + n, lvl);
        System.arraycopy(blocks, 0, first, size, n);
        System.arraycopy(blocks, 0, last, size, n);
        size += n;
        sketched = n;
    }

    // count, level, first, last: room for n entries
    private void bookkeeping(int n) {
        if (count.length < n) {
            int cap = Math.max(16, Math.max(n, count.length * 2));
            count = java.util.Arrays.copyOf(count, cap);
            level = java.util.Arrays.copyOf(level, cap);
            first = java.util.Arrays.copyOf(first, cap);
            last = java.util.Arrays.copyOf(last, cap);
        }
    }

    /** Entries with their keys and values in {@code keys}/{@code values}: all but the shared ones. */
    int copied() {
        return sharedKeys == null ? size : copied;
    }

    /**
     * FULL mode's m entries, block e as entry e (c = 1, level 1), as bookkeeping only: the keys and values are not
     * copied (the caller reads them from the {@link FullMemory}).
     */
    void fullRange(int m) {
        clear();
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
        noShared();
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
        noShared();
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

    // copied entries come first: none may follow a shared one
    private void noShared() {
        if (sharedKeys != null) {
            throw new IllegalStateException("a copied entry after shared ones");
        }
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
