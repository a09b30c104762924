package io.longseq.jobs.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report end to end on blocks.jsonl files written by BlockJsonWriter (SyntheticBlocks): page, maps, index. */
class ReportTest {

    @TempDir
    Path dir;

    private String html() throws IOException {
        return Files.readString(dir.resolve(Report.HTML), StandardCharsets.UTF_8);
    }

    /** Every reference on the page is inside it: anchors and data: URIs, no script, nothing to fetch. */
    static void assertSelfContained(String html) {
        assertThat(html).doesNotContainIgnoringCase("<script").doesNotContain("http://").doesNotContain("https://")
                .doesNotContainIgnoringCase("<link").doesNotContain("url(http").doesNotContain("@import");
        Matcher m = Pattern.compile("(?:href|src)=\"([^\"]{0,40})").matcher(html);
        int refs = 0;
        while (m.find()) {
            assertThat(m.group(1)).matches("#seq-[0-9]+|data:image/png;base64,.*");
            refs++;
        }
        assertThat(refs).isPositive();
    }

    @Test
    void aPlantedRepeatIsTheTopLinkInSequenceCoordinatesAndHotInTheMap() throws Exception {
        SyntheticBlocks.write(dir.resolve(Report.BLOCKS), "planted", 300, 8, 40, 200, 12, 1);
        Report.Result r = Report.write(dir, "dna");
        String html = html();
        assertSelfContained(html);
        assertThat(r.sections()).isEqualTo(1);
        assertThat(r.blocks()).isEqualTo(300);
        // blocks 200..211 = [51,200, 54,272) copy blocks 40..51 = [10,240, 13,312): 40,960 bp apart
        String link = "[51,200–54,272) resembles [10,240–13,312), 41 kbp earlier";
        assertThat(html).contains("Strongest: " + link + " (weight up to 0.4).")
                .contains("<td>" + link + "</td><td class=\"n\">12</td><td class=\"n\">0.4</td><td class=\"n\">0.4</td>")
                .contains("76,800 bp in 300 blocks of 256 bp")
                .contains("Map: 300 × 300 cells, one per block.").contains("Tracks: one point per block.")
                .contains("The run wrote no <code>settings.json</code>").contains("model width d = 8")
                .contains("memory levels named: [1, 2, 3, 5]").doesNotContain("<h2>Sequences</h2>");

        BufferedImage png = ImageIO.read(dir.resolve(Report.PNG).toFile());
        int scale = 640 / 300;
        assertThat(png.getWidth()).isEqualTo(300 * scale).isEqualTo(png.getHeight());
        // weight 0.4 on the log scale 1e-4..1: t = log10(4000)/4 = 0.9005, between YlOrRd's #bd0026 and #800026
        double x = (Math.log10(0.4 / 1e-4) / 4) * 8 - 7;
        int red = (int) Math.round(0xbd + (0x80 - 0xbd) * x);
        for (int b = 206; b < 212; b++) { // the ring of the table's link circles block 200 (the first of equals)
            int rgb = png.getRGB((b - 160) * scale, b * scale) & 0xffffff; // corner of cell (b, b - 160)
            assertThat(rgb).as("cell (%d, %d)", b, b - 160).isEqualTo(red << 16 | 0x26);
        }
        assertThat(png.getRGB(150 * scale, 205 * scale) & 0xffffff).isEqualTo(0xffffff); // no link there
        assertThat(png.getRGB(250 * scale, 205 * scale) & 0xffffff).isEqualTo(0xeeeeee); // later blocks
    }

    @Test
    void manySequencesGetAnIndexAndTheFirstFiftyASection() throws Exception {
        Files.write(dir.resolve("selfsim-70.png"), new byte[] {1}); // an older report's map
        for (int i = 1; i <= 55; i++) {
            SyntheticBlocks.write(dir.resolve(Report.BLOCKS), "read/" + i, 20, 4, 2, 12, 3, i);
        }
        Report.Result r = Report.write(dir, null);
        String html = html();
        assertSelfContained(html);
        assertThat(r.sequences()).isEqualTo(55);
        assertThat(r.sections()).isEqualTo(Report.SECTIONS);
        assertThat(html).contains("<h2>Sequences</h2>").contains("Drawn: the first 50 sequences in file order.")
                .contains("<a href=\"#seq-50\">read/50</a>").contains("<td>read/55</td>")
                .contains("<section id=\"seq-50\">").doesNotContain("id=\"seq-51\"")
                .contains("positions counted in positions (the kind of input is not known");
        assertThat(count(html, "<tr><td class=\"n\">")).isGreaterThanOrEqualTo(55);
        assertThat(dir.resolve("selfsim.png")).exists();
        assertThat(dir.resolve("selfsim-50.png")).exists();
        assertThat(dir.resolve("selfsim-51.png")).doesNotExist();
        assertThat(dir.resolve("selfsim-70.png")).doesNotExist();
        assertThat(r.pngs()).hasSize(50);
    }

