package io.longseq.math.reference;

import io.longseq.math.model.BlockResult;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.LocalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.model.Pooling;
import io.longseq.math.model.Strand;
import io.longseq.math.model.TopEntry;
import io.longseq.math.weights.Weights;
import java.util.ArrayList;
import java.util.Comparator;
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
    // Global tier (docs/design.md 2.5, 2.6)
    // ------------------------------------------------------------------------------------------------

    /**
     * Block-level attention, causal over blocks, in the configured {@link GlobalMode}.
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

    /**
     * As {@link #global(double[][], int)}; with reverse-strand summaries ({@link Strand#BOTH}) each block's second
     * query q'_b = LN_g(s'_b)·W_gq scores the same entries, and one softmax runs over the 2M scores; an entry's
     * value gets the sum of its two weights; the block itself is left out of top-K on both strands. The sequence's
     * seed σ = {@code sequenceSeed} picks BIGBIRD's random blocks.
     *
     * @param reverse s' [blocks][d] or null (forward only)
     */
    public List<BlockResult> global(double[][] summaries, double[][] reverse, int n, long sequenceSeed) {
        // s [blocks, d] (+ s' [blocks, d]) -> blocks × BlockResult
        int d = cfg.dModel();
        int bs = cfg.blockSize();
        int blocks = summaries.length;
        if (blocks != (n + bs - 1) / bs) {
            throw new IllegalArgumentException("global: " + blocks + " summaries do not match n = " + n
                    + " with blockSize = " + bs + " (expected " + (n + bs - 1) / bs + ")");
        }
        double invSqrtD = 1.0 / Math.sqrt(d);

        // Per-block projections of LN_g(s_b). Causality holds because block b only reads entries <= b.
        double[][] q = new double[blocks][]; // [blocks, d]
        double[][] k = new double[blocks][]; // [blocks, d]
        double[][] v = new double[blocks][]; // [blocks, d]
        for (int b = 0; b < blocks; b++) {
            double[] a = layerNorm(summaries[b], w.lngGain, w.lngBias); // [d]
            q[b] = vecMat(a, w.gWq, d, d);
            k[b] = vecMat(a, w.gWk, d, d);
            v[b] = vecMat(a, w.gWv, d, d);
        }
        if (cfg.globalMode() == GlobalMode.LINEAR) {
            return linearGlobal(summaries, q, k, v, n);
        }
        double[][] qr = reverse == null ? null : new double[blocks][]; // [blocks, d] reverse-strand queries
        for (int b = 0; qr != null && b < blocks; b++) {
            qr[b] = vecMat(layerNorm(reverse[b], w.lngGain, w.lngBias), w.gWq, d, d);
        }
        // Prefix sums: kSum[j] = Σ_{b<j} k_b, so the mean over blocks [f, l] is (kSum[l+1] − kSum[f]) / c.
        double[][] kSum = new double[blocks + 1][d]; // [blocks+1, d]
        double[][] vSum = new double[blocks + 1][d]; // [blocks+1, d]
        for (int b = 0; b < blocks; b++) {
            for (int c = 0; c < d; c++) {
                kSum[b + 1][c] = kSum[b][c] + k[b][c];
                vSum[b + 1][c] = vSum[b][c] + v[b][c];
            }
        }

        // RETRIEVAL: every block's content bucket, from its own (double) key
        int[] bucketOf = cfg.globalMode() == GlobalMode.RETRIEVAL ? retrievalBuckets(k) : null; // [blocks]

        List<BlockResult> out = new ArrayList<>(blocks);
        for (int b = 0; b < blocks; b++) {
            // M × {level, first, lastInclusive[, stride]}; one of them is {1, b, b}, the block itself
            List<long[]> entries = bucketOf != null ? retrievalEntries(b, bucketOf) : entriesFor(b, sequenceSeed);
            int mCount = entries.size();
            int strands = qr == null ? 1 : 2;
            double[] score = new double[strands * mCount];    // [M] or [2M]: forward scores, then reverse
            double[][] vbar = new double[mCount][]; // [M, d]
            double[][] kbars = new double[mCount][]; // [M, d]
            for (int m = 0; m < mCount; m++) {
                long[] e = entries.get(m);
                int first = (int) e[1];
                int last = (int) e[2];
                int stride = e.length > 3 ? (int) e[3] : 1;
                int c = (last - first) / stride + 1;
                double[] kbar = new double[d];
                kbars[m] = kbar;
                vbar[m] = new double[d];
                if (stride == 1) {
                    for (int col = 0; col < d; col++) {
                        kbar[col] = (kSum[last + 1][col] - kSum[first][col]) / c;
                        vbar[m][col] = (vSum[last + 1][col] - vSum[first][col]) / c;
                    }
                } else {
                    // an AXIAL column entry: blocks first, first + stride, ..., last, summed plainly
                    for (int j = first; j <= last; j += stride) {
                        for (int col = 0; col < d; col++) {
                            kbar[col] += k[j][col] / c;
                            vbar[m][col] += v[j][col] / c;
                        }
                    }
                }
                double dot = 0;
                for (int col = 0; col < d; col++) {
                    dot += q[b][col] * kbar[col];
                }
                score[m] = dot * invSqrtD + Math.log(c);
                if (qr != null) {
                    double rdot = 0;
                    for (int col = 0; col < d; col++) {
                        rdot += qr[b][col] * kbar[col];
                    }
                    score[mCount + m] = rdot * invSqrtD + Math.log(c);
                }
            }
            double[] p = softmax(score); // [M] or [2M]
            double[] g = new double[d];  // [d]
            for (int m = 0; m < p.length; m++) {
                for (int col = 0; col < d; col++) {
                    g[col] += p[m] * vbar[m % mCount][col];
                }
            }
            double[] go = vecMat(g, w.gWo, d, d); // [d]
            float[] summary = new float[d];
            float[] context = new float[d];
            for (int col = 0; col < d; col++) {
                summary[col] = (float) summaries[b][col];
                context[col] = (float) (summaries[b][col] + go[col]);
            }

            int self = -1;
            double entropy = 0;
            List<TopEntry> others = new ArrayList<>(mCount);
            for (int m = 0; m < p.length; m++) {
                long[] e = entries.get(m % mCount);
                byte strand = qr == null ? TopEntry.UNSTATED : m < mCount ? TopEntry.FORWARD : TopEntry.REVERSE;
                if (e[0] == 1 && e[1] == b && e[2] == b) {
                    self = m < mCount ? m : self;
                } else {
                    others.add(new TopEntry((int) e[0], e[1], e[2], (float) p[m], strand));
                }
                if (p[m] > 0) {
                    entropy -= p[m] * Math.log(p[m]);
                }
            }
            if (self < 0) {
                throw new AssertionError("memory of block " + b + " has no entry for the block itself");
            }
            // novelty: 1 − the best cosine (floored at 0) of k_b with an entry's mean key other than its own
            double bestCos = 0;
            for (int m = 0; m < mCount; m++) {
                if (m != self) {
                    bestCos = Math.max(bestCos, cosine(k[b], kbars[m]));
                }
            }
            // Sort by the reported (float) weight, descending; equal weights go to the lower first block.
            others.sort(Comparator.comparingDouble((TopEntry t) -> -t.weight())
                    .thenComparingLong(TopEntry::firstBlock));
            TopEntry[] top = others.subList(0, Math.min(cfg.topK(), others.size())).toArray(new TopEntry[0]);

            long start = (long) b * bs;
            long end = Math.min((long) (b + 1) * bs, n);
            out.add(new BlockResult(b, start, end, summary, context, top, (float) p[self], (float) entropy,
                    (float) (1 - bestCos)));
        }
        return out;
    }

    // a·b / (|a| |b|), 0 when either is the zero vector
    private static double cosine(double[] a, double[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
    }

    /**
     * Memory entries of block b in the configured mode, each {level, firstBlock, lastBlockInclusive}, and for
     * AXIAL column entries a fourth element, the stride between the blocks they stand for.
     */
    private List<long[]> entriesFor(int b, long sequenceSeed) {
        if (cfg.globalMode() == GlobalMode.BIGBIRD) {
            List<long[]> e = new ArrayList<>();
            for (long j : ReferenceEntries.bigbirdBlocks(b, cfg.bigbirdWindow(), cfg.bigbirdGlobal(), cfg.bigbirdRandom(),
                    sequenceSeed)) {
                e.add(new long[] {1, j, j});
            }
            return e;
        }
        if (cfg.globalMode() == GlobalMode.AXIAL) {
            return ReferenceEntries.axialEntries(b, cfg.chunkSize() / cfg.blockSize());
        }
        if (cfg.globalMode() == GlobalMode.FULL) {
            if ((long) b + 1 > cfg.maxBlocks()) {
                throw new IllegalStateException("global mode FULL holds every block, and block " + b + " makes "
                        + ((long) b + 1) + " blocks, more than maxBlocks = " + cfg.maxBlocks()
                        + "; use HIERARCHICAL mode or raise maxBlocks");
            }
            List<long[]> e = new ArrayList<>(b + 1);
            for (long j = 0; j <= b; j++) {
                e.add(new long[] {1, j, j});
            }
            return e;
        }
        return ReferenceEntries.hierarchicalPartition(b, cfg.recent(), cfg.group(), cfg.levels());
    }

    /**
     * RETRIEVAL mode's bucket of every block: bit i set when P_i·(k_j − k̄_j) &gt; 0, k̄_j the mean key of blocks
     * 0..j, P [k, d] drawn like LINEAR mode's ω
     * from {@code retrievalSeed} ({@link GlobalMode#RETRIEVAL}).
     */
    private int[] retrievalBuckets(double[][] k) {
        int bits = cfg.retrievalBits();
        double[][] planes = ReferenceEntries.linearOmega(cfg.retrievalSeed(), bits, cfg.dModel()); // [k, d]
        int[] out = new int[k.length];
        double[] sum = new double[cfg.dModel()]; // [d] Σ_{j' ≤ j} k_j'
        for (int j = 0; j < k.length; j++) {
            for (int c = 0; c < sum.length; c++) {
                sum[c] += k[j][c];
            }
            for (int i = 0; i < bits; i++) {
                double dot = 0;
                for (int c = 0; c < k[j].length; c++) {
                    dot += planes[i][c] * (k[j][c] - sum[c] / (j + 1));
                }
                if (dot > 0) {
                    out[j] |= 1 << i;
                }
            }
        }
        return out;
    }

    /**
     * RETRIEVAL mode's entries for block b: the hierarchical partition of [0, b], then {0, j, j} for every
     * exemplar j held after block b (see {@link ReferenceEntries#retrievalHeld}) that is older than level 1, ascending in j.
     */
    private List<long[]> retrievalEntries(int b, int[] bucketOf) {
        List<long[]> out = ReferenceEntries.hierarchicalPartition(b, cfg.recent(), cfg.group(), cfg.levels());
        long s1 = Math.max(0, cfg.group() * Math.floorDiv(b - cfg.recent() + 1, (long) cfg.group()));
        for (long j : ReferenceEntries.retrievalHeld(b, bucketOf, cfg.retrievalSlots(), cfg.retrievalRecent(), cfg.retrievalSeed())) {
            if (j < s1) {
                out.add(new long[] {0, j, j});
            }
        }
        return out;
    }

    /**
     * LINEAR mode, written as the weights it implies: block b gives block b' ≤ b the weight
     * p(b, b') = φ(q_b)·φ(k_b') / Σ_{b''≤b} φ(q_b)·φ(k_b''), with φ(x)_i = exp(ω_i·x' − |x'|²/2)/√m,
     * x' = x / d^(1/4), and g_b = Σ_b' p(b, b') v_b'. This is φ(q_b)ᵀS / φ(q_b)ᵀz with S, z the running sums of
     * {@link GlobalMode#LINEAR}, but computed pairwise, from scratch for every block (O(b·m) per block), with
     * no running state. Stabiliser: every pair's log-term ω_i·q' − |q'|²/2 + ω_i·k_b'' − |k_b''|²/2 is shifted by
     * its maximum over all (i, b'') for this b; the shift and the 1/m cancel in p, so the math is unchanged.
     *
     * <p>top is empty (no entries), selfWeight = p(b, b), entropy = novelty = 0 (defined so; see {@link BlockResult}).
     */
    private List<BlockResult> linearGlobal(double[][] summaries, double[][] q, double[][] k, double[][] v, int n) {
        // s, q, k, v [blocks, d] -> blocks × BlockResult
        int d = cfg.dModel();
        int m = cfg.linearFeatures();
        int bs = cfg.blockSize();
        int blocks = summaries.length;
        double[][] omega = ReferenceEntries.linearOmega(cfg.linearSeed(), m, d); // [m, d]
        double[][] keyLog = new double[blocks][];                // [blocks, m]
        for (int b = 0; b < blocks; b++) {
            keyLog[b] = featureLogs(omega, k[b]);
        }
        List<BlockResult> out = new ArrayList<>(blocks);
        for (int b = 0; b < blocks; b++) {
            double[] queryLog = featureLogs(omega, q[b]); // [m]
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j <= b; j++) {
                for (int i = 0; i < m; i++) {
                    max = Math.max(max, queryLog[i] + keyLog[j][i]);
                }
            }
            double[] weight = new double[b + 1]; // [b+1] φ(q_b)·φ(k_j), times m·e^(−max)
            double total = 0;
            for (int j = 0; j <= b; j++) {
                for (int i = 0; i < m; i++) {
                    weight[j] += Math.exp(queryLog[i] + keyLog[j][i] - max);
                }
                total += weight[j];
            }
            double[] g = new double[d]; // [d]
            for (int j = 0; j <= b; j++) {
                for (int col = 0; col < d; col++) {
                    g[col] += weight[j] / total * v[j][col];
                }
            }
            double[] go = vecMat(g, w.gWo, d, d); // [d]
            float[] summary = new float[d];
            float[] context = new float[d];
            for (int col = 0; col < d; col++) {
                summary[col] = (float) summaries[b][col];
                context[col] = (float) (summaries[b][col] + go[col]);
            }
            long start = (long) b * bs;
            long end = Math.min((long) (b + 1) * bs, n);
            out.add(new BlockResult(b, start, end, summary, context, new TopEntry[0], (float) (weight[b] / total),
                    0f, 0f));
        }
        return out;
    }

    /** log(√m·φ(x)_i) = ω_i·x' − |x'|²/2 with x' = x / d^(1/4). */
    private static double[] featureLogs(double[][] omega, double[] x) {
        // ω [m, d], x [d] -> [m]
        int d = x.length;
        double scale = Math.pow(d, -0.25);
        double norm2 = 0;
        for (double u : x) {
            norm2 += (u * scale) * (u * scale);
        }
        double[] out = new double[omega.length];
        for (int i = 0; i < omega.length; i++) {
            double dot = 0;
            for (int c = 0; c < d; c++) {
                dot += omega[i][c] * (x[c] * scale);
            }
            out[i] = dot - norm2 / 2;
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------
    // Scalar and vector helpers, private to the reference on purpose (no shared kernels).
    // ------------------------------------------------------------------------------------------------

    /** y = x·W for a row vector x [din] and W stored row-major [din, dout]. */
    private static double[] vecMat(double[] x, float[] wt, int din, int dout) {
        // x [din], W [din, dout] -> y [dout]
        double[] y = new double[dout];
        for (int r = 0; r < din; r++) {
            double xr = x[r];
            int row = r * dout;
            for (int c = 0; c < dout; c++) {
                y[c] += xr * wt[row + c];
            }
        }
        return y;
    }

    /** LayerNorm with biased variance (divide by d), eps 1e-5, gain and bias. */
    static double[] layerNorm(double[] x, float[] gain, float[] bias) {
        // x [d] -> [d]
        int d = x.length;
        double mean = 0;
        for (double u : x) {
            mean += u;
        }
        mean /= d;
        double var = 0;
        for (double u : x) {
            var += (u - mean) * (u - mean);
        }
        var /= d;
        double inv = 1.0 / Math.sqrt(var + LN_EPS);
        double[] y = new double[d];
        for (int c = 0; c < d; c++) {
            y[c] = (x[c] - mean) * inv * gain[c] + bias[c];
        }
        return y;
    }

    /** Softmax that subtracts the maximum first. */
    static double[] softmax(double[] s) {
        // s [m] -> p [m]
        double max = Double.NEGATIVE_INFINITY;
        for (double u : s) {
            max = Math.max(max, u);
        }
        double[] p = new double[s.length];
        double sum = 0;
        for (int i = 0; i < s.length; i++) {
            p[i] = Math.exp(s[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < s.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Exact GELU: 0.5·u·(1 + erf(u/√2)). */
    public static double gelu(double u) {
        return 0.5 * u * (1.0 + erf(u / Math.sqrt(2.0)));
    }

    /**
     * The error function in double precision, absolute error below 1e-15 (Java has none).
     *
     * <p>For |x| &lt; 2.5 it sums the series erf(x) = (2/√π)·e^(−x²)·Σ_{n≥0} 2ⁿ x^(2n+1) / (1·3·…·(2n+1))
     * (Abramowitz–Stegun 7.1.6): all terms have one sign, so nothing cancels; terms are added until they
     * no longer change the sum. For 2.5 ≤ |x| &lt; 6 it is 1 − erfc(x), with erfc from its continued
     * fraction erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))) (A–S 7.1.14),
     * evaluated from the tail with a fixed depth that is ample for x ≥ 2.5. For |x| ≥ 6,
     * 1 − |erf(x)| &lt; 2.2e-17, so ±1 is erf rounded to double.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        double ax = Math.abs(x);
        double r;
        if (ax >= 6.0) {
            r = 1.0;
        } else if (ax >= 2.5) {
            double t = ax;
            for (int k = 120; k >= 1; k--) {
                t = ax + (k / 2.0) / t;
            }
            r = 1.0 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / t;
        } else {
            double x2 = ax * ax;
            double term = ax; // n = 0
            double sum = ax;
            for (int n = 1; n < 200; n++) {
                term *= 2.0 * x2 / (2 * n + 1);
                double next = sum + term;
                if (next == sum) {
                    break;
                }
                sum = next;
            }
            r = Math.min(1.0, 2.0 / Math.sqrt(Math.PI) * Math.exp(-x2) * sum);
        }
        return Math.copySign(r, x);
    }
}
