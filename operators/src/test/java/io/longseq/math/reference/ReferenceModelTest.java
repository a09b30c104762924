package io.longseq.math.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.model.Pooling;
import io.longseq.math.model.TopEntry;
import io.longseq.math.weights.Weights;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checks the offline reference against properties that follow from docs/design.md section 2 without
 * re-running its code: a dense attention written differently, invariances (padding, window radius,
 * translation), closed-form special cases, and an incremental simulation of the hierarchical memory.
 */
class ReferenceModelTest {

    // ------------------------------------------------------------------------------------------------
    // erf / GELU
    // ------------------------------------------------------------------------------------------------

    @Test
    void erfMatchesKnownValues() {
        assertThat(ReferenceMath.erf(0.5)).isCloseTo(0.5204998778130465, within(1e-12));
        assertThat(ReferenceMath.erf(1.0)).isCloseTo(0.8427007929497149, within(1e-12));
        assertThat(ReferenceMath.erf(2.0)).isCloseTo(0.9953222650189527, within(1e-12));
        assertThat(ReferenceMath.erf(-1.5)).isCloseTo(-0.9661051464753108, within(1e-12));
        assertThat(ReferenceMath.erf(3.5)).isCloseTo(0.9999992569016276, within(1e-12));
        assertThat(ReferenceMath.erf(0.0)).isEqualTo(0.0);
        assertThat(ReferenceMath.erf(1e-10)).isCloseTo(2 / Math.sqrt(Math.PI) * 1e-10, within(1e-24));
        assertThat(ReferenceMath.erf(5.0)).isCloseTo(0.9999999999984626, within(1e-13));
        assertThat(ReferenceMath.erf(40.0)).isEqualTo(1.0);
        assertThat(ReferenceMath.erf(-40.0)).isEqualTo(-1.0);
        assertThat(ReferenceMath.erf(Double.NaN)).isNaN();
        // The tail, where erf is 1 − erfc: erfc itself must be right to many digits, not just erf to 1e-12.
        assertThat(1 - ReferenceMath.erf(2.2)).isCloseTo(0.0018628462979818894, within(0.0018628 * 1e-10));
        assertThat(1 - ReferenceMath.erf(2.5)).isCloseTo(0.0004069520174449589, within(0.00040695 * 1e-10));
        assertThat(1 - ReferenceMath.erf(3.0)).isCloseTo(2.2090496998585438e-05, within(2.209e-05 * 1e-9));
        assertThat(1 - ReferenceMath.erf(4.0)).isCloseTo(1.541725790028002e-08, within(1.5417e-08 * 1e-6));
    }

    @Test
    void erfIsOddMonotoneAndBounded() {
        double prev = -1.0;
        for (int i = -700; i <= 700; i++) {
            double x = i / 100.0;
            double e = ReferenceMath.erf(x);
            assertThat(ReferenceMath.erf(-x)).isEqualTo(-e);
            assertThat(e).isBetween(-1.0, 1.0).isGreaterThanOrEqualTo(prev - 2e-16); // monotone up to rounding
            prev = e;
        }
        // Derivative check: d/dx erf = 2/sqrt(pi) exp(-x^2), by central differences.
        for (double x = -4; x <= 4; x += 0.37) {
            double h = 1e-5;
            double num = (ReferenceMath.erf(x + h) - ReferenceMath.erf(x - h)) / (2 * h);
            assertThat(num).isCloseTo(2 / Math.sqrt(Math.PI) * Math.exp(-x * x), within(1e-9));
        }
    }

    @Test
    void geluKnownValues() {
        assertThat(ReferenceMath.gelu(0)).isEqualTo(0.0);
        assertThat(ReferenceMath.gelu(1.0)).isCloseTo(0.8413447460685429, within(1e-12));
        assertThat(ReferenceMath.gelu(-1.0)).isCloseTo(-0.15865525393145707, within(1e-12));
        assertThat(ReferenceMath.gelu(10.0)).isCloseTo(10.0, within(1e-12));
        assertThat(ReferenceMath.gelu(-10.0)).isCloseTo(0.0, within(1e-12));
    }

    // ------------------------------------------------------------------------------------------------
    // Local tier
    // ------------------------------------------------------------------------------------------------

