package io.longseq.math.reference;

/**
 * The sign-sketch codes the reference's RETRIEVAL sketch tier uses ({@link ReferenceSketch}). By default the
 * reference encodes its own double vectors; a code bit is the sign of a sum, so a coordinate within rounding of zero
 * can fall either way between the float path and the double one, and one flipped bit moves a block's estimate by
 * 2/√D of its norm. A comparison of the two paths may therefore hand the reference the codes the float path formed
 * (checked separately against {@link ReferenceSketch#encode} away from zero), so the rest of the tier is compared
 * on the same codes.
 */
public interface SketchCodes {

    /** The code of block b's x_b = LN_g(s_b). */
    long[] block(int b);

    /** The code of block b's query in x-space, W_gk·q_b. */
    long[] query(int b);
}
