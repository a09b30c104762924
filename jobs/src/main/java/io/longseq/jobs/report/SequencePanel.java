package io.longseq.jobs.report;

import java.util.List;

/**
 * What the second pass gathers for one sequence's section: its self-similarity map, its tracks and its runs of
 * long-range links, each bounded whatever the sequence's length ({@link SelfSimMap}, {@link Track},
 * {@link LinkRuns}).
 */
final class SequencePanel {

    final Survey.Seq seq;
    final SelfSimMap map;
    final Track self;
    final Track entropy;
    final Track novelty; // null when the lines have no novelty field
    private final LinkRuns links = new LinkRuns();
    private List<LinkRuns.Run> runs;

    SequencePanel(Survey.Seq seq, boolean novelty) {
        this.seq = seq;
        long n = Math.max(1, seq.blocks());
        this.map = new SelfSimMap(n);
        this.self = new Track("self weight", n);
        this.entropy = new Track("entropy", n);
        this.novelty = novelty ? new Track("novelty", n) : null;
    }

    /** The map's cells (S²), what the second pass budgets its memory by. */
    static long cells(Survey.Seq seq) {
        long side = Math.min(Math.max(1, seq.blocks()), SelfSimMap.MAX_SIDE);
        return side * side;
    }

    void add(BlockLine b) {
        for (int k = 0; k < b.topCount; k++) {
            map.add(b.block, b.firstBlock[k], b.lastBlock[k], b.weight[k]);
        }
        self.add(b.block, b.selfWeight);
        entropy.add(b.block, b.entropy);
        if (novelty != null) {
            novelty.add(b.block, b.novelty);
        }
        links.add(b);
    }

    /** The kept runs, strongest first; closes the gathering. */
    List<LinkRuns.Run> runs() {
        if (runs == null) {
            runs = links.finish();
        }
        return runs;
    }

    /** The table's links as map points (block, middle of its target entry), strongest first. */
    List<long[]> dots() {
        List<long[]> out = new java.util.ArrayList<>();
        for (LinkRuns.Run r : runs()) {
            out.add(new long[] {r.peakBlock, r.peakFirst + (r.peakLast - r.peakFirst) / 2});
        }
        return out;
    }

    /** Integer scale of the map on the page and in selfsim.png: cells stay whole pixels, the side about 640 px. */
    int scale() {
        return Math.max(1, Report.MAP_PIXELS / map.side());
    }
}
