package io.longseq.stream.global;

import io.longseq.math.memory.BlockMemory;
import io.longseq.math.memory.FullMemory;
import io.longseq.math.memory.MemoryState;
import io.longseq.math.model.ModelConfig;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ValueState;

/**
 * FULL mode's memory in keyed state (docs/design.md 3): a list state of one slab [2, C/B, d] of keys and values per
 * chunk, appended and never rewritten, so a chunk costs its own blocks' bytes and not the whole memory's. The memory
 * of the sequence seen last is cached, and rebuilt from the slabs when another sequence came in between or after a
 * restore. A memory written before the slabs existed (one value in {@code memory}) is moved into the list on its
 * sequence's next chunk. Keeps {@link MemoryBytes} current. One per {@link GlobalContextFunction} subtask.
 */
final class FullSlabs {

    private final ModelConfig cfg;
    private final ListState<float[]> fullState;    // the current key's slabs
    private final ValueState<byte[]> memoryState;  // the current key's memory of other modes (and old FULL state)
    private final MemoryBytes memoryBytes;
    private String cachedId;                       // the sequence whose memory is cached, or null
    private FullMemory cached;                     // its memory, as the slabs in state hold it

    FullSlabs(ModelConfig cfg, ListState<float[]> fullState, ValueState<byte[]> memoryState, MemoryBytes memoryBytes) {
        this.cfg = cfg;
        this.fullState = fullState;
        this.memoryState = memoryState;
        this.memoryBytes = memoryBytes;
    }

    /** Appends the blocks {@code memory} took since {@code before} as one slab (a chunk that is not the last). */
    void append(FullMemory memory, long before) throws Exception {
        fullState.add(memory.slab(before));
        memoryBytes.changed(before == 0 ? -1 : fullBytes(before), fullBytes(memory.nextBlock()));
    }

    /** The current key's memory goes (its sequence ended, was aborted or given up). */
    void drop() throws Exception {
        cached = null;
        cachedId = null;
        Iterable<float[]> slabs = fullState.get();
        boolean any = slabs != null && slabs.iterator().hasNext();
        if (any || memoryState.value() != null) {
            memoryBytes.changed(any ? fullBytes(countBlocks(slabs)) : memoryState.value().length, -1);
        }
        fullState.clear();
    }

    /**
     * The current key's memory after chunks [0, index): the cached one when it is this sequence's and complete, else
     * rebuilt from the slabs in state (after a restore, or when another sequence came in between).
     */
    FullMemory load(String id, long index) throws Exception {
        long blocks = index * cfg.blocksPerChunk(); // every chunk before the last holds C/B blocks
        if (cached != null && id.equals(cachedId) && cached.nextBlock() == blocks) {
            return cached;
        }
        FullMemory m = (FullMemory) BlockMemory.create(cfg);
        byte[] old = memoryState.value();           // state written before the slabs existed
        if (old != null) {
            BlockMemory restored = BlockMemory.fromState(cfg, MemoryState.fromBytes(old));
            fullState.add(((FullMemory) restored).slab(0));
            memoryState.clear();
            memoryBytes.changed(old.length, fullBytes(restored.nextBlock()));
        }
        Iterable<float[]> slabs = fullState.get();
        if (slabs != null) {
            for (float[] slab : slabs) {
                m.appendSlab(slab);
            }
        }
        if (m.nextBlock() != blocks) {
            throw new IllegalStateException("FULL memory state holds " + m.nextBlock() + " blocks before chunk " + index
                    + ", which needs " + blocks);
        }
        cachedId = id;
        cached = m;
        return m;
    }

    // the state bytes of a FULL memory of this many blocks (keys and values, floats)
    private long fullBytes(long blocks) {
        return blocks * 2L * cfg.dModel() * Float.BYTES;
    }

    private long countBlocks(Iterable<float[]> slabs) {
        long n = 0;
        for (float[] slab : slabs) {
            n += slab.length / (2 * cfg.dModel());
        }
        return n;
    }
}
