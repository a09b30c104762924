package io.longseq.math.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The preamble of one {@code .npy} array, read and checked before any of its data: magic, version, and the header
 * dict {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }} (numpy's {@code numpy/lib/format.py},
 * versions 1.0, 2.0 and 3.0; see {@link Npz}).
 *
 * <p>Every size here is bounded before it is used: the header text by {@link #MAX_HEADER_BYTES} (numpy itself
 * refuses untrusted headers over 10,000 bytes), the rank by {@link #MAX_RANK}, every dimension by
 * {@code Integer.MAX_VALUE}, and the element and byte counts are computed with overflow checks. The dict parser
 * nests at most {@link #MAX_DEPTH} levels, so no header can drive the recursion deep. Nothing is allocated from
 * the shape: what the data may cost is the caller's decision (the zip entry's size, or the model configuration).
 *
 * @param major        the format version, 1, 2 or 3
 * @param descr        the dtype string, e.g. {@code '<f4'}
 * @param fortranOrder whether the data is stored column-major
 * @param shape        the dimensions ({@code []} for a scalar)
 * @param elements     the product of the shape
 * @param dataBytes    {@code elements × itemSize}, or -1 when the dtype has no fixed item size known here
 * @param headerBytes  bytes before the data: magic, version, length field and header text
 */
public record NpyHeader(int major, String descr, boolean fortranOrder, int[] shape, long elements, long dataBytes,
                        int headerBytes) {

    /** The six magic bytes that start every {@code .npy} entry: {@code \x93NUMPY}. */
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Longest header text accepted (64 KiB). */
    public static final int MAX_HEADER_BYTES = 1 << 16;
    /** Most dimensions accepted (numpy 2's NPY_MAXDIMS). */
    public static final int MAX_RANK = 64;
    /** Deepest nesting of the header's Python literal (a dict of a tuple needs 2). */
    static final int MAX_DEPTH = 8;

    private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

    /** True for numpy's float32 type strings: {@code <f4} (little-endian) and {@code >f4} (big-endian). */
    public boolean isFloat32() {
        return NpyArray.isFloat32(descr);
    }

    /** The shape as Python writes the tuple in the header: {@code ()}, {@code (3,)}, {@code (3, 4)}. */
    public String shapeTuple() {
        return tuple(shape);
    }

    /** Python's repr of a tuple of ints: {@code ()}, {@code (3,)}, {@code (3, 4)}. */
    public static String tuple(int[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(')').toString();
    }

    /**
     * Reads the preamble from the start of an entry; the stream is left at the first data byte.
     *
     * @param where the message prefix naming file and array, e.g. {@code "weights w.npz: array 'x'"}
     * @throws NpzException naming {@code where} if the bytes are not a supported, well-formed .npy preamble
     * @throws IOException  if the stream fails (a corrupt zip entry)
     */
    public static NpyHeader read(InputStream in, String where) throws NpzException, IOException {
        byte[] pre = readFully(in, MAGIC.length + 2, where, "the .npy magic and version");
        for (int i = 0; i < MAGIC.length; i++) {
            if (pre[i] != MAGIC[i]) {
                throw new NpzException(where + ": not a .npy array (no \\x93NUMPY magic)");
            }
        }
        int major = pre[6] & 0xFF;
        int minor = pre[7] & 0xFF;
        long headerLen;
        int lengthField;
        if (major == 1) {
            lengthField = 2;
            byte[] len = readFully(in, 2, where, "the header length");
            headerLen = (len[0] & 0xFF) | (len[1] & 0xFF) << 8;
        } else if (major == 2 || major == 3) {
            lengthField = 4;
            byte[] len = readFully(in, 4, where, "the header length");
            headerLen = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
        } else {
            throw new NpzException(where + ": unsupported .npy format version " + major + "." + minor
                    + " (supported: 1.0, 2.0, 3.0)");
        }
        if (headerLen > MAX_HEADER_BYTES) {
            throw new NpzException(where + ": .npy header of " + String.format(Locale.ROOT, "%,d", headerLen)
                    + " bytes is over the limit of " + String.format(Locale.ROOT, "%,d", MAX_HEADER_BYTES) + " bytes");
        }
        byte[] hb = readFully(in, (int) headerLen, where, "the header");
        String text = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        return parse(text, major, MAGIC.length + 2 + lengthField + (int) headerLen, where);
    }

    /** Parses the header dict and checks its three keys; {@code headerBytes} is the whole preamble's length. */
    static NpyHeader parse(String text, int major, int headerBytes, String where) throws NpzException {
        Parser p = new Parser(text, where);
        Object value = p.value(0);
        p.skipSpace();
        if (!p.atEnd()) {
            throw p.error("text after the header dict");
        }
        if (!(value instanceof Map<?, ?> dict)) {
            throw p.error("the header is not a dict");
        }
        if (!KEYS.equals(dict.keySet())) {
            List<String> keys = new ArrayList<>();
            for (Object k : dict.keySet()) {
                if (keys.size() == 5) {
                    keys.add("...");
                    break;
                }
                keys.add("'" + NpzException.clip(String.valueOf(k)) + "'");
            }
            throw new NpzException(where + ": .npy header has the keys " + keys
                    + ", expected exactly 'descr', 'fortran_order', 'shape'");
        }
        Object descr = dict.get("descr");
        Object fortran = dict.get("fortran_order");
        Object shape = dict.get("shape");
        if (!(descr instanceof String d)) {
            throw new NpzException(where + ": .npy header 'descr' is " + describe(descr)
                    + "; only simple dtypes like '<f4' are supported (no structured arrays)");
        }
        if (!(fortran instanceof Boolean f)) {
            throw new NpzException(where + ": .npy header 'fortran_order' is " + describe(fortran)
                    + ", expected True or False");
        }
        if (!(shape instanceof List<?> dims)) {
            throw new NpzException(where + ": .npy header 'shape' is " + describe(shape) + ", expected a tuple of ints");
        }
        if (dims.size() > MAX_RANK) {
            throw new NpzException(where + ": .npy header 'shape' has " + dims.size() + " dimensions, more than "
                    + MAX_RANK);
        }
        int[] s = new int[dims.size()];
        for (int i = 0; i < s.length; i++) {
            if (!(dims.get(i) instanceof Long v) || v < 0 || v > Integer.MAX_VALUE) {
                throw new NpzException(where + ": .npy header 'shape' entry " + i + " is " + describe(dims.get(i))
                        + ", expected an int in [0, " + Integer.MAX_VALUE + "]");
            }
            s[i] = (int) (long) v;
        }
        long elements = 1;
        try {
            for (int dim : s) {
                elements = dim == 0 || elements == 0 ? 0 : Math.multiplyExact(elements, (long) dim);
            }
        } catch (ArithmeticException ex) {
            throw new NpzException(where + ": shape " + tuple(s) + " has more than 2^63 elements");
        }
        int item = itemSize(d);
        long dataBytes = -1;
        if (item > 0) {
            try {
                dataBytes = Math.multiplyExact(elements, (long) item);
            } catch (ArithmeticException ex) {
                throw new NpzException(where + ": shape " + tuple(s) + " of dtype '" + NpzException.clip(d)
                        + "' needs more than 2^63 bytes");
            }
        }
        return new NpyHeader(major, d, f, s, elements, dataBytes, headerBytes);
    }

    /**
     * Bytes per element of a simple dtype string such as {@code <f4}, {@code >i8}, {@code |u1} or {@code ?}
     * (numpy's bool); 0 when the string is not such a dtype.
     */
    public static int itemSize(String descr) {
        if (descr.equals("?") || descr.equals("|b1")) {
            return 1;
        }
        int i = 0;
        if (i < descr.length() && "<>|=".indexOf(descr.charAt(i)) >= 0) {
            i++;
        }
        if (i >= descr.length() || "biufc".indexOf(descr.charAt(i)) < 0) {
            return 0;
        }
        String digits = descr.substring(i + 1);
        return switch (digits) {
            case "1", "2", "4", "8", "16" -> Integer.parseInt(digits);
            case "32" -> descr.charAt(i) == 'c' ? 32 : 0;
            default -> 0;
        };
    }

    private static byte[] readFully(InputStream in, int n, String where, String what) throws IOException, NpzException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new NpzException(where + " is truncated: it ends inside " + what + " (" + b.length + " of " + n
                    + " bytes)");
        }
        return b;
    }

    private static String describe(Object o) {
        if (o == null) {
            return "missing or None";
        }
        return o instanceof String s ? "'" + NpzException.clip(s) + "'" : NpzException.clip(String.valueOf(o));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyHeader h && major == h.major && descr.equals(h.descr) && fortranOrder == h.fortranOrder
                && java.util.Arrays.equals(shape, h.shape) && headerBytes == h.headerBytes;
    }

    @Override
    public int hashCode() {
        return 31 * descr.hashCode() + java.util.Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "NpyHeader[" + descr + ", fortran_order=" + fortranOrder + ", shape=" + shapeTuple() + "]";
    }

    /**
     * Parser for the Python literals of a header: dict, tuple/list, str, int, True/False/None. It recurses only
     * into nested containers, and at most {@link #MAX_DEPTH} levels deep.
     */
    private static final class Parser {
        private final String s;
        private final String where;
        private int i;

        Parser(String s, String where) {
            this.s = s;
            this.where = where;
        }

        NpzException error(String what) {
            return new NpzException(where + ": malformed .npy header at character " + i + ": " + what
                    + " (header: " + NpzException.clip(s.strip()) + ")");
        }

        boolean atEnd() {
            return i >= s.length();
        }

        void skipSpace() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        Object value(int depth) throws NpzException {
            skipSpace();
            if (atEnd()) {
                throw error("unexpected end");
            }
            char c = s.charAt(i);
            if (c == '{' || c == '(' || c == '[') {
                if (depth >= MAX_DEPTH) {
                    throw error("nested more than " + MAX_DEPTH + " levels deep");
                }
                return c == '{' ? dict(depth) : sequence(depth, c == '(' ? ')' : ']');
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
            if (c == '-' || c >= '0' && c <= '9') {
                int start = i;
                i++;
                while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                    i++;
                }
                String digits = s.substring(start, i);
                if (i < s.length() && (s.charAt(i) == 'L' || s.charAt(i) == 'l')) {
                    i++; // Python 2 long suffix, as in very old files: (3L, 4L)
                }
                try {
                    return Long.parseLong(digits);
                } catch (NumberFormatException ex) {
                    throw error("bad integer '" + NpzException.clip(digits) + "'");
                }
            }
            for (String word : new String[] {"True", "False", "None"}) {
                if (s.startsWith(word, i)) {
                    i += word.length();
                    return word.equals("None") ? null : Boolean.valueOf(word.equals("True"));
                }
            }
            throw error("unexpected character '" + NpzException.clip(String.valueOf(c)) + "'");
        }

        private Map<String, Object> dict(int depth) throws NpzException {
            i++;
            Map<String, Object> m = new LinkedHashMap<>();
            while (true) {
                skipSpace();
                if (peek('}')) {
                    return m;
                }
                Object key = value(depth + 1);
                if (!(key instanceof String k)) {
                    throw error("dict key is not a string");
                }
                skipSpace();
                expect(':');
                m.put(k, value(depth + 1));
                skipSpace();
                if (peek('}')) {
                    return m;
                }
                expect(',');
            }
        }

        private List<Object> sequence(int depth, char close) throws NpzException {
            i++;
            List<Object> l = new ArrayList<>();
            while (true) {
                skipSpace();
                if (peek(close)) {
                    return l;
                }
                l.add(value(depth + 1));
                skipSpace();
                if (peek(close)) {
                    return l;
                }
                expect(',');
            }
        }

        private boolean peek(char c) {
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        private void expect(char c) throws NpzException {
            if (!peek(c)) {
                throw error("expected '" + c + "'");
            }
        }
    }
}
