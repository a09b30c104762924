package io.longseq.math.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The score products of {@link VectorAttention}: s[r][j] = q_r · k_j for a block of four or eight queries and the
 * keys of their bands, from keys transposed (a vector load holds one component of LANES consecutive keys). Each score
 * is one chain of FMAs over the components in order, whatever the block, so the same bits for any grouping of queries.
 * Only arrays and ints cross these calls, never a vector (see {@link VectorRowKernels}).
 */
final class BandScores {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final int ROWS = 4;

    private BandScores() {}

    // s[r][j] = q[qRow+r] · k[keyRow+j] for r < rows, j < vectors·LANES (rows of the whole arrays; keys past the
    // band are computed too, whatever they hold, and never used)
    static void scoresOfBlock(float[][] scores, int dh, float[] q, float[] kT, int stride, int qRow, int rows,
                              int keyRow, int vectors) {
        scoresOfBlock(scores, dh, q, kT, stride, qRow, rows, keyRow, vectors, 0);
    }

    // as above into scores[g .. g+3]
    static void scoresOfBlock(float[][] scores, int dh, float[] q, float[] kT, int stride, int qRow, int rows,
                              int keyRow, int vectors, int g) {
        float[] s0 = scores[g];
        float[] s1 = scores[g + 1];
        float[] s2 = scores[g + 2];
        float[] s3 = scores[g + 3];
        int q0 = qRow * dh;
        int q1 = rows > 1 ? q0 + dh : q0;   // missing rows repeat row 0; their scores are never read
        int q2 = rows > 2 ? q0 + 2 * dh : q0;
        int q3 = rows > 3 ? q0 + 3 * dh : q0;
        int len = vectors * LANES;
        // Three key vectors per pass: 12 independent FMA chains, 3 loads and 4 broadcasts per 12 FMAs. When the count
        // is not a multiple of three the last pass steps back to end at len and computes one or two vectors again
        // (the same sums, written again); fewer than three vectors go one at a time (four chains).
        for (int pass = len >= 3 * LANES ? 0 : len; pass < len; pass += 3 * LANES) {
            int j = Math.min(pass, len - 3 * LANES);
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector b0 = a0;
            FloatVector b1 = a0;
            FloatVector b2 = a0;
            FloatVector c0 = a0;
            FloatVector c1 = a0;
            FloatVector c2 = a0;
            FloatVector d0 = a0;
            FloatVector d1 = a0;
            FloatVector d2 = a0;
            int col = keyRow + j;
            for (int c = 0; c < dh; c++) {
                FloatVector k0 = FloatVector.fromArray(SPECIES, kT, c * stride + col);
                FloatVector k1 = FloatVector.fromArray(SPECIES, kT, c * stride + col + LANES);
                FloatVector k2 = FloatVector.fromArray(SPECIES, kT, c * stride + col + 2 * LANES);
                FloatVector x0 = FloatVector.broadcast(SPECIES, q[q0 + c]);
                FloatVector x1 = FloatVector.broadcast(SPECIES, q[q1 + c]);
                FloatVector x2 = FloatVector.broadcast(SPECIES, q[q2 + c]);
                FloatVector x3 = FloatVector.broadcast(SPECIES, q[q3 + c]);
                a0 = x0.fma(k0, a0);
                a1 = x0.fma(k1, a1);
                a2 = x0.fma(k2, a2);
                b0 = x1.fma(k0, b0);
                b1 = x1.fma(k1, b1);
                b2 = x1.fma(k2, b2);
                c0 = x2.fma(k0, c0);
                c1 = x2.fma(k1, c1);
                c2 = x2.fma(k2, c2);
                d0 = x3.fma(k0, d0);
                d1 = x3.fma(k1, d1);
                d2 = x3.fma(k2, d2);
            }
            a0.intoArray(s0, j);
            a1.intoArray(s0, j + LANES);
            a2.intoArray(s0, j + 2 * LANES);
            b0.intoArray(s1, j);
            b1.intoArray(s1, j + LANES);
            b2.intoArray(s1, j + 2 * LANES);
            c0.intoArray(s2, j);
            c1.intoArray(s2, j + LANES);
            c2.intoArray(s2, j + 2 * LANES);
            d0.intoArray(s3, j);
            d1.intoArray(s3, j + LANES);
            d2.intoArray(s3, j + 2 * LANES);
        }
        for (int j = len >= 3 * LANES ? len : 0; j < len; j += LANES) {      // fewer than three vectors in all
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector b0 = a0;
            FloatVector c0 = a0;
            FloatVector d0 = a0;
            int col = keyRow + j;
            for (int c = 0; c < dh; c++) {
                FloatVector k0 = FloatVector.fromArray(SPECIES, kT, c * stride + col);
                a0 = FloatVector.broadcast(SPECIES, q[q0 + c]).fma(k0, a0);
                b0 = FloatVector.broadcast(SPECIES, q[q1 + c]).fma(k0, b0);
                c0 = FloatVector.broadcast(SPECIES, q[q2 + c]).fma(k0, c0);
                d0 = FloatVector.broadcast(SPECIES, q[q3 + c]).fma(k0, d0);
            }
            a0.intoArray(s0, j);
            b0.intoArray(s1, j);
            c0.intoArray(s2, j);
            d0.intoArray(s3, j);
        }
    }

