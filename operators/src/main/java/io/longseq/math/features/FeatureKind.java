package io.longseq.math.features;

/** What one position of a sequence holds, and so how its feature ids are made (docs/design.md 2.1). */
public enum FeatureKind {
    /** Genome bases; each position's feature is the overlapping k-mer ending at it. */
    DNA,
    /** Integer token ids; each position's feature is the id itself. */
    TOKENS,
    /** Log lines; each position is one line, its features are its masked, hashed words. */
    LOG
}
