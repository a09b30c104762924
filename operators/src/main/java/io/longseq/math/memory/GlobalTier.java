package io.longseq.math.memory;

import io.longseq.math.kernel.RowKernels;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.model.TopEntry;
import io.longseq.math.weights.Weights;
import java.util.Arrays;

/**
 * Block-level attention, causal over blocks (docs/design.md 2.5–2.6): each new block's query meets the
 * memory of all blocks up to and including itself, and its context is c_b = s_b + g_b·W_go.
 *
 * <p>Per block this is O(M·d + d²) with M ≤ H·(R+G−1)+1 memory entries (HIERARCHICAL), M ≤ C/B + 1 (AXIAL),
 * or O(m·d + d²) for LINEAR mode's m random features: small vectors, so Java with the {@link RowKernels} (a native
 * call would cost more than the arithmetic), summed in double precision in a fixed order, so both kernel sets give
 * the same bits. LINEAR mode has no entries: its memory computes g_b itself
 * ({@link LinearMemory#attend}), top-K is empty and the entropy is 0 (see {@link GlobalMode#LINEAR}). The memory
 * itself is passed in and out, so the caller (a keyed Flink operator) owns it as state. Not thread-safe: one
 * instance per subtask.
 */
public final class GlobalTier {

    private final ModelConfig cfg;
    private final int d;
    final float[] ln;                // [d] x_b = LN_g(s_b)
    final float[] q;                 // [d]
    final float[] k;                 // [d]
    final float[] v;                 // [d]
    private final double[] g;        // [d] Σ p_m v̄_m
    private final float[] delta;     // [d] g_b·W_go
    private final MemoryEntries entries;
    private final RowKernels kernels; // the mat-vecs (Vector API when present), the entries' dots, the weighted sum
    final GlobalProjections projections; // LN_g, W_gq, W_gk, W_gv, W_go and RETRIEVAL's x-space
    private final float[] qx;        // [d] W_gk q (q' with a reverse-strand query): the query in x-space
    private final float[] kx;        // [d] W_gk k_b: the key in x-space (the novelty's dots)
    private final double[] gx;       // [d] Σ p_j x_j over the exemplars; g += gx·W_gv
    private final float[] qxr;       // [d] W_gk q'_b: the reverse query in x-space (sketch candidates)
    private final float[] saved;     // [d] q_b while q'_b is projected
    private final double[] gxc;      // [d] Σ p_e x̂_e over the sketch candidates
    private double[] p = new double[16];      // [M] scores, then weights ([2M] with a reverse-strand query)
    private double[] pr = new double[16];     // [M] the reverse query's dots, then an entry's summed weight
    private final EntrySoftmax softmax = new EntrySoftmax();   // scores -> weights, + ln c, the entropy
    private final TopK topK = new TopK();     // the selection of the top-K entries
    private final Novelty novelty;            // each block's novelty, with its scratch
    private final PreparedChunk prepared = new PreparedChunk(); // prepareChunk's blocks, projected and scored
    private float[] chunkDeltas = new float[0];   // [nb, d] g_b·W_go of the last stepChunk
    private double[] chunkScores = new double[0]; // [nq + nb, m] a chunk's scores (then its blocks' weights), key dots
    private ExemplarSums deferred;                // stepBlocks with RETRIEVAL: where step leaves the exemplars' weights
    private final ExemplarSums exemplarSums;
    private final java.util.List<Pending> pending = new java.util.ArrayList<>();   // stepBlocks' blocks, in order
    private double[] chunkGx = new double[0];     // [nb, d] the exemplars' sums Σ p_j x_j of stepBlocks' blocks

    public GlobalTier(ModelConfig cfg, Weights weights) {
        this(cfg, weights, RowKernels.best());
    }

    /** As above, with the given kernels for the mat-vecs (tests compare the scalar and vector ones). */
    public GlobalTier(ModelConfig cfg, Weights weights, RowKernels kernels) {
        this.cfg = cfg;
        this.kernels = kernels;
        d = cfg.dModel();
        novelty = new Novelty(kernels, d);
        ln = new float[d];
        q = new float[d];
        k = new float[d];
        v = new float[d];
        g = new double[d];
        delta = new float[d];
        projections = new GlobalProjections(weights, kernels, d);
        qx = new float[d];
        kx = new float[d];
        gx = new double[d];
        qxr = new float[d];
        saved = new float[d];
        gxc = new double[d];
        entries = new MemoryEntries(d);
        exemplarSums = new ExemplarSums(d);
    }

