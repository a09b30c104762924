package io.longseq.math.kernel;

import io.longseq.math.model.LocalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.Weights;
import java.nio.FloatBuffer;

/**
 * The local tier on one chunk plus its halos (docs/design.md 2.2–2.3): ND4J GEMMs for the dense work,
 * band attention fused with the Vector API where it can be.
 *
 * <p>Dense work is a handful of large GEMMs per layer into buffers allocated once: [N, d]·[d, 3d] for
 * Q, K and V (fused SLIDING: [N, d]·[d, 2d] for Q and V, [d, d]·[d, N] for Kᵀ), [N, d]·[d, d] for W_o, [N, d]·[d, f] and [N, f]·[f, d] for the FFN, where N is the chunk
 * with its halos rounded up to a multiple of the query block. Each product is an ND4J op bound once to
 * its buffers ({@link MatMul}), so a chunk allocates nothing native.
 *
 * <p>Band attention (|i−j| ≤ w, or i−w ≤ j ≤ i when causal, and 0 ≤ j &lt; n), per head, one of two ways:
 * <ul>
 *   <li><b>fused</b> ({@link VectorAttention}, used when d_h is a multiple of two vectors of the CPU's width
 *   and the JVM has the Vector API): eight queries at a time (four with AVX2), scores over the union of their
 *   bands, band softmax and weighted values in registers; keys are kept transposed so a vector load holds one
 *   component of 16 keys (8 with AVX2). For SLIDING the keys come transposed from a GEMM of their own,
 *   W_kᵀ·aᵀ, beside a·[W_q | W_v], whose queries and values the kernel reads in place;</li>
 *   <li><b>ND4J sliding chunks</b> (otherwise): the queries are cut into blocks of q_b (32 when w ≥ 32)
 *   and block t meets the q_b + 2w keys around it (q_b + w when causal). The keys and values of a head
 *   live once in a buffer padded with w zero rows on each side, and each block's key window is an
 *   overlapping strided view of it ([N/q_b, q_b+2w, d_h], row stride q_b·d_h), so no window is copied.
 *   Two batched products per head give the scores [N/q_b, q_b, q_b+2w] and the outputs, written straight
 *   into the head's columns of [N, d]; the mask is applied inside the softmax, over the band only.</li>
 * </ul>
 * Elementwise steps (LayerNorm, RoPE, softmax, GELU) run in Java over direct views of the off-heap
 * buffers, softmax and GELU with the Vector API ({@link RowKernels}). The last layer's output is read only
 * at the core, so its queries, W_o and FFN run on the core rows alone (the halos still give keys and
 * values). Views and bound products are cached for the few chunk geometries a stream has.
 *
 * <p>Positions beyond the array are simply absent, so a chunk's window is cut at its halo edges. With
 * L·w tokens of halo on each side, the cut only reaches the halo, never the core: the core outputs equal
 * those of the whole sequence. At the true start or end of a sequence the array edge is the sequence
 * edge. Not thread-safe: one instance per Flink subtask.
 *
 * <p>Parts: {@link TierBuffers} (the row buffers, shared with {@link DenseLocalTier}), {@link LocalTierViews}
 * (ND4J views per chunk geometry), {@link FusedHeads} (the fused path's head arrays), {@link DilatedBand} (SLIDING
 * and DILATED on the fused path), {@link SinkPath} (SINKS), {@link LinformerPath} (LINFORMER), {@link SlidingChunks} (the ND4J path's buffers, scatter
 * and band softmax).
 */
public final class LocalTier implements AutoCloseable {

    final ModelConfig cfg;
    private final Weights weights;
    final int d;
    final int heads;
    final int dh;
    final int w;
    final int f;
    final int qb;            // query block: queries per attention block
    final int kw;            // keys per query block: q_b + 2w, or q_b + w when causal
    final int maxRows;       // largest padded N: capacity of every [N, ·] buffer
    final int kvRows;        // maxRows + 2w: rows of each head's padded key/value buffer
    private final float qScale;      // 1/√d_h, folded into q

    final TierBuffers buf;   // [maxRows, ·] residual, LayerNorm, q|k|v, attention output, FFN hidden
    final SlidingChunks chunks;  // ND4J sliding-chunk attention when the fused path does not run, else null
    private final FloatBuffer x, a, qkv, o, hid; // direct views of buf's x, a, qkv, o, hid

