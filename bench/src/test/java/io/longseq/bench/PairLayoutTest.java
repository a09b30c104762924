package io.longseq.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PairLayoutTest {

    private static final long[] GAPS = {1_000, 10_000, 100_000, 1_000_000, 3_000_000};
    private static final int LENGTH = 4_000;
    private static final int MARGIN = 512;

    @Test
    void copiesFitKeepTheirGapAndStayApart() {
        int host = 3_500_000;
        List<PairLayout.Placement> l = PairLayout.generate(GAPS, 6, host, sources(20_000, 200_000), LENGTH, MARGIN, 7);
        assertThat(l).hasSize(GAPS.length * 6);
        List<Integer> starts = new ArrayList<>();
        for (int t = 0; t < l.size(); t++) {
            PairLayout.Placement p = l.get(t);
            assertThat(p.gap()).isEqualTo(GAPS[t / 6]);                      // gaps in the given order
            assertThat((long) p.second() - p.first() - LENGTH).isEqualTo(p.gap());
            assertThat(p.first()).isGreaterThanOrEqualTo(0);
            assertThat(p.second() + LENGTH).isLessThanOrEqualTo(host);
            starts.add(p.first());
            starts.add(p.second());
        }
        Spacing.sortedGaps(starts, LENGTH, MARGIN);
    }

    @Test
    void marginHoldsWhereCopiesAreDense() {
        // 40 copies of 100 bp, 400 apart, in 40,000 bp: drawn without the margin, some two would nearly surely lie
        // closer than 500 start to start (birthday bound)
        List<PairLayout.Placement> l = PairLayout.generate(new long[] {1_000}, 20, 40_000, sources(10_000), 100, 400, 9);
        List<Integer> starts = new ArrayList<>();
        for (PairLayout.Placement p : l) {
            starts.add(p.first());
            starts.add(p.second());
        }
        Spacing.sortedGaps(starts, 100, 400);
    }

    @Test
    void segmentsAreDistinctWindowsCyclingOverTheSources() {
        // source 0 holds 2 windows of 4,000 bp, source 1 holds 50: after source 0 runs out, the rest come from 1.
        // Handed out pair 0 of both gaps, pair 1 of both, ...: segments 0, 2, 4, 6, 8 to gap 1,000, 1, 3, ... to 50,000
        List<PairLayout.Placement> l = PairLayout.generate(new long[] {1_000, 50_000}, 5, 1_000_000,
                sources(8_500, 200_000), LENGTH, MARGIN, 7);
        int[][] expected = {{0, 0}, {0, 4_000}, {1, 8_000}, {1, 16_000}, {1, 24_000},
            {1, 0}, {1, 4_000}, {1, 12_000}, {1, 20_000}, {1, 28_000}};
        for (int t = 0; t < l.size(); t++) {
            assertThat(new int[] {l.get(t).source(), l.get(t).sourceStart()}).as("pair " + t).isEqualTo(expected[t]);
        }
    }

    @Test
    void windowsWithOtherBasesArePassedOver() {
        List<byte[]> s = sources(20_000);
        s.get(0)[4_100] = 'N';                                  // spoils the second window [4000, 8000)
        List<PairLayout.Placement> l = PairLayout.generate(new long[] {1_000}, 3, 200_000, s, LENGTH, MARGIN, 7);
        assertThat(l.stream().mapToInt(PairLayout.Placement::sourceStart).toArray()).containsExactly(0, 8_000, 12_000);
    }

    @Test
    void sameSeedSameLayoutOtherSeedOtherPlaces() {
        List<byte[]> s = sources(20_000, 200_000);
        List<PairLayout.Placement> a = PairLayout.generate(GAPS, 4, 3_500_000, s, LENGTH, MARGIN, 7);
        List<PairLayout.Placement> b = PairLayout.generate(GAPS, 4, 3_500_000, s, LENGTH, MARGIN, 7);
        List<PairLayout.Placement> c = PairLayout.generate(GAPS, 4, 3_500_000, s, LENGTH, MARGIN, 8);
        assertThat(b).isEqualTo(a);
        assertThat(c).isNotEqualTo(a);
    }

    @Test
    void crowdedFarGapFillsItsNarrowRangeWithoutOverlap() {
        // 3,000,000 + 8,000 in 3,050,000 bp: first copies start in [0, 42,000]; 6 copies 4,512 apart span 22,560
        List<PairLayout.Placement> l = PairLayout.generate(new long[] {3_000_000}, 6, 3_050_000, sources(100_000),
                LENGTH, MARGIN, 3);
        List<Integer> starts = new ArrayList<>();
        for (PairLayout.Placement p : l) {
            assertThat(p.first()).isLessThanOrEqualTo(42_000);
            starts.add(p.first());
            starts.add(p.second());
        }
        Spacing.sortedGaps(starts, LENGTH, MARGIN);
    }

    @Test
    void refusesWhatDoesNotFitNamingTheNumbers() {
        assertThatThrownBy(() -> PairLayout.generate(new long[] {10_000_000}, 1, 9_000_000, sources(100_000), LENGTH,
                MARGIN, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10000000").hasMessageContaining("10008000").hasMessageContaining("9000000");
        // 20 copies of 4,512 bp cannot lie in 50,000 bp
        assertThatThrownBy(() -> PairLayout.generate(new long[] {1_000}, 10, 50_000, sources(100_000), LENGTH,
                MARGIN, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("50000 bp cannot hold 10 pairs at gap 1000");
        assertThatThrownBy(() -> PairLayout.generate(new long[] {1_000, 10_000}, 3, 1_000_000, sources(16_571),
                LENGTH, MARGIN, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("give 4 segments; the layout needs 6");
        assertThatThrownBy(() -> PairLayout.generate(new long[] {100}, 1, 1_000_000, sources(16_571), LENGTH,
                MARGIN, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gap 100");
    }

    // random ACGT records of the given lengths
    private static List<byte[]> sources(int... lengths) {
        Random r = new Random(5);
        List<byte[]> out = new ArrayList<>();
        for (int n : lengths) {
            byte[] b = new byte[n];
            for (int i = 0; i < n; i++) {
                b[i] = "ACGT".getBytes(StandardCharsets.US_ASCII)[r.nextInt(4)];
            }
            out.add(b);
        }
        return out;
    }

    private static final class Spacing {
        // every two copies (sorted starts) lie at least length + margin apart, start to start
        static void sortedGaps(List<Integer> starts, int length, int margin) {
            int[] s = starts.stream().mapToInt(Integer::intValue).toArray();
            Arrays.sort(s);
            for (int i = 1; i < s.length; i++) {
                assertThat(s[i] - s[i - 1]).as("copies at %d and %d", s[i - 1], s[i])
                        .isGreaterThanOrEqualTo(length + margin);
            }
        }
    }
}
