package io.longseq.math.reference;

import static io.longseq.math.reference.ReferenceMath.gelu;
import static io.longseq.math.reference.ReferenceMath.layerNorm;
import static io.longseq.math.reference.ReferenceMath.softmax;
import static io.longseq.math.reference.ReferenceMath.vecMat;

import io.longseq.math.model.BlockResult;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.LocalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.model.Pooling;
import io.longseq.math.model.Strand;
import io.longseq.math.weights.Weights;
import java.util.List;

/**
 * The independent offline reference of the whole model (docs/design.md section 2, guarantee G2).
 *
 * <p>What: the local tier, block pooling and the global tier over a whole sequence at once, in plain
 * Java loops and {@code double} precision, straight from the formulas of docs/design.md 2.2–2.6.
 *
 * <p>Why: the streamed, chunked, float/ND4J path is checked against this class. It therefore shares no
 * kernel code with the rest of {@code io.longseq.math} (it only reads {@link ModelConfig} and
 * {@link Weights} and writes {@link BlockResult}), never chunks, never keeps streaming state, and
 * recomputes everything from the definitions: the window of every position, the hierarchical
 * partition or axial entries of every block, and in LINEAR mode the random-feature weight of every pair of
 * blocks (no running state; see {@link GlobalMode}). It is slow on purpose: plainness beats speed here.
 *
 * <p>Conventions (docs/design.md 1): row vectors, {@code y = x·W} with W stored row-major
 * {@code [d_in, d_out]}; LayerNorm eps 1e-5 with biased variance; exact erf GELU; RoPE on the pairs
 * (2m, 2m+1) of each head at the absolute position (array index i is position i); softmax subtracts the
 * row maximum. All arithmetic is in double; float weights are widened on read, and only the
 * {@link BlockResult} fields are rounded to float at the very end.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ReferenceModel {

    /** LayerNorm epsilon, docs/design.md 1. */
    static final double LN_EPS = 1e-5;

    /** RoPE base, docs/design.md 1: θ_m = 10000^(−2m/d_h). */
    static final double ROPE_BASE = 10000.0;

    /** Everything the reference computes for one sequence. */
    public record Result(double[][] z, double[][] summaries, List<BlockResult> blocks) {}

    private final ModelConfig cfg;
    private final Weights w;
    private SketchCodes sketchCodes;     // RETRIEVAL's sketch codes given by the caller, or null: its own

    /**
     * @param cfg the model shape
     * @param w   weights for exactly this shape (their own config must agree in every dimension we read)
     */
    public ReferenceModel(ModelConfig cfg, Weights w) {
        if (cfg == null || w == null) {
            throw new IllegalArgumentException("ReferenceModel: cfg and weights must not be null");
        }
        int d = cfg.dModel();
        if (w.embedding.length != (long) cfg.embeddingRows() * d || w.layers.length != cfg.layers()
                || w.lnfGain.length != d || w.gWq.length != d * d
                || w.layers[0].w1.length != (long) d * cfg.ffnDim()) {
            throw new IllegalArgumentException("ReferenceModel: weights were built for another model shape "
                    + "(dModel, layers, ffnDim or embedding rows differ from the config)");
        }
        this.cfg = cfg;
        this.w = w;
    }

    /**
     * Uses the given sign-sketch codes in RETRIEVAL's sketch tier instead of encoding its own (see
     * {@link SketchCodes}: why a comparison with the float path may want this); returns this model.
     */
    public ReferenceModel withSketchCodes(SketchCodes codes) {
        sketchCodes = codes;
        return this;
    }

    public ModelConfig config() {
        return cfg;
    }

    /** The whole model over one sequence: local tier, block pooling, global tier. */
    public Result run(int[] ids, int n) {
        return run(ids, n, 0L);
    }

    /** As {@link #run(int[], int)} for the sequence with seed σ = {@code sequenceSeed} (global mode BIGBIRD). */
    public Result run(int[] ids, int n, long sequenceSeed) {
        // ids [n*F] -> z [n, d], summaries [ceil(n/B), d], one BlockResult per block
        double[][] z = localTier(ids, n);
        double[][] s = blockSummaries(z, n);
        List<BlockResult> blocks = global(s, cfg.strand() == Strand.BOTH ? reverseSummaries(ids, n) : null, n,
                sequenceSeed);
        return new Result(z, s, blocks);
    }

    /**
     * {@link Strand#BOTH}: the block summaries of the reverse strand, s'_b [blocks][d]: the local tier over the whole
     * reverse strand (position i holds the reverse complement of the forward k-mer of position n−1−i), its rows put
     * back in forward order, pooled over each block's own positions.
     */
    public double[][] reverseSummaries(int[] ids, int n) {
        // ids [n] -> s' [ceil(n/B), d]
        int[] rc = new int[n];
        for (int i = 0; i < n; i++) {
            rc[i] = reverseComplement(ids[n - 1 - i]);
        }
        double[][] zr = localTier(rc, n);   // [n, d] in reverse order
        double[][] z = new double[n][];     // [n, d]
        for (int i = 0; i < n; i++) {
            z[i] = zr[n - 1 - i];
        }
        return blockSummaries(z, n);
    }

    // the k-mer id of the reverse complement, base by base (A↔T, C↔G, order reversed); N and padding stay
    private int reverseComplement(int id) {
        int k = cfg.kmer();
        if (id < 0 || id >= 1 << (2 * k)) {
            return id;
        }
        int[] bases = new int[k];   // [k] first base first
        for (int i = 0; i < k; i++) {
            bases[i] = (id / (int) Math.pow(4, k - 1 - i)) % 4;
        }
        int out = 0;
        for (int i = k - 1; i >= 0; i--) {
            out = out * 4 + (3 - bases[i]);
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------
    // Local tier (docs/design.md 2.2, 2.3)
    // ------------------------------------------------------------------------------------------------

    /**
     * Embedding, then L pre-LayerNorm sliding-window attention layers with RoPE and a GELU FFN, then the
     * final LayerNorm, over positions 0..n−1 of one sequence. In {@link LocalMode#DILATED} the keys are every s-th
     * position up to s·w away; {@link LocalMode#LINFORMER} is {@link LinformerReference}. In {@link LocalMode#FULL} the window is unbounded:
     * position i attends to every position (bidirectional) or every j ≤ i (causal). The reference computes one
     * score row at a time, so it does not apply {@code maxDensePositions} (that guards the fast path's n×n matrix).
     *
     * @param ids feature ids, position-major: {@code ids[i*F + f]} is feature f of position i
     *            (F = {@code cfg.maxFeatures()}); ids with {@code cfg.isPadding(id)} are left out of the mean
     * @param n   sequence length
     * @return z [n][d]
     */
    public double[][] localTier(int[] ids, int n) {
        // ids [n*F] -> z [n, d]
        int d = cfg.dModel();
        double[][] x = embed(ids, n); // [n, d]
        for (int l = 0; l < cfg.layers(); l++) {
            x = layer(w.layers[l], x, n);
        }
        double[][] z = new double[n][]; // [n, d]
        for (int i = 0; i < n; i++) {
            z[i] = layerNorm(x[i], w.lnfGain, w.lnfBias);
        }
        assert n == 0 || z[0].length == d;
        return z;
    }

    /** x⁰_i = mean over the non-padding ids of position i of their embedding rows; zero if there are none. */
    private double[][] embed(int[] ids, int n) {
        // ids [n*F] -> x0 [n, d]
        int d = cfg.dModel();
        int f = cfg.maxFeatures();
        int rows = cfg.embeddingRows();
        if (n < 0) {
            throw new IllegalArgumentException("sequence length n = " + n + " is negative");
        }
        if (ids.length < (long) n * f) {
            throw new IllegalArgumentException("ids has " + ids.length + " entries, expected n*F = " + n + "*" + f);
        }
        double[][] x = new double[n][d]; // [n, d]
        for (int i = 0; i < n; i++) {
            int count = 0;
            for (int s = 0; s < f; s++) {
                int id = ids[i * f + s];
                if (cfg.isPadding(id)) {
                    continue;
                }
                if (id >= rows) {
                    throw new IllegalArgumentException("feature id " + id + " at position " + i
                            + " is outside the embedding table [0, " + rows + ")");
                }
                for (int c = 0; c < d; c++) {
                    x[i][c] += w.embedding[id * d + c];
                }
                count++;
            }
            if (count > 0) {
                for (int c = 0; c < d; c++) {
                    x[i][c] /= count;
                }
            }
        }
        return x;
    }

    /** One pre-LN layer: y = x + Attn(LN1(x))·W_o; x' = y + GELU(LN2(y)·W1 + b1)·W2 + b2. */
    private double[][] layer(Weights.Layer p, double[][] x, int n) {
        // x [n, d] -> x' [n, d]
        int d = cfg.dModel();
        int ff = cfg.ffnDim();
        int heads = cfg.heads();
        int dh = cfg.headDim();
        int win = cfg.window();
        double scale = 1.0 / Math.sqrt(dh);

        double[][] q = new double[n][]; // [n, d]  rotated queries, head h in columns [h*dh, (h+1)*dh)
        double[][] k = new double[n][]; // [n, d]  rotated keys
        double[][] v = new double[n][]; // [n, d]  values
        for (int i = 0; i < n; i++) {
            double[] a = layerNorm(x[i], p.ln1Gain, p.ln1Bias); // [d]
            q[i] = rope(vecMat(a, p.wq, d, d), i);
            k[i] = rope(vecMat(a, p.wk, d, d), i);
            v[i] = vecMat(a, p.wv, d, d);
        }

        double[][] out = new double[n][]; // [n, d]
        LinformerReference lin = cfg.localMode() == LocalMode.LINFORMER ? new LinformerReference(cfg, w, k, v, n) : null;
        for (int i = 0; i < n; i++) {
            // the keys of query i: j = i + step·m for m in [mLo, mHi], cut to [0, n)
            //   SLIDING: step 1, |m| ≤ w; DILATED: step s, |m| ≤ w; FULL: step 1, every position;
            //   SINKS: the sliding window plus the positions j < S before it
            boolean dense = cfg.localMode() == LocalMode.FULL;
            int step = cfg.localMode() == LocalMode.DILATED ? cfg.dilation() : 1;
            int mLo = dense ? -i : Math.max(-win, -(i / step));
            int mHi = cfg.causal() ? 0 : dense ? n - 1 - i : Math.min(win, (n - 1 - i) / step);
            int sinkCount = cfg.localMode() == LocalMode.SINKS ? Math.min(cfg.sinks(), i + mLo) : 0; // j < window
            int[] keys = new int[sinkCount + mHi - mLo + 1];   // the key positions of query i
            for (int j = 0; j < sinkCount; j++) {
                keys[j] = j;
            }
            for (int m = mLo; m <= mHi; m++) {
                keys[sinkCount + m - mLo] = i + step * m;
            }
            double[] o = lin != null ? lin.attend(q[i], i, k, v) : new double[d]; // [d]  concatenated heads
            for (int h = 0; h < (lin != null ? 0 : heads); h++) {
                int off = h * dh;
                double[] score = new double[keys.length]; // [keys]
                for (int t = 0; t < keys.length; t++) {
                    int j = keys[t];
                    double dot = 0;
                    for (int c = 0; c < dh; c++) {
                        dot += q[i][off + c] * k[j][off + c];
                    }
                    score[t] = dot * scale;
                }
                double[] prob = softmax(score); // [keys]
                for (int t = 0; t < keys.length; t++) {
                    int j = keys[t];
                    for (int c = 0; c < dh; c++) {
                        o[off + c] += prob[t] * v[j][off + c];
                    }
                }
            }
            double[] attn = vecMat(o, p.wo, d, d); // [d]
            double[] y = new double[d];            // [d]
            for (int c = 0; c < d; c++) {
                y[c] = x[i][c] + attn[c];
            }
            double[] hid = vecMat(layerNorm(y, p.ln2Gain, p.ln2Bias), p.w1, d, ff); // [ff]
            for (int c = 0; c < ff; c++) {
                hid[c] = gelu(hid[c] + p.b1[c]);
            }
            double[] ffn = vecMat(hid, p.w2, ff, d); // [d]
            double[] next = new double[d];           // [d]
            for (int c = 0; c < d; c++) {
                next[c] = y[c] + ffn[c] + p.b2[c];
            }
            out[i] = next;
        }
        return out;
    }

    /**
     * RoPE at absolute position pos: in every head, pair (2m, 2m+1) is rotated by pos·θ_m,
     * θ_m = 10000^(−2m/d_h): (x0, x1) → (x0 cos − x1 sin, x0 sin + x1 cos).
     */
    private double[] rope(double[] u, long pos) {
        // u [d] -> rotated [d]
        int dh = cfg.headDim();
        double[] r = new double[u.length]; // [d]
        for (int h = 0; h < cfg.heads(); h++) {
            for (int m = 0; m < dh / 2; m++) {
                double theta = Math.pow(ROPE_BASE, -2.0 * m / dh);
                double angle = pos * theta;
                double cos = Math.cos(angle);
                double sin = Math.sin(angle);
                int e = h * dh + 2 * m;
                double x0 = u[e];
                double x1 = u[e + 1];
                r[e] = x0 * cos - x1 * sin;
                r[e + 1] = x0 * sin + x1 * cos;
            }
        }
        return r;
    }

    // ------------------------------------------------------------------------------------------------
    // Block summaries (docs/design.md 2.4)
    // ------------------------------------------------------------------------------------------------

    /**
     * Level-1 block summaries: block b pools positions [bB, min((b+1)B, n)), so the last block of the
     * sequence pools over the positions it has.
     *
     * @param z output of {@link #localTier}, [n][d]
     * @param n sequence length
     * @return s [ceil(n/B)][d]
     */
    public double[][] blockSummaries(double[][] z, int n) {
        // z [n, d] -> s [ceil(n/B), d]
        int d = cfg.dModel();
        int bs = cfg.blockSize();
        if (z.length < n) {
            throw new IllegalArgumentException("z has " + z.length + " rows, expected n = " + n);
        }
        int blocks = (n + bs - 1) / bs;
        double[][] s = new double[blocks][]; // [blocks, d]
        double invSqrtD = 1.0 / Math.sqrt(d);
        for (int b = 0; b < blocks; b++) {
            int start = b * bs;
            int end = Math.min(start + bs, n);
            double[] sb = new double[d]; // [d]
            if (cfg.pooling() == Pooling.MEAN) {
                for (int i = start; i < end; i++) {
                    for (int c = 0; c < d; c++) {
                        sb[c] += z[i][c];
                    }
                }
                for (int c = 0; c < d; c++) {
                    sb[c] /= (end - start);
                }
            } else if (cfg.pooling() == Pooling.MAX) {
                for (int c = 0; c < d; c++) {
                    double m = Double.NEGATIVE_INFINITY;
                    for (int i = start; i < end; i++) {
                        m = Math.max(m, z[i][c]);
                    }
                    sb[c] = m;
                }
            } else if (cfg.pooling() == Pooling.CONV) {
                // s_b[c] = (B/m)·Σ_j K[j, c]·z_{start+j}[c] + β[c], m = end − start
                for (int c = 0; c < d; c++) {
                    double sum = 0;
                    for (int i = start; i < end; i++) {
                        sum += w.poolConvKernel[(i - start) * d + c] * z[i][c];
                    }
                    sb[c] = sum * bs / (end - start) + w.poolConvBias[c];
                }
            } else {
                double[] score = new double[end - start]; // [block length]
                for (int i = start; i < end; i++) {
                    double[] key = vecMat(z[i], w.poolWk, d, d); // [d]
                    double dot = 0;
                    for (int c = 0; c < d; c++) {
                        dot += w.poolQuery[c] * key[c];
                    }
                    score[i - start] = dot * invSqrtD;
                }
                double[] alpha = softmax(score); // [block length]
                for (int i = start; i < end; i++) {
                    double[] val = vecMat(z[i], w.poolWv, d, d); // [d]
                    for (int c = 0; c < d; c++) {
                        sb[c] += alpha[i - start] * val[c];
                    }
                }
            }
            s[b] = sb;
        }
        return s;
    }

    // ------------------------------------------------------------------------------------------------
    // Global tier (docs/design.md 2.5, 2.6): ReferenceGlobal
    // ------------------------------------------------------------------------------------------------

    /**
     * Block-level attention, causal over blocks, in the configured {@link GlobalMode}: {@link ReferenceGlobal}.
     *
     * @param summaries s [blocks][d], blocks = ceil(n/B)
     * @param n         sequence length, only used for each block's [start, end)
     * @return one {@link BlockResult} per block, in block order
     * @throws IllegalStateException in FULL mode when a block index reaches {@code cfg.maxBlocks()}
     */
    public List<BlockResult> global(double[][] summaries, int n) {
        return global(summaries, null, n, 0L);
    }

    /** As {@link #global(double[][], int)} for the sequence with seed σ = {@code sequenceSeed} (BIGBIRD). */
    public List<BlockResult> global(double[][] summaries, int n, long sequenceSeed) {
        return global(summaries, null, n, sequenceSeed);
    }

    /** As {@link #global(double[][], double[][], int, long)} with seed 0. */
    public List<BlockResult> global(double[][] summaries, double[][] reverse, int n) {
        return global(summaries, reverse, n, 0L);
    }

    /** {@link ReferenceGlobal#global}: with reverse-strand summaries s' [blocks][d] or null (forward only). */
    public List<BlockResult> global(double[][] summaries, double[][] reverse, int n, long sequenceSeed) {
        return new ReferenceGlobal(cfg, w, sketchCodes).global(summaries, reverse, n, sequenceSeed);
    }
}
