package io.longseq.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What machine and load a benchmark ran on, for the result files (Linux /proc; "?" where unreadable). */
final class Machine {

    private Machine() {}

    /** /proc/loadavg's first three fields. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** CPU model, cores, memory, Java, OPENBLAS_CORETYPE, on one line. */
    static String describe() {
        String model = "?";
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (String l : lines) {
                if (l.startsWith("model name")) {
                    model = l.substring(l.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException e) {
            // keep "?"
        }
        String mem = "?";
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(l.replaceAll("[^0-9]", ""));
                    mem = String.format(java.util.Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            // keep "?"
        }
        boolean avx512 = false;
        try {
            avx512 = Files.readString(Path.of("/proc/cpuinfo")).contains(" avx512f");
        } catch (IOException e) {
            // keep false
        }
        return model + ", " + Runtime.getRuntime().availableProcessors() + " cores"
                + (avx512 ? " (AVX-512)" : " (AVX2, no AVX-512)")
                + ", " + mem + ", Java " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                + ", OPENBLAS_CORETYPE=" + System.getenv().getOrDefault("OPENBLAS_CORETYPE", "(unset)");
    }
}
