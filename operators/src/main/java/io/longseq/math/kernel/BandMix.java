package io.longseq.math.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The weighted values of {@link VectorAttention}: out[r] = (Σ_j p[r][j] · v_j)·(1/Σ_r) for a block of four or eight
 * queries, the values from arrays or (eight queries) read in place from a direct buffer, the rows stored from
 * registers into an array or a direct buffer. Each column's sum over j in order, whatever the block or the source:
 * the same bits. Only arrays, buffers and ints cross these calls, never a vector (see {@link VectorRowKernels}).
 */
final class BandMix {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private BandMix() {}

    // out[at + r·outStride, +d_h) = Σ_j p[r][j] · v[keyRow+j] for r < rows, stored from registers; two vectors
    // of d_h per pass (8 accumulators: with AVX2's 16 registers a wider pass would spill), each column's sum over j
    // in order whatever the pass
    static void mixBlock(float[][] scores, float[] inv, int dh, float[] v, int keyRow, int rows, int len, float[] out,
                         int at, int outStride) {
        float[] p0 = scores[0];
        float[] p1 = scores[1];
        float[] p2 = scores[2];
        float[] p3 = scores[3];
        for (int c = 0; c < dh; c += 2 * LANES) {
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0;
            FloatVector b0 = a0;
            FloatVector b1 = a0;
            FloatVector c0 = a0;
            FloatVector c1 = a0;
            FloatVector d0 = a0;
            FloatVector d1 = a0;
            for (int j = 0; j < len; j++) {
                int vj = (keyRow + j) * dh + c;
                FloatVector v0 = FloatVector.fromArray(SPECIES, v, vj);
                FloatVector v1 = FloatVector.fromArray(SPECIES, v, vj + LANES);
                FloatVector x0 = FloatVector.broadcast(SPECIES, p0[j]);
                FloatVector x1 = FloatVector.broadcast(SPECIES, p1[j]);
                FloatVector x2 = FloatVector.broadcast(SPECIES, p2[j]);
                FloatVector x3 = FloatVector.broadcast(SPECIES, p3[j]);
                a0 = x0.fma(v0, a0);
                a1 = x0.fma(v1, a1);
                b0 = x1.fma(v0, b0);
                b1 = x1.fma(v1, b1);
                c0 = x2.fma(v0, c0);
                c1 = x2.fma(v1, c1);
                d0 = x3.fma(v0, d0);
                d1 = x3.fma(v1, d1);
            }
            int o = at + c;
            a0.mul(inv[0]).intoArray(out, o);
            a1.mul(inv[0]).intoArray(out, o + LANES);
            if (rows > 1) {
                b0.mul(inv[1]).intoArray(out, o + outStride);
                b1.mul(inv[1]).intoArray(out, o + outStride + LANES);
            }
            if (rows > 2) {
                c0.mul(inv[2]).intoArray(out, o + 2 * outStride);
                c1.mul(inv[2]).intoArray(out, o + 2 * outStride + LANES);
            }
            if (rows > 3) {
                d0.mul(inv[3]).intoArray(out, o + 3 * outStride);
                d1.mul(inv[3]).intoArray(out, o + 3 * outStride + LANES);
            }
        }
    }

