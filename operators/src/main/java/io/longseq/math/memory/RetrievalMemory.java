package io.longseq.math.memory;

import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import java.util.Arrays;
import java.util.function.BiConsumer;

/**
 * RETRIEVAL mode ({@link GlobalMode#RETRIEVAL}): the hierarchical partition of {@link HierarchicalMemory}, plus a
 * bounded store of exemplar blocks, each kept whole, so a far block that resembles the current one can be named
 * exactly. An exemplar is its index and x_j = LN_g(s_j) [d], the input of its projections: k_j = x_j·W_gk and
 * v_j = x_j·W_gv are never stored, so it takes d floats instead of 2d. {@link GlobalTier} scores it as
 * q·k_j = x_j·(W_gk q) and sums Σ p_j v_j = (Σ p_j x_j)·W_gv (docs/design.md 2.5).
 *
 * <p>Store: 2^k content buckets (k = {@code retrievalBits}); block j goes to the bucket of the signs of its
 * centred key against k seeded Gaussian hyperplanes (bit i = 1 when Σ_c P[i, c]·(k_j[c] − k̄_j[c]) &gt; 0, summed in
 * double in order of c, k̄_j the mean key of blocks 0..j; P [k, d] as LINEAR mode's ω with {@code retrievalSeed}). A bucket holds at most E = {@code retrievalSlots}
 * blocks: the newest E_r = {@code retrievalRecent} of its members, and among its older members the E − E_r with the
 * smallest priority π(j) = SplitMix64(seed + (j+1)·γ) (unsigned). So the held set is a function of the blocks so far
 * alone, and a block once evicted never comes back; the buckets keep the store's content diverse (a run of similar
 * blocks competes within one bucket) and the reservoir keeps far blocks for any distance.
 *
 * <p>Sketch tier ({@code retrievalSketches} = S &gt; 0, {@link SketchRing}): each of the newest S blocks also as
 * D sign bits of a seeded rotation of x_j and ‖x_j‖, 36 bytes at d = 128, so a far block evicted from the store can
 * still be found: {@link #sketchCandidates} gives the M whose codes are nearest the block's query, as estimates
 * x̂_j (GlobalTier projects them).
 *
 * <p>Entries of block b: the hierarchical ones of [0, b] (prefix, levels H..1: they tile [0, b]), its sketch
 * candidates (copied, oldest first), then every held exemplar j older than level 1 (j &lt; s₁), each an entry of
 * c = 1 with level 0, bucket by bucket, oldest first. An exemplar is also inside the mean of the coarse entry that
 * covers it.
 *
 * <p>State: the hierarchical state plus, per bucket, its held blocks (index, x): at most 2^k·E·(d floats + 1 long),
 * whatever n is. {@link MemoryState} layout: counts = hierarchical counts [H] ++ bucket fills [2^k]; firsts =
 * hierarchical firsts [H] ++ held block indices (bucket by bucket, each at its place in the bucket's run); keys =
 * hierarchical [H, R+G, d] ++ held x [Σ fills, d]; values = hierarchical [H, R+G, d]; prefixKeySum = hierarchical
 * [d] ++ Σ k over all blocks [d]; prefixValueSum and prefixCount as hierarchical; the sketches' codes after the
 * held indices in firsts and their norms after the hierarchical values ({@link RetrievalState}). A chunk that grows no bucket
 * rewrites only what it changed, in place ({@link RetrievalState}, {@link #toBytes(byte[])}). The held keys' squared
 * norms (the novelty's) are not state: after a restore {@link GlobalTier} recomputes them ({@link #computeNorms}).
 */
public final class RetrievalMemory extends BlockMemory {

