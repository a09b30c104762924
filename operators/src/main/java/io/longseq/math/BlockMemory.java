package io.longseq.math;

/**
 * What the global tier remembers of one sequence's earlier blocks (DESIGN.md 2.5): per block its key
 * k_b and value v_b, kept either all ({@link FullMemory}) or as a bounded multi-resolution partition
 * ({@link HierarchicalMemory}). It converts to and from {@link MemoryState}, plain primitive arrays,
 * because it lives in Flink keyed state.
 */
public abstract sealed class BlockMemory permits FullMemory, HierarchicalMemory {

    protected final int d;
    protected long nextBlock;

    protected BlockMemory(int d) {
        this.d = d;
    }

    /** The block the memory expects next (blocks arrive in order 0, 1, 2, ...). */
    public long nextBlock() {
        return nextBlock;
    }

    /** Adds block {@code nextBlock()} with key k [d] and value v [d]. */
    public final void append(float[] k, float[] v) {
        add(k, v);
        nextBlock++;
    }

    protected abstract void add(float[] k, float[] v);

    /** Gathers the entries covering blocks [0, nextBlock−1] into {@code out}, oldest first. */
    public abstract void collect(MemoryEntries out);

    /** The state as primitive arrays. */
    public abstract MemoryState toState();

    /** A memory for the config's mode, empty. */
    public static BlockMemory create(ModelConfig cfg) {
        return cfg.globalMode() == GlobalMode.FULL ? new FullMemory(cfg) : new HierarchicalMemory(cfg);
    }

    /** Restores a memory saved by {@link #toState()}; checks the state fits the config. */
    public static BlockMemory fromState(ModelConfig cfg, MemoryState state) {
        return cfg.globalMode() == GlobalMode.FULL ? FullMemory.restore(cfg, state)
                : HierarchicalMemory.restore(cfg, state);
    }
}