    // mixBlock for eight rows (AVX-512): 16 accumulators, 2 value loads and 8 broadcasts per 16 FMAs; each column's
    // sum over j in order, as mixBlock (the same bits)
    static void mixBlock8(float[][] scores, float[] inv, int dh, float[] v, int keyRow, int rows, int len, float[] out,
                          int at, int outStride) {
        float[] p0 = scores[0];
        float[] p1 = scores[1];
        float[] p2 = scores[2];
        float[] p3 = scores[3];
        float[] p4 = scores[4];
        float[] p5 = scores[5];
        float[] p6 = scores[6];
        float[] p7 = scores[7];
        for (int c = 0; c < dh; c += 2 * LANES) {
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0;
            FloatVector b0 = a0;
            FloatVector b1 = a0;
            FloatVector c0 = a0;
            FloatVector c1 = a0;
            FloatVector d0 = a0;
            FloatVector d1 = a0;
            FloatVector e0 = a0;
            FloatVector e1 = a0;
            FloatVector f0 = a0;
            FloatVector f1 = a0;
            FloatVector g0 = a0;
            FloatVector g1 = a0;
            FloatVector h0 = a0;
            FloatVector h1 = a0;
            for (int j = 0; j < len; j++) {
                int vj = (keyRow + j) * dh + c;
                FloatVector v0 = FloatVector.fromArray(SPECIES, v, vj);
                FloatVector v1 = FloatVector.fromArray(SPECIES, v, vj + LANES);
                FloatVector x = FloatVector.broadcast(SPECIES, p0[j]);
                a0 = x.fma(v0, a0);
                a1 = x.fma(v1, a1);
                x = FloatVector.broadcast(SPECIES, p1[j]);
                b0 = x.fma(v0, b0);
                b1 = x.fma(v1, b1);
                x = FloatVector.broadcast(SPECIES, p2[j]);
                c0 = x.fma(v0, c0);
                c1 = x.fma(v1, c1);
                x = FloatVector.broadcast(SPECIES, p3[j]);
                d0 = x.fma(v0, d0);
                d1 = x.fma(v1, d1);
                x = FloatVector.broadcast(SPECIES, p4[j]);
                e0 = x.fma(v0, e0);
                e1 = x.fma(v1, e1);
                x = FloatVector.broadcast(SPECIES, p5[j]);
                f0 = x.fma(v0, f0);
                f1 = x.fma(v1, f1);
                x = FloatVector.broadcast(SPECIES, p6[j]);
                g0 = x.fma(v0, g0);
                g1 = x.fma(v1, g1);
                x = FloatVector.broadcast(SPECIES, p7[j]);
                h0 = x.fma(v0, h0);
                h1 = x.fma(v1, h1);
            }
            int o = at + c;
            a0.mul(inv[0]).intoArray(out, o);
            a1.mul(inv[0]).intoArray(out, o + LANES);
            if (rows > 1) {
                b0.mul(inv[1]).intoArray(out, o + outStride);
                b1.mul(inv[1]).intoArray(out, o + outStride + LANES);
            }
            if (rows > 2) {
                c0.mul(inv[2]).intoArray(out, o + 2 * outStride);
                c1.mul(inv[2]).intoArray(out, o + 2 * outStride + LANES);
            }
            if (rows > 3) {
                d0.mul(inv[3]).intoArray(out, o + 3 * outStride);
                d1.mul(inv[3]).intoArray(out, o + 3 * outStride + LANES);
            }
            if (rows > 4) {
                e0.mul(inv[4]).intoArray(out, o + 4 * outStride);
                e1.mul(inv[4]).intoArray(out, o + 4 * outStride + LANES);
            }
            if (rows > 5) {
                f0.mul(inv[5]).intoArray(out, o + 5 * outStride);
                f1.mul(inv[5]).intoArray(out, o + 5 * outStride + LANES);
            }
            if (rows > 6) {
                g0.mul(inv[6]).intoArray(out, o + 6 * outStride);
                g1.mul(inv[6]).intoArray(out, o + 6 * outStride + LANES);
            }
            if (rows > 7) {
                h0.mul(inv[7]).intoArray(out, o + 7 * outStride);
                h1.mul(inv[7]).intoArray(out, o + 7 * outStride + LANES);
            }
        }
    }