    @Test
    void linesOfSequencesInterleavedGiveTheSamePage(@TempDir Path other) throws Exception {
        Path a = other.resolve("a.jsonl");
        Path b = other.resolve("b.jsonl");
        SyntheticBlocks.write(a, "one", 40, 4, 3, 30, 4, 1);
        SyntheticBlocks.write(b, "two", 40, 4, 5, 20, 6, 2);
        List<String> la = Files.readAllLines(a);
        List<String> lb = Files.readAllLines(b);
        Path grouped = Files.createDirectories(other.resolve("grouped"));
        Path mixed = Files.createDirectories(other.resolve("mixed"));
        Files.write(grouped.resolve(Report.BLOCKS), concat(la, lb));
        StringBuilder m = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            m.append(la.get(i)).append('\n').append(lb.get(i)).append('\n');
        }
        Files.writeString(mixed.resolve(Report.BLOCKS), m);
        Report.write(grouped, "dna");
        Report.write(mixed, "dna");
        String g = Files.readString(grouped.resolve(Report.HTML)).replace(grouped.toString(), "DIR").replace("grouped", "X");
        String x = Files.readString(mixed.resolve(Report.HTML)).replace(mixed.toString(), "DIR").replace("mixed", "X");
        assertThat(x).isEqualTo(g);
        assertThat(g).contains("[7,680–8,704) resembles [768–1,792), 6.9 kbp earlier");
    }

    @Test
    void aLongSequenceIsDownsampledByTheStatedRule() throws Exception {
        SyntheticBlocks.write(dir.resolve(Report.BLOCKS), "long", 5_000, 2, 100, 4_000, 12, 1);
        Report.write(dir, "dna");
        String html = html();
        assertThat(html).contains("Map downsampled: 5,000 blocks onto 1024 × 1024 cells, block b in cell ⌊b·1024/5,000⌋")
                .contains("Tracks downsampled: 5,000 blocks into 1,000 bins")
                .contains("[1,024,000–1,027,072) resembles [25,600–28,672), 998 kbp earlier");
        assertThat(ImageIO.read(dir.resolve(Report.PNG).toFile()).getWidth()).isEqualTo(1024);
    }

    @Test
    void settingsNoveltyAndNoSignal() throws Exception {
        Files.writeString(dir.resolve("settings.json"), "{\n  \"longseq.input.kind\": \"dna\",\n"
                + "  \"longseq.model.block-size\": 256,\n  \"nested\": {\"a\": [1]},\n  \"flag\": true\n}\n");
        Files.writeString(dir.resolve("notices.jsonl"), "{}\n{}\n");
        StringBuilder lines = new StringBuilder();
        for (int b = 0; b < 10; b++) {
            lines.append("{\"sequenceId\":\"quiet\",\"block\":").append(b).append(",\"start\":").append(b * 256)
                    .append(",\"end\":").append(b * 256 + 256).append(",\"top\":[{\"level\":1,\"firstBlock\":0,")
                    .append("\"lastBlock\":0,\"weight\":").append(b == 9 ? "0.002" : "0.001")
                    .append("}],\"selfWeight\":0.99,\"entropy\":0.1,\"novelty\":")
                    .append(b == 6 ? "0.9" : "0.1").append("}\n");
        }
        Files.writeString(dir.resolve(Report.BLOCKS), lines);
        Report.write(dir, null);
        String html = html();
        assertThat(html).contains("<td><code>longseq.model.block-size</code></td><td>256</td>")
                .contains("<td><code>nested</code></td><td>…</td>").contains("<td><code>flag</code></td><td>true</td>")
                .contains("positions counted in bp (settings.json)").contains("notices.jsonl: 2 lines")
                .contains("novelty: in the lines").contains("novelty</text>")
                .contains("No long-range link reaches weight 0.01: the model names no earlier region this sequence"
                        + " resembles (the strongest: [2,304–2,560) resembles [0–256), 2.3 kbp earlier, weight 0.002).")
                .doesNotContain("Strongest long-range links</h3>");
    }

    @Test
    void aBadLineIsNamed() throws Exception {
        Files.writeString(dir.resolve(Report.BLOCKS), "{\"sequenceId\":\"s\",\"block\":0,\"start\":0,\"end\":1}\n"
                + "{\"sequenceId\":\"s\",\"block\":1,\"start\":1,\"end\"2}\n");
        assertThatThrownBy(() -> Report.write(dir, null)).isInstanceOf(Report.BadInput.class)
                .hasMessage("blocks.jsonl line 2, column 44: expected ':' but found '2'");
        assertThat(dir.resolve(Report.HTML)).doesNotExist();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
