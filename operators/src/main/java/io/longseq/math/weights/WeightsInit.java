package io.longseq.math.weights;

import io.longseq.math.model.ModelConfig;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Seeded weights for when no {@code .npz} file is given (docs/design.md 2, end).
 *
 * <p><b>Reproducibility.</b> Each array draws from its own {@link Random}, seeded by
 * {@link #arraySeed(long, String)} from the run's seed and the array's name. {@code java.util.Random} and its
 * {@code nextGaussian} are specified exactly by the Java platform, so the same seed gives the same bits on
 * every JVM, and adding or reordering arrays never shifts another array's numbers.
 *
 * <p><b>{@link #defaults}</b> makes a model that means something without training: every attention is a
 * content-similarity attention. With {@code W_q = W_k = Q} orthogonal, {@code q·k = (a Q)·(b Q) = a·b}, so a
 * token attends to tokens whose normalised vectors are similar (RoPE only adds a position-dependent twist);
 * untrained independent {@code W_q, W_k} would give scores unrelated to content. Values and outputs are
 * identities, the FFN is zero so the residual passes through, LayerNorms are plain, and attention pooling
 * starts as the mean (zero query gives equal weights).
 *
 * <p><b>{@link #random}</b> makes every array random and non-trivial, so tests and benchmarks exercise every
 * weight, including the FFN, LayerNorm gains and biases and the pooling query.
 */
public final class WeightsInit {

    private WeightsInit() {}

    /**
     * The seeded default model of docs/design.md 2:
     * <ul>
     *   <li>{@code embedding} [V, d]: N(0, 1);</li>
     *   <li>per layer ℓ: {@code wq = wk} = a seeded random orthogonal [d, d] (seeded by the name
     *       {@code layerℓ.wq}), {@code wv = wo} = I, {@code w1, b1, w2, b2} = 0, LayerNorm gains 1, biases 0;</li>
     *   <li>{@code lnf}: gain 1, bias 0;</li>
     *   <li>local mode LINFORMER: {@code linformer.e = linformer.f} [k, P] = mean pooling, row r averaging the
     *       segment positions j with ⌊j·k/P⌋ = r ({@link #segmentMeans});</li>
     *   <li>pooling: {@code pool.query} = 0 (attention pooling starts as the mean), {@code pool.wk} orthogonal,
     *       {@code pool.wv} = I;</li>
     *   <li>global: {@code lng} gain 1, bias 0; {@code global.wq = global.wk} orthogonal, {@code global.wv =
     *       global.wo} = I.</li>
     * </ul>
     * Same config and seed give the same bits.
     */
    public static Weights defaults(ModelConfig cfg, long seed) {
        requireAllocatable(cfg);
        int d = cfg.dModel();
        Map<String, int[]> shapes = Weights.shapes(cfg);
        Map<String, float[]> a = new LinkedHashMap<>();
        a.put("embedding", gaussian(seed, "embedding", size(shapes, "embedding"), 1.0));
        for (int l = 0; l < cfg.layers(); l++) {
            String p = "layer" + l + ".";
            float[] q = orthogonal(seed, p + "wq", d);
            a.put(p + "ln1.gain", constant(d, 1f));
            a.put(p + "ln1.bias", new float[d]);
            a.put(p + "wq", q);
            a.put(p + "wk", q.clone());
            a.put(p + "wv", identity(d));
            a.put(p + "wo", identity(d));
            a.put(p + "ln2.gain", constant(d, 1f));
            a.put(p + "ln2.bias", new float[d]);
            a.put(p + "w1", new float[size(shapes, p + "w1")]);
            a.put(p + "b1", new float[size(shapes, p + "b1")]);
            a.put(p + "w2", new float[size(shapes, p + "w2")]);
            a.put(p + "b2", new float[d]);
        }
        a.put("lnf.gain", constant(d, 1f));
        a.put("lnf.bias", new float[d]);
        if (shapes.containsKey(Weights.LINFORMER_E)) {          // Linformer starts as k-way mean pooling of a segment
            a.put(Weights.LINFORMER_E, segmentMeans(cfg.linformerRank(), cfg.linformerSegment()));
            a.put(Weights.LINFORMER_F, segmentMeans(cfg.linformerRank(), cfg.linformerSegment()));
        }
        a.put("pool.query", new float[d]);
        a.put("pool.wk", orthogonal(seed, "pool.wk", d));
        a.put("pool.wv", identity(d));
        if (shapes.containsKey(Weights.CONV_KERNEL)) {          // conv pooling starts as the mean
            a.put(Weights.CONV_KERNEL, constant(size(shapes, Weights.CONV_KERNEL), 1f / cfg.blockSize()));
            a.put(Weights.CONV_BIAS, new float[d]);
        }
        a.put("lng.gain", constant(d, 1f));
        a.put("lng.bias", new float[d]);
        float[] gq = orthogonal(seed, "global.wq", d);
        a.put("global.wq", gq);
        a.put("global.wk", gq.clone());
        a.put("global.wv", identity(d));
        a.put("global.wo", identity(d));
        return Weights.fromArrays(cfg, a);
    }

    /**
     * Every array random, so that every weight matters (tests, benchmarks). With {@code g} a standard Gaussian
     * drawn per array from {@link #arraySeed}:
     * <ul>
     *   <li>{@code embedding}: {@code scale·g};</li>
     *   <li>every matrix [d_in, d_out]: {@code scale·g/√d_in}, so {@code x·W} keeps entries O(scale) for O(1) x;</li>
     *   <li>{@code pool.query}: {@code scale·g} (its score is divided by √d already);</li>
     *   <li>LayerNorm gains {@code 1 + 0.1·g}, LayerNorm biases {@code 0.1·g};</li>
     *   <li>FFN biases {@code b1, b2}: {@code 0.1·scale·g}.</li>
     * </ul>
     * {@code W_q} and {@code W_k} are independent here.
     *
     * @param scale overall size of the weights, e.g. 1
     */
    public static Weights random(ModelConfig cfg, long seed, float scale) {
        requireAllocatable(cfg);
        if (!(scale > 0) || Float.isInfinite(scale)) {
            throw new IllegalArgumentException("weights init: scale = " + scale + " must be a positive finite number");
        }
        Map<String, float[]> a = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : Weights.shapes(cfg).entrySet()) {
            String name = e.getKey();
            int[] shape = e.getValue();
            int n = (int) Weights.size(shape);
            float[] v;
            if (name.endsWith(".gain")) {
                v = gaussian(seed, name, n, 0.1);
                for (int i = 0; i < n; i++) {
                    v[i] += 1f;
                }
            } else if (name.endsWith(".bias")) {
                v = gaussian(seed, name, n, 0.1);
            } else if (name.endsWith(".b1") || name.endsWith(".b2")) {
                v = gaussian(seed, name, n, 0.1 * scale);
            } else if (name.equals("embedding") || shape.length == 1) {
                v = gaussian(seed, name, n, scale);
            } else {
                v = gaussian(seed, name, n, scale / Math.sqrt(shape[0]));
            }
            a.put(name, v);
        }
        return Weights.fromArrays(cfg, a);
    }

    /** [k, P]: row r = 1/|S_r| on S_r = {j : ⌊j·k/P⌋ = r}, else 0 (an empty S_r, when k &gt; P, gives a zero row). */
    static float[] segmentMeans(int k, int p) {
        float[] e = new float[k * p];                            // [k, P]
        int[] count = new int[k];
        for (int j = 0; j < p; j++) {
            count[(int) ((long) j * k / p)]++;
        }
        for (int j = 0; j < p; j++) {
            int r = (int) ((long) j * k / p);
            e[r * p + j] = 1f / count[r];
        }
        return e;
    }

    /**
     * The seed of one array's {@link Random}: {@code mix(mix(seed) ^ fnv1a64(UTF-8 bytes of name))}, with
     * {@code mix} the SplitMix64 finaliser. Mixing matters because {@code java.util.Random} keeps only the low
     * 48 bits of its seed, so seeds that differ only in high bits, or plain {@code seed + name.hashCode()}
     * sums, could give two arrays the same numbers.
     */
    public static long arraySeed(long seed, String name) {
        long h = 0xcbf29ce484222325L; // FNV-1a 64 offset basis
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L; // FNV-1a 64 prime
        }
        return mix(mix(seed) ^ h);
    }

    /** SplitMix64's finaliser (Steele, Lea, Flood 2014): a bijection of the 64-bit values that spreads every bit. */
    static long mix(long z) {
        z += 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * A seeded random orthogonal [d, d] matrix (row-major): a standard Gaussian matrix, drawn row by row, made
     * orthonormal by modified Gram–Schmidt over its rows in double precision, then rounded to float. Gram–Schmidt
     * of i.i.d. Gaussian vectors gives a uniformly (Haar) distributed orthogonal matrix. A row that comes out
     * (numerically) dependent is drawn again from the same generator, which keeps the result deterministic.
     */
    public static float[] orthogonal(long seed, String name, int d) {
        Random r = new Random(arraySeed(seed, name));
        double[][] q = new double[d][]; // [d][d]
        for (int i = 0; i < d; i++) {
            double[] v = new double[d];
            double norm;
            do {
                for (int j = 0; j < d; j++) {
                    v[j] = r.nextGaussian();
                }
                for (int k = 0; k < i; k++) {
                    double[] u = q[k];
                    double dot = 0;
                    for (int j = 0; j < d; j++) {
                        dot += v[j] * u[j];
                    }
                    for (int j = 0; j < d; j++) {
                        v[j] -= dot * u[j];
                    }
                }
                double ss = 0;
                for (int j = 0; j < d; j++) {
                    ss += v[j] * v[j];
                }
                norm = Math.sqrt(ss);
            } while (norm < 1e-6);
            for (int j = 0; j < d; j++) {
                v[j] /= norm;
            }
            q[i] = v;
        }
        float[] out = new float[d * d]; // [d, d]
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                out[i * d + j] = (float) q[i][j];
            }
        }
        return out;
    }

    /** The [d, d] identity, row-major. */
    public static float[] identity(int d) {
        float[] m = new float[d * d]; // [d, d]
        for (int i = 0; i < d; i++) {
            m[i * d + i] = 1f;
        }
        return m;
    }

    /** n values {@code (float) (std · nextGaussian())} from the array's own generator. */
    private static float[] gaussian(long seed, String name, int n, double std) {
        Random r = new Random(arraySeed(seed, name));
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (std * r.nextGaussian());
        }
        return v;
    }

    private static float[] constant(int n, float value) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, value);
        return v;
    }

    private static int size(Map<String, int[]> shapes, String name) {
        return (int) Weights.size(shapes.get(name));
    }

    /** Every array must fit a Java array; a config that passes validation always does, this guards the cast. */
    private static void requireAllocatable(ModelConfig cfg) {
        for (Map.Entry<String, int[]> e : Weights.shapes(cfg).entrySet()) {
            long n = Weights.size(e.getValue());
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("weights init: array '" + e.getKey() + "' of shape "
                        + Weights.shapeString(e.getValue()) + " has " + n + " elements, more than a Java array holds");
            }
        }
    }
}
