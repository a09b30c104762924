package io.longseq.jobs.cli;

import static io.longseq.jobs.cli.OfflineCommandTest.cli;
import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.jobs.UsageException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every refusal is exactly one line on stderr and exit 2; a failure is one line and exit 1; {@code --verbose} adds
 * the stack trace after that line. No Flink job is started here: each refusal comes before it.
 */
class CliRefusalsTest {

    @TempDir
    Path dir;

    static List<String> lines(OfflineCommandTest.Run r) {
        return r.err().lines().toList();
    }

    @Test
    void aBadOptionIsOneLineAndExit2WithTheTraceOnlyWhenVerbose() throws IOException {
        Path fasta = dir.resolve("a.fa");
        Files.writeString(fasta, ">a\nACGT\n");
        for (String command : List.of("run", "offline", "produce")) {
            OfflineCommandTest.Run bad = cli(command, fasta.toString(), "--no-such-flag");
            assertThat(bad.exit()).as(command).isEqualTo(2);
            assertThat(lines(bad)).as(command).singleElement().asString() // maybe with a "did you mean" between
                    .startsWith("longseq " + command + ": Unknown option: '--no-such-flag'")
                    .endsWith(" (see longseq " + command + " --help)");
            assertThat(bad.out()).isEmpty();

            OfflineCommandTest.Run verbose = cli(command, "--verbose", fasta.toString(), "--no-such-flag");
            assertThat(verbose.exit()).isEqualTo(2);
            assertThat(lines(verbose).get(0)).isEqualTo(lines(bad).get(0));
            assertThat(lines(verbose).get(1)).startsWith("picocli.CommandLine$UnmatchedArgumentException");
            assertThat(lines(verbose)).anyMatch(l -> l.startsWith("\tat picocli."));
        }
        OfflineCommandTest.Run typo = cli("offline", fasta.toString(), "--windw", "8");
        assertThat(lines(typo)).singleElement().asString().contains("Unknown options: '--windw', '8'")
                .contains("did you mean --window?");
    }

    @Test
    void aBadValueOrAMissingInputIsOneLineAndExit2() {
        OfflineCommandTest.Run notANumber = cli("run", "x.fa", "--parallelism", "many");
        assertThat(notANumber.exit()).isEqualTo(2);
        assertThat(lines(notANumber)).singleElement().asString().startsWith("longseq run: Invalid value for option"
                + " '--parallelism': 'many' is not an int");

        OfflineCommandTest.Run missing = cli("offline", dir.resolve("nope.fa").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(lines(missing)).containsExactly("longseq offline: input '" + dir.resolve("nope.fa")
                + "' does not exist");

        OfflineCommandTest.Run aDirectory = cli("run", dir.toString());
        assertThat(aDirectory.exit()).isEqualTo(2);
        assertThat(lines(aDirectory)).containsExactly("longseq run: input '" + dir + "' is a directory, not a file");

        OfflineCommandTest.Run noneOpens = cli("run", dir.resolve("a.fa").toString(), dir.resolve("b.fa").toString(),
                "--verbose");
        assertThat(noneOpens.exit()).isEqualTo(2);
        assertThat(lines(noneOpens).get(0)).isEqualTo("longseq run: none of the 2 inputs can be opened; the first:"
                + " input '" + dir.resolve("a.fa") + "' does not exist");
        assertThat(lines(noneOpens).get(1)).startsWith(UsageException.class.getName()); // --verbose: the trace

        OfflineCommandTest.Run badLimit = cli("offline", dir.toString() + "/x.fa", "--max-header-bytes", "0");
        assertThat(badLimit.exit()).isEqualTo(2);
        assertThat(lines(badLimit)).hasSize(1);

        OfflineCommandTest.Run noSubcommand = cli();
        assertThat(noSubcommand.exit()).isEqualTo(2);
        assertThat(lines(noSubcommand)).singleElement().asString().startsWith("longseq: missing subcommand");
    }

    @Test
    void aNegativeLimitNamesItsFlag() throws IOException {
        Path fasta = dir.resolve("a.fa");
        Files.writeString(fasta, ">a\nACGT\n");
        OfflineCommandTest.Run offline = cli("offline", fasta.toString(), "--max-header-bytes", "0");
        assertThat(offline.exit()).isEqualTo(2);
        assertThat(lines(offline)).containsExactly("longseq offline: --max-header-bytes must be at least 1, got 0");
        OfflineCommandTest.Run run = cli("run", fasta.toString(), "--max-line-bytes", "-5");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(lines(run)).containsExactly("longseq run: --max-line-bytes must be at least 1, got -5");
    }

    @Test
    void aShadowSampleOutsideZeroToOneIsRefusedNamingItsFlag() throws IOException {
        Path fasta = dir.resolve("a.fa");
        Files.writeString(fasta, ">a\nACGT\n");
        OfflineCommandTest.Run above = cli("run", fasta.toString(), "--shadow-sample", "1.5");
        assertThat(above.exit()).isEqualTo(2);
        assertThat(lines(above)).containsExactly("longseq run: --shadow-sample must be a fraction in [0, 1], got 1.5");
        OfflineCommandTest.Run nan = cli("run", fasta.toString(), "--shadow-sample", "NaN");
        assertThat(nan.exit()).isEqualTo(2);
        assertThat(lines(nan)).containsExactly("longseq run: --shadow-sample must be a fraction in [0, 1], got NaN");
        OfflineCommandTest.Run word = cli("run", fasta.toString(), "--shadow-sample", "some");
        assertThat(word.exit()).isEqualTo(2);
        assertThat(lines(word)).singleElement().asString().startsWith("longseq run: ").contains("shadow-sample");
    }

    /** What no command expects: one line "longseq: <command> failed: <what>: <message>", exit 1. */
    @Test
    void anUnexpectedFailureIsOneLineAndExit1() {
        CommandLine cl = LongseqCli.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        CommandLine offline = cl.getSubcommands().get("offline");
        Exception boom = new IllegalStateException("boom\nsecond line");
        assertThat(LongseqCli.fail(boom, offline, new String[] {"offline", "x.fa"})).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("longseq: offline failed: IllegalStateException: boom second line"
                + " (--verbose prints the stack trace)" + System.lineSeparator());

        StringWriter verbose = new StringWriter();
        cl.setErr(new PrintWriter(verbose, true));
        assertThat(LongseqCli.fail(new CommandLine.ExecutionException(offline, "wrapped", new StackOverflowError()),
                offline, new String[] {"offline", "--verbose"})).isEqualTo(1);
        List<String> l = verbose.toString().lines().toList();
        assertThat(l.get(0)).isEqualTo("longseq: offline failed: StackOverflowError");
        assertThat(l.get(1)).startsWith("java.lang.StackOverflowError");

        StringWriter usage = new StringWriter();
        cl.setErr(new PrintWriter(usage, true));
        assertThat(LongseqCli.fail(new UsageException("weights file 'w.npz' is no zip"), offline, new String[0]))
                .isEqualTo(2);
        assertThat(usage.toString()).isEqualTo("longseq offline: weights file 'w.npz' is no zip"
                + System.lineSeparator());
    }
}
