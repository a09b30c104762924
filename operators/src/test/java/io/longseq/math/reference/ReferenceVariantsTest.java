package io.longseq.math.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.model.TopEntry;
import io.longseq.math.weights.Weights;
import io.longseq.math.weights.WeightsInit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reference's LINEAR and AXIAL global modes (docs/design.md 2.7) against properties that follow from their
 * definitions ({@link GlobalMode}), without the fast path: LINEAR converges to exact (FULL) block attention as
 * the number of random features grows, and is exactly uniform when all keys are equal; AXIAL is FULL inside one
 * chunk, has the entries written out by hand, and gives count weights when all keys are equal.
 */
class ReferenceVariantsTest {

    static final int D = 32;

    static ModelConfig.Builder base() {
        return ModelConfig.builder().featureKind(FeatureKind.TOKENS).vocabSize(25).dModel(D).heads(2).window(2)
                .layers(1).ffnDim(6).blockSize(2).chunkSize(8).topK(8);
    }

    /** A random model whose W_go is the identity, so c_b − s_b = g_b. */
    static Map<String, float[]> arrays(ModelConfig cfg, long seed) {
        Map<String, float[]> a = WeightsInit.random(cfg, seed, 1f).toArrays();
        float[] wo = a.get("global.wo");
        Arrays.fill(wo, 0f);
        for (int i = 0; i < D; i++) {
            wo[i * D + i] = 1f;
        }
        return a;
    }

    static double[][] summaries(int blocks, long seed) {
        Random r = new Random(seed);
        double[][] s = new double[blocks][D];
        for (double[] row : s) {
            for (int c = 0; c < D; c++) {
                row[c] = r.nextGaussian();
            }
        }
        return s;
    }

    // ------------------------------------------------------------------------------------------------
    // LINEAR
    // ------------------------------------------------------------------------------------------------

    /**
     * With m = 4096 features LINEAR's g_b is close to FULL mode's exact softmax attention over blocks 0..b.
     *
     * <p>Tolerance, and why: φ(q)·φ(k) is an unbiased estimate of exp(q·k/√d) with relative standard deviation
     * σ = √((e^(|q'+k'|²) − 1)/m) per pair (positive random features, Choromanski et al. 2021, Lemma 2). W_gq and
     * W_gk are scaled by 1/4 here so |q'|², |k'|² ≈ 2/√32 ≈ 0.35 and |q'+k'|² ≈ 0.7, giving σ ≈ 0.016 at m = 4096.
     * The normalised weights then move by p_j·(ε_j − ε̄), so each entry of g_b = Σ p_j v_j (v entries ~ N(0, 1))
     * moves by about σ/√(b+1); over 40 blocks × 32 entries the largest is ≈ 4σ/√2 ≈ 0.045 at worst (b = 1).
     * Hence: max |Δg| &lt; 0.05, RMS &lt; 0.01 (≈ 0.6σ), self weight within 0.02. Measured: max ≤ 0.02,
     * RMS ≤ 0.004 (seeds 1–5). And the error must shrink like 1/√m: RMS at m = 4096 below a third of that at
     * m = 64 (√64 = 8 expected). Everything is seeded, so the test is deterministic.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void linearWithManyFeaturesApproachesFullAttention(long seed) {
        ModelConfig cfg = base().build();
        Map<String, float[]> a = arrays(cfg, seed);
        for (String name : new String[] {"global.wq", "global.wk"}) {
            float[] x = a.get(name);
            for (int i = 0; i < x.length; i++) {
                x[i] *= 0.25f;
            }
        }
        Weights w = Weights.fromArrays(cfg, a);
        int blocks = 40;
        double[][] s = summaries(blocks, seed);
        List<BlockResult> full = new ReferenceModel(cfg.toBuilder().globalMode(GlobalMode.FULL).build(), w)
                .global(s, 2 * blocks);
        double[] rms = new double[2];
        int[] features = {64, 4096};
        for (int t = 0; t < 2; t++) {
            ModelConfig lin = cfg.toBuilder().globalMode(GlobalMode.LINEAR).linearFeatures(features[t])
                    .linearSeed(seed).build();
            List<BlockResult> r = new ReferenceModel(lin, w).global(s, 2 * blocks);
            double max = 0;
            double sum2 = 0;
            for (int b = 0; b < blocks; b++) {
                for (int c = 0; c < D; c++) {
                    double diff = (double) r.get(b).context()[c] - full.get(b).context()[c];
                    max = Math.max(max, Math.abs(diff));
                    sum2 += diff * diff;
                }
                if (features[t] == 4096) {
                    assertThat(r.get(b).selfWeight()).as("block %d", b)
                            .isCloseTo(full.get(b).selfWeight(), within(0.02f));
                }
            }
            rms[t] = Math.sqrt(sum2 / (blocks * D));
            if (features[t] == 4096) {
                assertThat(max).isLessThan(0.05);
                assertThat(rms[t]).isLessThan(0.01);
            }
        }
        assertThat(rms[1]).as("error shrinks like 1/sqrt(m)").isLessThan(rms[0] / 3);
    }

    /** W_gk = 0: all keys share their features, so every block weighs blocks 0..b equally, for any m and ω. */
    @ParameterizedTest(name = "m = {0}")
    @ValueSource(ints = {1, 3, 64})
    void linearWithEqualKeysIsTheUniformMean(int m) {
        ModelConfig cfg = base().globalMode(GlobalMode.LINEAR).linearFeatures(m).build();
        Map<String, float[]> a = arrays(cfg, 7);
        Arrays.fill(a.get("global.wk"), 0f);
        Weights w = Weights.fromArrays(cfg, a);
        int blocks = 25;
        double[][] s = summaries(blocks, 7);
        List<BlockResult> lin = new ReferenceModel(cfg, w).global(s, 2 * blocks);
        // FULL with zero keys: every score is 0, so also uniform
        List<BlockResult> full = new ReferenceModel(cfg.toBuilder().globalMode(GlobalMode.FULL).build(), w)
                .global(s, 2 * blocks);
        for (int b = 0; b < blocks; b++) {
            BlockResult x = lin.get(b);
            assertThat(x.context()).as("block %d", b).containsExactly(full.get(b).context(), within(1e-6f));
            assertThat(x.selfWeight()).isCloseTo(1f / (b + 1), within(1e-7f));
            assertThat(x.top()).isEmpty();
            assertThat(x.entropy()).isZero();
        }
    }

