package io.longseq.jobs.output;

import io.longseq.stream.DeadLetter;
import io.longseq.stream.Notice;
import io.longseq.stream.global.BlockContext;
import io.longseq.stream.global.TokenContext;
import java.util.Base64;

/**
 * The JSON line of each output record type, written by hand like {@link BlockJsonWriter} (the block format is
 * shared with {@code offline}, so the two outputs can be compared line by line). Floats use the shortest decimal
 * that reads back to the same float, written by {@link ShortestFloat}, and {@code null} for NaN or infinity;
 * original bytes of a dead letter are base64.
 */
public final class JsonLines {

    private JsonLines() {}

    /** The same object {@code offline} writes for the block. */
    public static String block(BlockContext c) {
        return BlockJsonWriter.toJson(c.sequenceId, c.toResult());
    }

    /**
     * {@code {"sequenceId":..,"block":..,"start":..,"end":..,"novelty":..}}: a block whose novelty reached the alert
     * threshold (docs/outputs.md).
     */
    public static String alert(String sequenceId, long block, long start, long end, float novelty) {
        StringBuilder b = new StringBuilder(96 + sequenceId.length());
        b.append("{\"sequenceId\":");
        BlockJsonWriter.string(b, sequenceId);
        b.append(",\"block\":").append(block).append(",\"start\":").append(start).append(",\"end\":").append(end)
                .append(",\"novelty\":");
        if (Float.isFinite(novelty)) {
            ShortestFloat.append(b, novelty);
        } else {
            b.append("null");
        }
        return b.append('}').toString();
    }

    /** The alert line of a block context. */
    public static String alert(BlockContext c) {
        return alert(c.sequenceId, c.block, c.start, c.end, c.novelty);
    }

    /** {@code {"sequenceId":..,"block":..,"start":..,"end":..,"d":..,"vectors":[[..],..]}}. */
    public static String tokens(TokenContext t, int d) {
        StringBuilder b = new StringBuilder(64 + t.vectors.length * 12);
        b.append("{\"sequenceId\":");
        BlockJsonWriter.string(b, t.sequenceId);
        b.append(",\"block\":").append(t.block).append(",\"start\":").append(t.start).append(",\"end\":").append(t.end)
                .append(",\"vectors\":[");
        int n = d == 0 ? 0 : t.vectors.length / d;
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "[" : ",[");
            for (int c = 0; c < d; c++) {
                if (c > 0) {
                    b.append(',');
                }
                float v = t.vectors[i * d + c];
                if (Float.isFinite(v)) {
                    ShortestFloat.append(b, v);
                } else {
                    b.append("null");
                }
            }
            b.append(']');
        }
        return b.append("]}").toString();
    }

    /** {@code {"source":..,"partition":..,"offset":..,"sequenceId":..,"stage":..,"reason":..,"payloadBase64":..}}. */
    public static String deadLetter(DeadLetter d) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"source\":");
        BlockJsonWriter.string(b, d.source == null ? "" : d.source);
        b.append(",\"partition\":").append(d.sourcePartition).append(",\"offset\":").append(d.sourceOffset);
        b.append(",\"sequenceId\":");
        BlockJsonWriter.string(b, d.sequenceId == null ? "" : d.sequenceId);
        b.append(",\"stage\":");
        BlockJsonWriter.string(b, d.stage == null ? "" : d.stage);
        b.append(",\"reason\":");
        BlockJsonWriter.string(b, d.reason == null ? "" : d.reason);
        b.append(",\"payloadBase64\":\"").append(Base64.getEncoder().encodeToString(d.payload == null ? new byte[0] : d.payload));
        return b.append("\"}").toString();
    }

    /** {@code {"sequenceId":..,"kind":..,"position":..,"count":..,"message":..}}. */
    public static String notice(Notice n) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"sequenceId\":");
        BlockJsonWriter.string(b, n.sequenceId == null ? "" : n.sequenceId);
        b.append(",\"kind\":\"").append(n.kind).append('"');
        b.append(",\"position\":").append(n.position).append(",\"count\":").append(n.count);
        b.append(",\"message\":");
        BlockJsonWriter.string(b, n.message == null ? "" : n.message);
        return b.append('}').toString();
    }
}
