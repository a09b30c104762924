package io.longseq.jobs.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longseq.jobs.MiniJson;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.TopEntry;
import io.longseq.stream.DeadLetter;
import io.longseq.stream.Notice;
import java.io.IOException;
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
                0.25f, 1.0f);
    }

    @Test
    void aBlockLineWithA700KbEscapedIdIsReadBack() throws JsonScan.Malformed {
        String id = hostileId();
        String line = BlockJsonWriter.toJson(id, block(7, new TopEntry(2, 3, 4, 0.125f), new TopEntry(1, 5, 5, 0.1f)));
        assertThat(line.length()).isGreaterThan(1_000_000); // escaping made it longer
        RunOutputs.Head h = RunOutputs.head(line);
        assertThat(h.id()).isEqualTo(id);
        assertThat(h.block()).isEqualTo(7);
        assertThat(h.start()).isEqualTo(112);
        assertThat(h.end()).isEqualTo(128);
        assertThat(h.top()).isEqualTo(new TopEntry(2, 3, 4, 0.125f));
        assertThat(RunOutputs.head(BlockJsonWriter.toJson("x", block(0))).top()).isNull();
        TopEntry reverse = new TopEntry(1, 2, 2, 0.5f, TopEntry.REVERSE);   // a --strand both line
        assertThat(RunOutputs.head(BlockJsonWriter.toJson("x", block(9, reverse))).top()).isEqualTo(reverse);
        assertThat(MiniJson.object(line).get("sequenceId")).isEqualTo(id); // an independent parser agrees
    }

    @Test
    void aLineThatIsNotOursIsMalformedNotAnException() {
        for (String bad : List.of("", "{}", "{\"sequenceId\":\"a", "{\"sequenceId\":\"a\\q\",\"block\":1",
                "{\"sequenceId\":\"a\",\"block\":x", "{\"sequenceId\":\"a\",\"block\":1,\"start\":0,\"end\":16}",
                "{\"sequenceId\":\"a\\u12\"")) {
            assertThatThrownBy(() -> RunOutputs.head(bad)).as(bad).isInstanceOf(JsonScan.Malformed.class);
        }
    }

    @Test
    void mergeOrdersBlocksByInputOrderCountsNoticesAndPutsTheCommandsDeadLettersFirst() throws IOException {
        Path parts = dir.resolve(".parts");
        Files.createDirectories(parts);
        String id = hostileId();
        Files.write(parts.resolve("blocks-0.jsonl"), List.of(BlockJsonWriter.toJson(id, block(1)),
                BlockJsonWriter.toJson("z", block(0, new TopEntry(1, 0, 0, 0.9f))),
                BlockJsonWriter.toJson(id, block(0))));
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

        RunOutputs m = new RunOutputs();
        m.merge(parts, dir, List.of("z", id), List.of(d));

        List<String> lines = Files.readAllLines(dir.resolve("blocks.jsonl"), StandardCharsets.UTF_8);
        assertThat(lines).containsExactly(BlockJsonWriter.toJson("z", block(0, new TopEntry(1, 0, 0, 0.9f))),
                BlockJsonWriter.toJson(id, block(0)), BlockJsonWriter.toJson(id, block(1)),
                BlockJsonWriter.toJson(id, block(2)), BlockJsonWriter.toJson("a", block(0)));
        assertThat(m.blocks).isEqualTo(5);
        assertThat(m.positions).isEqualTo(80);
        assertThat(m.sequences).isEqualTo(3);
        assertThat(m.notices).isEqualTo(Map.of("ENDED", 2L, "SEQUENCE_FAILED", 1L));
        assertThat(m.deadLetters).isEqualTo(2);
        assertThat(m.top.hits()).singleElement().satisfies(h -> assertThat(h.sequenceId()).isEqualTo("z"));
        List<String> dead = Files.readAllLines(dir.resolve("dead-letters.jsonl"));
        assertThat(MiniJson.object(dead.get(0))).containsEntry("source", "missing.fa").containsEntry("stage", "input");
        assertThat(dead.get(1)).isEqualTo("{\"from\":\"the job\"}");
        assertThat(parts).doesNotExist();
    }
}
