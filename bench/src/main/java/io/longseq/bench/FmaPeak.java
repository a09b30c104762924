package io.longseq.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.incubator.vector.FloatVector;

/**
 * The machine's FP32 peak as this JVM can reach it: a Vector API FMA loop with 16 independent accumulators
 * (acc_i = acc_i·a + c; each FMA is 2 FLOPs per lane), long enough to hide the FMA latency on two FMA pipes
 * (Zen 4/5: 4-cycle latency, 2 pipes → at least 8 chains in flight). The accumulators converge to c/(1−a), so
 * nothing overflows or goes subnormal, and their sum is printed so the JIT cannot drop the loop.
 *
 * <p>Run with {@code --add-modules=jdk.incubator.vector} ({@code bench/run peak}). Prints GFLOP/s for 512-bit
 * vectors (AVX-512; C2 needs {@code UseAVX=3}, the default on a CPU that has it) and 256-bit vectors (AVX2, 10
 * chains: see {@link #loop256}), single thread, and for the preferred shape on every core at once. The peak it
 * reports ({@code PEAK_GFLOPS_1T}) is the preferred shape's: on an AVX2-only CPU the 512-bit loop runs in the
 * Vector API's Java fallback at ~1 GFLOP/s, which is no peak.
 *
 * <p>Each figure is the best of {@code reps} timed runs of about {@code seconds}/reps after a warm-up — the best,
 * because on a shared machine other processes only ever make the loop slower. Single-thread figures are given
 * twice: FLOPs over wall time, and FLOPs over the thread's CPU time ({@code ThreadMXBean}), which leaves out the
 * time the scheduler gave the core to other processes; the second is the core's peak and the one printed as
 * {@code PEAK_GFLOPS_1T} (on a quiet machine they agree). Usage: {@code FmaPeak [seconds per measurement, default
 * 3] [reps, default 5]}.
 */
public final class FmaPeak {