    final LayerMatrices mats; // the layers' projections on ND4J

    private final Rope rope;
    private final RowKernels kernels;
    final BandAttention fused;    // null: attention through ND4J's batched products
    private final FusedHeads hs;         // fused path: the heads' arrays, else null
    private final DilatedBand band;       // fused path: SLIDING (s = 1) or DILATED's residue classes, else null
    private final SinkPath sinks;         // SINKS, else null
    private final LinformerPath linformer; // LINFORMER, else null
    private final boolean tiled;          // fused SLIDING: attention in tiles (attendInTiles)
    final boolean inPlace;                // ... and blocks of eight: q|v and kᵀ GEMMs, q and v read in place

    private final float[] cos;       // [maxRows, d_h/2]
    private final float[] sin;       // [maxRows, d_h/2]
    private final float[] row;       // [max(d, kw)] scratch
    private final float[] hidRow;    // [f] scratch
    private final float[] zeros;     // [4096] always zero

    /** Chunk lengths whose views (and bound ND4J products) are kept; the last chunk of each sequence differs. */
    static final int CACHED_LENGTHS = 6;
    /** Queries per tile of the fused attention (a multiple of its groups of four). */
    static final int ATTENTION_TILE = 128;

    private final BoundedCache<Long, LocalTierViews.Core> coreViews = new BoundedCache<>(CACHED_LENGTHS);
    private final BoundedCache<Integer, LocalTierViews.Band> views = new BoundedCache<>(CACHED_LENGTHS);
    private final StageClock clock = new StageClock();   // time per Stage, for profiling

    /** Where a chunk's time goes; {@link #stageNanos()} sums each since construction. */
    public enum Stage {
        EMBED_ROPE, LAYER_NORM, GEMM_QKV, SCATTER, SCORES, SOFTMAX, WEIGHTED_VALUES, ATTENTION_FUSED, GEMM_OUT,
        GEMM_FFN, GELU
    }
    private boolean closed;

    /**
     * Allocates every buffer for chunks of up to {@code cfg.chunkSize()} core positions plus halos.
     * ND4J must be initialised first ({@link Nd4jRuntime#init(int)}).
     */
    public LocalTier(ModelConfig cfg, Weights weights) {
        this(cfg, weights, cfg.chunkSize() + cfg.attentionHalo() + cfg.rightHalo());
    }

    /** As above, with room for arrays of up to {@code maxPositions} positions. */
    public LocalTier(ModelConfig cfg, Weights weights, int maxPositions) {
        this(cfg, weights, maxPositions, RowKernels.best());
    }

