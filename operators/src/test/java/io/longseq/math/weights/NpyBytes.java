package io.longseq.math.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of one .npy file per numpy's format spec, written independently of {@link Npz} so that tests show
 * interoperability and can make hostile headers: magic {@code \x93NUMPY}, version, header length (uint16 LE for
 * 1.0, uint32 LE for 2.0 and 3.0), the dict padded with spaces and a final newline to a multiple of 64 bytes, then
 * the data.
 */
public final class NpyBytes {

    private NpyBytes() {}

    /** A well-formed header dict; {@code growth} spaces follow it as numpy 1.23+ writes them. */
    public static byte[] npy(int major, String descr, boolean fortran, String shapeTuple, byte[] data, int growth) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': "
                + shapeTuple + ", }" + " ".repeat(growth);
        return raw(major, dict, data);
    }

    /** Any header text, padded as numpy pads it. */
    public static byte[] raw(int major, String dict, byte[] data) {
        int prefix = major == 1 ? 10 : 12;
        int total = (prefix + dict.length() + 1 + 63) / 64 * 64;
        String header = dict + " ".repeat(total - prefix - dict.length() - 1) + "\n";
        ByteBuffer bb = ByteBuffer.allocate(total + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) major).put((byte) 0);
        if (major == 1) {
            bb.putShort((short) header.length());
        } else {
            bb.putInt(header.length());
        }
        bb.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return bb.array();
    }

    public static byte[] floatsLe(float... v) {
        ByteBuffer bb = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            bb.putInt(Float.floatToRawIntBits(f));
        }
        return bb.array();
    }

    public static byte[] floatsBe(float... v) {
        ByteBuffer bb = ByteBuffer.allocate(4 * v.length).order(ByteOrder.BIG_ENDIAN);
        for (float f : v) {
            bb.putFloat(f);
        }
        return bb.array();
    }

    public static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }
}
