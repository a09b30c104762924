package io.longseq.jobs.cli;

import io.longseq.jobs.LongseqJob;
import io.longseq.jobs.LongseqOptions;
import io.longseq.jobs.ModelOptions;
import io.longseq.jobs.Refusals;
import io.longseq.jobs.UsageException;
import io.longseq.jobs.cluster.ConfigFiles;
import io.longseq.jobs.cluster.DeployOptions;
import io.longseq.jobs.cluster.DurableState;
import io.longseq.jobs.cluster.EmbeddedCluster;
import io.longseq.jobs.cluster.GracefulStop;
import io.longseq.jobs.cluster.RemoteSubmit;
import io.longseq.jobs.input.DnaRecordReader;
import io.longseq.jobs.input.FastaReader;
import io.longseq.jobs.input.FragmentReader;
import io.longseq.jobs.input.InputFiles;
import io.longseq.jobs.input.InputKinds;
import io.longseq.jobs.kafka.KafkaOptions;
import io.longseq.jobs.kafka.KafkaSettings;
import io.longseq.jobs.output.GenomeTracks;
import io.longseq.jobs.output.OutputSettings;
import io.longseq.jobs.output.ProgressFunction;
import io.longseq.jobs.output.RunOutputs;
import io.longseq.math.features.FeatureKind;
import io.longseq.stream.DeadLetter;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.StreamSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.description.HtmlFormatter;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ExceptionUtils;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine;

