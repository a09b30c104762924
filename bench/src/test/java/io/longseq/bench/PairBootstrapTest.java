package io.longseq.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PairBootstrapTest {

    @Test
    void recallPoolsBlocksOverPairs() {
        assertThat(PairBootstrap.recall(new int[][] {{3, 15}, {15, 15}, {0, 14}})).isCloseTo(18 / 44.0, within(1e-15));
        assertThat(PairBootstrap.recall(new int[0][])).isZero();
    }

    @Test
    void identicalPairsGiveAPointInterval() {
        int[][] p = {{6, 15}, {6, 15}, {6, 15}, {6, 15}};
        assertThat(PairBootstrap.interval(p, 1000, 0.9, 1)).containsExactly(0.4, 0.4);
        assertThat(PairBootstrap.ratioInterval(p, p, 1000, 0.9, 1)).containsExactly(1.0, 1.0);
    }

    @Test
    void twoOppositePairsSpanZeroToOne() {
        // resampled pooled recall of {all hit, none hit}: 0, 0.5, 1 with probability 1/4, 1/2, 1/4; the 5th and 95th
        // percentiles of 1000 resamples are 0 and 1 (fewer than 50 of 1000 draws at 0 has probability < 1e-40)
        double[] ci = PairBootstrap.interval(new int[][] {{15, 15}, {0, 15}}, 1000, 0.9, 1);
        assertThat(ci).containsExactly(0.0, 1.0);
        // an 80 % interval of 1000 resamples too: 10th and 90th percentiles
        assertThat(PairBootstrap.interval(new int[][] {{15, 15}, {0, 15}}, 1000, 0.8, 2)).containsExactly(0.0, 1.0);
    }

    @Test
    void ratioResamplesBothSidesJointly() {
        // numerator = half of the denominator's hits in every pair: every joint resample gives exactly 0.5, while
        // resampling the sides independently would spread it
        int[][] den = {{14, 14}, {2, 15}, {8, 15}, {10, 14}, {0, 15}, {6, 15}};
        int[][] num = {{7, 14}, {1, 15}, {4, 15}, {5, 14}, {0, 15}, {3, 15}};
        assertThat(PairBootstrap.ratioInterval(num, den, 1000, 0.9, 3)).containsExactly(0.5, 0.5);
        double[] a = PairBootstrap.interval(den, 1000, 0.9, 3);
        assertThat(a[0]).isLessThan(PairBootstrap.recall(den));
        assertThat(a[1]).isGreaterThan(PairBootstrap.recall(den));
    }

    @Test
    void zeroDenominatorsGiveInfinityOrNothing() {
        assertThat(PairBootstrap.ratioInterval(new int[][] {{5, 15}}, new int[][] {{0, 15}}, 100, 0.9, 1))
                .containsExactly(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
        assertThat(PairBootstrap.ratioInterval(new int[][] {{0, 15}}, new int[][] {{0, 15}}, 100, 0.9, 1)[0]).isNaN();
    }
}