    /** As above, with the given elementwise kernels (tests compare the scalar and vector ones). */
    public LocalTier(ModelConfig cfg, Weights weights, int maxPositions, RowKernels kernels) {
        this.cfg = cfg;
        this.weights = weights;
        d = cfg.dModel();
        heads = cfg.heads();
        dh = cfg.headDim();
        w = cfg.window();
        f = cfg.ffnDim();
        qb = Math.min(w, 32);
        kw = qb + (cfg.causal() ? w : 2 * w);
        int nqMax = Math.max(1, (maxPositions + qb - 1) / qb);
        maxRows = nqMax * qb;
        kvRows = maxRows + 2 * w;
        qScale = (float) (1.0 / Math.sqrt(dh));

        buf = new TierBuffers(maxRows, d, f);
        this.kernels = kernels;
        int step = cfg.localMode() == LocalMode.DILATED ? cfg.dilation() : 1;
        if (cfg.localMode() == LocalMode.FULL) {
            throw new IllegalArgumentException("localMode FULL is dense over the whole sequence: use DenseLocalTier");
        }
        // -Dlongseq.fusedAttention=false keeps ND4J's batched products (for comparison in benchmarks)
        BandAttention kernel = Boolean.parseBoolean(System.getProperty("longseq.fusedAttention", "true"))
                ? kernels.attention(dh, w) : null;
        if (kernel == null && (step > 1 || LinformerPath.on(cfg))) {
            kernel = new ScalarAttention(dh, w, kernels);   // ND4J's sliding chunks have no dilated or Linformer form
        }
        sinks = SinkPath.count(cfg) > 0 ? new SinkPath(cfg, weights, kernels) : null;
        if (sinks != null) {
            kernel = sinks.attention;                       // the layout of the fused path, the sinks kernel
        }
        fused = kernel;
        // the ND4J attention buffers exist only when the fused kernel does not run
        chunks = fused == null ? new SlidingChunks(this, kernels) : null;
        x = buf.x;
        a = buf.a;
        qkv = buf.qkv;
        o = buf.o;
        hid = buf.hid;

        mats = new LayerMatrices(cfg, weights);
        rope = new Rope(dh);
        hs = fused != null ? new FusedHeads(maxRows, d, heads, dh) : null;
        band = fused != null ? new DilatedBand(step) : null;
        linformer = LinformerPath.on(cfg) ? new LinformerPath(cfg, weights, maxRows) : null;
        tiled = fused != null && sinks == null && linformer == null && band.step == 1;
        // With AVX2's blocks of four the in-place kernel was slower (held to AVX2 on Zen 5: attention 2.1 -> 2.6 ms a
        // chunk, the whole 10.0 -> 10.3): there the tiles scatter q, kᵀ and v from the one q|k|v product, as before
        inPlace = tiled && fused instanceof VectorAttention && VectorAttention.BLOCK == 8;
        cos = new float[maxRows * (dh / 2)];
        sin = new float[maxRows * (dh / 2)];
        row = new float[Math.max(d, kw)];
        hidRow = new float[f];
        zeros = new float[Math.max(Math.max(4096, kw), d)];
    }

    /** The kernels in use: elementwise ("vector-512", "scalar") and attention ("fused-512" or "nd4j"). */
    public String kernelName() {
        return kernels.name() + ", attention " + (fused != null ? fused.name() : "nd4j")
                + (band != null && band.step > 1 ? ", dilation " + band.step : "")
                + (sinks != null ? ", sinks " + sinks.count : "")
                + (linformer != null ? ", linformer k=" + cfg.linformerRank() + " P=" + cfg.linformerSegment() : "");
    }

    /** The kernels in use and the ND4J build that loaded, for logs and metrics. */
    public KernelReport kernelReport() {
        return KernelReport.of(kernels, fused);
    }

    /** How many chunk geometries have views cached now, the larger of the two caches (bounded; for tests). */
    int cachedLengths() {
        return Math.max(views.size(), coreViews.size());
    }

    /** SINKS: the sinks' keys and values this tier captured at position 0 (read by a chunk's {@link SinkPath}). */
    SinkPath sinks() {
        return sinks;
    }

    /** Most positions one call accepts (chunk plus halos). */
    public int capacity() {
        return maxRows;
    }

    /**
     * Runs the local tier over positions [first, first+n) and writes z for the core positions
     * [coreFrom, coreTo) into {@code z}.
     *
     * @param ids      feature ids [n·F], position-major; an id that {@link ModelConfig#isPadding} is skipped
     * @param first    absolute position of ids' first position
     * @param n        positions in the array (chunk plus the halos that exist)
     * @param coreFrom first absolute position to output
     * @param coreTo   one past the last position to output
     * @param z        output [coreTo−coreFrom, d]
     */
    // ids [n·F] -> z [coreTo−coreFrom, d]
    public void forward(int[] ids, long first, int n, long coreFrom, long coreTo, float[] z) {
        forward(ids, first, n, coreFrom, coreTo, z, null, 0);
    }

    /**
     * As {@link #forward(int[], long, int, long, long, float[])}; in local mode SINKS an array that does not
     * start at position 0 also needs the sequence's first positions, {@code prefixIds} [prefixN·F] for positions
     * [0, prefixN) with prefixN = min(sequence length, {@link ModelConfig#sinkPrefix()}): the sinks' keys and
     * values at every layer are computed from them.
     */
    // ids [n·F] (+ prefix ids [prefixN·F]) -> z [coreTo−coreFrom, d]
    public void forward(int[] ids, long first, int n, long coreFrom, long coreTo, float[] z, int[] prefixIds,
                        int prefixN) {
        if (sinks != null && first > 0) {
            sinks.computePrefix(first, prefixIds, prefixN);
        }
        forwardArray(ids, first, n, coreFrom, coreTo, z);
    }