    @Test
    void linearIsCausal() {
        ModelConfig cfg = base().globalMode(GlobalMode.LINEAR).linearFeatures(16).build();
        Weights w = Weights.fromArrays(cfg, arrays(cfg, 3));
        double[][] s = summaries(12, 3);
        List<BlockResult> before = new ReferenceModel(cfg, w).global(s, 24);
        s[8][0] += 5;
        List<BlockResult> after = new ReferenceModel(cfg, w).global(s, 24);
        for (int b = 0; b < 12; b++) {
            boolean same = Arrays.equals(before.get(b).context(), after.get(b).context());
            assertThat(same).as("block %d unchanged", b).isEqualTo(b < 8);
        }
    }

    @Test
    void linearOmegaIsSeededGaussianFloats() {
        double[][] a = ReferenceEntries.linearOmega(5, 64, 16);
        assertThat(ReferenceEntries.linearOmega(5, 64, 16)).isDeepEqualTo(a);
        assertThat(ReferenceEntries.linearOmega(6, 64, 16)[0]).isNotEqualTo(a[0]);
        assertThat(ReferenceEntries.linearOmega(5 | 1L << 62, 64, 16)[0]).isNotEqualTo(a[0]);
        double sum = 0;
        double sum2 = 0;
        for (double[] row : a) {
            for (double u : row) {
                assertThat(u).isEqualTo((float) u);
                sum += u;
                sum2 += u * u;
            }
        }
        int n = 64 * 16;
        assertThat(sum / n).isCloseTo(0, within(0.1));        // 3σ of the mean is 0.09
        assertThat(sum2 / n).isCloseTo(1, within(0.15));      // 3σ of the variance is 0.13
    }

    // ------------------------------------------------------------------------------------------------
    // AXIAL
    // ------------------------------------------------------------------------------------------------

