package io.longseq.stream.global;

import io.longseq.math.model.BlockResult;
import io.longseq.math.model.TopEntry;
import java.util.Arrays;
import java.util.Objects;

/**
 * The output per block (docs/design.md 2.6): a {@link BlockResult} with its sequence id, flattened into primitive
 * arrays (the top-K entries as four parallel arrays) so that Flink serialises it as a POJO.
 */
public class BlockContext {

    public String sequenceId;
    public long block;
    public long start;
    public long end;
    /** s_b [d]. */
    public float[] summary;
    /** c_b [d]. */
    public float[] context;
    /** Top-K entries other than the block itself, [K'] each (K' ≤ K). */
    public int[] topLevel;
    public long[] topFirst;
    public long[] topLast;
    public float[] topWeight;
    /**
     * Which query matched each top entry with strand BOTH: '+' or '-' ({@link TopEntry#strand()}), [K']; empty when
     * only the forward strand was searched (and null in records written before the field existed).
     */
    public byte[] topStrand;
    public float selfWeight;
    public float entropy;
    /** 1 − the best cosine of the block's key with an earlier memory entry's, in [0, 1] (BlockResult). */
    public float novelty;

    public BlockContext() {}

    public static BlockContext of(String sequenceId, BlockResult r) {
        BlockContext c = new BlockContext();
        c.sequenceId = sequenceId;
        c.block = r.block();
        c.start = r.start();
        c.end = r.end();
        c.summary = r.summary();
        c.context = r.context();
        int k = r.top().length;
        c.topLevel = new int[k];
        c.topFirst = new long[k];
        c.topLast = new long[k];
        c.topWeight = new float[k];
        boolean stated = k > 0 && r.top()[0].strand() != TopEntry.UNSTATED;
        c.topStrand = new byte[stated ? k : 0];
        for (int i = 0; i < k; i++) {
            TopEntry t = r.top()[i];
            if (stated) {
                c.topStrand[i] = t.strand();
            }
            c.topLevel[i] = t.level();
            c.topFirst[i] = t.firstBlock();
            c.topLast[i] = t.lastBlock();
            c.topWeight[i] = t.weight();
        }
        c.selfWeight = r.selfWeight();
        c.entropy = r.entropy();
        c.novelty = r.novelty();
        return c;
    }

    /** Back to the math's record (for JSON and comparisons). */
    public BlockResult toResult() {
        TopEntry[] top = new TopEntry[topLevel.length];
        for (int i = 0; i < top.length; i++) {
            byte strand = topStrand != null && topStrand.length == top.length ? topStrand[i] : TopEntry.UNSTATED;
            top[i] = new TopEntry(topLevel[i], topFirst[i], topLast[i], topWeight[i], strand);
        }
        return new BlockResult(block, start, end, summary, context, top, selfWeight, entropy, novelty);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockContext c && block == c.block && start == c.start && end == c.end
                && Float.floatToRawIntBits(selfWeight) == Float.floatToRawIntBits(c.selfWeight)
                && Float.floatToRawIntBits(entropy) == Float.floatToRawIntBits(c.entropy)
                && Float.floatToRawIntBits(novelty) == Float.floatToRawIntBits(c.novelty)
                && Objects.equals(sequenceId, c.sequenceId) && Arrays.equals(summary, c.summary)
                && Arrays.equals(context, c.context) && Arrays.equals(topLevel, c.topLevel)
                && Arrays.equals(topFirst, c.topFirst) && Arrays.equals(topLast, c.topLast)
                && Arrays.equals(topWeight, c.topWeight) && Arrays.equals(strands(), c.strands());
    }

    // topStrand, null (a record from before the field) read as empty
    private byte[] strands() {
        return topStrand == null ? new byte[0] : topStrand;
    }

    @Override
    public int hashCode() {
        return Objects.hash(sequenceId, block);
    }

    @Override
    public String toString() {
        return "BlockContext{" + sequenceId + " block " + block + " [" + start + ", " + end + ")}";
    }
}
