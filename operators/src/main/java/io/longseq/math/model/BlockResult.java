package io.longseq.math.model;

import java.io.Serializable;

/**
 * What the global tier says about one block (docs/design.md 2.6), before the sequence id is attached.
 *
 * @param block      block index b
 * @param start      first position of the block
 * @param end        one past its last position
 * @param summary    s_b [d]
 * @param context    c_b = s_b + g_b·W_go [d]
 * @param top        up to K entries other than the block itself, by weight (ties: lower first block); always
 *                   empty in {@link GlobalMode#LINEAR}, which has no entries
 * @param selfWeight the weight of the entry that is the block itself; in LINEAR mode
 *                   φ(q_b)·φ(k_b) / φ(q_b)ᵀz, the block's share of the random-feature normaliser
 * @param entropy    −Σ p·ln p over the block's attention weights; defined as 0 in LINEAR mode, whose per-block
 *                   weights are never materialised (a finite value, so JSON consumers never see NaN)
 * @param novelty    1 − max(0, max over the memory entries other than the block itself of cos(k_b, k̄_m)): how
 *                   unlike everything the memory holds the block's key is, in [0, 1]; 1 when there is no other
 *                   entry (the first block); defined as 0 in LINEAR mode, which keeps no entries
 *                   (docs/outputs.md)
 */
public record BlockResult(long block, long start, long end, float[] summary, float[] context, TopEntry[] top,
                          float selfWeight, float entropy, float novelty) implements Serializable {}
