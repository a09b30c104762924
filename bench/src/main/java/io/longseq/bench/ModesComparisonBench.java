package io.longseq.bench;

import io.longseq.math.features.Features;
import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.memory.BigBirdMemory;
import io.longseq.math.memory.BlockMemory;
import io.longseq.math.memory.GlobalTier;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.ChunkedModel;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.LocalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.model.Pooling;
import io.longseq.math.weights.Weights;
import io.longseq.math.weights.WeightsInit;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The comparison table of every attention variant (issue 25 item 5, docs/modes.md): for each local mode, global
 * mode and pooling, on one real genome with the seeded default weights (d = 128, one thread):
 * <ul>
 *   <li>cost per position: FLOPs by formula at the defaults, and measured positions/s of {@link ChunkedModel}
 *       over the whole genome (after one warm-up run of the default config over the whole genome, and one of
 *       each config over its first 32k positions);</li>
 *   <li>state per sequence: the global memory's keyed-state bytes after the whole genome
 *       ({@code toState().toBytes()}), and the positions of halo/prefix the chunking carries (local modes);</li>
 *   <li>the error of the block contexts c_b: against global mode {@code full} (the same config otherwise) over the
 *       whole genome, and against local mode {@code full} (dense) over the first 8,192 positions, as the mean over
 *       blocks of ‖c − c_ref‖/‖c_ref‖ and of 1 − cos(c, c_ref).</li>
 * </ul>
 * Usage: {@code ModesComparisonBench GENOME.fa [--out DIR] [--prefix N]}; writes DIR/modes.{md,csv}.
 */
public final class ModesComparisonBench {

    private ModesComparisonBench() {}

    record Row(String tier, String mode, ModelConfig cfg, String flops, String carried) {}

    public static void main(String[] args) throws Exception {
        Path genome = Path.of(args[0]);
        Path out = Path.of("bench/results");
        int prefix = 8192;
        for (int i = 1; i < args.length; i += 2) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[i + 1]);
                case "--prefix" -> prefix = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Nd4jRuntime.init(1);
        String id = genome.getFileName().toString();
        byte[] bases = fastaBases(genome);
        // the rows vary one setting from this base (hierarchical, the mode the published table was taken with)
        ModelConfig base = ModelConfig.builder().globalMode(GlobalMode.HIERARCHICAL).build();
        int[] ids = Features.dnaKmers(bases, 0, bases.length, 0, base);
        int n = ids.length;
        long seed = BigBirdMemory.sequenceSeed(id);
        int d = base.dModel();
        double dense = 2.0 * (4.0 * d * d + 2.0 * d * base.ffnDim());         // QKV, W_o, FFN per layer
        int w = base.window();
        List<Row> rows = new ArrayList<>();
        for (LocalMode m : LocalMode.values()) {
            ModelConfig c = base.toBuilder().localMode(m).build();
            double attn = switch (m) {
                case SLIDING, DILATED -> 4.0 * (2 * w + 1) * d;
                case SINKS -> 4.0 * (2 * w + 1 + c.sinks()) * d;
                case LINFORMER -> 8.0 * c.linformerRank() * d;                 // scores+values, projections amortised
                case FULL -> 4.0 * n * d;
            };
            String formula = switch (m) {
                case SLIDING -> "4(2w+1)d";
                case DILATED -> "4(2w+1)d";
                case SINKS -> "4(2w+1+S)d";
                case LINFORMER -> "8kd";
                case FULL -> "4nd";
            };
            rows.add(new Row("local", lower(m), c, String.format(Locale.ROOT, "%s + dense = %,.0f", formula,
                    (attn + dense) * c.layers()), m == LocalMode.FULL ? "whole sequence"
                    : (c.leftHalo() + c.rightHalo() + c.sinkPrefix()) + " positions"));
        }
        double perBlock = 8.0 * d * d;                                            // q, k, v, W_go of one block
        for (GlobalMode g : GlobalMode.values()) {
            ModelConfig c = base.toBuilder().globalMode(g).build();
            rows.add(new Row("global", lower(g), c, globalFlops(c, n, perBlock), "-"));
        }
        for (Pooling p : Pooling.values()) {
            ModelConfig c = base.toBuilder().pooling(p).build();
            String f = switch (p) {
                case MEAN, MAX -> "d = " + d;
                case CONV -> "2d = " + 2 * d;
                case ATTENTION -> String.format(Locale.ROOT, "4d² = %,d", 4 * d * d);
            };
            rows.add(new Row("pooling", lower(p), c, f, "-"));
        }

