package io.longseq.math.model;

import io.longseq.math.features.FeatureKind;
import java.io.Serializable;

/**
 * The model's shape and the streaming geometry it needs (docs/design.md sections 1 and 2), validated once.
 *
 * <p>Every check names the setting, the value it got and the range it allows, so a bad CLI flag or
 * config file is reported in terms the user wrote. Build one with {@link #builder()}; the defaults are
 * the "typical" column of docs/design.md section 1.
 *
 * @param featureKind what a position holds (DNA, token ids, log lines)
 * @param kmer        k of the DNA k-mers (DNA only)
 * @param vocabSize   embedding rows for TOKENS (ids must lie in [0, vocabSize)) and hash buckets for LOG;
 *                    for DNA the vocabulary is fixed at 4^k + 2 and this value is ignored
 * @param maxFeatures F: feature ids per position (1 for DNA and TOKENS; words per log line for LOG)
 * @param dModel      d, model width
 * @param heads       h, attention heads of the local tier; d/h must be even (RoPE rotates pairs)
 * @param window      w, local window radius
 * @param layers      L, stacked local layers
 * @param ffnDim      hidden width of each layer's GELU feed-forward network
 * @param causal      local attention sees i−w..i (true) or i−w..i+w (false)
 * @param blockSize   B, tokens per level-1 block
 * @param chunkSize   C, tokens per chunk, a multiple of B
 * @param pooling     how a block becomes its summary
 * @param globalMode  the memory of the global tier
 * @param recent      R, most recent entries kept per level (hierarchical)
 * @param group       G, entries merged into one at the next level (hierarchical)
 * @param levels      H, levels before the running-mean prefix (hierarchical)
 * @param maxBlocks   cap on blocks held in FULL mode; passing it is a clear error
 * @param topK        memory entries reported per block
 * @param linearFeatures m, positive random features of LINEAR mode (state m·d per sequence)
 * @param linearSeed  seed of LINEAR mode's random feature matrix ω [m, d] (see {@link GlobalMode#LINEAR})
 * @param localMode   the keys local attention reads: the sliding window (default) or the whole sequence
 *                    (see {@link LocalMode})
 * @param maxDensePositions cap on sequence length in local mode FULL, whose score matrix is n×n floats per
 *                    head; a longer sequence is a clear error
 * @param dilation    s, the stride between the keys of local mode DILATED (1..64; ignored by the other modes)
 * @param sinks       S, the first positions every query also sees in local mode SINKS (1..1024)
 * @param bigbirdWindow  global mode BIGBIRD: earlier neighbouring blocks each block attends to (0..1024)
 * @param bigbirdGlobal  global mode BIGBIRD: the first blocks of the sequence every block attends to (0..1024)
 * @param bigbirdRandom  global mode BIGBIRD: random earlier blocks per block (0..64), drawn from a reservoir of
 *                       4·bigbirdRandom (see {@link GlobalMode#BIGBIRD})
 * @param retrievalBits   k: RETRIEVAL mode's store has 2^k content buckets (0..12)
 * @param retrievalSlots  E: blocks held per bucket in RETRIEVAL mode (2^k·E ≤ {@link #MAX_RETRIEVAL_SLOTS})
 * @param retrievalRecent E_r: of a bucket's E slots, those kept for its newest members (1..E); the others are a
 *                        seeded reservoir of its older members
 * @param retrievalSeed   seed of RETRIEVAL mode's hyperplanes, reservoir priorities and sketch rotation (see
 *                        {@link GlobalMode#RETRIEVAL})
 * @param retrievalSketches S: RETRIEVAL mode also holds each of the newest S blocks as a sign sketch (0: none;
 *                        at most {@link #MAX_RETRIEVAL_SKETCHES})
 * @param retrievalCandidates M: sketch candidates a block attends to besides its exemplars (1..1024)
 * @param linformerRank    k, the projected length of each segment's keys and values in local mode LINFORMER (1..256)
 * @param linformerSegment P, the positions per segment in local mode LINFORMER (1..4096); chunkSize must be a
 *                         multiple of it in that mode
 * @param strand      DNA strands the global tier searches (see {@link Strand}); BOTH needs DNA, a bidirectional
 *                    local tier and local mode SLIDING or DILATED
 */
