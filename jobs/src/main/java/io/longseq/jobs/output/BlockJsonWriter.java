package io.longseq.jobs.output;

import io.longseq.math.model.BlockResult;
import io.longseq.math.model.TopEntry;
import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;

/**
 * Writes block results as JSON lines, one object per block (docs/design.md 2.6):
 * <pre>{"sequenceId":"chr1","block":0,"start":0,"end":256,"summary":[..],"context":[..],
 *  "top":[{"level":1,"firstBlock":3,"lastBlock":3,"weight":0.25}],"selfWeight":0.5,"entropy":1.2,"novelty":0.03}</pre>
 * With {@code --strand both} every top entry ends with {@code ,"strand":"+"} or {@code "-"} (which of the block's
 * strands matched); single-strand runs write no strand, so their lines are as before.
 *
 * <p>Why by hand: the format is fixed and flat, and the jar should not grow a JSON library for it. Floats are
 * written as the shortest decimal that reads back to the same float, by {@link ShortestFloat} (the notation of
 * {@link Float#toString(float)}, without its cost and allocation on JDK 17), so {@code Float.parseFloat} of every
 * number gives back exactly the computed bits (e.g. {@code 1.0E-5} is valid JSON). JSON has no NaN or infinity:
 * such a value, which would be a bug upstream, is written as {@code null} rather than as invalid JSON. Strings are
 * escaped per RFC 8259.
 */
public final class BlockJsonWriter implements Closeable {

    private final Writer out;
    private final StringBuilder sb = new StringBuilder(4096);

    /** @param out where lines go (UTF-8 expected); flushed by {@link #flush()}, closed by {@link #close()} */
    public BlockJsonWriter(Writer out) {
        this.out = out;
    }

    /** Writes one line for one block of the sequence {@code sequenceId}. */
    public void write(String sequenceId, BlockResult r) throws IOException {
        sb.setLength(0);
        line(sb, sequenceId, r);
        sb.append('\n');
        out.append(sb);
    }

    /** The JSON object of one block, without the line end. */
    public static String toJson(String sequenceId, BlockResult r) {
        StringBuilder b = new StringBuilder(1024);
        line(b, sequenceId, r);
        return b.toString();
    }

    private static void line(StringBuilder b, String sequenceId, BlockResult r) {
        b.append("{\"sequenceId\":");
        string(b, sequenceId);
        b.append(",\"block\":").append(r.block());
        b.append(",\"start\":").append(r.start());
        b.append(",\"end\":").append(r.end());
        b.append(",\"summary\":");
        floats(b, r.summary());
        b.append(",\"context\":");
        floats(b, r.context());
        b.append(",\"top\":[");
        TopEntry[] top = r.top();
        for (int i = 0; i < top.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            TopEntry t = top[i];
            b.append("{\"level\":").append(t.level());
            b.append(",\"firstBlock\":").append(t.firstBlock());
            b.append(",\"lastBlock\":").append(t.lastBlock());
            b.append(",\"weight\":");
            number(b, t.weight());
            if (t.strand() != TopEntry.UNSTATED) {
                b.append(",\"strand\":\"").append((char) t.strand()).append('"');
            }
            b.append('}');
        }
        b.append("],\"selfWeight\":");
        number(b, r.selfWeight());
        b.append(",\"entropy\":");
        number(b, r.entropy());
        b.append(",\"novelty\":");
        number(b, r.novelty());
        b.append('}');
    }

    private static void floats(StringBuilder b, float[] v) {
        b.append('[');
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            number(b, v[i]);
        }
        b.append(']');
    }

    private static void number(StringBuilder b, float v) {
        if (Float.isFinite(v)) {
            ShortestFloat.append(b, v);
        } else {
            b.append("null");
        }
    }

    /** A JSON string literal: quotes, backslash and control characters escaped; everything else as is. */
    static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
