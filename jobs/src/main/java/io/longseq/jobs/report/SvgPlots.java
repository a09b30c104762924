package io.longseq.jobs.report;

import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The inline SVG figures of one section: the map (its PNG inside, axes in sequence coordinates, the table's links as
 * rings), the colour legend and the tracks, which share the map's horizontal scale so a track value sits under the
 * map column of its block.
 */
final class SvgPlots {

    /** Margins of the map and track figures, in CSS pixels. */
    static final int LEFT = 70;
    static final int TOP = 10;
    static final int BOTTOM = 40;
    static final int RIGHT = 16;
    static final int TRACK_HEIGHT = 70;
    /** Space above a track's box, for its name. */
    static final int TRACK_TOP = 18;
    /** The map's frame: a 2-pixel band in this colour, used nowhere else on the page. */
    static final int FRAME_RGB = 0x3a5f8a;
    static final int FRAME = 2;

    private SvgPlots() {}

    /** The map of {@code p} with {@code png} (its S×S image) drawn at the panel's scale; rings at {@code dots}. */
    static String map(SequencePanel p, byte[] png, List<long[]> dots, List<String> dotTitles, Units u) {
        SelfSimMap m = p.map;
        int d = m.side() * p.scale();
        int w = LEFT + d + RIGHT;
        int h = TOP + d + BOTTOM;
        StringBuilder b = new StringBuilder(png.length * 4 / 3 + 4096);
        b.append("<svg class=\"map\" width=\"").append(w).append("\" height=\"")
                .append(h).append("\" viewBox=\"0 0 ").append(w).append(' ').append(h).append("\">");
        b.append("<rect x=\"").append(LEFT - FRAME).append("\" y=\"").append(TOP - FRAME).append("\" width=\"")
                .append(d + 2 * FRAME).append("\" height=\"").append(d + 2 * FRAME).append("\" fill=\"")
                .append(ColorScale.css(FRAME_RGB)).append("\"/>");
        b.append("<image x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(d)
                .append("\" height=\"").append(d).append("\" preserveAspectRatio=\"none\" style=\"image-rendering:")
                .append("pixelated\" href=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(png))
                .append("\"/>");
        axis(b, p, d, true, u);
        axis(b, p, d, false, u);
        for (int i = 0; i < dots.size(); i++) {
            long[] dot = dots.get(i);
            double x = LEFT + (m.cell(dot[1]) + 0.5) * p.scale();
            double y = TOP + (m.cell(dot[0]) + 0.5) * p.scale();
            b.append("<circle cx=\"").append(Html.px(x)).append("\" cy=\"").append(Html.px(y)).append("\" r=\"")
                    .append(Report.DOT_RADIUS).append("\" fill=\"none\" stroke=\"").append(ColorScale.css(Report.DOT_RGB))
                    .append("\" stroke-width=\"2\"><title>").append(Html.esc(dotTitles.get(i)))
                    .append("</title></circle>");
        }
        return b.append("</svg>").toString();
    }

    /** Ticks every 1, 2 or 5 × 10^k positions (about 6 of them), labelled 0, 20k, 1.5M. */
    private static void axis(StringBuilder b, SequencePanel p, int d, boolean horizontal, Units u) {
        long length = Math.max(1, p.seq.length);
        long bs = Math.max(1, p.seq.blockSize);
        long step = Units.niceStep(length, 6);
        double perBlock = d / (double) p.map.blocks();
        for (long pos = 0; pos <= length; pos += step) {
            double at = pos / (double) bs * perBlock;
            if (at > d + 0.5) {
                break;
            }
            String label = Units.tick(pos);
            if (horizontal) {
                double x = LEFT + at;
                b.append(line(x, TOP + d + FRAME, x, TOP + d + FRAME + 5));
                b.append(text(x, TOP + d + FRAME + 17, "middle", label));
            } else {
                double y = TOP + at;
                b.append(line(LEFT - FRAME - 5, y, LEFT - FRAME, y));
                b.append(text(LEFT - FRAME - 8, y + 4, "end", label));
            }
        }
        if (horizontal) {
            b.append(text(LEFT + d / 2.0, TOP + d + BOTTOM - 4, "middle", "earlier position (" + u.word() + ")"));
        } else {
            double cx = 14;
            double cy = TOP + d / 2.0;
            b.append("<text x=\"").append(Html.px(cx)).append("\" y=\"").append(Html.px(cy))
                    .append("\" text-anchor=\"middle\" transform=\"rotate(-90 ").append(Html.px(cx)).append(' ')
                    .append(Html.px(cy)).append(")\">position (").append(u.word()).append(")</text>");
        }
    }

    /** The colour bar: weight 10⁻⁴ to 1 on the log scale of {@link ColorScale}. */
    static String legend(String id) {
        int w = 260;
        StringBuilder b = new StringBuilder("<svg class=\"legend\" width=\"")
                .append(w + 40).append("\" height=\"44\"><defs><linearGradient id=\"").append(id).append("\">");
        for (int i = 0; i <= 8; i++) {
            b.append("<stop offset=\"").append(i / 8.0).append("\" stop-color=\"")
                    .append(ColorScale.css(ColorScale.at(i / 8.0))).append("\"/>");
        }
        b.append("</linearGradient></defs><rect x=\"20\" y=\"4\" width=\"").append(w)
                .append("\" height=\"14\" fill=\"url(#").append(id).append(")\" stroke=\"#888\"/>");
        String[] labels = {"0.0001", "0.001", "0.01", "0.1", "1"};
        for (int i = 0; i < labels.length; i++) {
            double x = 20 + w * i / 4.0;
            b.append(line(x, 18, x, 23)).append(text(x, 36, "middle", labels[i]));
        }
        return b.append("</svg>").toString();
    }

    /** One track under the map: a line through one point per block, or the min/max envelope of its bins. */
    static String track(Track t, SequencePanel p, float lo, float hi, String color) {
        int d = p.map.side() * p.scale();
        int w = LEFT + d + RIGHT;
        int h = TRACK_TOP + TRACK_HEIGHT + 8;
        double span = hi > lo ? hi - lo : 1;
        StringBuilder b = new StringBuilder("<svg class=\"track\" width=\"")
                .append(w).append("\" height=\"").append(h).append("\">");
        b.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TRACK_TOP).append("\" width=\"").append(d)
                .append("\" height=\"").append(TRACK_HEIGHT).append("\" fill=\"#fafafa\" stroke=\"#ccc\"/>");
        b.append(text(LEFT - 8, TRACK_TOP + 10, "end", Html.weight(hi)));
        b.append(text(LEFT - 8, TRACK_TOP + TRACK_HEIGHT, "end", Html.weight(lo)));
        b.append(text(LEFT, TRACK_TOP - 5, "start", t.name() + (t.binned() ? " (min–max per bin)" : "")));
        StringBuilder path = new StringBuilder();
        int bins = t.bins();
        double perBin = d / (double) bins;
        if (!t.binned()) {
            boolean pen = false;
            for (int i = 0; i < bins; i++) {
                float v = t.max(i);
                if (Float.isNaN(v)) {
                    pen = false;
                    continue;
                }
                path.append(pen ? 'L' : 'M').append(Html.px(LEFT + (i + 0.5) * perBin)).append(' ')
                        .append(Html.px(y(v, lo, span)));
                pen = true;
            }
            b.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(color)
                    .append("\" stroke-width=\"1.2\"/>");
        } else {
            int i = 0;
            while (i < bins) {
                if (Float.isNaN(t.max(i))) {
                    i++;
                    continue;
                }
                int j = i;
                while (j < bins && !Float.isNaN(t.max(j))) {
                    j++;
                }
                for (int k = i; k < j; k++) { // the maxima left to right, the minima back
                    path.append(k == i ? 'M' : 'L').append(Html.px(LEFT + (k + 0.5) * perBin)).append(' ')
                            .append(Html.px(y(t.max(k), lo, span)));
                }
                for (int k = j - 1; k >= i; k--) {
                    path.append('L').append(Html.px(LEFT + (k + 0.5) * perBin)).append(' ')
                            .append(Html.px(y(t.min(k), lo, span) + 0.5));
                }
                path.append('Z');
                i = j;
            }
            b.append("<path d=\"").append(path).append("\" fill=\"").append(color).append("\" fill-opacity=\"0.45\"")
                    .append(" stroke=\"").append(color).append("\" stroke-width=\"0.8\"/>");
        }
        return b.append("</svg>").toString();
    }

    private static double y(float v, float lo, double span) {
        return TRACK_TOP + TRACK_HEIGHT * (1 - (v - lo) / span);
    }

    private static String line(double x1, double y1, double x2, double y2) {
        return "<line x1=\"" + Html.px(x1) + "\" y1=\"" + Html.px(y1) + "\" x2=\"" + Html.px(x2) + "\" y2=\""
                + Html.px(y2) + "\" stroke=\"#444\"/>";
    }

    private static String text(double x, double y, String anchor, String s) {
        return String.format(Locale.ROOT, "<text x=\"%s\" y=\"%s\" text-anchor=\"%s\">%s</text>", Html.px(x),
                Html.px(y), anchor, Html.esc(s));
    }
}
