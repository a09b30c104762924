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

    LayerMatrices(ModelConfig cfg, Weights weights) {
        int d = cfg.dModel();
        int f = cfg.ffnDim();
        int layers = cfg.layers();
        wqkv = new INDArray[layers];
        wo = new INDArray[layers];
        w1 = new INDArray[layers];
        w2 = new INDArray[layers];
        for (int l = 0; l < layers; l++) {
            Weights.Layer y = weights.layers[l];
            float[] cat = new float[d * 3 * d]; // [d, 3d]
            for (int r = 0; r < d; r++) {
                System.arraycopy(y.wq, r * d, cat, r * 3 * d, d);
                System.arraycopy(y.wk, r * d, cat, r * 3 * d + d, d);
                System.arraycopy(y.wv, r * d, cat, r * 3 * d + 2 * d, d);
            }
            wqkv[l] = Nd4j.create(cat, new long[] {d, 3L * d}, DataType.FLOAT);
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

        private Products(LayerMatrices m, INDArray a, INDArray qkv, INDArray o, INDArray h, INDArray x) {
            int layers = m.wqkv.length;
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
            for (MatMul[] group : new MatMul[][] {qkvProj, outProj, ffnIn, ffnOut}) {
                for (MatMul mm : group) {
                    mm.close();
                }
            }
        }
    }

    // a [N, d], qkv [N, 3d], o [N, d], h [N, f], x [N, d] -> the layers' products over those rows
    Products bind(INDArray a, INDArray qkv, INDArray o, INDArray h, INDArray x) {
        return new Products(this, a, qkv, o, h, x);
    }

    @Override
    public void close() {
        for (int l = 0; l < wqkv.length; l++) {
            wqkv[l].close();
            wo[l].close();
            w1[l].close();
            w2[l].close();
        }
    }
}
