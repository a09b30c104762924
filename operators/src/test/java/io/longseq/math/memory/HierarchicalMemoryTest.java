package io.longseq.math.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.reference.ReferenceEntries;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The streaming hierarchical memory against the partition formula of docs/design.md 2.5. */
class HierarchicalMemoryTest {

    static ModelConfig cfg(int r, int g, int h, int d) {
        return ModelConfig.builder().dModel(d).heads(1).recent(r).group(g).levels(h).globalMode(GlobalMode.HIERARCHICAL).build();
    }

    @ParameterizedTest(name = "R={0} G={1} H={2}")
    @CsvSource({"16,8,4", "1,2,1", "3,2,5", "5,4,2", "2,3,3", "16,8,1"})
    void coversEveryBlockExactlyOnceAndMatchesTheFormula(int r, int g, int h) {
        ModelConfig cfg = cfg(r, g, h, 2);
        BlockMemory memory = BlockMemory.create(cfg);
        MemoryEntries entries = new MemoryEntries(2);
        Random random = new Random(r * 1000 + g * 10 + h);
        float[] k = new float[2];
        int total = 100_000;
        for (long b = 0; b < total; b++) {
            k[0] = b;
            k[1] = 1;
            memory.append(k, k);
            // check densely at the start, then at random blocks and the last one
            if (b < 3000 || random.nextInt(50) == 0 || b == total - 1) {
                memory.collect(entries);
                List<long[]> expected = ReferenceEntries.hierarchicalPartition(b, r, g, h);
                assertThat(entries.size()).as("entries at b=%d", b).isEqualTo(expected.size());
                long next = 0;
                for (int m = 0; m < entries.size(); m++) {
                    assertThat(entries.first(m)).as("entry %d at b=%d starts where the last ended", m, b).isEqualTo(next);
                    assertThat(new long[] {entries.level(m), entries.first(m), entries.last(m)})
                            .as("entry %d at b=%d", m, b).containsExactly(expected.get(m));
                    assertThat(entries.count(m)).isEqualTo(entries.last(m) - entries.first(m) + 1);
                    // the stored key is the plain mean of its blocks' keys (k_b = (b, 1))
                    double mean = (entries.first(m) + entries.last(m)) / 2.0;
                    assertThat((double) entries.keys[m * 2]).isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-6 * Math.max(1, mean)));
                    next = entries.last(m) + 1;
                }
                assertThat(next).as("covered up to b=%d", b).isEqualTo(b + 1);
                assertThat(entries.size()).isLessThanOrEqualTo(h * (r + g - 1) + 1);
            }
        }
    }

    @Test
    void serialisedSizeIsTheSameAt10kAnd1MBlocks() {
        ModelConfig cfg = cfg(16, 8, 4, 8);
        BlockMemory memory = BlockMemory.create(cfg);
        float[] k = new float[8];
        int small = 0;
        for (long b = 0; b < 1_000_000; b++) {
            k[0] = (float) Math.sin(b);
            memory.append(k, k);
            if (b + 1 == 10_000) {
                small = memory.toState().toBytes().length;
            }
        }
        int large = memory.toState().toBytes().length;
        assertThat(small).isPositive().isEqualTo(large);
    }

    @Test
    void fullMemoryGrowsWithBlocks() {
        ModelConfig cfg = cfg(16, 8, 4, 8).toBuilder().globalMode(GlobalMode.FULL).build();
        BlockMemory memory = BlockMemory.create(cfg);
        float[] k = new float[8];
        for (int b = 0; b < 100; b++) {
            memory.append(k, k);
        }
        int at100 = memory.toState().toBytes().length;
        for (int b = 0; b < 900; b++) {
            memory.append(k, k);
        }
        assertThat(memory.toState().toBytes().length).isGreaterThan(9 * at100);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"LINEAR", "AXIAL"})
    void newModesSerialisedSizeIsTheSameAt1kAnd100kBlocks(GlobalMode mode) {
        ModelConfig cfg = cfg(16, 8, 4, 8).toBuilder().globalMode(mode).linearFeatures(16).blockSize(16)
                .chunkSize(16 * 5).build();
        BlockMemory memory = BlockMemory.create(cfg);
        Random random = new Random(5);
        float[] k = new float[8];
        float[] v = new float[8];
        int small = 0;
        for (long b = 0; b < 100_000; b++) {
            fill(random, k, v);
            memory.append(k, v);
            if (b + 1 == 1_000) {
                small = memory.toState().toBytes().length;
            }
        }
        int large = memory.toState().toBytes().length;
        assertThat(small).isPositive().isEqualTo(large);
        // and the size is the documented O(m·d) / O((C/B)·d), nothing more
        int doubles = mode == GlobalMode.LINEAR ? 16 * 8 + 2 * 16 : 2 * 5 * 8;
        int floats = mode == GlobalMode.LINEAR ? 0 : 2 * 5 * 8;
        assertThat(large).isLessThan(8 * doubles + 4 * floats + 100);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"HIERARCHICAL", "FULL", "LINEAR", "AXIAL"})
    void stateRoundTripContinuesIdentically(GlobalMode mode) {
        ModelConfig cfg = cfg(3, 2, 3, 4).toBuilder().globalMode(mode).linearFeatures(8).blockSize(16)
                .chunkSize(16 * 7).build();
        BlockMemory a = BlockMemory.create(cfg);
        Random random = new Random(1);
        float[] k = new float[4];
        float[] v = new float[4];
        for (int b = 0; b < 500; b++) {
            fill(random, k, v);
            a.append(k, v);
        }
        BlockMemory b = BlockMemory.fromState(cfg, MemoryState.fromBytes(a.toState().toBytes()));
        for (int i = 0; i < 300; i++) {
            fill(random, k, v);
            a.append(k, v);
            b.append(k, v);
        }
        assertThat(b.toState().toBytes()).isEqualTo(a.toState().toBytes());
    }

    @Test
    void restoringIntoAnotherConfigIsAClearError() {
        BlockMemory a = BlockMemory.create(cfg(3, 2, 3, 4));
        assertThatThrownBy(() -> BlockMemory.fromState(cfg(4, 2, 3, 4), a.toState()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit the config");
        assertThatThrownBy(() -> MemoryState.fromBytes(new byte[] {1, 0, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> MemoryState.fromBytes(new byte[] {9}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 9");
    }

    @Test
    void newModesRestoringIntoOtherSettingsIsAClearError() {
        ModelConfig linear = cfg(3, 2, 3, 4).toBuilder().globalMode(GlobalMode.LINEAR).linearFeatures(8).build();
        BlockMemory a = BlockMemory.create(linear);
        a.append(new float[] {1, 2, 3, 4}, new float[] {1, 0, 0, 0});
        MemoryState s = a.toState();
        assertThat(BlockMemory.fromState(linear, s).toState().toBytes()).isEqualTo(s.toBytes());
        for (ModelConfig other : new ModelConfig[] {linear.toBuilder().linearSeed(2).build(),
                linear.toBuilder().linearFeatures(9).build(), linear.toBuilder().dModel(8).build(),
                linear.toBuilder().globalMode(GlobalMode.AXIAL).build(),
                linear.toBuilder().globalMode(GlobalMode.HIERARCHICAL).build()}) {
            assertThatThrownBy(() -> BlockMemory.fromState(other, s)).as("into %s", other)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit the config");
        }
        assertThatThrownBy(() -> BlockMemory.fromState(linear.toBuilder().linearSeed(2).build(), s))
                .hasMessageContaining("linearSeed = 2").hasMessageContaining("other settings");

        ModelConfig axial = linear.toBuilder().globalMode(GlobalMode.AXIAL).blockSize(16).chunkSize(48).build();
        BlockMemory x = BlockMemory.create(axial);
        for (int b = 0; b < 7; b++) {
            x.append(new float[] {b, 1, 2, 3}, new float[] {0, b, 0, 0});
        }
        MemoryState t = x.toState();
        assertThat(BlockMemory.fromState(axial, t).toState().toBytes()).isEqualTo(t.toBytes());
        for (ModelConfig other : new ModelConfig[] {axial.toBuilder().chunkSize(64).build(),
                axial.toBuilder().blockSize(8).build(), axial.toBuilder().dModel(8).build(),
                axial.toBuilder().globalMode(GlobalMode.LINEAR).build(),
                axial.toBuilder().globalMode(GlobalMode.FULL).build()}) {
            assertThatThrownBy(() -> BlockMemory.fromState(other, t)).as("into %s", other)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> BlockMemory.fromState(axial.toBuilder().chunkSize(64).build(), t))
                .hasMessageContaining("does not fit the config").hasMessageContaining("C/B = 4");
    }

    private static void fill(Random r, float[] k, float[] v) {
        for (int i = 0; i < k.length; i++) {
            k[i] = (float) r.nextGaussian();
            v[i] = (float) r.nextGaussian();
        }
    }
}
