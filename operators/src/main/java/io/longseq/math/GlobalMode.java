package io.longseq.math;

/** Which memory block-level attention reads (DESIGN.md 2.5). */
public enum GlobalMode {
    /** Bounded multi-resolution partition of all earlier blocks; state O(H·(R+G)·d). */
    HIERARCHICAL,
    /** Every earlier block is its own entry: exact, but state grows with n/B up to a cap. */
    FULL
}
