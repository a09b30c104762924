package io.longseq.math;

import java.io.Serializable;

/**
 * What the global tier says about one block (DESIGN.md 2.6), before the sequence id is attached.
 *
 * @param block      block index b
 * @param start      first position of the block
 * @param end        one past its last position
 * @param summary    s_b [d]
 * @param context    c_b = s_b + g_b·W_go [d]
 * @param top        up to K entries other than the block itself, by weight (ties: lower first block)
 * @param selfWeight the weight of the entry that is the block itself
 * @param entropy    −Σ p·ln p over the block's attention weights
 */
public record BlockResult(long block, long start, long end, float[] summary, float[] context, TopEntry[] top,
                          float selfWeight, float entropy) implements Serializable {}
