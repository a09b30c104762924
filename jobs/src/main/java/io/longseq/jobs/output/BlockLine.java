package io.longseq.jobs.output;

import io.longseq.math.model.BlockResult;
import io.longseq.math.model.TopEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code blocks.jsonl} line read back, everything but the two vectors (which are skipped, never parsed): what the
 * merge, the genome-browser files and the summary need. Reads the line as {@link BlockJsonWriter} writes it, in one
 * pass ({@link JsonScan}).
 *
 * @param sequenceId the sequence
 * @param result     the block with {@code summary} and {@code context} null
 */
public record BlockLine(String sequenceId, BlockResult result) {

    /**
     * Parses one line.
     *
     * @throws JsonScan.Malformed naming the offset, for a line {@link BlockJsonWriter} did not write
     */
    static BlockLine parse(String line) throws JsonScan.Malformed {
        JsonScan j = new JsonScan(line);
        String id = j.expect("{\"sequenceId\":").string();
        long block = j.expect(",\"block\":").integer();
        long start = j.expect(",\"start\":").integer();
        long end = j.expect(",\"end\":").integer();
        j.skipPast("],\"top\":["); // the summary and context arrays hold only numbers and nulls
        List<TopEntry> top = new ArrayList<>();
        if (j.accept("{\"level\":")) {
            do {
                int level = (int) j.integer();
                long first = j.expect(",\"firstBlock\":").integer();
                long last = j.expect(",\"lastBlock\":").integer();
                float weight = j.expect(",\"weight\":").number();
                byte strand = TopEntry.UNSTATED;                 // "strand" only with --strand both
                if (j.accept(",\"strand\":")) {
                    strand = j.string().equals("-") ? TopEntry.REVERSE : TopEntry.FORWARD;
                }
                j.expect("}");
                top.add(new TopEntry(level, first, last, weight, strand));
            } while (j.accept(",{\"level\":"));
        }
        float self = j.expect("],\"selfWeight\":").number();
        float entropy = j.expect(",\"entropy\":").number();
        float novelty = j.expect(",\"novelty\":").number();
        j.expect("}");
        return new BlockLine(id, new BlockResult(block, start, end, null, null, top.toArray(new TopEntry[0]), self,
                entropy, novelty));
    }
}