    private void forwardArray(int[] ids, long first, int n, long coreFrom, long coreTo, float[] z) {
        if (closed) {
            throw new IllegalStateException("LocalTier is closed");
        }
        TierArguments.checkChunk(n, maxRows, first, coreFrom, coreTo, ids.length, (long) n * cfg.maxFeatures(), z.length,
                d);
        int nq = (n + qb - 1) / qb;
        int np = nq * qb;
        LocalTierViews.Band vw = views.get(nq, b -> new LocalTierViews.Band(this, b));

        long t0 = System.nanoTime();
        embed(ids, n, np);
        rope.angles(first, n, cos, sin);
        t0 = clock.lap(Stage.EMBED_ROPE, t0);
        int cs = (int) (coreFrom - first);                 // core rows [cs, ce) of the array
        int ce = (int) (coreTo - first);
        LocalTierViews.Core core = coreViews.get(((long) cs << 32) | ce, key -> new LocalTierViews.Core(this, cs, ce));
        for (int l = 0; l < cfg.layers(); l++) {
            Weights.Layer y = weights.layers[l];
            // The last layer's output is read only at the core, so from its attention queries on only the
            // core rows are computed (keys and values still come from every row).
            boolean last = l == cfg.layers() - 1;
            int from = last ? cs : 0;
            int to = last ? ce : n;
            // the previous layer's b2 joins the residual here, fused with this LayerNorm's pass
            layerNorm(n, np, y.ln1Gain, y.ln1Bias, l == 0 ? null : weights.layers[l - 1].b2);
            t0 = clock.lap(Stage.LAYER_NORM, t0);
            if (inPlace) {
                vw.layers.qvProj[l].run();
                vw.layers.kTProj[l].run();
            } else {
                vw.layers.qkvProj[l].run();
            }
            t0 = clock.lap(Stage.GEMM_QKV, t0);
            if (tiled) {
                t0 = attendInTiles(n, np, from, to, t0);
            } else if (fused != null) {
                hs.scatter(kernels, buf.qkvBytes, n, cos, sin, qScale, band);
                if (sinks != null && first == 0) {
                    sinks.capture(l, n, hs);
                }
                t0 = clock.lap(Stage.SCATTER, t0);
                if (sinks != null) {
                    sinks.attend(l, first, n, from, to, hs);
                } else if (linformer != null) {
                    linformer.attend(first, n, from, to, hs);
                } else {
                    band.attend(fused, hs, heads, dh, d, w, cfg.causal(), from, to);
                }
                o.put(from * d, hs.oRows, from * d, (to - from) * d);   // the heads' rows, in one copy
                zeroRows(o, n * d, np * d);
                t0 = clock.lap(Stage.ATTENTION_FUSED, t0);
            } else {
                chunks.scatter(qkv, np, cos, sin, qScale);
                t0 = clock.lap(Stage.SCATTER, t0);
                for (int hd = 0; hd < heads; hd++) {
                    vw.scores[hd].run();
                }
                t0 = clock.lap(Stage.SCORES, t0);
                chunks.bandSoftmax(n, nq);
                t0 = clock.lap(Stage.SOFTMAX, t0);
                for (int hd = 0; hd < heads; hd++) {
                    vw.mix[hd].run();
                }
                t0 = clock.lap(Stage.WEIGHTED_VALUES, t0);
            }
            (last ? core.outProj : vw.layers.outProj[l]).run();               // x += o·W_o
            t0 = clock.lap(Stage.GEMM_OUT, t0);
            kernels.layerNormRows(buf.xBytes, buf.aBytes, from, to, d, y.ln2Gain, y.ln2Bias, null, row);   // a = LN(x)
            if (!last) {
                zeroRows(a, n * d, np * d);
            }
            t0 = clock.lap(Stage.LAYER_NORM, t0);
            (last ? core.ffnIn : vw.layers.ffnIn[l]).run();
            t0 = clock.lap(Stage.GEMM_FFN, t0);
            kernels.biasGeluRows(buf.hidBytes, from, to, f, y.b1, hidRow);    // h = GELU(h + b1), in place
            if (!last) {
                zeroRows(hid, n * f, np * f);
            }
            t0 = clock.lap(Stage.GELU, t0);
            (last ? core.ffnOut : vw.layers.ffnOut[l]).run();                 // x += GELU(..)·W_2
            t0 = clock.lap(Stage.GEMM_FFN, t0);
        }
        finalNorm((int) (coreFrom - first), (int) (coreTo - coreFrom), z, weights.layers[cfg.layers() - 1].b2);
        clock.lap(Stage.LAYER_NORM, t0);
    }

