package io.longseq.math.memory;

import static io.longseq.math.memory.GlobalTierTest.assertBlockClose;
import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.math.TestModels;
import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.ChunkedModel;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.reference.ReferenceEntries;
import io.longseq.math.reference.ReferenceModel;
import io.longseq.math.weights.Weights;
import io.longseq.math.weights.WeightsInit;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Global mode BIGBIRD ({@link GlobalMode#BIGBIRD}): the fast path streamed chunk by chunk against the reference
 * (which replays the reservoir from scratch for every block) within 1e-4; the entries against the reference's
 * block sets; the keyed-state round trip; bounded state; the random choice depends on the sequence id only.
 */
class BigBirdMemoryTest {

    @BeforeAll
    static void nd4j() {
        Nd4jRuntime.init(1);
    }

    static ModelConfig cfg(int w, int g, int r, boolean causal) {
        return TestModels.small().globalMode(GlobalMode.BIGBIRD).bigbirdWindow(w).bigbirdGlobal(g).bigbirdRandom(r)
                .causal(causal).topK(5).build();
    }

    @ParameterizedTest(name = "w={0} g={1} r={2} causal={3} n={4}")
    @CsvSource({"3,1,2,false,1000", "3,1,2,true,37", "0,0,1,false,700", "2,3,3,true,1000", "1,0,0,false,500",
            "5,2,64,false,1000"})
    void streamedBlocksMatchReference(int w, int g, int r, boolean causal, int n) {
        ModelConfig cfg = cfg(w, g, r, causal);
        Weights weights = WeightsInit.random(cfg, 41, 1f);
        int[] ids = TestModels.dnaIds(cfg, n, 6);
        long seed = BigBirdMemory.sequenceSeed("chr" + w + g + r);
        List<BlockResult> expected = new ReferenceModel(cfg, weights).run(ids, n, seed).blocks();
        List<BlockResult> actual;
        try (ChunkedModel model = new ChunkedModel(cfg, weights)) {
            actual = model.run(ids, n, false, done -> { }, seed).blocks();
        }
        assertThat(actual).hasSize(expected.size()).hasSize((n + 15) / 16);
        for (int b = 0; b < expected.size(); b++) {
            assertBlockClose(actual.get(b), expected.get(b));
        }
    }

    @Test
    void entriesAreTheReferencesBlocksAndStateRoundTripsAndStaysBounded() {
        for (int[] p : new int[][] {{3, 1, 2}, {0, 0, 1}, {2, 4, 3}, {6, 2, 8}}) {
            ModelConfig cfg = cfg(p[0], p[1], p[2], false);
            long seed = BigBirdMemory.sequenceSeed("seq-" + Arrays.toString(p));
            BlockMemory mem = BlockMemory.create(cfg, seed);
            MemoryEntries entries = new MemoryEntries(cfg.dModel());
            Random rnd = new Random(2);
            int stateBytes = -1;
            for (int b = 0; b < 400; b++) {
                float[] k = new float[cfg.dModel()];
                float[] v = new float[cfg.dModel()];
                k[0] = b;                                   // the key names its block
                v[1] = rnd.nextFloat();
                mem.append(k, v);
                // through the keyed-state bytes every block, as global-context does per chunk
                byte[] bytes = mem.toState().toBytes();
                mem = BlockMemory.fromState(cfg, MemoryState.fromBytes(bytes));
                if (b > 50) {
                    assertThat(bytes.length).as("state bytes at block " + b).isEqualTo(stateBytes);
                }
                stateBytes = bytes.length;
                mem.collect(entries);
                long[] expected = ReferenceEntries.bigbirdBlocks(b, p[0], p[1], p[2], seed);
                long[] got = new long[entries.size()];
                for (int e = 0; e < entries.size(); e++) {
                    got[e] = entries.first(e);
                    assertThat(entries.keys[e * cfg.dModel()]).as("key of entry " + e).isEqualTo((float) got[e]);
                    assertThat(entries.count(e)).isEqualTo(1);
                }
                assertThat(got).as("blocks of block " + b + " with w, g, r = " + Arrays.toString(p))
                        .containsExactly(expected);
                int window = (int) Math.min(b + 1, p[0] + 1);
                int globals = Math.min(p[1], b + 1);
                int inBoth = (int) Math.max(0, Math.min(p[1], b + 1) - Math.max(0, b - p[0]));
                int candidates = (int) Math.max(0, b - p[0] - p[1]);
                assertThat(got).hasSize(window + globals - inBoth + Math.min(p[2], candidates));
            }
        }
    }

    @Test
    void randomBlocksDependOnTheSequenceIdOnly() {
        int b = 300;
        long[] a1 = ReferenceEntries.bigbirdBlocks(b, 3, 1, 4, BigBirdMemory.sequenceSeed("chrA"));
        long[] a2 = ReferenceEntries.bigbirdBlocks(b, 3, 1, 4, BigBirdMemory.sequenceSeed("chrA"));
        assertThat(a1).containsExactly(a2);
        int differ = 0;
        for (String id : new String[] {"chrB", "chrC", "chrD", "chrE"}) {
            long[] other = ReferenceEntries.bigbirdBlocks(b, 3, 1, 4, BigBirdMemory.sequenceSeed(id));
            if (!Arrays.equals(a1, other)) {
                differ++;
            }
        }
        assertThat(differ).isGreaterThanOrEqualTo(3);
        // FNV-1a 64 of "a": the published test vector
        assertThat(BigBirdMemory.sequenceSeed("a")).isEqualTo(0xaf63dc4c8601ec8cL);
    }
}
