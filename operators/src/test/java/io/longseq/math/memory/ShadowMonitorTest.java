package io.longseq.math.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.longseq.math.model.BlockResult;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.model.TopEntry;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The runtime accuracy monitor's arithmetic: the sampling hash against published FNV-1a and SplitMix64 values and an
 * independent BigInteger implementation, the sampling rate over many ids, "covers" on hand-built entries, the cosine
 * against known angles, and a sequence's tally.
 */
public class ShadowMonitorTest {

    private static final BigInteger TWO64 = BigInteger.ONE.shiftLeft(64);
    private static final BigInteger MASK = TWO64.subtract(BigInteger.ONE);

    /** u(id) computed with BigInteger arithmetic mod 2^64, from the class comment's formula. */
    public static double referenceUnit(String id) {
        BigInteger h = new BigInteger("cbf29ce484222325", 16);
        BigInteger prime = new BigInteger("100000001b3", 16);
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h = h.xor(BigInteger.valueOf(b & 0xff)).multiply(prime).and(MASK);
        }
        BigInteger seed = new BigInteger(Long.toUnsignedString(ShadowMonitor.SAMPLE_SEED));
        BigInteger z = referenceMix(h.xor(seed));
        return z.shiftRight(11).doubleValue() / Math.pow(2, 53);
    }

    static BigInteger referenceMix(BigInteger z) {
        z = z.xor(z.shiftRight(30)).multiply(new BigInteger("bf58476d1ce4e5b9", 16)).and(MASK);
        z = z.xor(z.shiftRight(27)).multiply(new BigInteger("94d049bb133111eb", 16)).and(MASK);
        return z.xor(z.shiftRight(31));
    }

    @Test
    void theHashIsFnv1aThenSplitMix64() {
        // published FNV-1a 64 values
        assertThat(BigBirdMemory.sequenceSeed("")).isEqualTo(0xcbf29ce484222325L);
        assertThat(BigBirdMemory.sequenceSeed("a")).isEqualTo(0xaf63dc4c8601ec8cL);
        assertThat(BigBirdMemory.sequenceSeed("foobar")).isEqualTo(0x85944171f73967e8L);
        // SplitMix64 from state 0: its first two outputs are mix(γ) and mix(2γ), γ = 0x9E3779B97F4A7C15
        assertThat(ShadowMonitor.mix(0x9E3779B97F4A7C15L)).isEqualTo(0xE220A8397B1DCDAFL);
        assertThat(ShadowMonitor.mix(0x9E3779B97F4A7C15L * 2)).isEqualTo(0x6E789E6AA1B965F4L);
        assertThat(referenceMix(new BigInteger("9e3779b97f4a7c15", 16))).isEqualTo(new BigInteger("e220a8397b1dcdaf", 16));
        for (String id : new String[] {"", "s", "chrI", "NC_000913.3", "séquence-ü", "x".repeat(300)}) {
            assertThat(ShadowMonitor.unit(id)).as(id).isEqualTo(referenceUnit(id));
        }
    }

    @Test
    void fractionZeroSamplesNothingOneEverythingAndBetweenItIsUBelowF() {
        Random r = new Random(3);
        for (int i = 0; i < 2000; i++) {
            String id = "id-" + r.nextLong();
            double u = referenceUnit(id);
            assertThat(u).isGreaterThanOrEqualTo(0).isLessThan(1);
            assertThat(ShadowMonitor.sampled(id, 0)).isFalse();
            assertThat(ShadowMonitor.sampled(id, 1)).isTrue();
            double f = r.nextDouble();
            assertThat(ShadowMonitor.sampled(id, f)).as("%s at %s (u = %s)", id, f, u).isEqualTo(u < f);
        }
    }

    @Test
    void theSampledShareIsNearFOverManyIdsAndGrowsWithF() {
        int n = 200_000;
        double[] fractions = {0.001, 0.01, 0.1, 0.5, 0.9};
        int[] hits = new int[fractions.length];
        for (int i = 0; i < n; i++) {
            String id = "seq-" + i;
            boolean before = false;
            for (int k = 0; k < fractions.length; k++) {
                boolean in = ShadowMonitor.sampled(id, fractions[k]);
                assertThat(!before || in).as("%s: sampled at a smaller F, so at a larger one too", id).isTrue();
                before = in;
                hits[k] += in ? 1 : 0;
            }
        }
        for (int k = 0; k < fractions.length; k++) {
            double f = fractions[k];
            double sigma = Math.sqrt(f * (1 - f) / n);
            assertThat((double) hits[k] / n).as("share at F = %s", f).isCloseTo(f, within(5 * sigma));
        }
    }

    static ModelConfig cfg(GlobalMode mode) {
        return ModelConfig.builder().globalMode(mode).blockSize(16).chunkSize(64).build(); // C/B = 4
    }

    @Test
    void anEntryCoversTheBlocksOfItsRangeAnAxialColumnOnlyEveryCOverBthOne() {
        ShadowMonitor h = new ShadowMonitor(cfg(GlobalMode.HIERARCHICAL));
        TopEntry range = new TopEntry(2, 4, 7, 0.5f);
        assertThat(h.covers(range, 3)).isFalse();
        assertThat(h.covers(range, 4)).isTrue();
        assertThat(h.covers(range, 6)).isTrue();
        assertThat(h.covers(range, 7)).isTrue();
        assertThat(h.covers(range, 8)).isFalse();
        assertThat(h.covers(new TopEntry(0, 9, 9, 0.1f), 9)).as("a retrieval exemplar").isTrue();
        ShadowMonitor axial = new ShadowMonitor(cfg(GlobalMode.AXIAL));
        TopEntry column = new TopEntry(2, 1, 13, 0.5f); // blocks 1, 5, 9, 13
        for (long b = 0; b <= 14; b++) {
            assertThat(axial.covers(column, b)).as("block %d", b).isEqualTo(b == 1 || b == 5 || b == 9 || b == 13);
        }
        assertThat(axial.covers(new TopEntry(1, 6, 6, 0.5f), 6)).as("a block of the own row").isTrue();
    }

    @Test
    void theCosineOfKnownAngles() {
        assertThat(ShadowMonitor.cosine(new float[] {1, 0}, new float[] {1, 1})).isCloseTo(Math.sqrt(0.5), within(1e-15));
        assertThat(ShadowMonitor.cosine(new float[] {1, 2, 3}, new float[] {-2, -4, -6})).isCloseTo(-1, within(1e-15));
        assertThat(ShadowMonitor.cosine(new float[] {3, 0}, new float[] {0, -2})).isZero();
        assertThat(ShadowMonitor.cosine(new float[] {0, 0}, new float[] {0, 0})).isEqualTo(1.0);
        assertThat(ShadowMonitor.cosine(new float[] {0, 0}, new float[] {0, 1})).isEqualTo(0.0);
        // cos 60°: (1, 0) and (1/2, √3/2), scaled
        float[] a = {5, 0};
        float[] b = {0.25f, (float) (Math.sqrt(3) / 4)};
        assertThat(ShadowMonitor.cosine(a, b)).isCloseTo(0.5, within(1e-7));
        assertThatThrownBy(() -> ShadowMonitor.cosine(new float[2], new float[3]))
                .hasMessage("cosine of vectors of 2 and 3 floats");
    }

    static BlockResult result(long block, float[] context, TopEntry... top) {
        return new BlockResult(block, block * 16, block * 16 + 16, new float[context.length], context, top, 0.5f, 1f, 0f);
    }

    @Test
    void aTallyCountsRankedAndAgreeingBlocksAndAveragesTheCosines() {
        ShadowMonitor m = new ShadowMonitor(cfg(GlobalMode.HIERARCHICAL));
        float[] x = {1, 0};
        float[] y = {0, 1};
        ShadowMonitor.Tally t = new ShadowMonitor.Tally();
        assertThat(t.describe()).isEqualTo("top-1 agreement n/a (0 of 0 blocks), mean context cosine n/a over 0 blocks");
        // block 0: full names nothing (only itself): not ranked; cosine 1
        ShadowMonitor.Comparison c0 = m.compare(result(0, x), result(0, x));
        assertThat(c0).isEqualTo(new ShadowMonitor.Comparison(false, false, 1.0));
        t.add(c0);
        // block 5: full's top-1 is block 3, inside the bounded top-1 [0, 3]: agrees; cosine 0
        t.add(m.compare(result(5, x, new TopEntry(3, 0, 3, 0.4f), new TopEntry(1, 4, 4, 0.3f)),
                result(5, y, new TopEntry(1, 3, 3, 0.2f))));
        // block 6: full's top-1 is block 5, the bounded top-1 is [0, 3] (its second entry, [5, 5], does not count)
        t.add(m.compare(result(6, x, new TopEntry(3, 0, 3, 0.4f), new TopEntry(1, 5, 5, 0.3f)),
                result(6, x, new TopEntry(1, 5, 5, 0.2f))));
        // block 7: the bounded mode names no entry: ranked, does not agree
        t.add(m.compare(result(7, x), result(7, x, new TopEntry(1, 1, 1, 0.9f))));
        assertThat(t.blocks()).isEqualTo(4);
        assertThat(t.ranked()).isEqualTo(3);
        assertThat(t.agreed()).isEqualTo(1);
        assertThat(t.agreement()).isCloseTo(1.0 / 3, within(1e-15));
        assertThat(t.meanCosine()).isCloseTo(0.75, within(1e-15));
        assertThat(t.describe()).isEqualTo("top-1 agreement 0.333333 (1 of 3 blocks), mean context cosine"
                + " 0.750000000 over 4 blocks");
        assertThatThrownBy(() -> m.compare(result(1, x), result(2, x))).hasMessage("shadow compares block 1 with block 2");

        // LINEAR keeps no entries: nothing is ranked, the cosine still counts
        ShadowMonitor linear = new ShadowMonitor(cfg(GlobalMode.LINEAR));
        assertThat(linear.compare(result(3, x), result(3, y, new TopEntry(1, 1, 1, 0.9f))))
                .isEqualTo(new ShadowMonitor.Comparison(false, false, 0.0));
    }

    @Test
    void aTallyGoesToStateAndBackBitwiseAndCorruptStateIsRefused() {
        ShadowMonitor.Tally t = new ShadowMonitor.Tally();
        t.add(new ShadowMonitor.Comparison(true, true, 0.1));
        t.add(new ShadowMonitor.Comparison(true, false, 0.7));
        t.add(new ShadowMonitor.Comparison(false, false, -0.3));
        long[] s = t.toState();
        assertThat(s).containsExactly(3, 2, 1, Double.doubleToRawLongBits(0.1 + 0.7 + -0.3), 0);
        ShadowMonitor.Tally back = ShadowMonitor.Tally.fromState(s);
        assertThat(back.toState()).containsExactly(s);
        assertThat(back.stopped()).isFalse();
        back.stop();
        assertThat(ShadowMonitor.Tally.fromState(back.toState()).stopped()).isTrue();
        assertThatThrownBy(() -> ShadowMonitor.Tally.fromState(new long[] {1, 2, 1, 0, 0}))
                .hasMessage("shadow tally state is corrupt: [1, 2, 1, 0, 0]");
        assertThatThrownBy(() -> ShadowMonitor.Tally.fromState(new long[4])).isInstanceOf(IllegalArgumentException.class);
    }
}
