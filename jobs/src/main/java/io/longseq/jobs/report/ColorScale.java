package io.longseq.jobs.report;

/**
 * The colours of the self-similarity map: a link weight w on a logarithmic scale from {@link #FLOOR} (10⁻⁴, the
 * palest yellow) to 1 (dark red), through ColorBrewer's YlOrRd; no link, or a weight below the floor, is white. The
 * scale is fixed, not stretched to the data, so maps of different runs compare and a sequence without signal looks
 * pale rather than showing noise in full colour.
 */
final class ColorScale {

    /** The smallest weight that gets a colour. */
    static final float FLOOR = 1e-4f;
    static final int WHITE = 0xffffff;
    /** Cells above the diagonal (later blocks: never a link). */
    static final int FUTURE = 0xeeeeee;

    /** YlOrRd, 9 classes (ColorBrewer), pale to dark. */
    private static final int[] STOPS = {
        0xffffcc, 0xffeda0, 0xfed976, 0xfeb24c, 0xfd8d3c, 0xfc4e2a, 0xe31a1c, 0xbd0026, 0x800026};

    private ColorScale() {}

    /** The position of {@code w} on the scale: 0 at the floor, 1 at weight 1; negative below the floor or NaN. */
    static double position(float w) {
        if (!(w >= FLOOR)) {
            return -1;
        }
        return Math.min(1.0, Math.log10(w / (double) FLOOR) / -Math.log10(FLOOR));
    }

    /** The colour of weight {@code w} as 0xRRGGBB. */
    static int rgb(float w) {
        double t = position(w);
        return t < 0 ? WHITE : at(t);
    }

    /** The colour at position t in [0, 1] of the scale. */
    static int at(double t) {
        double x = Math.max(0, Math.min(1, t)) * (STOPS.length - 1);
        int i = Math.min(STOPS.length - 2, (int) Math.floor(x));
        double f = x - i;
        int a = STOPS[i];
        int b = STOPS[i + 1];
        return mix(a >> 16, b >> 16, f) << 16 | mix(a >> 8, b >> 8, f) << 8 | mix(a, b, f);
    }

    private static int mix(int a, int b, double f) {
        a &= 0xff;
        b &= 0xff;
        return (int) Math.round(a + (b - a) * f);
    }

    /** #rrggbb. */
    static String css(int rgb) {
        return String.format(java.util.Locale.ROOT, "#%06x", rgb & 0xffffff);
    }
}
