package io.longseq.math.model;

/** How a block's token vectors become its summary s_b (docs/design.md 2.4). */
public enum Pooling {
    /** s_b = mean of z over the block (downsampling). */
    MEAN,
    /** s_b = Σ α_j z_j W_pv with α = softmax(q_p·(z_j W_pk)/√d): a learned query. */
    ATTENTION
}
