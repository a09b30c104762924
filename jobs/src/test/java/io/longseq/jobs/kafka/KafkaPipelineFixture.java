package io.longseq.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.features.Features;
import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.ChunkedModel;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.WeightsInit;
import io.longseq.schemas.AvroCodec;
import io.longseq.schemas.FragmentKind;
import io.longseq.schemas.TopEntry;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.global.BlockContext;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.taskexecutor.TaskExecutor;
import org.apache.flink.runtime.taskmanager.TaskManagerLocation;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the Kafka ITCases of the job share: a small DNA model, a seeded corpus cut into fragments, producing it,
 * the expected block contexts computed offline by {@link ChunkedModel} (whole sequence, no Flink, no Kafka), reading
 * a topic with {@code read_committed}, and a bitwise, field-by-field comparison of the Avro records read back.
 *
 * <p>Nothing here calls the job's own Avro conversions for the output side: block contexts read from Kafka are
 * decoded with {@link AvroCodec} into the generated Avro class and compared field by field (floats by their raw
 * bits) with the offline results.
 */
final class KafkaPipelineFixture {

    /** A small model, for speed: k = 4, d = 32, 4 heads, window 16, 1 layer, blocks of 64, chunks of 256. */
    static final ModelConfig MODEL = ModelConfig.builder().featureKind(FeatureKind.DNA).kmer(4).dModel(32).heads(4)
            .window(16).layers(1).ffnDim(64).blockSize(64).chunkSize(256).build();

    static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private KafkaPipelineFixture() {}

    // ------------------------------------------------------------------------------------------- the input

    /** One sequence of the corpus. */
    record Sequence(String id, byte[] bases) {

        int fragments(int size) {
            return (bases.length + size - 1) / size;
        }

        /** Fragment {@code j} (positions [j·size, min(n, (j+1)·size)), last on the final one). */
        io.longseq.schemas.SequenceFragment fragment(int j, int size) {
            int from = j * size;
            int to = Math.min(bases.length, from + size);
            return avroFragment(id, from, FragmentKind.DNA, java.util.Arrays.copyOfRange(bases, from, to),
                    to == bases.length);
        }
    }

