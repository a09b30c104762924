package io.longseq.jobs.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.jobs.cli.LongseqCli;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The report as a person sees it: the model runs ({@code longseq offline}, in-process) on a random DNA sequence with a
 * 3,000-base segment copied 41,700 bases later, {@code longseq report} draws the page, Debian's headless Chromium
 * takes a screenshot, and the screenshot's pixels are checked where the repeat must show: the cells (copy, source) of
 * the map are hot, cells beside them and rows without the repeat are not. Skipped, saying so, when no Chromium is
 * installed ({@code apt-get install -y chromium}; .ci/run installs it).
 */
class ReportScreenshotITCase {

    static final int LENGTH = 65_536;
    static final int SOURCE = 8_300;
    static final int COPY = 50_000;
    static final int SEGMENT = 3_000;
    static final int B = 256;

    @TempDir
    Path dir;

    @Test
    void thePlantedRepeatIsHotInTheScreenshotAndNothingElseIs() throws Exception {
        String chromium = chromium();
        Assumptions.assumeTrue(chromium != null, "no chromium on PATH: apt-get install -y chromium (as root) to run"
                + " the screenshot test; .ci/run installs it");
        Path fasta = dir.resolve("planted.fa");
        writePlanted(fasta);
        Path out = dir.resolve("out");
        // --global-mode full: every earlier block is its own memory entry, so the far copy can name its source
        int exit = cli("offline", fasta.toString(), "--out", out.toString(), "--global-mode", "full");
        assertThat(exit).isZero();
        exit = cli("report", out.toString(), "--kind", "dna");
        assertThat(exit).isZero();
        String html = Files.readString(out.resolve("report.html"), StandardCharsets.UTF_8);
        ReportTest.assertSelfContained(html);
        assertStrongestLinkIsTheRepeat(html);

        Path shot = screenshot(chromium, out.resolve("report.html"), dir.resolve("shot.png"));
        Files.createDirectories(Path.of("target"));
        Files.copy(shot, Path.of("target/report-screenshot.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        BufferedImage img = ImageIO.read(shot.toFile());
        int[] frame = findMapFrame(img);
        int x0 = frame[0] + SvgPlots.FRAME;
        int y0 = frame[1] + SvgPlots.FRAME;
        int side = frame[2] - 2 * SvgPlots.FRAME;
        int n = LENGTH / B; // 256 blocks, one cell each
        assertThat(side).as("map side in the screenshot").isEqualTo(n * (Report.MAP_PIXELS / n));
        double cell = side / (double) n;

        int hot = 0;
        List<String> seen = new ArrayList<>();
        int first = (COPY + B - 1) / B;          // the blocks wholly inside the copy
        int last = (COPY + SEGMENT) / B - 1;
        for (int b = first; b <= last; b++) {
            long src = (long) b * B - (COPY - SOURCE); // where block b's bases come from: two source blocks
            int c0 = (int) (src / B);
            int rgb = hotter(colourAt(img, x0, y0, cell, b, c0), colourAt(img, x0, y0, cell, b, c0 + 1));
            seen.add(b + "->" + c0 + ":" + Integer.toHexString(rgb));
            if (isHot(rgb)) {
                hot++;
            }
            // controls: the same row 40 blocks to the side, and a row without the repeat at the source's columns
            assertThat(isPale(colourAt(img, x0, y0, cell, b, c0 + 40))).as("cell (%d, %d)", b, c0 + 40).isTrue();
            assertThat(isPale(colourAt(img, x0, y0, cell, b - 60, c0))).as("cell (%d, %d)", b - 60, c0).isTrue();
        }
        // the ring around the table's strongest link may cover a cell or two of the streak
        assertThat(hot).as("hot cells of the copy's rows at the source's columns: %s", seen)
                .isGreaterThanOrEqualTo((last - first + 1) - 3);
    }

    /** The weight's colour is at least ~0.05 on the log scale (orange-red to dark red): green is low. */
    private static boolean isHot(int rgb) {
        return (rgb >> 16 & 0xff) >= 0x70 && (rgb >> 8 & 0xff) <= 0x70;
    }

    /** White, pale yellow (weights below ~0.003) or the grey of later blocks. */
    private static boolean isPale(int rgb) {
        return (rgb >> 8 & 0xff) >= 0xc8 && (rgb >> 16 & 0xff) >= 0xe0;
    }

    /** Of two colours of the scale, the one further along it (less green). */
    private static int hotter(int a, int b) {
        return (a >> 8 & 0xff) <= (b >> 8 & 0xff) ? a : b;
    }

    /** The colour at the centre of cell (row, column). */
    private static int colourAt(BufferedImage img, int x0, int y0, double cell, long row, long column) {
        int x = (int) Math.floor(x0 + (column + 0.5) * cell);
        int y = (int) Math.floor(y0 + (row + 0.5) * cell);
        return img.getRGB(x, y) & 0xffffff;
    }

    /** The map's frame (a band of {@link SvgPlots#FRAME_RGB}): its outer left, top and side in screenshot pixels. */
    private static int[] findMapFrame(BufferedImage img) {
        for (int y = 0; y < img.getHeight(); y++) {
            int run = 0;
            for (int x = 0; x < img.getWidth(); x++) {
                if (near(img.getRGB(x, y), SvgPlots.FRAME_RGB)) {
                    run++;
                } else {
                    if (run >= 200) {
                        return new int[] {x - run, y, run};
                    }
                    run = 0;
                }
            }
        }
        throw new AssertionError("no map frame (colour " + Integer.toHexString(SvgPlots.FRAME_RGB)
                + ") in the screenshot");
    }

    private static boolean near(int a, int b) {
        for (int s = 0; s <= 16; s += 8) {
            if (Math.abs((a >> s & 0xff) - (b >> s & 0xff)) > 6) {
                return false;
            }
        }
        return true;
    }

    /** The sentence under the title names the repeat in sequence coordinates, within a block of the truth. */
    private static void assertStrongestLinkIsTheRepeat(String html) {
        Matcher m = Pattern.compile("Strongest: \\[([0-9,]+)–([0-9,]+)\\) resembles \\[([0-9,]+)–([0-9,]+)\\)")
                .matcher(html);
        assertThat(m.find()).as("a strongest link in the page").isTrue();
        long from = num(m.group(1));
        long to = num(m.group(2));
        long srcFrom = num(m.group(3));
        long srcTo = num(m.group(4));
        assertThat(from).isBetween((long) COPY - B, (long) COPY + B);
        assertThat(to).isBetween((long) COPY + SEGMENT - B, (long) COPY + SEGMENT + B);
        assertThat(srcFrom).isBetween((long) SOURCE - B, (long) SOURCE + B);
        assertThat(srcTo).isBetween((long) SOURCE + SEGMENT - B, (long) SOURCE + SEGMENT + B);
    }

    private static long num(String s) {
        return Long.parseLong(s.replace(",", ""));
    }

    /** Random bases (seeded), with [SOURCE, SOURCE + SEGMENT) copied to COPY; plain Java, not the code under test. */
    static void writePlanted(Path fasta) throws IOException {
        Random r = new Random(11);
        byte[] b = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            b[i] = (byte) "ACGT".charAt(r.nextInt(4));
        }
        System.arraycopy(b, SOURCE, b, COPY, SEGMENT);
        try (OutputStream o = Files.newOutputStream(fasta)) {
            o.write(">planted random 64 kbp, [8300,11300) copied to [50000,53000)\n".getBytes(StandardCharsets.US_ASCII));
            for (int p = 0; p < LENGTH; p += 70) {
                o.write(b, p, Math.min(70, LENGTH - p));
                o.write('\n');
            }
        }
    }

    private static int cli(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = LongseqCli.commandLine();
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        if (exit != 0) {
            System.err.println(err);
        }
        return exit;
    }

    /** chromium or chromium-browser on PATH, null if neither. */
    static String chromium() {
        for (String name : List.of("chromium", "chromium-browser")) {
            for (String p : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                if (!p.isEmpty() && Files.isExecutable(Path.of(p, name))) {
                    return Path.of(p, name).toString();
                }
            }
        }
        return null;
    }

    /** A screenshot of {@code page} by headless Chromium: 1200 px wide, device scale 1, sRGB, no network needed. */
    static Path screenshot(String chromium, Path page, Path png) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(png.getParent(), "chromium-profile");
        ProcessBuilder pb = new ProcessBuilder(chromium, "--headless", "--disable-gpu", "--no-sandbox",
                "--hide-scrollbars", "--force-device-scale-factor=1", "--force-color-profile=srgb",
                "--user-data-dir=" + profile, "--no-first-run", "--disable-extensions",
                "--screenshot=" + png.toAbsolutePath(), "--window-size=1200,1300",
                page.toAbsolutePath().toUri().toString());
        Path log = png.resolveSibling("chromium.log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium took over 180 s; its output: " + Files.readString(log));
        }
        assertThat(Files.exists(png)).as("screenshot written; chromium said: %s", Files.readString(log)).isTrue();
        return png;
    }
}
