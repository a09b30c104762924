package io.longseq.jobs.cli;

import io.longseq.jobs.LongseqOptions;
import io.longseq.jobs.ModelOptions;
import io.longseq.jobs.Refusals;
import io.longseq.jobs.UsageException;
import io.longseq.jobs.input.InputFiles;
import io.longseq.jobs.input.InputKinds;
import io.longseq.jobs.offline.Engine;
import io.longseq.jobs.output.OutputSettings;
import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.ModelConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code longseq offline}: computes one sequence file on this machine, without Flink, and writes one JSON line per
 * block. The command only collects options; it turns them into an {@link OfflineOptions} once (a bad value ends
 * here with exit code 2 and ModelConfig's message, no stack trace) and hands that to {@link OfflineRun}.
 */
@Command(name = "offline", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Computes every block of every sequence in one file (FASTA, token ids or a log) and writes "
                    + "OUT/blocks.jsonl, one JSON object per block: summary, context, top memory entries, "
                    + "self weight, entropy, novelty; for DNA also OUT/links.bedpe and OUT/tracks.bedgraph, with "
                    + "--alert-threshold OUT/alerts.jsonl (docs/outputs.md)."},
        footer = {"", "Input: one that does not exist, is no regular file or cannot be opened is refused before the"
                + " run (exit 2). A record the reader refuses (a header over --max-header-bytes, an id over"
                + " --max-id-bytes, a malformed FASTQ record, a word that is no integer, a log line over"
                + " --max-line-bytes) or whose bases are invalid is reported on stderr in one line and skipped; the"
                + " other records run (exit 1). A file that turns out not FASTA/FASTQ or unreadable (corrupt gzip)"
                + " stops the run there (exit 1).",
            "", "Exit codes: 0 all records computed; 1 a record was bad (skipped, see stderr) or the input "
                + "could not be read; 2 invalid command line, configuration or weights. A refusal or failure is one"
                + " line on stderr; --verbose adds its stack trace."})
public final class OfflineCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "INPUT", description = "the input file (or --input)")
    Path positionalInput;

    @Option(names = "--input", paramLabel = "PATH", description = "the input file; .gz is read transparently")
    Path inputOption;

    @Option(names = "--engine", paramLabel = "nd4j|reference", defaultValue = "nd4j",
            description = "nd4j: the fast chunked path; reference: the slow double-precision reference "
                    + "(default: ${DEFAULT-VALUE})")
    String engine;

    @Option(names = Refusals.VERBOSE, description = "print the stack trace after a refusal or failure")
    boolean verbose;

    /**
     * The settings offered as flags, generated from their {@code ConfigOption}s (as {@code run}'s are):
     * what the input holds, where the output goes, the model and the readers' caps.
     */
    static final List<ConfigOption<?>> OPTIONS = java.util.stream.Stream.of(
            List.<ConfigOption<?>>of(LongseqOptions.KIND, LongseqOptions.OUT, LongseqOptions.ALERT_THRESHOLD,
                    LongseqOptions.LINK_THRESHOLD), LongseqOptions.MODEL,
            LongseqOptions.READER_LIMITS).flatMap(List::stream).toList();

    /** What OUT/settings.json holds: the options above but the output directory, in the option table's order. */
    static final List<ConfigOption<?>> SETTINGS = LongseqOptions.ALL.stream()
            .filter(o -> OPTIONS.contains(o) && o != LongseqOptions.OUT).toList();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        try {
            Configuration conf = configuration();
            return new OfflineRun(options(conf), limits(conf), stdout, err).run();
        } catch (UsageException e) {
            Refusals.print(err, "longseq offline: " + e.getMessage(), e, verbose);
            return 2;
        }
    }

    /** The generated flags' values as a configuration (unset ones take their options' defaults). */
    Configuration configuration() {
        Map<String, String> raw = new LinkedHashMap<>();
        OptionFlags.read(spec.commandLine().getParseResult(), OPTIONS, raw);
        return Configuration.fromMap(raw);
    }

    /** Parses every option once into the immutable options of the run. */
    OfflineOptions options(Configuration conf) {
        Path input = input();
        FeatureKind k = conf.getOptional(LongseqOptions.KIND)
                .map(v -> ModelOptions.choice("--kind", v, FeatureKind.class)).orElseGet(() -> InputKinds.detect(input));
        Engine.Kind e = ModelOptions.choice("--engine", engine, Engine.Kind.class);
        Path weights = conf.getOptional(LongseqOptions.WEIGHTS).map(Path::of).orElse(null);
        boolean seeded = conf.contains(LongseqOptions.SEED);
        if (weights != null && seeded) {
            throw new UsageException("--weights and --seed exclude each other: --seed only seeds the default init");
        }
        long seed;
        io.longseq.math.model.ModelConfig config;
        Path out;
        try {
            seed = conf.get(LongseqOptions.SEED);
            out = Path.of(conf.get(LongseqOptions.OUT));
        } catch (IllegalArgumentException bad) { // Flink's parse error names the key and the value
            throw new UsageException(bad.getMessage(), bad);
        }
        config = LongseqOptions.model(conf, k);
        if (weights != null) { // the same checks as `run` makes, before anything is read
            io.longseq.math.weights.WeightsIo.check(weights, config).ifPresent(problem -> {
                throw new UsageException(problem);
            });
        }
        double alert;
        try {
            alert = LongseqOptions.alertThreshold(conf, config);
        } catch (IllegalArgumentException bad) {
            throw new UsageException(bad.getMessage(), bad);
        }
        OutputSettings outputs = new OutputSettings(k, config.globalMode(), LongseqOptions.linkThreshold(conf), alert);
        return new OfflineOptions(input, k, out, e, weights, seed, config, outputs,
                LongseqOptions.effective(conf, config));
    }

    /** The readers' caps, the others at their defaults. */
    static io.longseq.stream.StreamLimits limits(Configuration conf) {
        try {
            return LongseqOptions.limits(conf);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    private Path input() {
        if (positionalInput != null && inputOption != null && !positionalInput.equals(inputOption)) {
            throw new UsageException("two inputs given ('" + positionalInput + "' and --input '" + inputOption
                    + "'); offline computes one file");
        }
        Path input = inputOption != null ? inputOption : positionalInput;
        if (input == null) {
            throw new UsageException("no input file: give it as the argument or with --input PATH");
        }
        String problem = InputFiles.problem(input);
        if (problem != null) {
            throw new UsageException(problem);
        }
        return input;
    }
}
