package io.longseq.jobs.output;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.TimeUtils;

/**
 * {@code settings.json} in a run's output directory: one flat JSON object, option key to its effective value (set
 * or default), one line per option in the order given, e.g. {@code "longseq.model.global-mode": "hierarchical"}.
 * Numbers are JSON numbers (a double that is not finite is {@code null}), booleans {@code true}/{@code false},
 * durations Flink's text ({@code "30 min"}), anything else a JSON string. An option with no value (no default and
 * not set, e.g. no weights file, no alert threshold) is left out. {@code longseq report} shows the file
 * (docs/report.md); it never touches the other outputs.
 */
public final class SettingsFile {

    public static final String FILE = "settings.json";

    private SettingsFile() {}

    /** The JSON text of the options' values in {@code conf}, in the order of {@code options}. */
    public static String json(Configuration conf, List<ConfigOption<?>> options) {
        StringBuilder b = new StringBuilder(64 * options.size() + 4);
        b.append('{');
        boolean first = true;
        for (ConfigOption<?> o : options) {
            Optional<?> v = value(conf, o);
            if (v.isEmpty()) {
                continue;
            }
            b.append(first ? "\n  " : ",\n  ");
            first = false;
            BlockJsonWriter.string(b, o.key());
            b.append(": ");
            append(b, v.get());
        }
        return b.append(first ? "}\n" : "\n}\n").toString();
    }

    /**
     * Writes {@link #json} to {@code dir/settings.json}, replacing an earlier one whole (a temporary file moved into
     * place, so a reader never sees half a file).
     */
    public static Path write(Path dir, Configuration conf, List<ConfigOption<?>> options) throws IOException {
        Path file = dir.resolve(FILE);
        Path tmp = dir.resolve("." + FILE + ".tmp");
        Files.writeString(tmp, json(conf, options), StandardCharsets.UTF_8);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    private static Optional<?> value(Configuration conf, ConfigOption<?> o) {
        Optional<?> set = conf.getOptional(o);
        return set.isPresent() ? set : Optional.ofNullable(o.defaultValue());
    }

    private static void append(StringBuilder b, Object v) {
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            b.append(Double.isFinite(d) ? v.toString() : "null");
        } else if (v instanceof Number || v instanceof Boolean) { // Integer, Long: their decimal text
            b.append(v);
        } else if (v instanceof Duration d) {
            BlockJsonWriter.string(b, TimeUtils.formatWithHighestUnit(d));
        } else if (v instanceof Enum<?> e) {
            BlockJsonWriter.string(b, e.name().toLowerCase(java.util.Locale.ROOT));
        } else {
            BlockJsonWriter.string(b, String.valueOf(v));
        }
    }
}
