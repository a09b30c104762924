package io.longseq.math.reference;

import java.util.ArrayList;
import java.util.List;

/**
 * Which blocks a block attends to in each global mode, recomputed from the definitions for every block (no running
 * state): the hierarchical partition (docs/design.md 2.5), AXIAL's row and column, BIGBIRD's reservoir, RETRIEVAL's
 * held exemplars, and LINEAR's random features ω. Part of the independent reference ({@link ReferenceModel}): it
 * shares no code with the memories it checks.
 */
public final class ReferenceEntries {

    private ReferenceEntries() {}

    /**
     * BIGBIRD's blocks for block b ({@link GlobalMode#BIGBIRD}), ascending, recomputed from the definition: the
     * reservoir replayed over every candidate e = g .. b−w−1 from scratch, then the partial shuffle of its slots.
     */
    public static long[] bigbirdBlocks(long b, int w, int g, int r, long seed) {
        int p = 4 * r;
        long[] slot = new long[p];
        int held = 0;
        long t = 0;
        for (long e = g; e <= b - w - 1; e++) {
            t++;
            if (held < p) {
                slot[held++] = e;
            } else {
                long j = Long.remainderUnsigned(bigbirdHash(seed, e, 1), t);
                if (j < p) {
                    slot[(int) j] = e;
                }
            }
        }
        int take = Math.min(r, held);
        int[] idx = new int[held];
        for (int i = 0; i < held; i++) {
            idx[i] = i;
        }
        java.util.TreeSet<Long> blocks = new java.util.TreeSet<>();
        for (int i = 0; i < take; i++) {
            int j = i + (int) Long.remainderUnsigned(bigbirdHash(seed, b, i + 2), held - i);
            int x = idx[i];
            idx[i] = idx[j];
            idx[j] = x;
            blocks.add(slot[idx[i]]);
        }
        for (long j = 0; j < Math.min(g, b + 1); j++) {
            blocks.add(j);
        }
        for (long j = Math.max(0, b - w); j <= b; j++) {
            blocks.add(j);
        }
        return blocks.stream().mapToLong(Long::longValue).toArray();
    }

    // H(σ, x, y) = mix(mix(σ ^ mix(x)) ^ y), mix the SplitMix64 finaliser
    static long bigbirdHash(long seed, long x, long y) {
        return splitMix(splitMix(seed ^ splitMix(x)) ^ y);
    }

    /**
     * The blocks RETRIEVAL mode holds once blocks 0..b are in, straight from the definition: per bucket, its newest
     * {@code recent} members, and of its other members the {@code slots − recent} with the smallest priority
     * SplitMix64(seed + (j+1)·0x9E3779B97F4A7C15), compared unsigned.
     *
     * @param bucketOf the bucket of each block [≥ b+1]
     * @return the held block indices, ascending
     */
    public static List<Long> retrievalHeld(long b, int[] bucketOf, int slots, int recent, long seed) {
        java.util.Map<Integer, List<Long>> members = new java.util.TreeMap<>();
        for (long j = 0; j <= b; j++) {
            members.computeIfAbsent(bucketOf[(int) j], x -> new ArrayList<>()).add(j);
        }
        List<Long> held = new ArrayList<>();
        for (List<Long> m : members.values()) {
            int older = Math.max(0, m.size() - recent);
            held.addAll(m.subList(older, m.size()));                 // the newest `recent`
            List<Long> rest = new ArrayList<>(m.subList(0, older));
            rest.sort((x, y) -> Long.compareUnsigned(splitMix(seed + (x + 1) * 0x9E3779B97F4A7C15L),
                    splitMix(seed + (y + 1) * 0x9E3779B97F4A7C15L)));
            held.addAll(rest.subList(0, Math.min(rest.size(), slots - recent)));
        }
        held.sort(Long::compare);
        return held;
    }

    /**
     * RETRIEVAL's sketch candidates of a block, {0, j, j, 1, 1} each (level 0, one block; the fifth element marks a
     * sketch): of the blocks j in [lo, hi) the m with the smallest Hamming distance between their code and the
     * query's (the smaller of two with a reverse query), ties to the larger j, less the blocks {@code held} whole,
     * ascending in j.
     */
    public static List<long[]> sketchCandidates(long lo, long hi, long[][] codes, long[] query, long[] reverse, int m,
                                                List<Long> held) {
        List<long[]> byDistance = new ArrayList<>();   // {distance, j}
        for (long j = lo; j < hi; j++) {
            int dist = ReferenceSketch.distance(codes[(int) j], query);
            if (reverse != null) {
                dist = Math.min(dist, ReferenceSketch.distance(codes[(int) j], reverse));
            }
            byDistance.add(new long[] {dist, j});
        }
        byDistance.sort(java.util.Comparator.comparingLong((long[] t) -> t[0]).thenComparingLong(t -> -t[1]));
        List<long[]> out = new ArrayList<>();
        for (long[] t : byDistance.subList(0, Math.min(m, byDistance.size()))) {
            if (!held.contains(t[1])) {
                out.add(new long[] {0, t[1], t[1], 1, 1});
            }
        }
        out.sort(java.util.Comparator.comparingLong(t -> t[1]));
        return out;
    }

