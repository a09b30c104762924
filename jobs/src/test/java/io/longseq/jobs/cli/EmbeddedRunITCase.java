package io.longseq.jobs.cli;

import static io.longseq.jobs.cli.OfflineCommandTest.args;
import static io.longseq.jobs.cli.OfflineCommandTest.cli;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run}'s embedded cluster from the command line: {@code --config FILE} (a Flink config.yaml, its longseq.*
 * keys in effect, the command line winning), {@code --web-ui} (its address printed, a port in use refused) and
 * {@code --metrics-port} (a port in use refused). What the endpoints serve during a run: {@code MetricsITCase}.
 */
class EmbeddedRunITCase {

    @TempDir
    Path dir;

    static final int N = 1_000;

    Path fasta() throws IOException {
        Path fasta = dir.resolve("lambda.fa");
        OfflineCommandTest.writeFasta(fasta, List.of("lambda_1k"),
                List.of(OfflineCommandTest.firstBases(OfflineCommandTest.exampleGenome(), N)));
        return fasta;
    }

    /** The small model of OfflineCommandTest.SMALL, as nested YAML, with blocks of 32 instead of 16. */
    static final String CONFIG = """
            # a Flink 2 configuration file (standard YAML)
            parallelism.default: 1
            longseq:
              model:
                d-model: 32
                heads: 4
                window: 8
                block-size: 32
                chunk-size: 64
                kmer: 3
                ffn-dim: 64
            """;

    @Test
    void aConfigFilesLongseqKeysTakeEffectAndTheCommandLineWins() throws IOException {
        Path fasta = fasta();
        Path yaml = dir.resolve("longseq.yaml");
        Files.writeString(yaml, CONFIG);

        OfflineCommandTest.Run fromFile = cli("run", fasta.toString(), "--out", dir.resolve("file").toString(),
                "--config", yaml.toString());
        OfflineCommandTest.Run flagWins = cli("run", fasta.toString(), "--out", dir.resolve("flag").toString(),
                "--config", yaml.toString(), "--block-size", "16");
        String[] small32 = args("offline", fasta.toString(), "--out", dir.resolve("off32").toString());
        small32[java.util.Arrays.asList(small32).indexOf("--block-size") + 1] = "32";
        OfflineCommandTest.Run off32 = cli(small32);
        OfflineCommandTest.Run off16 = cli(args("offline", fasta.toString(), "--out", dir.resolve("off16").toString()));
        for (OfflineCommandTest.Run r : List.of(fromFile, flagWins, off32, off16)) {
            assertThat(r.exit()).as(r.err()).isZero();
        }
        assertThat(Files.readAllLines(dir.resolve("file/blocks.jsonl"))).as("blocks of 32 from the file")
                .hasSize((N + 31) / 32).isEqualTo(Files.readAllLines(dir.resolve("off32/blocks.jsonl")));
        assertThat(Files.readAllLines(dir.resolve("flag/blocks.jsonl"))).as("--block-size 16 over the file")
                .hasSize((N + 15) / 16).isEqualTo(Files.readAllLines(dir.resolve("off16/blocks.jsonl")));
        assertThat(fromFile.err()).contains("parallelism 1");
    }

    @Test
    void aDirectoryWithConfigYamlWorksAndMissingOrBrokenFilesAreRefusedNamingTheFlag() throws IOException {
        Path fasta = fasta();
        Path conf = Files.createDirectory(dir.resolve("conf"));
        Files.writeString(conf.resolve("config.yaml"), "longseq.model.block-size: 64\n");
        OfflineCommandTest.Run fromDir = cli("run", fasta.toString(), "--out", dir.resolve("dir").toString(),
                "--config", conf.toString(), "-p", "1");
        assertThat(fromDir.exit()).as(fromDir.err()).isZero();
        assertThat(Files.readAllLines(dir.resolve("dir/blocks.jsonl"))).hasSize((N + 63) / 64);

        OfflineCommandTest.Run missing = cli("run", fasta.toString(), "--config", dir.resolve("nope.yaml").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err().strip()).doesNotContain("\n").contains("--config").contains("nope.yaml");

        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, "longseq:\n  model: [unclosed\n");
        OfflineCommandTest.Run bad = cli("run", fasta.toString(), "--config", broken.toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err().strip()).doesNotContain("\n").contains("--config").contains("broken.yaml");

        Files.writeString(broken, "longseq.model.block-size: wide\n");
        OfflineCommandTest.Run badValue = cli("run", fasta.toString(), "--config", broken.toString());
        assertThat(badValue.exit()).isEqualTo(2);
        assertThat(badValue.err()).contains("longseq.model.block-size");
    }

    @Test
    void webUiPrintsItsLoopbackAddressAndAPortInUseIsRefused() throws IOException {
        Path fasta = fasta();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
            OfflineCommandTest.Run busy = cli(concat(args("run", fasta.toString(), "--out",
                    dir.resolve("busy").toString()), "--web-ui", "-D", "rest.port=" + port));
            assertThat(busy.exit()).isEqualTo(2);
            assertThat(busy.err().strip()).doesNotContain("\n").contains("--web-ui").contains("port " + port)
                    .contains("in use");
            OfflineCommandTest.Run metricsBusy = cli(concat(args("run", fasta.toString(), "--out",
                    dir.resolve("busy").toString()), "--metrics-port", String.valueOf(port)));
            assertThat(metricsBusy.exit()).isEqualTo(2);
            assertThat(metricsBusy.err().strip()).doesNotContain("\n").contains("--metrics-port " + port)
                    .contains("in use");
        }
        OfflineCommandTest.Run ui = cli(concat(args("run", fasta.toString(), "--out", dir.resolve("ui").toString()),
                "--web-ui", "-D", "rest.port=" + port, "--metrics-port", String.valueOf(freePort())));
        assertThat(ui.exit()).as(ui.err()).isZero();
        assertThat(ui.err()).contains("web UI: http://127.0.0.1:" + port).contains("metrics: http://127.0.0.1:");
        OfflineCommandTest.Run plain = cli(args("run", fasta.toString(), "--out", dir.resolve("plain").toString()));
        assertThat(plain.exit()).as(plain.err()).isZero();
        assertThat(plain.err()).doesNotContain("web UI").doesNotContain("metrics:");
        assertThat(Files.readAllLines(dir.resolve("ui/blocks.jsonl"))).as("deployment options change no output")
                .isEqualTo(Files.readAllLines(dir.resolve("plain/blocks.jsonl")));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    static String[] concat(String[] a, String... b) {
        return RunCommandITCase.concat(a, b);
    }
}
