package io.longseq.bench;

import io.longseq.math.features.Features;
import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.memory.BlockMemory;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.ChunkedModel;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.model.Strand;
import io.longseq.math.model.TopEntry;
import io.longseq.math.weights.WeightsInit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Top-1 recall of planted far repeats on real sequence (issue 23), per global mode and distance.
 *
 * <p>Host: the longest record of a real genome (default C. elegans, 1,009,800 bp). Into it go pairs of copies of real
 * segments of {@code --length} bp taken from other genomes (human mitochondrion, yeast chromosome I): the first copy
 * exact, the second {@code gap} positions after the first one's end, forward or reverse-complemented, with seeded
 * point substitutions at a given rate. Distances 10^3, 10^4, 10^5 (three pairs each), 3·10^5 (three), 10^6 (one:
 * the host holds no more). One host sequence per (strand, mutation rate); every mode runs on the same sequences
 * with the default weights (seed 42, as `offline`).
 *
 * <p>Recall: of the blocks lying wholly inside a second copy, the share whose top-1 entry overlaps the first copy's
 * blocks, where top-1 is the first of the block's top-K entries (K = {@code --top-k}, 16) that is at most 8 blocks
 * wide and does not touch the block's immediate neighbours b ± 1. State bytes: the memory's {@code MemoryState} bytes
 * after the sequence's number of blocks (random keys: the size depends on the block count, not on the content).
 * Positions/s: the sequence's length over the wall time of {@code ChunkedModel.run}, one thread; and over that
 * thread's CPU time (ND4J runs on the calling thread here), which a machine loaded by other work disturbs less.
 * {@code --strands forward,both} runs each case with {@code Strand.FORWARD} and {@code Strand.BOTH};
 * {@code canonical} (a design study, not an option of the job) runs forward search on canonical k-mers
 * min(kmer, reverse complement).
 *
 * <p>Many pairs: {@code --pairs N} replaces the fixed layout by N pairs per gap of {@code --layout} (a list of gaps),
 * placed by {@link PairLayout} (seeded; copies at least 512 bp apart; each pair its own window of the sources).
 * {@code --cases fwd-forward,rc-both} runs only those planted-search combinations (fwd|rc planted, forward|both|
 * canonical search), each at every rate, instead of the default cases and {@code --strands}. With either option each
 * cell reads recall [90 % interval] (blocks / pairs), the interval by {@link PairBootstrap} over whole pairs
 * ({@code --bootstrap} resamples, 1000), and a second table gives each rev-comp row's recall over the forward-copies,
 * forward-search row's at the same rate and mode, pairs resampled jointly. Without them the output is as before.
 * {@code --pairs-out FILE} writes one CSV line per run and pair: where the pair lies, its hits and blocks.
 */
public final class RecallBench {

    private static final long SEED = 23;      // segments, places, substitutions, bootstrap
    private static final int MARGIN = 512;    // --pairs: positions at least between any two copies (2 blocks)

    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    private static final long[][] LAYOUT = {     // {gap, first copy's start of pair 0, spacing, pairs}
        {1_000, 400_000, 20_000, 3}, {10_000, 200_000, 30_000, 3}, {100_000, 20_000, 10_000, 3},
        {300_000, 500_000, 10_000, 3}, {1_000_000, 1_000, 0, 1},
        // far rows, planted only when --layout names them (a host of 11.3 Mbp or more, e.g. D. melanogaster chr2R)
        {3_000_000, 1_100_000, 20_000, 2}, {10_000_000, 1_200_000, 20_000, 2}};
    private static final int DEFAULT_ROWS = 5;

