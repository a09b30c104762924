package io.longseq.jobs.cli;

import static io.longseq.jobs.cli.OfflineCommandTest.cli;
import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.jobs.LongseqOptions;
import io.longseq.jobs.MiniJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} and {@code offline} in-process on the same input and settings write OUT/settings.json: the same model
 * keys with the same values, in the option table's order, beside an unchanged blocks.jsonl; {@code report} shows them.
 */
class SettingsFileITCase {

    @TempDir
    Path dir;

    /** A small model at the default block size (256), full global mode, an alert threshold. */
    private static final String[] MODEL = {"--d-model", "32", "--heads", "4", "--window", "8", "--ffn-dim", "64",
            "--alert-threshold", "0.5"};

    @Test
    void runAndOfflineWriteTheSameModelSettingsAndTheReportShowsThem() throws IOException {
        Path fasta = dir.resolve("lambda-3k.fa");
        OfflineCommandTest.writeFasta(fasta, List.of("lambda start"),
                List.of(OfflineCommandTest.firstBases(OfflineCommandTest.exampleGenome(), 3_000)));
        Path runDir = dir.resolve("run");
        Path offDir = dir.resolve("off");
        // the same mode, spelled differently: settings.json holds the value the model used
        OfflineCommandTest.Run run = cli(concat(List.of("run", fasta.toString(), "--out", runDir.toString(),
                "--parallelism", "2", "--fragment-size", "97", "--global-mode", "FULL")));
        OfflineCommandTest.Run off = cli(concat(List.of("offline", fasta.toString(), "--out", offDir.toString(),
                "--global-mode", "full")));
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(off.exit()).as(off.err()).isZero();
        assertThat(Files.readAllBytes(runDir.resolve("blocks.jsonl")))
                .isEqualTo(Files.readAllBytes(offDir.resolve("blocks.jsonl")));
        assertThat(Files.readAllLines(offDir.resolve("blocks.jsonl"))).hasSize((3_000 + 255) / 256);

        Map<String, Object> r = MiniJson.object(Files.readString(runDir.resolve("settings.json")));
        Map<String, Object> o = MiniJson.object(Files.readString(offDir.resolve("settings.json")));
        Map<String, Object> runModel = model(r);
        Map<String, Object> offModel = model(o);
        assertThat(new ArrayList<>(runModel.keySet())).isEqualTo(new ArrayList<>(offModel.keySet()));
        assertThat(runModel).isEqualTo(offModel);
        List<String> tableOrder = new ArrayList<>();
        for (ConfigOption<?> c : LongseqOptions.MODEL) {
            if (c != LongseqOptions.WEIGHTS) { // no weights file: left out
                tableOrder.add(c.key());
            }
        }
        assertThat(new ArrayList<>(runModel.keySet())).isEqualTo(tableOrder);

        for (Map<String, Object> s : List.of(r, o)) { // values checked against what the command line and defaults say
            assertThat(new ArrayList<>(s.keySet()).get(0)).isEqualTo("longseq.input.kind");
            assertThat(s).containsEntry("longseq.input.kind", "dna")
                    .containsEntry("longseq.model.block-size", new MiniJson.Num("256"))
                    .containsEntry("longseq.model.chunk-size", new MiniJson.Num("2048"))
                    .containsEntry("longseq.model.global-mode", "full")
                    .containsEntry("longseq.model.d-model", new MiniJson.Num("32"))
                    .containsEntry("longseq.model.max-features", new MiniJson.Num("1"))
                    .containsEntry("longseq.model.causal", false)
                    .containsEntry("longseq.model.seed", new MiniJson.Num("42"))
                    .containsEntry("longseq.output.alert-threshold", new MiniJson.Num("0.5"))
                    .containsEntry("longseq.output.link-threshold", new MiniJson.Num("0.05"))
                    .doesNotContainKeys("longseq.model.weights", "longseq.output.out", "longseq.input.paths");
        }
        assertThat(r).containsEntry("longseq.input.fragment-size", new MiniJson.Num("97"))
                .containsEntry("parallelism.default", new MiniJson.Num("2"))
                .containsEntry("longseq.stream.gap-policy", "fail-sequence")
                .containsEntry("longseq.stream.idle-timeout", "30 min")
                .containsEntry("longseq.output.token-contexts", false)
                .doesNotContainKey("longseq.stream.warmup-chunks");
        assertThat(o).doesNotContainKeys("longseq.input.fragment-size", "parallelism.default",
                        "longseq.stream.gap-policy")
                .containsEntry("longseq.stream.max-line-bytes", new MiniJson.Num(Integer.toString(
                        io.longseq.stream.StreamLimits.DEFAULTS.maxLineBytes())));
        List<String> offKeys = new ArrayList<>(o.keySet());
        assertThat(offKeys.subList(0, 3)).containsExactly("longseq.input.kind", "longseq.output.alert-threshold",
                "longseq.output.link-threshold");
        assertThat(offKeys.subList(offKeys.size() - 3, offKeys.size())).containsExactly("longseq.stream.max-id-bytes",
                "longseq.input.max-header-bytes", "longseq.stream.max-line-bytes");

        OfflineCommandTest.Run report = cli("report", runDir.toString());
        assertThat(report.exit()).as(report.err()).isZero();
        String html = Files.readString(runDir.resolve("report.html"));
        assertThat(html).contains("From <code>settings.json</code>:")
                .contains("<td><code>longseq.model.global-mode</code></td><td>full</td>")
                .contains("<td><code>parallelism.default</code></td><td>2</td>")
                .contains("positions counted in bp (settings.json)");
    }

    private static Map<String, Object> model(Map<String, Object> settings) {
        Map<String, Object> m = new LinkedHashMap<>();
        settings.forEach((k, v) -> {
            if (k.startsWith("longseq.model.")) {
                m.put(k, v);
            }
        });
        return m;
    }

    private static String[] concat(List<String> first) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(MODEL));
        return all.toArray(String[]::new);
    }
}
