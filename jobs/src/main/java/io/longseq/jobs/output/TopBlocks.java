package io.longseq.jobs.output;

import io.longseq.math.model.BlockResult;
import io.longseq.math.model.TopEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The few blocks, over all records, whose strongest memory entry (top-1, the block itself excluded) has the
 * highest weight: where the model found the clearest match elsewhere in the sequence, e.g. a repeat. Only the
 * top-1 entry and the block's coordinates are kept, never the vectors. Ties keep the block seen first.
 */
public final class TopBlocks {

    /** One kept block. */
    public record Hit(String sequenceId, long block, long start, long end, TopEntry top) {}

    private final int capacity;
    private final List<Hit> hits = new ArrayList<>(); // sorted by weight, descending

    public TopBlocks(int capacity) {
        this.capacity = capacity;
    }

    public void offer(String sequenceId, BlockResult r) {
        if (r.top().length == 0 || !Float.isFinite(r.top()[0].weight())) {
            return;
        }
        TopEntry t = r.top()[0];
        if (hits.size() == capacity && t.weight() <= hits.get(capacity - 1).top().weight()) {
            return;
        }
        int at = 0;
        while (at < hits.size() && hits.get(at).top().weight() >= t.weight()) {
            at++;
        }
        hits.add(at, new Hit(sequenceId, r.block(), r.start(), r.end(), t));
        if (hits.size() > capacity) {
            hits.remove(capacity);
        }
    }

    public List<Hit> hits() {
        return Collections.unmodifiableList(hits);
    }
}
