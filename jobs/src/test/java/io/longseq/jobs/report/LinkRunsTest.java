package io.longseq.jobs.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs of long-range links: a copied segment is one run; near, weak and broken links are handled as stated. */
class LinkRunsTest {

    private static BlockLine line(long block, long[][] entries) {
        BlockLine b = new BlockLine();
        b.block = block;
        for (long[] e : entries) { // {first, last, weight × 1e6}
            int k = b.topCount++;
            b.level[k] = 1;
            b.firstBlock[k] = e[0];
            b.lastBlock[k] = e[1];
            b.weight[k] = e[2] / 1e6f;
        }
        return b;
    }

    @Test
    void aCopiedSegmentIsOneRunEvenWhenItsTargetStepsUnevenly() {
        LinkRuns runs = new LinkRuns();
        // blocks 100..111 copy 20..31; a copy not aligned to blocks alternates between two targets
        long[] target = {20, 21, 21, 22, 23, 24, 24, 25, 26, 27, 28, 29};
        for (int i = 0; i < 12; i++) {
            runs.add(line(100 + i, new long[][] {{target[i], target[i], 300_000 + 10_000 * i}, {99 + i, 99 + i, 50_000},
                {3, 3, 5_000}}));
        }
        runs.add(line(112, new long[][] {{60, 60, 20_000}}));
        List<LinkRuns.Run> out = runs.finish();
        LinkRuns.Run r = out.get(0);
        assertThat(r.firstBlock).isEqualTo(100);
        assertThat(r.lastBlock).isEqualTo(111);
        assertThat(r.srcFirst).isEqualTo(20);
        assertThat(r.srcLast).isEqualTo(29);
        assertThat(r.links).isEqualTo(12);
        assertThat(r.maxWeight).isEqualTo(0.41f);
        assertThat(r.peakBlock).isEqualTo(111);
        assertThat(r.meanWeight()).isCloseTo(0.355, org.assertj.core.api.Assertions.offset(1e-6));
        // the previous block (99 + i: not long-range) never forms a run; block 3 at weight 0.005 is below 0.01
        assertThat(out).hasSize(2);
        assertThat(out.get(1).firstBlock).isEqualTo(112);
        assertThat(out.get(1).srcFirst).isEqualTo(60);
    }

    @Test
    void aGapOrAJumpOfTheTargetStartsANewRun() {
        LinkRuns runs = new LinkRuns();
        runs.add(line(50, new long[][] {{10, 10, 100_000}}));
        runs.add(line(51, new long[][] {{11, 11, 100_000}}));
        runs.add(line(53, new long[][] {{13, 13, 100_000}})); // block 52 missing
        runs.add(line(54, new long[][] {{16, 16, 100_000}})); // target jumps by 3
        runs.add(line(55, new long[][] {{16, 16, 200_000}})); // same target: joins
        runs.add(line(56, new long[][] {{55, 55, 900_000}})); // the neighbour: not long-range
        List<LinkRuns.Run> out = runs.finish();
        assertThat(out).extracting(r -> r.firstBlock + ".." + r.lastBlock + "->" + r.srcFirst + ".." + r.srcLast)
                .containsExactly("54..55->16..16", "50..51->10..11", "53..53->13..13");
    }

    @Test
    void onlyTheStrongestRunsAreKept() {
        LinkRuns runs = new LinkRuns();
        for (int i = 0; i < 100; i++) { // isolated links, weights 0.02..0.2 in a shuffled order
            long b = 10 + 3L * i;
            int w = 20_000 + ((i * 37) % 100) * 1_800;
            runs.add(line(b, new long[][] {{0, 0, w}}));
        }
        List<LinkRuns.Run> out = runs.finish();
        assertThat(out).hasSize(LinkRuns.KEPT);
        assertThat(out.get(0).maxWeight).isEqualTo((20_000 + 99 * 1_800) / 1e6f);
        assertThat(out.get(LinkRuns.KEPT - 1).maxWeight).isEqualTo((20_000 + 80 * 1_800) / 1e6f);
    }
}
