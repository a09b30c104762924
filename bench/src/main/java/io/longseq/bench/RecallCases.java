package io.longseq.bench;

import java.util.ArrayList;
import java.util.List;

/** The host sequences RecallBench plants and the searches it runs on each ({@code --rates}, {@code --strands},
 * {@code --cases}). */
final class RecallCases {

    /** One planted host sequence (strand of the second copies, substitution rate) and the searches run on it. */
    record Run(boolean reverse, double rate, List<String> searches) {}

    private RecallCases() {}

    // default: forward copies at every rate, reverse-complemented ones exact and (searched other than forward only) at
    // the highest rate, each with every search of `strands`; with `cases`, each planted-search pair at every rate
    static List<Run> runs(String rates, String strands, String cases) {
        List<Run> out = new ArrayList<>();
        List<String> searches = List.of(strands.split(","));
        if (cases.isEmpty()) {
            double maxRate = 0;
            for (String r : rates.split(",")) {
                out.add(new Run(false, Double.parseDouble(r), searches));
                maxRate = Math.max(maxRate, Double.parseDouble(r));
            }
            out.add(new Run(true, 0.0, searches));
            if (maxRate > 0 && !searches.equals(List.of("forward"))) {
                out.add(new Run(true, maxRate, searches));
            }
            return out;
        }
        List<String> fwd = new ArrayList<>();
        List<String> rc = new ArrayList<>();
        for (String c : cases.split(",")) {
            String[] ps = c.trim().split("-");
            if (ps.length != 2 || !List.of("fwd", "rc").contains(ps[0])
                    || !List.of("forward", "both", "canonical").contains(ps[1])) {
                throw new IllegalArgumentException("--cases: '" + c + "' is not planted-search with planted fwd|rc"
                        + " and search forward|both|canonical, e.g. fwd-forward,rc-both");
            }
            (ps[0].equals("fwd") ? fwd : rc).add(ps[1]);
        }
        for (String r : rates.split(",")) {
            if (!fwd.isEmpty()) {
                out.add(new Run(false, Double.parseDouble(r), fwd));
            }
            if (!rc.isEmpty()) {
                out.add(new Run(true, Double.parseDouble(r), rc));
            }
        }
        return out;
    }

    static String key(double rate, boolean reverse, String search, String mode) {
        return rate + "/" + reverse + "/" + search + "/" + mode;
    }
}
