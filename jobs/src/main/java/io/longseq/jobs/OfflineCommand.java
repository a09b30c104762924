package io.longseq.jobs;

import io.longseq.math.FeatureKind;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
                    + "self weight, entropy."},
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

    @Option(names = "--kind", paramLabel = "dna|tokens|log",
            description = "what the input holds (default: from the file name: dna for .fa .fasta .fna, "
                    + "tokens for .txt .tokens, log for .log, each also with .gz)")
    String kind;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out",
            description = "output directory (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--engine", paramLabel = "nd4j|reference", defaultValue = "nd4j",
            description = "nd4j: the fast chunked path; reference: the slow double-precision reference "
                    + "(default: ${DEFAULT-VALUE})")
    String engine;

    @Option(names = "--weights", paramLabel = "FILE.npz",
            description = "model weights (see docs/weights.md); without it the seeded default init is used")
    Path weights;

    @Option(names = "--seed", paramLabel = "N",
            description = "seed of the default init, not with --weights (default: " + OfflineOptions.DEFAULT_SEED + ")")
    Long seed;

    @Option(names = Refusals.VERBOSE, description = "print the stack trace after a refusal or failure")
    boolean verbose;

    @Mixin
    ModelOptions model;

    @Mixin
    InputLimitOptions inputLimits;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        try {
            return new OfflineRun(options(), inputLimits.limits(), stdout, err).run();
        } catch (UsageException e) {
            Refusals.print(err, "longseq offline: " + e.getMessage(), e, verbose);
            return 2;
        }
    }

    /** Parses every option once into the immutable options of the run. */
    OfflineOptions options() {
        Path input = input();
        FeatureKind k = kind != null ? ModelOptions.choice("--kind", kind, FeatureKind.class) : InputKinds.detect(input);
        Engine.Kind e = ModelOptions.choice("--engine", engine, Engine.Kind.class);
        if (weights != null && seed != null) {
            throw new UsageException("--weights and --seed exclude each other: --seed only seeds the default init");
        }
        io.longseq.math.ModelConfig config = model.toConfig(k);
        if (weights != null) { // the same checks as `run` makes, before anything is read
            io.longseq.math.WeightsIo.check(weights, config).ifPresent(problem -> {
                throw new UsageException(problem);
            });
        }
        return new OfflineOptions(input, k, out, e, weights, seed != null ? seed : OfflineOptions.DEFAULT_SEED,
                config);
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
