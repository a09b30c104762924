package io.longseq.jobs.cli;

import io.longseq.jobs.LongseqOptions;
import io.longseq.jobs.ModelOptions;
import io.longseq.jobs.Refusals;
import io.longseq.jobs.report.Report;
import io.longseq.math.features.FeatureKind;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code longseq report OUT_DIR}: the page a person reads after a run, from the run's {@code blocks.jsonl}
 * ({@link Report}). Exit 0 written; 2 no such directory or no blocks.jsonl in it (one line); 1 the file is not what
 * run and offline write (one line naming the line and what is wrong) or cannot be read.
 */
@Command(name = ReportCommand.NAME, mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Writes OUT_DIR/report.html (one self-contained page: self-similarity map, tracks, strongest"
                + " long-range links and settings per sequence; no network, no script) and OUT_DIR/selfsim.png from"
                + " the blocks.jsonl that run or offline wrote there. See docs/report.md."})
public final class ReportCommand implements Callable<Integer> {

    static final String NAME = "report";

    /** --kind labels positions (dna: bp); it is the input's kind option, read here only for the labels. */
    static final List<ConfigOption<?>> OPTIONS = List.of(LongseqOptions.KIND);

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "OUT_DIR", description = "the output directory of run or offline")
    Path dir;

    @picocli.CommandLine.Option(names = Refusals.VERBOSE, description = "print the stack trace after a refusal or failure")
    boolean verbose;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        Map<String, String> raw = new LinkedHashMap<>();
        OptionFlags.read(spec.commandLine().getParseResult(), OPTIONS, raw);
        String kind = Configuration.fromMap(raw).getOptional(LongseqOptions.KIND).orElse(null);
        if (kind != null) {
            kind = ModelOptions.lower(ModelOptions.choice("--kind", kind, FeatureKind.class));
        }
        if (!Files.isDirectory(dir)) {
            err.println("longseq report: '" + dir + "' is no directory (give the --out directory of run or offline)");
            return 2;
        }
        if (!Files.isRegularFile(dir.resolve(Report.BLOCKS))) {
            err.println("longseq report: no " + Report.BLOCKS + " in '" + dir + "' (run or offline write it there)");
            return 2;
        }
        long t0 = System.nanoTime();
        Report.Result r;
        try {
            r = Report.write(dir, kind);
        } catch (Report.BadInput e) {
            Refusals.print(err, Refusals.oneLine("longseq report: " + e.getMessage()), e, verbose);
            return 1;
        } catch (IOException e) {
            Refusals.print(err, "longseq: report failed: " + Refusals.describe(e), e, verbose);
            return 1;
        }
        out.printf(Locale.ROOT, "report:    %s (%,d bytes; %,d sequences, %d drawn, %,d blocks; %.2f s)%n", r.html(),
                r.htmlBytes(), r.sequences(), r.sections(), r.blocks(), (System.nanoTime() - t0) / 1e9);
        if (!r.pngs().isEmpty()) {
            out.println("map:       " + r.pngs().get(0) + (r.pngs().size() > 1
                    ? " (and " + (r.pngs().size() - 1) + " more: selfsim-N.png)" : ""));
        }
        out.flush();
        return 0;
    }
}
