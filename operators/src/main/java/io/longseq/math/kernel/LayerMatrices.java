package io.longseq.math.kernel;

import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.Weights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The local layers' projection matrices as ND4J arrays, uploaded once per tier instance. */
final class LayerMatrices implements AutoCloseable {

    final INDArray[] wqkv;   // per layer [d, 3d] = [W_q | W_k | W_v], one GEMM for all three
    final INDArray[] wo;     // per layer [d, d]
    final INDArray[] w1;     // per layer [d, f]
    final INDArray[] w2;     // per layer [f, d]
    final INDArray[] wqv;    // per layer [d, 2d] = [W_q | W_v]: the fused SLIDING path's q and v in one GEMM
    final INDArray[] wkT;    // per layer [d, d] = W_kᵀ: its keys, transposed by the GEMM itself

    LayerMatrices(ModelConfig cfg, Weights weights) {
        int d = cfg.dModel();
        int f = cfg.ffnDim();
        int layers = cfg.layers();
        wqkv = new INDArray[layers];
        wo = new INDArray[layers];
        w1 = new INDArray[layers];
        w2 = new INDArray[layers];
        wqv = new INDArray[layers];
        wkT = new INDArray[layers];
        for (int l = 0; l < layers; l++) {
            Weights.Layer y = weights.layers[l];
            float[] cat = new float[d * 3 * d]; // [d, 3d]
            for (int r = 0; r < d; r++) {
                System.arraycopy(y.wq, r * d, cat, r * 3 * d, d);
                System.arraycopy(y.wk, r * d, cat, r * 3 * d + d, d);
                System.arraycopy(y.wv, r * d, cat, r * 3 * d + 2 * d, d);
            }
            wqkv[l] = Nd4j.create(cat, new long[] {d, 3L * d}, DataType.FLOAT);
            float[] qv = new float[d * 2 * d];   // [d, 2d]
            float[] kT = new float[d * d];       // [d, d]
            for (int r = 0; r < d; r++) {
                System.arraycopy(y.wq, r * d, qv, r * 2 * d, d);
                System.arraycopy(y.wv, r * d, qv, r * 2 * d + d, d);
                for (int c = 0; c < d; c++) {
                    kT[c * d + r] = y.wk[r * d + c];
                }
            }
            wqv[l] = Nd4j.create(qv, new long[] {d, 2L * d}, DataType.FLOAT);
            wkT[l] = Nd4j.create(kT, new long[] {d, d}, DataType.FLOAT);
            wo[l] = Nd4j.create(y.wo, new long[] {d, d}, DataType.FLOAT);
            w1[l] = Nd4j.create(y.w1, new long[] {d, f}, DataType.FLOAT);
            w2[l] = Nd4j.create(y.w2, new long[] {f, d}, DataType.FLOAT);
        }
    }

    /** Every layer's four products bound to one set of buffers (rows of the same chunk geometry). */
    static final class Products implements AutoCloseable {
        final MatMul[] qkvProj;   // per layer: qkv = a·[W_q|W_k|W_v]
        final MatMul[] outProj;   // per layer: x += o·W_o
        final MatMul[] ffnIn;     // per layer: h = a·W_1
        final MatMul[] ffnOut;    // per layer: x += GELU(h)·W_2
        final MatMul[] qvProj;    // per layer: qv = a·[W_q|W_v], or none (no qv buffer bound)
        final MatMul[] kTProj;    // per layer: kT = W_kᵀ·aᵀ, or none

        private Products(LayerMatrices m, INDArray a, INDArray qkv, INDArray o, INDArray h, INDArray x, INDArray qv,
                         INDArray kT) {
            int layers = m.wqkv.length;
            qvProj = new MatMul[qv != null ? layers : 0];
            kTProj = new MatMul[qv != null ? layers : 0];
            for (int l = 0; l < qvProj.length; l++) {
                qvProj[l] = new MatMul(a, m.wqv[l], qv, false, 0.0);
                // the same sums as qkv's k columns, bit for bit (oneDNN; LocalTierTest compares the two paths)
                kTProj[l] = new MatMul(m.wkT[l], a, kT, true, 0.0);
            }
            qkvProj = new MatMul[layers];
            outProj = new MatMul[layers];
            ffnIn = new MatMul[layers];
            ffnOut = new MatMul[layers];
            for (int l = 0; l < layers; l++) {
                qkvProj[l] = new MatMul(a, m.wqkv[l], qkv, false, 0.0);
                outProj[l] = new MatMul(o, m.wo[l], x, false, 1.0);
                ffnIn[l] = new MatMul(a, m.w1[l], h, false, 0.0);
                ffnOut[l] = new MatMul(h, m.w2[l], x, false, 1.0);
            }
        }

        @Override
        public void close() {
            for (MatMul[] group : new MatMul[][] {qkvProj, outProj, ffnIn, ffnOut, qvProj, kTProj}) {
                for (MatMul mm : group) {
                    mm.close();
                }
            }
        }
    }

    // a [N, d], qkv [N, 3d], o [N, d], h [N, f], x [N, d] -> the layers' products over those rows
    Products bind(INDArray a, INDArray qkv, INDArray o, INDArray h, INDArray x) {
        return new Products(this, a, qkv, o, h, x, null, null);
    }

    // as above, and qv [N, 2d], kT [d, N]: the products of the fused SLIDING path (q and v, keys transposed)
    Products bind(INDArray a, INDArray qkv, INDArray o, INDArray h, INDArray x, INDArray qv, INDArray kT) {
        return new Products(this, a, qkv, o, h, x, qv, kT);
    }

    @Override
    public void close() {
        for (int l = 0; l < wqkv.length; l++) {
            wqkv[l].close();
            wo[l].close();
            w1[l].close();
            w2[l].close();
            wqv[l].close();
            wkT[l].close();
        }
    }
}