    private static final int CHAINS = 16;      // loop512
    private static final int CHAINS_256 = 10;  // loop256
    private static final boolean PREFERRED_512 = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private FmaPeak() {}

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.println("FMA peak: " + Machine.describe());
        System.out.println("load average before: " + Machine.loadAverage());
        System.out.println("preferred species: " + FloatVector.SPECIES_PREFERRED + "; " + CHAINS + " (512-bit) and "
                + CHAINS_256 + " (256-bit) independent accumulator chains; best of " + reps + " runs");
        // warm-up: C2 compiles both loops (OSR and normal)
        for (int i = 0; i < 20; i++) {
            loop512(200_000);
            loop256(200_000);
        }
        double[] g512 = best(FmaPeak::loop512, FmaPeak::flops512, seconds, reps);
        double[] g256 = best(FmaPeak::loop256, FmaPeak::flops256, seconds, reps);
        int cores = Runtime.getRuntime().availableProcessors();
        double all = allCores(cores, seconds, reps);
        System.out.println("                                          by wall time   by thread CPU time");
        String native512 = PREFERRED_512 ? "" : "  (not native here: the Vector API's Java fallback)";
        System.out.printf(Locale.ROOT, "fp32 FMA, 512-bit (AVX-512), 1 thread : %7.1f GFLOP/s  %7.1f GFLOP/s%s%n",
                g512[0], g512[1], native512);
        System.out.printf(Locale.ROOT, "fp32 FMA, 256-bit (AVX2),    1 thread : %7.1f GFLOP/s  %7.1f GFLOP/s%n",
                g256[0], g256[1]);
        System.out.printf(Locale.ROOT, "fp32 FMA, %d-bit, %d threads        : %7.1f GFLOP/s  (wall time)%n",
                PREFERRED_512 ? 512 : 256, cores, all);
        System.out.println("load average after: " + Machine.loadAverage());
        // the peak a kernel is compared with: what one core does when it runs (CPU time), not what the
        // shared machine happened to leave to this thread, with the vector shape the kernels use
        System.out.printf(Locale.ROOT, "PEAK_GFLOPS_1T=%.1f%n", PREFERRED_512 ? g512[1] : g256[1]);
    }

    interface Loop {
        float run(long iters);
    }

    // best GFLOP/s of reps runs of ~seconds/reps each: {by wall time, by the thread's CPU time}
    private static double[] best(Loop loop, java.util.function.LongToDoubleFunction flops, double seconds,
                                 int reps) {
        long iters = calibrate(loop, seconds / reps);
        double best = 0;
        double bestCpu = 0;
        float sink = 0;
        for (int r = 0; r < reps; r++) {
            long c0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            sink += loop.run(iters);
            double s = (System.nanoTime() - t0) / 1e9;
            double cpu = (THREADS.getCurrentThreadCpuTime() - c0) / 1e9;
            best = Math.max(best, flops.applyAsDouble(iters) / s / 1e9);
            bestCpu = Math.max(bestCpu, flops.applyAsDouble(iters) / cpu / 1e9);
        }
        if (sink == 42.4242f) {
            System.out.println(sink);
        }
        return new double[] {best, bestCpu};
    }

    // the loop's count for ~seconds, from a run of more than 0.2 s (HostGauge sizes its runs with it too)
    static long calibrate(Loop loop, double seconds) {
        long iters = 1_000_000;
        while (true) {
            long t0 = System.nanoTime();
            loop.run(iters);
            double s = (System.nanoTime() - t0) / 1e9;
            if (s > 0.2) {
                return Math.max(1, (long) (iters * seconds / s));
            }
            iters *= 4;
        }
    }

    // FLOPs of a loop of CHAINS (16) chains over `lanes` lanes: loop512, and HostGauge's scalar loop (1 lane)
    static double flops(long iters, int lanes) {
        return 2.0 * lanes * CHAINS * iters;
    }

    private static double allCores(int threads, double seconds, int reps) throws Exception {
        long iters = calibrate(FmaPeak::loopPreferred, seconds / reps);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            double best = 0;
            for (int r = 0; r < reps; r++) {
                List<Callable<Float>> tasks = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    tasks.add(() -> loopPreferred(iters));
                }
                long t0 = System.nanoTime();
                List<Future<Float>> fs = pool.invokeAll(tasks);
                for (Future<Float> f : fs) {
                    f.get();
                }
                double s = (System.nanoTime() - t0) / 1e9;
                best = Math.max(best, threads * flopsPreferred(iters) / s / 1e9);
            }
            return best;
        } finally {
            pool.shutdown();
        }
    }

    static float loop512(long iters) {
        var sp = FloatVector.SPECIES_512;
        FloatVector a = FloatVector.broadcast(sp, 0.999999f);
        FloatVector c = FloatVector.broadcast(sp, 1e-6f);
        FloatVector x0 = FloatVector.broadcast(sp, 0.01f), x1 = FloatVector.broadcast(sp, 0.02f);
        FloatVector x2 = FloatVector.broadcast(sp, 0.03f), x3 = FloatVector.broadcast(sp, 0.04f);
        FloatVector x4 = FloatVector.broadcast(sp, 0.05f), x5 = FloatVector.broadcast(sp, 0.06f);
        FloatVector x6 = FloatVector.broadcast(sp, 0.07f), x7 = FloatVector.broadcast(sp, 0.08f);
        FloatVector x8 = FloatVector.broadcast(sp, 0.09f), x9 = FloatVector.broadcast(sp, 0.10f);
        FloatVector x10 = FloatVector.broadcast(sp, 0.11f), x11 = FloatVector.broadcast(sp, 0.12f);
        FloatVector x12 = FloatVector.broadcast(sp, 0.13f), x13 = FloatVector.broadcast(sp, 0.14f);
        FloatVector x14 = FloatVector.broadcast(sp, 0.15f), x15 = FloatVector.broadcast(sp, 0.16f);
        for (long i = 0; i < iters; i++) {
            x0 = x0.fma(a, c); x1 = x1.fma(a, c); x2 = x2.fma(a, c); x3 = x3.fma(a, c);
            x4 = x4.fma(a, c); x5 = x5.fma(a, c); x6 = x6.fma(a, c); x7 = x7.fma(a, c);
            x8 = x8.fma(a, c); x9 = x9.fma(a, c); x10 = x10.fma(a, c); x11 = x11.fma(a, c);
            x12 = x12.fma(a, c); x13 = x13.fma(a, c); x14 = x14.fma(a, c); x15 = x15.fma(a, c);
        }
        return x0.add(x1).add(x2).add(x3).add(x4).add(x5).add(x6).add(x7).add(x8).add(x9).add(x10).add(x11)
                .add(x12).add(x13).add(x14).add(x15).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    // 10 chains, not 16: AVX2 has 16 vector registers, and 16 chains plus the two constants spilled (measured on a
    // Zen 3 core: 62-73 against 80-84 GFLOP/s); 10 still cover the FMA latency of two pipes (4-5 cycles each)
    static float loop256(long iters) {
        var sp = FloatVector.SPECIES_256;
        FloatVector a = FloatVector.broadcast(sp, 0.999999f);
        FloatVector c = FloatVector.broadcast(sp, 1e-6f);
        FloatVector x0 = FloatVector.broadcast(sp, 0.01f), x1 = FloatVector.broadcast(sp, 0.02f);
        FloatVector x2 = FloatVector.broadcast(sp, 0.03f), x3 = FloatVector.broadcast(sp, 0.04f);
        FloatVector x4 = FloatVector.broadcast(sp, 0.05f), x5 = FloatVector.broadcast(sp, 0.06f);
        FloatVector x6 = FloatVector.broadcast(sp, 0.07f), x7 = FloatVector.broadcast(sp, 0.08f);
        FloatVector x8 = FloatVector.broadcast(sp, 0.09f), x9 = FloatVector.broadcast(sp, 0.10f);
        for (long i = 0; i < iters; i++) {
            x0 = x0.fma(a, c); x1 = x1.fma(a, c); x2 = x2.fma(a, c); x3 = x3.fma(a, c); x4 = x4.fma(a, c);
            x5 = x5.fma(a, c); x6 = x6.fma(a, c); x7 = x7.fma(a, c); x8 = x8.fma(a, c); x9 = x9.fma(a, c);
        }
        return x0.add(x1).add(x2).add(x3).add(x4).add(x5).add(x6).add(x7).add(x8).add(x9)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    /**
     * The loop of the CPU's preferred vector shape (the one the kernels use): 512-bit where AVX-512 is native,
     * else 256-bit. Only that loop's vector class is loaded, so a benchmark that calls this between its
     * iterations adds no second FloatVector shape to the JIT's type profiles (docs/benchmarks.md, "Profile
     * pollution").
     */
    static float loopPreferred(long iters) {
        return PREFERRED_512 ? loop512(iters) : loop256(iters);
    }

    /** FLOPs of {@link #loopPreferred} for {@code iters} iterations. */
    static double flopsPreferred(long iters) {
        return PREFERRED_512 ? flops512(iters) : flops256(iters);
    }

    static double flops512(long iters) {
        return flops(iters, 16);
    }

    static double flops256(long iters) {
        return 2.0 * 8 * CHAINS_256 * iters;
    }
}