    /** The level reported for an exemplar entry (a single block, not part of the partition). */
    public static final int EXEMPLAR_LEVEL = 0;

    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    HierarchicalMemory hier;
    private final int r;
    private final int g;
    private final int bits;
    final int buckets;                 // 2^k
    final int slots;                   // E
    private final int recent;          // E_r
    private final long seed;
    private final float[] planes;      // [k, d] hyperplanes
    final int[] fill;                  // [2^k] held blocks per bucket
    final long[] index;                // [2^k, E] held block indices, ascending within a bucket
    final float[] xs;                  // [2^k, E, d] (+ PAD floats) held x_j = LN_g(s_j)
    // [2^k, E] where each held block sits in its bucket's run of the state (RetrievalState): a block evicted from a
    // full bucket leaves its place there to the block that replaces it, so a chunk rewrites only its new blocks' places
    final int[] place;
    // [2^k, E] ‖k_j‖² of each held block's key (Σ_c k[c]², double, in order of c), not state: NaN after a restore
    // until computeNorms
    final double[] norms;
    boolean normsMissing;              // some held norm is NaN (restored)
    // the held x again, column-major per bucket, for the vector dots (not state): [2^k, d, stride], column c of
    // slot s of bucket bk at (bk·d + c)·stride + s; null without the Vector API
    private final int stride;
    private final float[] xT;
    final int[] eligible;              // [2^k] per bucket, its first slots older than level 1 (set by collectShared)
    final double[] keySum;             // [d] Σ_{j' ≤ j} k_j', the running key mean's numerator
    // the sketch tier: every one of the newest S blocks as D sign bits and its norm (null when S = 0)
    final SketchRing sketches;
    final SketchCandidates found;      // a block's sketch candidates (null when S = 0)
    private int lastBucket = -1;       // the bucket of the newest block (tests)
    private final PrimedDots primed = new PrimedDots();   // a chunk's dots with the held x (primeDots), not state
    private final float[] dotScratch = new float[2 * SharedRows.PAD];     // [2 × float lanes] of columnDots
    // while a chunk's exemplar sums wait (ExemplarSums), the x rows evicted since, so they can still be summed; not state
    final EvictedRows evicted;
    // changes since the state bytes `base` were written or read (RetrievalState.write): the places rewritten
    // (bk·E + place) or, when a bucket grew or more places changed than `changed` holds, all of it
    byte[] base;
    long baseNext;                     // nextBlock when `base` was written or read
    final int[] changed = new int[64];
    int changes;
    boolean regrown = true;

    RetrievalMemory(ModelConfig cfg) {
        super(cfg.dModel());
        hier = new HierarchicalMemory(cfg);
        r = cfg.recent();
        g = cfg.group();
        bits = cfg.retrievalBits();
        buckets = 1 << bits;
        slots = cfg.retrievalSlots();
        recent = cfg.retrievalRecent();
        seed = cfg.retrievalSeed();
        planes = LinearMemory.randomFeatures(seed, bits, d);
        fill = new int[buckets];
        index = new long[buckets * slots];
        xs = new float[buckets * slots * d + SharedRows.PAD];   // padded for the vector weighted sum
        norms = new double[buckets * slots];
        place = new int[buckets * slots];
        stride = SharedRows.stride(slots);
        xT = SharedRows.VECTOR && VectorSharedRows.fits(d, stride) ? new float[buckets * d * stride + SharedRows.PAD] : null;
        eligible = new int[buckets];
        keySum = new double[d];
        evicted = new EvictedRows(d);
        sketches = cfg.retrievalSketches() > 0 ? new SketchRing(d, seed, cfg.retrievalSketches()) : null;
        found = sketches == null ? null
                : new SketchCandidates(d, cfg.retrievalCandidates(), sketches.sketch.dim, sketches.words);
    }

    /**
     * The bucket of key k [d] of block {@code nextBlock}, once its key is in {@link #keySum}: bit i set when
     * P_i·(k − k̄) &gt; 0, with k̄ the mean key of blocks 0..nextBlock (centred, so a direction all keys share does
     * not put them all in one bucket).
     */
    int bucket(float[] k) {
        int b = 0;
        double count = nextBlock + 1;
        for (int i = 0; i < bits; i++) {
            double dot = 0;
            int row = i * d;
            for (int c = 0; c < d; c++) {
                dot += (double) planes[row + c] * (k[c] - keySum[c] / count);
            }
            if (dot > 0) {
                b |= 1 << i;
            }
        }
        return b;
    }