    /**
     * Adds block {@code memory.nextBlock()} with summary s [d] to the memory and attends over it.
     *
     * @param start first position of the block
     * @param end   one past its last position
     */
    // s_b [d] + memory -> BlockResult (memory now includes b)
    public BlockResult step(BlockMemory memory, long start, long end, float[] summary) {
        return step(memory, start, end, summary, null);
    }

    /**
     * As {@link #step(BlockMemory, long, long, float[])}; with a reverse-strand summary s'_b [d]
     * ({@link io.longseq.math.model.Strand#BOTH}) the block's second query q'_b = LN_g(s'_b)·W_gq scores the same
     * entries, and one softmax runs over both sets of scores (2M); the context mixes the values with the summed
     * weights of each entry; every top entry says which query matched. {@code reverseSummary} null: forward only.
     */
    // s_b [d] (+ s'_b [d]) + memory -> BlockResult (memory now includes b)
    public BlockResult step(BlockMemory memory, long start, long end, float[] summary, float[] reverseSummary) {
        if (memory instanceof FullMemory full) {           // FULL has one arithmetic: a chunk of one block
            return stepChunk(full, summary, reverseSummary, 1, new long[] {start}, new long[] {end})[0];
        }
        long b = memory.nextBlock();
        int row = prepared.row(memory, b, summary, reverseSummary);  // −1: not prepared
        if (row >= 0) {
            prepared.projections(row, ln, q, k, v);
        } else {
            project(summary, true);
        }
        int nb = prepared.blocks();
        if (memory instanceof RetrievalMemory rm && rm.normsMissing) {
            rm.computeNorms(projections::keyOf);                   // restored: the held keys' norms, for the novelty
        }
        memory.append(ln, k, v);
        if (memory instanceof LinearMemory linear) {
            if (reverseSummary != null) {
                throw new IllegalStateException("global mode LINEAR has no entries for a reverse-strand query");
            }
            double self = linear.attend(q, g);
            return result(b, start, end, summary, TopK.NO_ENTRIES, self, 0.0, 0.0);
        }
        RetrievalMemory retrieval = memory instanceof RetrievalMemory rm ? rm : null;
        int sketched = 0;                                  // entries [own, own + sketched): sketch candidates
        if (retrieval != null) {
            retrieval.hier.collect(entries);
            retrieval.shareStore(entries);
            if (retrieval.sketched()) {
                sketched = addCandidates(retrieval, row, reverseSummary);
            }
            retrieval.shareExemplars(entries);              // the exemplars read in place, not copied
        } else {
            memory.collect(entries);
        }

        int m = entries.size;
        int own = entries.copied();                        // entries [own, m) are rows of the shared store
        boolean both = reverseSummary != null;
        int total = both ? 2 * m : m;                      // scores: [0, m) forward query, [m, 2m) reverse
        if (p.length < total) {
            p = new double[Math.max(total, 2 * p.length)];
        }
        kernels.entryDots(q, entries.keys, own, d, p);     // p[e] = q·k̄_e
        if (sketched > 0) {
            double[] kd = novelty.dots(m);
            System.arraycopy(retrieval.found.q, 0, p, own, sketched);
            System.arraycopy(retrieval.found.k, 0, kd, own, sketched);
        }
        if (own + sketched < m) {
            // p[e] and novelty.dots[e] = k_b·k̄_e for the exemplars: x_e·(W_gk q), x_e·(W_gk k_b)
            if (sketched == 0) {                            // else addCandidates set them
                if (row >= 0) {
                    prepared.xSpace(row, qx, kx);
                } else {
                    projections.toXSpace(q, qx);
                    projections.toXSpace(k, kx);
                }
            }
            retrieval.exemplarDots(entries, qx, kx, p, novelty.dots(m), own + sketched, row,
                    row < 0 ? -1 : nb + row);
        }
        if (both) {
            if (pr.length < m) {
                pr = new double[p.length];
            }
            if (row >= 0) {
                prepared.reverseQuery(row, q);
            } else {
                project(reverseSummary, false);             // q'_b into q
            }
            kernels.entryDots(q, entries.keys, own, d, pr);  // pr[e] = q'·k̄_e
            if (sketched > 0) {
                System.arraycopy(retrieval.found.r, 0, pr, own, sketched);
            }
            if (own + sketched < m) {
                if (row >= 0) {
                    prepared.reverseXSpace(row, qx);
                } else {
                    projections.toXSpace(q, qx);
                }
                retrieval.exemplarDots(entries, qx, null, pr, null, own + sketched, row < 0 ? -1 : 2 * nb + row,
                        -1);
            }
            System.arraycopy(pr, 0, p, m, m);
        }
        double entropy = softmax.apply(p, entries, b, m, total, d);
        int self = softmax.self();
        Arrays.fill(g, 0);
        double[] weights = p;
        if (both) {
            for (int e = 0; e < m; e++) {
                pr[e] = p[e] + p[m + e];                    // an entry's weight from both queries
            }
            weights = pr;
        }
        kernels.weightedSum(weights, entries.values, own, d, g);    // g = Σ p_e v̄_e, in order of e
        if (sketched > 0) {                                 // the candidates' Σ p_e x̂_e, while their codes are held
            retrieval.sketchSum(weights, own, sketched, gxc);
        }
        if (own < m && deferred == null) {                  // the exemplars: g += (Σ p_e x_e + Σ p_e x̂_e)·W_gv
            Arrays.fill(gx, 0);
            SharedRows.weightedSumBest(weights, own + sketched, entries.sharedValues, entries.row, sketched,
                    m - own - sketched, d, gx);
            addSketchSum(sketched, gxc, gx);
            projections.addExemplarValues(gx, g);
        }
        TopEntry[] top = topK.select(p, entries, cfg.topK(), total, m, self, both);
        double selfWeight = p[self];
        double novel = own == m ? novelty.of(k, entries.keys, m, self) : novelty.shared(k, entries, own, m, self);
        if (deferred != null) {                             // stepBlocks: the exemplars' sum at the chunk's end
            deferred.keep(weights, own + sketched, m, entries, retrieval);
            pending.add(new Pending(b, start, end, summary, top, selfWeight, entropy, novel, g.clone(),
                    sketched > 0 ? gxc.clone() : null));
            return null;
        }
        return result(b, start, end, summary, top, selfWeight, entropy, novel);
    }

