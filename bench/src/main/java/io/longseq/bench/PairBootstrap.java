package io.longseq.bench;

import java.util.Arrays;
import java.util.Random;

/**
 * Percentile-bootstrap intervals of a recall pooled over pairs (RecallBench {@code --pairs}). The blocks of one pair
 * are strongly correlated (one segment, one place), so whole pairs are resampled, never blocks.
 *
 * <p>Input per pair: {@code {hits, blocks}}. Recall = sum of hits / sum of blocks over the pairs. A resample draws as
 * many pair indices as there are pairs, uniformly with replacement (seeded); the interval is the resamples'
 * percentiles (1 - level) / 2 and (1 + level) / 2 by nearest rank. The ratio of two recalls resamples the two sides
 * jointly (the same indices in both: pair i is the same segment at the same place in both); a resample whose
 * denominator is 0 gives +infinity, or nothing when its numerator is 0 too.
 */
final class PairBootstrap {

    private PairBootstrap() {}

    /** Pooled recall of the pairs: sum hits / sum blocks (0 when there are no blocks). */
    static double recall(int[][] pairs) {
        long h = 0;
        long n = 0;
        for (int[] p : pairs) {
            h += p[0];
            n += p[1];
        }
        return n == 0 ? 0 : h / (double) n;
    }

    /** {lo, hi}: the level interval of the pooled recall over {@code resamples} resamples of the pairs. */
    static double[] interval(int[][] pairs, int resamples, double level, long seed) {
        return ratioInterval(pairs, null, resamples, level, seed);
    }

    /** {lo, hi}: the level interval of recall(num) / recall(den), pairs resampled jointly; NaN when never defined. */
    static double[] ratioInterval(int[][] num, int[][] den, int resamples, double level, long seed) {
        if (den != null && den.length != num.length) {
            throw new IllegalArgumentException("the ratio needs the same pairs on both sides: " + num.length + " vs "
                    + den.length);
        }
        if (num.length == 0 || resamples < 1) {
            return new double[] {Double.NaN, Double.NaN};
        }
        Random r = new Random(seed);
        double[] v = new double[resamples];
        int defined = 0;
        for (int k = 0; k < resamples; k++) {
            long nh = 0;
            long nn = 0;
            long dh = 0;
            long dn = 0;
            for (int i = 0; i < num.length; i++) {
                int j = r.nextInt(num.length);
                nh += num[j][0];
                nn += num[j][1];
                if (den != null) {
                    dh += den[j][0];
                    dn += den[j][1];
                }
            }
            double a = nn == 0 ? 0 : nh / (double) nn;
            if (den == null) {
                v[defined++] = a;
            } else {
                double b = dn == 0 ? 0 : dh / (double) dn;
                if (b > 0) {
                    v[defined++] = a / b;
                } else if (a > 0) {
                    v[defined++] = Double.POSITIVE_INFINITY;
                }
            }
        }
        if (defined == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double[] d = Arrays.copyOf(v, defined);
        Arrays.sort(d);
        return new double[] {d[rank(defined, (1 - level) / 2)], d[rank(defined, (1 + level) / 2)]};
    }

    // nearest rank: the smallest index whose cumulative share reaches q
    private static int rank(int n, double q) {
        return Math.min(n - 1, Math.max(0, (int) Math.ceil(q * n) - 1));
    }
}