    /** π(j): the reservoir priority of block j (smaller, unsigned, stays longer). */
    static long priority(long seed, long j) {
        return LinearMemory.mix(seed + (j + 1) * GAMMA);
    }

    @Override
    protected void add(float[] k, float[] v) {
        throw new IllegalArgumentException("a RETRIEVAL memory keeps each block's x = LN_g(s_b): append(x, k, v)");
    }

    // x_b [d], k_b [d], v_b [d] -> the partition, and the newest slot of its bucket (evicting one older member when full)
    @Override
    protected void add(float[] x, float[] k, float[] v) {
        if (x == null) {
            add(k, v);
        }
        hier.append(k, v);
        for (int c = 0; c < d; c++) {
            keySum[c] += k[c];
        }
        int bk = bucket(k);
        lastBucket = bk;
        int base = bk * slots;
        int n = fill[bk];
        if (n == slots) {
            // the reservoir part is the n − E_r oldest slots (the newest block joins the recent part, pushing its
            // oldest member into the reservoir); drop the reservoir member with the largest priority
            // (E_r ≥ 1, so the new block itself is never a candidate; E_r = E is plain recency: slot 0 goes)
            int older = n - recent;            // the candidates are slots [0, older]
            int evict = 0;
            long worst = priority(seed, index[base]);
            for (int s = 1; s <= older; s++) {
                long p = priority(seed, index[base + s]);
                if (Long.compareUnsigned(p, worst) > 0) {
                    evict = s;
                    worst = p;
                }
            }
            evicted.keep(bk, index[base + evict], xs, (base + evict) * d);
            System.arraycopy(index, base + evict + 1, index, base + evict, n - evict - 1);
            System.arraycopy(xs, (base + evict + 1) * d, xs, (base + evict) * d, (n - evict - 1) * d);
            System.arraycopy(norms, base + evict + 1, norms, base + evict, n - evict - 1);
            int freed = place[base + evict];
            System.arraycopy(place, base + evict + 1, place, base + evict, n - evict - 1);
            place[base + n - 1] = freed;
            changed(base + freed);
            if (xT != null) {
                for (int c = 0, col = bk * d * stride; c < d; c++, col += stride) {
                    System.arraycopy(xT, col + evict + 1, xT, col + evict, n - evict - 1);
                }
            }
            n--;
        } else {
            place[base + n] = n;   // a bucket that never was full holds its blocks in order
            regrown = true;
        }
        index[base + n] = nextBlock;
        if (sketches != null) {
            if (nextBlock < sketches.capacity) {
                regrown = true;            // the ring still grows: the state's length changes
            }
            sketches.append(nextBlock, x, 0);
        }
        System.arraycopy(x, 0, xs, (base + n) * d, d);
        norms[base + n] = squaredNorm(k, 0, d);
        transpose(bk, n);
        fill[bk] = n + 1;
    }

    // place bk·E + p of the state is to be rewritten
    private void changed(int at) {
        if (changes < changed.length) {
            changed[changes++] = at;
        } else {
            regrown = true;
        }
    }

    // slot s of bucket bk from xs into xT
    void transpose(int bk, int s) {
        if (xT != null) {
            int from = (bk * slots + s) * d;
            for (int c = 0, col = bk * d * stride + s; c < d; c++, col += stride) {
                xT[col] = xs[from + c];
            }
        }
    }

    /**
     * Sets the squared norm ‖k_j‖² of every held block whose norm is not known (after a restore), k_j = keyOf(x_j):
     * the key its block had when added, given the same projection, so the same norm.
     */
    // keyOf: x [d] -> k [d]
    void computeNorms(BiConsumer<float[], float[]> keyOf) {
        float[] x = new float[d];
        float[] k = new float[d];
        for (int bk = 0; bk < buckets; bk++) {
            for (int s = bk * slots; s < bk * slots + fill[bk]; s++) {
                if (Double.isNaN(norms[s])) {
                    System.arraycopy(xs, s * d, x, 0, d);
                    keyOf.accept(x, k);
                    norms[s] = squaredNorm(k, 0, d);
                }
            }
        }
        normsMissing = false;
    }

