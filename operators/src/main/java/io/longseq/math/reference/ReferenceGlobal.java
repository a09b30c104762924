package io.longseq.math.reference;

import static io.longseq.math.reference.ReferenceMath.layerNorm;
import static io.longseq.math.reference.ReferenceMath.softmax;
import static io.longseq.math.reference.ReferenceMath.vecMat;

import io.longseq.math.model.BlockResult;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.model.Strand;
import io.longseq.math.model.TopEntry;
import io.longseq.math.weights.Weights;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The global tier of {@link ReferenceModel} (docs/design.md 2.5, 2.6): block-level attention over the entries each
 * global mode gives a block ({@link ReferenceEntries}), recomputed from the definitions for every block, in double.
 */
final class ReferenceGlobal {

    private final ModelConfig cfg;
    private final Weights w;
    private final SketchCodes given;     // the sketch codes to use, or null: the reference's own

    ReferenceGlobal(ModelConfig cfg, Weights w) {
        this(cfg, w, null);
    }

    ReferenceGlobal(ModelConfig cfg, Weights w, SketchCodes given) {
        this.cfg = cfg;
        this.w = w;
        this.given = given;
    }

    // ------------------------------------------------------------------------------------------------
    // Global tier (docs/design.md 2.5, 2.6)
    // ------------------------------------------------------------------------------------------------

    /**
     * As {@link ReferenceModel#global(double[][], int)}; with reverse-strand summaries ({@link Strand#BOTH}) each block's second
     * query q'_b = LN_g(s'_b)·W_gq scores the same entries, and one softmax runs over the 2M scores; an entry's
     * value gets the sum of its two weights; the block itself is left out of top-K on both strands. The sequence's
     * seed σ = {@code sequenceSeed} picks BIGBIRD's random blocks.
     *
     * @param reverse s' [blocks][d] or null (forward only)
     */
    List<BlockResult> global(double[][] summaries, double[][] reverse, int n, long sequenceSeed) {
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
        double[][] x = new double[blocks][]; // [blocks, d] LN_g(s_b)
        for (int b = 0; b < blocks; b++) {
            double[] a = layerNorm(summaries[b], w.lngGain, w.lngBias); // [d]
            x[b] = a;
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
        // RETRIEVAL's sketch tier: every block's code, its query's (and reverse query's) code
        boolean sketched = bucketOf != null && cfg.retrievalSketches() > 0;
        ReferenceSketch sketch = sketched ? new ReferenceSketch(d, cfg.retrievalSeed()) : null;
        long[][] codes = new long[sketched ? blocks : 0][];      // [blocks, D/64]
        long[][] queryCodes = new long[sketched ? blocks : 0][]; // [blocks, D/64]
        long[][] reverseCodes = new long[sketched && qr != null ? blocks : 0][];
        for (int b = 0; sketched && b < blocks; b++) {
            codes[b] = given != null ? given.block(b) : sketch.encode(x[b]);
            queryCodes[b] = given != null ? given.query(b) : sketch.encode(xSpace(q[b]));
            if (qr != null) {
                reverseCodes[b] = sketch.encode(xSpace(qr[b]));
            }
        }

        List<BlockResult> out = new ArrayList<>(blocks);
        for (int b = 0; b < blocks; b++) {
            // M × {level, first, lastInclusive[, stride]}; one of them is {1, b, b}, the block itself
            List<long[]> entries = bucketOf != null ? retrievalEntries(b, bucketOf) : entriesFor(b, sequenceSeed);
            if (sketched) {
                List<Long> held = ReferenceEntries.retrievalHeld(b, bucketOf, cfg.retrievalSlots(), cfg.retrievalRecent(),
                        cfg.retrievalSeed());
                long s1 = Math.max(0, cfg.group() * Math.floorDiv(b - cfg.recent() + 1, (long) cfg.group()));
                entries.addAll(ReferenceEntries.sketchCandidates(Math.max(0, b + 1L - cfg.retrievalSketches()), s1,
                        codes, queryCodes[b], qr == null ? null : reverseCodes[b], cfg.retrievalCandidates(), held));
            }
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
                if (e.length == 5) {
                    // a sketch candidate: its estimate x̂ from the code and ‖x‖, projected as a block's x is
                    double[] xHat = sketch.decode(codes[first], norm(x[first]));
                    System.arraycopy(vecMat(xHat, w.gWk, d, d), 0, kbar, 0, d);
                    vbar[m] = vecMat(xHat, w.gWv, d, d);
                } else if (stride == 1) {
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
            float[] summary = toFloat(summaries[b]);
            float[] context = context(summaries[b], g, w, d);

            int self = -1;
            double entropy = 0;
            List<TopEntry> others = new ArrayList<>(mCount);
            Map<TopEntry, Long> countOf = new IdentityHashMap<>();   // an entry's blocks c
            for (int m = 0; m < p.length; m++) {
                long[] e = entries.get(m % mCount);
                byte strand = qr == null ? TopEntry.UNSTATED : m < mCount ? TopEntry.FORWARD : TopEntry.REVERSE;
                if (e[0] == 1 && e[1] == b && e[2] == b) {
                    self = m < mCount ? m : self;
                } else {
                    TopEntry t = new TopEntry((int) e[0], e[1], e[2], (float) p[m], strand);
                    others.add(t);
                    countOf.put(t, (e[2] - e[1]) / (e.length > 3 ? e[3] : 1) + 1);   // e[3]: an axial column's stride
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
            // Sort by the weight per block (the reported weight over the entry's blocks), descending; equal ones go to
            // the lower first block.
            others.sort(Comparator.comparingDouble((TopEntry t) -> -(double) t.weight() / countOf.get(t))
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

    // a [d] -> W_gk·a [d]: a vector in x-space, whose dot with x_j is a·k_j
    private double[] xSpace(double[] a) {
        int d = a.length;
        double[] out = new double[d];
        for (int i = 0; i < d; i++) {
            double s = 0;
            for (int c = 0; c < d; c++) {
                s += w.gWk[i * d + c] * a[c];
            }
            out[i] = s;
        }
        return out;
    }

    private static double norm(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v * v;
        }
        return Math.sqrt(s);
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
            float[] summary = toFloat(summaries[b]);
            float[] context = context(summaries[b], g, w, d);
            long start = (long) b * bs;
            long end = Math.min((long) (b + 1) * bs, n);
            out.add(new BlockResult(b, start, end, summary, context, new TopEntry[0], (float) (weight[b] / total),
                    0f, 0f));
        }
        return out;
    }

    // s_b [d], g_b [d] -> c_b = s_b + g_b·W_go [d], rounded to float
    private static float[] context(double[] s, double[] g, Weights w, int d) {
        double[] go = vecMat(g, w.gWo, d, d); // [d]
        float[] context = new float[d];
        for (int col = 0; col < d; col++) {
            context[col] = (float) (s[col] + go[col]);
        }
        return context;
    }

    static float[] toFloat(double[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) x[i];
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
}