    /**
     * RETRIEVAL's sketch candidates of the block just appended ({@link RetrievalMemory#sketchCandidates}), as entries
     * right after the hierarchical ones (c = 1, level 0): their dots with q (and k, q') are x̂_j·(W_gk q) =
     * q·(x̂_j W_gk), computed from the codes; returns how many. Sets qx and kx (and qxr).
     */
    private int addCandidates(RetrievalMemory retrieval, int row, float[] reverseSummary) {
        if (row >= 0) {
            prepared.xSpace(row, qx, kx);
        } else {
            projections.toXSpace(q, qx);
            projections.toXSpace(k, kx);
        }
        if (reverseSummary != null) {
            if (row >= 0) {
                prepared.reverseXSpace(row, qxr);
            } else {
                System.arraycopy(q, 0, saved, 0, d);
                project(reverseSummary, false);             // q'_b into q
                projections.toXSpace(q, qxr);
                System.arraycopy(saved, 0, q, 0, d);
            }
        }
        int n = retrieval.sketchCandidates(qx, kx, reverseSummary == null ? null : qxr, projections::keyOf);
        entries.addSketchRun(n, RetrievalMemory.EXEMPLAR_LEVEL, retrieval.found.blocks, retrieval.found.norms);
        return n;
    }

    /**
     * Every mode: the nb blocks of one chunk, in order, as nb {@link #step}s would give them, bit for bit (FULL:
     * {@link #stepChunk}). With a RETRIEVAL memory the exemplars' weighted sums of all nb blocks are added at the end
     * in one pass over the store ({@link ExemplarSums}) instead of one pass per block. {@link #chunkDelta} gives each
     * block's g_b·W_go.
     *
     * @param summaries s [nb, d], the chunk's blocks in order, the first one block {@code memory.nextBlock()}
     * @param reverse   s' [nb, d] ({@link io.longseq.math.model.Strand#BOTH}) or null
     */
    // s [nb, d] (+ s' [nb, d]) + memory -> nb BlockResults (memory now includes them); deltas [nb, d] kept
    public BlockResult[] stepBlocks(BlockMemory memory, float[] summaries, float[] reverse, int nb, long[] starts,
                                    long[] ends) {
        if (memory instanceof FullMemory full) {
            return stepChunk(full, summaries, reverse, nb, starts, ends);
        }
        prepareChunk(memory, summaries, reverse, nb);
        BlockResult[] out = new BlockResult[nb];
        float[] deltas = new float[nb * d];
        RetrievalMemory retrieval = memory instanceof RetrievalMemory rm ? rm : null;
        if (retrieval != null) {
            deferred = exemplarSums;
            exemplarSums.begin(retrieval);
            pending.clear();
        }
        try {
            for (int i = 0; i < nb; i++) {
                float[] s = Arrays.copyOfRange(summaries, i * d, (i + 1) * d);                       // [d]
                float[] r = reverse == null ? null : Arrays.copyOfRange(reverse, i * d, (i + 1) * d); // [d]
                out[i] = step(memory, starts[i], ends[i], s, r);
                if (out[i] != null) {
                    System.arraycopy(delta, 0, deltas, i * d, d);
                }
            }
            if (retrieval != null) {
                if (chunkGx.length < nb * d) {
                    chunkGx = new double[nb * d];
                }
                exemplarSums.sums(retrieval, chunkGx);
                for (int i = 0; i < nb; i++) {
                    Pending at = pending.get(i);
                    System.arraycopy(at.g, 0, g, 0, d);
                    if (exemplarSums.has(i) || at.sketchSum != null) {
                        if (exemplarSums.has(i)) {
                            System.arraycopy(chunkGx, i * d, gx, 0, d);
                        } else {
                            Arrays.fill(gx, 0);
                        }
                        addSketchSum(at.sketchSum == null ? 0 : 1, at.sketchSum, gx);
                        projections.addExemplarValues(gx, g);
                    }
                    out[i] = result(at.block, at.start, at.end, at.summary, at.top, at.self, at.entropy, at.novelty);
                    System.arraycopy(delta, 0, deltas, i * d, d);
                }
            }
        } finally {
            deferred = null;
            pending.clear();
            if (retrieval != null) {
                retrieval.evicted.stop();
            }
        }
        chunkDeltas = deltas;
        return out;
    }

