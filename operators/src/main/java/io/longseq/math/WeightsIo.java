package io.longseq.math;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads and saves {@link Weights} as an {@code .npz} file (DESIGN.md 2, "Weights live in one .npz file").
 *
 * <p>The file holds exactly the arrays of {@link Weights#shapes(ModelConfig)}, each float32 ({@code '<f4'};
 * {@code '>f4'} is read too) with exactly the listed shape. A model trained elsewhere is exported with
 * {@code numpy.savez(path, **{name: array.astype(np.float32)})}.
 *
 * <p>Loading checks the names in the table's order and reports the <em>first</em> array that is missing, has
 * the wrong dtype or has the wrong shape, by name, with what was expected and what was found. An array in
 * the file that the table does not list is an error as well, not a warning: it almost always means the file
 * was made for another configuration (more layers, another width), and silently ignoring it would run a
 * different model than the one trained.
 */
public final class WeightsIo {

    private WeightsIo() {}

    /**
     * Reads the weights for {@code cfg} from an {@code .npz} file.
     *
     * @throws IllegalArgumentException naming the file and the first array that is missing, has the wrong dtype
     *                                  or shape, or is not part of the model; or if the file is not a valid .npz
     * @throws UncheckedIOException     if the file cannot be read
     */
    public static Weights load(Path npz, ModelConfig cfg) {
        Map<String, NpyArray> arrays = Npz.read(npz);
        Map<String, int[]> shapes = Weights.shapes(cfg);
        Map<String, float[]> data = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            String name = e.getKey();
            int[] expected = e.getValue();
            NpyArray a = arrays.get(name);
            String where = "weights " + npz + ": array '" + name + "'";
            if (a == null) {
                throw new IllegalArgumentException(where + " is missing (expected float32 '<f4' of shape "
                        + Weights.shapeString(expected) + ")" + missingHint(name, arrays));
            }
            if (!a.isFloat32()) {
                throw new IllegalArgumentException(where + " has dtype '" + a.dtype() + "', expected float32 '<f4'"
                        + " (export with array.astype(numpy.float32))");
            }
            if (!Arrays.equals(a.shape(), expected)) {
                throw new IllegalArgumentException(where + " has shape " + a.shapeString() + ", expected "
                        + Weights.shapeString(expected) + shapeHint(name, cfg));
            }
            data.put(name, a.data());
        }
        List<String> extra = new ArrayList<>();
        for (String name : arrays.keySet()) {
            if (!shapes.containsKey(name)) {
                extra.add(name);
            }
        }
        if (!extra.isEmpty()) {
            throw new IllegalArgumentException("weights " + npz + ": array" + (extra.size() == 1 ? " " : "s ")
                    + quoted(extra) + (extra.size() == 1 ? " is" : " are") + " not part of the model for this "
                    + "configuration (layers=" + cfg.layers() + "); the file was probably made for another configuration");
        }
        return Weights.fromArrays(cfg, data);
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

    private static String missingHint(String name, Map<String, NpyArray> arrays) {
        if (arrays.containsKey(name + ".npy")) {
            return "; the file has '" + name + ".npy' (saved with the .npy suffix in the key?)";
        }
        return arrays.isEmpty() ? "; the file holds no arrays" : "";
    }

    private static String shapeHint(String name, ModelConfig cfg) {
        if (!name.equals("embedding")) {
            return "";
        }
        return cfg.featureKind() == FeatureKind.DNA
                ? " (DNA rows = 4^k + 2 = " + cfg.embeddingRows() + " for kmer=" + cfg.kmer() + ", columns = dModel)"
                : " (rows = vocabSize = " + cfg.vocabSize() + ", columns = dModel)";
    }

    private static String quoted(List<String> names) {
        List<String> q = new ArrayList<>();
        for (String n : names) {
            q.add("'" + n + "'");
        }
        return String.join(", ", q);
    }
}
