package io.longseq.jobs.cli;

import io.longseq.jobs.LongseqOptions;
import io.longseq.jobs.ModelOptions;
import io.longseq.jobs.Refusals;
import io.longseq.jobs.UsageException;
import io.longseq.jobs.kafka.AvroRecords;
import io.longseq.jobs.kafka.KafkaSettings;
import io.longseq.jobs.output.GenomeTracks;
import io.longseq.jobs.output.JsonLines;
import io.longseq.jobs.output.OutputSettings;
import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.GlobalMode;
import io.longseq.schemas.AvroCodec;
import io.longseq.stream.global.BlockContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code longseq consume}: prints an output topic of the job, committed records only ({@code read_committed}:
 * what an exactly-once consumer sees). Block contexts as JSON lines (the lines {@code run} writes to files) or a
 * compact table, and with {@code --tracks DIR} also as genome-browser files; dead letters and token contexts as
 * JSON; notices and alerts as they are. Reads every partition from the
 * beginning without a consumer group (nothing is committed) and stops after {@code --idle-timeout} without new
 * records or after {@code --max-records}.
 */
@Command(name = "consume", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = "Prints the job's output records from a Kafka topic (committed records only).")
public final class ConsumeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "longseq-blocks",
            description = "topic to read (default: ${DEFAULT-VALUE})")
    String topic;

    @Option(names = "--type", paramLabel = "blocks|dead-letters|notices|tokens|alerts",
            description = "record type (default: from the topic name: *dead* dead-letters, *notice* notices,"
                    + " *token* tokens, *alert* alerts, else blocks)")
    String type;

    @Option(names = "--tracks", paramLabel = "DIR",
            description = "also write the genome-browser files of the block contexts read (DNA): DIR/links.bedpe"
                    + " (links of at least --link-threshold) and DIR/tracks.bedgraph (docs/outputs.md)")
    Path tracksDir;

    /** The settings offered as flags, generated from their ConfigOptions: what the genome-browser files need. */
    static final List<ConfigOption<?>> OPTIONS = List.of(LongseqOptions.LINK_THRESHOLD, LongseqOptions.GLOBAL_MODE);

    @Option(names = "--format", paramLabel = "json|table", defaultValue = "json",
            description = "block contexts as JSON lines or a compact table (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--max-records", paramLabel = "N", description = "stop after N records")
    Long maxRecords;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "stop after this long without a new record (default: ${DEFAULT-VALUE})")
    double idleSeconds;

    @Option(names = Refusals.VERBOSE, description = "print the stack trace after a refusal or failure")
    boolean verbose;

    @Mixin
    KafkaClientOptions kafka;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String t = type != null ? type : topic.contains("dead") ? "dead-letters" : topic.contains("notice") ? "notices"
                : topic.contains("token") ? "tokens" : topic.contains("alert") ? "alerts" : "blocks";
        if (!List.of("blocks", "dead-letters", "notices", "tokens", "alerts").contains(t)) {
            err.println("longseq consume: --type '" + t + "' is not one of blocks, dead-letters, notices, tokens,"
                    + " alerts");
            return 2;
        }
        OutputSettings trackSettings = null;
        if (tracksDir != null) {
            if (!t.equals("blocks")) {
                err.println("longseq consume: --tracks needs block contexts, not " + t);
                return 2;
            }
            try {
                trackSettings = trackSettings();
            } catch (UsageException e) {
                err.println("longseq consume: " + e.getMessage());
                return 2;
            }
        }
        if (!format.equals("json") && !format.equals("table")) {
            err.println("longseq consume: --format '" + format + "' is not one of json, table");
            return 2;
        }
        Properties p;
        try {
            p = kafka.properties();
        } catch (UsageException e) {
            err.println("longseq consume: " + e.getMessage());
            return 2;
        }
        String shown = KafkaClientOptions.describe(p);
        if (!shown.isEmpty()) {
            err.println("longseq consume: " + shown);
        }
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long n = 0;
        long undecodable = 0;
        boolean table = format.equals("table") && t.equals("blocks");
        if (table) {
            out.println(String.format(Locale.ROOT, "%-24s %8s %12s %12s %8s %8s  %s", "sequence", "block", "start", "end",
                    "self", "entropy", "top-1 (level: blocks, weight)"));
        }
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
             GenomeTracks tracks = trackSettings == null ? null : openTracks(trackSettings)) {
            List<PartitionInfo> parts = c.partitionsFor(topic, Duration.ofSeconds(30));
            if (parts == null || parts.isEmpty()) {
                err.println("longseq consume: topic " + topic + " does not exist at " + kafka.bootstrap);
                return 1;
            }
            List<TopicPartition> tps = new ArrayList<>();
            parts.forEach(pi -> tps.add(new TopicPartition(topic, pi.partition())));
            c.assign(tps);
            c.seekToBeginning(tps);
            long lastRecord = System.nanoTime();
            while (maxRecords == null || n < maxRecords) {
                var records = c.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    if (System.nanoTime() - lastRecord > (long) (idleSeconds * 1e9)) {
                        break;
                    }
                    continue;
                }
                lastRecord = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (maxRecords != null && n >= maxRecords) {
                        break;
                    }
                    try {
                        if (t.equals("blocks")) {
                            BlockContext b = AvroRecords.block(AvroCodec.decode(r.value(),
                                    io.longseq.schemas.BlockContext.class));
                            out.println(table ? row(b) : JsonLines.block(b));
                            if (tracks != null) {
                                tracks.add(b.sequenceId, b.toResult());
                            }
                        } else {
                            out.println(line(t, r.value()));
                        }
                    } catch (AvroCodec.DecodeException e) {
                        undecodable++;
                        err.println("longseq consume: " + topic + "/" + r.partition() + "@" + r.offset() + ": "
                                + e.getMessage());
                    }
                    n++;
                }
                out.flush();
            }
        } catch (RuntimeException e) {
            Refusals.print(err, "longseq consume: " + ProduceCommand.rootMessage(e), e, verbose);
            return 1;
        } catch (IOException e) {
            Refusals.print(err, "longseq consume: cannot write the genome-browser files in " + tracksDir + ": "
                    + Refusals.describe(e), e, verbose);
            return 1;
        }
        out.flush();
        err.println("longseq consume: " + n + " records from " + topic + (undecodable > 0 ? ", " + undecodable
                + " could not be decoded" : "") + (tracksDir == null ? "" : "; " + tracksDir.resolve(GenomeTracks.LINKS)
                + " and " + tracksDir.resolve(GenomeTracks.TRACKS)));
        err.flush();
        return undecodable > 0 ? 1 : 0;
    }

    /** The link threshold and global mode flags, checked. */
    private OutputSettings trackSettings() {
        Map<String, String> raw = new LinkedHashMap<>();
        OptionFlags.read(spec.commandLine().getParseResult(), OPTIONS, raw);
        Configuration conf = Configuration.fromMap(raw);
        GlobalMode mode = ModelOptions.choice(LongseqOptions.flag(LongseqOptions.GLOBAL_MODE),
                conf.get(LongseqOptions.GLOBAL_MODE), GlobalMode.class);
        return new OutputSettings(FeatureKind.DNA, mode, LongseqOptions.linkThreshold(conf), Double.NaN);
    }

    private GenomeTracks openTracks(OutputSettings s) throws IOException {
        Files.createDirectories(tracksDir);
        return new GenomeTracks(tracksDir, s);
    }

    private static String line(String type, byte[] value) throws AvroCodec.DecodeException {
        switch (type) {
            case "dead-letters" -> {
                io.longseq.schemas.DeadLetter d = AvroCodec.decode(value, io.longseq.schemas.DeadLetter.class);
                io.longseq.stream.DeadLetter x = new io.longseq.stream.DeadLetter();
                x.source = d.getSourceTopic();
                x.sourcePartition = d.getPartition();
                x.sourceOffset = d.getOffset();
                x.sequenceId = d.getSequenceId();
                x.stage = d.getStage();
                x.reason = d.getReason();
                java.nio.ByteBuffer bb = d.getPayload().duplicate();
                x.payload = new byte[bb.remaining()];
                bb.get(x.payload);
                return JsonLines.deadLetter(x);
            }
            case "tokens" -> {
                return AvroCodec.toJson(AvroCodec.decode(value, io.longseq.schemas.TokenContext.class));
            }
            default -> {
                return new String(value, StandardCharsets.UTF_8);
            }
        }
    }

    private static String row(BlockContext b) {
        String top = b.topLevel.length == 0 ? "-" : String.format(Locale.ROOT, "%d: %d..%d, %.3g", b.topLevel[0],
                b.topFirst[0], b.topLast[0], b.topWeight[0]);
        String id = b.sequenceId.length() <= 24 ? b.sequenceId : b.sequenceId.substring(0, 21) + "...";
        return String.format(Locale.ROOT, "%-24s %8d %12d %12d %8.4f %8.4f  %s", id, b.block, b.start, b.end,
                b.selfWeight, b.entropy, top);
    }
}
