package io.longseq.math.memory;

import io.longseq.math.kernel.RowKernels;

/**
 * A block's novelty (docs/design.md 2.6): 1 − max(0, max over the entries e other than the block itself of
 * cos(k_b, k̄_e)), 1 without another entry. Doubles in a fixed order (entryDots is the same plain Java in both kernel
 * sets), so the bits depend neither on the kernels nor on whether the block came through {@link GlobalTier#step} or
 * {@link GlobalTier#stepChunk} (there the dots come from {@link ChunkProducts}, the squares cached). Holds the
 * scratch of one {@link GlobalTier}; not thread-safe.
 */
final class Novelty {

    private final RowKernels kernels;
    private final int d;
    private double[] dots = new double[16];     // [M] k_b·k̄_e
    private double[] squares = new double[16];  // [M] |k̄_e|²

    Novelty(RowKernels kernels, int d) {
        this.kernels = kernels;
        this.d = d;
    }

    /** The dots' array, at least m long: RETRIEVAL's exemplar dots k_b·k̄_e go into [own, m) before {@link #shared}. */
    double[] dots(int m) {
        if (dots.length < m) {
            dots = new double[Math.max(m, 2 * dots.length)];
        }
        return dots;
    }

    /** Over the m entries of keys. */
    // k_b [d], k̄ [m, d] -> the novelty
    double of(float[] key, float[] keys, int m, int self) {
        double[] kd = dots(m);
        if (squares.length < m) {
            squares = new double[kd.length];
        }
        kernels.entryDots(key, keys, m, d, kd);
        ChunkProducts.rowSquares(keys, m, d, squares);
        return of(kd, 0, ChunkProducts.squares(key, 0, d), squares, m, self);
    }

    /** From dots[off + e] = k_b·k̄_e, kk = |k_b|² and squares[e] = |k̄_e|². */
    static double of(double[] dots, int off, double kk, double[] squares, int m, int self) {
        return 1.0 - ChunkProducts.maxCosine(dots, off, kk, squares, m, self);
    }

    /**
     * As {@link #of(float[], float[], int, int)}, over the entries [0, own) in entries.keys and the shared rows
     * [own, m), whose dots with k_b are in {@link #dots} [own, m) already and whose |k̄|² the entries keep: the same
     * sums, so the same bits.
     */
    // k_b [d], entries -> the novelty
    double shared(float[] key, MemoryEntries entries, int own, int m, int self) {
        double[] kd = dots(m);
        kernels.entryDots(key, entries.keys, own, d, kd);
        double kk = ChunkProducts.squares(key, 0, d);
        if (squares.length < own) {
            squares = new double[Math.max(own, 2 * squares.length)];
        }
        ChunkProducts.rowSquares(entries.keys, own, d, squares);
        double best = ChunkProducts.maxCosine(kd, 0, kk, squares, own, self);
        // the shared entries (never the block itself, a level-1 entry): a maximum, the same in any order
        best = SharedRows.maxCosine(kd, own, entries.norm, m - own, kk, best);
        return 1.0 - best;
    }
}
