package io.longseq.jobs.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longseq.jobs.output.BlockJsonWriter;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.TopEntry;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streaming reader of blocks.jsonl: the writer's own lines, other field orders, long ids, and bad lines. */
class BlockLineReaderTest {

    private static List<BlockLine> readAll(String text) throws Exception {
        List<BlockLine> out = new ArrayList<>();
        try (BlockLineReader r = new BlockLineReader(new StringReader(text), "blocks.jsonl")) {
            while (true) {
                BlockLine b = new BlockLine();
                if (!r.next(b)) {
                    return out;
                }
                out.add(b);
            }
        }
    }

    private static String message(String text) {
        try {
            readAll(text);
        } catch (JsonCursor.Malformed e) {
            return e.getMessage();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no error for: " + text);
    }

    @Test
    void readsTheLinesTheWriterWrites() throws Exception {
        float[] v = {0.5f, -1e-5f, Float.NaN, 3f}; // [d = 4]; NaN is written as null
        String a = BlockJsonWriter.toJson("chr\"1\\x", new BlockResult(55, 14_080, 14_336, v, v,
                new TopEntry[] {new TopEntry(2, 24, 31, 0.00143f), new TopEntry(1, 54, 54, 1.25e-4f)}, 0.75f, 1.5f, 0.25f));
        String b = BlockJsonWriter.toJson("chr2", new BlockResult(0, 0, 100, v, v, new TopEntry[0], 1f, 0f, 1f));
        List<BlockLine> lines = readAll(a + "\n\n" + b + "\n");
        assertThat(lines).hasSize(2);
        BlockLine x = lines.get(0);
        assertThat(x.id.shown()).isEqualTo("chr\"1\\x");
        assertThat(x.block).isEqualTo(55);
        assertThat(x.start).isEqualTo(14_080);
        assertThat(x.end).isEqualTo(14_336);
        assertThat(x.summaryWidth).isEqualTo(4);
        assertThat(x.topCount).isEqualTo(2);
        assertThat(x.level[0]).isEqualTo(2);
        assertThat(x.firstBlock[0]).isEqualTo(24);
        assertThat(x.lastBlock[0]).isEqualTo(31);
        assertThat(x.weight[0]).isEqualTo(0.00143f);
        assertThat(x.weight[1]).isEqualTo(1.25e-4f);
        assertThat(x.selfWeight).isEqualTo(0.75f);
        assertThat(x.entropy).isEqualTo(1.5f);
        assertThat(x.hasNovelty).isTrue();
        assertThat(x.novelty).isEqualTo(0.25f);
        BlockLine y = lines.get(1);
        assertThat(y.id.shown()).isEqualTo("chr2");
        assertThat(y.topCount).isZero();
        assertThat(y.id).isNotEqualTo(x.id);
    }

    @Test
    void fieldsInAnyOrderUnknownFieldsSkippedNoveltyRead() throws Exception {
        String line = "{ \"novelty\" : 0.25, \"extra\": {\"a\": [1, {\"b\": \"]}\\\"\"}, [[]]], \"z\": null},"
                + " \"end\": 512, \"top\": [{\"weight\": 0.5, \"lastBlock\": 0, \"note\": \"x\", \"firstBlock\": 0,"
                + " \"level\": 1}], \"block\": 1, \"flag\": true, \"sequenceId\": \"s\", \"start\": 256,"
                + " \"entropy\": null}\r\n";
        BlockLine b = readAll(line).get(0);
        assertThat(b.novelty).isEqualTo(0.25f);
        assertThat(b.hasNovelty).isTrue();
        assertThat(b.block).isEqualTo(1);
        assertThat(b.start).isEqualTo(256);
        assertThat(b.end).isEqualTo(512);
        assertThat(b.topCount).isEqualTo(1);
        assertThat(b.weight[0]).isEqualTo(0.5f);
        assertThat(Float.isNaN(b.entropy)).isTrue();
        assertThat(Float.isNaN(b.selfWeight)).isTrue();
        assertThat(b.summaryWidth).isEqualTo(-1);
    }

    @Test
    void aLongIdIsKeptShortButStaysDistinct() throws Exception {
        String base = "x".repeat(1_000_000);
        String a = "{\"sequenceId\":\"" + base + "a\",\"block\":0,\"start\":0,\"end\":1}";
        String b = "{\"sequenceId\":\"" + base + "b\",\"block\":0,\"start\":0,\"end\":1}";
        List<BlockLine> lines = readAll(a + "\n" + b + "\n" + a + "\n");
        assertThat(lines.get(0).id.shown()).hasSize(BlockLine.SeqId.SHOWN);
        assertThat(lines.get(0).id.length()).isEqualTo(1_000_001);
        assertThat(lines.get(0).id).isNotEqualTo(lines.get(1).id).isEqualTo(lines.get(2).id);
        assertThat(lines.get(0).id.display()).endsWith("… (1,000,001 characters)");
    }

    @Test
    void badLinesNameFileLineAndWhat() {
        String ok = "{\"sequenceId\":\"s\",\"block\":0,\"start\":0,\"end\":1}\n";
        assertThat(message(ok + "{\"sequenceId\":\"s\",\"start\":0,\"end\":1}\n"))
                .isEqualTo("blocks.jsonl line 2: no \"block\" (or a negative one)");
        assertThat(message(ok + ok + "{\"sequenceId\":\"s\",\"block\":0,\"start\":0,\"end\":1,\"top\":[{\"firstBlock\""
                + ":3,\"lastBlock\":2}]}\n")).startsWith("blocks.jsonl line 3, column ")
                .contains("lastBlock ≥ firstBlock, got 3..2");
        assertThat(message("{\"sequenceId\":\"s\"\n")).isEqualTo(
                "blocks.jsonl line 1, column 18: expected '}' but found the end of the line");
        assertThat(message("{\"sequenceId\":\"s\",\"block\":1.5,\"start\":0,\"end\":1}"))
                .isEqualTo("blocks.jsonl line 1, column 27: expected an integer below 2^53 but found 1.5");
        assertThat(message("{\"sequenceId\":\"s\",\"summary\":[1,\"a\"]}")).contains("expected a number in the array");
        assertThat(message("not json")).isEqualTo("blocks.jsonl line 1, column 1: expected '{' but found 'n'");
        assertThat(message("{\"sequenceId\":\"s\",\"block\":0,\"start\":0,\"end\":1} x"))
                .contains("expected the end of the line after the object");
    }

    @Test
    void nestingDeeperThanAnyStackIsSkippedWithoutRecursion() throws Exception {
        String deep = "[".repeat(200_000) + "]".repeat(200_000);
        BlockLine b = readAll("{\"deep\":" + deep + ",\"sequenceId\":\"s\",\"block\":2,\"start\":0,\"end\":1}\n").get(0);
        assertThat(b.block).isEqualTo(2);
    }

    @Test
    void moreTopEntriesThanKeptAreCounted() throws IOException, Exception {
        StringBuilder top = new StringBuilder();
        for (int i = 0; i < BlockLine.MAX_TOP + 3; i++) {
            top.append(i > 0 ? "," : "").append("{\"level\":1,\"firstBlock\":").append(i).append(",\"lastBlock\":")
                    .append(i).append(",\"weight\":0.001}");
        }
        BlockLine b = readAll("{\"sequenceId\":\"s\",\"block\":100,\"start\":0,\"end\":1,\"top\":[" + top + "]}").get(0);
        assertThat(b.topCount).isEqualTo(BlockLine.MAX_TOP);
        assertThat(b.topDropped).isEqualTo(3);
        assertThat(b.firstBlock[BlockLine.MAX_TOP - 1]).isEqualTo(BlockLine.MAX_TOP - 1);
    }
}
