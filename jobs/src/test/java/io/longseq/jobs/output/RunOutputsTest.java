package io.longseq.jobs.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longseq.jobs.MiniJson;
import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.TopEntry;
import io.longseq.stream.DeadLetter;
import io.longseq.stream.Notice;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Merging a run's part files: lines read by a linear scanner, whatever the length of the sequence id. */
class RunOutputsTest {

    @TempDir
    Path dir;

    /** 700 KB of quotes, backslashes, control characters, line separators and non-ASCII: JSON escapes everywhere. */
    static String hostileId() {
        StringBuilder b = new StringBuilder();
        String piece = "a\"b\\c\n\u0001\u2028\u00e9\t/";
        while (b.length() < 700_000) {
            b.append(piece);
        }
        return b.toString();
    }

    static BlockResult block(long b, TopEntry... top) {
        return new BlockResult(b, 16 * b, 16 * b + 16, new float[] {1.5f, -0f}, new float[] {Float.NaN, 2e-7f}, top,
                0.25f, 1.0f, 0.5f);
    }

    @Test
    void aBlockLineWithA700KbEscapedIdIsReadBack() throws JsonScan.Malformed {
        String id = hostileId();
        String line = BlockJsonWriter.toJson(id, block(7, new TopEntry(2, 3, 4, 0.125f), new TopEntry(1, 5, 5, 0.1f)));
        assertThat(line.length()).isGreaterThan(1_000_000); // escaping made it longer
        RunOutputs.Head h = RunOutputs.head(line);
        assertThat(h.id()).isEqualTo(id);
        assertThat(h.block()).isEqualTo(7);
        BlockLine b = BlockLine.parse(line);
        assertThat(b.sequenceId()).isEqualTo(id);
        assertThat(b.result().block()).isEqualTo(7);
        assertThat(b.result().start()).isEqualTo(112);
        assertThat(b.result().end()).isEqualTo(128);
        assertThat(b.result().top()).containsExactly(new TopEntry(2, 3, 4, 0.125f), new TopEntry(1, 5, 5, 0.1f));
        assertThat(b.result().selfWeight()).isEqualTo(0.25f);
        assertThat(b.result().entropy()).isEqualTo(1.0f);
        assertThat(b.result().novelty()).isEqualTo(0.5f);
        assertThat(BlockLine.parse(BlockJsonWriter.toJson("x", block(0))).result().top()).isEmpty();
        TopEntry reverse = new TopEntry(1, 2, 2, 0.5f, TopEntry.REVERSE);   // a --strand both line
        assertThat(BlockLine.parse(BlockJsonWriter.toJson("x", block(9, reverse))).result().top())
                .containsExactly(reverse);
        assertThat(MiniJson.object(line).get("sequenceId")).isEqualTo(id); // an independent parser agrees
    }

    @Test
    void aLineThatIsNotOursIsMalformedNotAnException() {
        for (String bad : List.of("", "{}", "{\"sequenceId\":\"a", "{\"sequenceId\":\"a\\q\",\"block\":1",
                "{\"sequenceId\":\"a\",\"block\":x", "{\"sequenceId\":\"a\",\"block\":1,\"start\":0,\"end\":16}",
                "{\"sequenceId\":\"a\\u12\"")) {
            assertThatThrownBy(() -> BlockLine.parse(bad)).as(bad).isInstanceOf(JsonScan.Malformed.class);
        }
        String noNovelty = BlockJsonWriter.toJson("a", block(1)).replaceFirst(",\"novelty\":[^}]*", "");
        assertThatThrownBy(() -> BlockLine.parse(noNovelty)).isInstanceOf(JsonScan.Malformed.class);
        for (String bad : List.of("", "{}", "{\"sequenceId\":\"a", "{\"sequenceId\":\"a\",\"block\":x")) {
            assertThatThrownBy(() -> RunOutputs.head(bad)).as(bad).isInstanceOf(JsonScan.Malformed.class);
        }
    }