    /** n ≤ C: one chunk, one grid row, no column entries, so AXIAL computes exactly what FULL does. */
    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 7, 11, 16})
    void axialWithinOneChunkEqualsFullExactly(int n) {
        ModelConfig axial = base().globalMode(GlobalMode.AXIAL).chunkSize(16).build();
        ModelConfig full = axial.toBuilder().globalMode(GlobalMode.FULL).build();
        Weights w = Weights.fromArrays(axial, WeightsInit.random(axial, 8, 1f).toArrays());
        int[] ids = new Random(n).ints(n, 0, axial.vocabSize()).toArray();
        List<BlockResult> x = new ReferenceModel(axial, w).run(ids, n).blocks();
        List<BlockResult> y = new ReferenceModel(full, w).run(ids, n).blocks();
        assertThat(x).hasSameSizeAs(y).hasSize((n + 1) / 2);
        for (int b = 0; b < x.size(); b++) {
            assertThat(x.get(b).context()).containsExactly(y.get(b).context());
            assertThat(x.get(b).selfWeight()).isEqualTo(y.get(b).selfWeight());
            assertThat(x.get(b).entropy()).isEqualTo(y.get(b).entropy());
            assertThat(x.get(b).top()).containsExactly(y.get(b).top());
        }
    }

    @Test
    void axialEntriesByHand() {
        // P = 3: block 7 = (row 2, column 1)
        assertThat(ReferenceEntries.axialEntries(7, 3)).containsExactly(
                new long[] {2, 1, 4, 3}, new long[] {1, 6, 6}, new long[] {1, 7, 7});
        assertThat(ReferenceEntries.axialEntries(2, 3)).containsExactly(
                new long[] {1, 0, 0}, new long[] {1, 1, 1}, new long[] {1, 2, 2});
        assertThat(ReferenceEntries.axialEntries(3, 3)).containsExactly(new long[] {2, 0, 0, 3}, new long[] {1, 3, 3});
        // P = 1: each block is a row of one; its column is every earlier block
        assertThat(ReferenceEntries.axialEntries(4, 1)).containsExactly(new long[] {2, 0, 3, 1}, new long[] {1, 4, 4});
    }

    /**
     * W_gk = 0: every score is ln c, so block (r, j) gives each row entry 1/(r+j+1) and the column entry
     * r/(r+j+1); g_b is the plain mean of v over the r + j + 1 blocks the entries stand for.
     */
    @Test
    void axialWithEqualKeysGivesCountWeights() {
        int p = 4;
        ModelConfig cfg = base().globalMode(GlobalMode.AXIAL).chunkSize(2 * p).build();
        Map<String, float[]> a = arrays(cfg, 5);
        Arrays.fill(a.get("global.wk"), 0f);
        Weights w = Weights.fromArrays(cfg, a);
        int blocks = 30;
        double[][] s = summaries(blocks, 5);
        List<BlockResult> res = new ReferenceModel(cfg, w).global(s, 2 * blocks);
        for (int b = 0; b < blocks; b++) {
            int r = b / p;
            int j = b % p;
            double total = r + j + 1;
            BlockResult x = res.get(b);
            assertThat(x.selfWeight()).as("block %d", b).isCloseTo((float) (1 / total), within(1e-7f));
            double entropy = (j + 1) / total * Math.log(total) + (r > 0 ? r / total * Math.log(total / r) : 0);
            assertThat(x.entropy()).isCloseTo((float) entropy, within(1e-6f));
            assertThat(x.top()).hasSize(j + (r > 0 ? 1 : 0));
            if (r > 0) {   // equal keys: every block gets 1/total, so the column (r blocks) holds r/total
                TopEntry column = Arrays.stream(x.top()).filter(t -> t.level() == 2).findFirst().orElseThrow();
                assertThat(column.weight()).isCloseTo((float) (r / total), within(1e-7f));
                assertThat(new long[] {column.firstBlock(), column.lastBlock()})
                        .containsExactly(j, (long) (r - 1) * p + j);
            }
            // g = mean of v over the covered blocks: v = LN_g(s)·W_gv, written out here
            double[] g = new double[D];
            for (int bb = 0; bb <= b; bb++) {
                if (bb / p == r || bb % p == j) {
                    double[] v = vecMat(ReferenceMath.layerNorm(s[bb], w.lngGain, w.lngBias), w.gWv);
                    for (int c = 0; c < D; c++) {
                        g[c] += v[c] / total;
                    }
                }
            }
            for (int c = 0; c < D; c++) {
                assertThat((double) x.context()[c]).isCloseTo(s[b][c] + g[c], within(1e-5));
            }
        }
    }

    private static double[] vecMat(double[] x, float[] m) {
        double[] y = new double[D];
        for (int r = 0; r < D; r++) {
            for (int c = 0; c < D; c++) {
                y[c] += x[r] * m[r * D + c];
            }
        }
        return y;
    }
}
