package io.longseq.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Where the planted pairs of {@link RecallBench} go: for each gap, {@code pairs} pairs of copies of a {@code length}-bp
 * segment, the second copy starting {@code gap} positions after the first one's end (RecallBench {@code --pairs}).
 *
 * <p>Rules: every copy lies inside the host; any two copies (of one pair or of different pairs) are at least
 * {@code margin} positions apart; first copies are drawn uniformly (seeded) among the starts where first copy + gap +
 * second copy fit, the largest gaps placed first (they have the fewest starts), a draw that touches a copy already
 * placed drawn again. Every pair has its own source segment: consecutive non-overlapping windows of the sources
 * taken from position 0 on, cycling over the sources (segment t from source t mod S, a source with no window left
 * skipped; a window with a base other than A, C, G, T passed over), handed out to pair 0 of every gap, then pair 1 of
 * every gap, and so on, so that each gap gets windows from all along the sources, not one stretch of them. A layout that does not fit is refused with a
 * one-line reason naming the numbers.
 */
final class PairLayout {

    /** A pair: its gap, its segment (source index, start in that source), its copies' starts in the host. */
    record Placement(long gap, int source, int sourceStart, int first, int second) {}

    private static final int TRIES = 100_000;   // draws per pair before the host is declared full

    private PairLayout() {}

    /** The pairs, in the order of {@code gaps} and, within a gap, of their index 0..pairs-1. */
    static List<Placement> generate(long[] gaps, int pairs, int hostLength, List<byte[]> sources, int length,
                                    int margin, long seed) {
        if (pairs < 1 || length < 1 || margin < 0) {
            throw new IllegalArgumentException("pairs (" + pairs + ") and length (" + length + ") must be >= 1, margin ("
                    + margin + ") >= 0");
        }
        int total = Math.multiplyExact(gaps.length, pairs);
        int[][] segments = segments(sources, length, total);
        int[] first = new int[total];
        List<int[]> placed = new ArrayList<>();   // starts of copies placed so far
        Random r = new Random(seed);
        Integer[] order = new Integer[gaps.length];
        for (int g = 0; g < gaps.length; g++) {
            order[g] = g;
            if (gaps[g] < margin) {
                throw new IllegalArgumentException("gap " + gaps[g] + " is shorter than the margin of " + margin
                        + " positions between copies");
            }
        }
        java.util.Arrays.sort(order, (a, b) -> Long.compare(gaps[b], gaps[a]));
        for (int g : order) {
            long span = 2L * length + gaps[g];   // first copy + gap + second copy
            if (span > hostLength) {
                throw new IllegalArgumentException("a pair at gap " + gaps[g] + " spans " + span
                        + " positions; the host holds " + hostLength);
            }
            int starts = (int) (hostLength - span + 1);
            for (int i = 0; i < pairs; i++) {
                int tries = 0;
                int s;
                do {
                    if (++tries > TRIES) {
                        throw new IllegalArgumentException("the host of " + hostLength + " bp cannot hold " + pairs
                                + " pairs at gap " + gaps[g] + " (first copies in the first " + starts + " bp) beside "
                                + placed.size() + " copies of " + length + " bp already placed, " + margin
                                + " bp apart; pair " + i + " found no place in " + TRIES + " draws");
                    }
                    s = r.nextInt(starts);
                } while (clashes(placed, s, length, margin) || clashes(placed, (int) (s + length + gaps[g]), length, margin));
                placed.add(new int[] {s});
                placed.add(new int[] {(int) (s + length + gaps[g])});
                first[g * pairs + i] = s;
            }
        }
        List<Placement> out = new ArrayList<>(total);
        for (int g = 0; g < gaps.length; g++) {
            for (int i = 0; i < pairs; i++) {
                int t = g * pairs + i;
                int[] seg = segments[i * gaps.length + g];   // pair i of every gap, then pair i + 1: windows spread
                out.add(new Placement(gaps[g], seg[0], seg[1], first[t], (int) (first[t] + length + gaps[g])));
            }
        }
        return out;
    }

    // a copy at s is closer than margin to a placed copy (both of the same length)
    private static boolean clashes(List<int[]> placed, int s, int length, int margin) {
        for (int[] p : placed) {
            if (Math.abs((long) p[0] - s) < (long) length + margin) {
                return true;
            }
        }
        return false;
    }

    // {source, start} of `total` segments: consecutive windows, cycling over the sources, skipping used-up ones
    private static int[][] segments(List<byte[]> sources, int length, int total) {
        int[][] out = new int[total][];
        int[] cursor = new int[sources.size()];
        int s = 0;
        for (int t = 0; t < total; t++) {
            int[] found = null;
            for (int k = 0; k < sources.size() && found == null; k++, s = (s + 1) % sources.size()) {
                byte[] src = sources.get(s);
                while (found == null && cursor[s] + length <= src.length) {
                    if (acgt(src, cursor[s], length)) {
                        found = new int[] {s, cursor[s]};
                    }
                    cursor[s] += length;
                }
            }
            if (found == null) {
                long windows = 0;
                for (byte[] src : sources) {
                    windows += src.length / length;
                }
                throw new IllegalArgumentException("the sources (" + sources.size() + " records, " + windows
                        + " windows of " + length + " bp, some holding bases other than ACGT) give " + t
                        + " segments; the layout needs " + total);
            }
            out[t] = found;
        }
        return out;
    }

    private static boolean acgt(byte[] b, int from, int length) {
        for (int i = from; i < from + length; i++) {
            if (b[i] != 'A' && b[i] != 'C' && b[i] != 'G' && b[i] != 'T') {
                return false;
            }
        }
        return true;
    }
}