public record ModelConfig(
        FeatureKind featureKind,
        int kmer,
        int vocabSize,
        int maxFeatures,
        int dModel,
        int heads,
        int window,
        int layers,
        int ffnDim,
        boolean causal,
        int blockSize,
        int chunkSize,
        Pooling pooling,
        GlobalMode globalMode,
        int recent,
        int group,
        int levels,
        int maxBlocks,
        int topK,
        int linearFeatures,
        long linearSeed,
        LocalMode localMode,
        int maxDensePositions,
        int dilation,
        int sinks,
        int bigbirdWindow,
        int bigbirdGlobal,
        int bigbirdRandom,
        int retrievalBits,
        int retrievalSlots,
        int retrievalRecent,
        long retrievalSeed,
        int retrievalSketches,
        int retrievalCandidates,
        int linformerRank,
        int linformerSegment,
        Strand strand) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Largest k for DNA k-mers: 4^8 + 2 embedding rows of d floats is still small. */
    public static final int MAX_KMER = 8;

    /** Largest C/B in AXIAL mode: one grid row of C/B blocks (keys, values and column sums) is kept in state. */
    public static final int MAX_AXIAL_ROW = 1 << 16;

    /** Most attention sinks: each is one more key for every query. */
    public static final int MAX_SINKS = 1024;

    /** Largest dilation: with w = 64 and L = 1 its halo is already 4096 positions per side. */
    public static final int MAX_DILATION = 64;

    /** Largest maxDensePositions: local mode FULL's score matrix is then 4·65536² bytes = 16 GiB per head. */
    public static final int MAX_DENSE_POSITIONS = 1 << 16;

    /** Most exemplar blocks RETRIEVAL mode may hold per sequence (2^k·E): 32 MiB of LN_g(s) rows at d = 128. */
    public static final int MAX_RETRIEVAL_SLOTS = 1 << 16;
    /** Most blocks RETRIEVAL mode may hold as sketches per sequence: 37.7 MB of 256-bit codes and norms. */
    public static final int MAX_RETRIEVAL_SKETCHES = 1 << 20;
    /** Largest Linformer rank and segment: E and F [k, P] are then 4 MB each. */
    public static final int MAX_LINFORMER_RANK = 256;
    public static final int MAX_LINFORMER_SEGMENT = 4096;

    public ModelConfig {
        require(featureKind != null, "featureKind", "null", "one of DNA, TOKENS, LOG");
        require(pooling != null, "pooling", "null", "one of MEAN, ATTENTION, MAX, CONV");
        require(globalMode != null, "globalMode", "null", "one of HIERARCHICAL, FULL, LINEAR, AXIAL, BIGBIRD, RETRIEVAL");
        require(localMode != null, "localMode", "null", "one of SLIDING, DILATED, SINKS, LINFORMER, FULL");
        range("kmer", kmer, 1, MAX_KMER);
        range("vocabSize", vocabSize, 2, 1 << 24);
        range("maxFeatures", maxFeatures, 1, 256);
        if (featureKind != FeatureKind.LOG) {
            require(maxFeatures == 1, "maxFeatures", Integer.toString(maxFeatures),
                    "1 for " + featureKind + " (only LOG has several features per position)");
        }
        range("dModel", dModel, 2, 4096);
        if (featureKind != FeatureKind.DNA) {
            // The embedding table [vocabSize, dModel] is one float[]; vocabSize · dModel must fit a Java array.
            long maxVocab = (Integer.MAX_VALUE - 8L) / dModel;
            require((long) vocabSize <= maxVocab, "vocabSize", Integer.toString(vocabSize),
                    "at most " + maxVocab + " for dModel=" + dModel
                            + " (the embedding table [vocabSize, dModel] must fit one Java array)");
        }
        range("heads", heads, 1, 256);
        require(dModel % heads == 0 && (dModel / heads) % 2 == 0, "heads", Integer.toString(heads),
                "a divisor of dModel=" + dModel + " that leaves an even head width (RoPE rotates pairs)");
        range("window", window, 1, 1 << 14);
        range("layers", layers, 1, 16);
        range("ffnDim", ffnDim, 1, 1 << 16);
        range("blockSize", blockSize, 1, 1 << 20);
        range("chunkSize", chunkSize, 1, 1 << 22);
        require(chunkSize % blockSize == 0, "chunkSize", Integer.toString(chunkSize),
                "a multiple of blockSize=" + blockSize);
        range("recent", recent, 1, 1 << 16);
        range("group", group, 2, 1 << 16);
        range("levels", levels, 1, 32);
        require(Math.log(group) * levels <= Math.log(0x1p62), "levels", Integer.toString(levels),
                "small enough that group^levels = " + group + "^" + levels + " blocks fits in 2^62");
        range("maxBlocks", maxBlocks, 1, Integer.MAX_VALUE);
        range("topK", topK, 0, 1024);
        range("linearFeatures", linearFeatures, 1, 4096);
        range("maxDensePositions", maxDensePositions, 1, MAX_DENSE_POSITIONS);
        range("dilation", dilation, 1, MAX_DILATION);
        range("sinks", sinks, 1, MAX_SINKS);
        range("bigbirdWindow", bigbirdWindow, 0, 1024);
        range("bigbirdGlobal", bigbirdGlobal, 0, 1024);
        range("bigbirdRandom", bigbirdRandom, 0, 64);
        range("retrievalBits", retrievalBits, 0, 12);
        range("retrievalSlots", retrievalSlots, 1, MAX_RETRIEVAL_SLOTS);
        range("retrievalRecent", retrievalRecent, 1, retrievalSlots);
        require(((long) retrievalSlots << retrievalBits) <= MAX_RETRIEVAL_SLOTS, "retrievalSlots",
                Integer.toString(retrievalSlots), "at most " + (MAX_RETRIEVAL_SLOTS >> retrievalBits) + " with retrievalBits="
                        + retrievalBits + " (2^retrievalBits · retrievalSlots exemplar blocks ≤ " + MAX_RETRIEVAL_SLOTS + ")");
        range("retrievalSketches", retrievalSketches, 0, MAX_RETRIEVAL_SKETCHES);
        range("retrievalCandidates", retrievalCandidates, 1, 1024);
        range("linformerRank", linformerRank, 1, MAX_LINFORMER_RANK);
        range("linformerSegment", linformerSegment, 1, MAX_LINFORMER_SEGMENT);
        if (localMode == LocalMode.LINFORMER) {
            require(chunkSize % linformerSegment == 0, "chunkSize", Integer.toString(chunkSize),
                    "a multiple of linformerSegment=" + linformerSegment + " (--linformer-segment) in local mode"
                            + " LINFORMER, whose segments are aligned to absolute positions");
        }
        require(strand != null, "strand", "null", "one of FORWARD, BOTH");
        if (strand == Strand.BOTH) {
            require(featureKind == FeatureKind.DNA, "strand", "BOTH", "FORWARD for " + featureKind
                    + " (only DNA has a reverse complement)");
            require(!causal, "strand", "BOTH", "FORWARD with a causal local tier (the reverse strand's window"
                    + " would reach right of the chunk, which carries no right halo)");
            require(localMode == LocalMode.SLIDING || localMode == LocalMode.DILATED, "strand", "BOTH",
                    "FORWARD in local mode " + localMode + " (BOTH needs SLIDING or DILATED)");
            require(globalMode != GlobalMode.LINEAR, "strand", "BOTH", "FORWARD in global mode LINEAR (it keeps"
                    + " no memory entries for the reverse-strand query to score)");
        }
        if (globalMode == GlobalMode.AXIAL) {
            require(chunkSize / blockSize <= MAX_AXIAL_ROW, "chunkSize", Integer.toString(chunkSize),
                    "at most " + (long) MAX_AXIAL_ROW * blockSize + " (" + MAX_AXIAL_ROW + " blocks of blockSize="
                            + blockSize + ") in global mode AXIAL, which keeps a grid row of chunkSize/blockSize"
                            + " blocks in state");
        }
    }

    /** Rows of the embedding table E. DNA: 4^k k-mers, then the N id, then the padding id. */
    public int embeddingRows() {
        return featureKind == FeatureKind.DNA ? (1 << (2 * kmer)) + 2 : vocabSize;
    }

    /** DNA: the id of any k-mer that holds a base other than A, C, G, T. */
    public int nId() {
        return 1 << (2 * kmer);
    }

    /** DNA: the id of positions i &lt; k−1, which have no whole k-mer; excluded from the embedding mean. */
    public int padId() {
        return (1 << (2 * kmer)) + 1;
    }

    /** True for ids that carry no content: negative (empty slot) or, for DNA, the padding id. */
    public boolean isPadding(int id) {
        return id < 0 || (featureKind == FeatureKind.DNA && id == padId());
    }

    /** d_h = d / h. */
    public int headDim() {
        return dModel / heads;
    }

    /**
     * Halo each side of a chunk that attention needs: L·w tokens, L·s·w when DILATED (right halo 0 when causal);
     * LINFORMER: 0 (segment-local), L·P when causal (a segment reads the one before it).
     */
    public int attentionHalo() {
        if (localMode == LocalMode.LINFORMER) {
            return causal ? layers * linformerSegment : 0;
        }
        return layers * window * (localMode == LocalMode.DILATED ? dilation : 1);
    }

    /**
     * SINKS: positions [0, this) a chunk needs besides its own array — the sinks plus the L·w positions their
     * states depend on; 0 in the other modes.
     */
    public int sinkPrefix() {
        return localMode == LocalMode.SINKS ? sinks + layers * window : 0;
    }

    /** Left halo of raw tokens: L·w for attention plus k−1 so the first k-mer is whole (DNA). */
    public int leftHalo() {
        return attentionHalo() + (featureKind == FeatureKind.DNA ? kmer - 1 : 0);
    }

    /** Right halo: L·w when bidirectional, 0 when causal. */
    public int rightHalo() {
        return causal ? 0 : attentionHalo();
    }

    /** Blocks per chunk, C/B: the width of a grid row in AXIAL mode. */
    public int blocksPerChunk() {
        return chunkSize / blockSize;
    }

    /** Capacity per hierarchical level: R to R+G−1 entries (docs/design.md 2.5). */
    public int levelCapacity() {
        return recent + group - 1;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder() {
        return new Builder();
    }

    private static void range(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    "setting '" + name + "' = " + value + " is out of range [" + min + ", " + max + "]");
        }
    }

    private static void require(boolean ok, String name, String value, String allowed) {
        if (!ok) {
            throw new IllegalArgumentException(
                    "setting '" + name + "' = " + value + " is not allowed: must be " + allowed);
        }
    }

    /** Mutable builder with the defaults of docs/design.md section 1. */
    public static final class Builder {
        private FeatureKind featureKind = FeatureKind.DNA;
        private int kmer = 6;
        private int vocabSize = 50_257;
        private int maxFeatures = 1;
        private int dModel = 128;
        private int heads = 4;
        private int window = 64;
        private int layers = 1;
        private int ffnDim = 512;
        private boolean causal = false;
        private int blockSize = 256;
        private int chunkSize = 2048;
        private Pooling pooling = Pooling.MEAN;
        private GlobalMode globalMode = GlobalMode.RETRIEVAL;
        private int recent = 16;
        private int group = 8;
        private int levels = 4;
        private int maxBlocks = 1 << 20;
        private int topK = 4;
        private int linearFeatures = 64;
        private long linearSeed = 1L;
        private LocalMode localMode = LocalMode.SLIDING;
        private int maxDensePositions = 8192;
        private int dilation = 2;
        private int sinks = 4;
        private int bigbirdWindow = 3;
        private int bigbirdGlobal = 1;
        private int bigbirdRandom = 2;
        private int retrievalBits = 4;
        private int retrievalSlots = 48;
        private int retrievalRecent = 48;
        private long retrievalSeed = 1L;
        private int retrievalSketches = 40960;
        private int retrievalCandidates = 32;
        private int linformerRank = 32;
        private int linformerSegment = 256;
        private Strand strand = Strand.FORWARD;

        private Builder() {}

        private Builder(ModelConfig c) {
            featureKind = c.featureKind; kmer = c.kmer; vocabSize = c.vocabSize; maxFeatures = c.maxFeatures;
            dModel = c.dModel; heads = c.heads; window = c.window; layers = c.layers; ffnDim = c.ffnDim;
            causal = c.causal; blockSize = c.blockSize; chunkSize = c.chunkSize; pooling = c.pooling;
            globalMode = c.globalMode; recent = c.recent; group = c.group; levels = c.levels;
            maxBlocks = c.maxBlocks; topK = c.topK; linearFeatures = c.linearFeatures; linearSeed = c.linearSeed;
            localMode = c.localMode; maxDensePositions = c.maxDensePositions; dilation = c.dilation; sinks = c.sinks;
            bigbirdWindow = c.bigbirdWindow; bigbirdGlobal = c.bigbirdGlobal; bigbirdRandom = c.bigbirdRandom;
            retrievalBits = c.retrievalBits; retrievalSlots = c.retrievalSlots; retrievalRecent = c.retrievalRecent;
            retrievalSeed = c.retrievalSeed; retrievalSketches = c.retrievalSketches;
            retrievalCandidates = c.retrievalCandidates;
            linformerRank = c.linformerRank; linformerSegment = c.linformerSegment;
            strand = c.strand;
        }

        public Builder featureKind(FeatureKind v) { featureKind = v; return this; }
        public Builder kmer(int v) { kmer = v; return this; }
        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder maxFeatures(int v) { maxFeatures = v; return this; }
        public Builder dModel(int v) { dModel = v; return this; }
        public Builder heads(int v) { heads = v; return this; }
        public Builder window(int v) { window = v; return this; }
        public Builder layers(int v) { layers = v; return this; }
        public Builder ffnDim(int v) { ffnDim = v; return this; }
        public Builder causal(boolean v) { causal = v; return this; }
        public Builder blockSize(int v) { blockSize = v; return this; }
        public Builder chunkSize(int v) { chunkSize = v; return this; }
        public Builder pooling(Pooling v) { pooling = v; return this; }
        public Builder globalMode(GlobalMode v) { globalMode = v; return this; }
        public Builder recent(int v) { recent = v; return this; }
        public Builder group(int v) { group = v; return this; }
        public Builder levels(int v) { levels = v; return this; }
        public Builder maxBlocks(int v) { maxBlocks = v; return this; }
        public Builder topK(int v) { topK = v; return this; }
        public Builder linearFeatures(int v) { linearFeatures = v; return this; }
        public Builder linearSeed(long v) { linearSeed = v; return this; }
        public Builder localMode(LocalMode v) { localMode = v; return this; }
        public Builder maxDensePositions(int v) { maxDensePositions = v; return this; }
        public Builder dilation(int v) { dilation = v; return this; }
        public Builder sinks(int v) { sinks = v; return this; }
        public Builder bigbirdWindow(int v) { bigbirdWindow = v; return this; }
        public Builder bigbirdGlobal(int v) { bigbirdGlobal = v; return this; }
        public Builder bigbirdRandom(int v) { bigbirdRandom = v; return this; }
        public Builder retrievalBits(int v) { retrievalBits = v; return this; }
        public Builder retrievalSlots(int v) { retrievalSlots = v; return this; }
        public Builder retrievalRecent(int v) { retrievalRecent = v; return this; }
        public Builder retrievalSeed(long v) { retrievalSeed = v; return this; }
        public Builder retrievalSketches(int v) { retrievalSketches = v; return this; }
        public Builder retrievalCandidates(int v) { retrievalCandidates = v; return this; }
        public Builder linformerRank(int v) { linformerRank = v; return this; }
        public Builder linformerSegment(int v) { linformerSegment = v; return this; }
        public Builder strand(Strand v) { strand = v; return this; }

        public ModelConfig build() {
            return new ModelConfig(featureKind, kmer, vocabSize, maxFeatures, dModel, heads, window, layers,
                    ffnDim, causal, blockSize, chunkSize, pooling, globalMode, recent, group, levels,
                    maxBlocks, topK, linearFeatures, linearSeed, localMode, maxDensePositions, dilation, sinks,
                    bigbirdWindow, bigbirdGlobal, bigbirdRandom,
                    retrievalBits, retrievalSlots, retrievalRecent, retrievalSeed, retrievalSketches, retrievalCandidates,
                    linformerRank, linformerSegment, strand);
        }
    }
}
