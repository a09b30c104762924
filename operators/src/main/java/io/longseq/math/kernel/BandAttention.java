package io.longseq.math.kernel;

/**
 * Band attention of one head over contiguous arrays, the query rows [from, to) of n positions:
 * query i meets keys j with |i − j| ≤ w (or i − w ≤ j ≤ i when causal) and 0 ≤ j &lt; n.
 *
 * <p>Two implementations: {@link VectorAttention} (Vector API, fused in registers) and
 * {@link ScalarAttention} (plain Java, for the dilated mode when the vector kernel cannot run). The
 * dilated mode calls it once per residue class, whose positions are laid out contiguously.
 */
interface BandAttention {

    /** Columns of kT past the last key a kernel may read: the vector kernel loads whole vectors of keys. */
    int KEY_SLACK = 16;

    /** Name for logs and benchmarks. */
    String name();

    /**
     * @param q      queries, row base+i of [·, d_h], RoPE'd and scaled by 1/√d_h
     * @param kT     keys transposed: component c of key base+j at c·stride + base + j; each row readable
     *               {@link #KEY_SLACK} entries past base + n (whatever they hold: those scores are never used)
     * @param stride row length of kT, at least base + n + {@link #KEY_SLACK}
     * @param v      values, row base+j of [·, d_h]
     * @param base   first row of this sequence of n positions inside the arrays
     * @param n      positions
     * @param from   first query row to compute (0 ≤ from ≤ to ≤ n)
     * @param to     one past the last query row to compute
     * @param out    receives each computed row i (counted from base) [d_h] at outOffset + i·outStride: a head's
     *               columns of a [·, d] row-major matrix when outStride = d, written in place with no copy
     * @param outOffset where row 0 goes in out
     * @param outStride distance in out from one row to the next, at least d_h
     */
    // q [n, d_h] · kTᵀ over the band -> softmax -> · v -> out rows [from, to)
    void head(float[] q, float[] kT, int stride, float[] v, int base, int n, int from, int to, int w, boolean causal,
              float[] out, int outOffset, int outStride);
}
