package io.longseq.bench;

/**
 * How many memory entries block b attends to in global mode HIERARCHICAL, from the partition of docs/design.md 2.5
 * (pure arithmetic, so benchmarks can count FLOPs without touching the memory):
 * s₁ = max(0, G·⌊(b − R + 1)/G⌋), level 1 = blocks s₁..b;
 * s_ℓ = max(0, G·⌊(s_(ℓ−1)/G − R)/G⌋), level ℓ = groups s_ℓ .. s_(ℓ−1)/G − 1;
 * plus one prefix entry when s_H &gt; 0.
 */
final class HierarchicalEntries {

    private HierarchicalEntries() {}

    /** M(b) for recent R, group G, levels H. */
    static int count(long b, int r, int g, int h) {
        long s = Math.max(0, g * Math.floorDiv(b - r + 1, g));
        long m = b - s + 1;
        for (int l = 2; l <= h; l++) {
            long next = Math.max(0, g * Math.floorDiv(s / g - r, g));
            m += s / g - next;
            s = next;
        }
        return (int) (m + (s > 0 ? 1 : 0));
    }

    /** The largest M(b) over b = 0..blocks−1 (it is periodic once the prefix exists, so a bounded scan suffices). */
    static int max(long blocks, int r, int g, int h) {
        int best = 0;
        long limit = Math.min(blocks, 1L << 22);
        for (long b = 0; b < limit; b++) {
            best = Math.max(best, count(b, r, g, h));
        }
        return best;
    }
}
