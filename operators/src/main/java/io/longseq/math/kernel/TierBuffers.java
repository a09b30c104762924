package io.longseq.math.kernel;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The row buffers both local tiers ({@link LocalTier}, {@link DenseLocalTier}) run a layer through: the residual
 * stream, the LayerNorm output, q|k|v, the attention output and the FFN hidden, each an off-heap ND4J array of
 * {@code rows} rows (zeroed when allocated) with direct Java views of the same memory. Closing frees them.
 */
final class TierBuffers implements AutoCloseable {

    final INDArray xBase;    // [rows, d]   residual stream
    final INDArray aBase;    // [rows, d]   LayerNorm output
    final INDArray qkvBase;  // [rows, 3d]  a·[W_q | W_k | W_v]
    final INDArray oBase;    // [rows, d]   attention output, heads concatenated
    final INDArray hBase;    // [rows, f]   FFN hidden
    final FloatBuffer x;
    final FloatBuffer a;
    final FloatBuffer qkv;
    final FloatBuffer o;
    final FloatBuffer hid;
    final ByteBuffer xBytes;     // the same memory as x, for vector loads and stores
    final ByteBuffer aBytes;     // the same memory as a
    final ByteBuffer qkvBytes;   // the same memory as qkv
    final ByteBuffer oBytes;     // the same memory as o
    final ByteBuffer hidBytes;   // the same memory as hid

    TierBuffers(int rows, int d, int f) {
        xBase = Nd4j.create(DataType.FLOAT, rows, d);
        aBase = Nd4j.create(DataType.FLOAT, rows, d);
        qkvBase = Nd4j.create(DataType.FLOAT, rows, 3L * d);
        oBase = Nd4j.create(DataType.FLOAT, rows, d);
        hBase = Nd4j.create(DataType.FLOAT, rows, f);
        x = RowOps.view(xBase);
        a = RowOps.view(aBase);
        qkv = RowOps.view(qkvBase);
        o = RowOps.view(oBase);
        hid = RowOps.view(hBase);
        xBytes = RowOps.bytes(xBase);
        aBytes = RowOps.bytes(aBase);
        qkvBytes = RowOps.bytes(qkvBase);
        oBytes = RowOps.bytes(oBase);
        hidBytes = RowOps.bytes(hBase);
    }

    @Override
    public void close() {
        for (INDArray arr : new INDArray[] {xBase, aBase, qkvBase, oBase, hBase}) {
            arr.close();
        }
    }
}
