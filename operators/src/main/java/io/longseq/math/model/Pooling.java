package io.longseq.math.model;

/** How a block's token vectors become its summary s_b (docs/design.md 2.4). */
public enum Pooling {
    /** s_b = mean of z over the block (downsampling). */
    MEAN,
    /** s_b = Σ α_j z_j W_pv with α = softmax(q_p·(z_j W_pk)/√d): a learned query. */
    ATTENTION,
    /** s_b[c] = max_j z_j[c]: the largest value of each component over the block. */
    MAX,
    /**
     * A strided convolution over the block's positions (kernel width = stride = B, depthwise): with the learned
     * kernel K = {@code pool.conv.kernel} [B, d] and bias β = {@code pool.conv.bias} [d],
     * s_b[c] = (B/m)·Σ_{j&lt;m} K[j, c]·z_{bB+j}[c] + β[c] over the m positions the block has (m = B but for the
     * last block of an ended sequence). With the default K = 1/B, β = 0 this is the mean.
     */
    CONV
}
