package io.longseq.jobs.cli;

import io.longseq.jobs.LongseqOptions;
import io.longseq.jobs.ModelOptions;
import io.longseq.jobs.UsageException;
import io.longseq.jobs.cluster.ConfigFiles;
import io.longseq.jobs.cluster.DeployOptions;
import io.longseq.jobs.cluster.DurableState;
import io.longseq.jobs.cluster.EmbeddedCluster;
import io.longseq.jobs.input.InputFiles;
import io.longseq.jobs.input.InputKinds;
import io.longseq.jobs.kafka.KafkaOptions;
import io.longseq.jobs.kafka.KafkaSettings;
import io.longseq.math.features.FeatureKind;
import io.longseq.stream.DeadLetter;
import io.longseq.stream.StreamSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import picocli.CommandLine;

/**
 * Everything a {@code run} needs, parsed and checked once from its command line ({@link #parse}): a bad value ends
 * here as a {@link UsageException} naming the flag. {@code inputs} are those that can be opened; {@code unusable}
 * holds a dead letter for each one that cannot (never all of them); {@code kafka} is null in file mode.
 */
public record RunOptions(List<Path> inputs, FeatureKind kind, StreamSettings settings, Path out, int fragmentSize,
                         Configuration flink, KafkaSettings kafka, List<DeadLetter> unusable) {

    /** Reads the flags ({@link RunCommand#ALL_OPTIONS}, -D, --kafka-property, --config-file) into the run's options. */
    public static RunOptions parse(CommandLine.ParseResult pr) {
        Map<String, String> raw = new LinkedHashMap<>();
        Map<String, String> dyn = pr.matchedOptionValue("-D", Map.of());
        raw.putAll(dyn);
        Map<String, String> kafkaProps = pr.matchedOptionValue("--kafka-property", Map.of());
        kafkaProps.forEach((k, v) -> raw.put(KafkaOptions.CLIENT_PREFIX + k, v));
        List<String> paths = new ArrayList<>(pr.matchedPositionalValue(0, List.<String>of()));
        OptionFlags.read(pr, RunCommand.ALL_OPTIONS, raw);
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
            FeatureKind kind = kind(conf, kafka, named);
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
            return new RunOptions(List.copyOf(inputs), kind, settings, Path.of(conf.get(LongseqOptions.OUT)),
                    fragmentSize, conf, kafkaSettings, List.copyOf(unusable));
        } catch (IllegalArgumentException e) {
            // Flink's own parse errors: "Could not parse value 'x' for key 'longseq.model.d-model'."
            throw new UsageException(ModelOptions.withOption(e.getMessage()), e);
        }
    }

    // --kind, else the first input's extension (DNA in Kafka mode); without --kind all inputs must agree
    private static FeatureKind kind(Configuration conf, boolean kafka, List<Path> named) {
        FeatureKind kind = conf.getOptional(LongseqOptions.KIND)
                .map(k -> ModelOptions.choice(LongseqOptions.flag(LongseqOptions.KIND), k, FeatureKind.class))
                .orElseGet(() -> kafka ? FeatureKind.DNA : InputKinds.detect(named.get(0)));
        for (Path in : named) {
            if (conf.getOptional(LongseqOptions.KIND).isEmpty() && InputKinds.detect(in) != kind) {
                throw new UsageException("inputs of different kinds ('" + named.get(0) + "' and '" + in
                        + "'); one run reads one kind (--kind)");
            }
        }
        return kind;
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
}