    @Test
    void mergeOrdersBlocksByInputOrderCountsNoticesAndPutsTheCommandsDeadLettersFirst() throws IOException {
        Path parts = dir.resolve(".parts");
        Files.createDirectories(parts);
        String id = hostileId();
        Files.write(parts.resolve("blocks-0.jsonl"), List.of(BlockJsonWriter.toJson(id, block(1)),
                BlockJsonWriter.toJson("z", block(2, new TopEntry(1, 0, 0, 0.9f))),
                BlockJsonWriter.toJson(id, block(0))));
        Files.write(parts.resolve("alerts-0.jsonl"), List.of(JsonLines.alert(id, 2, 32, 48, 0.5f),
                JsonLines.alert("z", 2, 32, 48, 0.5f)));
        Files.write(parts.resolve("alerts-1.jsonl"), List.of(JsonLines.alert(id, 1, 16, 32, 0.5f)));
        Files.write(parts.resolve("blocks-1.jsonl"), List.of(BlockJsonWriter.toJson("a", block(0)),
                BlockJsonWriter.toJson(id, block(2))));
        Files.write(parts.resolve("notices-0.jsonl"), List.of(
                JsonLines.notice(new Notice(id, Notice.Kind.ENDED, 48, 1, "ended")),
                JsonLines.notice(new Notice("z", Notice.Kind.ENDED, 16, 1, "ended")),
                JsonLines.notice(new Notice("a", Notice.Kind.SEQUENCE_FAILED, 0, 0, "x"))));
        DeadLetter d = new DeadLetter();
        d.source = "missing.fa";
        d.sequenceId = "";
        d.stage = "input";
        d.reason = "input 'missing.fa' does not exist";
        Files.write(parts.resolve("dead-letters-0.jsonl"), List.of("{\"from\":\"the job\"}"));

        RunOutputs m = new RunOutputs(new OutputSettings(FeatureKind.TOKENS, GlobalMode.HIERARCHICAL, 0.5, 0.5));
        m.merge(parts, dir, List.of("z", id), List.of(d));

        List<String> lines = Files.readAllLines(dir.resolve("blocks.jsonl"), StandardCharsets.UTF_8);
        assertThat(lines).containsExactly(BlockJsonWriter.toJson("z", block(2, new TopEntry(1, 0, 0, 0.9f))),
                BlockJsonWriter.toJson(id, block(0)), BlockJsonWriter.toJson(id, block(1)),
                BlockJsonWriter.toJson(id, block(2)), BlockJsonWriter.toJson("a", block(0)));
        assertThat(m.blocks).isEqualTo(5);
        assertThat(m.positions).isEqualTo(80);
        assertThat(m.sequences).isEqualTo(3);
        assertThat(m.notices).isEqualTo(Map.of("ENDED", 2L, "SEQUENCE_FAILED", 1L));
        assertThat(m.deadLetters).isEqualTo(2);
        assertThat(m.findings.strongLinks()).isEqualTo(1);
        assertThat(m.findings.alerts()).isEqualTo(5); // every block has novelty 0.5
        assertThat(m.links).as("no genome-browser files for tokens").isEqualTo(-1);
        assertThat(dir.resolve("links.bedpe")).doesNotExist();
        assertThat(Files.readAllLines(dir.resolve("alerts.jsonl"), StandardCharsets.UTF_8)).containsExactly(
                JsonLines.alert("z", 2, 32, 48, 0.5f), JsonLines.alert(id, 1, 16, 32, 0.5f),
                JsonLines.alert(id, 2, 32, 48, 0.5f));
        StringWriter text = new StringWriter();
        try (PrintWriter w = new PrintWriter(text)) {
            m.findings.print(w, "out/alerts.jsonl");
        }
        assertThat(text.toString()).contains("  z [32-48) resembles [0-16), 32 tokens earlier (weight 0.9)\n")
                .contains("alerts:    5 blocks with novelty 0.5 or more (out/alerts.jsonl)");
        List<String> dead = Files.readAllLines(dir.resolve("dead-letters.jsonl"));
        assertThat(MiniJson.object(dead.get(0))).containsEntry("source", "missing.fa").containsEntry("stage", "input");
        assertThat(dead.get(1)).isEqualTo("{\"from\":\"the job\"}");
        assertThat(parts).doesNotExist();
    }
}
