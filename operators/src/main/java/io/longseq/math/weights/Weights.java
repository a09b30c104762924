package io.longseq.math.weights;

import io.longseq.math.model.LocalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.model.Pooling;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * All learned parameters of the model, as row-major float arrays (docs/design.md 2).
 *
 * <p>Convention: a projection multiplies a row vector from the left, {@code y = x · W}, so every
 * matrix is stored {@code [d_in, d_out]}, exactly the layout {@code numpy.savez} writes for a C-order
 * array of that shape. The names below are the array names inside the {@code .npz} file
 * (see {@code docs/weights.md}); {@link #shapes(ModelConfig)} is the single table of names and shapes.
 */
public final class Weights implements Serializable {

    private static final long serialVersionUID = 1L;

    /** One pre-LayerNorm local layer. */
    public static final class Layer implements Serializable {
        private static final long serialVersionUID = 1L;
        public final float[] ln1Gain; // [d]
        public final float[] ln1Bias; // [d]
        public final float[] wq;      // [d, d]
        public final float[] wk;      // [d, d]
        public final float[] wv;      // [d, d]
        public final float[] wo;      // [d, d]
        public final float[] ln2Gain; // [d]
        public final float[] ln2Bias; // [d]
        public final float[] w1;      // [d, f]
        public final float[] b1;      // [f]
        public final float[] w2;      // [f, d]
        public final float[] b2;      // [d]

        public Layer(float[] ln1Gain, float[] ln1Bias, float[] wq, float[] wk, float[] wv, float[] wo,
                     float[] ln2Gain, float[] ln2Bias, float[] w1, float[] b1, float[] w2, float[] b2) {
            this.ln1Gain = ln1Gain; this.ln1Bias = ln1Bias; this.wq = wq; this.wk = wk; this.wv = wv;
            this.wo = wo; this.ln2Gain = ln2Gain; this.ln2Bias = ln2Bias; this.w1 = w1; this.b1 = b1;
            this.w2 = w2; this.b2 = b2;
        }
    }

    public final ModelConfig config;
    public final float[] embedding;  // [V, d]
    public final Layer[] layers;     // [L]
    public final float[] lnfGain;    // [d]  final LayerNorm of the local tier
    public final float[] lnfBias;    // [d]
    public final float[] linformerE; // [k, P]  E, local mode LINFORMER's key projection; null in the other modes
    public final float[] linformerF; // [k, P]  F, its value projection; null in the other modes
    public final float[] poolQuery;  // [d]     q_p, attention pooling
    public final float[] poolWk;     // [d, d]  W_pk
    public final float[] poolWv;     // [d, d]  W_pv
    public final float[] poolConvKernel; // [B, d]  K, conv pooling; null for the other poolings
    public final float[] poolConvBias;   // [d]     β, conv pooling; null for the other poolings
    public final float[] lngGain;    // [d]  LN_g of the global tier
    public final float[] lngBias;    // [d]
    public final float[] gWq;        // [d, d]
    public final float[] gWk;        // [d, d]
    public final float[] gWv;        // [d, d]
    public final float[] gWo;        // [d, d]

    /**
     * Builds the weights from named arrays (as read from an .npz file), checking every name and size.
     *
     * @throws IllegalArgumentException naming the first array that is missing or has the wrong size
     */
    public static Weights fromArrays(ModelConfig config, Map<String, float[]> arrays) {
        Map<String, int[]> shapes = shapes(config);
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            float[] a = arrays.get(e.getKey());
            if (a == null) {
                throw new IllegalArgumentException("weights: array '" + e.getKey() + "' is missing (expected shape "
                        + shapeString(e.getValue()) + ")");
            }
            long n = size(e.getValue());
            if (a.length != n) {
                throw new IllegalArgumentException("weights: array '" + e.getKey() + "' has " + a.length
                        + " elements, expected shape " + shapeString(e.getValue()) + " = " + n);
            }
        }
        return new Weights(config, arrays);
    }

    private Weights(ModelConfig config, Map<String, float[]> a) {
        this.config = config;
        embedding = a.get("embedding");
        layers = new Layer[config.layers()];
        for (int l = 0; l < layers.length; l++) {
            String p = "layer" + l + ".";
            layers[l] = new Layer(a.get(p + "ln1.gain"), a.get(p + "ln1.bias"), a.get(p + "wq"), a.get(p + "wk"),
                    a.get(p + "wv"), a.get(p + "wo"), a.get(p + "ln2.gain"), a.get(p + "ln2.bias"),
                    a.get(p + "w1"), a.get(p + "b1"), a.get(p + "w2"), a.get(p + "b2"));
        }
        lnfGain = a.get("lnf.gain");
        lnfBias = a.get("lnf.bias");
        linformerE = a.get(LINFORMER_E);       // present exactly when the local mode is LINFORMER (checked above)
        linformerF = a.get(LINFORMER_F);
        poolQuery = a.get("pool.query");
        poolWk = a.get("pool.wk");
        poolWv = a.get("pool.wv");
        poolConvKernel = a.get(CONV_KERNEL);   // present exactly when the config pools by CONV (checked above)
        poolConvBias = a.get(CONV_BIAS);
        lngGain = a.get("lng.gain");
        lngBias = a.get("lng.bias");
        gWq = a.get("global.wq");
        gWk = a.get("global.wk");
        gWv = a.get("global.wv");
        gWo = a.get("global.wo");
    }

    /** The arrays by name, in the order of {@link #shapes(ModelConfig)} (the arrays are shared, not copied). */
    public Map<String, float[]> toArrays() {
        Map<String, float[]> m = new LinkedHashMap<>();
        m.put("embedding", embedding);
        for (int l = 0; l < layers.length; l++) {
            String p = "layer" + l + ".";
            Layer y = layers[l];
            m.put(p + "ln1.gain", y.ln1Gain);
            m.put(p + "ln1.bias", y.ln1Bias);
            m.put(p + "wq", y.wq);
            m.put(p + "wk", y.wk);
            m.put(p + "wv", y.wv);
            m.put(p + "wo", y.wo);
            m.put(p + "ln2.gain", y.ln2Gain);
            m.put(p + "ln2.bias", y.ln2Bias);
            m.put(p + "w1", y.w1);
            m.put(p + "b1", y.b1);
            m.put(p + "w2", y.w2);
            m.put(p + "b2", y.b2);
        }
        m.put("lnf.gain", lnfGain);
        m.put("lnf.bias", lnfBias);
        if (config.localMode() == LocalMode.LINFORMER) {
            m.put(LINFORMER_E, linformerE);
            m.put(LINFORMER_F, linformerF);
        }
        m.put("pool.query", poolQuery);
        m.put("pool.wk", poolWk);
        m.put("pool.wv", poolWv);
        if (config.pooling() == Pooling.CONV) {
            m.put(CONV_KERNEL, poolConvKernel);
            m.put(CONV_BIAS, poolConvBias);
        }
        m.put("lng.gain", lngGain);
        m.put("lng.bias", lngBias);
        m.put("global.wq", gWq);
        m.put("global.wk", gWk);
        m.put("global.wv", gWv);
        m.put("global.wo", gWo);
        return m;
    }

    /** Conv pooling's kernel [B, d] and bias [d] ({@link Pooling#CONV}): in the file only when pooling is CONV. */
    public static final String CONV_KERNEL = "pool.conv.kernel";
    public static final String CONV_BIAS = "pool.conv.bias";

    /** Local mode LINFORMER's E and F [k, P] ({@link LocalMode#LINFORMER}): in the file only in that mode. */
    public static final String LINFORMER_E = "linformer.e";
    public static final String LINFORMER_F = "linformer.f";

    /** Every array name with its shape, in file order: the one table of the weights format. */
    public static Map<String, int[]> shapes(ModelConfig c) {
        int d = c.dModel();
        int f = c.ffnDim();
        Map<String, int[]> m = new LinkedHashMap<>();
        m.put("embedding", new int[] {c.embeddingRows(), d});
        for (int l = 0; l < c.layers(); l++) {
            String p = "layer" + l + ".";
            m.put(p + "ln1.gain", new int[] {d});
            m.put(p + "ln1.bias", new int[] {d});
            m.put(p + "wq", new int[] {d, d});
            m.put(p + "wk", new int[] {d, d});
            m.put(p + "wv", new int[] {d, d});
            m.put(p + "wo", new int[] {d, d});
            m.put(p + "ln2.gain", new int[] {d});
            m.put(p + "ln2.bias", new int[] {d});
            m.put(p + "w1", new int[] {d, f});
            m.put(p + "b1", new int[] {f});
            m.put(p + "w2", new int[] {f, d});
            m.put(p + "b2", new int[] {d});
        }
        m.put("lnf.gain", new int[] {d});
        m.put("lnf.bias", new int[] {d});
        if (c.localMode() == LocalMode.LINFORMER) {      // only then: files made for the other modes still fit
            m.put(LINFORMER_E, new int[] {c.linformerRank(), c.linformerSegment()});
            m.put(LINFORMER_F, new int[] {c.linformerRank(), c.linformerSegment()});
        }
        m.put("pool.query", new int[] {d});
        m.put("pool.wk", new int[] {d, d});
        m.put("pool.wv", new int[] {d, d});
        if (c.pooling() == Pooling.CONV) {               // only then: files made for the other poolings still fit
            m.put(CONV_KERNEL, new int[] {c.blockSize(), d});
            m.put(CONV_BIAS, new int[] {d});
        }
        m.put("lng.gain", new int[] {d});
        m.put("lng.bias", new int[] {d});
        m.put("global.wq", new int[] {d, d});
        m.put("global.wk", new int[] {d, d});
        m.put("global.wv", new int[] {d, d});
        m.put("global.wo", new int[] {d, d});
        return Collections.unmodifiableMap(m);
    }

    public static long size(int[] shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    public static String shapeString(int[] shape) {
        List<String> parts = new ArrayList<>();
        for (int s : shape) {
            parts.add(Integer.toString(s));
        }
        return "[" + String.join(", ", parts) + "]";
    }
}
