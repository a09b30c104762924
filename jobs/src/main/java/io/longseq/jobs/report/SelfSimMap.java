package io.longseq.jobs.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The self-similarity map of one sequence of n blocks: row = the block that asks (query), column = the earlier block
 * it attends to, value = the weight of the top memory entry that covers that column. An entry standing for blocks
 * first..last paints that whole range of its row with its weight (the weight the block gives those blocks together).
 *
 * <p>Downsampling rule: the map has S = min(n, {@value #MAX_SIDE}) cells per axis; block b falls in cell
 * ⌊b·S/n⌋, and a cell holds the largest weight among the links that fall in it (a strong link is never averaged
 * away). Memory is S² floats (at most 4 MB) whatever n is; each block costs O(top entries × cells they span).
 */
final class SelfSimMap {

    static final int MAX_SIDE = 1024;

    private final long n;
    private final int side;
    private final float[] cells; // [side, side], row-major: row = query cell, column = earlier cell; 0 = no link

    /** @param n blocks in the sequence (its largest block index + 1), at least 1 */
    SelfSimMap(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("a map needs at least one block, got " + n);
        }
        this.n = n;
        this.side = (int) Math.min(n, MAX_SIDE);
        this.cells = new float[side * side];
    }

    long blocks() {
        return n;
    }

    int side() {
        return side;
    }

    /** The cell of block b: ⌊b·S/n⌋ (b < 2⁵³, so b·S fits a long). */
    int cell(long block) {
        return (int) (block * side / n);
    }

    /**
     * Adds the link of block {@code block} to the entry standing for blocks {@code first..last} with weight {@code w}.
     * Blocks outside [0, n) are clipped; a weight that is not positive (or NaN) adds nothing.
     */
    void add(long block, long first, long last, float w) {
        if (!(w > 0) || block < 0 || block >= n || first >= n || last < 0 || first > last) {
            return;
        }
        int row = cell(block) * side;
        int c1 = cell(Math.min(last, n - 1));
        for (int c = cell(Math.max(first, 0)); c <= c1; c++) {
            if (w > cells[row + c]) {
                cells[row + c] = w;
            }
        }
    }

    /** The largest weight in cell (row, column); 0 when none. */
    float get(int row, int column) {
        return cells[row * side + column];
    }

    /** The map as an S×S image, one pixel per cell, coloured by {@link ColorScale}. */
    BufferedImage image() {
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[side];
        for (int r = 0; r < side; r++) {
            for (int c = 0; c < side; c++) {
                float w = cells[r * side + c];
                row[c] = c > r && w == 0 ? ColorScale.FUTURE : ColorScale.rgb(w);
            }
            img.setRGB(0, r, side, 1, row, 0, side);
        }
        return img;
    }

    /**
     * The map scaled up by an integer {@code scale} (each cell a square of scale² pixels), with a ring around each
     * of {@code dots} (block, earlier block), for the {@code selfsim.png} file.
     */
    BufferedImage image(int scale, List<long[]> dots) {
        BufferedImage small = image();
        int d = side * scale;
        BufferedImage img = new BufferedImage(d, d, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.drawImage(small, 0, 0, d, d, null);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(new Color(Report.DOT_RGB));
            g.setStroke(new BasicStroke(2f));
            int radius = Report.DOT_RADIUS;
            for (long[] dot : dots) {
                double x = (cell(dot[1]) + 0.5) * scale;
                double y = (cell(dot[0]) + 0.5) * scale;
                g.draw(new java.awt.geom.Ellipse2D.Double(x - radius, y - radius, 2.0 * radius, 2.0 * radius));
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    /** PNG bytes of an image. */
    static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        write(img, b);
        return b.toByteArray();
    }

    static void write(BufferedImage img, OutputStream out) throws IOException {
        if (!ImageIO.write(img, "png", out)) {
            throw new IOException("no PNG writer in this Java runtime (javax.imageio)");
        }
    }
}