        try (ChunkedModel warm = new ChunkedModel(base, WeightsInit.defaults(base, 42))) {
            warm.run(ids, n, false, p -> { }, seed);                              // JIT warm-up of the shared path
        }
        int[] head = java.util.Arrays.copyOf(ids, Math.min(n, prefix));
        StringBuilder md = new StringBuilder();
        List<String> csv = new ArrayList<>();
        csv.add("tier,mode,flops_per_position,positions_per_s,global_state_bytes,carried,rel_l2_vs_full_global,"
                + "cos_dist_vs_full_global,rel_l2_vs_full_local,cos_dist_vs_full_local");
        md.append("| tier | mode | FLOPs per position (formula = value at the defaults) | positions/s | global state"
                + " bytes | halo carried | vs full global: rel. L2 | 1 − cos | vs full local (first ")
                .append(String.format(Locale.ROOT, "%,d", head.length)).append("): rel. L2 | 1 − cos |\n")
                .append("|---|---|---|---:|---:|---|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            ModelConfig c = r.cfg();
            Weights wts = WeightsInit.defaults(c, 42);
            String speed = "-";
            String state = "-";
            double[] vsGlobal = {Double.NaN, Double.NaN};
            if (c.localMode() != LocalMode.FULL) {
                List<BlockResult> got;
                try (ChunkedModel model = new ChunkedModel(c, wts)) {
                    model.run(java.util.Arrays.copyOf(ids, Math.min(n, 32_768)), Math.min(n, 32_768), false, p -> { },
                            seed);                                               // warm-up
                    long t0 = System.nanoTime();
                    got = model.run(ids, n, false, p -> { }, seed).blocks();
                    speed = String.format(Locale.ROOT, "%,.0f", n / ((System.nanoTime() - t0) / 1e9));
                }
                state = String.format(Locale.ROOT, "%,d", stateBytes(c, wts, got, seed));
                ModelConfig refCfg = c.toBuilder().globalMode(GlobalMode.FULL).build();
                vsGlobal = errors(got, blocks(refCfg, WeightsInit.defaults(refCfg, 42), ids, n, seed));
            }
            ModelConfig denseCfg = c.toBuilder().localMode(LocalMode.FULL).build();
            double[] vsLocal = errors(blocks(c, wts, head, head.length, seed),
                    blocks(denseCfg, WeightsInit.defaults(denseCfg, 42), head, head.length, seed));
            String line = String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |", r.tier(),
                    r.mode(), r.flops(), speed, state, r.carried(), fmt(vsGlobal[0]), fmt(vsGlobal[1]),
                    fmt(vsLocal[0]), fmt(vsLocal[1]));
            System.out.println(line);
            md.append(line).append('\n');
            csv.add(String.join(",", r.tier(), r.mode(), '"' + r.flops() + '"', speed.replace(",", ""),
                    state.replace(",", ""), '"' + r.carried() + '"', fmt(vsGlobal[0]), fmt(vsGlobal[1]),
                    fmt(vsLocal[0]), fmt(vsLocal[1])));
        }
        md.append("\n").append(String.format(Locale.ROOT, "%s, %,d positions (%,d blocks of %d); defaults d = %d, h = %d,"
                        + " w = %d, L = %d, f = %d, C = %d, seeded default weights (seed 42), one thread. Host: %s; load"
                        + " average %s.%n", id, n, (n + base.blockSize() - 1) / base.blockSize(), base.blockSize(), d,
                base.heads(), w, base.layers(), base.ffnDim(), base.chunkSize(), Machine.describe(),
                Machine.loadAverage()));
        Files.createDirectories(out);
        Files.writeString(out.resolve("modes.md"), md);
        Files.write(out.resolve("modes.csv"), csv);
        System.out.print(md.substring(md.lastIndexOf("\n\n") + 2));
    }

    private static String globalFlops(ModelConfig c, int n, double perBlock) {
        int d = c.dModel();
        double b = c.blockSize();
        long blocks = (n + c.blockSize() - 1) / c.blockSize();
        double entries = switch (c.globalMode()) {
            case HIERARCHICAL -> c.levels() * (double) c.levelCapacity() + 1;      // at most
            case FULL -> blocks / 2.0;                                              // mean over the sequence
            case LINEAR -> 2.0 * c.linearFeatures();                                // φ(q), φ(k) and the m×d state
            case AXIAL -> c.blocksPerChunk() + blocks / 2.0 / c.blocksPerChunk();
            case BIGBIRD -> c.bigbirdWindow() + 1 + c.bigbirdGlobal() + c.bigbirdRandom();
            default -> Double.NaN;                                                  // a mode added since
        };
        String what = switch (c.globalMode()) {
            case HIERARCHICAL -> "M ≤ H(R+G−1)+1";
            case FULL -> "M = b (mean n/2B)";
            case LINEAR -> "M ≈ 2m";
            case AXIAL -> "M = C/B + b/(C/B)";
            case BIGBIRD -> "M = w+1+g+r";
            default -> "M = ?";
        };
        return String.format(Locale.ROOT, "(8d² + 4Md)/B, %s: %,.0f", what, (perBlock + 4.0 * entries * d) / b);
    }

    // the global memory's keyed state after the whole sequence: its blocks' summaries replayed through the tier
    private static long stateBytes(ModelConfig c, Weights wts, List<BlockResult> blocks, long seed) {
        GlobalTier tier = new GlobalTier(c, wts);
        BlockMemory mem = BlockMemory.create(c, seed);
        for (BlockResult b : blocks) {
            tier.step(mem, b.start(), b.end(), b.summary());
        }
        return mem.toState().toBytes().length;
    }

    private static List<BlockResult> blocks(ModelConfig c, Weights wts, int[] ids, int n, long seed) {
        try (ChunkedModel model = new ChunkedModel(c, wts)) {
            return model.run(ids, n, false, p -> { }, seed).blocks();
        }
    }

    // {mean ‖c − r‖/‖r‖, mean 1 − cos(c, r)} over the blocks
    static double[] errors(List<BlockResult> got, List<BlockResult> ref) {
        double rel = 0;
        double cos = 0;
        for (int b = 0; b < ref.size(); b++) {
            float[] x = got.get(b).context();
            float[] y = ref.get(b).context();
            double diff = 0;
            double nx = 0;
            double ny = 0;
            double dot = 0;
            for (int i = 0; i < y.length; i++) {
                diff += (x[i] - (double) y[i]) * (x[i] - (double) y[i]);
                nx += (double) x[i] * x[i];
                ny += (double) y[i] * y[i];
                dot += (double) x[i] * y[i];
            }
            rel += Math.sqrt(diff / ny);
            cos += 1 - dot / Math.sqrt(nx * ny);
        }
        return new double[] {rel / ref.size(), cos / ref.size()};
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : v == 0 ? "0" : String.format(Locale.ROOT, "%.2e", v);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    // the bases of a FASTA file's first record (upper-cased by the k-mer code's rules: lower case is kept as is)
    static byte[] fastaBases(Path fasta) throws java.io.IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        boolean seen = false;
        for (String line : Files.readAllLines(fasta, java.nio.charset.StandardCharsets.US_ASCII)) {
            if (line.startsWith(">")) {
                if (seen) {
                    break;
                }
                seen = true;
                continue;
            }
            b.writeBytes(line.trim().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        return b.toByteArray();
    }
}
