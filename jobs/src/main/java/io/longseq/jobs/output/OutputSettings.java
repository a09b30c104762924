package io.longseq.jobs.output;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.TopEntry;

/**
 * What the outputs made from the blocks need to know of the run (docs/outputs.md): the input's kind (the
 * genome-browser files are for DNA; the summary's units), the global mode (an axial column entry is no one region),
 * the link threshold and the alert threshold.
 *
 * @param kind           what the positions are: bases, tokens or log lines
 * @param mode           the run's global mode, or null when unknown (then every entry is taken for a contiguous run
 *                       of blocks)
 * @param linkThreshold  a link of at least this weight is drawn (links.bedpe) and counts as a clear repeat
 * @param alertThreshold a block of at least this novelty is an alert; NaN: no alerts
 */
public record OutputSettings(FeatureKind kind, GlobalMode mode, double linkThreshold, double alertThreshold) {

    /** Whether {@code links.bedpe} and {@code tracks.bedgraph} are written: for DNA. */
    public boolean genomeFiles() {
        return kind == FeatureKind.DNA;
    }

    public boolean alerts() {
        return !Double.isNaN(alertThreshold);
    }

    /**
     * The positions [start, end) of the blocks an entry of block {@code r}'s top-K stands for, or null when it is no
     * one region (an axial column entry) or not before the block. The block size is start / block, exact for every
     * block but the first, and the first block has no other entry.
     */
    public long[] region(BlockResult r, TopEntry t) {
        if (r.block() <= 0 || (mode == GlobalMode.AXIAL && t.level() == 2)) {
            return null;
        }
        long b = r.start() / r.block();
        long start = t.firstBlock() * b;
        long end = (t.lastBlock() + 1) * b;
        return t.firstBlock() >= 0 && t.lastBlock() >= t.firstBlock() && end <= r.start() ? new long[] {start, end}
                : null;
    }

    /**
     * The strongest entry of {@code r}'s top-K that is long-range, at least one whole block before the block
     * (last block at most b − 2), and one region; null if there is none.
     */
    public TopEntry strongestLongRange(BlockResult r) {
        for (TopEntry t : r.top()) { // highest weight first
            if (t.lastBlock() <= r.block() - 2 && Float.isFinite(t.weight()) && region(r, t) != null) {
                return t;
            }
        }
        return null;
    }
}
