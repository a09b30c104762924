package io.longseq.jobs.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness of {@link BglNoveltyEval} on hand-made inputs (expected values worked out by hand), and its run on the
 * Loghub BGL sample when {@code ../shared/data} is there (it must stay there: licence). Nothing about speed, and
 * nothing about how good the novelty is: the figures are measured, and docs/outputs.md reports them.
 */
class BglNoveltyTest {

    /** The sample, beside the repository ({@code ../shared/data}), or where {@code longseq.shared.data} points. */
    static final Path BGL = Path.of(System.getProperty("longseq.shared.data", "../../shared/data"), "logs",
            "BGL_2k.log");

    @TempDir
    Path dir;

    @Test
    void theLabelColumnIsCutBeforeTheModelSeesALine() {
        BglNoveltyEval.Labelled l = BglNoveltyEval.strip(List.of(
                "- 1117838570 2005.06.03 R02 RAS KERNEL INFO ok",
                "KERNDTLB 1118536327 2005.06.11 R30 RAS KERNEL FATAL data TLB error interrupt",
                "APPREAD 1117869872 2005.06.04 R04 RAS APP FATAL ciod: failed"));
        assertThat(l.lines()).containsExactly("1117838570 2005.06.03 R02 RAS KERNEL INFO ok",
                "1118536327 2005.06.11 R30 RAS KERNEL FATAL data TLB error interrupt",
                "1117869872 2005.06.04 R04 RAS APP FATAL ciod: failed");
        assertThat(l.alert()).containsExactly(false, true, true);
    }

    @Test
    void scoresOfHandMadePredictions() {
        boolean[] truth = {true, false, true, false, true};
        boolean[] predicted = {true, true, false, false, true};
        BglNoveltyEval.Score s = BglNoveltyEval.Score.of(predicted, truth);
        assertThat(s).isEqualTo(new BglNoveltyEval.Score(2, 1, 1));
        assertThat(s.precision()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(s.recall()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(s.f1()).isCloseTo(2.0 / 3, within(1e-12));
        // ranking 0.9 (T), 0.8 (F), 0.7 (T), 0.1 (F), 0.05 (T): AP = (1/1 + 2/3 + 3/5) / 3
        float[] novelty = {0.9f, 0.8f, 0.7f, 0.1f, 0.05f};
        boolean[] ranked = {true, false, true, false, true};
        assertThat(BglNoveltyEval.averagePrecision(novelty, ranked)).isCloseTo((1 + 2.0 / 3 + 3.0 / 5) / 3,
                within(1e-12));
        assertThat(BglNoveltyEval.blockLabels(new boolean[] {false, false, false, true, false}, 2))
                .containsExactly(false, true, false);
    }

    @Test
    void aTemplateIsNewTheFirstTimeItsMaskedWordsAppear() {
        List<String> lines = List.of("a 1 b x y error 7", "a 2 c x y error 9", "a 3 b x y disk full",
                "a 4 b x y error 8");
        // all words: "a <NUM> b x y error <NUM>" is new in block 0; line 2 has "c": new; line 3 "disk full": new
        assertThat(BglNoveltyEval.newTemplateBlocks(lines, 1, false)).containsExactly(true, true, true, false);
        // message only (after five header fields): "error <NUM>", "error <NUM>", "disk full", "error <NUM>"
        assertThat(BglNoveltyEval.newTemplateBlocks(lines, 1, true)).containsExactly(true, false, true, false);
    }

    @Test
    void theBglSampleRunsEndToEnd() throws IOException {
        Assumptions.assumeTrue(Files.isRegularFile(BGL), "the BGL sample is not at " + BGL.toAbsolutePath().normalize()
                + " (Loghub's licence keeps it out of the repository: put ../shared/data beside the checkout, or"
                + " -Dlongseq.shared.data=DIR)");
        BglNoveltyEval.Labelled l = BglNoveltyEval.strip(Files.readAllLines(BGL, StandardCharsets.UTF_8));
        int alerts = 0;
        for (boolean a : l.alert()) {
            alerts += a ? 1 : 0;
        }
        assertThat(l.lines()).hasSize(2_000);
        assertThat(alerts).isEqualTo(143); // the sample's README; also awk '$1 != "-"' BGL_2k.log | wc -l
        boolean[] blocks = BglNoveltyEval.blockLabels(l.alert(), 16);
        int alertBlocks = 0;
        for (boolean b : blocks) {
            alertBlocks += b ? 1 : 0;
        }
        assertThat(blocks).hasSize(125);
        assertThat(alertBlocks).isEqualTo(30); // counted with awk over int((NR-1)/16)
        String table = BglNoveltyEval.table(BGL, new int[] {16}, dir);
        assertThat(table).contains("| 16 | 125 | 30 | baseline: a template never seen before")
                .contains("novelty ranking (hierarchical): average precision");
        assertThat(Files.readString(dir.resolve("bgl-unlabelled.log"))).doesNotContain("KERNDTLB ")
                .doesNotStartWith("- ");
    }
}
