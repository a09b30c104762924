package io.longseq.math.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * RETRIEVAL mode's state bytes ({@link RetrievalState}): rewritten in place per chunk they equal the bytes written
 * whole, through evictions, reused places and reads from copies (a snapshot's copy, a serializing backend); a state
 * whose runs are in ascending block order (as written before places existed) restores the same memory.
 */
class RetrievalStateTest {

    private static final int D = 8;

    private static ModelConfig cfg(int bits, int slots, int recent) {
        return ModelConfig.builder().dModel(D).heads(1).recent(4).group(2).levels(2).globalMode(GlobalMode.RETRIEVAL)
                .retrievalBits(bits).retrievalSlots(slots).retrievalRecent(recent).retrievalSeed(7)
                .retrievalSketches(40).build();   // the sketch ring wraps every 40 blocks
    }

    private static float[] gaussian(Random random) {
        float[] x = new float[D];
        for (int c = 0; c < D; c++) {
            x[c] = (float) random.nextGaussian();
        }
        return x;
    }

    @Test
    void rewrittenInPlaceEqualsWrittenWhole() {
        for (int[] p : new int[][] {{2, 4, 2}, {2, 5, 1}, {0, 9, 3}, {3, 3, 3}}) {
            ModelConfig cfg = cfg(p[0], p[1], p[2]);
            BlockMemory straight = BlockMemory.create(cfg);
            BlockMemory m = BlockMemory.create(cfg);
            MemoryEntries a = new MemoryEntries(D);
            MemoryEntries b = new MemoryEntries(D);
            Random random = new Random(p[0] * 100L + p[1] * 10L + p[2]);
            byte[] bytes = null;
            int chunks = 0;
            int inPlace = 0;
            for (int blk = 0; blk < 6000; ) {
                int n = 1 + random.nextInt(9); // a chunk of 1..9 blocks (several may land in one bucket)
                for (int i = 0; i < n; i++, blk++) {
                    float[] x = gaussian(random);
                    float[] k = gaussian(random);
                    float[] v = gaussian(random);
                    straight.append(x, k, v);
                    m.append(x, k, v);
                }
                byte[] next = m.toBytes(bytes);
                chunks++;
                inPlace += next == bytes ? 1 : 0;
                assertThat(next).as("%s after block %d", Arrays.toString(p), blk).isEqualTo(m.toBytes())
                        .isEqualTo(m.toState().toBytes());
                bytes = next;
                if (chunks % 7 == 0) { // read from a copy: the copy is what is rewritten from then on
                    bytes = bytes.clone();
                    m = BlockMemory.fromBytes(cfg, bytes);
                    assertThat(m.toBytes()).as("restored, written again").isEqualTo(bytes);
                } else if (chunks % 11 == 0) { // an array the memory was not read from is never rewritten
                    byte[] other = bytes.clone();
                    byte[] again = m.toBytes(other);
                    assertThat(again).isNotSameAs(other).isEqualTo(other);
                    bytes = again;
                }
                if (chunks % 13 == 0) {
                    straight.collect(a);
                    m.collect(b);
                    assertThat(b.size()).isEqualTo(a.size());
                    assertThat(Arrays.copyOf(b.keys, b.size() * D)).containsExactly(Arrays.copyOf(a.keys, a.size() * D));
                    assertThat(Arrays.copyOf(b.values, b.size() * D))
                            .containsExactly(Arrays.copyOf(a.values, a.size() * D));
                    assertThat(Arrays.copyOf(b.first, b.size())).containsExactly(Arrays.copyOf(a.first, a.size()));
                }
            }
            // once the buckets are full most chunks grow none
            assertThat(inPlace).as(Arrays.toString(p)).isGreaterThan(chunks / 2);
        }
    }

    /** Runs in ascending block order (the layout before places) restore the memory of the runs in place order. */
    @Test
    void ascendingRunsRestoreTheSameMemory() {
        ModelConfig cfg = cfg(2, 4, 1);
        RetrievalMemory m = (RetrievalMemory) BlockMemory.create(cfg);
        Random random = new Random(5);
        for (int blk = 0; blk < 3000; blk++) {
            float[] k = gaussian(random);
            m.append(gaussian(random), k, gaussian(random));
        }
        MemoryState s = m.toState();
        int h = cfg.levels();
        int hFloats = h * (cfg.recent() + cfg.group()) * D;
        long[] firsts = s.firsts().clone();
        float[] keys = s.keys().clone();
        boolean reordered = false;
        for (int bk = 0, at = 0; bk < m.buckets; bk++) { // sort each run by block index, rows with it
            int f = s.counts()[h + bk];
            Integer[] order = new Integer[f];
            for (int i = 0; i < f; i++) {
                order[i] = i;
            }
            final int from = at;
            Arrays.sort(order, (x, y) -> Long.compare(s.firsts()[h + from + x], s.firsts()[h + from + y]));
            for (int i = 0; i < f; i++) {
                reordered |= order[i] != i;
                firsts[h + at + i] = s.firsts()[h + at + order[i]];
                System.arraycopy(s.keys(), hFloats + (at + order[i]) * D, keys, hFloats + (at + i) * D, D);
            }
            at += f;
        }
        assertThat(reordered).as("some run is not in ascending order").isTrue();
        BlockMemory ascending = BlockMemory.fromState(cfg, new MemoryState(s.nextBlock(), s.counts(), firsts, keys,
                s.values(), s.prefixKeySum(), s.prefixValueSum(), s.prefixCount()));
        BlockMemory placed = BlockMemory.fromState(cfg, s);
        assertThat(placed.toBytes()).isEqualTo(s.toBytes());
        MemoryEntries a = new MemoryEntries(D);
        MemoryEntries b = new MemoryEntries(D);
        for (int blk = 0; blk < 500; blk++) {
            float[] x = gaussian(random);
            float[] k = gaussian(random);
            float[] v = gaussian(random);
            placed.append(x, k, v);
            ascending.append(x, k, v);
            placed.collect(a);
            ascending.collect(b);
            assertThat(Arrays.copyOf(b.keys, b.size() * D)).containsExactly(Arrays.copyOf(a.keys, a.size() * D));
            assertThat(Arrays.copyOf(b.first, b.size())).containsExactly(Arrays.copyOf(a.first, a.size()));
        }
    }

    @Test
    void aRunHoldingABlockTwiceIsRefused() {
        ModelConfig cfg = cfg(0, 4, 1);
        BlockMemory m = BlockMemory.create(cfg);
        Random random = new Random(3);
        for (int blk = 0; blk < 40; blk++) {
            m.append(gaussian(random), gaussian(random), gaussian(random));
        }
        MemoryState s = m.toState();
        long[] firsts = s.firsts().clone();
        int h = cfg.levels();                      // firsts: [H] hierarchical, [4] held blocks, then sketch codes
        firsts[h + 3] = firsts[h + 2];
        assertThatThrownBy(() -> BlockMemory.fromState(cfg, new MemoryState(s.nextBlock(), s.counts(), firsts,
                s.keys(), s.values(), s.prefixKeySum(), s.prefixValueSum(), s.prefixCount())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    }
}
