package io.longseq.jobs.report;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads {@code blocks.jsonl} line by line into a reused {@link BlockLine}, with a {@link JsonCursor}: fields by name
 * in any order, unknown fields skipped (a field added later does not break the report), the summary and context
 * arrays counted and skipped. A line that is not a JSON object, or lacks sequenceId, block, start or end, is a
 * {@link JsonCursor.Malformed} naming the file, line and column. Blank lines are skipped.
 */
final class BlockLineReader implements Closeable {

    private final Reader reader;
    private final JsonCursor j;
    private long lines;

    BlockLineReader(Path file) throws IOException {
        this(new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16), file.getFileName().toString());
    }

    BlockLineReader(Reader reader, String name) {
        this.reader = reader;
        this.j = new JsonCursor(reader, name);
    }

    /** Lines read so far (blank ones included). */
    long lines() {
        return lines;
    }

    /** Reads the next block line into {@code b}; false at the end of the file. */
    boolean next(BlockLine b) throws IOException, JsonCursor.Malformed {
        while (true) {
            j.skipBlanks();
            int c = j.peek();
            if (c == JsonCursor.EOF) {
                return false;
            }
            lines++;
            if (c == '\n') {
                j.read();
                continue;
            }
            b.clear();
            long at = j.line();
            object(b);
            j.skipBlanks();
            c = j.peek();
            if (c != '\n' && c != JsonCursor.EOF) {
                throw j.malformed("expected the end of the line after the object but found " + JsonCursor.describe(c));
            }
            j.read();
            if (b.id == null || b.block < 0 || b.start < 0 || b.end < b.start) {
                throw new JsonCursor.Malformed(j.name() + " line " + at + ": " + missing(b));
            }
            return true;
        }
    }

    private static String missing(BlockLine b) {
        return b.id == null ? "no \"sequenceId\"" : b.block < 0 ? "no \"block\" (or a negative one)"
                : b.start < 0 ? "no \"start\" (or a negative one)" : "\"end\" " + b.end + " before \"start\" " + b.start;
    }

    private void object(BlockLine b) throws IOException, JsonCursor.Malformed {
        j.expect('{');
        if (j.accept('}')) {
            return;
        }
        do {
            String key = j.string(32).kept();
            j.expect(':');
            switch (key) {
                case "sequenceId" -> b.id = BlockLine.SeqId.of(j.string(BlockLine.SeqId.SHOWN));
                case "block" -> b.block = j.integer();
                case "start" -> b.start = j.integer();
                case "end" -> b.end = j.integer();
                case "top" -> top(b);
                case "selfWeight" -> b.selfWeight = (float) j.number();
                case "entropy" -> b.entropy = (float) j.number();
                case "novelty" -> {
                    b.novelty = (float) j.number();
                    b.hasNovelty = true;
                }
                case "summary" -> b.summaryWidth = j.skipNumberArray();
                case "context" -> j.skipNumberArray();
                default -> j.skipValue();
            }
        } while (j.accept(','));
        j.expect('}');
    }

    private void top(BlockLine b) throws IOException, JsonCursor.Malformed {
        j.expect('[');
        if (j.accept(']')) {
            return;
        }
        do {
            j.expect('{');
            int level = 0;
            long first = -1;
            long last = -1;
            float weight = Float.NaN;
            if (!j.accept('}')) {
                do {
                    String key = j.string(32).kept();
                    j.expect(':');
                    switch (key) {
                        case "level" -> level = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, j.integer()));
                        case "firstBlock" -> first = j.integer();
                        case "lastBlock" -> last = j.integer();
                        case "weight" -> weight = (float) j.number();
                        default -> j.skipValue();
                    }
                } while (j.accept(','));
                j.expect('}');
            }
            if (first < 0 || last < first) {
                throw j.malformed("a top entry needs firstBlock ≥ 0 and lastBlock ≥ firstBlock, got "
                        + first + ".." + last);
            }
            if (b.topCount < BlockLine.MAX_TOP) {
                int k = b.topCount++;
                b.level[k] = level;
                b.firstBlock[k] = first;
                b.lastBlock[k] = last;
                b.weight[k] = weight;
            } else {
                b.topDropped++;
            }
        } while (j.accept(','));
        j.expect(']');
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
