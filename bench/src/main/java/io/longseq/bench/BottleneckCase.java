package io.longseq.bench;

import io.longseq.bench.LongSequenceBench.Config;
import io.longseq.bench.LongSequenceBench.Options;
import io.longseq.math.features.Features;
import io.longseq.math.kernel.DenseLocalTier;
import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.memory.BlockMemory;
import io.longseq.math.memory.GlobalTier;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.ChunkedModel;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.LocalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.Weights;
import io.longseq.math.weights.WeightsInit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/** One case of the bottleneck table ({@link LongSequenceBench}): a configuration at n positions, run and measured in this JVM. */
final class BottleneckCase {

    private BottleneckCase() {}


    static ModelConfig config(Config c, long n, Options o) {
        ModelConfig.Builder b = ModelConfig.builder().dModel(128).heads(4);
        long blocks = (n + 255) / 256;
        int maxBlocks = (int) Math.min(Integer.MAX_VALUE, Math.max(1L << 20, blocks + 1));
        return switch (c) {
            case DENSE -> b.localMode(LocalMode.FULL).globalMode(GlobalMode.FULL).maxDensePositions(o.denseMax)
                    .maxBlocks(maxBlocks).build();
            case HIER -> b.globalMode(GlobalMode.HIERARCHICAL).build();
            case FULL -> b.globalMode(GlobalMode.FULL).maxBlocks(maxBlocks).build();
        };
    }

    /** Seeded random A/C/G/T, generated 1 MiB at a time (2 bits of a random long per base). */
    static byte[] randomBases(int n, long seed) {
        byte[] acgt = {'A', 'C', 'G', 'T'};
        byte[] out = new byte[n];
        SplittableRandom r = new SplittableRandom(seed);
        for (int from = 0; from < n; from += 1 << 20) {
            int to = Math.min(n, from + (1 << 20));
            long bits = 0;
            for (int i = from; i < to; i++) {
                if ((i & 31) == 0) {
                    bits = r.nextLong();
                }
                out[i] = acgt[(int) (bits & 3)];
                bits >>>= 2;
            }
        }
        return out;
    }

    /** Float32 bytes of the attention scores materialised at once by the local tier (see docs/benchmarks.md). */
    static long localScoreBytes(ModelConfig cfg, long n) {
        if (cfg.localMode() == LocalMode.FULL) {
            return 4L * n * n * cfg.heads();                              // the whole n×n matrix, every head
        }
        long rows = Math.min(n, (long) cfg.chunkSize() + cfg.attentionHalo() + cfg.rightHalo());
        long band = cfg.causal() ? cfg.window() + 1 : 2L * cfg.window() + 1;
        return 4L * rows * band * cfg.heads();                          // one chunk with halos, one layer
    }

    /** The most entries one block attends to over the first {@code blocks} blocks. */
    static long maxEntries(ModelConfig cfg, long blocks) {
        if (blocks == 0) {
            return 0;
        }
        return cfg.globalMode() == GlobalMode.FULL ? blocks
                : HierarchicalEntries.max(blocks, cfg.recent(), cfg.group(), cfg.levels());
    }

    private static final class BudgetExceeded extends RuntimeException {
        final long reached;

        BudgetExceeded(long reached) {
            super(null, null, false, false);
            this.reached = reached;
        }
    }

