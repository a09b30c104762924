package io.longseq.math.model;

/**
 * Which strands of a DNA sequence block-level attention searches (docs/design.md 2.5, issue 23).
 *
 * <p>{@link #FORWARD}: a block's query, from its own summary, meets the memory of earlier blocks (the default).
 * {@link #BOTH}: each block also has a reverse-strand summary s'_b: the local tier run over the reverse complement
 * of its chunk (the chunk's k-mer ids reversed and each k-mer reverse-complemented, with the same halos), pooled
 * over the block's own positions. Its query q'_b = LN_g(s'_b)·W_gq meets the same memory (the forward keys of
 * blocks 0..b), so a block finds an earlier block that matches its reverse complement. The block's attention runs
 * over both sets of scores, 2M of them, in one softmax; every top entry says which query matched.
 */
public enum Strand {
    /** The given strand only. */
    FORWARD,
    /** The given strand and its reverse complement (DNA, bidirectional local modes SLIDING and DILATED). */
    BOTH
}
