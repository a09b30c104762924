package io.longseq.math.memory;

import io.longseq.math.model.ModelConfig;
import java.util.Arrays;

/**
 * FULL mode: every block is its own entry (exact block-level attention). State grows with n/B, so it is
 * capped at {@link ModelConfig#maxBlocks()} blocks; passing the cap is an error that says what to do.
 */
public final class FullMemory extends BlockMemory {

    private final int maxBlocks;
    private float[] keys = new float[0];    // [capacity, d]
    private float[] values = new float[0];  // [capacity, d]
    private double[] squares = new double[0]; // [capacity] |k_e|² of entries [0, squared), for the novelty
    private int squared;
    private float[] tiles = new float[0];     // [capacity / kt, d, kt] the keys [0, tiled) in tiles of kt
    private int tiled;

    FullMemory(ModelConfig cfg) {
        super(cfg.dModel());
        maxBlocks = cfg.maxBlocks();
    }

    @Override
    protected void add(float[] k, float[] v) {
        if (nextBlock >= maxBlocks) {
            throw new IllegalStateException("global mode FULL holds at most maxBlocks = " + maxBlocks
                    + " blocks per sequence and block " + nextBlock + " would pass it; raise maxBlocks or use"
                    + " global mode HIERARCHICAL, whose state is bounded");
        }
        int at = (int) nextBlock * d;
        if (keys.length < at + d) {
            int cap = (int) Math.min((long) maxBlocks * d, Math.max(16L * d, 2L * keys.length));
            keys = Arrays.copyOf(keys, cap);
            values = Arrays.copyOf(values, cap);
        }
        System.arraycopy(k, 0, keys, at, d);
        System.arraycopy(v, 0, values, at, d);
    }

    /** The keys [nextBlock, d] (the array may be longer): read, never written, by the caller. */
    float[] keys() {
        return keys;
    }

    /**
     * |k_e|² for the entries [0, m), m ≤ nextBlock (the array may be longer), each summed in double in order of c as
     * {@link ChunkProducts#squares}; computed once per entry (keys never change once appended).
     */
    // keys [m, d] -> [m]
    double[] keySquares(int m) {
        if (squares.length < m) {
            squares = Arrays.copyOf(squares, Math.max(m, 2 * squares.length));
        }
        for (; squared < m; squared++) {
            squares[squared] = ChunkProducts.squares(keys, squared * d, d);
        }
        return squares;
    }

    /**
     * The keys [0, m), m ≤ nextBlock, also in tiles [⌈m/kt⌉, d, kt] ({@link ChunkProducts#tile}; the array may be
     * longer, lanes past m hold zeros or later keys): each key is tiled once, when first asked for. The copy doubles
     * the heap the keys take (not the state); kt is the same on every call of one JVM.
     */
    // keys [m, d] -> [⌈m/kt⌉, d, kt]
    float[] keyTiles(int m, int kt) {
        int need = (m + kt - 1) / kt * kt * d;
        if (tiles.length < need) {
            tiles = Arrays.copyOf(tiles, Math.max(need, 2 * tiles.length));    // both multiples of kt·d
        }
        ChunkProducts.tile(keys, tiled, m, d, kt, tiles);
        tiled = Math.max(tiled, m);
        return tiles;
    }

    /** The values [nextBlock, d] (the array may be longer). */
    float[] values() {
        return values;
    }

    @Override
    public void collect(MemoryEntries out) {
        out.clear();
        for (int b = 0; b < nextBlock; b++) {
            out.add(keys, values, b * d, 1, 1, b, b);
        }
    }

    @Override
    public MemoryState toState() {
        int n = (int) nextBlock * d;
        return new MemoryState(nextBlock, new int[0], new long[0], Arrays.copyOf(keys, n), Arrays.copyOf(values, n),
                new double[0], new double[0], 0);
    }

    /**
     * Blocks [from, nextBlock) as one slab [2, nextBlock − from, d]: their keys, then their values. The streaming job
     * appends one slab per chunk to its keyed state instead of rewriting the whole memory.
     */
    public float[] slab(long from) {
        int n = (int) (nextBlock - from);
        float[] out = new float[2 * n * d];   // [2, n, d]
        System.arraycopy(keys, (int) from * d, out, 0, n * d);
        System.arraycopy(values, (int) from * d, out, n * d, n * d);
        return out;
    }

    /** Appends the blocks of a {@link #slab} (the cap applies as to {@link #append}). */
    public void appendSlab(float[] slab) {
        if (slab.length % (2 * d) != 0) {
            throw new IllegalArgumentException("FULL memory slab of " + slab.length + " floats is not [2, n, d = " + d
                    + "]");
        }
        int n = slab.length / (2 * d);
        float[] k = new float[d];
        float[] v = new float[d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(slab, i * d, k, 0, d);
            System.arraycopy(slab, (n + i) * d, v, 0, d);
            append(k, v);
        }
    }

    static FullMemory restore(ModelConfig cfg, MemoryState s) {
        int d = cfg.dModel();
        if (s.keys().length != s.nextBlock() * d || s.values().length != s.keys().length) {
            throw new IllegalArgumentException("FULL memory state holds " + s.keys().length + " key floats for "
                    + s.nextBlock() + " blocks of d = " + d);
        }
        FullMemory m = new FullMemory(cfg);
        m.keys = s.keys().clone();
        m.values = s.values().clone();
        m.nextBlock = s.nextBlock();
        return m;
    }
}