    /** (a) A window that covers the whole sequence is dense attention, computed here in matrix form. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void windowCoveringSequenceEqualsDenseAttention(boolean causal) {
        int n = 13;
        ModelConfig cfg = ModelConfig.builder().featureKind(FeatureKind.LOG).maxFeatures(3).vocabSize(40)
                .dModel(8).heads(2).window(causal ? n : n + 5).layers(2).ffnDim(12).causal(causal)
                .blockSize(4).chunkSize(8).build();
        Weights w = randomWeights(cfg, 11);
        Random rnd = new Random(5);
        int[] ids = new int[n * 3];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rnd.nextInt(4) == 0 ? -1 : rnd.nextInt(40);
        }
        Arrays.fill(ids, 3 * 4, 3 * 5, -1); // one position with no features at all

        double[][] z = new ReferenceModel(cfg, w).localTier(ids, n);
        double[][] dense = Dense.localTier(cfg, w, ids, n, causal);
        assertThat(z.length).isEqualTo(n);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < cfg.dModel(); c++) {
                assertThat(z[i][c]).as("z[%d][%d]", i, c).isCloseTo(dense[i][c], within(1e-12));
            }
        }
    }

    /** (b) Softmax over equal values returns the value: x' = x + LN1(x) with identity W_v, W_o and zero FFN. */
    @Test
    void equalValuesPassThroughAttention() {
        int n = 9;
        ModelConfig cfg = ModelConfig.builder().featureKind(FeatureKind.TOKENS).vocabSize(20).dModel(6).heads(1)
                .window(2).layers(1).ffnDim(5).blockSize(3).chunkSize(9).build();
        Map<String, float[]> a = randomArrays(cfg, 3);
        float[] row = Arrays.copyOf(a.get("embedding"), 6);
        float[] emb = a.get("embedding");
        for (int r = 0; r < 20; r++) {
            System.arraycopy(row, 0, emb, r * 6, 6);
        }
        a.put("layer0.wv", identity(6));
        a.put("layer0.wo", identity(6));
        for (String f : List.of("layer0.w1", "layer0.b1", "layer0.w2", "layer0.b2")) {
            Arrays.fill(a.get(f), 0f);
        }
        Weights w = Weights.fromArrays(cfg, a);
        int[] ids = new Random(1).ints(n, 0, 20).toArray();

        double[][] z = new ReferenceModel(cfg, w).localTier(ids, n);

        double[] e = new double[6];
        for (int c = 0; c < 6; c++) {
            e[c] = row[c];
        }
        double[] ln1 = Dense.layerNorm(e, a.get("layer0.ln1.gain"), a.get("layer0.ln1.bias"));
        double[] x1 = new double[6];
        for (int c = 0; c < 6; c++) {
            x1[c] = e[c] + ln1[c];
        }
        double[] expected = Dense.layerNorm(x1, a.get("lnf.gain"), a.get("lnf.bias"));
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 6; c++) {
                assertThat(z[i][c]).isCloseTo(expected[c], within(1e-12));
            }
        }
    }

    /** z_i depends on ids within L·w of i (and, when causal, only on ids at or before i): exactly that far. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void receptiveFieldIsExactlyLayersTimesWindow(boolean causal) {
        int n = 30;
        int reach = 2 * 3; // L * w
        ModelConfig cfg = ModelConfig.builder().featureKind(FeatureKind.TOKENS).vocabSize(50).dModel(8).heads(2)
                .window(3).layers(2).ffnDim(8).causal(causal).blockSize(5).chunkSize(10).build();
        ReferenceModel model = new ReferenceModel(cfg, randomWeights(cfg, 21));
        int[] ids = new Random(2).ints(n, 0, 50).toArray();
        int i = 15;
        double[] base = model.localTier(ids, n)[i];

        for (int j = 0; j < n; j++) {
            int[] changed = ids.clone();
            changed[j] = (ids[j] + 17) % 50;
            double[] zi = model.localTier(changed, n)[i];
            boolean inField = causal ? (j <= i && j >= i - reach) : Math.abs(i - j) <= reach;
            if (inField) {
                assertThat(maxAbsDiff(base, zi)).as("id at %d should change z[%d]", j, i).isGreaterThan(1e-9);
            } else {
                assertThat(zi).as("id at %d must not change z[%d]", j, i).isEqualTo(base);
            }
        }
    }

    /** No absolute position embedding and relative RoPE: a periodic input gives periodic z away from the ends. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void periodicInputGivesPeriodicOutputAwayFromEdges(boolean causal) {
        int n = 80;
        int period = 7;
        ModelConfig cfg = ModelConfig.builder().featureKind(FeatureKind.TOKENS).vocabSize(30).dModel(8).heads(2)
                .window(4).layers(2).ffnDim(8).causal(causal).blockSize(8).chunkSize(16).build();
        ReferenceModel model = new ReferenceModel(cfg, randomWeights(cfg, 8));
        int[] pattern = {3, 9, 1, 27, 14, 3, 5};
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = pattern[i % period];
        }
        double[][] z = model.localTier(ids, n);
        int reach = 8; // L * w
        int last = causal ? n - 1 : n - 1 - reach;
        for (int i = reach; i + period <= last; i++) {
            for (int c = 0; c < 8; c++) {
                assertThat(z[i + period][c]).isCloseTo(z[i][c], within(1e-11));
            }
        }
        // Near the start the window is cut, so the period is broken there: the check above is not vacuous.
        assertThat(maxAbsDiff(z[0], z[period])).isGreaterThan(1e-6);
    }

    /** Empty slots and the DNA padding id are left out of the mean; the mean does not depend on slot order. */
    @Test
    void paddingIsExcludedFromTheEmbeddingMean() {
        ModelConfig log = ModelConfig.builder().featureKind(FeatureKind.LOG).maxFeatures(3).vocabSize(20)
                .dModel(4).heads(1).window(2).layers(1).ffnDim(4).blockSize(2).chunkSize(4).build();
        ReferenceModel m = new ReferenceModel(log, randomWeights(log, 4));
        double[][] a = m.localTier(new int[] {5, -1, 7, 2, 2, -1, -1, -1, -1}, 3);
        double[][] b = m.localTier(new int[] {-1, 7, 5, 2, -1, -9, -1, -1, -1}, 3);
        for (int i = 0; i < 3; i++) {
            for (int c = 0; c < 4; c++) {
                assertThat(a[i][c]).isCloseTo(b[i][c], within(1e-14));
            }
        }

        ModelConfig dna = ModelConfig.builder().featureKind(FeatureKind.DNA).kmer(2).dModel(4).heads(1).window(2)
                .layers(1).ffnDim(4).blockSize(2).chunkSize(4).build();
        Map<String, float[]> arrays = randomArrays(dna, 6);
        double[][] z1 = new ReferenceModel(dna, Weights.fromArrays(dna, arrays))
                .localTier(new int[] {dna.padId(), 3, 16, 9, 3}, 5);
        float[] emb = arrays.get("embedding");
        for (int c = 0; c < 4; c++) {
            emb[dna.padId() * 4 + c] += 5f; // the padding row must never be read
        }
        double[][] z2 = new ReferenceModel(dna, Weights.fromArrays(dna, arrays))
                .localTier(new int[] {dna.padId(), 3, 16, 9, 3}, 5);
        assertThat(z2).isDeepEqualTo(z1);

        assertThatThrownBy(() -> m.localTier(new int[] {20, -1, -1}, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("20");
    }

    // ------------------------------------------------------------------------------------------------
    // Block summaries
    // ------------------------------------------------------------------------------------------------

    @Test
    void meanPoolingWithPartialLastBlock() {
        ModelConfig cfg = small().pooling(Pooling.MEAN).blockSize(4).chunkSize(8).build();
        ReferenceModel m = new ReferenceModel(cfg, randomWeights(cfg, 1));
        double[][] z = randomMatrix(10, cfg.dModel(), 9);
        double[][] s = m.blockSummaries(z, 10);
        assertThat(s.length).isEqualTo(3);
        for (int c = 0; c < cfg.dModel(); c++) {
            assertThat(s[0][c]).isCloseTo((z[0][c] + z[1][c] + z[2][c] + z[3][c]) / 4, within(1e-14));
            assertThat(s[1][c]).isCloseTo((z[4][c] + z[5][c] + z[6][c] + z[7][c]) / 4, within(1e-14));
            assertThat(s[2][c]).isCloseTo((z[8][c] + z[9][c]) / 2, within(1e-14));
        }
        assertThat(m.blockSummaries(new double[0][], 0)).isEmpty();
    }

    @Test
    void attentionPoolingLimits() {
        ModelConfig cfg = small().pooling(Pooling.ATTENTION).blockSize(4).chunkSize(8).build();
        int d = cfg.dModel();
        Map<String, float[]> a = randomArrays(cfg, 2);
        double[][] z = randomMatrix(6, d, 3);

        // Zero query: uniform weights, so the summary is mean(z)·W_pv.
        Arrays.fill(a.get("pool.query"), 0f);
        double[][] s = new ReferenceModel(cfg, Weights.fromArrays(cfg, a)).blockSummaries(z, 6);
        float[] wpv = a.get("pool.wv");
        double[] mean0 = new double[d];
        double[] mean1 = new double[d];
        for (int c = 0; c < d; c++) {
            mean0[c] = (z[0][c] + z[1][c] + z[2][c] + z[3][c]) / 4;
            mean1[c] = (z[4][c] + z[5][c]) / 2;
        }
        assertThat(s[0]).containsExactly(Dense.vecMat(mean0, wpv, d, d), within(1e-13));
        assertThat(s[1]).containsExactly(Dense.vecMat(mean1, wpv, d, d), within(1e-13));

        // A sharp query along basis direction 2 with identity W_pk, W_pv picks the row with the largest z[.][2].
        a.put("pool.wk", identity(d));
        a.put("pool.wv", identity(d));
        float[] q = new float[d];
        q[2] = 1e4f;
        a.put("pool.query", q);
        z[1][2] = 10.0; // the largest in block 0 by far
        z[5][2] = 10.0; // the largest in block 1 by far
        s = new ReferenceModel(cfg, Weights.fromArrays(cfg, a)).blockSummaries(z, 6);
        assertThat(s[0]).containsExactly(z[1], within(1e-12));
        assertThat(s[1]).containsExactly(z[5], within(1e-12));
    }

    // ------------------------------------------------------------------------------------------------
    // Hierarchical partition
    // ------------------------------------------------------------------------------------------------

    /** (d) The formula tiles [0, b] exactly, with aligned groups and bounded levels, and matches the streaming memory. */
    @Test
    void hierarchicalPartitionTilesAndMatchesIncrementalMemory() {
        int[][] params = {{16, 8, 4}, {1, 2, 1}, {3, 2, 5}, {5, 4, 2}, {2, 3, 3}};
        int maxB = 100_000;
        for (int[] p : params) {
            int r = p[0];
            int g = p[1];
            int h = p[2];
            TreeSet<Long> sample = new TreeSet<>();
            for (long b = 0; b < 3000; b++) {
                sample.add(b);
            }
            Random rnd = new Random(r * 1000 + g * 10 + h);
            for (int k = 0; k < 400; k++) {
                sample.add((long) rnd.nextInt(maxB + 1));
            }
            sample.add((long) maxB);

            IncrementalMemory mem = new IncrementalMemory(r, g, h);
            for (long b = 0; b <= maxB; b++) {
                mem.add(b);
                if (!sample.contains(b)) {
                    continue;
                }
                List<long[]> part = ReferenceEntries.hierarchicalPartition(b, r, g, h);
                String where = "R=" + r + " G=" + g + " H=" + h + " b=" + b;
                checkTiling(part, b, r, g, h, where);
                List<long[]> expected = mem.entries();
                boolean same = part.size() == expected.size();
                for (int i = 0; same && i < part.size(); i++) {
                    same = Arrays.equals(part.get(i), expected.get(i));
                }
                if (!same) {
                    fail(where + ": formula " + show(part) + " != incremental memory " + show(expected));
                }
            }
        }
    }

    /** Plain checks: this runs for thousands of (b, R, G, H), so messages are only built on failure. */
    private static void checkTiling(List<long[]> part, long b, int r, int g, int h, String where) {
        check(!part.isEmpty(), where, "no entries");
        check(part.size() <= h * (r + g - 1) + 1, where, "more than H*(R+G-1)+1 entries: " + part.size());
        long next = 0;
        int prevLevel = Integer.MAX_VALUE;
        int[] perLevel = new int[h + 2];
        for (long[] e : part) {
            int level = (int) e[0];
            if (e[1] != next || e[2] < e[1]) {
                fail(where + ": entry " + Arrays.toString(e) + " does not start at block " + next);
            }
            if (level < 1 || level > h + 1 || level > prevLevel || (level == h + 1 && prevLevel == h + 1)) {
                fail(where + ": entry " + Arrays.toString(e) + " has level out of order after " + prevLevel);
            }
            if (level <= h) {
                long span = 1;
                for (int k = 1; k < level; k++) {
                    span *= g;
                }
                if (e[2] - e[1] + 1 != span || e[1] % span != 0) {
                    fail(where + ": entry " + Arrays.toString(e) + " is not an aligned group of " + span);
                }
            }
            perLevel[level]++;
            prevLevel = level;
            next = e[2] + 1;
        }
        check(next - 1 == b, where, "entries end at " + (next - 1));
        long[] last = part.get(part.size() - 1);
        check(last[0] == 1 && last[1] == b && last[2] == b, where, "last entry is not the block itself");
        for (int l = 1; l <= h; l++) {
            check(perLevel[l] <= r + g - 1, where, "level " + l + " has " + perLevel[l] + " > R+G-1 entries");
            boolean olderExists = false;
            for (int m = l + 1; m <= h + 1; m++) {
                olderExists |= perLevel[m] > 0;
            }
            if (olderExists) { // level l was not clamped at block 0, so it holds at least R entries
                check(perLevel[l] >= r, where, "level " + l + " has " + perLevel[l] + " < R entries");
            }
        }
    }

    private static String show(List<long[]> entries) {
        StringBuilder sb = new StringBuilder();
        for (long[] e : entries) {
            sb.append(Arrays.toString(e));
        }
        return sb.toString();
    }

    private static void check(boolean ok, String where, String what) {
        if (!ok) {
            fail(where + ": " + what);
        }
    }

    /**
     * The hierarchical memory as a stream would keep it: each level holds entries oldest first; when a level
     * reaches R+G entries, its G oldest merge into one entry of the next level (or into the prefix after H).
     */
    private static final class IncrementalMemory {
        final int r;
        final int g;
        final int h;
        final List<Deque<long[]>> levels = new ArrayList<>();
        long prefixEnd; // prefix = blocks [0, prefixEnd)

        IncrementalMemory(int r, int g, int h) {
            this.r = r;
            this.g = g;
            this.h = h;
            for (int l = 0; l <= h; l++) {
                levels.add(new ArrayDeque<>());
            }
        }

        void add(long b) {
            levels.get(1).addLast(new long[] {1, b, b});
            for (int l = 1; l <= h; l++) {
                Deque<long[]> q = levels.get(l);
                if (q.size() < r + g) {
                    break;
                }
                long first = q.peekFirst()[1];
                long lastBlock = 0;
                for (int k = 0; k < g; k++) {
                    lastBlock = q.pollFirst()[2];
                }
                if (l < h) {
                    levels.get(l + 1).addLast(new long[] {l + 1, first, lastBlock});
                } else {
                    check(first == prefixEnd, "incremental memory", "prefix not contiguous");
                    prefixEnd = lastBlock + 1;
                }
            }
        }

        List<long[]> entries() {
            List<long[]> out = new ArrayList<>();
            if (prefixEnd > 0) {
                out.add(new long[] {h + 1, 0, prefixEnd - 1});
            }
            for (int l = h; l >= 1; l--) {
                out.addAll(levels.get(l));
            }
            return out;
        }
    }

    @Test
    void hierarchicalPartitionSmallCaseByHand() {
        // R=2, G=2, H=2, b=9: s1 = 2*floor(8/2) = 8 -> level 1 = {8, 9};
        // s2 = max(0, 2*floor((4-2)/2)) = 2 -> level 2 = groups 2, 3 = blocks [4,5], [6,7]; prefix = [0, 4).
        List<long[]> p = ReferenceEntries.hierarchicalPartition(9, 2, 2, 2);
        assertThat(p).hasSize(5);
        assertThat(p.get(0)).containsExactly(3, 0, 3);
        assertThat(p.get(1)).containsExactly(2, 4, 5);
        assertThat(p.get(2)).containsExactly(2, 6, 7);
        assertThat(p.get(3)).containsExactly(1, 8, 8);
        assertThat(p.get(4)).containsExactly(1, 9, 9);
    }

    // ------------------------------------------------------------------------------------------------
    // Global tier
    // ------------------------------------------------------------------------------------------------

    /** (e) While b &lt; R only level 1 exists, so HIERARCHICAL is FULL. */
    @Test
    void hierarchicalEqualsFullWhileOnlyLevelOneIsUsed() {
        ModelConfig h = small().globalMode(GlobalMode.HIERARCHICAL).recent(6).group(2).levels(3).topK(3)
                .blockSize(2).chunkSize(4).build();
        ModelConfig f = h.toBuilder().globalMode(GlobalMode.FULL).build();
        Weights w = randomWeights(h, 31);
        int n = 23; // 12 blocks, the last one partial
        int[] ids = new Random(3).ints(n, 0, h.vocabSize()).toArray();
        List<BlockResult> rh = new ReferenceModel(h, w).run(ids, n).blocks();
        List<BlockResult> rf = new ReferenceModel(f, w).run(ids, n).blocks();
        assertThat(rh).hasSize(12);
        boolean differsLater = false;
        for (int b = 0; b < 12; b++) {
            BlockResult x = rh.get(b);
            BlockResult y = rf.get(b);
            if (b < 6) {
                assertThat(x.context()).containsExactly(y.context(), within(1e-12f));
                assertThat(x.summary()).containsExactly(y.summary(), within(1e-12f));
                assertThat(x.selfWeight()).isCloseTo(y.selfWeight(), within(1e-12f));
                assertThat(x.entropy()).isCloseTo(y.entropy(), within(1e-12f));
                assertThat(x.top()).containsExactly(y.top());
            } else {
                differsLater |= maxAbsDiff(x.context(), y.context()) > 1e-6;
            }
        }
        assertThat(differsLater).as("past R the modes differ, so the test can tell them apart").isTrue();
    }

    /**
     * With W_gk = 0 every score is ln c, so weights are c/(b+1) and g_b is the plain mean of v over all blocks:
     * every mode, every partition gives the same context, and the weights and entropy have closed forms.
     */
    @Test
    void zeroKeysGiveCountWeightsAndTheMeanValue() {
        ModelConfig h = small().globalMode(GlobalMode.HIERARCHICAL).recent(2).group(2).levels(2).topK(50)
                .blockSize(2).chunkSize(4).build();
        ModelConfig f = h.toBuilder().globalMode(GlobalMode.FULL).build();
        Map<String, float[]> a = randomArrays(h, 12);
        Arrays.fill(a.get("global.wk"), 0f);
        Weights w = Weights.fromArrays(h, a);
        int n = 60; // 30 blocks: prefix, two levels
        double[][] s = randomMatrix(30, h.dModel(), 4);
        List<BlockResult> rh = new ReferenceModel(h, w).global(s, n);
        List<BlockResult> rf = new ReferenceModel(f, w).global(s, n);
        for (int b = 0; b < 30; b++) {
            BlockResult x = rh.get(b);
            assertThat(x.context()).as("block %d", b).containsExactly(rf.get(b).context(), within(2e-6f));
            double total = b + 1;
            assertThat(x.selfWeight()).isCloseTo((float) (1 / total), within(1e-7f));
            double sum = x.selfWeight();
            for (TopEntry t : x.top()) {
                assertThat(t.weight()).isCloseTo((float) ((t.lastBlock() - t.firstBlock() + 1) / total),
                        within(1e-7f));
                sum += t.weight();
            }
            assertThat(sum).isCloseTo(1.0, within(1e-6));
            double entropy = 0;
            for (long[] e : ReferenceEntries.hierarchicalPartition(b, 2, 2, 2)) {
                double p = (e[2] - e[1] + 1) / total;
                entropy -= p * Math.log(p);
            }
            assertThat(x.entropy()).isCloseTo((float) entropy, within(1e-6f));
            assertThat(rf.get(b).entropy()).isCloseTo((float) Math.log(total), within(1e-6f));
        }
        // The hierarchical memory really merged something at the end.
        assertThat(rh.get(29).top()).anyMatch(t -> t.level() == 3).anyMatch(t -> t.level() == 2);
    }

    /**
     * Block attention written directly (entry means by explicit loops, no prefix sums), with the hierarchical
     * entries taken from the formula that {@link #hierarchicalPartitionTilesAndMatchesIncrementalMemory} checks.
     */
    @ParameterizedTest
    @ValueSource(strings = {"FULL", "HIERARCHICAL"})
    void globalTierMatchesDirectBlockAttention(String mode) {
        ModelConfig cfg = small().globalMode(GlobalMode.valueOf(mode)).recent(3).group(2).levels(3).topK(4)
                .blockSize(2).chunkSize(4).build();
        Weights w = randomWeights(cfg, 41);
        int blocks = 40;
        int n = 2 * blocks - 1;
        double[][] s = randomMatrix(blocks, cfg.dModel(), 17);
        List<BlockResult> r = new ReferenceModel(cfg, w).global(s, n);
        assertThat(r).hasSize(blocks);
        for (int b = 0; b < blocks; b++) {
            List<long[]> entries = new ArrayList<>();
            if (cfg.globalMode() == GlobalMode.FULL) {
                for (long j = 0; j <= b; j++) {
                    entries.add(new long[] {1, j, j});
                }
            } else {
                entries = ReferenceEntries.hierarchicalPartition(b, 3, 2, 3);
            }
            double[] p = new double[entries.size()];
            double[] context = Dense.blockAttention(cfg, w, s, b, entries, p);
            BlockResult x = r.get(b);
            assertThat(x.block()).isEqualTo(b);
            assertThat(x.start()).isEqualTo(2L * b);
            assertThat(x.end()).isEqualTo(Math.min(2L * b + 2, n));
            assertThat(x.context()).as("block %d", b).containsExactly(toFloat(context), within(1e-6f));
            int self = entries.size() - 1;
            assertThat(x.selfWeight()).isCloseTo((float) p[self], within(1e-7f));
            double entropy = 0;
            for (double u : p) {
                entropy -= u * Math.log(u);
            }
            assertThat(x.entropy()).isCloseTo((float) entropy, within(1e-6f));
            // top: the largest weights per block (p / the entry's blocks) other than self, in order
            Integer[] order = new Integer[self];
            for (int i = 0; i < self; i++) {
                order[i] = i;
            }
            double[] perBlock = new double[self];
            for (int i = 0; i < self; i++) {
                perBlock[i] = p[i] / (entries.get(i)[2] - entries.get(i)[1] + 1);
            }
            Arrays.sort(order, (i, j) -> Double.compare(perBlock[j], perBlock[i]));
            assertThat(x.top()).hasSize(Math.min(4, self));
            for (int i = 0; i < x.top().length; i++) {
                long[] e = entries.get(order[i]);
                TopEntry t = x.top()[i];
                assertThat(new long[] {t.level(), t.firstBlock(), t.lastBlock()}).containsExactly(e);
                assertThat(t.weight()).isCloseTo((float) p[order[i]], within(1e-7f));
            }
        }
    }

    @Test
    void zeroOutputProjectionLeavesTheSummary() {
        ModelConfig cfg = small().blockSize(2).chunkSize(4).build();
        Map<String, float[]> a = randomArrays(cfg, 9);
        Arrays.fill(a.get("global.wo"), 0f);
        double[][] s = randomMatrix(5, cfg.dModel(), 3);
        List<BlockResult> r = new ReferenceModel(cfg, Weights.fromArrays(cfg, a)).global(s, 10);
        for (int b = 0; b < 5; b++) {
            assertThat(r.get(b).context()).containsExactly(toFloat(s[b]));
            assertThat(r.get(b).summary()).containsExactly(toFloat(s[b]));
        }
    }

    /** (f) Weights sum to 1, top-K is sorted and excludes the block itself, entropy is in [0, ln M]. */
    @Test
    void topEntropyAndSelfWeightBasics() {
        ModelConfig cfg = small().globalMode(GlobalMode.HIERARCHICAL).recent(3).group(2).levels(2).topK(100)
                .blockSize(3).chunkSize(6).build();
        ReferenceModel m = new ReferenceModel(cfg, randomWeights(cfg, 77));
        int n = 62; // 21 blocks
        int[] ids = new Random(8).ints(n, 0, cfg.vocabSize()).toArray();
        ReferenceModel.Result r = m.run(ids, n);
        assertThat(r.z().length).isEqualTo(n);
        assertThat(r.summaries().length).isEqualTo(21);
        assertThat(r.blocks()).hasSize(21);
        for (int b = 0; b < 21; b++) {
            BlockResult x = r.blocks().get(b);
            List<long[]> part = ReferenceEntries.hierarchicalPartition(b, 3, 2, 2);
            assertThat(x.block()).isEqualTo(b);
            assertThat(x.start()).isEqualTo(3L * b);
            assertThat(x.end()).isEqualTo(Math.min(3L * b + 3, n));
            assertThat(x.summary()).containsExactly(toFloat(r.summaries()[b]));
            assertThat(x.top()).hasSize(part.size() - 1);
            double sum = x.selfWeight();
            double entropy = x.selfWeight() > 0 ? -x.selfWeight() * Math.log(x.selfWeight()) : 0;
            for (int i = 0; i < x.top().length; i++) {
                TopEntry t = x.top()[i];
                assertThat(t.firstBlock() == b && t.lastBlock() == b).as("block itself not in top").isFalse();
                if (i > 0) {   // ranked by weight per block
                    TopEntry prev = x.top()[i - 1];
                    assertThat((double) t.weight() / (t.lastBlock() - t.firstBlock() + 1))
                            .isLessThanOrEqualTo((double) prev.weight() / (prev.lastBlock() - prev.firstBlock() + 1));
                }
                sum += t.weight();
                entropy -= t.weight() > 0 ? t.weight() * Math.log(t.weight()) : 0;
            }
            assertThat(sum).isCloseTo(1.0, within(1e-6));
            assertThat((double) x.entropy()).isCloseTo(entropy, within(1e-5))
                    .isBetween(-1e-7, Math.log(part.size()) + 1e-6);
        }
        // topK truncates to the largest weights.
        ModelConfig k2 = cfg.toBuilder().topK(2).build();
        BlockResult last = new ReferenceModel(k2, randomWeights(cfg, 77)).run(ids, n).blocks().get(20);
        assertThat(last.top()).containsExactly(r.blocks().get(20).top()[0], r.blocks().get(20).top()[1]);
    }

    @Test
    void equalWeightsBreakTiesToTheLowerBlock() {
        ModelConfig cfg = small().globalMode(GlobalMode.FULL).topK(3).blockSize(2).chunkSize(4).build();
        ReferenceModel m = new ReferenceModel(cfg, randomWeights(cfg, 5));
        double[] row = randomMatrix(1, cfg.dModel(), 1)[0];
        double[][] s = new double[8][];
        Arrays.fill(s, row); // identical summaries: identical keys, equal weights
        List<BlockResult> r = m.global(s, 16);
        for (int b = 0; b < 8; b++) {
            BlockResult x = r.get(b);
            assertThat(x.selfWeight()).isCloseTo((float) (1.0 / (b + 1)), within(1e-7f));
            assertThat(x.entropy()).isCloseTo((float) Math.log(b + 1), within(1e-6f));
            assertThat(x.top()).hasSize(Math.min(3, b));
            for (int i = 0; i < x.top().length; i++) {
                assertThat(x.top()[i].firstBlock()).isEqualTo(i);
                assertThat(x.top()[i].lastBlock()).isEqualTo(i);
                assertThat(x.top()[i].level()).isEqualTo(1);
            }
        }
    }

    /** (g) FULL mode refuses to hold more than maxBlocks blocks, with a message naming the setting. */
    @Test
    void fullModePastMaxBlocksThrows() {
        ModelConfig cfg = small().globalMode(GlobalMode.FULL).maxBlocks(3).blockSize(2).chunkSize(4).build();
        ReferenceModel m = new ReferenceModel(cfg, randomWeights(cfg, 6));
        assertThat(m.global(randomMatrix(3, cfg.dModel(), 2), 6)).hasSize(3);
        assertThatThrownBy(() -> m.global(randomMatrix(4, cfg.dModel(), 2), 7))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxBlocks");
    }

    @Test
    void globalChecksSummaryCountAgainstLength() {
        ModelConfig cfg = small().blockSize(2).chunkSize(4).build();
        ReferenceModel m = new ReferenceModel(cfg, randomWeights(cfg, 6));
        assertThatThrownBy(() -> m.global(randomMatrix(3, cfg.dModel(), 2), 7))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(m.run(new int[0], 0).blocks()).isEmpty();
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------

    private static ModelConfig.Builder small() {
        return ModelConfig.builder().featureKind(FeatureKind.TOKENS).vocabSize(25).dModel(8).heads(2).window(2)
                .layers(1).ffnDim(6);
    }

    /** Every array of {@link Weights#shapes} filled with seeded Gaussians: gains near 1, matrices ~1/sqrt(d_in). */
    static Map<String, float[]> randomArrays(ModelConfig cfg, long seed) {
        Random rnd = new Random(seed);
        Map<String, float[]> m = new HashMap<>();
        for (Map.Entry<String, int[]> e : Weights.shapes(cfg).entrySet()) {
            int[] shape = e.getValue();
            float[] a = new float[(int) Weights.size(shape)];
            String name = e.getKey();
            for (int i = 0; i < a.length; i++) {
                double gsn = rnd.nextGaussian();
                if (name.endsWith("gain")) {
                    a[i] = (float) (1 + 0.2 * gsn);
                } else if (name.endsWith("bias") || name.matches(".*\\.b[12]")) {
                    a[i] = (float) (0.2 * gsn);
                } else if (shape.length == 2 && !name.equals("embedding")) {
                    a[i] = (float) (gsn / Math.sqrt(shape[0]));
                } else {
                    a[i] = (float) gsn;
                }
            }
            m.put(name, a);
        }
        return m;
    }

    static Weights randomWeights(ModelConfig cfg, long seed) {
        return Weights.fromArrays(cfg, randomArrays(cfg, seed));
    }

    private static float[] identity(int d) {
        float[] a = new float[d * d];
        for (int i = 0; i < d; i++) {
            a[i * d + i] = 1f;
        }
        return a;
    }

    private static double[][] randomMatrix(int rows, int cols, long seed) {
        Random rnd = new Random(seed);
        double[][] m = new double[rows][cols];
        for (double[] r : m) {
            for (int c = 0; c < cols; c++) {
                r[c] = rnd.nextGaussian();
            }
        }
        return m;
    }

    private static float[] toFloat(double[] x) {
        return ReferenceGlobal.toFloat(x);
    }

    private static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /**
     * Dense attention over the whole sequence in matrix form (all-pairs score matrix, RoPE as multiplication by
     * e^{i·p·θ} on complex pairs), written separately from the reference so the two can disagree.
     */
    static final class Dense {

        static double[][] localTier(ModelConfig cfg, Weights w, int[] ids, int n, boolean causal) {
            int d = cfg.dModel();
            int f = cfg.maxFeatures();
            double[][] x = new double[n][d];
            for (int i = 0; i < n; i++) {
                List<Integer> present = new ArrayList<>();
                for (int s = 0; s < f; s++) {
                    if (ids[i * f + s] >= 0) {
                        present.add(ids[i * f + s]);
                    }
                }
                for (int id : present) {
                    for (int c = 0; c < d; c++) {
                        x[i][c] += w.embedding[id * d + c] / (double) present.size();
                    }
                }
            }
            for (Weights.Layer p : w.layers) {
                x = layer(cfg, p, x, causal);
            }
            double[][] z = new double[n][];
            for (int i = 0; i < n; i++) {
                z[i] = layerNorm(x[i], w.lnfGain, w.lnfBias);
            }
            return z;
        }

        private static double[][] layer(ModelConfig cfg, Weights.Layer p, double[][] x, boolean causal) {
            int n = x.length;
            int d = cfg.dModel();
            int dh = cfg.headDim();
            double[][] a = new double[n][];
            for (int i = 0; i < n; i++) {
                a[i] = layerNorm(x[i], p.ln1Gain, p.ln1Bias);
            }
            double[][] q = rotate(matMul(a, p.wq, d, d), dh);
            double[][] k = rotate(matMul(a, p.wk, d, d), dh);
            double[][] v = matMul(a, p.wv, d, d);
            double[][] o = new double[n][d];
            for (int h = 0; h < cfg.heads(); h++) {
                double[][] scores = new double[n][n];
                for (int i = 0; i < n; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < n; j++) {
                        double dot = 0;
                        for (int c = h * dh; c < (h + 1) * dh; c++) {
                            dot += q[i][c] * k[j][c];
                        }
                        scores[i][j] = (causal && j > i) ? Double.NEGATIVE_INFINITY : dot / Math.sqrt(dh);
                        max = Math.max(max, scores[i][j]);
                    }
                    double z = 0;
                    for (int j = 0; j < n; j++) {
                        scores[i][j] = Math.exp(scores[i][j] - max);
                        z += scores[i][j];
                    }
                    for (int j = 0; j < n; j++) {
                        for (int c = h * dh; c < (h + 1) * dh; c++) {
                            o[i][c] += scores[i][j] / z * v[j][c];
                        }
                    }
                }
            }
            double[][] y = matMul(o, p.wo, d, d);
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < d; c++) {
                    y[i][c] += x[i][c];
                }
            }
            double[][] ln2 = new double[n][];
            for (int i = 0; i < n; i++) {
                ln2[i] = layerNorm(y[i], p.ln2Gain, p.ln2Bias);
            }
            int ff = cfg.ffnDim();
            double[][] hid = matMul(ln2, p.w1, d, ff);
            for (double[] r : hid) {
                for (int c = 0; c < ff; c++) {
                    double u = r[c] + p.b1[c];
                    r[c] = 0.5 * u * (1 + ReferenceMath.erf(u / Math.sqrt(2)));
                }
            }
            double[][] out = matMul(hid, p.w2, ff, d);
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < d; c++) {
                    out[i][c] += y[i][c] + p.b2[c];
                }
            }
            return out;
        }

        /** Pair (2m, 2m+1) of each head as the complex number x0 + i·x1, times e^{i·p·θ_m}. */
        private static double[][] rotate(double[][] u, int dh) {
            double[][] r = new double[u.length][];
            for (int p = 0; p < u.length; p++) {
                r[p] = u[p].clone();
                for (int c = 0; c < u[p].length; c += 2) {
                    int m = (c % dh) / 2;
                    double theta = Math.exp(-Math.log(10000.0) * (2.0 * m) / dh);
                    double re = Math.cos(p * theta);
                    double im = Math.sin(p * theta);
                    r[p][c] = u[p][c] * re - u[p][c + 1] * im;
                    r[p][c + 1] = u[p][c] * im + u[p][c + 1] * re;
                }
            }
            return r;
        }

        /** c_b for block b over the given entries; fills p with the entries' softmax weights. */
        static double[] blockAttention(ModelConfig cfg, Weights w, double[][] s, int b, List<long[]> entries,
                                       double[] p) {
            int d = cfg.dModel();
            double[] qb = vecMat(layerNorm(s[b], w.lngGain, w.lngBias), w.gWq, d, d);
            double[][] vbar = new double[entries.size()][d];
            double max = Double.NEGATIVE_INFINITY;
            for (int m = 0; m < entries.size(); m++) {
                long[] e = entries.get(m);
                double[] kbar = new double[d];
                int c = (int) (e[2] - e[1] + 1);
                for (int j = (int) e[1]; j <= e[2]; j++) {
                    double[] ln = layerNorm(s[j], w.lngGain, w.lngBias);
                    double[] kj = vecMat(ln, w.gWk, d, d);
                    double[] vj = vecMat(ln, w.gWv, d, d);
                    for (int col = 0; col < d; col++) {
                        kbar[col] += kj[col] / c;
                        vbar[m][col] += vj[col] / c;
                    }
                }
                double dot = 0;
                for (int col = 0; col < d; col++) {
                    dot += qb[col] * kbar[col];
                }
                p[m] = dot / Math.sqrt(d) + Math.log(c);
                max = Math.max(max, p[m]);
            }
            double sum = 0;
            for (int m = 0; m < p.length; m++) {
                p[m] = Math.exp(p[m] - max);
                sum += p[m];
            }
            double[] g = new double[d];
            for (int m = 0; m < p.length; m++) {
                p[m] /= sum;
                for (int col = 0; col < d; col++) {
                    g[col] += p[m] * vbar[m][col];
                }
            }
            double[] go = vecMat(g, w.gWo, d, d);
            double[] out = new double[d];
            for (int col = 0; col < d; col++) {
                out[col] = s[b][col] + go[col];
            }
            return out;
        }

        static double[][] matMul(double[][] a, float[] w, int din, int dout) {
            double[][] y = new double[a.length][];
            for (int i = 0; i < a.length; i++) {
                y[i] = vecMat(a[i], w, din, dout);
            }
            return y;
        }

        static double[] vecMat(double[] x, float[] w, int din, int dout) {
            double[] y = new double[dout];
            for (int c = 0; c < dout; c++) {
                for (int r = 0; r < din; r++) {
                    y[c] += x[r] * w[r * dout + c];
                }
            }
            return y;
        }

        static double[] layerNorm(double[] x, float[] gain, float[] bias) {
            int d = x.length;
            double sum = 0;
            double sq = 0;
            for (double u : x) {
                sum += u;
            }
            double mean = sum / d;
            for (double u : x) {
                sq += (u - mean) * (u - mean);
            }
            double sd = Math.sqrt(sq / d + 1e-5);
            double[] y = new double[d];
            for (int c = 0; c < d; c++) {
                y[c] = (x[c] - mean) / sd * gain[c] + bias[c];
            }
            return y;
        }
    }
}