    // a block of stepBlocks waiting for its exemplars' sum: all of its result but that, and g without it
    private record Pending(long block, long start, long end, float[] summary, TopEntry[] top, double self,
                           double entropy, double novelty, double[] g, double[] sketchSum) {}

    // gx [d] += the candidates' Σ p_e x̂_e [d] when there were any (sketched > 0): the same adds on every path
    private void addSketchSum(int sketched, double[] sketchSum, double[] gx) {
        if (sketched > 0) {
            for (int c = 0; c < d; c++) {
                gx[c] += sketchSum[c];
            }
        }
    }

    /**
     * Optional, before the {@link #step}s of one chunk's blocks: with a RETRIEVAL memory (and the Vector API) projects
     * the nb blocks of summaries s [nb, d] (and s' [nb, d], or null) and scores their queries and keys against the
     * held exemplars at once ({@link RetrievalMemory#primeDots}), so the store is read once per chunk instead of once
     * per block; each {@link #step} of these blocks, in order, with the same summaries, takes its projections and dots
     * from there: the same bits. Otherwise, or for any other step, nothing changes.
     */
    // s [nb, d] (+ s' [nb, d]) -> q, k, v (+ q') [nb, d]; their dots with the held keys, kept in the memory
    public void prepareChunk(BlockMemory memory, float[] summaries, float[] reverse, int nb) {
        prepared.prepare(this, memory, summaries, reverse, nb);
    }