    static Map<String, Object> runCase(Config c, long nLong, Options o) {
        Map<String, Object> row = emptyRow(c, nLong);
        ModelConfig cfg = config(c, nLong, o);
        long blocks = (nLong + cfg.blockSize() - 1) / cfg.blockSize();
        row.put("local_score_bytes", localScoreBytes(cfg, nLong));
        row.put("global_score_bytes", 4 * maxEntries(cfg, blocks));
        row.put("global_entries_max", maxEntries(cfg, blocks));
        if (c == Config.DENSE) {
            try {
                DenseLocalTier.checkLength(cfg, nLong);
            } catch (IllegalArgumentException e) {
                row.put("status", "refused");
                row.put("note", oneLine(e.getMessage()));
                return row;
            }
        }
        if (nLong > Integer.MAX_VALUE - 8) {
            row.put("status", "error");
            row.put("note", "n = " + nLong + " does not fit ChunkedModel.run's int[] ids");
            return row;
        }
        int n = (int) nLong;
        byte[] bases = randomBases(n, o.seed);
        int[] ids = Features.dnaKmers(bases, cfg);                   // [n], 4 bytes per position
        bases = null;
        Nd4jRuntime.init(1);
        Weights w = WeightsInit.defaults(cfg, o.seed);
        // warm-up on another instance (closed after): at least 3 runs and 3 s, so the JIT has compiled the hot code
        int warm = Math.min(n, c == Config.DENSE ? 4096 : 16384);
        int[] warmIds = Arrays.copyOf(ids, warm);
        long warmEnd = System.nanoTime() + 3_000_000_000L;
        try (ChunkedModel m = new ChunkedModel(cfg, w)) {
            for (int k = 0; k < 3 || (System.nanoTime() < warmEnd && k < 100); k++) {
                m.run(warmIds, warm, false);
            }
        }
        warmIds = null;
        System.gc();
        try {
            Thread.sleep(1000);                                       // G1 gives the freed heap back meanwhile
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        row.put("rss_before_bytes", org.bytedeco.javacpp.Pointer.physicalBytes());

        // measured: one run, repeated (same instance, as a stream reuses its operator) while short, median wall
        long[] reached = {0};
        long deadline = System.nanoTime() + (long) (o.budget * 1e9);
        ChunkedModel.Result result = null;
        MemorySampler.Peaks peaks;
        List<Double> walls = new ArrayList<>();
        double cpu;
        try (MemorySampler sampler = new MemorySampler(5); ChunkedModel m = new ChunkedModel(cfg, w)) {
            long start = System.nanoTime();
            long cpu0 = processCpuNanos();
            do {
                long t0 = System.nanoTime();
                try {
                    result = m.run(ids, n, false, done -> {
                        reached[0] = done;
                        if (System.nanoTime() > deadline && done < n) {
                            throw new BudgetExceeded(done);
                        }
                    });
                } catch (BudgetExceeded e) {
                    reached[0] = e.reached;
                    result = null;
                }
                walls.add((System.nanoTime() - t0) / 1e9);
            } while (result != null && walls.size() < 20 && System.nanoTime() - start < 2_000_000_000L);
            cpu = (processCpuNanos() - cpu0) / 1e9 / walls.size();
            peaks = sampler.stop();                                   // result still referenced: its heap counts
        }
        List<Double> sorted = new ArrayList<>(walls);
        sorted.sort(null);
        double wall = result == null ? walls.get(walls.size() - 1) : sorted.get(sorted.size() / 2);
        row.put("reps", walls.size());
        row.put("cpu_s", fmt(cpu));
        row.put("wall_s", fmt(wall));
        row.put("positions_per_s", fmt(reached[0] / wall));
        row.put("peak_heap_used_bytes", peaks.heapUsed());
        row.put("peak_heap_after_gc_bytes", peaks.heapAfterGc());
        row.put("peak_rss_bytes", peaks.rss());
        row.put("peak_offheap_min_bytes", peaks.offHeap());
        row.put("peak_javacpp_bytes", peaks.javacpp());

        if (result == null) {
            // stopped by the budget: the state bytes of the blocks done (FULL's bytes depend only on the count)
            long done = (reached[0] + cfg.blockSize() - 1) / cfg.blockSize();
            BlockMemory mem = BlockMemory.create(cfg);
            float[] zero = new float[cfg.dModel()];
            for (long b = 0; b < done; b++) {
                mem.append(zero, zero, zero);
            }
            row.put("status", "budget");
            row.put("blocks", done);
            row.put("state_bytes", mem.toState().toBytes().length);
            row.put("global_entries_max", maxEntries(cfg, done));
            row.put("global_score_bytes", 4 * maxEntries(cfg, done));
            row.put("note", String.format(Locale.ROOT, "stopped by the %.0f s budget after %d of %d positions"
                    + " (%.1f %%); state and entries at that point", o.budget, reached[0], n, 100.0 * reached[0] / n));
            return row;
        }
        // replay the global tier alone over the run's summaries: its state bytes and its own time
        GlobalTier g = new GlobalTier(cfg, w);
        BlockMemory mem = BlockMemory.create(cfg);
        List<BlockResult> out = result.blocks();
        long r0 = System.nanoTime();
        BlockResult last = null;
        for (BlockResult br : out) {
            last = g.step(mem, br.start(), br.end(), br.summary());
        }
        double replay = (System.nanoTime() - r0) / 1e9;
        if (last != null && !Arrays.equals(last.context(), out.get(out.size() - 1).context())) {
            throw new IllegalStateException("the global tier's replay differs from the run: the state read would"
                    + " not be the run's");
        }
        row.put("status", "ok");
        row.put("blocks", out.size());
        row.put("state_bytes", mem.toState().toBytes().length);
        row.put("global_replay_s", fmt(replay));
        row.put("note", "");
        return row;
    }

    // CPU time of this process (every thread: the run's, the GC's, the sampler's)
    static long processCpuNanos() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }

    static Map<String, Object> emptyRow(Config c, long n) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (String col : LongSequenceBench.COLUMNS) {
            row.put(col, "");
        }
        row.put("config", c.id);
        row.put("n", n);
        row.put("load_avg", Machine.loadAverage());
        return row;
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

}