    // ids [n·F] -> x [Np, d]: mean of the embeddings of non-padding ids; padded rows are zero
    private void embed(int[] ids, int n, int np) {
        RowOps.embedRows(cfg, weights.embedding, ids, n, x, row);
        zeroRows(x, n * d, np * d);
    }

    // qv [np, 2d] and kᵀ [d, np] (inPlace), else qkv [np, 3d], rows [0, n) -> o rows [from, to) (SLIDING on the
    // fused path), in tiles of ATTENTION_TILE queries: each tile's keys (inPlace), else its q, kᵀ and v, go into the
    // heads' arrays just before its attention reads them (from L2, not L3); inPlace the queries and values are read,
    // and o written, in place, else o's rows are copied while in cache. The same bits as one pass: a query's sums do
    // not depend on how queries are grouped, and a tile holds whole blocks of queries.
    private long attendInTiles(int n, int np, int from, int to, long t0) {
        band.layout(n);
        int scattered = 0;                                   // positions [0, scattered) are in the heads' arrays
        for (int q0 = from; q0 < to; q0 += ATTENTION_TILE) {
            int q1 = Math.min(to, q0 + ATTENTION_TILE);
            int need = Math.min(n, q1 + w);                  // the tile's keys end at q1 − 1 + w
            if (inPlace) {
                hs.scatterTiledRows(kernels, buf.qkvBytes, np, scattered, need, cos, sin);
            } else {
                hs.scatterRows(kernels, buf.qkvBytes, scattered, need, cos, sin, qScale, band);
            }
            scattered = Math.max(scattered, need);
            t0 = clock.lap(Stage.SCATTER, t0);
            if (inPlace) {
                hs.attendInPlace((VectorAttention) fused, buf.qkvBytes, buf.oBytes, qScale, n, q0, q1, w, cfg.causal());
            } else {
                band.attend(fused, hs, heads, dh, d, w, cfg.causal(), q0, q1);
                o.put(q0 * d, hs.oRows, q0 * d, (q1 - q0) * d);
            }
            t0 = clock.lap(Stage.ATTENTION_FUSED, t0);
        }
        zeroRows(o, n * d, np * d);
        return t0;
    }

    // x [Np, d] (+ b, written back when residualBias is given) -> a [Np, d] = LN(x); rows ≥ n zero
    private void layerNorm(int n, int np, float[] gain, float[] bias, float[] residualBias) {
        kernels.layerNormRows(buf.xBytes, buf.aBytes, 0, n, d, gain, bias, residualBias, row);
        zeroRows(a, n * d, np * d);
    }

    private void zeroRows(FloatBuffer buf, int from, int to) {
        if (to > from) {
            java.util.Arrays.fill(zeros, 0f);
            for (int i = from; i < to; i += zeros.length) {
                buf.put(i, zeros, 0, Math.min(zeros.length, to - i));
            }
        }
    }

    // x rows [from, from+count) + b2 of the last layer -> z [count, d] = LN_f(x + b2), written straight into z (no pass
    // through a and copy, no x + b2 written back: nothing reads x after)
    private void finalNorm(int from, int count, float[] z, float[] residualBias) {
        kernels.layerNormRowsInto(buf.xBytes, from, from + count, d, weights.lnfGain, weights.lnfBias, residualBias, z, 0,
                row);
    }

    /** Nanoseconds spent per {@link Stage} (indexed by ordinal) since construction: for profiling. */
    public long[] stageNanos() {
        return clock.nanos();
    }

    /** Releases the off-heap buffers now rather than at garbage collection. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        views.clear();
        coreViews.clear();
        if (sinks != null) {
            sinks.close();
        }
        buf.close();
        if (chunks != null) {
            chunks.close();
        }
        mats.close();
    }
}
