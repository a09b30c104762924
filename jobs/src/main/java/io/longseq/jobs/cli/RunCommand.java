package io.longseq.jobs.cli;

import io.longseq.jobs.LongseqOptions;
import io.longseq.jobs.Refusals;
import io.longseq.jobs.UsageException;
import io.longseq.jobs.cluster.ConfigFiles;
import io.longseq.jobs.cluster.DeployOptions;
import io.longseq.jobs.input.FragmentReader;
import io.longseq.jobs.kafka.KafkaOptions;
import io.longseq.stream.StreamSettings;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine;

/**
 * {@code longseq run}: the streaming job on files, on an embedded local Flink by default (a cluster's when
 * submitted with {@code flink run}). Every {@link LongseqOptions} option is a flag, generated from the option
 * itself (name, default, description), so the command line and the configuration keys cannot drift; {@code -D}
 * sets any other Flink option. The flags are parsed once into a Flink {@link Configuration} and from that into
 * the immutable {@link StreamSettings} ({@link RunOptions}); then {@link FileRun} or {@link KafkaRun} runs the job.
 *
 * <p>A run writes OUT/blocks.jsonl (same lines as {@code offline}), notices.jsonl, dead-letters.jsonl (and
 * tokens.jsonl), prints progress on stderr and a summary on stdout. Exit codes: 0 done; 1 some input was refused
 * (see dead-letters.jsonl) or the job failed; 2 invalid command line or configuration.
 *
 * <p>Inputs ({@link #INPUTS_RULE}): what cannot be opened is known before the job starts; when no input can be
 * opened the command refuses to start (exit 2), otherwise each input that cannot becomes a dead letter written by
 * the command itself. What is wrong inside a file is found by its reader while the job runs
 * ({@link FragmentReader}): a dead letter for the record or the file, the rest goes on.
 */
public final class RunCommand {

    static final String NAME = "run";

    /** The rule for bad inputs, as the help says it. */
    static final String INPUTS_RULE = "Inputs: an input that does not exist, is no regular file or cannot be opened"
            + " is refused before the job starts (exit 2) when no input can be opened; among inputs that can, it"
            + " becomes a dead letter and the others run (exit 1). What is wrong inside a file (not FASTA/FASTQ,"
            + " corrupt gzip, a header over --max-header-bytes, a malformed FASTQ record, a word that is no integer,"
            + " a log line over --max-line-bytes) is a dead letter naming the file and line; the rest of the input"
            + " runs (exit 1).";

    /** The options offered as flags: the job's, Kafka's and the deployment's. */
    static final List<ConfigOption<?>> ALL_OPTIONS = java.util.stream.Stream
            .of(LongseqOptions.ALL, KafkaOptions.ALL, DeployOptions.ALL).flatMap(List::stream).toList();

    private RunCommand() {}

    /** The {@code run} command's spec: fixed options plus one flag per {@link LongseqOptions} option. */
    public static CommandLine command() {
        CommandLine[] self = new CommandLine[1];
        java.util.concurrent.Callable<Integer> call = () -> {
            CommandLine cl = self[0];
            return run(cl.getParseResult(), cl.getOut(), cl.getErr());
        };
        CommandSpec spec = CommandSpec.wrapWithoutInspection(call).name(NAME).mixinStandardHelpOptions(true);
        spec.usageMessage().description("Runs the streaming job (validate -> assemble -> local-attention ->"
                + " global-context) on an embedded Flink: over files, writing OUT/blocks.jsonl, notices.jsonl and"
                + " dead-letters.jsonl (for DNA also links.bedpe and tracks.bedgraph, with --alert-threshold"
                + " alerts.jsonl); or with --bootstrap-servers from a Kafka topic to Kafka topics, exactly once.")
                .sortOptions(false).autoWidth(true)
                .footer("", INPUTS_RULE, "", "Exit codes: 0 done; 1 input refused (see dead-letters.jsonl) or the job"
                        + " failed; 2 invalid command line or configuration. A refusal or failure is one line on"
                        + " stderr; --verbose adds its stack trace.");
        spec.addPositional(PositionalParamSpec.builder().paramLabel("INPUT").arity("0..*").type(List.class)
                .auxiliaryTypes(String.class).description("input files (or --paths)").build());
        spec.addOption(OptionSpec.builder("--parallelism", "-p").paramLabel("N").type(Integer.class)
                .description("subtasks per operator (default: the machine's cores, "
                        + Runtime.getRuntime().availableProcessors() + ")").build());
        spec.addOption(OptionSpec.builder("-D").paramLabel("KEY=VALUE").type(Map.class)
                .auxiliaryTypes(String.class, String.class)
                .description("any Flink or longseq configuration key, e.g. -D state.backend.type=hashmap").build());
        spec.addOption(OptionSpec.builder(ConfigFiles.FLAG).paramLabel("FILE").type(String.class)
                .description("a Flink configuration file (config.yaml, standard YAML) with Flink and longseq.* keys;"
                        + " the command line wins over it").build());
        spec.addOption(OptionSpec.builder(Refusals.VERBOSE).type(boolean.class).arity("0")
                .description("print the stack trace after a refusal or failure").build());
        spec.addOption(OptionSpec.builder("--kafka-property").paramLabel("KEY=VALUE").type(Map.class)
                .auxiliaryTypes(String.class, String.class)
                .description("a Kafka client property for every consumer and producer (security.protocol, sasl.*,"
                        + " ssl.*, ...); the same as -D " + KafkaOptions.CLIENT_PREFIX + "KEY=VALUE").build());
        OptionFlags.add(spec, ALL_OPTIONS);
        self[0] = new CommandLine(spec);
        return self[0];
    }

    private static int run(CommandLine.ParseResult pr, PrintWriter out, PrintWriter err) {
        boolean verbose = pr.hasMatchedOption(Refusals.VERBOSE);
        try {
            RunOptions p = RunOptions.parse(pr);
            io.longseq.stream.StartupTrace.mark("options");
            return p.kafka() != null ? new KafkaRun(p, out, err, verbose).call()
                    : new FileRun(p, out, err, verbose).call();
        } catch (UsageException e) {
            Refusals.print(err, "longseq run: " + e.getMessage(), e, verbose);
            return 2;
        }
    }
}