    /** Seeded random DNA sequences with random lengths in [minLength, maxLength]. */
    static List<Sequence> corpus(long seed, String prefix, int count, int minLength, int maxLength) {
        Random r = new Random(seed);
        List<Sequence> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int n = minLength + r.nextInt(maxLength - minLength + 1);
            byte[] b = new byte[n];
            for (int p = 0; p < n; p++) {
                b[p] = (byte) "ACGT".charAt(r.nextInt(4));
            }
            out.add(new Sequence(String.format("%s-%03d", prefix, i), b));
        }
        return out;
    }

    static long positions(List<Sequence> corpus) {
        return corpus.stream().mapToLong(s -> s.bases().length).sum();
    }

    static io.longseq.schemas.SequenceFragment avroFragment(String id, long offset, FragmentKind kind, byte[] payload,
                                                          boolean last) {
        return io.longseq.schemas.SequenceFragment.newBuilder().setSequenceId(id).setOffset(offset).setKind(kind)
                .setPayload(ByteBuffer.wrap(payload)).setLast(last).setEventTime(1_700_000_000_000L).build();
    }

    /** A fragment as the input topic holds it: key = sequence id (UTF-8), value = the framed Avro record. */
    static ProducerRecord<byte[], byte[]> record(String topic, io.longseq.schemas.SequenceFragment f) {
        return new ProducerRecord<>(topic, f.getSequenceId().getBytes(StandardCharsets.UTF_8), AvroCodec.encode(f));
    }

    /**
     * The fragments of fragment numbers [fromFragment, toFragment) of every sequence, round robin (fragment j of
     * each sequence in turn), so that sequences interleave in each partition.
     */
    static List<ProducerRecord<byte[], byte[]>> roundRobin(String topic, List<Sequence> corpus, int size,
                                                           Predicate<int[]> include) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        int most = corpus.stream().mapToInt(s -> s.fragments(size)).max().orElse(0);
        for (int j = 0; j < most; j++) {
            for (int i = 0; i < corpus.size(); i++) {
                Sequence s = corpus.get(i);
                if (j < s.fragments(size) && include.test(new int[] {i, j, s.fragments(size)})) {
                    out.add(record(topic, s.fragment(j, size)));
                }
            }
        }
        return out;
    }

    /** Sends the records in order with an idempotent producer (acks=all, one partition order per key). */
    static List<RecordMetadata> produce(KafkaBrokerExtension kafka, List<ProducerRecord<byte[], byte[]>> records)
            throws Exception {
        java.util.Properties p = kafka.producerProps();
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> r : records) {
                acks.add(producer.send(r));
            }
            producer.flush();
        }
        List<RecordMetadata> out = new ArrayList<>(acks.size());
        for (Future<RecordMetadata> a : acks) {
            out.add(a.get());
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------- the job

    /** The Kafka side of one run; every run gets its own topics and transactional id prefix. */
    static KafkaSettings kafkaSettings(KafkaBrokerExtension kafka, String run, boolean bounded) {
        return new KafkaSettings(kafka.bootstrapServers(), run + "-in", null, run + "-group", "earliest", bounded,
                run + "-blocks", run + "-tokens", run + "-dead", run + "-notices", run + "-tx",
                Duration.ofMinutes(3), Duration.ofMillis(500), Map.of());
    }

    /** Creates the input topic (4 partitions) and the output topics of a run. */
    static void createTopics(KafkaBrokerExtension kafka, KafkaSettings k) {
        kafka.createTopic(k.inputTopic(), 4);
        kafka.createTopic(k.blocksTopic(), 3);
        kafka.createTopic(k.deadLettersTopic(), 1);
        kafka.createTopic(k.noticesTopic(), 1);
    }

    /** Checkpoints every 500 ms; fixed-delay restarts (attempts, 200 ms apart), or none when attempts is 0. */
    static Configuration jobConfig(int restartAttempts) {
        Configuration c = new Configuration();
        c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
        if (restartAttempts > 0) {
            c.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, restartAttempts);
            c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        } else {
            c.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        }
        return c;
    }

    /**
     * The TaskManager index (for {@link MiniCluster#terminateTaskManager}) that runs the most RUNNING subtasks of
     * the job, with the number of distinct TaskManagers in use.
     */
    static int[] busiestTaskManager(MiniCluster cluster, JobID job) throws Exception {
        AccessExecutionGraph g = cluster.getExecutionGraph(job).get();
        Map<ResourceID, Integer> tasks = new HashMap<>();
        for (AccessExecutionVertex v : g.getAllExecutionVertices()) {
            if (v.getExecutionState() == ExecutionState.RUNNING) {
                TaskManagerLocation l = v.getCurrentExecutionAttempt().getAssignedResourceLocation();
                tasks.merge(l.getResourceID(), 1, Integer::sum);
            }
        }
        Field f = MiniCluster.class.getDeclaredField("taskManagers");
        f.setAccessible(true);
        @SuppressWarnings("unchecked")
        List<TaskExecutor> tms = (List<TaskExecutor>) f.get(cluster);
        int best = -1;
        int most = 0;
        synchronized (tms) {
            for (int i = 0; i < tms.size(); i++) {
                int n = tasks.getOrDefault(tms.get(i).getResourceID(), 0);
                if (n > most) {
                    most = n;
                    best = i;
                }
            }
        }
        return new int[] {best, most, tasks.size()};
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    // ------------------------------------------------------------------------------------------- expected

    /** The block contexts of each sequence, from {@link ChunkedModel} on the whole sequence, offline. */
    static Map<String, List<BlockContext>> offline(List<Sequence> corpus, StreamSettings settings) {
        ModelConfig cfg = settings.model();
        Nd4jRuntime.init(1);
        Map<String, List<BlockContext>> out = new TreeMap<>();
        try (ChunkedModel m = new ChunkedModel(cfg, WeightsInit.defaults(cfg, settings.seed()))) {
            for (Sequence s : corpus) {
                int[] ids = Features.dnaKmers(s.bases(), cfg);
                List<BlockContext> blocks = new ArrayList<>();
                for (BlockResult r : m.run(ids, s.bases().length, false).blocks()) {
                    blocks.add(BlockContext.of(s.id(), r));
                }
                assertThat(blocks).as("offline blocks of %s", s.id())
                        .hasSize((s.bases().length + cfg.blockSize() - 1) / cfg.blockSize());
                out.put(s.id(), blocks);
            }
        }
        return out;
    }

    static int count(Map<String, List<BlockContext>> blocks) {
        return blocks.values().stream().mapToInt(List::size).sum();
    }

    // ------------------------------------------------------------------------------------------- reading

    /**
     * Everything a fresh {@code read_committed} (or read_uncommitted) consumer reads from the topic: up to the end
     * offsets (the last stable offsets for read_committed) and until {@code enough} holds, or the timeout; then
     * one more poll, so that records past the expected ones would show.
     */
    static List<ConsumerRecord<byte[], byte[]>> readAll(KafkaBrokerExtension kafka, String topic, boolean committed,
                                                        Predicate<List<ConsumerRecord<byte[], byte[]>>> enough,
                                                        Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerProps(committed),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic)) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                boolean atEnd = partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
                if (atEnd && enough.test(out)) {
                    break;
                }
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
            }
            consumer.poll(Duration.ofMillis(300)).forEach(out::add);
        }
        return out;
    }

    /** Reads the blocks topic with read_committed until every expected (sequence, block) is there. */
    static List<ConsumerRecord<byte[], byte[]>> readBlocks(KafkaBrokerExtension kafka, String topic,
                                                           Map<String, List<BlockContext>> expected) {
        Set<String> want = keys(expected);
        return readAll(kafka, topic, true, rs -> {
            Set<String> seen = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : rs) {
                seen.add(key(decodeBlock(r)));
            }
            return seen.containsAll(want);
        }, READ_TIMEOUT);
    }

    static io.longseq.schemas.BlockContext decodeBlock(ConsumerRecord<byte[], byte[]> r) {
        try {
            return AvroCodec.decode(r.value(), io.longseq.schemas.BlockContext.class);
        } catch (AvroCodec.DecodeException e) {
            throw new AssertionError("record " + r.topic() + ":" + r.partition() + ":" + r.offset()
                    + " is not a framed BlockContext", e);
        }
    }

    static String key(io.longseq.schemas.BlockContext b) {
        return b.getSequenceId() + "#" + b.getBlock();
    }

    static Set<String> keys(Map<String, List<BlockContext>> expected) {
        Set<String> s = new HashSet<>();
        expected.forEach((id, l) -> l.forEach(c -> s.add(id + "#" + c.block)));
        return s;
    }

    /** How many records were seen how often: {1: n} when every record is there exactly once. */
    record Tally(Map<Integer, Integer> histogram, List<String> missing, List<String> unexpected,
                 List<String> duplicated) {}

    /**
     * G3 on what a read_committed consumer saw: every expected (sequence id, block) exactly once, nothing else, the
     * Kafka key equal to the sequence id, and each record bitwise equal, field by field, to the expected one.
     */
    static Tally assertExactlyOnceAndBitwiseEqual(String what, List<ConsumerRecord<byte[], byte[]>> records,
                                                 Map<String, List<BlockContext>> expected) {
        Map<String, BlockContext> want = new LinkedHashMap<>();
        expected.forEach((id, l) -> l.forEach(c -> want.put(id + "#" + c.block, c)));
        Map<String, Integer> seen = new TreeMap<>();
        List<String> differences = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            io.longseq.schemas.BlockContext b = decodeBlock(r);
            String k = key(b);
            seen.merge(k, 1, Integer::sum);
            String keyText = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
            if (!b.getSequenceId().equals(keyText)) {
                differences.add(k + ": Kafka key '" + keyText + "' is not the sequence id");
            }
            BlockContext e = want.get(k);
            if (e != null) {
                String d = bitwiseDifference(e, b);
                if (d != null && differences.size() < 20) {
                    differences.add(k + ": " + d);
                }
            }
        }
        List<String> missing = new ArrayList<>();
        want.keySet().forEach(k -> {
            if (!seen.containsKey(k)) {
                missing.add(k);
            }
        });
        List<String> unexpected = new ArrayList<>();
        List<String> duplicated = new ArrayList<>();
        Map<Integer, Integer> histogram = new TreeMap<>();
        seen.forEach((k, n) -> {
            histogram.merge(n, 1, Integer::sum);
            if (!want.containsKey(k)) {
                unexpected.add(k);
            }
            if (n != 1) {
                duplicated.add(k + " x" + n);
            }
        });
        Tally t = new Tally(histogram, missing, unexpected, duplicated);
        assertThat(missing.size()).as(what + ": (sequence, block) pairs missing from the read_committed output,"
                + " first " + first(missing)).isZero();
        assertThat(duplicated.size()).as(what + ": (sequence, block) pairs seen more than once by read_committed,"
                + " first " + first(duplicated)).isZero();
        assertThat(unexpected.size()).as(what + ": (sequence, block) pairs that should not exist, first "
                + first(unexpected)).isZero();
        assertThat(records).as(what + ": records read").hasSize(want.size());
        assertThat(differences).as(what + ": records that differ from the expected ones (bitwise)").isEmpty();
        return t;
    }

    private static List<String> first(List<String> l) {
        return l.subList(0, Math.min(10, l.size()));
    }

    /** Null if the Avro record carries exactly the expected values (floats by raw bits), else the first difference. */
    static String bitwiseDifference(BlockContext e, io.longseq.schemas.BlockContext a) {
        if (!e.sequenceId.equals(a.getSequenceId())) {
            return "sequenceId " + e.sequenceId + " vs " + a.getSequenceId();
        }
        if (e.block != a.getBlock() || e.start != a.getStart() || e.end != a.getEnd()) {
            return "block/start/end " + e.block + "/" + e.start + "/" + e.end + " vs " + a.getBlock() + "/"
                    + a.getStart() + "/" + a.getEnd();
        }
        String d = floats("summary", e.summary, a.getSummary());
        if (d == null) {
            d = floats("context", e.context, a.getContext());
        }
        if (d != null) {
            return d;
        }
        if (Float.floatToRawIntBits(e.selfWeight) != Float.floatToRawIntBits(a.getSelfWeight())) {
            return "selfWeight " + e.selfWeight + " vs " + a.getSelfWeight();
        }
        if (Float.floatToRawIntBits(e.entropy) != Float.floatToRawIntBits(a.getEntropy())) {
            return "entropy " + e.entropy + " vs " + a.getEntropy();
        }
        List<TopEntry> top = a.getTop();
        if (top.size() != e.topLevel.length) {
            return top.size() + " top entries, expected " + e.topLevel.length;
        }
        for (int i = 0; i < top.size(); i++) {
            TopEntry t = top.get(i);
            String strand = e.topStrand != null && e.topStrand.length == top.size()
                    ? Character.toString((char) e.topStrand[i]) : null;
            if (t.getLevel() != e.topLevel[i] || t.getFirstBlock() != e.topFirst[i] || t.getLastBlock() != e.topLast[i]
                    || Float.floatToRawIntBits(t.getWeight()) != Float.floatToRawIntBits(e.topWeight[i])
                    || !java.util.Objects.equals(strand, t.getStrand())) {
                return "top entry " + i + ": " + t + " vs level " + e.topLevel[i] + " blocks " + e.topFirst[i] + ".."
                        + e.topLast[i] + " weight " + e.topWeight[i];
            }
        }
        return null;
    }

    private static String floats(String name, float[] e, List<Float> a) {
        if (a.size() != e.length) {
            return name + ": " + a.size() + " floats, expected " + e.length;
        }
        for (int i = 0; i < e.length; i++) {
            if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a.get(i))) {
                return name + "[" + i + "] " + e[i] + " vs " + a.get(i);
            }
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------- watching

    /**
     * A background read_committed consumer of a topic: how many records (and which distinct keys, via a key
     * function) have been committed so far. For deciding when to act during a run, never for the verdict.
     */
    static final class CommittedWatcher implements AutoCloseable {
        private final AtomicLong records = new AtomicLong();
        private final Set<String> distinct = Collections.synchronizedSet(new HashSet<>());
        private final Thread thread;
        private volatile boolean stop;

        CommittedWatcher(KafkaBrokerExtension kafka, String topic) {
            thread = new Thread(() -> {
                try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.consumerProps(true),
                        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                    List<TopicPartition> parts = new ArrayList<>();
                    for (PartitionInfo p : c.partitionsFor(topic)) {
                        parts.add(new TopicPartition(topic, p.partition()));
                    }
                    c.assign(parts);
                    c.seekToBeginning(parts);
                    while (!stop) {
                        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(50))) {
                            records.incrementAndGet();
                            distinct.add(key(decodeBlock(r)));
                        }
                    }
                }
            }, "committed-watcher-" + topic);
            thread.setDaemon(true);
            thread.start();
        }

        long records() {
            return records.get();
        }

        int distinct() {
            return distinct.size();
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(10_000);
        }
    }
}
