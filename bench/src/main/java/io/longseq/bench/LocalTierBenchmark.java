package io.longseq.bench;

import io.longseq.math.kernel.LocalTier;
import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.Weights;
import io.longseq.math.weights.WeightsInit;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Pointer;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * The local tier on one full chunk, single-threaded: C = 2048 core positions with L·w halo tokens on
 * each side (2176 positions computed), random non-zero weights, DNA 6-mer features.
 *
 * <p>JMH reports chunks/s and, from {@link Counters}, rates per second: {@code tokens} (core
 * positions/s), {@code usefulFlops} (FLOP/s counting only the band of 2w+1 keys per query, the core
 * positions and the GEMM work; divide by 1e9 for GFLOP/s), and {@code nativeHandles} (new JavaCPP native
 * objects per second — every ND4J data buffer or op context is one: zero when the per-chunk path reuses
 * its buffers and op contexts). With {@code -prof gc},
 * {@code gc.alloc.rate.norm} is the Java heap allocated per chunk. After each iteration a line
 * {@code stages, ms per chunk ...} gives that iteration's time per {@link LocalTier.Stage}, so a slow iteration or
 * fork shows where it lost the time (the host's noise, or one stage's compiled code), and a line {@code host gauge ...}
 * gives each measured iteration's useful GFLOP/s next to three measurements of the core taken right after it
 * ({@link HostGauge}, ~0.3 s, outside the measured time): the FMA peak of that moment (the kernels' vector shape),
 * a scalar FMA loop (the core's own speed) and an 8 MB copy (what the shared L3 and memory give it). Run through
 * {@code bench/run}; see docs/benchmarks.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "--add-modules=jdk.incubator.vector"})
@Threads(1)
public class LocalTierBenchmark {

    @Param({"128"})
    int d;
    @Param({"4"})
    int heads;
    @Param({"64"})
    int window;
    @Param({"1"})
    int layers;
    @Param({"2048"})
    int chunk;
    @Param({"512"})
    int ffn;
    @Param({"false"})
    boolean causal;
    /** true: the fused Vector-API band attention; false: ND4J's batched sliding-chunks products. */
    @Param({"true", "false"})
    boolean fusedAttention;

    private ModelConfig cfg;
    private LocalTier tier;
    private int[] ids;      // [n] feature ids of the chunk with its halos
    private float[] z;      // [C, d]
    private int n;
    private long first;

    /** Per-invocation counts that JMH turns into rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long chunks;
        public long tokens;
        public double usefulFlops;
        public long nativeHandles;
    }

    @Setup(Level.Trial)
    public void setUp() {
        Nd4jRuntime.init(1);
        System.setProperty("longseq.fusedAttention", Boolean.toString(fusedAttention));
        cfg = ModelConfig.builder().dModel(d).heads(heads).window(window).layers(layers).chunkSize(chunk)
                .ffnDim(ffn).causal(causal).build();
        Weights w = WeightsInit.random(cfg, 42, 1f);
        tier = new LocalTier(cfg, w);
        int halo = cfg.attentionHalo();
        n = halo + chunk + cfg.rightHalo();
        Random r = new Random(7);
        ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(cfg.nId());
        }
        z = new float[chunk * d];
        first = 1_000_000L - halo; // a chunk deep inside a sequence: core [1e6, 1e6 + C)
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        tier.close();
    }

    private long[] iterationStart;     // stage nanos at the start of the iteration
    private long iterationChunks;
    private long iterationNanos;       // System.nanoTime() at the start of the iteration
    private HostGauge gauge;

    @Setup(Level.Iteration)
    public void startIteration(IterationParams params) {
        if (gauge == null && params.getType() == IterationType.MEASUREMENT) {
            gauge = new HostGauge(0.1); // only now: see HostGauge on compiling vector loops during warm-up
        }
        iterationStart = tier.stageNanos();
        iterationChunks = 0;
        iterationNanos = System.nanoTime();
    }

    /** Prints where this iteration's time went: shows which stage a slow iteration or fork lost time in. */
    @TearDown(Level.Iteration)
    public void endIteration() {
        double seconds = (System.nanoTime() - iterationNanos) / 1e9;
        long[] now = tier.stageNanos();
        for (int i = 0; i < now.length; i++) {
            now[i] -= iterationStart[i];
        }
        System.out.println(stages(now, iterationChunks));
        if (gauge != null) {
            double useful = usefulFlopsPerToken(cfg) * chunk * iterationChunks / seconds / 1e9;
            double peak = gauge.fmaVector();
            System.out.printf(Locale.ROOT, "host gauge: this iteration %.1f useful GFLOP/s; right after it fma-%d %.1f"
                    + " GFLOP/s (the kernel at %.1f %% of it), %s%n", useful, HostGauge.VECTOR_BITS, peak,
                    100 * useful / peak, gauge.measure());
        }
    }

    /** Milliseconds per chunk by stage. */
    static String stages(long[] nanos, long chunks) {
        StringBuilder b = new StringBuilder("stages, ms per chunk over " + chunks + " chunks:");
        for (LocalTier.Stage s : LocalTier.Stage.values()) {
            if (nanos[s.ordinal()] > 0) {
                b.append(String.format(" %s %.3f", s, nanos[s.ordinal()] / 1e6 / Math.max(1, chunks)));
            }
        }
        return b.toString();
    }

    @Benchmark
    public float[] chunk(Counters counters) {
        long before = Pointer.totalCount();
        tier.forward(ids, first, n, first + cfg.attentionHalo(), first + cfg.attentionHalo() + chunk, z);
        counters.nativeHandles += Pointer.totalCount() - before;
        counters.tokens += chunk;
        counters.chunks++;
        iterationChunks++;
        counters.usefulFlops += usefulFlopsPerToken(cfg) * chunk;
        return z;
    }

    /**
     * FLOPs per core position that the model needs: Q, K, V and O projections (8d²), the FFN (4·d·f),
     * and scores plus weighted values over the band (4·d·(2w+1), or 4·d·(w+1) causal), per layer.
     * The 3w keys the sliding-chunks form computes, the halos and elementwise steps do not count.
     */
    public static double usefulFlopsPerToken(ModelConfig c) {
        double band = c.causal() ? c.window() + 1 : 2.0 * c.window() + 1;
        double perLayer = 8.0 * c.dModel() * c.dModel() + 4.0 * c.dModel() * c.ffnDim() + 4.0 * c.dModel() * band;
        return perLayer * c.layers();
    }
}
