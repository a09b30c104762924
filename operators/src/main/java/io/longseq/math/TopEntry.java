package io.longseq.math;

import java.io.Serializable;

/**
 * One memory entry a block attended to (DESIGN.md 2.6).
 *
 * @param level      1..H for the hierarchical levels, H+1 for the running-mean prefix; always 1 in FULL mode
 * @param firstBlock first level-1 block the entry stands for
 * @param lastBlock  last level-1 block the entry stands for (inclusive)
 * @param weight     the entry's softmax weight in the block's global attention
 */
public record TopEntry(int level, long firstBlock, long lastBlock, float weight) implements Serializable {}
