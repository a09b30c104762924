package io.longseq.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the CSV that JMH writes for {@link GlobalTierBenchmark} ({@code -rf csv}) and prints, per memory, steps/s,
 * µs per step, the mean M, useful GFLOP/s (± JMH's 99.9 % error) and its share of the single-thread FP32 peak.
 * Usage: {@code GlobalTierReport RESULTS.csv PEAK_GFLOPS [OUT.md]} (the peak from {@link FmaPeak}).
 */
public final class GlobalTierReport {

    private GlobalTierReport() {}

    public static void main(String[] args) throws Exception {
        List<String> lines = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
        double peak = Double.parseDouble(args[1]);
        List<String> header = Csv.parse(lines.get(0));
        int bench = header.indexOf("Benchmark");
        int score = header.indexOf("Score");
        int error = header.indexOf("Score Error (99.9%)");
        int param = header.indexOf("Param: memory");
        Map<String, double[]> ops = new LinkedHashMap<>();
        Map<String, double[]> flops = new LinkedHashMap<>();
        Map<String, double[]> entries = new LinkedHashMap<>();
        for (String l : lines.subList(1, lines.size())) {
            List<String> f = Csv.parse(l);
            String name = f.get(bench);
            double[] v = {num(f.get(score)), num(f.get(error))};
            String mem = f.get(param);
            if (name.endsWith(":usefulFlops")) {
                flops.put(mem, v);
            } else if (name.endsWith(":entries")) {
                entries.put(mem, v);
            } else if (name.endsWith(".step")) {
                ops.put(mem, v);
            }
        }
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Single-thread FP32 peak (FmaPeak, the preferred vector shape): %.1f"
                + " GFLOP/s; load average now %s%n%n", peak, Machine.loadAverage()));
        b.append("| memory | steps/s | µs/step | mean M | useful GFLOP/s | share of peak |\n");
        b.append("|---|---:|---:|---:|---:|---:|\n");
        for (var e : ops.entrySet()) {
            double[] o = e.getValue();
            double[] fl = flops.getOrDefault(e.getKey(), new double[] {Double.NaN, Double.NaN});
            double[] en = entries.getOrDefault(e.getKey(), new double[] {Double.NaN, Double.NaN});
            b.append(String.format(Locale.ROOT, "| %s | %,.0f ± %,.0f | %.1f | %.1f | %.2f ± %.2f | %.2f %% |%n",
                    e.getKey(), o[0], o[1], 1e6 / o[0], en[0] / o[0], fl[0] / 1e9, fl[1] / 1e9,
                    100 * fl[0] / 1e9 / peak));
        }
        System.out.print(b);
        if (args.length > 2) {
            Files.writeString(Path.of(args[2]), b.toString(), StandardCharsets.UTF_8);
        }
    }

    private static double num(String s) {
        return s.isEmpty() || s.equals("NaN") ? Double.NaN : Double.parseDouble(s);
    }
}
