package io.longseq.math.kernel;

/**
 * Band attention of local modes SLIDING (s = 1) and DILATED (s = {@code dilation}) on the fused path
 * (docs/design.md 2.7): keys j = i + s·m, |m| ≤ w (causal: −w ≤ m ≤ 0). Since j − i ≡ 0 (mod s), each residue
 * class of positions modulo s is a sliding window of its own; the class r is laid out contiguously in the head
 * arrays from row classStart[r] (position r + s·k at row classStart[r] + k), and one {@link BandAttention} call
 * per class and head computes it.
 */
final class DilatedBand {

    final int step;                  // s: 1, or the dilation of local mode DILATED
    private final int[] classStart;  // [s+1] first row of each residue class in the head arrays

    DilatedBand(int step) {
        this.step = step;
        classStart = new int[step + 1];
    }

    // n positions -> classStart [s+1]: class r holds ⌈(n − r)/s⌉ positions
    void layout(int n) {
        for (int r = 0; r <= step; r++) {
            classStart[r] = r == 0 ? 0 : classStart[r - 1] + Math.max(0, (n - (r - 1) + step - 1) / step);
        }
    }

    /** The head-array row of position i under the last {@link #layout}. */
    int rowOf(int i) {
        return step == 1 ? i : classStart[i % step] + i / step;
    }

    // heads' q, kᵀ, v (laid out by layout(n)) -> hs.oRows rows [from, to), head hd in columns [hd·d_h, (hd+1)·d_h)
    void attend(BandAttention band, FusedHeads hs, int heads, int dh, int d, int w, boolean causal, int from,
                int to) {
        for (int r = 0; r < step; r++) {
            int base = classStart[r];
            int count = classStart[r + 1] - base;
            int kFrom = Math.max(0, -Math.floorDiv(-(from - r), step));   // ⌈(from − r)/s⌉
            int kTo = Math.min(count, -Math.floorDiv(-(to - r), step));
            // row k of class r is position r + s·k: head hd's rows go to its columns of oRows
            for (int hd = 0; hd < heads; hd++) {
                if (kFrom < kTo) {
                    band.head(hs.q[hd], hs.kT[hd], hs.kStride, hs.v[hd], base, count, kFrom, kTo, w, causal,
                            hs.oRows, r * d + hd * dh, step * d);
                }
            }
        }
    }
}
