package io.longseq.jobs.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The first pass over {@code blocks.jsonl}: which sequences it holds, in file order, and per sequence its number of
 * blocks, length and block size, so the second pass knows each map's scale before it draws. Also what the lines say
 * about the run (summary width, entries per block, memory levels, whether novelty is there).
 *
 * <p>Bounded: at most {@value #MAX_LISTED} sequences are listed; the lines of further sequences are counted, not
 * kept (their number counts changes of id, exact when each sequence's lines are together as run and offline write
 * them).
 */
final class Survey {

    static final int MAX_LISTED = 10_000;

    /** What the first pass learns about one sequence. */
    static final class Seq {
        final BlockLine.SeqId id;
        final int index; // 1-based, file order
        long lines;
        long maxBlock = -1;
        long length; // largest end
        long blockSize; // largest end − start
        long positions; // sum of end − start
        double selfSum;
        long selfCount;
        /** The strongest long-range link (as {@link LinkRuns} defines it): weight (NaN if none), block, entry. */
        float strongest = Float.NaN;
        long strongestBlock = -1;
        long strongestFirst;
        long strongestLast;

        Seq(BlockLine.SeqId id, int index) {
            this.id = id;
            this.index = index;
        }

        /** The mean self weight, NaN if no line had one. */
        double meanSelf() {
            return selfCount == 0 ? Double.NaN : selfSum / selfCount;
        }

        /** Blocks the maps and tracks span: the largest block index + 1. */
        long blocks() {
            return maxBlock + 1;
        }
    }

    final List<Seq> listed = new ArrayList<>();
    private final Map<BlockLine.SeqId, Seq> byId = new HashMap<>();
    long lines;
    long positions;
    long unlistedSequences;
    long unlistedLines;
    int summaryWidth = -1;
    int maxTop;
    long topDropped;
    long levelsSeen; // bit l for level l in 0..63
    boolean novelty;
    boolean rangeEntries; // an entry standing for more than one block

    static Survey of(Path blocks) throws IOException, JsonCursor.Malformed {
        Survey s = new Survey();
        BlockLine b = new BlockLine();
        try (BlockLineReader r = new BlockLineReader(blocks)) {
            BlockLine.SeqId previous = null;
            Seq current = null;
            while (r.next(b)) {
                if (!b.id.equals(previous)) {
                    current = s.byId.get(b.id);
                    if (current == null && s.listed.size() < MAX_LISTED) {
                        current = new Seq(b.id, s.listed.size() + 1);
                        s.listed.add(current);
                        s.byId.put(b.id, current);
                    } else if (current == null) {
                        s.unlistedSequences++;
                    }
                    previous = b.id;
                }
                s.line(b, current);
            }
        }
        return s;
    }

    private void line(BlockLine b, Seq q) {
        lines++;
        positions += b.end - b.start;
        summaryWidth = Math.max(summaryWidth, b.summaryWidth);
        maxTop = Math.max(maxTop, b.topCount + b.topDropped);
        topDropped += b.topDropped;
        novelty |= b.hasNovelty;
        for (int k = 0; k < b.topCount; k++) {
            levelsSeen |= 1L << Math.max(0, Math.min(63, b.level[k]));
            rangeEntries |= b.lastBlock[k] > b.firstBlock[k];
        }
        if (q == null) {
            unlistedLines++;
            return;
        }
        q.lines++;
        q.maxBlock = Math.max(q.maxBlock, b.block);
        q.length = Math.max(q.length, b.end);
        q.blockSize = Math.max(q.blockSize, b.end - b.start);
        q.positions += b.end - b.start;
        if (!Float.isNaN(b.selfWeight)) {
            q.selfSum += b.selfWeight;
            q.selfCount++;
        }
        for (int k = 0; k < b.topCount; k++) {
            float w = b.weight[k];
            if (b.lastBlock[k] <= b.block - LinkRuns.MIN_GAP && w >= 0
                    && (Float.isNaN(q.strongest) || w > q.strongest)) {
                q.strongest = w;
                q.strongestBlock = b.block;
                q.strongestFirst = b.firstBlock[k];
                q.strongestLast = b.lastBlock[k];
            }
        }
    }

    Seq get(BlockLine.SeqId id) {
        return byId.get(id);
    }

    /** The memory levels the entries name, ascending. */
    List<Integer> levels() {
        List<Integer> out = new ArrayList<>();
        for (int l = 0; l < 64; l++) {
            if ((levelsSeen >>> l & 1) != 0) {
                out.add(l);
            }
        }
        return out;
    }
}
