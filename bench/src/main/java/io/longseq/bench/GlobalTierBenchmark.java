package io.longseq.bench;

import io.longseq.math.memory.BlockMemory;
import io.longseq.math.memory.GlobalTier;
import io.longseq.math.memory.MemoryState;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.Weights;
import io.longseq.math.weights.WeightsInit;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The global tier's kernel, one block at a time, single-threaded: {@link GlobalTier#step} (LN_g, q/k/v mat-vecs,
 * append to the memory, gather the entries, scores, softmax, weighted values, W_go, top-K) at d = 128 with random
 * non-zero weights ({@code WeightsInit.random}) and random Gaussian summaries.
 *
 * <p>{@code memory}: {@code HIERARCHICAL} — the default memory (R = 16, G = 8, H = 4) after 100,000 blocks, so the
 * running-mean prefix exists; it keeps stepping (state is bounded) and M(b) cycles between the partition's
 * bounds. {@code FULL:M} — every block its own entry, with exactly M entries at every measured step: before each
 * invocation (untimed) the memory is restored to M−2 blocks and one block is appended (so the measured append
 * never reallocates the arrays, as in a long-running stream where the doubling is amortised).
 *
 * <p>Counters (rates per second; divide by ops/s for per-step values): {@code usefulFlops} counts per step
 * LN 8d (mean, variance, normalise with gain and bias) + three d×d mat-vecs 6d² + scores 2Md + weighted sum 2Md +
 * output mat-vec 2d² = 8d + 8d² + 4Md FLOPs; softmax, top-K and copies are not counted. {@code entries} sums M,
 * so entries/ops is the mean M. {@link GlobalTierReport} turns the JMH CSV into GFLOP/s and the share of the FP32
 * peak that {@link FmaPeak} measures. Run through {@code bench/run global}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "--add-modules=jdk.incubator.vector"})
@Threads(1)
public class GlobalTierBenchmark {

    /** HIERARCHICAL, or FULL:M with M entries per step. */
    @Param({"HIERARCHICAL", "FULL:93", "FULL:1024", "FULL:16384"})
    String memory;
    @Param({"128"})
    int d;

    private ModelConfig cfg;
    private GlobalTier tier;
    private BlockMemory mem;
    private MemoryState saved;       // FULL: M−2 blocks
    private float[][] summaries;     // [P][d]
    private float[] extraK;
    private float[] extraV;
    private int fullEntries;         // FULL: M; HIERARCHICAL: 0
    private long invocations;
    private long entriesSum;

    /** Per-invocation counts that JMH turns into rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public double usefulFlops;
        public long entries;
    }

    @Setup(Level.Trial)
    public void setUp() {
        boolean full = memory.startsWith("FULL");
        fullEntries = full ? Integer.parseInt(memory.substring(memory.indexOf(':') + 1)) : 0;
        cfg = ModelConfig.builder().dModel(d).globalMode(full ? GlobalMode.FULL : GlobalMode.HIERARCHICAL)
                .maxBlocks(1 << 24).build();
        Weights w = WeightsInit.random(cfg, 42, 1f);
        tier = new GlobalTier(cfg, w);
        Random r = new Random(7);
        summaries = new float[257][d];
        for (float[] s : summaries) {
            for (int c = 0; c < d; c++) {
                s[c] = (float) r.nextGaussian();
            }
        }
        extraK = gaussian(r);
        extraV = gaussian(r);
        mem = BlockMemory.create(cfg);
        long prefill = full ? Math.max(0, fullEntries - 2) : 100_000;
        for (long b = 0; b < prefill; b++) {
            mem.append(gaussian(r), gaussian(r), gaussian(r));   // x, k, v (RETRIEVAL keeps x)
        }
        if (full) {
            if (fullEntries < 2) {
                throw new IllegalArgumentException("FULL:M needs M >= 2");
            }
            saved = mem.toState();
        }
    }

    private float[] gaussian(Random r) {
        float[] v = new float[d];
        for (int c = 0; c < d; c++) {
            v[c] = (float) r.nextGaussian();
        }
        return v;
    }

    @Setup(Level.Invocation)
    public void restore() {
        if (saved != null) {
            mem = BlockMemory.fromState(cfg, saved);
            mem.append(extraK, extraK, extraV);           // grows the arrays here, untimed
        }
    }

    @Benchmark
    public BlockResult step(Counters counters) {
        long b = mem.nextBlock();
        int m = fullEntries > 0 ? (int) b + 1 : HierarchicalEntries.count(b, cfg.recent(), cfg.group(), cfg.levels());
        BlockResult res = tier.step(mem, b * cfg.blockSize(), (b + 1) * cfg.blockSize(),
                summaries[(int) (b % summaries.length)]);
        counters.usefulFlops += usefulFlops(d, m);
        counters.entries += m;
        invocations++;
        entriesSum += m;
        return res;
    }

    @org.openjdk.jmh.annotations.TearDown(Level.Trial)
    public void report() {
        System.out.printf(java.util.Locale.ROOT, "%n[%s] mean entries per step M = %.1f over %d steps%n", memory,
                invocations == 0 ? 0.0 : (double) entriesSum / invocations, invocations);
    }

    /** 8d + 8d² + 4Md: LN, q/k/v and output mat-vecs, scores and weighted sum over M entries. */
    public static double usefulFlops(int d, long m) {
        return 8.0 * d + 8.0 * d * d + 4.0 * m * d;
    }
}
