package io.longseq.math.memory;

/**
 * The exemplars a {@link RetrievalMemory} evicted while it was told to keep them ({@link #start}): their bucket,
 * block index and x row, so a chunk's deferred weighted sums ({@link ExemplarSums}) can still add a row an earlier
 * block of the chunk attended to. At most one eviction per appended block: holds at most a chunk's blocks. Not state.
 */
final class EvictedRows {

    private final int d;
    private boolean keeping;
    int size;
    int[] bucket = new int[8];        // [size]
    long[] block = new long[8];       // [size] the evicted block's index
    float[] x;                        // [size, d] (+ PAD floats) its x = LN_g(s), as the store held it
    private int[] order = new int[8];   // [size] scratch of byBucketAndBlock

    EvictedRows(int d) {
        this.d = d;
        x = new float[8 * d + SharedRows.PAD];
    }

    /** From now on, keeps every eviction (forgetting those kept before). */
    void start() {
        keeping = true;
        size = 0;
    }

    /** Stops keeping evictions and forgets them. */
    void stop() {
        keeping = false;
        size = 0;
    }

    /** Block j of bucket bk, its x at xs[off, off + d), is being evicted: kept when {@link #start}ed. */
    void keep(int bk, long j, float[] xs, int off) {
        if (!keeping) {
            return;
        }
        if (size == block.length) {
            bucket = java.util.Arrays.copyOf(bucket, 2 * size);
            block = java.util.Arrays.copyOf(block, 2 * size);
            x = java.util.Arrays.copyOf(x, 2 * size * d + SharedRows.PAD);
        }
        bucket[size] = bk;
        block[size] = j;
        System.arraycopy(xs, off, x, size * d, d);
        size++;
    }

    /** The kept rows' numbers (row i is x[i·d, (i + 1)·d)) in order of bucket, then block (a few: insertion sort). */
    int[] byBucketAndBlock() {
        if (order.length < size) {
            order = new int[block.length];
        }
        for (int i = 0; i < size; i++) {
            int t = i;
            while (t > 0 && (bucket[order[t - 1]] > bucket[i]
                    || bucket[order[t - 1]] == bucket[i] && block[order[t - 1]] > block[i])) {
                order[t] = order[t - 1];
                t--;
            }
            order[t] = i;
        }
        return order;
    }
}
