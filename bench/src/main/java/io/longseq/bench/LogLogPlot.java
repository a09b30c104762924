package io.longseq.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;
import javax.imageio.ImageIO;

/**
 * Log-log line charts drawn with plain Java2D into a PNG (headless; no plotting library): side-by-side panels,
 * each with decade grid lines, labelled axes, one polyline with point markers per series and a legend.
 */
final class LogLogPlot {

    /** How a line is drawn: solid with point markers, dashed, or dotted with small markers. */
    enum Style { SOLID, DASHED, DOTTED }

    /** One line: its points (x, y &gt; 0; others are skipped), colour and style. */
    record Series(String name, Color color, Style style, List<double[]> points) {
        Series(String name, Color color, Style style) {
            this(name, color, style, new ArrayList<>());
        }

        Series add(double x, double y) {
            points.add(new double[] {x, y});
            return this;
        }
    }

    /** One chart. */
    record Panel(String title, String xLabel, String yLabel, DoubleFunction<String> xFormat,
                 DoubleFunction<String> yFormat, List<Series> series) {}

    static final Color[] PALETTE = {new Color(0xD62728), new Color(0x1F77B4), new Color(0x2CA02C),
        new Color(0xFF7F0E), new Color(0x9467BD), new Color(0x8C564B)};

    private static final int PANEL_W = 640;
    private static final int PANEL_H = 520;
    private static final int LEFT = 86;
    private static final int RIGHT = 20;
    private static final int TOP = 44;
    private static final int BOTTOM = 64;

    private LogLogPlot() {}

    static void write(File png, String footer, List<Panel> panels) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int width = PANEL_W * panels.size();
        int height = PANEL_H + (footer == null ? 0 : 24);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            for (int i = 0; i < panels.size(); i++) {
                draw(g, panels.get(i), i * PANEL_W);
            }
            if (footer != null) {
                g.setColor(Color.DARK_GRAY);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
                g.drawString(footer, 10, height - 8);
            }
        } finally {
            g.dispose();
        }
        File dir = png.getAbsoluteFile().getParentFile();
        if (dir != null) {
            dir.mkdirs();
        }
        ImageIO.write(img, "png", png);
    }

    private static void draw(Graphics2D g, Panel p, int x0) {
        double minX = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, minY = Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
        for (Series s : p.series()) {
            for (double[] pt : s.points()) {
                if (pt[0] > 0 && pt[1] > 0 && Double.isFinite(pt[0]) && Double.isFinite(pt[1])) {
                    minX = Math.min(minX, pt[0]);
                    maxX = Math.max(maxX, pt[0]);
                    minY = Math.min(minY, pt[1]);
                    maxY = Math.max(maxY, pt[1]);
                }
            }
        }
        if (minX > maxX) {
            minX = 1; maxX = 10; minY = 1; maxY = 10;
        }
        double lx0 = Math.floor(Math.log10(minX));
        double lx1 = Math.max(lx0 + 1, Math.ceil(Math.log10(maxX)));
        double ly0 = Math.floor(Math.log10(minY));
        double ly1 = Math.max(ly0 + 1, Math.ceil(Math.log10(maxY)));
        int left = x0 + LEFT;
        int right = x0 + PANEL_W - RIGHT;
        int top = TOP;
        int bottom = PANEL_H - BOTTOM;
        Mapper m = new Mapper(lx0, lx1, ly0, ly1, left, right, top, bottom);

        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(Color.BLACK);
        g.drawString(p.title(), left, 24);

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        Stroke grid = new BasicStroke(1f);
        // decade grid and labels; minor ticks at 2..9 when there are few decades
        for (int e = (int) lx0; e <= (int) lx1; e++) {
            int x = m.x(Math.pow(10, e));
            g.setColor(new Color(0xDDDDDD));
            g.setStroke(grid);
            g.drawLine(x, top, x, bottom);
            g.setColor(Color.BLACK);
            String label = p.xFormat().apply(Math.pow(10, e));
            g.drawString(label, x - fm.stringWidth(label) / 2, bottom + 16);
        }
        int ystep = (int) Math.max(1, Math.ceil((ly1 - ly0) / 12));
        for (int e = (int) ly0; e <= (int) ly1; e++) {
            int y = m.y(Math.pow(10, e));
            g.setColor(new Color(0xDDDDDD));
            g.drawLine(left, y, right, y);
            if ((e - (int) ly0) % ystep == 0) {
                g.setColor(Color.BLACK);
                String label = p.yFormat().apply(Math.pow(10, e));
                g.drawString(label, left - 6 - fm.stringWidth(label), y + 4);
            }
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, right - left, bottom - top);
        g.drawString(p.xLabel(), (left + right) / 2 - fm.stringWidth(p.xLabel()) / 2, bottom + 36);
        var old = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(p.yLabel(), -((top + bottom) / 2 + fm.stringWidth(p.yLabel()) / 2), x0 + 16);
        g.setTransform(old);

        // series
        int legendY = top + 16;
        for (Series s : p.series()) {
            g.setColor(s.color());
            g.setStroke(stroke(s.style()));
            int px = -1, py = -1;
            for (double[] pt : s.points()) {
                if (!(pt[0] > 0 && pt[1] > 0 && Double.isFinite(pt[0]) && Double.isFinite(pt[1]))) {
                    continue;
                }
                int x = m.x(pt[0]);
                int y = m.y(pt[1]);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                if (s.style() == Style.SOLID) {
                    g.fillOval(x - 4, y - 4, 8, 8);
                } else if (s.style() == Style.DOTTED) {
                    g.fillRect(x - 2, y - 2, 5, 5);
                }
                px = x;
                py = y;
            }
            g.drawLine(left + 10, legendY - 4, left + 40, legendY - 4);
            g.setColor(Color.BLACK);
            g.drawString(s.name(), left + 46, legendY);
            legendY += 16;
        }
        g.setStroke(grid);
    }

    private static Stroke stroke(Style style) {
        return switch (style) {
            case SOLID -> new BasicStroke(2.2f);
            case DASHED -> new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {8f, 5f}, 0f);
            case DOTTED -> new BasicStroke(1.6f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f,
                    new float[] {1.5f, 4f}, 0f);
        };
    }

    private record Mapper(double lx0, double lx1, double ly0, double ly1, int left, int right, int top, int bottom) {
        int x(double v) {
            return (int) Math.round(left + (Math.log10(v) - lx0) / (lx1 - lx0) * (right - left));
        }

        int y(double v) {
            return (int) Math.round(bottom - (Math.log10(v) - ly0) / (ly1 - ly0) * (bottom - top));
        }
    }

    /** 1000 → "1k", 1e6 → "1M" (decimal prefixes, for axis labels). */
    static String count(double v) {
        String[] units = {"", "k", "M", "G", "T", "P", "E"};
        int u = 0;
        while (Math.abs(v) >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return fmt(v) + units[u];
    }

    /** Bytes with decimal prefixes: 1e9 → "1 GB". */
    static String bytes(double v) {
        return count(v) + "B";
    }

    /** Seconds: 1e-3 → "1 ms", 10 → "10 s". */
    static String seconds(double v) {
        if (v < 1e-3) {
            return fmt(v * 1e6) + " µs";
        }
        if (v < 1) {
            return fmt(v * 1e3) + " ms";
        }
        return fmt(v) + " s";
    }

    private static String fmt(double v) {
        if (v == Math.rint(v)) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
