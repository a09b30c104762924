package io.longseq.jobs.output;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The few blocks, over all records, with the highest score: e.g. the strongest long-range link (where the model
 * found the clearest match elsewhere in the sequence, a repeat) or the highest novelty. Only coordinates, the
 * score and the linked region are kept, never the vectors. Ties keep the block offered first.
 */
public final class TopBlocks {

    /**
     * One kept block.
     *
     * @param linkStart first position of the linked region (or -1)
     * @param linkEnd   one past its last position (or -1)
     */
    public record Hit(String sequenceId, long block, long start, long end, float score, long linkStart, long linkEnd) {}

    private final int capacity;
    private final List<Hit> hits = new ArrayList<>(); // sorted by score, descending

    public TopBlocks(int capacity) {
        this.capacity = capacity;
    }

    /** Keeps the hit if its score is among the best so far (a NaN score never is). */
    public void offer(Hit h) {
        if (!Float.isFinite(h.score())
                || (hits.size() == capacity && h.score() <= hits.get(capacity - 1).score())) {
            return;
        }
        int at = 0;
        while (at < hits.size() && hits.get(at).score() >= h.score()) {
            at++;
        }
        hits.add(at, h);
        if (hits.size() > capacity) {
            hits.remove(capacity);
        }
    }

    public List<Hit> hits() {
        return Collections.unmodifiableList(hits);
    }
}
