package io.longseq.math.memory;

import java.io.Serializable;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * A {@link BlockMemory} as primitive arrays, the form it takes in Flink keyed state.
 *
 * <p>Hierarchical mode: {@code counts[ℓ]} entries at level ℓ+1, the oldest standing for group
 * {@code firsts[ℓ]}; {@code keys}/{@code values} are [H, R+G−1, d] (fixed size, unused slots zero);
 * the prefix holds sums over its {@code prefixCount} blocks. Full mode: {@code keys}/{@code values} are
 * [nextBlock, d] and the other arrays are empty. Linear mode ({@link LinearMemory}): counts = {m, d},
 * firsts = {linearSeed}, keys/values empty, prefixKeySum = [z̃ (m), M (m)], prefixValueSum = S̃ [m, d],
 * prefixCount = nextBlock. Axial mode ({@link AxialMemory}): counts = {C/B}, firsts empty, keys/values = the
 * open grid row [C/B, d], prefixKeySum/prefixValueSum = column sums [C/B, d] over prefixCount completed rows.
 * Retrieval mode ({@link RetrievalMemory}): the hierarchical layout with the exemplar store appended (counts ++
 * bucket fills, firsts ++ held block indices, keys ++ held x = LN_g(s), values as hierarchical, prefixKeySum ++ Σ k
 * over all blocks).
 */
