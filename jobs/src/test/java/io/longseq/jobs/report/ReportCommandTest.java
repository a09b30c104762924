package io.longseq.jobs.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.jobs.cli.LongseqCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code longseq report} in-process: exit codes and the one-line messages. */
class ReportCommandTest {

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = LongseqCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void writesTheReportAndSaysWhere() throws Exception {
        SyntheticBlocks.write(dir.resolve(Report.BLOCKS), "s", 50, 4, 5, 30, 6, 1);
        Run r = cli("report", dir.toString(), "--kind", "dna");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith("report:    " + dir.resolve("report.html") + " (")
                .contains("1 sequences, 1 drawn, 50 blocks").contains("map:       " + dir.resolve("selfsim.png"));
        assertThat(Files.readString(dir.resolve("report.html"))).contains("[7,680–9,216) resembles [1,280–2,816)");
    }

    @Test
    void refusalsAreOneLine() throws Exception {
        Run none = cli("report", dir.resolve("nope").toString());
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).isEqualTo("longseq report: '" + dir.resolve("nope")
                + "' is no directory (give the --out directory of run or offline)" + System.lineSeparator());

        Run empty = cli("report", dir.toString());
        assertThat(empty.exit()).isEqualTo(2);
        assertThat(empty.err()).contains("no blocks.jsonl in '" + dir + "' (run or offline write it there)")
                .hasLineCount(1);

        Run kind = cli("report", dir.toString(), "--kind", "protein");
        assertThat(kind.exit()).isEqualTo(2);
        assertThat(kind.err()).contains("--kind").contains("dna").hasLineCount(1);

        Run missing = cli("report");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("OUT_DIR").hasLineCount(1);

        Files.writeString(dir.resolve("blocks.jsonl"), "{\"sequenceId\":\"s\",\"block\":0}\n");
        Run bad = cli("report", dir.toString());
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).isEqualTo("longseq report: blocks.jsonl line 1: no \"start\" (or a negative one)"
                + System.lineSeparator());
        assertThat(dir.resolve("report.html")).doesNotExist();
    }
}
