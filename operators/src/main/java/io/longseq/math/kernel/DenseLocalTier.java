package io.longseq.math.kernel;

import io.longseq.math.model.LocalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.Weights;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The local tier in {@link LocalMode#FULL}: dense attention over a whole sequence, the O(n²) time-and-memory
 * baseline (docs/design.md 2.7, 8). Same math as {@link LocalTier} (docs/design.md 2.2–2.3) with the window cut removed:
 * embedding mean over the non-padding ids, L pre-LayerNorm layers, RoPE on q and k at absolute positions 0..n−1
 * (angles in double, rounded to float, by {@link Rope}), scores q_i·k_j/√d_h over every j (bidirectional) or
 * every j ≤ i (causal), max-subtracted softmax, W_o, the exact-erf GELU FFN, and the final LN_f.
 *
 * <p>How, in float32 with ND4J: per layer one GEMM [n, d]·[d, 3d] gives Q, K and V; then, <b>one head at a
 * time</b>, the score matrix S = q_h·k_hᵀ [n, n] is materialised by a GEMM, each row is soft-maxed in Java
 * ({@link RowKernels#bandSoftmax} over [0, n−1], or [0, i] when causal, which also writes the exact zeros above
 * the diagonal), and o_h = S·v_h [n, d_h] is a second GEMM. Only one S exists at a time, so the peak score memory
 * is {@link #scoreBytes(int) 4·n²} bytes (n = 10 000: 400 MB), plus O(n·(d + f)) for the other buffers. W_o
 * and the FFN are GEMMs over all n rows.
 *
 * <p>Memory guard: a sequence longer than {@code cfg.maxDensePositions()} is refused with an
 * {@link IllegalArgumentException} that names the setting, n and the score bytes it would need, before anything
 * is allocated.
 *
 * <p>Buffers: sized for the sequence on the first call, and reused while n stays the same (a benchmark runs one
 * length many times); a call with another n frees them and allocates new ones. So an instance holds the buffers
 * of the last length it ran until {@link #close()}. Not thread-safe.
 */
public final class DenseLocalTier implements AutoCloseable {

    private final ModelConfig cfg;
    private final Weights weights;
    private final int d;
    private final int heads;
    private final int dh;
    private final int f;
    private final float qScale;      // 1/√d_h, folded into q

    private final LayerMatrices mats; // the layers' projections on ND4J

    private final Rope rope;
    private final RowKernels kernels;
    private final float[] row;       // [d] scratch
    private final float[] qkvRow;    // [3d] scratch
    private final float[] headRow;   // [d_h] scratch
    private final float[] headRow2;  // [d_h] scratch
    private final float[] hidRow;    // [f] scratch

    private Buffers buffers;         // for the last n, or null
    private boolean closed;

    /** Every buffer and bound product for one sequence length n. */
    private static final class Buffers {
        final int n;
        final TierBuffers rows;  // [n, ·] residual, LayerNorm, q|k|v, attention output (heads concatenated), FFN hidden
        final INDArray qBase;    // [h, n, d_h] queries (RoPE'd, ·1/√d_h)
        final INDArray kBase;    // [h, n, d_h] keys (RoPE'd)
        final INDArray vBase;    // [h, n, d_h] values
        final INDArray sBase;    // [n, n]   scores, then probabilities, of one head
        final INDArray ohBase;   // [n, d_h] one head's output
        final FloatBuffer x;
        final FloatBuffer a;
        final FloatBuffer qkv;
        final FloatBuffer o;
        final FloatBuffer hid;
        final ByteBuffer hidBytes;   // the same memory as hid, for the vector kernels
        final FloatBuffer q;
        final FloatBuffer k;
        final FloatBuffer v;
        final FloatPointer s;    // S through JavaCPP: long offsets (n² floats outgrow a 2 GiB NIO view)
        final FloatBuffer oh;
        final float[] cos;       // [n, d_h/2]
        final float[] sin;       // [n, d_h/2]
        final float[] sRow;      // [n] one score row
        final LayerMatrices.Products layers; // the layers' GEMMs over these n rows
        final MatMul[] scores;   // per head: s = q_h·k_hᵀ
        final MatMul[] mix;      // per head: oh = s·v_h

        Buffers(DenseLocalTier t, int n) {
            this.n = n;
            int d = t.d;
            int dh = t.dh;
            int h = t.heads;
            rows = new TierBuffers(n, d, t.f);
            qBase = Nd4j.create(DataType.FLOAT, h, n, dh);
            kBase = Nd4j.create(DataType.FLOAT, h, n, dh);
            vBase = Nd4j.create(DataType.FLOAT, h, n, dh);
            sBase = Nd4j.create(DataType.FLOAT, n, n);
            ohBase = Nd4j.create(DataType.FLOAT, n, dh);
            x = rows.x;
            a = rows.a;
            qkv = rows.qkv;
            o = rows.o;
            hid = rows.hid;
            hidBytes = rows.hidBytes;
            q = RowOps.view(qBase);
            k = RowOps.view(kBase);
            v = RowOps.view(vBase);
            s = new FloatPointer(sBase.data().pointer());
            oh = RowOps.view(ohBase);
            cos = new float[n * (dh / 2)];
            sin = new float[n * (dh / 2)];
            sRow = new float[n];
            layers = t.mats.bind(rows.aBase, rows.qkvBase, rows.oBase, rows.hBase, rows.xBase);
            scores = new MatMul[h];
            mix = new MatMul[h];
            for (int hd = 0; hd < h; hd++) {
                long off = (long) hd * n * dh;
                INDArray qh = Nd4j.create(qBase.data(), new long[] {n, dh}, new long[] {dh, 1}, off, 'c');
                INDArray kh = Nd4j.create(kBase.data(), new long[] {n, dh}, new long[] {dh, 1}, off, 'c');
                INDArray vh = Nd4j.create(vBase.data(), new long[] {n, dh}, new long[] {dh, 1}, off, 'c');
                scores[hd] = new MatMul(qh, kh, sBase, true, 0.0);
                mix[hd] = new MatMul(sBase, vh, ohBase, false, 0.0);
            }
        }

        void close() {
            layers.close();
            for (MatMul[] ms : new MatMul[][] {scores, mix}) {
                for (MatMul m : ms) {
                    m.close();
                }
            }
            rows.close();
            for (INDArray arr : new INDArray[] {qBase, kBase, vBase, sBase, ohBase}) {
                arr.close();
            }
        }
    }

    /**
     * @param cfg     the model shape; its {@code maxDensePositions} caps the sequence length
     * @param weights weights for exactly this shape
     */
    public DenseLocalTier(ModelConfig cfg, Weights weights) {
        this.cfg = cfg;
        this.weights = weights;
        d = cfg.dModel();
        heads = cfg.heads();
        dh = cfg.headDim();
        f = cfg.ffnDim();
        qScale = (float) (1.0 / Math.sqrt(dh));
        mats = new LayerMatrices(cfg, weights);
        rope = new Rope(dh);
        kernels = RowKernels.best();
        row = new float[d];
        qkvRow = new float[3 * d];
        headRow = new float[dh];
        headRow2 = new float[dh];
        hidRow = new float[f];
    }



    /** Bytes of one head's float32 score matrix for n positions: 4·n² (n = 10 000: 400 000 000). */
    public static long scoreBytes(int n) {
        return 4L * n * n;
    }

    /**
     * Checks that a sequence of n positions may run densely under this config.
     *
     * @throws IllegalArgumentException when n &gt; {@code cfg.maxDensePositions()}, naming the setting, n and the
     *                                  score-matrix bytes the sequence would need
     */
    public static void checkLength(ModelConfig cfg, long n) {
        if (n > cfg.maxDensePositions()) {
            long bytes = 4L * n * n;
            throw new IllegalArgumentException("local mode FULL materialises an n×n float32 score matrix per head: "
                    + "a sequence of n = " + n + " positions would need " + bytes + " bytes ("
                    + String.format(java.util.Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0))
                    + " MiB) of scores, and maxDensePositions = " + cfg.maxDensePositions()
                    + " allows at most " + scoreBytes(cfg.maxDensePositions()) + " bytes; use localMode SLIDING"
                    + " (the sliding window, O(n·w) memory) for long sequences, or raise maxDensePositions"
                    + " (at most " + ModelConfig.MAX_DENSE_POSITIONS + ")");
        }
    }

    /**
     * Runs the dense local tier over positions 0..n−1 of one whole sequence.
     *
     * @param ids feature ids [n·F], position-major; an id that {@link ModelConfig#isPadding} is skipped
     * @param n   sequence length, 1..{@code cfg.maxDensePositions()}
     * @param z   output [n, d]
     * @throws IllegalArgumentException when n exceeds {@code maxDensePositions} (see {@link #checkLength}), or the
     *                                  arrays are too short, or an id is outside the embedding table
     */
    // ids [n·F] -> z [n, d]
    public void forward(int[] ids, int n, float[] z) {
        if (closed) {
            throw new IllegalStateException("DenseLocalTier is closed");
        }
        if (n < 1) {
            throw new IllegalArgumentException("sequence of " + n + " positions; DenseLocalTier needs at least 1");
        }
        checkLength(cfg, n);
        if ((long) n * Math.max(3L * d, f) > (Integer.MAX_VALUE - 8L) / Float.BYTES) {
            throw new IllegalArgumentException("a sequence of n = " + n + " positions with dModel = " + d
                    + " and ffnDim = " + f + " needs [n, 3d] and [n, ffnDim] buffers of more than 2 GiB each,"
                    + " which DenseLocalTier does not support; use localMode SLIDING or a shorter sequence");
        }
        if (ids.length < (long) n * cfg.maxFeatures()) {
            throw new IllegalArgumentException("ids holds " + ids.length + " values, need n·F = "
                    + (long) n * cfg.maxFeatures());
        }
        if (z.length < (long) n * d) {
            throw new IllegalArgumentException("z holds " + z.length + " floats, need " + (long) n * d);
        }
        if (buffers == null || buffers.n != n) {
            if (buffers != null) {
                buffers.close();
                buffers = null;
            }
            buffers = new Buffers(this, n);
        }
        Buffers b = buffers;
        embed(b, ids, n);
        rope.angles(0, n, b.cos, b.sin);
        for (int l = 0; l < cfg.layers(); l++) {
            Weights.Layer y = weights.layers[l];
            normalizeRows(b.x, b.a, n, y.ln1Gain, y.ln1Bias);
            b.layers.qkvProj[l].run();
            scatterHeads(b, n);
            for (int hd = 0; hd < heads; hd++) {
                b.scores[hd].run();
                softmaxRows(b, n);
                b.mix[hd].run();
                gatherHead(b, n, hd);
            }
            b.layers.outProj[l].run();                                  // x += o·W_o
            normalizeRows(b.x, b.a, n, y.ln2Gain, y.ln2Bias);
            b.layers.ffnIn[l].run();                                    // h = LN2(y)·W_1
            biasGelu(b, n, y.b1);
            b.layers.ffnOut[l].run();                                   // x += GELU(h + b1)·W_2
            addBias(b.x, n, y.b2);
        }
        for (int i = 0; i < n; i++) {
            b.x.get(i * d, row, 0, d);
            RowOps.normalizeRow(row, d, weights.lnfGain, weights.lnfBias);
            System.arraycopy(row, 0, z, i * d, d);
        }
    }

    // ids [n·F] -> x [n, d]: mean of the embeddings of non-padding ids
    private void embed(Buffers b, int[] ids, int n) {
        for (int i = 0; i < n; i++) {
            RowOps.embedRow(cfg, weights.embedding, ids, i, row);
            b.x.put(i * d, row, 0, d);
        }
    }

    // src [n, d] -> dst [n, d] = LN(src)
    private void normalizeRows(FloatBuffer src, FloatBuffer dst, int n, float[] gain, float[] bias) {
        RowOps.normalizeRows(src, dst, 0, n, d, row, gain, bias);
    }


    // qkv [n, 3d] -> q [h, n, d_h] (RoPE'd, ·1/√d_h), k [h, n, d_h] (RoPE'd), v [h, n, d_h]
    private void scatterHeads(Buffers b, int n) {
        int pairs = dh / 2;
        float[] src = qkvRow;
        float[] qr = headRow;
        float[] kr = headRow2;
        for (int i = 0; i < n; i++) {
            b.qkv.get(i * 3 * d, src, 0, 3 * d);
            int ang = i * pairs;
            for (int hd = 0; hd < heads; hd++) {
                int col = hd * dh;
                Rope.rotateHead(src, d, col, dh, b.cos, b.sin, ang, qScale, qr, kr);
                int at = (hd * n + i) * dh;
                b.q.put(at, qr, 0, dh);
                b.k.put(at, kr, 0, dh);
                b.v.put(at, src, 2 * d + col, dh);
            }
        }
    }

    // s [n, n] scores -> probabilities over j ≤ n−1 (bidirectional) or j ≤ i (causal), exact zeros elsewhere
    private void softmaxRows(Buffers b, int n) {
        boolean causal = cfg.causal();
        float[] r = b.sRow;
        for (int i = 0; i < n; i++) {
            long off = (long) i * n;
            b.s.position(off).get(r, 0, n);
            kernels.bandSoftmax(r, 0, causal ? i : n - 1, n);
            b.s.position(off).put(r, 0, n);
        }
        b.s.position(0);
    }

    // oh [n, d_h] -> o[:, hd·d_h .. (hd+1)·d_h)
    private void gatherHead(Buffers b, int n, int hd) {
        float[] r = headRow;
        int col = hd * dh;
        for (int i = 0; i < n; i++) {
            b.oh.get(i * dh, r, 0, dh);
            b.o.put(i * d + col, r, 0, dh);
        }
    }

    // h [n, f] -> GELU(h + b1), in place in the off-heap buffer
    private void biasGelu(Buffers b, int n, float[] b1) {
        kernels.biasGeluRows(b.hidBytes, 0, n, f, b1, hidRow);
    }

    // x [n, d] += bias [d] per row
    private void addBias(FloatBuffer x, int n, float[] bias) {
        for (int i = 0; i < n; i++) {
            x.get(i * d, row, 0, d);
            for (int c = 0; c < d; c++) {
                row[c] += bias[c];
            }
            x.put(i * d, row, 0, d);
        }
    }

    /** Releases the off-heap buffers and weights now rather than at garbage collection. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (buffers != null) {
            buffers.close();
            buffers = null;
        }
        mats.close();
    }
}