    /**
     * The dots of every row of vecs [rows, d] (vectors in x-space: W_gk·q for a query q, so a dot is q·k_j) with every
     * held x_j, kept for {@link #exemplarDots} (by place, with the
     * block each place holds now, so the blocks appended until then cannot be mistaken for the ones scored). With
     * the Vector API only (else nothing is kept); the bits of {@link VectorSharedRows#columnDots}, but the store is read
     * once for all rows ({@link VectorSharedRows#tileDots}) instead of once per block.
     */
    void primeDots(float[] vecs, int rows) {
        primed.prime(this, xT, stride, vecs, rows);
    }

    /**
     * The dots of q (and, when not null, k) with the exemplar entries' x_j {@link #collectShared} gave, in its order, into
     * qDots and kDots from {@code at}: from rows qRow and kRow of {@link #primeDots} when they are there (−1: not
     * primed), else from the column-major copy with the Vector API ({@link VectorSharedRows}), else through the
     * entries' rows ({@link SharedRows}); the same bits every way ({@link SharedRows#dot}). q and k are in x-space
     * (W_gk·q, W_gk·k_b: a dot with x_j is then q·k_j, k_b·k_j).
     */
    // q [d], k [d] or null -> qDots [at, at + held'), kDots [at, at + held')
    void exemplarDots(MemoryEntries entries, float[] q, float[] k, double[] qDots, double[] kDots, int at, int qRow,
                      int kRow) {
        if (xT != null && primed.copyOut(this, eligible, qRow, kRow, k != null, qDots, kDots, at)) {
            return;
        }
        if (xT == null) {
            SharedRows.dots(q, k, xs, entries.row, entries.sketched, entries.size - entries.copied() - entries.sketched,
                    d, qDots, kDots, at);
            return;
        }
        for (int bk = 0; bk < buckets; bk++) {
            int n = eligible[bk];
            // a call per 16 slots: the JIT compiles a method to SIMD after ~2,400 calls (the Vector API runs ~100×
            // slower until then), so short calls shorten that phase
            for (int s0 = 0; s0 < n; s0 += SharedRows.STRIDE) {
                VectorSharedRows.columnDots(q, k, xT, bk * d * stride + s0, stride, Math.min(SharedRows.STRIDE, n - s0),
                        d, qDots, kDots, at + s0, dotScratch);
            }
            at += n;
        }
    }

    /** Σ_c x[off + c]² in double, in order of c: the sum {@link GlobalTier}'s novelty forms for an entry's key. */
    static double squaredNorm(float[] x, int off, int d) {
        double ee = 0;
        for (int c = 0; c < d; c++) {
            ee += (double) x[off + c] * x[off + c];
        }
        return ee;
    }

    @Override
    public void collect(MemoryEntries out) {
        hier.collect(out);
        if (nextBlock == 0) {
            return;
        }
        long s1 = HierarchicalMemory.levelOneStart(nextBlock - 1, r, g);
        for (int bk = 0; bk < buckets; bk++) {
            int base = bk * slots;
            for (int s = 0; s < fill[bk] && index[base + s] < s1; s++) {
                long j = index[base + s];
                out.add(xs, xs, (base + s) * d, 1, EXEMPLAR_LEVEL, j, j);   // x_j as key and value rows
            }
        }
    }

    /**
     * The same entries as {@link #collect}, in the same order, but the exemplars are not copied: they are rows of
     * this memory's store ({@link MemoryEntries#addSharedRun}), valid until the next {@link #append}. Either way an
     * exemplar's key and value rows are its x_j (GlobalTier projects them); its norm is ‖k_j‖².
     */
    void collectShared(MemoryEntries out) {
        hier.collect(out);
        shareStore(out);
        shareExemplars(out);
    }

