package io.longseq.bench;

import io.longseq.bench.LongSequenceBench.Config;
import io.longseq.bench.LongSequenceBench.Options;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The bottleneck table's files ({@link LongSequenceBench}): bottleneck.csv, bottleneck.md and bottleneck.png. */
final class BottleneckTable {

    private BottleneckTable() {}

    static void write(Options o, List<Map<String, Object>> rows, String started, String loadStart)
            throws IOException {
        List<String> csv = new ArrayList<>();
        csv.add(Csv.line(LongSequenceBench.COLUMNS));
        for (Map<String, Object> r : rows) {
            csv.add(Csv.line(new ArrayList<>(r.values())));
        }
        Files.write(o.out.resolve("bottleneck.csv"), csv, StandardCharsets.UTF_8);
        Files.writeString(o.out.resolve("bottleneck.md"), markdown(rows, started, loadStart), StandardCharsets.UTF_8);
        plot(o.out.resolve("bottleneck.png").toFile(), rows, o);
    }

    static String markdown(List<Map<String, Object>> rows, String started, String loadStart) {
        StringBuilder b = new StringBuilder();
        b.append("Run started ").append(started).append(" on ").append(Machine.describe())
                .append("; load average at start ").append(loadStart).append(", now ").append(Machine.loadAverage())
                .append(".\n\n");
        b.append("| config | n | wall (s) | CPU (s) | positions/s | peak heap used | heap after GC | peak RSS |"
                + " off-heap ≥ | score bytes local | score bytes global | global state bytes | global tier alone (s) | load |"
                + " note |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        for (Map<String, Object> r : rows) {
            String status = String.valueOf(r.get("status"));
            boolean ok = status.equals("ok") || status.equals("budget");
            b.append("| ").append(r.get("config"))
                    .append(" | ").append(String.format(Locale.ROOT, "%,d", Long.parseLong(String.valueOf(r.get("n")))))
                    .append(" | ").append(ok ? r.get("wall_s") + (status.equals("budget") ? " (stopped)" : "") : status)
                    .append(" | ").append(ok ? r.get("cpu_s") : "–")
                    .append(" | ").append(ok ? String.format(Locale.ROOT, "%,.0f",
                            Double.parseDouble(String.valueOf(r.get("positions_per_s")))) : "–")
                    .append(" | ").append(human(r.get("peak_heap_used_bytes")))
                    .append(" | ").append(human(r.get("peak_heap_after_gc_bytes")))
                    .append(" | ").append(human(r.get("peak_rss_bytes")))
                    .append(" | ").append(human(r.get("peak_offheap_min_bytes")))
                    .append(" | ").append(human(r.get("local_score_bytes")))
                    .append(" | ").append(human(r.get("global_score_bytes")))
                    .append(" | ").append(r.get("state_bytes").toString().isEmpty() ? "–"
                            : String.format(Locale.ROOT, "%,d", Long.parseLong(String.valueOf(r.get("state_bytes")))))
                    .append(" | ").append(String.valueOf(r.get("global_replay_s")).isEmpty() ? "–"
                            : r.get("global_replay_s"))
                    .append(" | ").append(r.get("load_avg"))
                    .append(" | ").append(String.valueOf(r.get("note")).replace("|", "/"))
                    .append(" |\n");
        }
        return b.toString();
    }

    /** Bytes in binary units, "–" when empty. */
    static String human(Object v) {
        String s = String.valueOf(v);
        if (s.isEmpty() || s.equals("null")) {
            return "–";
        }
        double x = Double.parseDouble(s);
        String[] u = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        int i = 0;
        while (x >= 1024 && i < u.length - 1) {
            x /= 1024;
            i++;
        }
        return i == 0 ? String.format(Locale.ROOT, "%.0f B", x) : String.format(Locale.ROOT, "%.1f %s", x, u[i]);
    }

    static void plot(File png, List<Map<String, Object>> rows, Options o) throws IOException {
        List<LogLogPlot.Series> time = new ArrayList<>();
        List<LogLogPlot.Series> mem = new ArrayList<>();
        int ci = 0;
        for (Config c : o.configs) {
            var color = LogLogPlot.PALETTE[ci++ % LogLogPlot.PALETTE.length];
            LogLogPlot.Series t = new LogLogPlot.Series(c.id, color, LogLogPlot.Style.SOLID);
            LogLogPlot.Series rss = new LogLogPlot.Series(c.id + ": peak RSS", color, LogLogPlot.Style.SOLID);
            LogLogPlot.Series score = new LogLogPlot.Series(c.id + ": score bytes at once (analytic)", color,
                    LogLogPlot.Style.DASHED);
            LogLogPlot.Series state = new LogLogPlot.Series(c.id + ": global state bytes", color,
                    LogLogPlot.Style.DOTTED);
            for (Map<String, Object> r : rows) {
                if (!r.get("config").equals(c.id)) {
                    continue;
                }
                double n = Double.parseDouble(String.valueOf(r.get("n")));
                if ("ok".equals(r.get("status"))) {
                    t.add(n, Double.parseDouble(String.valueOf(r.get("wall_s"))));
                    rss.add(n, Double.parseDouble(String.valueOf(r.get("peak_rss_bytes"))));
                    state.add(n, Double.parseDouble(String.valueOf(r.get("state_bytes"))));
                }
                String ls = String.valueOf(r.get("local_score_bytes"));
                String gs = String.valueOf(r.get("global_score_bytes"));
                if (!ls.isEmpty() && !gs.isEmpty() && !"budget".equals(r.get("status"))) {
                    score.add(n, Double.parseDouble(ls) + Double.parseDouble(gs));
                }
            }
            time.add(t);
            mem.add(rss);
            mem.add(score);
            mem.add(state);
        }
        String footer = "single thread, d=128 h=4 w=64 L=1 C=2048 B=256; dense refused past n=" + o.denseMax
                + "; cases that were refused or stopped by the budget are not drawn (solid lines). Load average "
                + Machine.loadAverage() + ".";
        LogLogPlot.write(png, footer, List.of(
                new LogLogPlot.Panel("Wall time of ChunkedModel.run vs n", "positions n", "wall time",
                        LogLogPlot::count, LogLogPlot::seconds, time),
                new LogLogPlot.Panel("Memory vs n", "positions n", "bytes", LogLogPlot::count, LogLogPlot::bytes,
                        mem)));
    }
}