    static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * AXIAL mode's entries for block b on a grid of P = C/B columns (row r = ⌊b/P⌋, column j = b mod P):
     *
     * <pre>
     * column entry (when r &gt; 0): {2, j, (r−1)·P + j, P}   blocks j, j + P, ..., (r−1)·P + j; c = r
     * row entries:                 {1, r·P + i, r·P + i}   i = 0..j; c = 1
     * </pre>
     *
     * @return the column entry first (if any), then the row entries oldest first; the last one is {1, b, b}
     */
    public static List<long[]> axialEntries(long b, int blocksPerChunk) {
        if (b < 0 || blocksPerChunk < 1) {
            throw new IllegalArgumentException("axialEntries needs b >= 0 and blocksPerChunk >= 1; got b=" + b
                    + " blocksPerChunk=" + blocksPerChunk);
        }
        long r = b / blocksPerChunk;
        long j = b % blocksPerChunk;
        List<long[]> out = new ArrayList<>();
        if (r > 0) {
            out.add(new long[] {2, j, (r - 1) * blocksPerChunk + j, blocksPerChunk});
        }
        for (long i = 0; i <= j; i++) {
            out.add(new long[] {1, r * blocksPerChunk + i, r * blocksPerChunk + i});
        }
        return out;
    }

    /**
     * ω [m][d] of LINEAR mode from its seed, as {@link GlobalMode#LINEAR} defines it: entry (i, c) is the
     * (i·d + c)-th {@code nextGaussian()} of {@code new java.util.Random(splitMix64(seed))}, rounded to float.
     */
    public static double[][] linearOmega(long seed, int m, int d) {
        long z = seed;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        z = z ^ (z >>> 31);
        java.util.Random random = new java.util.Random(z);
        double[][] omega = new double[m][d];
        for (int i = 0; i < m; i++) {
            for (int c = 0; c < d; c++) {
                omega[i][c] = (float) random.nextGaussian();
            }
        }
        return omega;
    }

    /**
     * The multi-resolution partition of blocks [0, b] of docs/design.md 2.5, computed straight from the formula.
     *
     * <pre>
     * s₁ = max(0, G·⌊(b − R + 1)/G⌋),          level 1 = blocks s₁..b (one entry each)
     * s_ℓ = max(0, G·⌊(s_(ℓ−1)/G − R)/G⌋),      level ℓ = groups s_ℓ .. s_(ℓ−1)/G − 1, ℓ = 2..H,
     *                                          group g of level ℓ = blocks [g·G^(ℓ−1), (g+1)·G^(ℓ−1))
     * prefix (level H+1) = blocks [0, s_H·G^(H−1)), one entry, when not empty
     * </pre>
     *
     * @return entries {level, firstBlock, lastBlockInclusive}, ordered prefix first, then level H down to
     *         level 1, each level oldest first; so they tile [0, b] left to right and the last entry is
     *         {1, b, b}
     */
    public static List<long[]> hierarchicalPartition(long b, int R, int G, int H) {
        if (b < 0 || R < 1 || G < 2 || H < 1) {
            throw new IllegalArgumentException("hierarchicalPartition needs b >= 0, R >= 1, G >= 2, H >= 1; got b="
                    + b + " R=" + R + " G=" + G + " H=" + H);
        }
        // start[l] = s_l in units of level-l groups; span[l] = G^(l-1) blocks per level-l group.
        long[] start = new long[H + 1];
        long[] span = new long[H + 1];
        start[1] = Math.max(0, G * Math.floorDiv(b - R + 1, (long) G));
        span[1] = 1;
        for (int l = 2; l <= H; l++) {
            start[l] = Math.max(0, G * Math.floorDiv(start[l - 1] / G - R, (long) G));
            // Once a level starts at 0 every later start is 0; the span is then never multiplied by
            // anything but 0, so saturating it avoids overflow without changing a result.
            span[l] = span[l - 1] > Long.MAX_VALUE / G ? Long.MAX_VALUE : span[l - 1] * G;
        }

        List<long[]> out = new ArrayList<>();
        long prefixEnd = start[H] == 0 ? 0 : start[H] * span[H]; // blocks [0, prefixEnd)
        if (prefixEnd > 0) {
            out.add(new long[] {H + 1, 0, prefixEnd - 1});
        }
        for (int l = H; l >= 2; l--) {
            long endGroup = start[l - 1] / G; // exclusive
            for (long g = start[l]; g < endGroup; g++) {
                out.add(new long[] {l, g * span[l], (g + 1) * span[l] - 1});
            }
        }
        for (long j = start[1]; j <= b; j++) {
            out.add(new long[] {1, j, j});
        }
        return out;
    }
}