public record MemoryState(long nextBlock, int[] counts, long[] firsts, float[] keys, float[] values,
                          double[] prefixKeySum, double[] prefixValueSum, long prefixCount) implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * A compact, versioned binary form (Flink keyed state holds it; also for tests of state size): big-endian,
     * version byte 1, then the fields in declaration order, each array as its length and its elements. Arrays
     * are copied in bulk through a {@link ByteBuffer}: FULL mode's memory grows with the sequence and is written
     * once per chunk.
     */
    public byte[] toBytes() {
        long size = 1 + 8 + 4 + 4L * counts.length + 4 + 8L * firsts.length + 4 + 4L * keys.length + 4
                + 4L * values.length + 4 + 8L * prefixKeySum.length + 4 + 8L * prefixValueSum.length + 8;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("memory state of " + size + " bytes is larger than a Java array");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size);
        b.put((byte) 1);
        b.putLong(nextBlock);
        b.putInt(counts.length);
        b.asIntBuffer().put(counts);
        b.position(b.position() + 4 * counts.length);
        b.putInt(firsts.length);
        b.asLongBuffer().put(firsts);
        b.position(b.position() + 8 * firsts.length);
        putFloats(b, keys);
        putFloats(b, values);
        putDoubles(b, prefixKeySum);
        putDoubles(b, prefixValueSum);
        b.putLong(prefixCount);
        return b.array();
    }

    /**
     * Writes the form of {@link #toBytes()} from arrays given in pieces: the lengths first, then the elements of
     * counts, firsts, keys, values, prefixKeySum and prefixValueSum in that order, then {@link #end}. For a memory
     * whose state arrays would otherwise be assembled only to be written.
     */
    static final class Writer {

        private final ByteBuffer b;
        private final int[] lengths;      // [6] elements of each array
        private final int[] written = new int[6];
        private int field;                // the array being written

        Writer(long nextBlock, int counts, int firsts, int keys, int values, int prefixKeySum, int prefixValueSum) {
            lengths = new int[] {counts, firsts, keys, values, prefixKeySum, prefixValueSum};
            long size = 1 + 8 + 4 + 4L * counts + 4 + 8L * firsts + 4 + 4L * keys + 4 + 4L * values + 4
                    + 8L * prefixKeySum + 4 + 8L * prefixValueSum + 8;
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("memory state of " + size + " bytes is larger than a Java array");
            }
            b = ByteBuffer.allocate((int) size);
            b.put((byte) 1);
            b.putLong(nextBlock);
            b.putInt(counts);
        }

        // moves on to array f (writing its length) once the arrays before it are complete
        private void at(int f, int n) {
            while (field < f) {
                if (written[field] != lengths[field]) {
                    throw new IllegalStateException("memory state array " + field + " has " + written[field]
                            + " of " + lengths[field] + " elements");
                }
                field++;
                b.putInt(lengths[field]);
            }
            if (field != f || written[f] + n > lengths[f]) {
                throw new IllegalStateException("memory state array " + f + " written out of order or past its length");
            }
            written[f] += n;
        }

        // array f still takes elements (the one after it is written once f is complete)
        private boolean open(int f) {
            return field <= f && written[f] < lengths[f];
        }

        Writer ints(int[] a, int off, int n) {
            at(0, n);
            b.asIntBuffer().put(a, off, n);
            b.position(b.position() + 4 * n);
            return this;
        }

        Writer longs(long[] a, int off, int n) {
            at(1, n);
            b.asLongBuffer().put(a, off, n);
            b.position(b.position() + 8 * n);
            return this;
        }

        /** Keys until all of them are written, then values. */
        Writer floats(float[] a, int off, int n) {
            at(open(2) ? 2 : 3, n);
            b.asFloatBuffer().put(a, off, n);
            b.position(b.position() + 4 * n);
            return this;
        }

        /** prefixKeySum until all of it is written, then prefixValueSum. */
        Writer doubles(double[] a, int off, int n) {
            at(open(4) ? 4 : 5, n);
            b.asDoubleBuffer().put(a, off, n);
            b.position(b.position() + 8 * n);
            return this;
        }

        byte[] end(long prefixCount) {
            at(5, 0);
            if (written[5] != lengths[5]) {
                throw new IllegalStateException("memory state array 5 has " + written[5] + " of " + lengths[5]);
            }
            b.putLong(prefixCount);
            if (b.hasRemaining()) {
                throw new IllegalStateException("memory state written short by " + b.remaining() + " bytes");
            }
            return b.array();
        }
    }

    public static MemoryState fromBytes(byte[] data) {
        try {
            ByteBuffer b = ByteBuffer.wrap(data);
            int version = b.get();
            if (version != 1) {
                throw new IllegalArgumentException("memory state version " + version + " is not known (expected 1)");
            }
            long next = b.getLong();
            int[] counts = new int[length(b, 4)];
            b.asIntBuffer().get(counts);
            b.position(b.position() + 4 * counts.length);
            long[] firsts = new long[length(b, 8)];
            b.asLongBuffer().get(firsts);
            b.position(b.position() + 8 * firsts.length);
            float[] keys = getFloats(b);
            float[] values = getFloats(b);
            double[] pk = getDoubles(b);
            double[] pv = getDoubles(b);
            long pc = b.getLong();
            if (b.hasRemaining()) {
                throw new IllegalArgumentException("memory state is corrupt: " + b.remaining() + " bytes left over");
            }
            return new MemoryState(next, counts, firsts, keys, values, pk, pv, pc);
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("memory state is truncated or corrupt: " + e, e);
        }
    }

    // an array length that the remaining bytes can hold
    private static int length(ByteBuffer b, int elementBytes) {
        int n = b.getInt();
        if (n < 0 || (long) n * elementBytes > b.remaining()) {
            throw new IllegalArgumentException("memory state is truncated or corrupt: an array of " + n
                    + " elements with " + b.remaining() + " bytes left");
        }
        return n;
    }

    private static void putFloats(ByteBuffer b, float[] a) {
        b.putInt(a.length);
        b.asFloatBuffer().put(a);
        b.position(b.position() + 4 * a.length);
    }

    private static void putDoubles(ByteBuffer b, double[] a) {
        b.putInt(a.length);
        b.asDoubleBuffer().put(a);
        b.position(b.position() + 8 * a.length);
    }

    private static float[] getFloats(ByteBuffer b) {
        float[] a = new float[length(b, 4)];
        b.asFloatBuffer().get(a);
        b.position(b.position() + 4 * a.length);
        return a;
    }

    private static double[] getDoubles(ByteBuffer b) {
        double[] a = new double[length(b, 8)];
        b.asDoubleBuffer().get(a);
        b.position(b.position() + 8 * a.length);
        return a;
    }
}
