package io.longseq.math;

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
