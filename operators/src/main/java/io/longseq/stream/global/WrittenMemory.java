package io.longseq.stream.global;

import io.longseq.math.memory.BlockMemory;

/**
 * The bounded memory that {@link GlobalContextFunction} last wrote to state, kept as the object it was written from,
 * so that the next chunk of the same sequence does not decode the bytes the chunk before it encoded. It is handed
 * out only for the very array written (the heap backend gives back the stored array; RocksDB/ForSt, a restore or a
 * copy made for a snapshot give another one, which is then read from its bytes), and only once: the caller goes on to
 * change the memory, and keeps it here again once the changed memory is in state. RETRIEVAL rewrites that array in
 * place ({@link io.longseq.math.memory.BlockMemory#toBytes(byte[])}), so handing the memory out for another array,
 * such as the copy the heap backend makes while a snapshot holds the stored one, would rewrite the snapshot's bytes.
 */
final class WrittenMemory {

    private String key;
    private byte[] bytes;
    private BlockMemory memory;

    /** The memory whose state is {@code saved} under {@code key}, when it is the array kept; else null. Empties. */
    BlockMemory take(String key, byte[] saved) {
        BlockMemory m = saved != null && saved == bytes && key.equals(this.key) ? memory : null;
        clear();
        return m;
    }

    /** {@code memory} was just written to state under {@code key} as {@code bytes}. */
    void keep(String key, byte[] bytes, BlockMemory memory) {
        this.key = key;
        this.bytes = bytes;
        this.memory = memory;
    }

    void clear() {
        key = null;
        bytes = null;
        memory = null;
    }
}
