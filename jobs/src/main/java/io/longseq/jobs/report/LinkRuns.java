package io.longseq.jobs.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The strongest long-range links of one sequence, joined into runs: a copied segment of several blocks shows as one
 * block after another each linked to the block after the previous one's target, and is one row of the table, not
 * one row per block.
 *
 * <p>A link (block b to the entry of blocks f..l, weight w) is long-range when l ≤ b − {@value #MIN_GAP} (it does
 * not touch the block or its neighbour) and counts for the table when w ≥ {@value #MIN_WEIGHT}. It extends the run
 * that ended at block b − 1 with an entry f'..l' when f − f' and l − l' are each 0 or 1 (the same target, or the
 * target moving along with the block); otherwise it starts a run. Blocks must come in increasing order for runs to
 * join; a block out of order closes every open run. Memory: the open runs (at most the entries of one block) and
 * the {@value #KEPT} strongest closed runs.
 */
final class LinkRuns {

    static final int MIN_GAP = 2;
    static final float MIN_WEIGHT = 0.01f;
    static final int KEPT = 20;

    /** One run: blocks firstBlock..lastBlock linked to entries within srcFirst..srcLast; its strongest link (peak). */
    static final class Run {
        long firstBlock;
        long lastBlock;
        long srcFirst;
        long srcLast;
        long lastF;
        long lastL;
        int links;
        double sumWeight;
        float maxWeight;
        long peakBlock;
        long peakFirst;
        long peakLast;
        boolean extended;

        double meanWeight() {
            return sumWeight / links;
        }
    }

    static final Comparator<Run> STRONGER_FIRST = Comparator.comparingDouble((Run r) -> -r.maxWeight)
            .thenComparingLong(r -> r.firstBlock);

    private List<Run> open = new ArrayList<>();
    private final PriorityQueue<Run> kept = new PriorityQueue<>(STRONGER_FIRST.reversed()); // weakest on top
    private long lastBlock = -1;

    /** The links of one block line, in its order of entries. */
    void add(BlockLine line) {
        long b = line.block;
        if (b <= lastBlock) {
            closeAll();
        }
        lastBlock = b;
        List<Run> next = new ArrayList<>(line.topCount);
        for (int k = 0; k < line.topCount; k++) {
            long f = line.firstBlock[k];
            long l = line.lastBlock[k];
            float w = line.weight[k];
            if (!(w >= MIN_WEIGHT) || l > b - MIN_GAP) {
                continue;
            }
            Run run = null;
            for (Run r : open) {
                if (!r.extended && r.lastBlock == b - 1 && step(f - r.lastF) && step(l - r.lastL)) {
                    run = r;
                    break;
                }
            }
            if (run == null) {
                run = new Run();
                run.firstBlock = b;
                run.srcFirst = f;
                run.srcLast = l;
            }
            run.extended = true;
            run.lastBlock = b;
            run.lastF = f;
            run.lastL = l;
            run.srcFirst = Math.min(run.srcFirst, f);
            run.srcLast = Math.max(run.srcLast, l);
            run.links++;
            run.sumWeight += w;
            if (w > run.maxWeight) {
                run.maxWeight = w;
                run.peakBlock = b;
                run.peakFirst = f;
                run.peakLast = l;
            }
            next.add(run);
        }
        for (Run r : open) {
            if (!r.extended) {
                close(r);
            }
        }
        for (Run r : next) {
            r.extended = false;
        }
        open = next;
    }

    private static boolean step(long d) {
        return d == 0 || d == 1;
    }

    private void closeAll() {
        for (Run r : open) {
            close(r);
        }
        open = new ArrayList<>();
    }

    private void close(Run r) {
        kept.add(r);
        if (kept.size() > KEPT) {
            kept.poll();
        }
    }

    /** Closes the open runs and returns the kept ones, strongest first (ties: the earlier run first). */
    List<Run> finish() {
        closeAll();
        List<Run> out = new ArrayList<>(kept);
        out.sort(STRONGER_FIRST);
        return out;
    }
}
