package io.longseq.jobs.cli;

import io.longseq.jobs.LongseqOptions;
import io.longseq.jobs.ModelOptions;
import io.longseq.jobs.Refusals;
import io.longseq.jobs.UsageException;
import io.longseq.jobs.input.FragmentReader;
import io.longseq.jobs.input.InputFiles;
import io.longseq.jobs.input.InputKinds;
import io.longseq.jobs.kafka.AvroRecords;
import io.longseq.jobs.kafka.KafkaSettings;
import io.longseq.jobs.kafka.KafkaTopics;
import io.longseq.math.features.FeatureKind;
import io.longseq.schemas.AvroCodec;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.input.SequenceFragment;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code longseq produce}: files (FASTA/FASTQ, token ids, logs) into the input topic as framed Avro
 * {@code SequenceFragment} records, key = sequence id, with an idempotent producer (acks=all), so a retry never
 * writes a fragment twice. Creates the topic when it is missing.
 */
@Command(name = "produce", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = "Cuts files into SequenceFragment records and writes them to a Kafka topic (key = sequence id).",
        footer = {"", "Inputs: one that cannot be opened is refused (exit 2) when none can; otherwise it is reported"
                + " and skipped. A record or file the reader refuses (a header over --max-header-bytes, a malformed"
                + " FASTQ record, not FASTA, corrupt gzip, ...) is reported on stderr in one line and not sent; the"
                + " rest is sent (exit 1).",
            "", "Exit codes: 0 all sent; 1 an input or record was refused, or Kafka refused a record; 2 invalid"
                + " command line."})
