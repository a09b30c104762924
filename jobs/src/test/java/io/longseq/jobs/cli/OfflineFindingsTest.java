package io.longseq.jobs.cli;

import static io.longseq.jobs.cli.OfflineCommandTest.args;
import static io.longseq.jobs.cli.OfflineCommandTest.blocks;
import static io.longseq.jobs.cli.OfflineCommandTest.cli;
import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.jobs.MiniJson;
import io.longseq.jobs.TestInputs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code offline} tells a person and writes beside blocks.jsonl (docs/outputs.md): the summary's sentences
 * about long-range repeats in the input's units, the alerts, and the refusals of the two thresholds. Expected values
 * come from how the inputs were made (where a repeat was planted), not from the code.
 */
class OfflineFindingsTest {

    @TempDir
    Path dir;

    /** 3,200 random bases; bases [320, 800) copied to [2,000, 2,480): a repeat 1,680 bp after its source. */
    @Test
    void aPlantedRepeatIsNamedInBasesWithItsDistance() throws IOException {
        Path fasta = dir.resolve("planted.fa");
        byte[] bases = TestInputs.genomeWithRepeats(5, 3_200,
                List.of(new TestInputs.Repeat("1.7 kbp", 320, 2_000, 480)));
        TestInputs.writeFasta(fasta, "planted a test genome", bases, 60);

        OfflineCommandTest.Run run = cli(args("offline", fasta.toString(), "--out", dir.toString(), "--global-mode",
                "full"));
        assertThat(run.exit()).as(run.err()).isZero();
        // the three strongest links are blocks of the copy, each resembling its source 1,680 bp earlier
        List<String> lines = run.out().lines().filter(l -> l.startsWith("  planted [")).toList();
        assertThat(lines).hasSize(3).allSatisfy(l -> {
            assertThat(l).matches("  planted \\[[0-9,]+-[0-9,]+\\) resembles \\[[0-9,]+-[0-9,]+\\), 1\\.7 kbp earlier"
                    + " \\(weight 0\\.[0-9]+\\)");
            long start = Long.parseLong(l.replaceAll("^  planted \\[([0-9,]+)-.*", "$1").replace(",", ""));
            long source = Long.parseLong(l.replaceAll(".*resembles \\[([0-9,]+)-.*", "$1").replace(",", ""));
            assertThat(start).isBetween(2_000L, 2_480L);
            assertThat(start - source).isEqualTo(1_680);
        });
        assertThat(run.out()).contains("repeats:   ").doesNotContain("no clear long-range repeat")
                .contains("links.bedpe (").contains("tracks.bedgraph");
        assertThat(dir.resolve("links.bedpe")).isNotEmptyFile();
    }

    @Test
    void randomBasesShowNoClearRepeat() throws IOException {
        Path fasta = dir.resolve("random.fa");
        TestInputs.writeFasta(fasta, "random", TestInputs.randomBases(new java.util.Random(3), 3_000), 70);
        OfflineCommandTest.Run run = cli("offline", fasta.toString(), "--out", dir.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("repeats:   the input shows no clear long-range repeat: the strongest link"
                + " to an earlier region \\(one block or more back\\) has weight 0\\.0[0-4][0-9]*, below 0\\.05"
                + " \\(--link-threshold\\)\n").doesNotContain("resembles");
        assertThat(Files.readAllLines(dir.resolve("links.bedpe"))).isEmpty();
    }

    /** A log: no genome-browser files, lines as the unit, alerts.jsonl = the blocks at or above the threshold. */
    @Test
    void aLogGetsAlertsAndItsMostNovelBlocksInLines() throws IOException {
        Path log = dir.resolve("service.log");
        Files.write(log, TestInputs.syntheticLog(11, 700), StandardCharsets.UTF_8);
        OfflineCommandTest.Run run = cli(args("offline", log.toString(), "--out", dir.toString(), "--alert-threshold",
                "0.01", "--vocab-size", "4096"));
        assertThat(run.exit()).as(run.err()).isZero();

        List<Map<String, Object>> blocks = blocks(dir);
        assertThat(blocks).hasSize((700 + 15) / 16);
        List<String> expected = new ArrayList<>();
        for (Map<String, Object> b : blocks) {
            float novelty = ((MiniJson.Num) b.get("novelty")).asFloat();
            assertThat(novelty).isBetween(0f, 1f);
            if (novelty >= 0.01f) {
                expected.add(b.get("block") + "/" + b.get("start") + "/" + b.get("end") + "/" + novelty);
            }
        }
        assertThat(((MiniJson.Num) blocks.get(0).get("novelty")).asFloat()).isEqualTo(1f); // nothing before it
        List<String> alerts = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("alerts.jsonl"))) {
            Map<String, Object> a = MiniJson.object(line);
            assertThat(a.keySet()).containsExactly("sequenceId", "block", "start", "end", "novelty");
            assertThat(a.get("sequenceId")).isEqualTo("service.log");
            alerts.add(a.get("block") + "/" + a.get("start") + "/" + a.get("end") + "/"
                    + ((MiniJson.Num) a.get("novelty")).asFloat());
        }
        assertThat(alerts).isNotEmpty().isEqualTo(expected);
        assertThat(run.out()).contains("alerts:    " + alerts.size() + " blocks with novelty 0.01 or more (")
                .contains("novelty:   most unlike anything before them").containsPattern("  service\\.log lines "
                        + "[0-9,]+-[0-9,]+ \\(novelty 0\\.[0-9]+\\)");
        assertThat(dir.resolve("links.bedpe")).doesNotExist();
        assertThat(dir.resolve("tracks.bedgraph")).doesNotExist();
    }

    @Test
    void thresholdsOutOfRangeOrWithoutEntriesAreRefused() throws IOException {
        Path fasta = dir.resolve("a.fa");
        OfflineCommandTest.writeFasta(fasta, List.of("a"), List.of("ACGTACGTAC"));
        OfflineCommandTest.Run high = cli("offline", fasta.toString(), "--out", dir.toString(), "--alert-threshold",
                "1.5");
        assertThat(high.exit()).isEqualTo(2);
        assertThat(high.err()).contains("--alert-threshold must be a novelty in [0, 1], got 1.5");
        OfflineCommandTest.Run linear = cli("offline", fasta.toString(), "--out", dir.toString(), "--alert-threshold",
                "0.2", "--global-mode", "linear");
        assertThat(linear.exit()).isEqualTo(2);
        assertThat(linear.err()).contains("--alert-threshold").contains("linear keeps none");
        OfflineCommandTest.Run link = cli("offline", fasta.toString(), "--out", dir.toString(), "--link-threshold",
                "-0.1");
        assertThat(link.exit()).isEqualTo(2);
        assertThat(link.err()).contains("--link-threshold must be a weight in [0, 1], got -0.1");
        OfflineCommandTest.Run word = cli("offline", fasta.toString(), "--out", dir.toString(), "--link-threshold",
                "strong");
        assertThat(word.exit()).isEqualTo(2);
        assertThat(word.err()).contains("link-threshold");
        assertThat(dir.resolve("blocks.jsonl")).doesNotExist();
    }
}
