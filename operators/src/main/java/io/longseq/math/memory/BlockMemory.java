package io.longseq.math.memory;

import io.longseq.math.model.ModelConfig;

/**
 * What the global tier remembers of one sequence's earlier blocks (docs/design.md 2.5): per block its key
 * k_b and value v_b, kept either all ({@link FullMemory}), as a bounded multi-resolution partition
 * ({@link HierarchicalMemory}), as the own grid row plus per-column means ({@link AxialMemory}), or folded into
 * a random-feature linear-attention state ({@link LinearMemory}, which has no entries and is read by
 * {@link LinearMemory#attend}), or as the hierarchical partition plus a bounded store of whole exemplar blocks
 * ({@link RetrievalMemory}). It converts to and from {@link MemoryState}, plain primitive arrays,
 * because it lives in Flink keyed state.
 */
public abstract sealed class BlockMemory permits FullMemory, HierarchicalMemory, LinearMemory, AxialMemory,
        BigBirdMemory, RetrievalMemory {

    protected final int d;
    protected long nextBlock;

    protected BlockMemory(int d) {
        this.d = d;
    }

    /** The block the memory expects next (blocks arrive in order 0, 1, 2, ...). */
    public long nextBlock() {
        return nextBlock;
    }

    /** Adds block {@code nextBlock()} with key k [d] and value v [d] (not RETRIEVAL: it needs x, below). */
    public final void append(float[] k, float[] v) {
        append(null, k, v);
    }

    /**
     * Adds block {@code nextBlock()} with x = LN_g(s_b) [d], the input of its projections, key k = x·W_gk [d] and
     * value v = x·W_gv [d]. Only {@link RetrievalMemory} keeps x (its exemplars are x alone); the others ignore it.
     */
    public final void append(float[] x, float[] k, float[] v) {
        add(x, k, v);
        nextBlock++;
    }

    // x [d] or null, k [d], v [d] -> the memory; by default x is not kept
    protected void add(float[] x, float[] k, float[] v) {
        add(k, v);
    }

    protected abstract void add(float[] k, float[] v);

    /**
     * Gathers the entries covering blocks [0, nextBlock−1] into {@code out}, oldest first.
     *
     * @throws UnsupportedOperationException for {@link LinearMemory}, which keeps no entries
     */
    public abstract void collect(MemoryEntries out);

    /** The state as primitive arrays. */
    public abstract MemoryState toState();

    /** {@code toState().toBytes()}; a memory may write the same bytes without the intermediate arrays. */
    public byte[] toBytes() {
        return toState().toBytes();
    }

    /**
     * The bytes of {@link #toBytes()}. {@code previous} (may be null) is the array the caller last had this memory
     * write, or read it from ({@link #fromBytes}), and will not read again: a memory may rewrite only what changed
     * in it, in place, and return it ({@link RetrievalMemory}); others write new bytes.
     */
    public byte[] toBytes(byte[] previous) {
        return toBytes();
    }

    /** A memory for the config's mode, empty (sequence seed 0). */
    public static BlockMemory create(ModelConfig cfg) {
        return create(cfg, 0L);
    }

    /**
     * A memory for the config's mode, empty, for the sequence whose seed is {@code sequenceSeed}
     * ({@link BigBirdMemory#sequenceSeed}; only BIGBIRD reads it).
     */
    public static BlockMemory create(ModelConfig cfg, long sequenceSeed) {
        return switch (cfg.globalMode()) {
            case BIGBIRD -> new BigBirdMemory(cfg, sequenceSeed);
            case FULL -> new FullMemory(cfg);
            case HIERARCHICAL -> new HierarchicalMemory(cfg);
            case LINEAR -> new LinearMemory(cfg);
            case AXIAL -> new AxialMemory(cfg);
            case RETRIEVAL -> new RetrievalMemory(cfg);
        };
    }

    /** {@link #fromState} of the bytes of {@link #toBytes()}, which {@link #toBytes(byte[])} may then rewrite. */
    public static BlockMemory fromBytes(ModelConfig cfg, byte[] bytes) {
        BlockMemory m = fromState(cfg, MemoryState.fromBytes(bytes));
        if (m instanceof RetrievalMemory r) {
            RetrievalState.readFrom(r, bytes);
        }
        return m;
    }

    /** Restores a memory saved by {@link #toState()}; checks the state fits the config. */
    public static BlockMemory fromState(ModelConfig cfg, MemoryState state) {
        return switch (cfg.globalMode()) {
            case FULL -> FullMemory.restore(cfg, state);
            case HIERARCHICAL -> HierarchicalMemory.restore(cfg, state);
            case LINEAR -> LinearMemory.restore(cfg, state);
            case AXIAL -> AxialMemory.restore(cfg, state);
            case BIGBIRD -> BigBirdMemory.restore(cfg, state);
            case RETRIEVAL -> RetrievalMemory.restore(cfg, state);
        };
    }
}
