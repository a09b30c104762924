package io.longseq.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * Short measurements of what this core can do right now, for a benchmark to take between its iterations, so that
 * a slow iteration can be told apart: the host slowing the core, or the host crowding the shared caches.
 * <ul>
 *   <li><b>FMA-512</b> (FMA-256 on an AVX2 CPU): {@link FmaPeak#loopPreferred}, the loop of the vector shape the
 *   kernels use: the FP32 peak at this moment (the clock under vector load varies with the host's other work).
 *   Only once the benchmark's own vector kernels are
 *   compiled: compiling a Vector API loop in the same JVM while they warm up changes how C2 compiles them (JDK 17
 *   compiles Vector API methods on their own first and may then not inline them; measured: the local tier's GELU
 *   went from 0.4 to 5–7 ms a chunk).</li>
 *   <li><b>FMA</b>: 16 independent chains of scalar {@link Math#fma(float, float, float)} (2 FLOPs each) in
 *   registers, GFLOP/s over the thread's CPU time: the core's speed at a scalar clock.</li>
 *   <li><b>Copy</b>: {@link System#arraycopy} of an 8 MB array into another, GB/s moved (read plus write) over CPU
 *   time: 16 MB of working set, more than a core's L2 (1 MB here) and within the L3 that the cores of a CPU
 *   complex share (32 MB), so it falls when other work on those cores crowds the L3 or memory.</li>
 * </ul>
 * Each measurement runs ~{@code seconds}. Construct once (compiles the loops and sizes the runs), then
 * {@link #measure()}.
 */
final class HostGauge {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** Width of the FMA loop's vectors: the preferred shape's. */
    static final int VECTOR_BITS = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
    private static final int COPY_FLOATS = 2 * 1024 * 1024; // 8 MB per array

    private final long fmaIters;
    private final long vectorIters;
    private final int copies;
    private final float[] src = new float[COPY_FLOATS];   // [2M]
    private final float[] dst = new float[COPY_FLOATS];   // [2M]
    private float sink;                                     // the FMA loops' results: a field, so the JIT keeps them

    HostGauge(double seconds) {
        for (int i = 0; i < 20; i++) { // C2 compiles both loops (OSR and normal) before any timed run
            sink += fmaLoop(200_000) + FmaPeak.loopPreferred(200_000);
        }
        fmaIters = FmaPeak.calibrate(HostGauge::fmaLoop, seconds);
        vectorIters = FmaPeak.calibrate(FmaPeak::loopPreferred, seconds);
        long t0 = System.nanoTime();
        copy(8);
        double perCopy = (System.nanoTime() - t0) / 1e9 / 8;
        copies = (int) Math.max(1, seconds / perCopy);
    }

    /** One measurement of the preferred shape's FMA loop: GFLOP/s over the thread's CPU time. */
    double fmaVector() {
        long c0 = THREADS.getCurrentThreadCpuTime();
        sink += FmaPeak.loopPreferred(vectorIters);
        double cpu = (THREADS.getCurrentThreadCpuTime() - c0) / 1e9;
        return FmaPeak.flopsPreferred(vectorIters) / cpu / 1e9;
    }

    /** One measurement of the scalar loop and the copy: "fma X GFLOP/s, copy Y GB/s". */
    String measure() {
        long c0 = THREADS.getCurrentThreadCpuTime();
        sink += fmaLoop(fmaIters);
        double fmaCpu = (THREADS.getCurrentThreadCpuTime() - c0) / 1e9;
        long c1 = THREADS.getCurrentThreadCpuTime();
        copy(copies);
        double copyCpu = (THREADS.getCurrentThreadCpuTime() - c1) / 1e9;
        double gflops = FmaPeak.flops(fmaIters, 1) / fmaCpu / 1e9;
        double gbs = 2.0 * Float.BYTES * COPY_FLOATS * copies / copyCpu / 1e9;
        return String.format(Locale.ROOT, "fma %.2f GFLOP/s, copy %.1f GB/s", gflops, gbs);
    }

    private void copy(int times) {
        for (int i = 0; i < times; i++) {
            src[i & 1023] = i;                      // a store between copies, so none is redundant
            System.arraycopy(src, 0, dst, 0, COPY_FLOATS);
        }
    }

    static float fmaLoop(long iters) {
        float a = 0.999999f;
        float c = 1e-6f;
        float x0 = 0.01f, x1 = 0.02f, x2 = 0.03f, x3 = 0.04f, x4 = 0.05f, x5 = 0.06f, x6 = 0.07f, x7 = 0.08f;
        float x8 = 0.09f, x9 = 0.10f, x10 = 0.11f, x11 = 0.12f, x12 = 0.13f, x13 = 0.14f, x14 = 0.15f, x15 = 0.16f;
        for (long i = 0; i < iters; i++) {
            x0 = Math.fma(x0, a, c); x1 = Math.fma(x1, a, c); x2 = Math.fma(x2, a, c); x3 = Math.fma(x3, a, c);
            x4 = Math.fma(x4, a, c); x5 = Math.fma(x5, a, c); x6 = Math.fma(x6, a, c); x7 = Math.fma(x7, a, c);
            x8 = Math.fma(x8, a, c); x9 = Math.fma(x9, a, c); x10 = Math.fma(x10, a, c); x11 = Math.fma(x11, a, c);
            x12 = Math.fma(x12, a, c); x13 = Math.fma(x13, a, c); x14 = Math.fma(x14, a, c); x15 = Math.fma(x15, a, c);
        }
        return x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11 + x12 + x13 + x14 + x15;
    }
}