    // mixBlock8 with the values read in place (row j of the head's v at byte vAt + j·rowBytes of vb) and the rows
    // written in place (row r at byte at + r·outRowBytes of ob): the same sums
    static void mixBlock8(float[][] scores, float[] inv, int dh, ByteBuffer vb, int vAt, int rowBytes, int rows,
                          int len, ByteBuffer ob, int at, int outRowBytes) {
        float[] p0 = scores[0];
        float[] p1 = scores[1];
        float[] p2 = scores[2];
        float[] p3 = scores[3];
        float[] p4 = scores[4];
        float[] p5 = scores[5];
        float[] p6 = scores[6];
        float[] p7 = scores[7];
        for (int c = 0; c < dh; c += 2 * LANES) {
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0;
            FloatVector b0 = a0;
            FloatVector b1 = a0;
            FloatVector c0 = a0;
            FloatVector c1 = a0;
            FloatVector d0 = a0;
            FloatVector d1 = a0;
            FloatVector e0 = a0;
            FloatVector e1 = a0;
            FloatVector f0 = a0;
            FloatVector f1 = a0;
            FloatVector g0 = a0;
            FloatVector g1 = a0;
            FloatVector h0 = a0;
            FloatVector h1 = a0;
            for (int j = 0; j < len; j++) {
                int vj = vAt + j * rowBytes + c * Float.BYTES;
                FloatVector v0 = FloatVector.fromByteBuffer(SPECIES, vb, vj, NATIVE);
                FloatVector v1 = FloatVector.fromByteBuffer(SPECIES, vb, vj + LANES * Float.BYTES, NATIVE);
                FloatVector x = FloatVector.broadcast(SPECIES, p0[j]);
                a0 = x.fma(v0, a0);
                a1 = x.fma(v1, a1);
                x = FloatVector.broadcast(SPECIES, p1[j]);
                b0 = x.fma(v0, b0);
                b1 = x.fma(v1, b1);
                x = FloatVector.broadcast(SPECIES, p2[j]);
                c0 = x.fma(v0, c0);
                c1 = x.fma(v1, c1);
                x = FloatVector.broadcast(SPECIES, p3[j]);
                d0 = x.fma(v0, d0);
                d1 = x.fma(v1, d1);
                x = FloatVector.broadcast(SPECIES, p4[j]);
                e0 = x.fma(v0, e0);
                e1 = x.fma(v1, e1);
                x = FloatVector.broadcast(SPECIES, p5[j]);
                f0 = x.fma(v0, f0);
                f1 = x.fma(v1, f1);
                x = FloatVector.broadcast(SPECIES, p6[j]);
                g0 = x.fma(v0, g0);
                g1 = x.fma(v1, g1);
                x = FloatVector.broadcast(SPECIES, p7[j]);
                h0 = x.fma(v0, h0);
                h1 = x.fma(v1, h1);
            }
            int o = at + c * Float.BYTES;
            a0.mul(inv[0]).intoByteBuffer(ob, o, NATIVE);
            a1.mul(inv[0]).intoByteBuffer(ob, o + LANES * Float.BYTES, NATIVE);
            if (rows > 1) {
                b0.mul(inv[1]).intoByteBuffer(ob, o + outRowBytes, NATIVE);
                b1.mul(inv[1]).intoByteBuffer(ob, o + outRowBytes + LANES * Float.BYTES, NATIVE);
            }
            if (rows > 2) {
                c0.mul(inv[2]).intoByteBuffer(ob, o + 2 * outRowBytes, NATIVE);
                c1.mul(inv[2]).intoByteBuffer(ob, o + 2 * outRowBytes + LANES * Float.BYTES, NATIVE);
            }
            if (rows > 3) {
                d0.mul(inv[3]).intoByteBuffer(ob, o + 3 * outRowBytes, NATIVE);
                d1.mul(inv[3]).intoByteBuffer(ob, o + 3 * outRowBytes + LANES * Float.BYTES, NATIVE);
            }
            if (rows > 4) {
                e0.mul(inv[4]).intoByteBuffer(ob, o + 4 * outRowBytes, NATIVE);
                e1.mul(inv[4]).intoByteBuffer(ob, o + 4 * outRowBytes + LANES * Float.BYTES, NATIVE);
            }
            if (rows > 5) {
                f0.mul(inv[5]).intoByteBuffer(ob, o + 5 * outRowBytes, NATIVE);
                f1.mul(inv[5]).intoByteBuffer(ob, o + 5 * outRowBytes + LANES * Float.BYTES, NATIVE);
            }
            if (rows > 6) {
                g0.mul(inv[6]).intoByteBuffer(ob, o + 6 * outRowBytes, NATIVE);
                g1.mul(inv[6]).intoByteBuffer(ob, o + 6 * outRowBytes + LANES * Float.BYTES, NATIVE);
            }
            if (rows > 7) {
                h0.mul(inv[7]).intoByteBuffer(ob, o + 7 * outRowBytes, NATIVE);
                h1.mul(inv[7]).intoByteBuffer(ob, o + 7 * outRowBytes + LANES * Float.BYTES, NATIVE);
            }
        }
    }
}
