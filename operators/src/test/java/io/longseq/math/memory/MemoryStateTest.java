package io.longseq.math.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The keyed-state form of a memory: its bytes, written independently here, and the round trip. */
class MemoryStateTest {

    static MemoryState sample() {
        return new MemoryState(12345L, new int[] {3, 0, 7}, new long[] {5L, -1L}, new float[] {1.5f, -0f, Float.NaN, 3e-38f},
                new float[] {2f}, new double[] {0.1, -2.5}, new double[0], 99L);
    }

    /** Version 1 as java.io.DataOutputStream writes it (big-endian), field by field. */
    static byte[] plainEncoding(MemoryState m) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);
            out.writeLong(m.nextBlock());
            out.writeInt(m.counts().length);
            for (int c : m.counts()) {
                out.writeInt(c);
            }
            out.writeInt(m.firsts().length);
            for (long f : m.firsts()) {
                out.writeLong(f);
            }
            for (float[] a : new float[][] {m.keys(), m.values()}) {
                out.writeInt(a.length);
                for (float x : a) {
                    out.writeFloat(x);
                }
            }
            for (double[] a : new double[][] {m.prefixKeySum(), m.prefixValueSum()}) {
                out.writeInt(a.length);
                for (double x : a) {
                    out.writeDouble(x);
                }
            }
            out.writeLong(m.prefixCount());
        }
        return bytes.toByteArray();
    }

    @Test
    void bytesAreTheDocumentedFormatAndReadBackBitForBit() throws IOException {
        MemoryState m = sample();
        byte[] b = m.toBytes();
        assertThat(b).isEqualTo(plainEncoding(m));
        MemoryState r = MemoryState.fromBytes(b);
        assertThat(r.nextBlock()).isEqualTo(m.nextBlock());
        assertThat(r.counts()).isEqualTo(m.counts());
        assertThat(r.firsts()).isEqualTo(m.firsts());
        for (int i = 0; i < m.keys().length; i++) {
            assertThat(Float.floatToRawIntBits(r.keys()[i])).isEqualTo(Float.floatToRawIntBits(m.keys()[i]));
        }
        assertThat(r.values()).isEqualTo(m.values());
        assertThat(r.prefixKeySum()).isEqualTo(m.prefixKeySum());
        assertThat(r.prefixValueSum()).isEmpty();
        assertThat(r.prefixCount()).isEqualTo(99L);
    }

    @Test
    void truncatedOrPaddedBytesAreRefused() {
        byte[] b = sample().toBytes();
        for (int cut : new int[] {0, 1, 9, b.length / 2, b.length - 1}) {
            assertThatThrownBy(() -> MemoryState.fromBytes(Arrays.copyOf(b, cut)))
                    .as("cut at %d", cut).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> MemoryState.fromBytes(Arrays.copyOf(b, b.length + 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("left over");
        byte[] v2 = b.clone();
        v2[0] = 2;
        assertThatThrownBy(() -> MemoryState.fromBytes(v2)).hasMessageContaining("version 2");
    }
}