    /**
     * FULL mode, all blocks of one chunk at once (docs/design.md 2.5): their keys and values join the memory, then
     * the scores of all their queries (and reverse-strand queries) against the memory are one product Q·Kᵀ and
     * their contexts' weighted sums one product W·V ({@link ChunkProducts}, float tiles), each reading the memory
     * once per chunk. Every block's result depends on its own inputs and the memory only, not on how many blocks
     * share the chunk: {@link #step} on a FULL memory is this with one block.
     *
     * @param summaries s [nb, d], the chunk's blocks in order, the first one block {@code memory.nextBlock()}
     * @param reverse   s' [nb, d] ({@link io.longseq.math.model.Strand#BOTH}) or null
     * @param starts    [nb] first position of each block
     * @param ends      [nb] one past its last position
     */
    // s [nb, d] (+ s' [nb, d]) + memory -> nb BlockResults (memory now includes them); deltas [nb, d] kept
    public BlockResult[] stepChunk(FullMemory memory, float[] summaries, float[] reverse, int nb, long[] starts,
                                   long[] ends) {
        long base = memory.nextBlock();
        boolean both = reverse != null;
        int nq = both ? 2 * nb : nb;
        // [padded(nq + nb), d] forward queries, reverse ones, the keys (when not the same), zero rows (ChunkProducts)
        float[] qs = new float[ChunkProducts.padded(nq + nb) * d];
        float[] s = new float[d];
        for (int i = 0; i < nb; i++) {
            System.arraycopy(summaries, i * d, s, 0, d);
            project(s, true);
            System.arraycopy(q, 0, qs, i * d, d);
            memory.append(ln, k, v);
            if (both) {
                System.arraycopy(reverse, i * d, s, 0, d);
                project(s, false);
                System.arraycopy(q, 0, qs, (nb + i) * d, d);
            }
        }
        int m = (int) memory.nextBlock();
        // the novelty needs the blocks' own keys' dots k_b·k̄_e: the rows of their queries when each key is its query
        // bit for bit (W_gk = W_gq, as the seeded init has it: the same dots), else nb more rows of the product
        boolean keysAreQueries = ChunkProducts.sameRows(qs, memory.keys(), (int) base * d, nb * d);
        int rows = keysAreQueries ? nq : nq + nb;
        int keyRow = keysAreQueries ? 0 : nq;               // the row of block i's key dots: keyRow + i
        if (!keysAreQueries) {
            System.arraycopy(memory.keys(), (int) base * d, qs, nq * d, nb * d);
        }
        int padded = ChunkProducts.padded(rows);
        if (chunkScores.length < padded * m) {
            chunkScores = new double[Math.max(padded * m, 2 * chunkScores.length)];
        }
        // [padded(rows), m]: the queries' scores (then rows [0, nb) the blocks' weights), unless the same the keys' dots
        double[] scores = chunkScores;
        ChunkProducts.scores(qs, rows, memory, m, d, scores);
        double[] keySquares = memory.keySquares(m);        // [m] |k̄_e|²
        entries.fullRange(m);
        BlockResult[] out = new BlockResult[nb];
        TopEntry[][] tops = new TopEntry[nb][];
        double[] self = new double[nb];
        double[] entropy = new double[nb];
        double[] novel = new double[nb];
        for (int i = 0; i < nb; i++) {
            int mi = (int) base + i + 1;                    // block base + i sees blocks 0..base + i, itself last
            novel[i] = Novelty.of(scores, (keyRow + i) * m, keySquares[mi - 1], keySquares, mi, mi - 1);
            if (!both) {                                    // the row becomes the block's weights in place
                entropy[i] = ChunkProducts.unitSoftmax(scores, i * m, mi, d);   // fullRange: every count is 1
                tops[i] = topK.select(scores, i * m, entries, cfg.topK(), mi, mi, mi - 1, false);
                self[i] = scores[i * m + mi - 1];
                continue;
            }
            int total = 2 * mi;                             // one softmax over both queries' scores
            if (p.length < total) {
                p = new double[Math.max(total, 2 * p.length)];
            }
            System.arraycopy(scores, i * m, p, 0, mi);
            System.arraycopy(scores, (nb + i) * m, p, mi, mi);
            entropy[i] = ChunkProducts.unitSoftmax(p, total, d);
            tops[i] = topK.select(p, entries, cfg.topK(), total, mi, mi - 1, true);
            self[i] = p[mi - 1];
            for (int e = 0; e < mi; e++) {
                scores[i * m + e] = p[e] + p[mi + e];       // an entry's weight from both queries
            }
        }
        double[] gs = new double[ChunkProducts.padded(nb) * d];    // [padded(nb), d], rows past nb scratch
        ChunkProducts.weightedSums(scores, nb, m, base, memory.values(), d, gs);
        chunkDeltas = new float[nb * d];
        for (int i = 0; i < nb; i++) {
            System.arraycopy(gs, i * d, g, 0, d);
            System.arraycopy(summaries, i * d, s, 0, d);
            out[i] = result(base + i, starts[i], ends[i], s, tops[i], self[i], entropy[i], novel[i]);
            System.arraycopy(delta, 0, chunkDeltas, i * d, d);
        }
        return out;
    }

    /** g_b·W_go of block i of the last {@link #stepChunk} or {@link #stepBlocks} [d]. */
    public float[] chunkDelta(int i) {
        return Arrays.copyOfRange(chunkDeltas, i * d, (i + 1) * d);
    }

    // summary s [d] -> LN_g(s) -> q [d] (and, when keys, k and v [d])
    void project(float[] summary, boolean keys) {
        projections.project(summary, ln, q, keys ? k : null, v);
    }

    // s_b [d] + g_b [d] (in g) -> BlockResult with c_b = s_b + g_b·W_go; also sets delta
    private BlockResult result(long b, long start, long end, float[] summary, TopEntry[] top, double selfWeight,
                               double entropy, double novelty) {
        projections.out(g, delta);
        float[] context = new float[d];
        for (int c = 0; c < d; c++) {
            context[c] = summary[c] + delta[c];
        }
        return new BlockResult(b, start, end, summary.clone(), context, top, (float) selfWeight, (float) entropy,
                (float) novelty);
    }

    /** g_b·W_go of the last {@link #step}: the per-token output is u_i = z_i + this (docs/design.md 2.6). */
    public float[] lastDelta() {
        return delta.clone();
    }
}
