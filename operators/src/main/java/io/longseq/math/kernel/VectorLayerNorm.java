package io.longseq.math.kernel;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * LayerNorm over rows of direct, native-order buffers with the Vector API ({@link VectorRowKernels#layerNormRows},
 * {@link VectorRowKernels#layerNormRowsInto}): the operations of {@link VectorRowKernels#layerNorm} in the same order,
 * so the same bits, for d a multiple of the vector width. Only arrays, buffers and ints cross its methods, never a
 * vector (see {@link VectorRowKernels}). Keeps scratch: one per kernel set, not thread-safe.
 */
final class VectorLayerNorm {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();

    private float[] block = new float[0];                    // [4, d] the rows in hand
    private final ByteBuffer[] viewOf = new ByteBuffer[2];   // the source and destination buffers last seen ...
    private final FloatBuffer[] views = new FloatBuffer[2];  // ... and their float views

    // src rows [from, to) of [·, d] (+ rb, written back) -> dst rows = LN(src)·gain + bias
    void rows(ByteBuffer src, ByteBuffer dst, int from, int to, int d, float[] gain, float[] bias, float[] residualBias) {
        normalizeBlocks(floats(src, 0), floats(dst, 1), null, 0, from, to, d, gain, bias, residualBias);
    }

    // src rows [from, to) of [·, d] (+ rb) -> z [to−from, d] from zOffset = LN(src + rb)·gain + bias; src unchanged
    void rowsInto(ByteBuffer src, int from, int to, int d, float[] gain, float[] bias, float[] residualBias, float[] z,
                  int zOffset) {
        normalizeBlocks(floats(src, 0), null, z, zOffset, from, to, d, gain, bias, residualBias);
    }

    // The same operations as layerNorm(float[]) in the same order, on blocks of four rows copied out of the buffer
    // and back in bulk (FloatBuffer's absolute get/put: one memory copy each way). Vector loads and stores on a direct
    // ByteBuffer each cost ~12 scalar instructions in JDK 17 (bounds, the buffer's fields reloaded after every store,
    // its session), which held this kernel, not its arithmetic: 128 of them per four rows; on the heap array the checks
    // leave the loop. Four rows at a time: a row is a chain of dependent steps (sum, reduction, squares, reduction,
    // square root), so independent chains side by side keep the pipes busy (2,176 rows: one row 70 ns, two 50), each
    // row's bits unchanged. Rows past the last of [from, to) repeat it: each step loads all four before it stores any,
    // so the repeats compute the same values from the same inputs and store them again.
    // in rows [from, to) (+ rb) -> LN rows into out (then in gets x + rb back), or into z from zOffset (in unchanged)
    private void normalizeBlocks(FloatBuffer in, FloatBuffer out, float[] z, int zOffset, int from, int to, int d,
                                 float[] gain, float[] bias, float[] residualBias) {
        float[] blk = block(4 * d);                     // [4, d] the rows in hand
        for (int i = from; i < to; i += 4) {
            int rows = Math.min(4, to - i);
            in.get(i * d, blk, 0, rows * d);
            int last = (rows - 1) * d;
            int r0 = 0;
            int r1 = Math.min(d, last);
            int r2 = Math.min(2 * d, last);
            int r3 = Math.min(3 * d, last);
            FloatVector sum0 = FloatVector.zero(F);
            FloatVector sum1 = sum0;
            FloatVector sum2 = sum0;
            FloatVector sum3 = sum0;
            if (residualBias != null) {
                for (int c = 0; c < d; c += LANES) {
                    FloatVector b = FloatVector.fromArray(F, residualBias, c);
                    FloatVector x0 = FloatVector.fromArray(F, blk, r0 + c).add(b);
                    FloatVector x1 = FloatVector.fromArray(F, blk, r1 + c).add(b);
                    FloatVector x2 = FloatVector.fromArray(F, blk, r2 + c).add(b);
                    FloatVector x3 = FloatVector.fromArray(F, blk, r3 + c).add(b);
                    x0.intoArray(blk, r0 + c);
                    x1.intoArray(blk, r1 + c);
                    x2.intoArray(blk, r2 + c);
                    x3.intoArray(blk, r3 + c);
                    sum0 = sum0.add(x0);
                    sum1 = sum1.add(x1);
                    sum2 = sum2.add(x2);
                    sum3 = sum3.add(x3);
                }
                if (out != null) {
                    in.put(i * d, blk, 0, rows * d);    // x + b written back
                }
            } else {
                for (int c = 0; c < d; c += LANES) {
                    sum0 = sum0.add(FloatVector.fromArray(F, blk, r0 + c));
                    sum1 = sum1.add(FloatVector.fromArray(F, blk, r1 + c));
                    sum2 = sum2.add(FloatVector.fromArray(F, blk, r2 + c));
                    sum3 = sum3.add(FloatVector.fromArray(F, blk, r3 + c));
                }
            }
            float mean0 = sum0.reduceLanes(VectorOperators.ADD) / d;
            float mean1 = sum1.reduceLanes(VectorOperators.ADD) / d;
            float mean2 = sum2.reduceLanes(VectorOperators.ADD) / d;
            float mean3 = sum3.reduceLanes(VectorOperators.ADD) / d;
            FloatVector sq0 = FloatVector.zero(F);
            FloatVector sq1 = sq0;
            FloatVector sq2 = sq0;
            FloatVector sq3 = sq0;
            for (int c = 0; c < d; c += LANES) {
                FloatVector a0 = FloatVector.fromArray(F, blk, r0 + c).sub(mean0);
                FloatVector a1 = FloatVector.fromArray(F, blk, r1 + c).sub(mean1);
                FloatVector a2 = FloatVector.fromArray(F, blk, r2 + c).sub(mean2);
                FloatVector a3 = FloatVector.fromArray(F, blk, r3 + c).sub(mean3);
                sq0 = a0.fma(a0, sq0);
                sq1 = a1.fma(a1, sq1);
                sq2 = a2.fma(a2, sq2);
                sq3 = a3.fma(a3, sq3);
            }
            float inv0 = (float) (1.0 / Math.sqrt(sq0.reduceLanes(VectorOperators.ADD) / d + 1e-5));
            float inv1 = (float) (1.0 / Math.sqrt(sq1.reduceLanes(VectorOperators.ADD) / d + 1e-5));
            float inv2 = (float) (1.0 / Math.sqrt(sq2.reduceLanes(VectorOperators.ADD) / d + 1e-5));
            float inv3 = (float) (1.0 / Math.sqrt(sq3.reduceLanes(VectorOperators.ADD) / d + 1e-5));
            float[] t = out != null ? blk : z;            // LN(x) over x in blk, into blk (then out) or z
            int tAt = out != null ? 0 : zOffset + (i - from) * d;
            for (int c = 0; c < d; c += LANES) {
                FloatVector g = FloatVector.fromArray(F, gain, c);
                FloatVector b = FloatVector.fromArray(F, bias, c);
                FloatVector a0 = FloatVector.fromArray(F, blk, r0 + c).sub(mean0).mul(inv0);
                FloatVector a1 = FloatVector.fromArray(F, blk, r1 + c).sub(mean1).mul(inv1);
                FloatVector a2 = FloatVector.fromArray(F, blk, r2 + c).sub(mean2).mul(inv2);
                FloatVector a3 = FloatVector.fromArray(F, blk, r3 + c).sub(mean3).mul(inv3);
                a0.fma(g, b).intoArray(t, tAt + r0 + c);
                a1.fma(g, b).intoArray(t, tAt + r1 + c);
                a2.fma(g, b).intoArray(t, tAt + r2 + c);
                a3.fma(g, b).intoArray(t, tAt + r3 + c);
            }
            if (out != null) {
                out.put(i * d, blk, 0, rows * d);
            }
        }
    }

    // b.asFloatBuffer(), kept per role (0: source, 1: destination) while the same buffer comes back, as the tier's do
    // every chunk: no garbage a chunk (the tier's buffers keep position 0 and are addressed absolutely)
    private FloatBuffer floats(ByteBuffer b, int role) {
        if (viewOf[role] != b) {
            viewOf[role] = b;
            views[role] = b.asFloatBuffer();
        }
        return views[role];
    }

    // scratch [n] of this instance (n: the model's width, from its configuration)
    private float[] block(int n) {
        if (block.length < n) {
            block = new float[n];
        }
        return block;
    }
}
