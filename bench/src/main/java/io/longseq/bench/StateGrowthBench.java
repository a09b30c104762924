package io.longseq.bench;

import io.longseq.math.memory.BlockMemory;
import io.longseq.math.memory.GlobalTier;
import io.longseq.math.memory.MemoryState;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.Weights;
import io.longseq.math.weights.WeightsInit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * State per sequence against n (guarantee G4): the global tier alone ({@link GlobalTier#step}, the code the
 * keyed global-context operator runs) fed with synthetic block summaries (seeded Gaussian d-vectors), one
 * block per B = 256 positions, up to n = 10⁸ positions (390,625 blocks). At n = 10⁴, 10⁵, 10⁶, 10⁷, 10⁸ (after
 * ⌈n/B⌉ whole blocks: a partial last block would change nothing in the memory) it records the
 * keyed-state bytes {@code memory.toState().toBytes().length}, the entries a block attends to (M) and the time.
 *
 * <ul>
 *   <li>{@code hierarchical} (defaults R = 16, G = 8, H = 4): the state is fixed-size arrays, so the bytes must be
 *       the same at every n (G4: "the same size at 10⁶ and 10⁸ tokens");</li>
 *   <li>{@code full} with {@code maxBlocks} = {@code --full-cap} (default 8,192 blocks = 2,097,152 positions):
 *       the bytes grow linearly with n/B until the block that would pass the cap, which is refused with
 *       an {@link IllegalStateException}; its message is recorded, and a row at the cap itself shows the last
 *       size. FULL's per-block work is O(n/B·d), so the run stops there.</li>
 * </ul>
 * Usage: {@code bench/run state [--out DIR] [--full-cap BLOCKS] [--max-n N]}; writes {@code DIR/state-growth.csv}
 * and {@code DIR/state-growth.md} and prints the table.
 */
public final class StateGrowthBench {

    static final long[] NS = {10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L};

    private StateGrowthBench() {}

    record Row(String mode, long n, long blocks, String status, long stateBytes, long entries, double seconds,
               String note) {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of("bench/results");
        int fullCap = 1 << 13;
        long maxN = 100_000_000L;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--full-cap" -> fullCap = Integer.parseInt(args[++i]);
                case "--max-n" -> maxN = LongSequenceBench.size(args[++i]);
                default -> throw new IllegalArgumentException("usage: StateGrowthBench [--out DIR] [--full-cap BLOCKS]"
                        + " [--max-n N]");
            }
        }
        Files.createDirectories(out);
        String load0 = Machine.loadAverage();
        System.out.println("state growth: " + Machine.describe() + "; load average " + load0);
        List<Row> rows = new ArrayList<>();
        rows.addAll(run(GlobalMode.HIERARCHICAL, 1 << 30, maxN));
        rows.addAll(run(GlobalMode.FULL, fullCap, maxN));

        List<String> csv = new ArrayList<>();
        csv.add("mode,n,blocks,status,state_bytes,entries_per_block,seconds,note");
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%s; load average %s at start, %s at end. d = 128, B = 256;"
                + " hierarchical R = 16, G = 8, H = 4; full maxBlocks = %,d.%n%n", Machine.describe(), load0,
                Machine.loadAverage(), fullCap));
        md.append("| mode | n (positions) | blocks | state bytes | entries M | time (s, cumulative) | note |\n");
        md.append("|---|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            csv.add(Csv.line(List.of(r.mode(), r.n(), r.blocks(), r.status(), r.stateBytes(), r.entries(),
                    String.format(Locale.ROOT, "%.3f", r.seconds()), r.note())));
            md.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %s | %s | %.2f | %s |%n", r.mode(), r.n(),
                    r.blocks(), r.status().equals("ok") ? String.format(Locale.ROOT, "%,d", r.stateBytes())
                            : r.status(), r.entries() < 0 ? "–" : String.format(Locale.ROOT, "%,d", r.entries()),
                    r.seconds(), r.note()));
        }
        Files.write(out.resolve("state-growth.csv"), csv, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("state-growth.md"), md.toString(), StandardCharsets.UTF_8);
        System.out.println();
        System.out.print(md);
    }

    static List<Row> run(GlobalMode mode, int maxBlocks, long maxN) {
        ModelConfig cfg = ModelConfig.builder().dModel(128).globalMode(mode).maxBlocks(maxBlocks).build();
        Weights w = WeightsInit.defaults(cfg, 42);
        GlobalTier tier = new GlobalTier(cfg, w);
        BlockMemory mem = BlockMemory.create(cfg);
        int d = cfg.dModel();
        int bs = cfg.blockSize();
        String name = mode.name().toLowerCase(Locale.ROOT);
        SplittableRandom rnd = new SplittableRandom(7);
        float[] s = new float[d];
        List<Row> rows = new ArrayList<>();
        String refused = null;
        long t0 = System.nanoTime();
        long b = 0;
        for (long n : NS) {
            if (n > maxN) {
                break;
            }
            long target = (n + bs - 1) / bs;
            if (refused == null) {
                try {
                    for (; b < target; b++) {
                        for (int c = 0; c < d; c++) {
                            s[c] = (float) gaussian(rnd);
                        }
                        tier.step(mem, b * bs, (b + 1) * bs, s);
                    }
                } catch (IllegalStateException e) {
                    refused = e.getMessage();
                    double sec = (System.nanoTime() - t0) / 1e9;
                    MemoryState st = mem.toState();
                    rows.add(new Row(name, b * bs, b, "ok", st.toBytes().length, entries(cfg, b - 1), sec,
                            "at the cap: the last block accepted (block " + (b - 1) + ")"));
                    System.out.printf(Locale.ROOT, "%-12s cap reached at block %,d: %s%n", name, b, refused);
                }
            }
            double sec = (System.nanoTime() - t0) / 1e9;
            if (refused != null) {
                rows.add(new Row(name, n, target, "refused", -1, -1, sec, refused));
            } else {
                rows.add(new Row(name, n, target, "ok", mem.toState().toBytes().length, entries(cfg, target - 1),
                        sec, ""));
                System.out.printf(Locale.ROOT, "%-12s n=%,13d blocks=%,9d state=%,12d bytes  (%.1f s)%n", name, n,
                        target, rows.get(rows.size() - 1).stateBytes(), sec);
            }
        }
        return rows;
    }

    // entries block b attended to
    private static long entries(ModelConfig cfg, long b) {
        return cfg.globalMode() == GlobalMode.FULL ? b + 1
                : HierarchicalEntries.count(b, cfg.recent(), cfg.group(), cfg.levels());
    }

    // Box–Muller with SplittableRandom (java.util.Random's nextGaussian is synchronized and slower)
    private static double gaussian(SplittableRandom r) {
        double u = 1.0 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
