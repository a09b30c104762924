package io.longseq.math.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link SketchRing#nearest}: the m blocks of a window nearest a query (or the nearer of two), ties to the newer
 * block, against a sort of every block in the window; through the ring's wrap and its growth.
 */
class SketchRingTest {

    @Test
    void nearestIsTheSortedSelection() {
        int d = 16;
        for (int capacity : new int[] {7, 50, 1000}) {
            SketchRing ring = new SketchRing(d, 3, capacity);
            Random random = new Random(capacity);
            // few distinct directions, so many codes are equal and ties decide
            float[][] directions = new float[5][d];
            for (float[] dir : directions) {
                for (int c = 0; c < d; c++) {
                    dir[c] = (float) random.nextGaussian();
                }
            }
            List<long[]> codes = new ArrayList<>();           // every block's code, by block
            for (long j = 0; j < 400; j++) {
                float[] x = directions[random.nextInt(directions.length)].clone();
                if (random.nextBoolean()) {
                    x[random.nextInt(d)] += (float) random.nextGaussian();
                }
                ring.append(j, x, 0);
                long[] code = new long[ring.words];
                ring.sketch.encode(x, 0, code, 0);
                codes.add(code);
                long newest = j;
                for (int t = 0; t < 3; t++) {
                    long lo = Math.min(newest, Math.max(0, newest + 1 - capacity) + random.nextInt(3));
                    long hi = Math.max(lo, newest + 1 - random.nextInt(5));
                    int m = 1 + random.nextInt(9);
                    boolean two = random.nextBoolean();
                    long[] query = new long[2 * ring.words];
                    for (int w = 0; w < query.length; w++) {
                        query[w] = random.nextLong();
                    }
                    if (t == 2) {                            // a query far from everything: distances up to D
                        ring.sketch.encode(directions[0], 0, query, 0);
                        for (int w = 0; w < query.length; w++) {
                            query[w] = ~query[w];
                        }
                    } else if (hi > lo && random.nextBoolean()) {   // a query equal to a block's code
                        System.arraycopy(codes.get((int) (lo + random.nextInt((int) (hi - lo)))), 0,
                                query, 0, ring.words);
                    }
                    long[] out = new long[m];
                    int n = ring.nearest(query, two, lo, hi, m, out);
                    List<long[]> all = new ArrayList<>();   // {distance, j}
                    for (long b = lo; b < hi; b++) {
                        long[] c = codes.get((int) b);
                        int dist = SignSketch.distance(c, 0, query, 0, ring.words);
                        if (two) {
                            dist = Math.min(dist, SignSketch.distance(c, 0, query, ring.words, ring.words));
                        }
                        all.add(new long[] {dist, b});
                    }
                    all.sort(Comparator.comparingLong((long[] e) -> e[0]).thenComparingLong(e -> -e[1]));
                    long[] want = all.subList(0, Math.min(m, all.size())).stream().mapToLong(e -> e[1]).sorted()
                            .toArray();
                    assertThat(java.util.Arrays.copyOf(out, n)).as("S=%d block %d [%d, %d) m=%d two=%s", capacity,
                            j, lo, hi, m, two).containsExactly(want);
                }
            }
            assertThat(ring.slots()).isBetween(Math.min(capacity, 400), capacity);   // grown, never past S
        }
    }
}