/**
 * {@code longseq run}: the streaming job on files, on an embedded local Flink by default (a cluster's when
 * submitted with {@code flink run}). Every {@link LongseqOptions} option is a flag, generated from the option
 * itself (name, default, description), so the command line and the configuration keys cannot drift; {@code -D}
 * sets any other Flink option. The flags are parsed once into a Flink {@link Configuration} and from that into
 * the immutable {@link StreamSettings}.
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
                + " alerts.jsonl); or with --bootstrap-servers from a Kafka topic to Kafka topics, exactly once.").sortOptions(false).autoWidth(true)
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
        Parsed p;
        try {
            p = parse(pr);
        } catch (UsageException e) {
            Refusals.print(err, "longseq run: " + e.getMessage(), e, verbose);
            return 2;
        }
        try {
            return new Run(p, out, err, verbose).call();
        } catch (UsageException e) {
            Refusals.print(err, "longseq run: " + e.getMessage(), e, verbose);
            return 2;
        }
    }

    /**
     * Everything a run needs, parsed once. {@code inputs} are those that can be opened; {@code unusable} holds a
     * dead letter for each one that cannot (never all of them).
     */
    public record Parsed(List<Path> inputs, FeatureKind kind, StreamSettings settings, Path out, int fragmentSize,
                  Configuration flink, KafkaSettings kafka, List<DeadLetter> unusable) {}

    public static Parsed parse(CommandLine.ParseResult pr) {
        Map<String, String> raw = new LinkedHashMap<>();
        Map<String, String> dyn = pr.matchedOptionValue("-D", Map.of());
        raw.putAll(dyn);
        Map<String, String> kafkaProps = pr.matchedOptionValue("--kafka-property", Map.of());
        kafkaProps.forEach((k, v) -> raw.put(KafkaOptions.CLIENT_PREFIX + k, v));
        List<String> paths = new ArrayList<>(pr.matchedPositionalValue(0, List.<String>of()));
        OptionFlags.read(pr, ALL_OPTIONS, raw);
        String listed = raw.remove(LongseqOptions.INPUT.key()); // --paths a;b joins the arguments
        if (listed != null) {
            paths.addAll(List.of(listed.split(";")));
        }
        Configuration conf = ConfigFiles.withFlags(pr.matchedOptionValue(ConfigFiles.FLAG, null),
                Configuration.fromMap(raw));
        if (paths.isEmpty()) {
            conf.getOptional(LongseqOptions.INPUT).ifPresent(paths::addAll);
        }
        boolean kafka = KafkaSettings.enabled(conf);
        if (kafka && !paths.isEmpty()) {
            throw new UsageException("input files and --bootstrap-servers exclude each other: in Kafka mode the input"
                    + " is the topic (put files into it with longseq produce)");
        }
        if (!kafka && paths.isEmpty()) {
            throw new UsageException("no input files: give them as arguments, e.g. longseq run genome.fa.gz"
                    + " (or --bootstrap-servers for Kafka mode)");
        }
        List<Path> inputs = new ArrayList<>();
        List<DeadLetter> unusable = new ArrayList<>();
        String firstProblem = null;
        for (String s : paths) {
            Path path = Path.of(s);
            String problem = InputFiles.problem(path);
            if (problem == null) {
                inputs.add(path);
            } else {
                firstProblem = firstProblem == null ? problem : firstProblem;
                unusable.add(unusableInput(path, problem));
            }
        }
        if (!paths.isEmpty() && inputs.isEmpty()) {
            throw new UsageException(paths.size() == 1 ? firstProblem
                    : "none of the " + paths.size() + " inputs can be opened; the first: " + firstProblem);
        }
        List<Path> named = paths.stream().map(Path::of).toList(); // the kind is the command line's, read or not
        try {
            FeatureKind kind = conf.getOptional(LongseqOptions.KIND)
                    .map(k -> ModelOptions.choice(LongseqOptions.flag(LongseqOptions.KIND), k, FeatureKind.class))
                    .orElseGet(() -> kafka ? FeatureKind.DNA : InputKinds.detect(named.get(0)));
            for (Path in : named) {
                if (conf.getOptional(LongseqOptions.KIND).isEmpty() && InputKinds.detect(in) != kind) {
                    throw new UsageException("inputs of different kinds ('" + named.get(0) + "' and '" + in
                            + "'); one run reads one kind (--kind)");
                }
            }
            if (conf.getOptional(DeployOptions.JOBMANAGER).isPresent()) { // read by the TaskManagers, elsewhere
                conf.getOptional(LongseqOptions.WEIGHTS).ifPresent(w -> conf.set(LongseqOptions.WEIGHTS,
                        Path.of(w).toAbsolutePath().toString()));
            }
            StreamSettings settings = LongseqOptions.settings(conf, kind);
            LongseqOptions.linkThreshold(conf); // checked here, used when the outputs are merged
            int fragmentSize = conf.get(LongseqOptions.FRAGMENT_SIZE);
            if (fragmentSize < 1) {
                throw new UsageException(LongseqOptions.flag(LongseqOptions.FRAGMENT_SIZE) + " must be at least 1, got "
                        + fragmentSize);
            }
            if (settings.weightsPath() != null) { // the checks of every operator's open(), before the job starts
                Path weights = Path.of(settings.weightsPath());
                io.longseq.math.weights.WeightsIo.check(weights, settings.model()).ifPresent(problem -> {
                    throw new UsageException(problem);
                });
            }
            Integer parallelism = pr.matchedOptionValue("--parallelism", null);
            if (parallelism != null) {
                if (parallelism < 1) {
                    throw new UsageException("--parallelism must be at least 1, got " + parallelism);
                }
                conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
            }
            KafkaSettings kafkaSettings = null;
            if (kafka) {
                kafkaSettings = KafkaSettings.from(conf);
                // exactly-once outputs need checkpoints; a failed task restarts from the last one
                if (!conf.containsKey(CheckpointingOptions.CHECKPOINTING_INTERVAL.key())) {
                    conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, kafkaSettings.checkpointInterval());
                }
            } else {
                conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none"); // a run from files is all or nothing
            }
            EmbeddedCluster.configure(conf); // REST on 127.0.0.1; --web-ui, --metrics-port
            DurableState.configure(conf, kafka, Path.of("")); // checkpoint and savepoint dirs, backend, resume
            return new Parsed(List.copyOf(inputs), kind, settings, Path.of(conf.get(LongseqOptions.OUT)), fragmentSize,
                    conf, kafkaSettings, List.copyOf(unusable));
        } catch (IllegalArgumentException e) {
            // Flink's own parse errors: "Could not parse value 'x' for key 'longseq.model.d-model'."
            throw new UsageException(ModelOptions.withOption(e.getMessage()), e);
        }
    }

    /** The dead letter of an input that cannot be opened (written by the command: the job never sees the file). */
    static DeadLetter unusableInput(Path path, String problem) {
        DeadLetter d = new DeadLetter();
        d.source = path.toString();
        d.sequenceId = "";
        d.stage = "input";
        d.reason = problem + "; the other inputs run";
        d.payload = new byte[0];
        return d;
    }

    /** One run: job, progress, merge, summary. */
    private static final class Run {
        private final Parsed p;
        private final PrintWriter out;
        private final PrintWriter err;
        private final boolean verbose;
        private int parallelism;
        private double jobSeconds; // the job's net runtime: from submission to its end, no cluster start-up
        private final ThroughputWindow window = new ThroughputWindow(); // positions done, sampled while it runs
        private Throwable failed; // the job's failure, for --verbose

        Run(Parsed p, PrintWriter out, PrintWriter err, boolean verbose) {
            this.p = p;
            this.out = out;
            this.err = err;
            this.verbose = verbose;
        }

        int call() {
            if (p.kafka() != null) {
                return callKafka();
            }
            long t0 = System.nanoTime();
            String runId = UUID.randomUUID().toString();
            Path parts = p.out().toAbsolutePath().resolve(".parts-" + runId); // absolute: the sinks may run elsewhere
            CompletableFuture<InputScan> scan = CompletableFuture.supplyAsync(
                    () -> InputScan.of(p.inputs(), p.kind(), p.settings().limits()));
            StreamExecutionEnvironment env = RemoteSubmit.forRun(p.flink());
            parallelism = env.getParallelism();
            err.println("longseq run: " + p.inputs().size() + " file(s) (" + LongseqOptions.lower(p.kind())
                    + "), parallelism " + env.getParallelism() + ", fragment size " + p.fragmentSize()
                    + ", output " + p.out());
            for (DeadLetter d : p.unusable()) {
                err.println("longseq run: not read: " + d.reason);
            }
            EmbeddedCluster.addresses(p.flink()).forEach(a -> err.println("longseq run: " + a));
            err.flush();
            JobClient client;
            try {
                Files.createDirectories(p.out());
                LongseqJob.Outputs o = LongseqJob.build(
                        LongseqJob.fromFiles(env, p.inputs(), p.settings(), p.fragmentSize()), p.settings());
                LongseqJob.toFiles(o, parts, p.settings(), runId);
                client = env.executeAsync("longseq run " + p.inputs().get(0).getFileName());
            } catch (Exception e) {
                Refusals.print(err, "longseq run: the job could not start: " + Refusals.describeWithCause(e), e,
                        verbose);
                return 1;
            }
            String failure = await(client, runId, scan, t0);
            ProgressFunction.forget(runId);
            if (failure != null) {
                Refusals.print(err, "longseq run: the job failed: " + failure, failed, verbose);
                return 1;
            }
            RunOutputs merged = new RunOutputs(new OutputSettings(p.kind(), p.settings().model().globalMode(),
                    LongseqOptions.linkThreshold(p.flink()), p.settings().alertThreshold()));
            InputScan s = scan.join();
            try {
                merged.merge(parts, p.out(), s.ids(), p.unusable());
            } catch (IOException e) {
                Refusals.print(err, "longseq run: could not merge the outputs in " + parts + ": " + e, e, verbose);
                return 1;
            }
            summary(merged, (System.nanoTime() - t0) / 1e9);
            return merged.deadLetters > 0 ? 1 : 0;
        }

        // Kafka in, Kafka out: runs until cancelled (Ctrl-C), or to the input's end offsets with --bounded
        private int callKafka() {
            long t0 = System.nanoTime();
            String runId = UUID.randomUUID().toString();
            StreamExecutionEnvironment env = RemoteSubmit.forRun(p.flink());
            err.println("longseq run: Kafka mode (" + p.kafka().describe() + "), " + LongseqOptions.lower(p.kind())
                    + ", parallelism " + env.getParallelism() + ", checkpoints every "
                    + p.flink().get(CheckpointingOptions.CHECKPOINTING_INTERVAL).toMillis() + " ms"
                    + (p.kafka().bounded() ? ", until the input's current end" : "; Ctrl-C to stop"));
            EmbeddedCluster.addresses(p.flink()).forEach(a -> err.println("longseq run: " + a));
            err.println("longseq run: " + DurableState.of(p.flink()).describe()
                    + p.flink().getOptional(StateRecoveryOptions.SAVEPOINT_PATH).map(r -> ", resuming from " + r)
                    .orElse(""));
            err.flush();
            KafkaSettings k = p.kafka();
            List<String> topics = new ArrayList<>(List.of(k.blocksTopic(), k.deadLettersTopic(), k.noticesTopic()));
            if (p.settings().tokenContexts()) {
                topics.add(k.tokensTopic());
            }
            if (p.settings().alerts()) {
                topics.add(k.alertsTopic());
            }
            if (k.inputPattern() == null) {
                topics.add(k.inputTopic());
            }
            try {
                List<String> created = io.longseq.jobs.kafka.KafkaTopics.ensure(k.bootstrapServers(),
                        k.clientProperties(), topics, env.getParallelism());
                if (!created.isEmpty()) {
                    err.println("longseq run: created topics " + created + " with " + env.getParallelism()
                            + " partitions each");
                }
            } catch (Exception e) {
                err.println("longseq run: Kafka at " + k.bootstrapServers() + " is not usable: "
                        + ProduceCommand.rootMessage(e));
                err.flush();
                return 1;
            }
            JobClient client;
            try {
                LongseqJob.Outputs o = LongseqJob.build(LongseqJob.fromKafka(env, p.kafka()), p.settings());
                LongseqJob.toKafka(o, p.kafka(), p.settings(), runId);
                client = env.executeAsync("longseq run (kafka " + p.kafka().inputTopic() + ")");
            } catch (Exception e) {
                Refusals.print(err, "longseq run: the job could not start: " + Refusals.describeWithCause(e), e,
                        verbose);
                return 1;
            }
            // Ctrl-C: stop with a savepoint (cancel if that fails); see GracefulStop
            GracefulStop stop = GracefulStop.install(client, p.flink().get(DeployOptions.SAVEPOINT_DIR),
                    p.flink().get(DeployOptions.STOP_TIMEOUT), err, "longseq run");
            String failure = await(client, runId, CompletableFuture.completedFuture(null), t0);
            try {
                stop.awaitStop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stop.close();
            long done = ProgressFunction.positionsDone(runId);
            ProgressFunction.forget(runId);
            if (stop.requested() && stop.savepoint() == null) {
                Refusals.print(err, "longseq run: cancelled without a savepoint"
                        + (stop.failure() == null ? "" : " (" + stop.failure() + ")")
                        + "; resume from the last retained checkpoint with --resume latest", failed, verbose);
                return 1;
            }
            if (failure != null) {
                Refusals.print(err, "longseq run: the job failed: " + failure, failed, verbose);
                return 1;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            out.printf(Locale.ROOT, "positions: %,d in %.2f s wall, %,.0f positions/s; the job itself %.2f s, %,.0f"
                            + " positions/s (parallelism %d)%s; outputs in topics %s, %s, %s%n", done, seconds,
                    done / Math.max(seconds, 1e-9), jobSeconds, done / Math.max(jobSeconds, 1e-9), env.getParallelism(),
                    sustained(), p.kafka().blocksTopic(), p.kafka().noticesTopic(), p.kafka().deadLettersTopic());
            out.flush();
            return 0;
        }

        // "; sustained R positions/s ..." once the run was long enough to tell, else ""
        private String sustained() {
            double rate = window.sustainedRate(ThroughputWindow.DEFAULT_FROM);
            return Double.isNaN(rate) ? "" : String.format(Locale.ROOT,
                    "; sustained %,.0f positions/s (from %.0f %% of the positions to the last, after start-up and"
                            + " warm-up)", rate, 100 * ThroughputWindow.DEFAULT_FROM);
        }

        // waits for the job, printing a progress line every few seconds; the failure's message, or null
        private String await(JobClient client, String runId, CompletableFuture<InputScan> scan, long t0) {
            var result = client.getJobExecutionResult();
            long nextReport = t0 + TimeUnit.SECONDS.toNanos(Progress.FIRST_REPORT_SECONDS);
            long lastShown = -1;
            long lastShownAt = 0;
            while (true) {
                try {
                    jobSeconds = result.get(200, TimeUnit.MILLISECONDS).getNetRuntime(TimeUnit.MILLISECONDS) / 1e3;
                    window.add(System.nanoTime(), ProgressFunction.positionsDone(runId));
                    return null;
                } catch (TimeoutException e) {
                    long now = System.nanoTime();
                    window.add(now, ProgressFunction.positionsDone(runId));
                    if (now >= nextReport) {
                        long done = ProgressFunction.positionsDone(runId);
                        // an unbounded job may wait for input: repeat an unchanged count only once a minute
                        if (done != lastShown || now - lastShownAt > TimeUnit.SECONDS.toNanos(60)) {
                            err.println(progressLine(done, scan.getNow(null), t0));
                            err.flush();
                            lastShown = done;
                            lastShownAt = now;
                        }
                        nextReport += TimeUnit.SECONDS.toNanos(5);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    client.cancel();
                    return "interrupted";
                } catch (ExecutionException e) {
                    failed = ExceptionUtils.stripExecutionException(e);
                    return Refusals.describe(Refusals.root(failed));
                }
            }
        }

        private void summary(RunOutputs m, double seconds) {
            out.printf(Locale.ROOT, "sequences: %,d, %,d positions in %,d blocks%n", m.sequences, m.positions, m.blocks);
            out.printf(Locale.ROOT, "time:      %.2f s wall, %,.0f positions/s (parallelism %d); the job itself %.2f s,"
                            + " %,.0f positions/s%s%n", seconds, m.positions / Math.max(seconds, 1e-9), parallelism,
                    jobSeconds, m.positions / Math.max(jobSeconds, 1e-9), sustained());
            StringBuilder n = new StringBuilder();
            m.notices.forEach((k, v) -> n.append(n.length() == 0 ? "" : ", ").append(v).append(' ')
                    .append(k.toLowerCase(Locale.ROOT).replace('_', ' ')));
            out.println("notices:   " + (n.length() == 0 ? "none" : n) + " (" + p.out().resolve("notices.jsonl") + ")");
            out.println("refused:   " + (m.deadLetters == 0 ? "none" : m.deadLetters + " records, see "
                    + p.out().resolve("dead-letters.jsonl")));
            out.println("output:    " + p.out().resolve("blocks.jsonl") + (m.links < 0 ? "" : ", "
                    + p.out().resolve(GenomeTracks.LINKS) + String.format(Locale.ROOT, " (%,d links), ", m.links)
                    + p.out().resolve(GenomeTracks.TRACKS)) + (p.settings().alerts() ? ", "
                    + p.out().resolve(RunOutputs.ALERTS + ".jsonl") : ""));
            m.findings.print(out, p.out().resolve(RunOutputs.ALERTS + ".jsonl").toString());
            out.flush();
        }
    }

    static String progressLine(long done, InputScan scan, long t0) {
        double seconds = (System.nanoTime() - t0) / 1e9;
        double rate = done / Math.max(seconds, 1e-9);
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "  progress: %.0f s, %,d", seconds, done));
        if (scan != null && scan.positions() > 0) {
            long total = scan.positions();
            b.append(String.format(Locale.ROOT, " of %,d positions (%.1f %%)", total, 100.0 * done / total));
            b.append(String.format(Locale.ROOT, ", %,.0f positions/s", rate));
            if (done > 0) {
                b.append(String.format(Locale.ROOT, ", ~%.0f s left", Math.max(0, total - done) / rate));
            }
        } else {
            b.append(String.format(Locale.ROOT, " positions, %,.0f positions/s", rate));
        }
        return b.toString();
    }

    /** The sequence ids of the inputs in order and their total positions (for progress and output order). */
    record InputScan(List<String> ids, long positions) {

        static InputScan of(List<Path> inputs, FeatureKind kind, StreamLimits limits) {
            List<String> ids = new ArrayList<>();
            long positions = 0;
            boolean complete = true;
            for (Path in : inputs) {
                try (InputStream s = InputFiles.open(in)) {
                    if (kind == FeatureKind.DNA) {
                        DnaRecordReader r = DnaRecordReader.open(s, in.toString(), limits);
                        FastaReader.Record rec;
                        while ((rec = r.next()) != null) {
                            if (rec.isOk()) {
                                ids.add(rec.id());
                                positions += rec.bases().length;
                            }
                        }
                    } else {
                        ids.add(String.valueOf(in.getFileName()));
                        FragmentReader f = new FragmentReader(() -> s, in.toString(), "", kind, 1 << 16, limits,
                                FragmentReader.DEFAULT_MAX_FRAGMENT_BYTES);
                        io.longseq.stream.input.SequenceFragment frag;
                        while ((frag = f.next()) != null) {
                            positions += frag.decodeError == null ? frag.positions() : 0;
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    complete = false; // the job reports the problem; the other files still give their order
                }
            }
            return new InputScan(ids, complete ? positions : -1);
        }
    }
}
