package io.longseq.math.memory;

import io.longseq.math.model.BlockResult;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.model.TopEntry;
import java.util.Locale;

/**
 * The arithmetic of the runtime accuracy monitor ({@code --shadow-sample}, docs/design.md G7): for a seeded sample
 * of sequences, exact FULL block attention runs beside the configured bounded mode on the same block summaries, and
 * each block's two results are compared here. Three pure functions and a per-sequence tally; the Flink function
 * that owns the shadow's state and metrics delegates to this class.
 *
 * <ul>
 *   <li><b>Sampling</b> ({@link #sampled}): sequence {@code id} is shadowed at fraction F iff u(id) &lt; F, with
 *       u(id) = (mix(FNV-1a 64(id's UTF-8 bytes) ^ {@link #SAMPLE_SEED}) &gt;&gt;&gt; 11) · 2^−53 ∈ [0, 1) and mix
 *       the SplitMix64 finaliser. It depends on the id only, so the same sequences are shadowed on every run,
 *       parallelism and restart, and a sequence shadowed at F is shadowed at every F' &gt; F.</li>
 *   <li><b>Top-1 agreement</b> ({@link #compare}): a block is <i>ranked</i> when FULL names a top-1 entry for it
 *       (a block b' &lt; b; block 0 has none) and the bounded mode keeps entries at all (LINEAR keeps none, so
 *       nothing is ranked there). A ranked block <i>agrees</i> when the bounded mode's top-1 entry covers FULL's
 *       top-1 block b*: firstBlock ≤ b* ≤ lastBlock, and for an AXIAL column entry (level 2), which stands for
 *       every (C/B)-th block of that range only, also (b* − firstBlock) mod (C/B) = 0. A ranked block whose bounded
 *       result names no entry does not agree.</li>
 *   <li><b>Context cosine</b> ({@link #cosine}): cos(c_b bounded, c_b full) of the two contexts [d], summed in
 *       double in index order; 1 when both are zero vectors, 0 when only one is.</li>
 * </ul>
 */
public final class ShadowMonitor {

    /** Seed of the sampling hash (fixed: the sample must not change between runs). */
    public static final long SAMPLE_SEED = 0x5AD0_3A3B_1E5E_ED01L;

    private final GlobalMode mode;
    private final int columnStride;    // C/B: the step of an AXIAL column entry

    /** A monitor of the bounded mode of {@code bounded} against FULL. */
    public ShadowMonitor(ModelConfig bounded) {
        this.mode = bounded.globalMode();
        this.columnStride = bounded.blocksPerChunk();
    }

    /** The same model in global mode FULL: the shadow's configuration (its memory is capped at maxBlocks). */
    public static ModelConfig fullOf(ModelConfig bounded) {
        return bounded.toBuilder().globalMode(GlobalMode.FULL).build();
    }

    /** Whether sequence {@code id} is shadowed at fraction {@code fraction} ∈ [0, 1] (class comment). */
    public static boolean sampled(String id, double fraction) {
        if (fraction <= 0) {
            return false;
        }
        return fraction >= 1 || unit(id) < fraction;
    }

    /** u(id) ∈ [0, 1), the sampling hash of the class comment. */
    public static double unit(String id) {
        return (mix(BigBirdMemory.sequenceSeed(id) ^ SAMPLE_SEED) >>> 11) * 0x1.0p-53;
    }

    // the SplitMix64 finaliser
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Whether entry {@code e} of this monitor's bounded mode stands for block {@code block} (class comment). */
    public boolean covers(TopEntry e, long block) {
        if (block < e.firstBlock() || block > e.lastBlock()) {
            return false;
        }
        return mode != GlobalMode.AXIAL || e.level() != 2 || (block - e.firstBlock()) % columnStride == 0;
    }

    // cos(a, b) for a, b [d]
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("cosine of vectors of " + a.length + " and " + b.length + " floats");
        }
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        if (aa == 0 || bb == 0) {
            return aa == bb ? 1.0 : 0.0;
        }
        return ab / (Math.sqrt(aa) * Math.sqrt(bb));
    }

    /** One block: ranked (FULL names a top-1 and the bounded mode keeps entries), agrees, cosine of the contexts. */
    public record Comparison(boolean ranked, boolean agrees, double cosine) {}

    /** Compares the bounded mode's result of a block with FULL's result of the same block. */
    public Comparison compare(BlockResult bounded, BlockResult full) {
        if (bounded.block() != full.block()) {
            throw new IllegalArgumentException("shadow compares block " + bounded.block() + " with block "
                    + full.block());
        }
        boolean ranked = full.top().length > 0 && mode != GlobalMode.LINEAR;
        boolean agrees = ranked && bounded.top().length > 0 && covers(bounded.top()[0], full.top()[0].firstBlock());
        return new Comparison(ranked, agrees, cosine(bounded.context(), full.context()));
    }

    /**
     * A sequence's figures so far: blocks compared, ranked and agreeing blocks, the sum of the cosines (in block
     * order, so the same bits on every run), and whether its shadow has stopped. Kept in keyed state as a long[5].
     */
    public static final class Tally {
        private long blocks;
        private long ranked;
        private long agreed;
        private double cosineSum;
        private boolean stopped;

        public void add(Comparison c) {
            blocks++;
            if (c.ranked()) {
                ranked++;
                if (c.agrees()) {
                    agreed++;
                }
            }
            cosineSum += c.cosine();
        }

        public long blocks() {
            return blocks;
        }

        public long ranked() {
            return ranked;
        }

        public long agreed() {
            return agreed;
        }

        /** agreed / ranked; NaN when no block was ranked. */
        public double agreement() {
            return ranked == 0 ? Double.NaN : (double) agreed / ranked;
        }

        /** The mean cosine over the blocks; NaN when none was compared. */
        public double meanCosine() {
            return blocks == 0 ? Double.NaN : cosineSum / blocks;
        }

        public boolean stopped() {
            return stopped;
        }

        public void stop() {
            stopped = true;
        }

        /**
         * The figures in one line: {@code top-1 agreement 0.500000 (1 of 2 blocks), mean context cosine 0.999999850
         * over 3 blocks} (agreement to six decimals, the cosine to nine: it often lies within 10^−6 of 1;
         * {@code n/a} for a figure with no blocks; locale-independent).
         */
        public String describe() {
            return "top-1 agreement " + fixed(agreement(), 6) + " (" + agreed + " of " + ranked + " blocks), mean"
                    + " context cosine " + fixed(meanCosine(), 9) + " over " + blocks + " blocks";
        }

        private static String fixed(double x, int decimals) {
            return Double.isNaN(x) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", x);
        }

        /** {blocks, ranked, agreed, raw bits of the cosine sum, stopped ? 1 : 0}. */
        public long[] toState() {
            return new long[] {blocks, ranked, agreed, Double.doubleToRawLongBits(cosineSum), stopped ? 1 : 0};
        }

        /** Restores {@link #toState}; checks its shape. */
        public static Tally fromState(long[] s) {
            if (s.length != 5 || s[0] < 0 || s[1] < 0 || s[2] < 0 || s[2] > s[1] || s[1] > s[0]
                    || (s[4] != 0 && s[4] != 1)) {
                throw new IllegalArgumentException("shadow tally state is corrupt: " + java.util.Arrays.toString(s));
            }
            Tally t = new Tally();
            t.blocks = s[0];
            t.ranked = s[1];
            t.agreed = s[2];
            t.cosineSum = Double.longBitsToDouble(s[3]);
            t.stopped = s[4] == 1;
            return t;
        }
    }
}
