package io.longseq.math.model;

import java.io.Serializable;

/**
 * One memory entry a block attended to (docs/design.md 2.6).
 *
 * @param level      1..H for the hierarchical levels, H+1 for the running-mean prefix; always 1 in FULL mode;
 *                   in AXIAL mode 1 for a block of the own grid row, 2 for the column entry
 * @param firstBlock first level-1 block the entry stands for
 * @param lastBlock  last level-1 block the entry stands for (inclusive). An AXIAL column entry is not a
 *                   contiguous range: it stands for blocks firstBlock, firstBlock + C/B, ..., lastBlock
 * @param weight     the entry's softmax weight in the block's global attention
 */
public record TopEntry(int level, long firstBlock, long lastBlock, float weight) implements Serializable {}
