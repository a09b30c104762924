package io.longseq.jobs.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The map's downsampling rule against a brute-force reference, and its colours against ColorBrewer's table. */
class SelfSimMapTest {

    @Test
    void eachCellHoldsTheLargestWeightOfTheBlocksItCovers() {
        long n = 5_003; // not a multiple of the side: cells cover 4 or 5 blocks
        SelfSimMap map = new SelfSimMap(n);
        assertThat(map.side()).isEqualTo(1024);
        int side = 1024;
        float[][] expected = new float[side][side]; // [row, column]
        Random r = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            long b = r.nextInt((int) n);
            long first = r.nextInt((int) b + 1);
            long last = first + (r.nextInt(4) == 0 ? r.nextInt((int) (b - first) + 1) : 0);
            float w = r.nextFloat();
            map.add(b, first, last, w);
            // the reference: every covered block put in its cell by the stated rule, floor(block * side / n)
            int row = (int) Math.floor(b * (double) side / n);
            for (long t = first; t <= last; t++) {
                int col = (int) Math.floor(t * (double) side / n);
                expected[row][col] = Math.max(expected[row][col], w);
            }
        }
        for (int row = 0; row < side; row++) {
            for (int col = 0; col < side; col++) {
                assertThat(map.get(row, col)).as("cell (%d, %d)", row, col).isEqualTo(expected[row][col]);
            }
        }
    }

    @Test
    void aShortSequenceHasOneCellPerBlockAndBadLinksAddNothing() {
        SelfSimMap map = new SelfSimMap(10);
        assertThat(map.side()).isEqualTo(10);
        map.add(7, 2, 4, 0.5f);
        map.add(7, 3, 3, 0.9f);
        map.add(7, 3, 3, 0.1f); // smaller: kept the max
        map.add(8, 12, 14, 0.9f); // beyond the sequence
        map.add(8, 5, 4, 0.9f); // first > last
        map.add(9, 0, 0, Float.NaN);
        map.add(9, 1, 1, -1f);
        assertThat(new float[] {map.get(7, 1), map.get(7, 2), map.get(7, 3), map.get(7, 4), map.get(7, 5)})
                .containsExactly(0f, 0.5f, 0.9f, 0.5f, 0f);
        for (int c = 0; c < 10; c++) {
            assertThat(map.get(8, c)).isZero();
            assertThat(map.get(9, c)).isZero();
        }
    }

    @Test
    void coloursFollowTheFixedLogScale() throws Exception {
        SelfSimMap map = new SelfSimMap(6);
        map.add(5, 0, 0, 1f);       // top of the scale: YlOrRd's darkest, #800026
        map.add(5, 1, 1, 0.01f);    // middle (10^-2 of 10^-4..1): YlOrRd's fifth of nine, #fd8d3c
        map.add(5, 2, 2, 1e-4f);    // the floor: the palest, #ffffcc
        map.add(5, 3, 3, 0.9e-4f);  // below the floor: white
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(SelfSimMap.png(map.image())));
        assertThat(img.getWidth()).isEqualTo(6);
        assertThat(img.getRGB(0, 5) & 0xffffff).isEqualTo(0x800026);
        assertThat(img.getRGB(1, 5) & 0xffffff).isEqualTo(0xfd8d3c);
        assertThat(img.getRGB(2, 5) & 0xffffff).isEqualTo(0xffffcc);
        assertThat(img.getRGB(3, 5) & 0xffffff).isEqualTo(0xffffff);
        assertThat(img.getRGB(4, 5) & 0xffffff).isEqualTo(0xffffff); // no link
        assertThat(img.getRGB(5, 2) & 0xffffff).isEqualTo(0xeeeeee); // above the diagonal
    }

    @Test
    void theScaledImageKeepsCellsWholeAndRingsTheDots() throws Exception {
        SelfSimMap map = new SelfSimMap(40);
        map.add(30, 10, 10, 0.5f);
        int scale = 16;
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(SelfSimMap.png(map.image(scale, List.of(
                new long[] {30, 10})))));
        assertThat(img.getWidth()).isEqualTo(40 * scale);
        int cx = 10 * scale + scale / 2;
        int cy = 30 * scale + scale / 2;
        int hot = ColorScale.rgb(0.5f);
        assertThat(img.getRGB(cx, cy) & 0xffffff).isEqualTo(hot); // inside the ring the cell shows
        assertThat(img.getRGB(10 * scale, 30 * scale) & 0xffffff).isNotEqualTo(0xffffff);
        // the ring: on the circle of radius DOT_RADIUS around the centre, the dot colour dominates
        int rgb = img.getRGB(cx + Report.DOT_RADIUS, cy) & 0xffffff;
        assertThat(rgb & 0xff).as("blue of %06x", rgb).isGreaterThan(0x80);
        assertThat(img.getRGB(cx + 40, cy) & 0xffffff).isEqualTo(0xffffff); // away from it: no link
    }
}
