package io.longseq.bench;

import io.longseq.math.kernel.LocalTier;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.weights.NpyArray;
import io.longseq.math.weights.Npz;
import io.longseq.math.weights.Weights;
import io.longseq.math.weights.WeightsInit;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * One chunk of the local tier with its input and weights, written to an {@code .npz} for {@code bench/peer}'s
 * numerical check: the PyTorch peer recomputes {@code z} from the same ids, position and weights and must agree
 * within its stated tolerance.
 *
 * <p>The shape is {@link LocalTierBenchmark}'s (the builder's defaults: d = 128, h = 4, w = 64, L = 1, f = 512,
 * bidirectional, DNA 6-mers) with a smaller chunk, the same weights ({@code WeightsInit.random(cfg, 42, 1f)}; they do
 * not depend on the chunk size), ids drawn as the benchmark draws them, and a chunk deep inside a sequence (core
 * [10⁶, 10⁶ + C)), run through the path the benchmark measures ({@code -Dlongseq.fusedAttention}, default true).
 *
 * <p>Arrays written (all float32, as {@link Npz} writes only that): the local tier's weights under their names of
 * {@link Weights#shapes} ({@code embedding}, {@code layer0.*}, {@code lnf.*}); {@code ids} [n] (exact: ids &lt; 2²⁴);
 * {@code meta} [8] = first position of the array, left halo, C, d, h, w, f, L (exact integers below 2²⁴);
 * {@code z} [C, d], the tier's output at the core.
 *
 * <p>Usage: {@code java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar
 * io.longseq.bench.PeerReference OUT.npz [C (256)]}.
 */
public final class PeerReference {

    private PeerReference() {}

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: PeerReference OUT.npz [chunk (256)]");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        int chunk = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        Nd4jRuntime.init(1);
        ModelConfig cfg = ModelConfig.builder().chunkSize(chunk).build();
        Weights w = WeightsInit.random(cfg, 42, 1f);
        int halo = cfg.attentionHalo();
        int n = halo + chunk + cfg.rightHalo();
        Random r = new Random(7);
        int[] ids = new int[n];                         // [n] 6-mer ids
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(cfg.nId());
        }
        long first = 1_000_000L - halo;
        float[] z = new float[chunk * cfg.dModel()];  // [C, d]
        String kernels;
        try (LocalTier tier = new LocalTier(cfg, w)) {
            tier.forward(ids, first, n, first + halo, first + halo + chunk, z);
            kernels = tier.kernelName();
        }

        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        Map<String, float[]> data = w.toArrays();
        for (Map.Entry<String, int[]> e : Weights.shapes(cfg).entrySet()) {
            String name = e.getKey();
            if (name.equals("embedding") || name.startsWith("layer") || name.startsWith("lnf.")) {
                arrays.put(name, NpyArray.float32(e.getValue(), data.get(name)));
            }
        }
        float[] idsF = new float[n];                    // [n]
        for (int i = 0; i < n; i++) {
            idsF[i] = ids[i];
        }
        arrays.put("ids", NpyArray.float32(new int[] {n}, idsF));
        arrays.put("meta", NpyArray.float32(new int[] {8}, new float[] {first, halo, chunk, cfg.dModel(), cfg.heads(),
                cfg.window(), cfg.ffnDim(), cfg.layers()}));
        arrays.put("z", NpyArray.float32(new int[] {chunk, cfg.dModel()}, z));
        Npz.write(out, arrays);
        System.out.printf("PeerReference: C = %d, n = %d, first = %d, kernels %s, fusedAttention=%s -> %s%n", chunk, n,
                first, kernels, System.getProperty("longseq.fusedAttention", "true"), out);
    }
}
