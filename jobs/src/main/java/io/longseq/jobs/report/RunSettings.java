package io.longseq.jobs.report;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The run's settings for the report, when the run wrote them: {@code settings.json} in the output directory, one
 * flat JSON object of setting key to value (e.g. {@code "longseq.model.block-size": 256}). Nested values are shown as
 * "…"; at most {@value #MAX_ENTRIES} entries, keys and values cut at {@value #MAX_CHARS} characters.
 */
final class RunSettings {

    static final String FILE = "settings.json";
    static final int MAX_ENTRIES = 1_000;
    static final int MAX_CHARS = 1_000;

    private RunSettings() {}

    /** The settings as (key, value) pairs in file order; empty when the directory has no settings.json. */
    static List<String[]> read(Path dir) throws IOException, JsonCursor.Malformed {
        Path file = dir.resolve(FILE);
        List<String[]> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            JsonCursor j = new JsonCursor(r, FILE).multiline();
            j.expect('{');
            if (j.accept('}')) {
                return out;
            }
            do {
                String key = shown(j.string(MAX_CHARS));
                j.expect(':');
                String value = value(j);
                if (out.size() < MAX_ENTRIES) {
                    out.add(new String[] {key, value});
                }
            } while (j.accept(','));
            j.expect('}');
        }
        return out;
    }

    private static String value(JsonCursor j) throws IOException, JsonCursor.Malformed {
        j.skipBlanks();
        int c = j.peek();
        if (c == '"') {
            return shown(j.string(MAX_CHARS));
        }
        if (c == '{' || c == '[') {
            j.skipValue();
            return "…";
        }
        if (c == 't' || c == 'f' || c == 'n') {
            String word = c == 't' ? "true" : c == 'f' ? "false" : "null";
            j.literal(word);
            return word;
        }
        double v = j.number();
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static String shown(JsonCursor.Str s) {
        return s.truncated() ? s.kept() + "…" : s.kept();
    }

    /** The value of {@code key} (or of the last key segment after a dot, e.g. "kind"), null if absent. */
    static String get(List<String[]> settings, String key) {
        for (String[] e : settings) {
            if (e[0].equals(key) || e[0].endsWith("." + key)) {
                return e[1];
            }
        }
        return null;
    }
}
