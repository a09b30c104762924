package io.longseq.math;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;

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
 */
public record MemoryState(long nextBlock, int[] counts, long[] firsts, float[] keys, float[] values,
                          double[] prefixKeySum, double[] prefixValueSum, long prefixCount) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** A compact, versioned binary form (for tests of state size and for checkpoints outside Flink). */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);
            out.writeLong(nextBlock);
            out.writeInt(counts.length);
            for (int c : counts) {
                out.writeInt(c);
            }
            out.writeInt(firsts.length);
            for (long f : firsts) {
                out.writeLong(f);
            }
            writeFloats(out, keys);
            writeFloats(out, values);
            writeDoubles(out, prefixKeySum);
            writeDoubles(out, prefixValueSum);
            out.writeLong(prefixCount);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static MemoryState fromBytes(byte[] data) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data))) {
            int version = in.readByte();
            if (version != 1) {
                throw new IllegalArgumentException("memory state version " + version + " is not known (expected 1)");
            }
            long next = in.readLong();
            int[] counts = new int[in.readInt()];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = in.readInt();
            }
            long[] firsts = new long[in.readInt()];
            for (int i = 0; i < firsts.length; i++) {
                firsts[i] = in.readLong();
            }
            float[] keys = readFloats(in);
            float[] values = readFloats(in);
            double[] pk = readDoubles(in);
            double[] pv = readDoubles(in);
            long pc = in.readLong();
            return new MemoryState(next, counts, firsts, keys, values, pk, pv, pc);
        } catch (IOException e) {
            throw new IllegalArgumentException("memory state is truncated or corrupt: " + e, e);
        }
    }

    private static void writeFloats(DataOutputStream out, float[] a) throws IOException {
        out.writeInt(a.length);
        for (float x : a) {
            out.writeFloat(x);
        }
    }

    private static void writeDoubles(DataOutputStream out, double[] a) throws IOException {
        out.writeInt(a.length);
        for (double x : a) {
            out.writeDouble(x);
        }
    }

    private static float[] readFloats(DataInputStream in) throws IOException {
        float[] a = new float[in.readInt()];
        for (int i = 0; i < a.length; i++) {
            a[i] = in.readFloat();
        }
        return a;
    }

    private static double[] readDoubles(DataInputStream in) throws IOException {
        double[] a = new double[in.readInt()];
        for (int i = 0; i < a.length; i++) {
            a[i] = in.readDouble();
        }
        return a;
    }
}
