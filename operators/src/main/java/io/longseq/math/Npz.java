package io.longseq.math;

import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
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
 * <p><b>Reading</b> accepts any entry order, versions 1.0–3.0, any rank (shape {@code ()} is a scalar),
 * float32 in either byte order, and Fortran order (transposed to C order on reading). Arrays of other dtypes
 * ({@code '<f8'}, {@code '<i4'}, ...) are returned with {@code data == null} (see {@link NpyArray}) so that
 * the caller can name them; their byte count is still checked. Entries are decoded in bounded pieces so a
 * large embedding needs no second copy of its bytes.
 *
 * <p><b>Writing</b> is deterministic, so the same arrays give the same bytes on every machine: entries in the
 * map's iteration order, method STORED (as {@code numpy.savez}, not {@code savez_compressed}), every entry
 * time 2000-01-01 00:00 (set as a local date-time so no time zone enters), no extra fields, and each entry's
 * bytes exactly those of {@code numpy.save} for the array: a version 1.0 header (2.0 only if the header would
 * pass 65535 bytes) with numpy's padding, then the little-endian float32 values.
 *
 * <p><b>Errors</b>: content that is not a valid {@code .npz} (not a zip, truncated, a bad header, a data
 * size that does not match the shape) is an {@link IllegalArgumentException}; a failing file system is an
 * {@link UncheckedIOException}. Both messages name the file and, where there is one, the array.
 *
 * <p>Plain Java, no Flink and no ND4J, so the same code runs in jobs, tests and tools.
 */
public final class Npz {

