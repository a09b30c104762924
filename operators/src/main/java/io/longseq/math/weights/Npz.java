package io.longseq.math.weights;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Reads and writes numpy {@code .npz} files: a zip archive with one {@code NAME.npy} entry per array, as
 * {@code numpy.savez} writes them, so weights trained elsewhere load with no conversion step.
 *
 * <p><b>The {@code .npy} format</b> (numpy's {@code numpy/lib/format.py}, versions 1.0, 2.0, 3.0): the magic
 * bytes {@code \x93NUMPY}, a major and a minor version byte, the header length as little-endian
 * {@code uint16} (version 1.0) or {@code uint32} (2.0 and 3.0), then the header: the ASCII (3.0: UTF-8) text
 * of a Python dict literal such as {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }},
 * padded with spaces and ended by {@code '\n'} so that the data starts at a multiple of 64 bytes. The
 * raw array bytes follow, {@code product(shape) * itemsize} of them.
 *
 * <p><b>Reading</b> ({@link #read}, through {@link NpzReader} and {@link NpyHeader}) accepts any entry order,
 * versions 1.0–3.0, STORED and DEFLATED entries ({@code savez} and {@code savez_compressed}), any rank up to 64
 * (shape {@code ()} is a scalar), float32 in either byte order, and Fortran order (reordered to C order). Arrays
 * of other fixed-size dtypes ({@code '<f8'}, {@code '<i4'}, ...) are returned with {@code data == null} (see
 * {@link NpyArray}) so that the caller can name them; their byte count is still checked. Nothing is allocated
 * from what a header claims: a header is at most 64 KiB, and data is read in 64 KiB pieces only as far as the
 * file really holds it.
 *
 * <p><b>Writing</b> is deterministic, so the same arrays give the same bytes on every machine: entries in the
 * map's iteration order, method STORED (as {@code numpy.savez}, not {@code savez_compressed}), every entry
 * time 2000-01-01 00:00 (set as a local date-time so no time zone enters), no extra fields, and each entry's
 * bytes exactly those of {@code numpy.save} for the array: a version 1.0 header (2.0 only if the header would
 * pass 65535 bytes) with numpy's padding, then the little-endian float32 values.
 *
 * <p><b>Errors</b>: reading reports every problem of the content (missing or empty file, not a zip, an entry
 * that is not {@code NAME.npy}, a name twice, a bad or over-long header, an unknown dtype, a data size that does
 * not match the shape in the zip's directory or in the bytes, a CRC mismatch) as a checked {@link NpzException}
 * with one line naming the file and the array. Writing our own arrays throws {@link IllegalArgumentException}
 * for a bad argument and {@link UncheckedIOException} when the file system fails.
 *
 * <p>Plain Java, no Flink and no ND4J, so the same code runs in jobs, tests and tools.
 */
public final class Npz {

    /** numpy aligns the start of the data to this many bytes (numpy.lib.format.ARRAY_ALIGN). */
    private static final int ALIGN = 64;
    /**
     * Entry time written for every array. Not 1980-01-01 00:00: the JDK reads that DOS time as "before 1980"
     * and then adds an extended-timestamp field computed in the local time zone, which would make the bytes
     * depend on the machine.
     */
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(2000, 1, 1, 0, 0, 0);
    /** Digits numpy reserves in the header for the first axis (numpy.lib.format.GROWTH_AXIS_MAX_DIGITS). */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    /** Values converted per piece while reading or writing (64 KiB of float32). */
    private static final int PIECE = 16_384;
    /** The largest Java array. */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    /** Data bytes {@link #read} decodes from one file in all (1 GiB); weights are read by {@link WeightsIo}. */
    public static final long MAX_READ_BYTES = 1L << 30;

    private Npz() {}

    // ------------------------------------------------------------------------------------------------ write

    /**
     * Writes the arrays to {@code file} (replacing it) as {@code numpy.savez} would, deterministically.
     *
     * @param file   the {@code .npz} file to write
     * @param arrays name → float32 array; written in the map's iteration order as entries {@code NAME.npy}
     * @throws IllegalArgumentException naming the array if one is not float32 or its name is empty
     * @throws UncheckedIOException     naming the file if writing fails
     */
    public static void write(Path file, Map<String, NpyArray> arrays) {
        for (Map.Entry<String, NpyArray> e : arrays.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty()) {
                throw new IllegalArgumentException("npz " + file + ": an array has an empty name");
            }
            NpyArray a = e.getValue();
            if (a == null || !a.isFloat32() || a.data() == null) {
                throw new IllegalArgumentException("npz " + file + ": array '" + e.getKey() + "' is "
                        + (a == null ? "null" : "of dtype '" + a.dtype() + "'") + "; only float32 arrays are written");
            }
        }
        try (OutputStream fo = Files.newOutputStream(file);
             ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(fo, 1 << 16))) {
            for (Map.Entry<String, NpyArray> e : arrays.entrySet()) {
                writeEntry(zip, e.getKey(), e.getValue());
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("npz " + file + ": cannot write: " + ex.getMessage(), ex);
        }
    }

    /** One STORED entry: the size and CRC must be known before the data, so the data is converted twice. */
    private static void writeEntry(ZipOutputStream zip, String name, NpyArray a) throws IOException {
        // Always little-endian '<f4': a '>f4' array read from a file holds decoded values already.
        byte[] header = header(NpyArray.FLOAT32, a.shape());
        float[] data = a.data();
        CRC32 crc = new CRC32();
        crc.update(header);
        byte[] piece = new byte[PIECE * 4];
        for (int off = 0; off < data.length; off += PIECE) {
            int n = encode(data, off, Math.min(PIECE, data.length - off), piece);
            crc.update(piece, 0, n);
        }
        long size = header.length + 4L * data.length;
        ZipEntry entry = new ZipEntry(name + ".npy");
        entry.setMethod(ZipEntry.STORED);
        entry.setTimeLocal(ENTRY_TIME);
        entry.setSize(size);
        entry.setCompressedSize(size);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(header);
        for (int off = 0; off < data.length; off += PIECE) {
            int n = encode(data, off, Math.min(PIECE, data.length - off), piece);
            zip.write(piece, 0, n);
        }
        zip.closeEntry();
    }

    /** Little-endian raw float bits of data[off, off+n) into out; returns the byte count. */
    private static int encode(float[] data, int off, int n, byte[] out) {
        ByteBuffer bb = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            bb.putInt(Float.floatToRawIntBits(data[off + i]));
        }
        return 4 * n;
    }

    /**
     * The {@code .npy} preamble for a C-order array: magic, version, length, and the dict padded with spaces
     * and a final newline to a multiple of 64 bytes, byte for byte as {@code numpy.save} (numpy 1.23 and later)
     * writes it. Version 1.0 unless the header needs more than 65535 bytes.
     */
    static byte[] header(String dtype, int[] shape) {
        StringBuilder dict = new StringBuilder("{'descr': '").append(dtype)
                .append("', 'fortran_order': False, 'shape': ").append(NpyHeader.tuple(shape)).append(", }");
        if (shape.length > 0) {
            // numpy >= 1.23 leaves room for the first axis to grow to 21 digits (GROWTH_AXIS_MAX_DIGITS) so a
            // file can be appended to in place; doing the same makes our bytes equal numpy.save's.
            dict.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length())));
        }
        int major = 1;
        int prefix = NpyHeader.MAGIC.length + 2 + 2;
        int total = roundUp(prefix + dict.length() + 1, ALIGN);
        if (total - prefix > 0xFFFF) {
            major = 2;
            prefix = NpyHeader.MAGIC.length + 2 + 4;
            total = roundUp(prefix + dict.length() + 1, ALIGN);
        }
        int headerLen = total - prefix;
        while (dict.length() < headerLen - 1) {
            dict.append(' ');
        }
        dict.append('\n');
        ByteBuffer bb = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(NpyHeader.MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            bb.putShort((short) headerLen);
        } else {
            bb.putInt(headerLen);
        }
        bb.put(dict.toString().getBytes(StandardCharsets.US_ASCII));
        return bb.array();
    }

    private static int roundUp(int n, int m) {
        return (n + m - 1) / m * m;
    }

    // ------------------------------------------------------------------------------------------------- read

    /**
     * Reads every array of an {@code .npz} file, for any arrays (tests, tools); weights are read with the model's
     * shapes by {@link WeightsIo}, which needs no limit of its own.
     *
     * <p>Memory follows the bytes the file really holds, never a header's claim: each entry's size in the zip must
     * equal its header plus its data, the values are collected in 64 KiB pieces as they arrive and joined only
     * when the array is complete, and all arrays together may hold at most {@link #MAX_READ_BYTES}.
     *
     * @param file the {@code .npz} file
     * @return array name (the entry name without {@code .npy}) → array, in the archive's entry order; arrays of
     *         other fixed-size dtypes than float32 with {@code data == null}
     * @throws NpzException naming the file (and array) if the file is missing, not a zip, an entry is not a
     *                      {@code .npy} array, a header is malformed, a dtype unknown, or the data does not fit
     *                      the shape
     */
    public static Map<String, NpyArray> read(Path file) throws NpzException {
        Map<String, NpyArray> out = new LinkedHashMap<>();
        long budget = MAX_READ_BYTES;
        try (NpzReader r = NpzReader.open(file, "npz file '" + file + "'")) {
            for (String name : r.names()) {
                NpyHeader h = r.header(name);
                if (h.dataBytes() < 0) {
                    throw new NpzException(r.where(name) + " has dtype '" + NpzException.clip(h.descr())
                            + "', which this reader does not know (simple numeric dtypes like '<f4' only)");
                }
                r.checkSize(name, h);
                if (h.dataBytes() > budget) {
                    throw new NpzException(r.where(name) + " of shape " + h.shapeTuple() + " takes the file past "
                            + NpzReader.count(MAX_READ_BYTES) + " data bytes, the limit of Npz.read");
                }
                budget -= h.dataBytes();
                if (!h.isFloat32()) {
                    r.data(name, h, null); // counted and checked, not decoded: the caller names the dtype
                    out.put(name, new NpyArray(h.descr(), h.shape(), null));
                    continue;
                }
                if (h.elements() > MAX_ELEMENTS) {
                    throw new NpzException(r.where(name) + " of shape " + h.shapeTuple() + " has "
                            + NpzReader.count(h.elements()) + " elements, more than a Java array holds");
                }
                Pieces pieces = new Pieces();
                r.data(name, h, pieces);
                out.put(name, new NpyArray(h.descr(), h.shape(), pieces.join(h)));
            }
        }
        return out;
    }

    /** Values in file order, in pieces of {@link #PIECE}, so that memory grows only with the data that arrives. */
    private static final class Pieces implements NpzReader.FloatSink {
        private final List<float[]> full = new ArrayList<>();
        private float[] last = new float[PIECE];
        private int n;

        @Override
        public void put(long index, float value) {
            if (n == last.length) {
                full.add(last);
                last = new float[PIECE];
                n = 0;
            }
            last[n++] = value;
        }

        /** The whole array in C order; called once every value has arrived. */
        float[] join(NpyHeader h) {
            float[] data = new float[(int) h.elements()]; // as many values as arrived, checked by NpzReader.data
            NpzReader.CIndex index = new NpzReader.CIndex(h.shape(), h.fortranOrder());
            for (float[] p : full) {
                for (float v : p) {
                    data[(int) index.next()] = v;
                }
            }
            for (int i = 0; i < n; i++) {
                data[(int) index.next()] = last[i];
            }
            return data;
        }
    }
}