public final class ProduceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "INPUT", description = "input files (.gz read transparently)")
    List<Path> inputs;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "longseq-fragments",
            description = "input topic of the job (default: ${DEFAULT-VALUE})")
    String topic;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "4",
            description = "partitions of the topic if it has to be created (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--kind", paramLabel = "dna|tokens|log",
            description = "what the files hold (default: from the file name)")
    String kind;

    @Option(names = "--fragment-size", paramLabel = "N", defaultValue = "10000",
            description = "positions per fragment (default: ${DEFAULT-VALUE})")
    int fragmentSize;

    @Option(names = "--sequence-id", paramLabel = "ID",
            description = "the sequence id to use instead of the one in the file (the input must hold one sequence)")
    String sequenceId;

    @Option(names = Refusals.VERBOSE, description = "print the stack trace after a refusal or failure")
    boolean verbose;

    @Mixin
    KafkaClientOptions kafka;

    /** The readers' caps, offered as flags generated from their options (the same as run's and offline's). */
    static final List<ConfigOption<?>> OPTIONS = LongseqOptions.READER_LIMITS;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (fragmentSize < 1) {
            err.println("longseq produce: --fragment-size must be at least 1, got " + fragmentSize);
            return 2;
        }
        Properties client;
        try {
            client = kafka.properties();
        } catch (UsageException e) {
            err.println("longseq produce: " + e.getMessage());
            return 2;
        }
        FeatureKind k;
        StreamLimits limits;
        List<Path> readable = new java.util.ArrayList<>();
        List<String> unreadable = new java.util.ArrayList<>();
        try {
            k = kind != null ? ModelOptions.choice("--kind", kind, FeatureKind.class) : InputKinds.detect(inputs.get(0));
            Map<String, String> raw = new LinkedHashMap<>();
            OptionFlags.read(spec.commandLine().getParseResult(), OPTIONS, raw);
            limits = OfflineCommand.limits(Configuration.fromMap(raw));
            for (Path p : inputs) {
                String problem = InputFiles.problem(p);
                if (problem == null) {
                    readable.add(p);
                } else {
                    unreadable.add(problem);
                }
            }
            if (readable.isEmpty()) {
                throw new UsageException(inputs.size() == 1 ? unreadable.get(0)
                        : "none of the " + inputs.size() + " inputs can be opened; the first: " + unreadable.get(0));
            }
        } catch (UsageException e) {
            Refusals.print(err, "longseq produce: " + e.getMessage(), e, verbose);
            return 2;
        }
        for (String problem : unreadable) {
            err.println("longseq produce: not read: " + problem);
        }
        String shown = KafkaClientOptions.describe(client);
        err.println("longseq produce: " + inputs.size() + " file(s) -> topic " + topic + " at " + kafka.bootstrap
                + (shown.isEmpty() ? "" : ", " + shown));
        err.flush();
        try {
            List<String> created = KafkaTopics.ensure(kafka.bootstrap, client, List.of(topic), partitions);
            if (!created.isEmpty()) {
                err.println("longseq produce: created topic " + topic + " with " + partitions + " partitions");
            }
        } catch (Exception e) {
            err.println("longseq produce: Kafka at " + kafka.bootstrap + " is not usable: " + rootMessage(e));
            return 1;
        }
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(32 << 20));
        long t0 = System.nanoTime();
        long records = 0;
        long positions = 0;
        long bytes = 0;
        long refused = unreadable.size();
        Set<String> sequences = new LinkedHashSet<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long nextReport = t0 + 5_000_000_000L;
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Path in : readable) {
                try (FragmentReader r = new FragmentReader(() -> InputFiles.open(in), in.toString(),
                        String.valueOf(in.getFileName()), k, fragmentSize, limits,
                        FragmentReader.DEFAULT_MAX_FRAGMENT_BYTES)) {
                    SequenceFragment f;
                    while ((f = r.next()) != null && failure.get() == null) {
                        if (f.decodeError != null) {
                            refused++;
                            err.println("longseq produce: refused: " + Refusals.oneLine(f.decodeError));
                            err.flush();
                            continue;
                        }
                        if (sequenceId != null) {
                            if (!sequences.isEmpty() && !sequences.contains(f.sequenceId)) {
                                throw new UsageException("--sequence-id names one sequence, but the input holds"
                                        + " several ('" + sequences.iterator().next() + "' and '" + f.sequenceId + "')");
                            }
                            sequences.add(f.sequenceId);
                            f.sequenceId = sequenceId;
                        } else {
                            sequences.add(f.sequenceId);
                        }
                        f.eventTime = System.currentTimeMillis();
                        byte[] value = AvroCodec.encode(AvroRecords.fragment(f));
                        producer.send(new ProducerRecord<>(topic, f.sequenceId.getBytes(StandardCharsets.UTF_8), value),
                                (md, e) -> {
                                    if (e != null) {
                                        failure.compareAndSet(null, e);
                                    }
                                });
                        records++;
                        bytes += value.length;
                        positions += f.positions();
                        if (System.nanoTime() > nextReport) {
                            err.printf(Locale.ROOT, "  progress: %,d records, %,d positions, %.0f s%n", records,
                                    positions, (System.nanoTime() - t0) / 1e9);
                            err.flush();
                            nextReport += 5_000_000_000L;
                        }
                    }
                }
            }
            producer.flush();
        } catch (UsageException e) {
            Refusals.print(err, "longseq produce: " + e.getMessage(), e, verbose);
            return 2;
        } catch (IOException e) {
            Refusals.print(err, "longseq produce: " + e.getMessage(), e, verbose);
            return 1;
        } catch (RuntimeException e) {
            Refusals.print(err, "longseq produce: " + rootMessage(e), e, verbose);
            return 1;
        }
        if (failure.get() != null) {
            err.println("longseq produce: Kafka refused a record: " + rootMessage(failure.get()));
            return 1;
        }
        double s = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "produced: %,d records (%,d sequences, %,d positions, %,d bytes) to %s in %.2f s%s%n",
                records, sequences.size(), positions, bytes, topic, s, refused == 0 ? ""
                        : String.format(Locale.ROOT, "; %,d inputs or records refused (see stderr)", refused));
        out.flush();
        return refused > 0 ? 1 : 0;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
