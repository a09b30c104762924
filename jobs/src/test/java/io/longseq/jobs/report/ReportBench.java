package io.longseq.jobs.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Time and size of {@code longseq report} at 10⁵ blocks (docs/report.md): a synthetic blocks.jsonl of one sequence
 * of 100,000 blocks (d = 128, four top entries per block, a planted repeat; {@link SyntheticBlocks}, entries shaped
 * as the hierarchical memory's, or {@code scattered} as full mode's on random DNA) and the report of it, written
 * REPEATS times in one JVM; prints wall time, this thread's CPU time, the process's CPU time and the sizes. Not a
 * test: timing is measured, never asserted. Run from jobs/ with the test classpath:
 * {@code java -cp target/classes:target/test-classes:CP io.longseq.jobs.report.ReportBench DIR [BLOCKS] [scattered]}.
 */
public final class ReportBench {

    private static final int REPEATS = 5;

    private ReportBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("report-bench");
        long n = args.length > 1 ? Long.parseLong(args[1]) : 100_000;
        boolean scattered = args.length > 2 && args[2].equals("scattered");
        Files.createDirectories(dir);
        Path blocks = dir.resolve(Report.BLOCKS);
        if (!Files.exists(blocks)) {
            long t = System.nanoTime();
            SyntheticBlocks.write(blocks, "synthetic", n, 128, n / 10, n * 7 / 10, 12, 1, scattered);
            System.out.printf(Locale.ROOT, "wrote %s: %,d blocks, %,d bytes in %.1f s%n", blocks, n, Files.size(blocks),
                    (System.nanoTime() - t) / 1e9);
        }
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        for (int i = 0; i < REPEATS; i++) {
            long t = System.nanoTime();
            long c = cpu.getCurrentThreadCpuTime();
            long pc = os.getProcessCpuTime();
            Report.Result r = Report.write(dir, "dna");
            double s = (System.nanoTime() - t) / 1e9;
            double cs = (cpu.getCurrentThreadCpuTime() - c) / 1e9;
            double ps = (os.getProcessCpuTime() - pc) / 1e9;
            System.out.printf(Locale.ROOT, "run %d: %.2f s wall, %.2f s CPU (process %.2f s); report.html %,d bytes, selfsim.png %,d bytes, %d passes,"
                    + " %,d blocks read per pass (%,d bytes)%n", i + 1, s, cs, ps, r.htmlBytes(), Files.size(r.pngs().get(0)),
                    r.passes(), r.blocks(), Files.size(blocks));
        }
        Runtime rt = Runtime.getRuntime();
        System.out.printf(Locale.ROOT, "max heap %,d MB, %d processors, java %s%n", rt.maxMemory() >> 20,
                rt.availableProcessors(), System.getProperty("java.version"));
    }
}
