package io.longseq.jobs.cli;

import static io.longseq.jobs.cli.OfflineCommandTest.args;
import static io.longseq.jobs.cli.OfflineCommandTest.cli;
import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.Weights;
import io.longseq.math.weights.WeightsIo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python examples (examples/export_weights.py, examples/read_blocks.py) against the Java code: a state_dict
 * exported by the script loads with {@link WeightsIo} (and {@code offline --weights} computes with it), and the
 * reader's arrays have the shapes of the blocks {@code offline} wrote. Skipped when python3 with numpy is missing.
 */
class PythonExamplesTest {

    @TempDir
    Path dir;

    static Path examples;

    @BeforeAll
    static void python() throws Exception {
        examples = OfflineCommandTest.exampleGenome().getParent();
        Assumptions.assumeTrue(exit(List.of("python3", "-c", "import numpy")) == 0,
                "python3 with numpy is not installed (Debian: apt-get install -y python3-numpy)");
    }

    @Test
    void anExportedStateDictLoadsAndRuns() throws Exception {
        Path npz = dir.resolve("model.npz");
        String out = python(examples.resolve("export_weights.py").toString(), "--demo", npz.toString(), "--d-model",
                "32", "--ffn-dim", "64", "--layers", "2", "--kind", "dna", "--kmer", "3");
        assertThat(out).contains("wrote " + npz + ": 36 arrays"); // 12 per layer + 12
        ModelConfig cfg = ModelConfig.builder().featureKind(FeatureKind.DNA).kmer(3).dModel(32).heads(4).ffnDim(64)
                .layers(2).build();
        assertThat(WeightsIo.check(npz, cfg)).isEmpty();
        Weights w = WeightsIo.load(npz, cfg);
        assertThat(w).isNotNull();

        Path fasta = dir.resolve("a.fa");
        OfflineCommandTest.writeFasta(fasta, List.of("a"), List.of(io.longseq.jobs.input.FastaReaderTest
                .randomBases(500, 4)));
        OfflineCommandTest.Run run = cli("offline", fasta.toString(), "--out", dir.resolve("o").toString(),
                "--weights", npz.toString(), "--d-model", "32", "--heads", "4", "--ffn-dim", "64", "--layers", "2",
                "--kmer", "3");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("500 in 2 blocks");
    }

    @Test
    void theReaderGivesOneRowPerBlock() throws Exception {
        Path fasta = dir.resolve("b.fa");
        OfflineCommandTest.writeFasta(fasta, List.of("x", "y"), List.of(io.longseq.jobs.input.FastaReaderTest
                .randomBases(300, 5), io.longseq.jobs.input.FastaReaderTest.randomBases(100, 6)));
        OfflineCommandTest.Run run = cli(args("offline", fasta.toString(), "--out", dir.toString()));
        assertThat(run.exit()).as(run.err()).isZero();
        String out = python(examples.resolve("read_blocks.py").toString(), dir.resolve("blocks.jsonl").toString());
        int blocks = (300 + 15) / 16 + (100 + 15) / 16;
        assertThat(out).contains(blocks + " blocks of 2 sequence(s), d = 32")
                .contains("summary (" + blocks + ", 32) float32, context (" + blocks + ", 32), novelty (" + blocks
                        + ",)");
    }

    private static String python(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("python3"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    private static int exit(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }
}
