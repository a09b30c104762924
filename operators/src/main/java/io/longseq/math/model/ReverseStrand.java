package io.longseq.math.model;

import io.longseq.math.features.Features;
import io.longseq.math.kernel.LocalTier;

/**
 * The local tier over the reverse strand of one chunk ({@link Strand#BOTH}): the chunk's k-mer ids reversed and
 * reverse-complemented ({@link Features#reverseComplementIds}), run through the same {@link LocalTier} with the
 * same halos mirrored, and the core's rows put back in forward position order, so block b's reverse-strand summary
 * pools the same positions as its forward one.
 *
 * <p>Mirrored positions: forward position p of a chunk with core [c0, c1) is reverse position
 * r = 2·c0 + C + rightHalo − 1 − p (C = chunk size), which is ≥ c0 ≥ 0 for every position of the chunk's array.
 * RoPE depends on position differences only, so the mirror's origin does not change the result in exact
 * arithmetic; it is a function of the chunk's geometry alone, so every run of the chunk gets the same bits. Used
 * by {@link ChunkedModel} and by the streaming job's local-attention stage. Not thread-safe.
 */
public final class ReverseStrand {

    private final ModelConfig cfg;
    private final float[] rows;    // [C, d] the core's rows in reverse position order

    public ReverseStrand(ModelConfig cfg) {
        this.cfg = cfg;
        rows = new float[cfg.chunkSize() * cfg.dModel()];
    }

    /**
     * Reverse-strand z of the core positions [coreFrom, coreTo), in forward order, from the forward k-mer ids of
     * the array [first, first + n) that holds the core and its halos.
     */
    // ids [n] -> z' [coreTo − coreFrom, d]
    public void forward(LocalTier local, int[] ids, long first, int n, long coreFrom, long coreTo, float[] z) {
        int d = cfg.dModel();
        int len = (int) (coreTo - coreFrom);
        long mirror = 2 * coreFrom + cfg.chunkSize() + cfg.rightHalo() - 1;   // r = mirror − p
        int[] rc = Features.reverseComplementIds(ids, 0, n, cfg);             // [n]
        local.forward(rc, mirror - (first + n - 1), n, mirror - (coreTo - 1), mirror - coreFrom + 1, rows);
        for (int j = 0; j < len; j++) {                                       // row j is position coreTo − 1 − j
            System.arraycopy(rows, j * d, z, (len - 1 - j) * d, d);
        }
    }
}
