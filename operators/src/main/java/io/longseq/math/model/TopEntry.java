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
 * @param strand     which of the block's queries matched with {@link Strand#BOTH}: {@link #FORWARD} ('+', the
 *                   block's own strand) or {@link #REVERSE} ('-', its reverse complement); {@link #UNSTATED} (0)
 *                   when only the forward strand was searched, so single-strand output stays as it was
 */
public record TopEntry(int level, long firstBlock, long lastBlock, float weight, byte strand) implements Serializable {

    /** Only the forward strand was searched: the output names no strand. */
    public static final byte UNSTATED = 0;
    /** The block's own strand matched. */
    public static final byte FORWARD = '+';
    /** The block's reverse complement matched. */
    public static final byte REVERSE = '-';

    public TopEntry {
        if (strand != UNSTATED && strand != FORWARD && strand != REVERSE) {
            throw new IllegalArgumentException("top entry strand " + strand + " is none of 0, '+', '-'");
        }
    }

    /** An entry of a single-strand run ({@link #UNSTATED}). */
    public TopEntry(int level, long firstBlock, long lastBlock, float weight) {
        this(level, firstBlock, lastBlock, weight, UNSTATED);
    }
}
