package io.longseq.jobs.report;

/**
 * The fields of one line of {@code blocks.jsonl} that the report uses (docs/design.md 2.6): the sequence, the block
 * and its positions, the top memory entries, self weight, entropy and, when the line has it, novelty. The summary and
 * context vectors are skipped, never stored. One instance is reused line after line by {@link BlockLineReader}.
 */
final class BlockLine {

    /** Entries kept per line; a line with more (a run with a larger top-k) keeps its first ones. */
    static final int MAX_TOP = 64;

    SeqId id;
    long block = -1;
    long start = -1;
    long end = -1;
    int topCount;
    final int[] level = new int[MAX_TOP];
    final long[] firstBlock = new long[MAX_TOP];
    final long[] lastBlock = new long[MAX_TOP];
    final float[] weight = new float[MAX_TOP];
    /** NaN when absent or null. */
    float selfWeight = Float.NaN;
    float entropy = Float.NaN;
    float novelty = Float.NaN;
    /** Whether the line has a "novelty" field (null counts as present). */
    boolean hasNovelty;
    /** Entries beyond {@link #MAX_TOP} on this line, not kept. */
    int topDropped;
    /** Values of the line's "summary" array (its width d), or -1 when absent. */
    int summaryWidth = -1;

    void clear() {
        id = null;
        block = -1;
        start = -1;
        end = -1;
        topCount = 0;
        selfWeight = Float.NaN;
        entropy = Float.NaN;
        novelty = Float.NaN;
        hasNovelty = false;
        topDropped = 0;
        summaryWidth = -1;
    }

    /** A sequence id as the report keys it: the id's first characters for display, its length and hash for identity. */
    record SeqId(String shown, long length, long hash) {

        /** Characters of an id kept for display; a longer id is shown cut with an ellipsis. */
        static final int SHOWN = 200;

        static SeqId of(JsonCursor.Str s) {
            return new SeqId(s.kept(), s.length(), s.hash());
        }

        /** The id for display: cut at {@link #SHOWN} characters with its full length said. */
        String display() {
            return length > shown.length()
                    ? shown + "… (" + String.format(java.util.Locale.ROOT, "%,d", length) + " characters)" : shown;
        }
    }
}