    /** The six magic bytes that start every {@code .npy} entry: {@code \x93NUMPY}. */
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
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
    /** Longest header we accept; numpy's own limit for untrusted files is 10000 bytes, ours is generous. */
    private static final int MAX_HEADER = 1 << 20;

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
                .append("', 'fortran_order': False, 'shape': ").append(pythonTuple(shape)).append(", }");
        if (shape.length > 0) {
            // numpy >= 1.23 leaves room for the first axis to grow to 21 digits (GROWTH_AXIS_MAX_DIGITS) so a
            // file can be appended to in place; doing the same makes our bytes equal numpy.save's.
            dict.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length())));
        }
        int major = 1;
        int prefix = MAGIC.length + 2 + 2;
        int total = roundUp(prefix + dict.length() + 1, ALIGN);
        if (total - prefix > 0xFFFF) {
            major = 2;
            prefix = MAGIC.length + 2 + 4;
            total = roundUp(prefix + dict.length() + 1, ALIGN);
        }
        int headerLen = total - prefix;
        while (dict.length() < headerLen - 1) {
            dict.append(' ');
        }
        dict.append('\n');
        ByteBuffer bb = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            bb.putShort((short) headerLen);
        } else {
            bb.putInt(headerLen);
        }
        bb.put(dict.toString().getBytes(StandardCharsets.US_ASCII));
        return bb.array();
    }

    /** Python's repr of a tuple of ints: {@code ()}, {@code (3,)}, {@code (3, 4)}. */
    private static String pythonTuple(int[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(')').toString();
    }

    private static int roundUp(int n, int m) {
        return (n + m - 1) / m * m;
    }

    // ------------------------------------------------------------------------------------------------- read

    /**
     * Reads every array of an {@code .npz} file.
     *
     * @param file the {@code .npz} file
     * @return array name (the entry name without {@code .npy}) → array, in the archive's entry order
     * @throws IllegalArgumentException naming the file (and array) if the file is not a zip, an entry is not a
     *                                  {@code .npy} array, a header is malformed, or the data is truncated
     * @throws UncheckedIOException     naming the file if it cannot be read
     */
    public static Map<String, NpyArray> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UncheckedIOException(new IOException("npz " + file + ": no such file (or not a regular file)"));
        }
        Map<String, NpyArray> out = new LinkedHashMap<>();
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException ex) {
            throw new IllegalArgumentException("npz " + file + ": not a readable zip archive (truncated, or not an .npz file, which is "
                    + "numpy's zip of .npy arrays): " + ex.getMessage(), ex);
        } catch (IOException ex) {
            throw new UncheckedIOException("npz " + file + ": cannot open: " + ex.getMessage(), ex);
        }
        try (zip) {
            List<ZipEntry> entries = new ArrayList<>();
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                entries.add(en.nextElement());
            }
            for (ZipEntry entry : entries) {
                if (entry.isDirectory()) {
                    continue;
                }
                String entryName = entry.getName();
                if (!entryName.endsWith(".npy")) {
                    throw new IllegalArgumentException("npz " + file + ": entry '" + entryName
                            + "' is not a .npy array (numpy.savez names every entry NAME.npy)");
                }
                String name = entryName.substring(0, entryName.length() - 4);
                if (out.containsKey(name)) {
                    throw new IllegalArgumentException("npz " + file + ": array '" + name + "' appears twice");
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    out.put(name, readNpy(in, file, name));
                } catch (ZipException | EOFException ex) {
                    throw new IllegalArgumentException("npz " + file + ": array '" + name + "' is truncated or corrupt: "
                            + ex.getMessage(), ex);
                } catch (IOException ex) {
                    throw new UncheckedIOException("npz " + file + ": array '" + name + "': cannot read: "
                            + ex.getMessage(), ex);
                }
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("npz " + file + ": cannot close: " + ex.getMessage(), ex);
        }
        return out;
    }

    /** Parses one {@code .npy} stream; {@code file} and {@code name} are for messages only. */
    static NpyArray readNpy(InputStream in, Path file, String name) throws IOException {
        String where = "npz " + file + ": array '" + name + "'";
        byte[] pre = readFully(in, MAGIC.length + 2, where, "the .npy magic and version");
        for (int i = 0; i < MAGIC.length; i++) {
            if (pre[i] != MAGIC[i]) {
                throw new IllegalArgumentException(where + ": not a .npy array (no \\x93NUMPY magic)");
            }
        }
        int major = pre[6] & 0xFF;
        int minor = pre[7] & 0xFF;
        int headerLen;
        if (major == 1) {
            byte[] len = readFully(in, 2, where, "the header length");
            headerLen = (len[0] & 0xFF) | (len[1] & 0xFF) << 8;
        } else if (major == 2 || major == 3) {
            byte[] len = readFully(in, 4, where, "the header length");
            long l = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
            if (l > MAX_HEADER) {
                throw new IllegalArgumentException(where + ": header length " + l + " is implausible (max " + MAX_HEADER + ")");
            }
            headerLen = (int) l;
        } else {
            throw new IllegalArgumentException(where + ": unsupported .npy format version " + major + "." + minor
                    + " (supported: 1.0, 2.0, 3.0)");
        }
        byte[] hb = readFully(in, headerLen, where, "the header");
        String header = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Header h = Header.parse(header, where);

        long count = Weights.size(h.shape);
        int itemSize = itemSize(h.descr);
        if (!NpyArray.isFloat32(h.descr)) {
            // Not decoded: check the byte count (when the dtype has a fixed size) and name it to the caller.
            if (itemSize > 0) {
                skipFully(in, count * itemSize, where);
            }
            return new NpyArray(h.descr, h.shape, null);
        }
        if (count > MAX_ELEMENTS) {
            throw new IllegalArgumentException(where + ": shape " + Weights.shapeString(h.shape) + " has " + count
                    + " elements, more than a Java array holds");
        }
        float[] data = new float[(int) count];
        ByteOrder order = h.descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        byte[] piece = new byte[PIECE * 4];
        for (int off = 0; off < data.length; off += PIECE) {
            int n = Math.min(PIECE, data.length - off);
            int got = in.readNBytes(piece, 0, 4 * n);
            if (got < 4 * n) {
                throw new IllegalArgumentException(where + ": truncated: shape " + Weights.shapeString(h.shape)
                        + " needs " + 4 * count + " data bytes, the entry has " + (4L * off + got));
            }
            ByteBuffer bb = ByteBuffer.wrap(piece, 0, 4 * n).order(order);
            for (int i = 0; i < n; i++) {
                data[off + i] = Float.intBitsToFloat(bb.getInt());
            }
        }
        if (in.read() != -1) {
            throw new IllegalArgumentException(where + ": has more data bytes than shape " + Weights.shapeString(h.shape)
                    + " needs (" + 4 * count + ")");
        }
        if (h.fortranOrder && h.shape.length > 1) {
            data = fortranToC(data, h.shape);
        }
        return new NpyArray(h.descr, h.shape, data);
    }

    /** Bytes per element of a simple dtype string like {@code <f8} or {@code |u1}; 0 when not fixed-size. */
    static int itemSize(String descr) {
        int i = 0;
        while (i < descr.length() && "<>|=".indexOf(descr.charAt(i)) >= 0) {
            i++;
        }
        if (i >= descr.length() || "biufc".indexOf(descr.charAt(i)) < 0) {
            return 0;
        }
        try {
            return Integer.parseInt(descr.substring(i + 1));
        } catch (NumberFormatException ex) {
            return 0;
        }
    }

    /** Reorders a column-major array of the given shape into row-major. */
    private static float[] fortranToC(float[] f, int[] shape) {
        int rank = shape.length;
        float[] c = new float[f.length];
        int[] idx = new int[rank];
        // strides of the Fortran layout: the first index varies fastest
        long[] fStride = new long[rank];
        long s = 1;
        for (int k = 0; k < rank; k++) {
            fStride[k] = s;
            s *= shape[k];
        }
        for (int ci = 0; ci < c.length; ci++) {
            long fi = 0;
            for (int k = 0; k < rank; k++) {
                fi += idx[k] * fStride[k];
            }
            c[ci] = f[(int) fi];
            for (int k = rank - 1; k >= 0; k--) { // advance the C index: the last index varies fastest
                if (++idx[k] < shape[k]) {
                    break;
                }
                idx[k] = 0;
            }
        }
        return c;
    }

    private static byte[] readFully(InputStream in, int n, String where, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new IllegalArgumentException(where + ": truncated: ends inside " + what + " (" + b.length + " of "
                    + n + " bytes)");
        }
        return b;
    }

    private static void skipFully(InputStream in, long n, String where) throws IOException {
        byte[] buf = new byte[1 << 16];
        long left = n;
        while (left > 0) {
            int got = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (got < 0) {
                throw new IllegalArgumentException(where + ": truncated: needs " + n + " data bytes, the entry has "
                        + (n - left));
            }
            left -= got;
        }
    }

    /** The three keys of an {@code .npy} header, from a small parser of the Python literal numpy writes. */
    private record Header(String descr, boolean fortranOrder, int[] shape) {

        static Header parse(String text, String where) {
            Parser p = new Parser(text, where);
            Object value = p.value();
            p.skipSpace();
            if (!p.atEnd()) {
                throw p.error("unexpected text after the header dict");
            }
            if (!(value instanceof Map<?, ?> dict)) {
                throw p.error("the header is not a dict");
            }
            Object descr = dict.get("descr");
            Object fortran = dict.get("fortran_order");
            Object shape = dict.get("shape");
            if (!(descr instanceof String d)) {
                throw new IllegalArgumentException(where + ": header 'descr' is " + describe(descr)
                        + "; only simple dtypes like '<f4' are supported (no structured arrays)");
            }
            if (!(fortran instanceof Boolean f)) {
                throw new IllegalArgumentException(where + ": header 'fortran_order' is " + describe(fortran)
                        + ", expected True or False");
            }
            if (!(shape instanceof List<?> dims)) {
                throw new IllegalArgumentException(where + ": header 'shape' is " + describe(shape)
                        + ", expected a tuple of ints");
            }
            int[] s = new int[dims.size()];
            for (int i = 0; i < s.length; i++) {
                if (!(dims.get(i) instanceof Long v) || v < 0 || v > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(where + ": header 'shape' entry " + i + " is " + describe(dims.get(i))
                            + ", expected an int in [0, " + Integer.MAX_VALUE + "]");
                }
                s[i] = (int) (long) v;
            }
            return new Header(d, f, s);
        }

        private static String describe(Object o) {
            return o == null ? "missing" : "'" + o + "'";
        }
    }

    /** Recursive-descent parser for the Python literals of a header: dict, tuple/list, str, int, True/False/None. */
    private static final class Parser {
        private final String s;
        private final String where;
        private int i;

        Parser(String s, String where) {
            this.s = s;
            this.where = where;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException(where + ": malformed .npy header at character " + i + ": " + what
                    + " (header: " + s.strip() + ")");
        }

        boolean atEnd() {
            return i >= s.length();
        }

        void skipSpace() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        Object value() {
            skipSpace();
            if (atEnd()) {
                throw error("unexpected end");
            }
            char c = s.charAt(i);
            if (c == '{') {
                i++;
                Map<String, Object> m = new LinkedHashMap<>();
                while (true) {
                    skipSpace();
                    if (peek('}')) {
                        return m;
                    }
                    Object key = value();
                    if (!(key instanceof String k)) {
                        throw error("dict key is not a string");
                    }
                    skipSpace();
                    expect(':');
                    m.put(k, value());
                    skipSpace();
                    if (peek('}')) {
                        return m;
                    }
                    expect(',');
                }
            }
            if (c == '(' || c == '[') {
                char close = c == '(' ? ')' : ']';
                i++;
                List<Object> l = new ArrayList<>();
                while (true) {
                    skipSpace();
                    if (peek(close)) {
                        return l;
                    }
                    l.add(value());
                    skipSpace();
                    if (peek(close)) {
                        return l;
                    }
                    expect(',');
                }
            }
            if (c == '\'' || c == '"') {
                int end = s.indexOf(c, i + 1);
                if (end < 0) {
                    throw error("unterminated string");
                }
                String str = s.substring(i + 1, end);
                i = end + 1;
                return str;
            }
            if (c == '-' || Character.isDigit(c)) {
                int start = i;
                i++;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                String digits = s.substring(start, i);
                if (i < s.length() && (s.charAt(i) == 'L' || s.charAt(i) == 'l')) {
                    i++; // Python 2 long suffix, as in very old files: (3L, 4L)
                }
                try {
                    return Long.parseLong(digits);
                } catch (NumberFormatException ex) {
                    throw error("bad integer '" + digits + "'");
                }
            }
            for (String word : new String[] {"True", "False", "None"}) {
                if (s.startsWith(word, i)) {
                    i += word.length();
                    return word.equals("None") ? null : Boolean.valueOf(word.equals("True"));
                }
            }
            throw error("unexpected character '" + c + "'");
        }

        private boolean peek(char c) {
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw error("expected '" + c + "'");
            }
        }
    }
}
