package io.longseq.math.weights;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.ModelConfig;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Loads, checks and saves {@link Weights} as an {@code .npz} file (docs/design.md 2, "Weights live in one .npz file").
 *
 * <p>The file holds exactly the arrays of {@link Weights#shapes(ModelConfig)}, each float32 ({@code '<f4'};
 * {@code '>f4'} is read too; C or Fortran order) with exactly the listed shape. A model trained elsewhere is
 * exported with {@code numpy.savez(path, **{name: array.astype(np.float32)})}.
 *
 * <p><b>One validation for every caller.</b> {@link #check} (the commands, before a job starts) and {@link #load}
 * (the offline run, and every operator's {@code open()}) run the same code, in three passes, and report the first
 * problem as one line naming the file and the array:
 * <ol>
 *   <li>names: the archive opens as a zip whose entries are all {@code NAME.npy}, no name twice; every array of
 *       the table is there (the first missing one in table order is reported) and no other;</li>
 *   <li>headers, in table order, before any data is read: dtype float32, the shape the configuration implies
 *       (e.g. {@code array 'layer0.wq' has shape (1900000000,) but d-model 128 needs (128, 128)}), and the entry's
 *       size in the zip equal to header plus data;</li>
 *   <li>data: each array streamed in 64 KiB pieces into an array sized by the <em>configuration</em>, never by
 *       the file; an entry that ends early, holds or inflates to more bytes, or fails its CRC-32 is refused, and
 *       so is any NaN or infinite value, with its index ({@code array 'lnf.gain' holds NaN at index (2,)}):
 *       a non-finite weight makes every output it touches NaN, so it is refused at the start rather than found
 *       in the results.</li>
 * </ol>
 * {@link #check} keeps no values, so the client validates a file in bounded memory.
 *
 * <p>An array in the file that the table does not list is an error as well, not a warning: it almost always
 * means the file was made for another configuration (more layers), and silently ignoring it would run a
 * different model than the one trained.
 */
public final class WeightsIo {

    /** The largest Java array. */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    /** Extra array names listed in a message; the rest are counted. */
    private static final int LISTED = 3;

    private WeightsIo() {}

    /**
     * Reads the weights for {@code cfg} from an {@code .npz} file, after checking every array (see the class
     * comment).
     *
     * @throws NpzException naming the file and the first array that is missing, extra, of another dtype or shape,
     *                      truncated, corrupt or not finite; or the file if it is not a readable .npz
     */
    public static Weights load(Path npz, ModelConfig cfg) throws NpzException {
        Map<String, float[]> data = new LinkedHashMap<>();
        read(npz, cfg, data);
        return Weights.fromArrays(cfg, data);
    }

    /**
     * Checks that {@code npz} holds usable weights for {@code cfg}: exactly what {@link #load} checks, without
     * keeping the values. Never throws for anything in or about the file.
     *
     * @return empty when {@link #load} would succeed; else the one-line problem, e.g.
     *         {@code weights file 'w.npz': array 'layer0.wq' has shape (1900000000,) but d-model 128 needs (128, 128)}
     */
    public static Optional<String> check(Path npz, ModelConfig cfg) {
        try {
            read(npz, cfg, null);
            return Optional.empty();
        } catch (NpzException e) {
            return Optional.of(e.getMessage());
        }
    }

    private static String prefix(Path npz) {
        return "weights file '" + npz + "'";
    }

    /** The three passes; the values go to {@code out} when it is not null. */
    private static void read(Path npz, ModelConfig cfg, Map<String, float[]> out) throws NpzException {
        Map<String, int[]> shapes = Weights.shapes(cfg);
        try (NpzReader r = NpzReader.open(npz, prefix(npz))) {
            checkNames(r, shapes, cfg);
            Map<String, NpyHeader> headers = new LinkedHashMap<>();
            for (Map.Entry<String, int[]> e : shapes.entrySet()) {
                headers.put(e.getKey(), checkHeader(r, e.getKey(), e.getValue(), cfg));
            }
            for (Map.Entry<String, int[]> e : shapes.entrySet()) {
                String name = e.getKey();
                NpyHeader h = headers.get(name);
                float[] dest = out == null ? null : new float[(int) h.elements()]; // [shape], checked = the config's
                r.data(name, h, (i, v) -> {
                    if (!Float.isFinite(v)) {
                        String what = Float.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
                        throw new NpzException(r.where(name) + " holds " + what + " at index " + index(i, h.shape())
                                + "; every weight must be a finite float32");
                    }
                    if (dest != null) {
                        dest[(int) i] = v;
                    }
                });
                if (out != null) {
                    out.put(name, dest);
                }
            }
        } catch (RuntimeException e) { // not expected: every known problem is an NpzException already
            throw new NpzException(prefix(npz) + " cannot be read: " + NpzException.clip(e.toString()), e);
        }
    }

    /** Pass 1: every array of the table present, no other. */
    private static void checkNames(NpzReader r, Map<String, int[]> shapes, ModelConfig cfg) throws NpzException {
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            String name = e.getKey();
            if (!r.has(name)) {
                throw new NpzException(r.where(name) + " is missing (expected float32 '<f4' of shape "
                        + NpyHeader.tuple(e.getValue()) + ")" + missingHint(name, r));
            }
        }
        List<String> extra = new ArrayList<>();
        int count = 0;
        for (String name : r.names()) {
            if (!shapes.containsKey(name)) {
                if (count++ < LISTED) {
                    extra.add("'" + NpzException.clip(name) + "'");
                }
            }
        }
        if (count > 0) {
            String names = String.join(", ", extra) + (count > LISTED ? " and " + (count - LISTED) + " more" : "");
            throw new NpzException(prefix(r.file()) + ": array" + (count == 1 ? " " : "s ") + names
                    + (count == 1 ? " is" : " are") + " not part of the model for this configuration (layers="
                    + cfg.layers() + "); the file was probably made for another configuration");
        }
    }

    /** Pass 2 for one array: dtype, shape and the zip's size, from the header alone. */
    private static NpyHeader checkHeader(NpzReader r, String name, int[] expected, ModelConfig cfg) throws NpzException {
        NpyHeader h = r.header(name);
        if (!h.isFloat32()) {
            throw new NpzException(r.where(name) + " has dtype '" + NpzException.clip(h.descr())
                    + "' but weights are float32 '<f4' (export with array.astype(numpy.float32))");
        }
        if (!Arrays.equals(h.shape(), expected)) {
            throw new NpzException(r.where(name) + " has shape " + h.shapeTuple() + " but " + needs(name, expected, cfg));
        }
        if (h.elements() > MAX_ELEMENTS) {
            throw new NpzException(r.where(name) + ": the configuration's shape " + h.shapeTuple() + " has "
                    + NpzReader.count(h.elements()) + " elements, more than a Java array holds");
        }
        r.checkSize(name, h);
        return h;
    }

    /** What the configuration says about one array's shape: {@code d-model 128 needs (128, 128)}. */
    static String needs(String name, int[] shape, ModelConfig cfg) {
        String d = "d-model " + cfg.dModel();
        String f = "ffn-dim " + cfg.ffnDim();
        String tuple = NpyHeader.tuple(shape);
        if (name.equals("embedding")) {
            String rows = cfg.featureKind() == FeatureKind.DNA
                    ? "kmer " + cfg.kmer() + " (4^k + 2 = " + cfg.embeddingRows() + " rows)"
                    : "vocab-size " + cfg.vocabSize();
            return rows + " and " + d + " need " + tuple;
        }
        if (name.endsWith(".w1")) {
            return d + " and " + f + " need " + tuple;
        }
        if (name.endsWith(".w2")) {
            return f + " and " + d + " need " + tuple;
        }
        if (name.equals(Weights.CONV_KERNEL)) {
            return "block-size " + cfg.blockSize() + " and " + d + " need " + tuple;
        }
        if (name.equals(Weights.LINFORMER_E) || name.equals(Weights.LINFORMER_F)) {
            return "linformer-rank " + cfg.linformerRank() + " and linformer-segment " + cfg.linformerSegment()
                    + " need " + tuple;
        }
        if (name.endsWith(".b1")) {
            return f + " needs " + tuple;
        }
        return d + " needs " + tuple;
    }

    /** A C-order flat index as numpy's index tuple: {@code (2,)}, {@code (1, 3)}. */
    private static String index(long flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int k = shape.length - 1; k >= 0; k--) {
            idx[k] = (int) (flat % shape[k]);
            flat /= shape[k];
        }
        return NpyHeader.tuple(idx);
    }

    /**
     * Writes every array of {@code w} with its shape from {@link Weights#shapes(ModelConfig)}, in the table's
     * order, deterministically (same weights, same bytes; see {@link Npz#write}). {@link #load} of the file
     * gives back the same float bits.
     *
     * @throws IllegalArgumentException if an array of {@code w} does not have its table size
     * @throws UncheckedIOException     if the file cannot be written
     */
    public static void save(Path npz, Weights w) {
        Map<String, int[]> shapes = Weights.shapes(w.config);
        Map<String, float[]> data = w.toArrays();
        Map<String, NpyArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            float[] a = data.get(e.getKey());
            if (a == null || a.length != Weights.size(e.getValue())) {
                throw new IllegalArgumentException("weights: array '" + e.getKey() + "' has "
                        + (a == null ? "no data" : a.length + " elements") + ", expected shape "
                        + Weights.shapeString(e.getValue()));
            }
            out.put(e.getKey(), NpyArray.float32(e.getValue(), a));
        }
        Npz.write(npz, out);
    }

    private static String missingHint(String name, NpzReader r) {
        if (r.has(name + ".npy")) {
            return "; the file has '" + name + ".npy' (saved with the .npy suffix in the key?)";
        }
        return r.names().isEmpty() ? "; the file holds no arrays" : "";
    }
}
