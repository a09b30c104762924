package io.longseq.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** RecallBench's per-gap cells of per-pair counts and its table of rev-comp / forward recall ratios. */
final class RecallRatios {

    private RecallRatios() {}

    // the rows of per-pair {hits, blocks} whose pair has this gap
    static int[][] ofGap(int[][] hits, List<PairLayout.Placement> pairs, long gap) {
        List<int[]> out = new ArrayList<>();
        for (int p = 0; p < hits.length; p++) {
            if (pairs.get(p).gap() == gap) {
                out.add(hits[p]);
            }
        }
        return out.toArray(new int[0][]);
    }

    // per rate and mode: recall of reverse-complement copies (each search) over forward copies searched forward, with
    // the bootstrap interval of the ratio (pair i is the same segment at the same place in both sequences)
    static void table(StringBuilder md, List<RecallCases.Run> runs, List<String> modes, List<Long> gaps,
                               List<PairLayout.Placement> pairs, Map<String, int[][]> perPair, int resamples,
                      long seed) {
        StringBuilder t = new StringBuilder("\nRatio rev-comp / forward (forward copies searched forward): recall ratio"
                + " [90 % interval, pairs resampled jointly]\n\n| mutations | mode | rev-comp search |");
        for (long gap : gaps) {
            t.append(String.format(Locale.ROOT, " gap %.0e |", (double) gap));
        }
        t.append("\n|---|---|---|").append("---|".repeat(gaps.size())).append('\n');
        boolean any = false;
        for (RecallCases.Run run : runs) {
            if (!run.reverse()) {
                continue;
            }
            for (String search : run.searches())
            for (String mode : modes) {
                int[][] den = perPair.get(RecallCases.key(run.rate(), false, "forward", mode));
                int[][] num = perPair.get(RecallCases.key(run.rate(), true, search, mode));
                if (den == null || num == null) {
                    continue;
                }
                any = true;
                t.append(String.format(Locale.ROOT, "| %.0f %% | %s | %s |", run.rate() * 100, mode, search));
                for (long gap : gaps) {
                    int[][] n = ofGap(num, pairs, gap);
                    int[][] d = ofGap(den, pairs, gap);
                    double[] ci = PairBootstrap.ratioInterval(n, d, resamples, 0.9, seed);
                    double f = PairBootstrap.recall(d);
                    double r = PairBootstrap.recall(n);
                    t.append(String.format(Locale.ROOT, " %s [%s, %s] |", ratio(f > 0 ? r / f : r > 0
                            ? Double.POSITIVE_INFINITY : Double.NaN), ratio(ci[0]), ratio(ci[1])));
                }
                t.append('\n');
            }
        }
        if (any) {
            md.append(t);
        }
    }

    private static String ratio(double r) {
        return Double.isNaN(r) ? "-" : Double.isInfinite(r) ? "inf" : String.format(Locale.ROOT, "%.2f", r);
    }
}
