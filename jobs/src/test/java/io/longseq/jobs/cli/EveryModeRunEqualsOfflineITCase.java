package io.longseq.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.jobs.LongseqOptions;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.LocalMode;
import io.longseq.math.model.Pooling;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands themselves, mode by mode: {@code longseq run} at parallelism 2 in fragments of 97 bases and
 * {@code longseq offline} write byte-identical blocks.jsonl, links.bedpe and tracks.bedgraph for every local mode the
 * stream takes, every global mode, every pooling and both strands. (AllModesITCase holds the same for the stream with
 * shuffled fragments against the offline engine; this holds it for what a user types.)
 */
class EveryModeRunEqualsOfflineITCase {

    @TempDir
    Path dir;

    /** A small model: d 32, blocks of 16, chunks of 64, linformer segments of 16 (a chunk holds 4). */
    private static final List<String> MODEL = List.of("--d-model", "32", "--heads", "4", "--window", "8",
            "--ffn-dim", "64", "--block-size", "16", "--chunk-size", "64", "--linformer-segment", "16",
            "--linformer-rank", "4");

    @Test
    void runEqualsOfflineByteForByteInEveryMode() throws IOException {
        Path fasta = dir.resolve("lambda-3k.fa");
        OfflineCommandTest.writeFasta(fasta, List.of("lambda-a first 3 kbp", "lambda-b bases 700-2000"), List.of(
                OfflineCommandTest.firstBases(OfflineCommandTest.exampleGenome(), 3_000),
                OfflineCommandTest.firstBases(OfflineCommandTest.exampleGenome(), 2_000).substring(700)));
        List<List<String>> cases = new ArrayList<>();
        for (LocalMode m : LocalMode.values()) {
            if (m != LocalMode.FULL) { // dense local attention is offline's baseline only; run refuses it
                cases.add(List.of(flag(LongseqOptions.LOCAL_MODE), lower(m)));
            }
        }
        for (GlobalMode g : GlobalMode.values()) {
            cases.add(List.of(flag(LongseqOptions.GLOBAL_MODE), lower(g)));
        }
        for (Pooling p : Pooling.values()) {
            cases.add(List.of(flag(LongseqOptions.POOLING), lower(p)));
        }
        cases.add(List.of(flag(LongseqOptions.STRAND), "both", flag(LongseqOptions.GLOBAL_MODE), "full"));
        List<String> done = new ArrayList<>();
        for (List<String> mode : cases) {
            Path runDir = dir.resolve("run-" + done.size());
            Path offDir = dir.resolve("off-" + done.size());
            OfflineCommandTest.Run run = cli(List.of("run", fasta.toString(), "--out", runDir.toString(),
                    "--parallelism", "2", "--fragment-size", "97"), mode);
            OfflineCommandTest.Run off = cli(List.of("offline", fasta.toString(), "--out", offDir.toString()), mode);
            assertThat(run.exit()).as(mode + ": run " + run.err()).isZero();
            assertThat(off.exit()).as(mode + ": offline " + off.err()).isZero();
            for (String file : List.of("blocks.jsonl", "links.bedpe", "tracks.bedgraph")) {
                assertThat(Files.readAllBytes(runDir.resolve(file))).as(mode + ": " + file)
                        .isEqualTo(Files.readAllBytes(offDir.resolve(file)));
            }
            assertThat(Files.readAllLines(offDir.resolve("blocks.jsonl"))).as(mode.toString())
                    .hasSize((3_000 + 15) / 16 + (1_300 + 15) / 16);
            done.add(String.join(" ", mode));
        }
        assertThat(done).hasSize(LocalMode.values().length - 1 + GlobalMode.values().length
                + Pooling.values().length + 1);
        System.out.println("EveryModeRunEqualsOfflineITCase: run p2 = offline, byte for byte, for " + done);
    }

    private static OfflineCommandTest.Run cli(List<String> command, List<String> mode) {
        List<String> args = new ArrayList<>(command);
        args.addAll(MODEL);
        args.addAll(mode);
        return OfflineCommandTest.cli(args.toArray(String[]::new));
    }

    private static String flag(org.apache.flink.configuration.ConfigOption<?> option) {
        return LongseqOptions.flag(option);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
