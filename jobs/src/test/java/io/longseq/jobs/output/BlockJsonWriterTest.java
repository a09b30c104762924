package io.longseq.jobs.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.jobs.MiniJson;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.TopEntry;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every written line parses as strict JSON and gives back exactly the floats and strings that went in. */
class BlockJsonWriterTest {

    private static final float[] EDGE = {0f, -0f, 1f, -1f, 0.1f, 1f / 3, 1e-5f, -2.5e-7f, 123456.79f, 1e10f,
            Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 0.99762785f};

    @Test
    void lineRoundTripsExactly() throws Exception {
        Random r = new Random(7);
        float[] summary = new float[64];
        float[] context = new float[64];
        for (int i = 0; i < summary.length; i++) {
            summary[i] = i < EDGE.length ? EDGE[i] : (float) r.nextGaussian() * (float) Math.pow(10, r.nextInt(12) - 6);
            context[i] = Float.intBitsToFloat(r.nextInt() & 0x7f7fffff) * (r.nextBoolean() ? 1 : -1); // any finite
        }
        TopEntry[] top = {new TopEntry(1, 3, 3, 0.25f), new TopEntry(2, 8, 15, 1.0e-7f), new TopEntry(5, 0, 63, 0.1f)};
        BlockResult block = new BlockResult(12, 3072, 3328, summary, context, top, 0.6499999f, 1.2345678f,
                0.03125001f);
        String id = "chr1 \"q\" \\ tab\t nl\n ctl\u0001 µ→";

        StringWriter sw = new StringWriter();
        try (BlockJsonWriter w = new BlockJsonWriter(sw)) {
            w.write(id, block);
            w.write("second", block);
        }
        String text = sw.toString();
        assertThat(text).endsWith("\n");
        String[] lines = text.split("\n", -1);
        assertThat(lines).hasSize(3); // two lines and the empty rest after the last '\n'
        assertThat(lines[0]).isEqualTo(BlockJsonWriter.toJson(id, block));

        Map<String, Object> o = MiniJson.object(lines[0]);
        assertThat(o.keySet()).containsExactly("sequenceId", "block", "start", "end", "summary", "context", "top",
                "selfWeight", "entropy", "novelty");
        assertThat(o.get("sequenceId")).isEqualTo(id);
        assertThat(num(o.get("block")).asLong()).isEqualTo(12);
        assertThat(num(o.get("start")).asLong()).isEqualTo(3072);
        assertThat(num(o.get("end")).asLong()).isEqualTo(3328);
        assertSameBits(floats(o.get("summary")), summary);
        assertSameBits(floats(o.get("context")), context);
        assertSameBits(new float[] {num(o.get("selfWeight")).asFloat(), num(o.get("entropy")).asFloat(),
                num(o.get("novelty")).asFloat()}, new float[] {0.6499999f, 1.2345678f, 0.03125001f});
        List<?> tops = (List<?>) o.get("top");
        assertThat(tops).hasSize(3);
        for (int i = 0; i < top.length; i++) {
            @SuppressWarnings("unchecked")
            Map<String, Object> t = (Map<String, Object>) tops.get(i);
            assertThat(t.keySet()).containsExactly("level", "firstBlock", "lastBlock", "weight");
            assertThat(num(t.get("level")).asLong()).isEqualTo(top[i].level());
            assertThat(num(t.get("firstBlock")).asLong()).isEqualTo(top[i].firstBlock());
            assertThat(num(t.get("lastBlock")).asLong()).isEqualTo(top[i].lastBlock());
            assertThat(Float.floatToRawIntBits(num(t.get("weight")).asFloat()))
                    .isEqualTo(Float.floatToRawIntBits(top[i].weight()));
        }
        assertThat(MiniJson.object(lines[1]).get("sequenceId")).isEqualTo("second");
    }

    @Test
    void bothStrandEntriesSayWhichStrandMatched() {
        TopEntry[] top = {new TopEntry(1, 3, 3, 0.25f, TopEntry.REVERSE), new TopEntry(2, 8, 15, 0.1f, TopEntry.FORWARD)};
        BlockResult block = new BlockResult(4, 1024, 1280, new float[] {1f}, new float[] {2f}, top, 0.5f, 1f, 0.75f);
        List<?> tops = (List<?>) MiniJson.object(BlockJsonWriter.toJson("s", block)).get("top");
        @SuppressWarnings("unchecked")
        Map<String, Object> first = (Map<String, Object>) tops.get(0);
        assertThat(first.keySet()).containsExactly("level", "firstBlock", "lastBlock", "weight", "strand");
        assertThat(first.get("strand")).isEqualTo("-");
        assertThat(((Map<?, ?>) tops.get(1)).get("strand")).isEqualTo("+");
    }

    @Test
    void emptyTopAndNonFiniteValuesStayValidJson() {
        BlockResult block = new BlockResult(0, 0, 5, new float[] {Float.NaN, 1f}, new float[] {Float.POSITIVE_INFINITY, 2f},
                new TopEntry[0], 1f, 0f, Float.NaN);
        Map<String, Object> o = MiniJson.object(BlockJsonWriter.toJson("s", block));
        assertThat((List<?>) o.get("top")).isEmpty();
        assertThat(((List<?>) o.get("summary")).get(0)).isNull();
        assertThat(((List<?>) o.get("context")).get(0)).isNull();
        assertThat(num(((List<?>) o.get("context")).get(1)).asFloat()).isEqualTo(2f);
        assertThat(o.get("novelty")).isNull();
    }

    private static MiniJson.Num num(Object o) {
        assertThat(o).isInstanceOf(MiniJson.Num.class);
        return (MiniJson.Num) o;
    }

    private static float[] floats(Object o) {
        List<?> l = (List<?>) o;
        float[] v = new float[l.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = num(l.get(i)).asFloat();
        }
        return v;
    }

    private static void assertSameBits(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Float.floatToRawIntBits(actual[i])).as("float %d: %s vs %s", i, actual[i], expected[i])
                    .isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
    }
}
