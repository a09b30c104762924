package io.longseq.bench;

import io.longseq.math.kernel.LocalTier;
import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.WeightsInit;
import java.util.Random;
import org.bytedeco.javacpp.Pointer;

/**
 * Where one chunk's time goes, stage by stage ({@link LocalTier.Stage}), for the benchmark's shape
 * (d = 128, h = 4, w = 64, L = 1, C = 2048, f = 512, random weights), single-threaded. A profile, not a
 * benchmark: JMH's {@link LocalTierBenchmark} gives the figures to quote; this says why.
 *
 * <p>Usage: {@code java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar
 * io.longseq.bench.LocalTierProfile [chunks]}. Prints the wall and the thread-CPU time a chunk: on a busy host compare
 * the CPU times (stages are wall times).
 */
public final class LocalTierProfile {

    private LocalTierProfile() {}

    public static void main(String[] args) {
        int chunks = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Nd4jRuntime.init(1);
        ModelConfig cfg = ModelConfig.builder().build();
        try (LocalTier tier = new LocalTier(cfg, WeightsInit.random(cfg, 42, 1f))) {
            int halo = cfg.attentionHalo();
            int n = halo + cfg.chunkSize() + cfg.rightHalo();
            int[] ids = new int[n];                          // [n] 6-mer ids
            Random r = new Random(7);
            for (int i = 0; i < n; i++) {
                ids[i] = r.nextInt(cfg.nId());
            }
            float[] z = new float[cfg.chunkSize() * cfg.dModel()]; // [C, d]
            long first = 1_000_000L - halo;
            Runnable chunk = () -> tier.forward(ids, first, n, first + halo, first + halo + cfg.chunkSize(), z);
            for (int i = 0; i < chunks; i++) {
                chunk.run();                                  // warm-up: JIT and ND4J caches
            }
            long[] before = tier.stageNanos();
            long handles = Pointer.totalCount();
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpu0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            for (int i = 0; i < chunks; i++) {
                chunk.run();
            }
            double ms = (System.nanoTime() - t0) / 1e6 / chunks;
            double cpuMs = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6 / chunks;
            long[] after = tier.stageNanos();
            double gflops = LocalTierBenchmark.usefulFlopsPerToken(cfg) * cfg.chunkSize() / (ms * 1e6);
            System.out.printf("kernels %s, %d chunks: %.2f ms/chunk, %.0f tokens/s, %.1f useful GFLOP/s,"
                    + " %d new native handles%n", tier.kernelName(), chunks, ms, cfg.chunkSize() / ms * 1e3, gflops,
                    Pointer.totalCount() - handles);
            // on a busy host the thread's CPU time is the figure to compare (the wall time includes time descheduled)
            System.out.printf("thread CPU %.2f ms/chunk, %.1f useful GFLOP/s of CPU time%n", cpuMs,
                    LocalTierBenchmark.usefulFlopsPerToken(cfg) * cfg.chunkSize() / (cpuMs * 1e6));
            for (LocalTier.Stage s : LocalTier.Stage.values()) {
                double stageMs = (after[s.ordinal()] - before[s.ordinal()]) / 1e6 / chunks;
                System.out.printf("  %-16s %6.3f ms  %4.1f %%%n", s, stageMs, 100 * stageMs / ms);
            }
        }
    }
}
