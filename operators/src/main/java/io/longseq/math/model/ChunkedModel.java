package io.longseq.math.model;

import io.longseq.math.kernel.DenseLocalTier;
import io.longseq.math.kernel.LocalTier;
import io.longseq.math.memory.BlockMemory;
import io.longseq.math.memory.BlockPooling;
import io.longseq.math.memory.GlobalTier;
import io.longseq.math.weights.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * The fast path for one whole sequence, computed chunk by chunk exactly as the streaming job does:
 * chunk c has core positions [cC, (c+1)C) and the halos of {@link ModelConfig#attentionHalo()} /
 * {@link ModelConfig#rightHalo()} that exist; its blocks are pooled, then passed in order through the
 * global tier. Used by the offline CLI, by tests (chunked equals whole, equals the reference) and by
 * benchmarks. Not thread-safe.
 *
 * <p>In {@link LocalMode#FULL} the local tier is {@link DenseLocalTier} over the whole sequence at once (no
 * chunks, no halos; a sequence longer than {@code maxDensePositions} is refused before anything runs); its z is
 * then cut into the same chunk-size pieces for pooling and the global tier, so blocks and their order are those
 * of SLIDING mode.
 */
public final class ChunkedModel implements AutoCloseable {

    /** Per-position vectors z [n, d] (null unless asked for) and one result per block, in order. */
    public record Result(float[] z, List<BlockResult> blocks) {}

    private final ModelConfig cfg;
    private final LocalTier local;           // SLIDING mode, else null
    private final DenseLocalTier dense;      // FULL mode, else null
    private final BlockPooling pooling;
    private final GlobalTier global;
    private final ReverseStrand reverse;     // Strand.BOTH, else null

    public ChunkedModel(ModelConfig cfg, Weights weights) {
        this.cfg = cfg;
        boolean full = cfg.localMode() == LocalMode.FULL;
        this.local = full ? null : new LocalTier(cfg, weights);
        this.dense = full ? new DenseLocalTier(cfg, weights) : null;
        this.pooling = new BlockPooling(cfg, weights);
        this.global = new GlobalTier(cfg, weights);
        this.reverse = cfg.strand() == Strand.BOTH ? new ReverseStrand(cfg) : null;
    }

    // ids [n·F] -> z [n, d] (when keepZ) and block results [⌈n/B⌉]
    public Result run(int[] ids, int n, boolean keepZ) {
        return run(ids, n, keepZ, done -> { });
    }

    /** As {@link #run(int[], int, boolean)}, telling {@code progress} the positions done after each chunk. */
    public Result run(int[] ids, int n, boolean keepZ, java.util.function.LongConsumer progress) {
        return run(ids, n, keepZ, progress, 0L);
    }

    /**
     * As above for the sequence whose seed is {@code sequenceSeed} (global mode BIGBIRD's random blocks depend on
     * it: {@link io.longseq.math.memory.BigBirdMemory#sequenceSeed} of the sequence id, as the stream uses).
     */
    public Result run(int[] ids, int n, boolean keepZ, java.util.function.LongConsumer progress, long sequenceSeed) {
        if (dense != null) {
            return runDense(ids, n, keepZ, progress, sequenceSeed);
        }
        int d = cfg.dModel();
        int nf = cfg.maxFeatures();
        int c = cfg.chunkSize();
        float[] z = keepZ ? new float[n * d] : null;
        float[] zChunk = new float[c * d];                                  // [C, d]
        float[] summaries = new float[pooling.blocks(c) * d];              // [C/B, d]
        float[] zReverse = reverse != null ? new float[c * d] : null;      // [C, d]
        float[] reverseSummaries = reverse != null ? new float[pooling.blocks(c) * d] : null; // [C/B, d]
        int[] chunkIds = new int[local.capacity() * nf];                   // [n_chunk·F]
        BlockMemory memory = BlockMemory.create(cfg, sequenceSeed);
        List<BlockResult> blocks = new ArrayList<>();
        for (int coreFrom = 0; coreFrom < n; coreFrom += c) {
            int coreTo = Math.min(n, coreFrom + c);
            int from = Math.max(0, coreFrom - cfg.attentionHalo());
            int to = Math.min(n, coreTo + cfg.rightHalo());
            System.arraycopy(ids, from * nf, chunkIds, 0, (to - from) * nf);
            // SINKS: an array past position 0 also gets the sequence's first positions (the sinks' context)
            int prefixN = Math.min(n, cfg.sinkPrefix());
            local.forward(chunkIds, from, to - from, coreFrom, coreTo, zChunk, ids, prefixN);
            int len = coreTo - coreFrom;
            if (keepZ) {
                System.arraycopy(zChunk, 0, z, coreFrom * d, len * d);
            }
            if (reverse != null) {
                reverse.forward(local, chunkIds, from, to - from, coreFrom, coreTo, zReverse);
                pooling.pool(zReverse, len, reverseSummaries);
            }
            poolAndAttend(zChunk, coreFrom, coreTo, summaries, reverseSummaries, memory, blocks);
            progress.accept(coreTo);
        }
        return new Result(z, blocks);
    }

    // z [coreTo−coreFrom, d] of one chunk -> its blocks' summaries -> the global tier, in block order;
    // reverseSummaries [C/B, d] the chunk's reverse-strand summaries (Strand.BOTH) or null
    private void poolAndAttend(float[] zChunk, int coreFrom, int coreTo, float[] summaries, float[] reverseSummaries,
                               BlockMemory memory, List<BlockResult> blocks) {
        int len = coreTo - coreFrom;
        pooling.pool(zChunk, len, summaries);
        int nb = pooling.blocks(len);
        long[] starts = new long[nb];
        long[] ends = new long[nb];
        for (int blk = 0; blk < nb; blk++) {
            starts[blk] = coreFrom + (long) blk * cfg.blockSize();
            ends[blk] = Math.min(coreTo, starts[blk] + cfg.blockSize());
        }
        // FULL: the chunk's blocks as one product against the memory; RETRIEVAL: their exemplar sums in one pass
        blocks.addAll(List.of(global.stepBlocks(memory, summaries, reverseSummaries, nb, starts, ends)));
    }

    // FULL local mode: dense local tier over all n positions, then pooling and the global tier per chunk piece
    private Result runDense(int[] ids, int n, boolean keepZ, java.util.function.LongConsumer progress,
                            long sequenceSeed) {
        DenseLocalTier.checkLength(cfg, n);
        int d = cfg.dModel();
        int c = cfg.chunkSize();
        float[] zAll = n > 0 ? new float[n * d] : new float[0];           // [n, d]
        if (n > 0) {
            dense.forward(ids, n, zAll);
        }
        float[] zChunk = new float[Math.min(c, Math.max(n, 1)) * d];       // [min(C, n), d]
        float[] summaries = new float[pooling.blocks(c) * d];              // [C/B, d]
        BlockMemory memory = BlockMemory.create(cfg, sequenceSeed);
        List<BlockResult> blocks = new ArrayList<>();
        for (int coreFrom = 0; coreFrom < n; coreFrom += c) {
            int coreTo = Math.min(n, coreFrom + c);
            int len = coreTo - coreFrom;
            System.arraycopy(zAll, coreFrom * d, zChunk, 0, len * d);
            poolAndAttend(zChunk, coreFrom, coreTo, summaries, null, memory, blocks);
            progress.accept(coreTo);
        }
        return new Result(keepZ ? zAll : null, blocks);
    }

    @Override
    public void close() {
        if (local != null) {
            local.close();
        }
        if (dense != null) {
            dense.close();
        }
    }
}