    // scoresOfBlock for eight rows (AVX-512's 32 registers): three key vectors per pass, 24 independent FMA chains,
    // 3 loads and 8 broadcasts per 24 FMAs; each score the same sum over c in the same order (the same bits)
    static void scoresOfBlock8(float[][] scores, int dh, float[] q, float[] kT, int stride, int qRow, int rows,
                               int keyRow, int vectors) {
        int q0 = qRow * dh;
        int q1 = rows > 1 ? q0 + dh : q0;   // missing rows repeat row 0; their scores are never read
        int q2 = rows > 2 ? q0 + 2 * dh : q0;
        int q3 = rows > 3 ? q0 + 3 * dh : q0;
        int q4 = rows > 4 ? q0 + 4 * dh : q0;
        int q5 = rows > 5 ? q0 + 5 * dh : q0;
        int q6 = rows > 6 ? q0 + 6 * dh : q0;
        int q7 = rows > 7 ? q0 + 7 * dh : q0;
        int len = vectors * LANES;
        if (len < 3 * LANES) {
            scoresOfBlock(scores, dh, q, kT, stride, qRow, Math.min(rows, ROWS), keyRow, vectors);
            if (rows > ROWS) {
                scoresOfBlock(scores, dh, q, kT, stride, qRow + ROWS, rows - ROWS, keyRow, vectors, ROWS);
            }
            return;
        }
        for (int pass = 0; pass < len; pass += 3 * LANES) {
            int j = Math.min(pass, len - 3 * LANES);
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector b0 = a0;
            FloatVector b1 = a0;
            FloatVector b2 = a0;
            FloatVector c0 = a0;
            FloatVector c1 = a0;
            FloatVector c2 = a0;
            FloatVector d0 = a0;
            FloatVector d1 = a0;
            FloatVector d2 = a0;
            FloatVector e0 = a0;
            FloatVector e1 = a0;
            FloatVector e2 = a0;
            FloatVector f0 = a0;
            FloatVector f1 = a0;
            FloatVector f2 = a0;
            FloatVector g0 = a0;
            FloatVector g1 = a0;
            FloatVector g2 = a0;
            FloatVector h0 = a0;
            FloatVector h1 = a0;
            FloatVector h2 = a0;
            int col = keyRow + j;
            for (int c = 0; c < dh; c++) {
                FloatVector k0 = FloatVector.fromArray(SPECIES, kT, c * stride + col);
                FloatVector k1 = FloatVector.fromArray(SPECIES, kT, c * stride + col + LANES);
                FloatVector k2 = FloatVector.fromArray(SPECIES, kT, c * stride + col + 2 * LANES);
                FloatVector x = FloatVector.broadcast(SPECIES, q[q0 + c]);
                a0 = x.fma(k0, a0);
                a1 = x.fma(k1, a1);
                a2 = x.fma(k2, a2);
                x = FloatVector.broadcast(SPECIES, q[q1 + c]);
                b0 = x.fma(k0, b0);
                b1 = x.fma(k1, b1);
                b2 = x.fma(k2, b2);
                x = FloatVector.broadcast(SPECIES, q[q2 + c]);
                c0 = x.fma(k0, c0);
                c1 = x.fma(k1, c1);
                c2 = x.fma(k2, c2);
                x = FloatVector.broadcast(SPECIES, q[q3 + c]);
                d0 = x.fma(k0, d0);
                d1 = x.fma(k1, d1);
                d2 = x.fma(k2, d2);
                x = FloatVector.broadcast(SPECIES, q[q4 + c]);
                e0 = x.fma(k0, e0);
                e1 = x.fma(k1, e1);
                e2 = x.fma(k2, e2);
                x = FloatVector.broadcast(SPECIES, q[q5 + c]);
                f0 = x.fma(k0, f0);
                f1 = x.fma(k1, f1);
                f2 = x.fma(k2, f2);
                x = FloatVector.broadcast(SPECIES, q[q6 + c]);
                g0 = x.fma(k0, g0);
                g1 = x.fma(k1, g1);
                g2 = x.fma(k2, g2);
                x = FloatVector.broadcast(SPECIES, q[q7 + c]);
                h0 = x.fma(k0, h0);
                h1 = x.fma(k1, h1);
                h2 = x.fma(k2, h2);
            }
            float[] s = scores[0];
            a0.intoArray(s, j);
            a1.intoArray(s, j + LANES);
            a2.intoArray(s, j + 2 * LANES);
            s = scores[1];
            b0.intoArray(s, j);
            b1.intoArray(s, j + LANES);
            b2.intoArray(s, j + 2 * LANES);
            s = scores[2];
            c0.intoArray(s, j);
            c1.intoArray(s, j + LANES);
            c2.intoArray(s, j + 2 * LANES);
            s = scores[3];
            d0.intoArray(s, j);
            d1.intoArray(s, j + LANES);
            d2.intoArray(s, j + 2 * LANES);
            s = scores[4];
            e0.intoArray(s, j);
            e1.intoArray(s, j + LANES);
            e2.intoArray(s, j + 2 * LANES);
            s = scores[5];
            f0.intoArray(s, j);
            f1.intoArray(s, j + LANES);
            f2.intoArray(s, j + 2 * LANES);
            s = scores[6];
            g0.intoArray(s, j);
            g1.intoArray(s, j + LANES);
            g2.intoArray(s, j + 2 * LANES);
            s = scores[7];
            h0.intoArray(s, j);
            h1.intoArray(s, j + LANES);
            h2.intoArray(s, j + 2 * LANES);
        }
    }
}