    public static void main(String[] args) throws IOException {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("--host", "/work/shared/data/genomes/celegans_ce_1Mb.fa");
        o.put("--sources", "/work/shared/data/genomes/human_mito_NC_001807.fa,/work/shared/data/genomes/yeast_chrI.fa");
        o.put("--length", "4000");
        o.put("--rates", "0,0.01,0.05");
        o.put("--modes", "hierarchical,retrieval,full");
        o.put("--top-k", "16");
        o.put("--out", "");
        o.put("--retrieval-bits", "4");
        o.put("--retrieval-slots", Integer.toString(ModelConfig.builder().build().retrievalSlots()));
        o.put("--retrieval-recent", Integer.toString(ModelConfig.builder().build().retrievalRecent()));
        o.put("--retrieval-sketches", Integer.toString(ModelConfig.builder().build().retrievalSketches()));
        o.put("--retrieval-candidates", Integer.toString(ModelConfig.builder().build().retrievalCandidates()));
        o.put("--strands", "forward");   // searches: forward, both (Strand.BOTH), canonical (design study only)
        o.put("--layout", "all");        // all (the first five rows), or the gaps to plant, e.g. 1000,100000,10000000
        o.put("--host-length", "0");     // > 0: only the host's first N bases
        o.put("--pairs", "0");           // > 0: N pairs per gap of --layout, placed by PairLayout (not LAYOUT)
        o.put("--cases", "");            // planted-search at every rate, e.g. fwd-forward,rc-both (overrides --strands)
        o.put("--bootstrap", "1000");    // resamples of whole pairs for the intervals (with --pairs or --cases)
        o.put("--pairs-out", "");        // a CSV file: one line per run and pair (where it lies, hits, blocks)
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!o.containsKey(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; known: " + o.keySet());
            }
            o.put(args[i], args[i + 1]);
        }
        byte[] host = longestRecord(Path.of(o.get("--host")));
        long hostLength = Long.parseLong(o.get("--host-length"));
        if (hostLength > 0 && hostLength < host.length) {
            host = java.util.Arrays.copyOf(host, (int) hostLength);
        }
        List<byte[]> sources = new ArrayList<>();
        for (String s : o.get("--sources").split(",")) {
            sources.add(longestRecord(Path.of(s)));
        }
        int length = Integer.parseInt(o.get("--length"));
        int topK = Integer.parseInt(o.get("--top-k"));
        ModelConfig base = ModelConfig.builder().topK(topK).maxBlocks(1 << 20)
                .retrievalBits(Integer.parseInt(o.get("--retrieval-bits")))
                .retrievalSlots(Integer.parseInt(o.get("--retrieval-slots")))
                .retrievalRecent(Integer.parseInt(o.get("--retrieval-recent")))
                .retrievalSketches(Integer.parseInt(o.get("--retrieval-sketches")))
                .retrievalCandidates(Integer.parseInt(o.get("--retrieval-candidates"))).build();
        Nd4jRuntime.init(1);
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "host %s (%,d bp), segments of %,d bp from %s; B = %d, top-K = %d;"
                        + " retrieval: 2^%d buckets x %d slots (%d recent), %d sketches, %d candidates%n%n",
                Path.of(o.get("--host")).getFileName(),
                host.length, length, o.get("--sources").replaceAll("[^,]*/", ""), base.blockSize(), topK,
                base.retrievalBits(), base.retrievalSlots(), base.retrievalRecent(), base.retrievalSketches(),
                base.retrievalCandidates()));
        List<String> modes = List.of(o.get("--modes").split(","));
        int pairsPerGap = Integer.parseInt(o.get("--pairs"));
        boolean wide = pairsPerGap > 0 || !o.get("--cases").isEmpty();   // cells with pairs, intervals and ratios
        int resamples = Integer.parseInt(o.get("--bootstrap"));
        List<RecallCases.Run> runs = RecallCases.runs(o.get("--rates"), o.get("--strands"), o.get("--cases"));
        List<String> strands = new ArrayList<>();                          // the searches run, in order
        for (RecallCases.Run run : runs) {
            run.searches().stream().filter(s -> !strands.contains(s)).forEach(strands::add);
        }
        List<Long> gaps = new ArrayList<>();
        List<PairLayout.Placement> placements;
        if (pairsPerGap > 0) {
            for (String g : (o.get("--layout").equals("all") ? "1000,10000,100000,300000,1000000"
                    : o.get("--layout")).split(",")) {
                gaps.add(Long.parseLong(g.trim()));
            }
            placements = PairLayout.generate(gaps.stream().mapToLong(Long::longValue).toArray(), pairsPerGap,
                    host.length, sources, length, MARGIN, SEED);
            md.append(String.format(Locale.ROOT, "layout: %d pairs per gap (PairLayout, seed %d, copies >= %d bp"
                    + " apart); each cell: recall [90 %% interval, %d bootstrap resamples of whole pairs]"
                    + " (blocks / pairs)%n%n", pairsPerGap, SEED, MARGIN, resamples));
        } else {
            List<Integer> layout = new ArrayList<>();
            for (int i = 0; i < LAYOUT.length; i++) {
                if (o.get("--layout").equals("all") ? i < DEFAULT_ROWS : List.of(o.get("--layout").split(","))
                        .contains(Long.toString(LAYOUT[i][0]))) {
                    layout.add(i);
                    gaps.add(LAYOUT[i][0]);
                }
            }
            placements = fixedLayout(sources, length, SEED, layout, host.length);
            if (wide) {
                md.append(String.format(Locale.ROOT, "each cell: recall [90 %% interval, %d bootstrap resamples of"
                        + " whole pairs] (blocks / pairs)%n%n", resamples));
            }
        }
        Map<String, double[]> speed = new LinkedHashMap<>();   // mode / search -> {positions, nanos}
        Map<String, int[][]> perPair = new LinkedHashMap<>();  // rate / planted / search / mode -> [pair] {hits, blocks}
        StringBuilder csv = new StringBuilder("planted,rate,search,mode,gap,pair,source,source_start,first,second,hits,"
                + "blocks\n");
        md.append("| planted | mutations | search | mode |");
        for (long gap : gaps) {
            md.append(String.format(Locale.ROOT, " gap %.0e |", (double) gap));
        }
        md.append("\n|---|---|---|---|");
        md.append("---|".repeat(gaps.size())).append('\n');
        warmUp(base, host);
        for (RecallCases.Run run : runs) {
            boolean reverse = run.reverse();
            double rate = run.rate();
            byte[] seq = host.clone();
            plant(seq, sources, length, reverse, rate, SEED, placements);
            int[] forwardIds = Features.dnaKmers(seq, 0, seq.length, 0, base);
            for (String search : run.searches())
            for (String mode : modes) {
                ModelConfig cfg = base.toBuilder().globalMode(GlobalMode.valueOf(mode.toUpperCase(Locale.ROOT)))
                        .strand(search.equals("both") ? Strand.BOTH : Strand.FORWARD).build();
                int[] ids = search.equals("canonical") ? canonical(forwardIds, cfg) : forwardIds;
                List<BlockResult> blocks;
                long c0 = CPU.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                try (ChunkedModel model = new ChunkedModel(cfg, WeightsInit.defaults(cfg, 42))) {
                    blocks = model.run(ids, seq.length, false).blocks();
                }
                long nanos = System.nanoTime() - t0;
                double[] s = speed.computeIfAbsent(mode + " / " + search, x -> new double[3]);
                s[0] += seq.length;
                s[1] += nanos;
                s[2] += CPU.getCurrentThreadCpuTime() - c0;
                int[][] hits = new int[placements.size()][2];
                for (int p = 0; p < hits.length; p++) {
                    count(blocks, placements.get(p), length, cfg.blockSize(), hits[p]);
                }
                perPair.put(RecallCases.key(rate, reverse, search, mode), hits);
                for (int p = 0; p < hits.length; p++) {
                    PairLayout.Placement q = placements.get(p);
                    csv.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%d,%d,%d,%d,%d,%d,%d,%d%n", reverse ? "rev-comp"
                            : "forward", rate, search, mode, q.gap(), p, q.source(), q.sourceStart(), q.first(),
                            q.second(), hits[p][0], hits[p][1]));
                }
                md.append(String.format(Locale.ROOT, "| %s | %.0f %% | %s | %s |", reverse ? "rev-comp" : "forward",
                        rate * 100, search, mode));
                for (long gap : gaps) {
                    int[][] cell = RecallRatios.ofGap(hits, placements, gap);
                    int[] sum = new int[2];
                    for (int[] h : cell) {
                        sum[0] += h[0];
                        sum[1] += h[1];
                    }
                    if (wide) {
                        double[] ci = PairBootstrap.interval(cell, resamples, 0.9, SEED);
                        md.append(String.format(Locale.ROOT, " %.2f [%.2f, %.2f] (%d / %d) |",
                                PairBootstrap.recall(cell), ci[0], ci[1], sum[1], cell.length));
                    } else {
                        md.append(String.format(Locale.ROOT, " %.2f (%d) |", sum[0] / (double) Math.max(1, sum[1]),
                                sum[1]));
                    }
                }
                md.append('\n');
                System.err.println(md.substring(md.lastIndexOf("\n", md.length() - 2) + 1).trim()
                        + String.format(Locale.ROOT, "  %.1f s", nanos / 1e9));
            }
        }
        if (wide) {
            RecallRatios.table(md, runs, modes, gaps, placements, perPair, resamples, SEED);
        }
        md.append("\n| mode | search | state bytes per sequence (").append(String.format(Locale.ROOT, "%,d", host.length))
                .append(" positions) | positions/s (wall) | positions per CPU second (one thread) | vs forward (CPU) |\n")
                .append("|---|---|---|---|---|---|\n");
        for (String mode : modes) {
            ModelConfig cfg = base.toBuilder().globalMode(GlobalMode.valueOf(mode.toUpperCase(Locale.ROOT))).build();
            double[] f = speed.get(mode + " / forward");
            for (String search : strands) {
                double[] s = speed.get(mode + " / " + search);
                md.append(String.format(Locale.ROOT, "| %s | %s | %,d | %,.0f | %,.0f | %s |%n", mode, search,
                        stateBytes(cfg, (host.length + cfg.blockSize() - 1) / cfg.blockSize()), s[0] / (s[1] / 1e9),
                        s[0] / (s[2] / 1e9),
                        f == null ? "" : String.format(Locale.ROOT, "%.2f", (s[0] / s[2]) / (f[0] / f[2]))));
            }
        }
        md.append("\nHost: ").append(Machine.describe()).append('\n');
        System.out.println(md);
        if (!o.get("--out").isEmpty()) {
            Files.writeString(Path.of(o.get("--out")), md.toString());
        }
        if (!o.get("--pairs-out").isEmpty()) {
            Files.writeString(Path.of(o.get("--pairs-out")), csv.toString());
        }
    }

    // blocks wholly inside the second copy: {hits, counted} += ...
    private static void count(List<BlockResult> blocks, PairLayout.Placement p, int length, int bs, int[] hit) {
        long srcFirst = p.first() / bs;
        long srcLast = (p.first() + length - 1) / bs;
        for (long b = (p.second() + bs - 1) / bs; (b + 1) * bs <= (long) p.second() + length; b++) {
            hit[1]++;
            for (TopEntry t : blocks.get((int) b).top()) {
                if (t.lastBlock() - t.firstBlock() + 1 > 8 || (t.lastBlock() >= b - 1 && t.firstBlock() <= b + 1)) {
                    continue;
                }
                if (t.lastBlock() >= srcFirst && t.firstBlock() <= srcLast) {
                    hit[0]++;
                }
                break;
            }
        }
    }

    // the fixed LAYOUT's rows: first copies on a grid, segments at seeded random places of the sources
    private static List<PairLayout.Placement> fixedLayout(List<byte[]> sources, int length, long seed, List<Integer> rows,
                                                          int hostLength) {
        Random r = new Random(seed);                    // where the segments come from: the same in every case
        List<PairLayout.Placement> out = new ArrayList<>();
        int t = 0;
        for (int row : rows) {
            long[] l = LAYOUT[row];
            for (int i = 0; i < l[3]; i++, t++) {
                int from = t % sources.size();
                int at = r.nextInt(sources.get(from).length - length);
                int src = (int) (l[1] + i * l[2]);
                int dst = (int) (src + length + l[0]);
                if (dst + length > hostLength) {
                    throw new IllegalArgumentException("the host of " + hostLength + " bp is too short for a gap of "
                            + l[0] + " after position " + src);
                }
                out.add(new PairLayout.Placement(l[0], from, at, src, dst));
            }
        }
        return out;
    }

    // plants the pairs into seq; the first copy exact, the second mutated (and reverse-complemented)
    static void plant(byte[] seq, List<byte[]> sources, int length, boolean reverse, double rate, long seed,
                              List<PairLayout.Placement> pairs) {
        Random mutate = new Random(seed ^ Double.doubleToLongBits(rate));
        for (PairLayout.Placement p : pairs) {
            byte[] from = sources.get(p.source());
            int at = p.sourceStart();
            System.arraycopy(from, at, seq, p.first(), length);
            for (int j = 0; j < length; j++) {
                byte base = reverse ? complement(from[at + length - 1 - j]) : from[at + j];
                if (rate > 0 && mutate.nextDouble() < rate) {
                    base = substitute(base, mutate);
                }
                seq[p.second() + j] = base;
            }
        }
    }

    // design study (a): every k-mer id replaced by min(id, its reverse complement's id), a strand-symmetric feature
    private static int[] canonical(int[] ids, ModelConfig cfg) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.min(ids[i], Features.reverseComplementKmer(ids[i], cfg));
        }
        return out;
    }

    private static byte substitute(byte base, Random r) {
        byte[] acgt = {'A', 'C', 'G', 'T'};
        byte out;
        do {
            out = acgt[r.nextInt(4)];
        } while (out == base);
        return out;
    }

    private static byte complement(byte b) {
        return switch (b) {
            case 'A' -> 'T';
            case 'C' -> 'G';
            case 'G' -> 'C';
            case 'T' -> 'A';
            default -> 'N';
        };
    }

    private static long stateBytes(ModelConfig cfg, long blocks) {
        BlockMemory m = BlockMemory.create(cfg);
        Random r = new Random(1);
        float[] k = new float[cfg.dModel()];
        for (long b = 0; b < blocks; b++) {
            for (int c = 0; c < k.length; c++) {
                k[c] = (float) r.nextGaussian();
            }
            m.append(k, k, k);   // x, k, v: RETRIEVAL keeps x
        }
        return m.toState().toBytes().length;
    }

    private static void warmUp(ModelConfig cfg, byte[] host) {
        int n = Math.min(host.length, 200_000);
        int[] ids = Features.dnaKmers(host, 0, n, 0, cfg);
        try (ChunkedModel model = new ChunkedModel(cfg, WeightsInit.defaults(cfg, 42))) {
            model.run(ids, n, false);
        }
    }

    // the longest record of a FASTA file, upper case
    static byte[] longestRecord(Path fasta) throws IOException {
        List<String> lines = Files.readAllLines(fasta);
        StringBuilder best = new StringBuilder();
        StringBuilder cur = new StringBuilder();
        for (String line : lines) {
            if (line.startsWith(">")) {
                if (cur.length() > best.length()) {
                    best = cur;
                }
                cur = new StringBuilder();
            } else {
                cur.append(line.trim());
            }
        }
        if (cur.length() > best.length()) {
            best = cur;
        }
        return best.toString().toUpperCase(Locale.ROOT).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
