package io.longseq.math.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorRowKernels}' rotary position embedding (RoPE) in Vector API lanes of the preferred float shape: a qkv
 * row's queries and keys rotated pair by pair ({@link #row}), and transposed keys rotated along the positions
 * ({@link #keysT}); the bits of {@link RowKernels#ropeRow} and {@link RowKernels#ropeKeysT}. Only arrays, buffers and
 * ints cross these calls, never a vector (see {@link VectorRowKernels}).
 */
final class VectorRope {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final VectorShuffle<Float> PAIR_SWAP = VectorShuffle.fromOp(F, i -> i ^ 1); // 1, 0, 3, 2, ...

    private VectorRope() {}

    // x·cosDup + swap(x)·sinAlt per vector, swap exchanging the lanes of each pair: the same products and sums as
    // the scalar form (x₀c + x₁(−s) = x₀c − x₁s exactly), so the same bits.
    // qkv row -> q (rotated, × qScale) and v into the heads' rows, the rotated k into kRow; dh a multiple of LANES
    static void row(ByteBuffer qkv, int rowAt, int d, int heads, int dh, float[] cosDup, float[] sinAlt, int ang,
                    float qScale, float[][] qHeads, float[][] vHeads, int rowOff, float[] kRow) {
        for (int hd = 0; hd < heads; hd++) {
            int col = hd * dh;
            for (int c = 0; c < dh; c += LANES) {
                FloatVector cs = FloatVector.fromArray(F, cosDup, ang + c);
                FloatVector sn = FloatVector.fromArray(F, sinAlt, ang + c);
                FloatVector x = FloatVector.fromByteBuffer(F, qkv, rowAt + (col + c) * Float.BYTES, NATIVE);
                x.mul(cs).add(x.rearrange(PAIR_SWAP).mul(sn)).mul(qScale).intoArray(qHeads[hd], rowOff + c);
                FloatVector k = FloatVector.fromByteBuffer(F, qkv, rowAt + (d + col + c) * Float.BYTES, NATIVE);
                k.mul(cs).add(k.rearrange(PAIR_SWAP).mul(sn)).intoArray(kRow, col + c);
                FloatVector.fromByteBuffer(F, qkv, rowAt + (2 * d + col + c) * Float.BYTES, NATIVE)
                        .intoArray(vHeads[hd], rowOff + c);
            }
        }
    }

    // Along the positions, LANES at a time: no lane crosses another, no transposition. k₀c − k₁s is ropeRow's
    // k₀c + k₁(−s) exactly (negation and subtraction are exact), k₁c + k₀s its other lane: the same bits.
    // each head's kᵀ rows [d_h, np] in keys -> rotated along positions [from, to) into kT
    static void keysT(ByteBuffer keys, int at, int np, int heads, int dh, float[] cosT, float[] sinT,
                      int angStride, int from, int to, float[][] kT, int kStride) {
        int whole = from + (to - from) / LANES * LANES;
        for (int hd = 0; hd < heads; hd++) {
            float[] kt = kT[hd];
            for (int m = 0; m < dh / 2; m++) {
                int r0 = at + (hd * dh + 2 * m) * np * Float.BYTES;
                int r1 = r0 + np * Float.BYTES;
                int a = m * angStride;
                int o0 = 2 * m * kStride;
                int o1 = o0 + kStride;
                int i = from;
                for (; i < whole; i += LANES) {
                    FloatVector c = FloatVector.fromArray(F, cosT, a + i);
                    FloatVector sn = FloatVector.fromArray(F, sinT, a + i);
                    FloatVector k0 = FloatVector.fromByteBuffer(F, keys, r0 + i * Float.BYTES, NATIVE);
                    FloatVector k1 = FloatVector.fromByteBuffer(F, keys, r1 + i * Float.BYTES, NATIVE);
                    k0.mul(c).sub(k1.mul(sn)).intoArray(kt, o0 + i);
                    k1.mul(c).add(k0.mul(sn)).intoArray(kt, o1 + i);
                }
                for (; i < to; i++) {
                    float c = cosT[a + i];
                    float sn = sinT[a + i];
                    float k0 = keys.getFloat(r0 + i * Float.BYTES);
                    float k1 = keys.getFloat(r1 + i * Float.BYTES);
                    kt[o0 + i] = k0 * c - k1 * sn;
                    kt[o1 + i] = k1 * c + k0 * sn;
                }
            }
        }
    }
}