    /** After the copied entries of {@code out}: the following ones are shared (sketch candidates, exemplars). */
    void shareStore(MemoryEntries out) {
        out.share(xs, xs, norms);
    }

    /**
     * The exemplar entries of {@link #collectShared}, after the entries already in {@code out} (the hierarchical
     * ones, then any sketch candidates, {@link MemoryEntries#addSketchRun}).
     */
    void shareExemplars(MemoryEntries out) {
        Arrays.fill(eligible, 0);
        if (nextBlock == 0) {
            return;
        }
        long s1 = HierarchicalMemory.levelOneStart(nextBlock - 1, r, g);
        for (int bk = 0; bk < buckets; bk++) {
            int base = bk * slots;
            int s = Arrays.binarySearch(index, base, base + fill[bk], s1);   // ascending: the blocks before s1
            s = (s < 0 ? -s - 1 : s) - base;
            out.addSharedRun(base, s, EXEMPLAR_LEVEL, index, base);
            eligible[bk] = s;
        }
    }

    /** Whether this memory keeps a sketch tier ({@code retrievalSketches} &gt; 0). */
    boolean sketched() {
        return sketches != null;
    }

    /**
     * The sketch candidates of the newest block b (appended last), given its query and key in x-space, u = W_gk·q_b
     * and k = W_gk·k_b [d] (and u' = W_gk·q'_b for a reverse-strand query, or null): of the blocks j in
     * [max(0, b + 1 − S), s₁(b)) (held as sketches, older than level 1), the M nearest to the query's code, less
     * those held whole ({@link SketchCandidates#find}: into {@link #found}). Returns how many.
     */
    // u, k [d] (+ u' [d]) -> found.blocks, found.q, found.k (found.r), found.norms [n]
    int sketchCandidates(float[] u, float[] k, float[] reverse, BiConsumer<float[], float[]> keyOf) {
        long b = nextBlock - 1;
        if (sketches == null || b < 0) {
            return 0;
        }
        long hi = HierarchicalMemory.levelOneStart(b, r, g);
        long lo = Math.max(0, b + 1 - sketches.capacity);
        return hi <= lo ? 0 : found.find(sketches, lo, hi, u, k, reverse, keyOf, this::isHeld);
    }

    /** gx [d] = Σ_i w[at + i]·x̂_i over the n candidates of the last {@link #sketchCandidates}. */
    void sketchSum(double[] w, int at, int n, double[] gx) {
        found.sum(sketches, w, at, n, gx);
    }

    /** Whether block j is held whole in some bucket. */
    boolean isHeld(long j) {
        for (int bk = 0; bk < buckets; bk++) {
            int base = bk * slots;
            if (fill[bk] > 0 && index[base] <= j && Arrays.binarySearch(index, base, base + fill[bk], j) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** The bucket the newest block went to (−1 before the first block, and after a restore). */
    int lastBucket() {
        return lastBucket;
    }

    /** Exemplars held now, at most 2^k·E. */
    public int held() {
        int n = 0;
        for (int f : fill) {
            n += f;
        }
        return n;
    }

    @Override
    public MemoryState toState() {
        return RetrievalState.toState(this);
    }

    /** The bytes of {@link #toState()}{@code .toBytes()}, written straight from the store. */
    @Override
    public byte[] toBytes() {
        return RetrievalState.write(this);
    }

    /**
     * The bytes of {@link #toBytes()}; when {@code previous} is the array this memory was last written to (by this
     * method) or read from ({@link #fromBytes}) and no bucket grew since, that array with only what changed rewritten
     * in place ({@link RetrievalState}).
     */
    @Override
    public byte[] toBytes(byte[] previous) {
        return RetrievalState.rewrite(this, previous);
    }

    static RetrievalMemory restore(ModelConfig cfg, MemoryState s) {
        return RetrievalState.restore(new RetrievalMemory(cfg), cfg, s);
    }
}
