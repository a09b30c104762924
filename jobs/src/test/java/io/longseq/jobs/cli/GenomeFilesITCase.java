package io.longseq.jobs.cli;

import static io.longseq.jobs.cli.OfflineCommandTest.args;
import static io.longseq.jobs.cli.OfflineCommandTest.cli;
import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.jobs.MiniJson;
import io.longseq.jobs.TestInputs;
import io.longseq.jobs.kafka.AvroRecords;
import io.longseq.jobs.kafka.KafkaBrokerExtension;
import io.longseq.schemas.AvroCodec;
import io.longseq.stream.global.BlockContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The genome-browser files (docs/outputs.md) of a DNA input with planted repeats: {@code offline}, {@code run} (on
 * the embedded Flink, parallelism 2) and {@code consume --tracks} (from a Kafka topic holding the same blocks) write
 * the same bytes; Debian's {@code bedtools} reads them ({@code sort} and {@code pairtobed} succeed and keep every
 * record); and every line's coordinates and values are checked against blocks.jsonl, read with an independent JSON
 * parser and the configured block size (not the one the writer derives).
 */
class GenomeFilesITCase {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    /** The small model's block size (OfflineCommandTest.SMALL). */
    static final int B = 16;

    @TempDir
    static Path dir;

    static Path offline;

    /**
     * Two records: 3,200 random bases with [320, 800) copied to [2,000, 2,480) and [1,024, 1,280) to [2,816, 3,072)
     * (block-aligned: the copies' blocks equal their sources'), and 900 random bases; full global mode, so a far
     * copy meets its source as one entry.
     */
    @BeforeAll
    static void offlineRun() throws IOException {
        byte[] a = TestInputs.genomeWithRepeats(5, 3_200, List.of(new TestInputs.Repeat("1.7 kbp", 320, 2_000, 480),
                new TestInputs.Repeat("1.8 kbp", 1_024, 2_816, 256)));
        byte[] b = TestInputs.randomBases(new Random(8), 900);
        Path fasta = dir.resolve("two.fa");
        TestInputs.writeFasta(fasta, "chrA planted", a, 60);
        Files.write(fasta, (">chrB second\n" + new String(b, StandardCharsets.US_ASCII) + "\n")
                .getBytes(StandardCharsets.US_ASCII), java.nio.file.StandardOpenOption.APPEND);
        offline = dir.resolve("offline");
        OfflineCommandTest.Run run = cli(args("offline", fasta.toString(), "--out", offline.toString(),
                "--global-mode", "full"));
        assertThat(run.exit()).as(run.err()).isZero();
    }

    @Test
    void linesMatchBlocksJsonl() throws IOException {
        List<Map<String, Object>> blocks = OfflineCommandTest.blocks(offline);
        assertThat(blocks).hasSize(200 + 57);
        Set<String> expectedLinks = new HashSet<>();
        List<List<String>> expectedTracks = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (Map<String, Object> o : blocks) {
            String chrom = (String) o.get("sequenceId");
            long block = num(o.get("block")).asLong();
            long start = num(o.get("start")).asLong();
            long end = num(o.get("end")).asLong();
            assertThat(start).isEqualTo(block * B);
            String[] keys = {"selfWeight", "entropy", "novelty"};
            for (int t = 0; t < 3; t++) {
                expectedTracks.get(t).add(chrom + "\t" + start + "\t" + end + "\t" + num(o.get(keys[t])).asFloat());
            }
            for (Object x : (List<?>) o.get("top")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> e = (Map<String, Object>) x;
                float w = num(e.get("weight")).asFloat();
                if (w >= 0.05f) {
                    long first = num(e.get("firstBlock")).asLong();
                    long last = num(e.get("lastBlock")).asLong();
                    expectedLinks.add(String.join("\t", chrom, String.valueOf(first * B), String.valueOf((last + 1) * B),
                            chrom, String.valueOf(start), String.valueOf(end), "b" + block + "_L1_b" + first, "" + w,
                            ".", "."));
                }
            }
        }
        List<String> links = Files.readAllLines(offline.resolve("links.bedpe"));
        Set<String> parsedLinks = new HashSet<>();
        for (String l : links) {
            String[] f = l.split("\t", -1);
            assertThat(f).hasSize(10);
            f[7] = String.valueOf(Float.parseFloat(f[7])); // the weight as Float.toString writes it
            parsedLinks.add(String.join("\t", f));
        }
        assertThat(parsedLinks).hasSameSizeAs(links).isEqualTo(expectedLinks);
        // the planted copies: every inner block of a copy links to its source block, 1,680 and 1,792 bp earlier
        for (long s = 2_000 + B; s < 2_480 - B; s += B) {
            assertThat(links).as("copy block at %d", s).anyMatch(linkFrom(s, s - 1_680));
        }
        for (long s = 2_816 + B; s < 3_072 - B; s += B) {
            assertThat(links).as("copy block at %d", s).anyMatch(linkFrom(s, s - 1_792));
        }

        List<String> tracks = Files.readAllLines(offline.resolve("tracks.bedgraph"));
        List<String> parsedTracks = new ArrayList<>();
        List<String> trackLines = new ArrayList<>();
        for (String l : tracks) {
            if (l.startsWith("track ")) {
                trackLines.add(l);
                continue;
            }
            String[] f = l.split("\t", -1);
            assertThat(f).hasSize(4);
            parsedTracks.add(f[0] + "\t" + f[1] + "\t" + f[2] + "\t" + Float.parseFloat(f[3]));
        }
        assertThat(trackLines).hasSize(3).allMatch(t -> t.startsWith("track type=bedGraph name=\"longseq "));
        List<String> expected = new ArrayList<>();
        expectedTracks.forEach(expected::addAll);
        assertThat(parsedTracks).isEqualTo(expected);
        assertThat(tracks.get(0)).contains("self-weight");
        assertThat(tracks.get(1 + blocks.size())).contains("entropy");
        assertThat(tracks.get(2 + 2 * blocks.size())).contains("novelty");
    }

    private static java.util.function.Predicate<String> linkFrom(long blockStart, long sourceStart) {
        String prefix = "chrA\t" + sourceStart + "\t" + (sourceStart + B) + "\tchrA\t" + blockStart + "\t"
                + (blockStart + B) + "\t";
        return l -> l.startsWith(prefix);
    }

    @Test
    void bedtoolsSortsAndPairsEveryRecord() throws Exception {
        Assumptions.assumeTrue(bedtools(), "bedtools is not installed (Debian: apt-get install -y bedtools;"
                + " .ci/run installs it)");
        Path links = offline.resolve("links.bedpe");
        Path tracks = offline.resolve("tracks.bedgraph");
        List<String> linkLines = Files.readAllLines(links);
        assertThat(linkLines).hasSizeGreaterThan(20);
        long trackRecords = Files.readAllLines(tracks).stream().filter(l -> !l.startsWith("track ")).count();

        List<String> sortedTracks = run("bedtools", "sort", "-i", tracks.toString());
        assertThat(sortedTracks).hasSize((int) trackRecords);
        List<String> sortedLinks = run("bedtools", "sort", "-i", links.toString());
        assertThat(new HashSet<>(sortedLinks)).isEqualTo(new HashSet<>(linkLines));

        // the blocks as BED, from blocks.jsonl: each link's both ends lie on blocks, so -type both keeps every pair
        Path blocksBed = dir.resolve("blocks.bed");
        List<String> bed = new ArrayList<>();
        for (Map<String, Object> o : OfflineCommandTest.blocks(offline)) {
            bed.add(o.get("sequenceId") + "\t" + num(o.get("start")).asLong() + "\t" + num(o.get("end")).asLong());
        }
        Files.write(blocksBed, bed);
        List<String> paired = run("bedtools", "pairtobed", "-a", links.toString(), "-b", blocksBed.toString(),
                "-type", "both");
        Set<String> pairs = new HashSet<>();
        for (String l : paired) {
            String[] f = l.split("\t");
            pairs.add(String.join("\t", java.util.Arrays.copyOf(f, 10)));
        }
        assertThat(pairs).isEqualTo(new HashSet<>(linkLines));
    }

    @Test
    void runWritesTheSameFilesAsOffline() throws IOException {
        Path out = dir.resolve("run");
        OfflineCommandTest.Run run = cli(args("run", dir.resolve("two.fa").toString(), "--out", out.toString(),
                "--global-mode", "full", "--parallelism", "2", "--fragment-size", "333"));
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("resembles");
        for (String f : List.of("blocks.jsonl", "links.bedpe", "tracks.bedgraph")) {
            assertThat(Files.readAllBytes(out.resolve(f))).as(f).isEqualTo(Files.readAllBytes(offline.resolve(f)));
        }
    }

    /** The blocks of offline's run produced to a topic as the job would, then read back by consume --tracks. */
    @Test
    void consumeWritesTheSameFilesFromTheTopic() throws Exception {
        String topic = "genome-files-blocks";
        KAFKA.createTopic(topic, 1);
        Properties p = new Properties();
        p.put("bootstrap.servers", KAFKA.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (String line : Files.readAllLines(offline.resolve("blocks.jsonl"))) {
                BlockContext c = context(MiniJson.object(line));
                producer.send(new ProducerRecord<>(topic, c.sequenceId.getBytes(StandardCharsets.UTF_8),
                        AvroCodec.encode(AvroRecords.block(c)))).get(30, TimeUnit.SECONDS);
            }
        }
        Path out = dir.resolve("consumed");
        OfflineCommandTest.Run run = cli("consume", "--bootstrap-servers", KAFKA.bootstrapServers(), "--topic", topic,
                "--tracks", out.toString(), "--global-mode", "full", "--idle-timeout", "3");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).contains("257 records from " + topic);
        for (String f : List.of("links.bedpe", "tracks.bedgraph")) {
            assertThat(Files.readAllBytes(out.resolve(f))).as(f).isEqualTo(Files.readAllBytes(offline.resolve(f)));
        }
    }

    private static BlockContext context(Map<String, Object> o) {
        BlockContext c = new BlockContext();
        c.sequenceId = (String) o.get("sequenceId");
        c.block = num(o.get("block")).asLong();
        c.start = num(o.get("start")).asLong();
        c.end = num(o.get("end")).asLong();
        c.summary = floats(o.get("summary"));
        c.context = floats(o.get("context"));
        List<?> top = (List<?>) o.get("top");
        c.topLevel = new int[top.size()];
        c.topFirst = new long[top.size()];
        c.topLast = new long[top.size()];
        c.topWeight = new float[top.size()];
        for (int i = 0; i < top.size(); i++) {
            Map<?, ?> e = (Map<?, ?>) top.get(i);
            c.topLevel[i] = (int) num(e.get("level")).asLong();
            c.topFirst[i] = num(e.get("firstBlock")).asLong();
            c.topLast[i] = num(e.get("lastBlock")).asLong();
            c.topWeight[i] = num(e.get("weight")).asFloat();
        }
        c.selfWeight = num(o.get("selfWeight")).asFloat();
        c.entropy = num(o.get("entropy")).asFloat();
        c.novelty = num(o.get("novelty")).asFloat();
        return c;
    }

    private static MiniJson.Num num(Object o) {
        return (MiniJson.Num) o;
    }

    private static float[] floats(Object o) {
        List<?> l = (List<?>) o;
        float[] v = new float[l.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = num(l.get(i)).asFloat();
        }
        return v;
    }

    private static boolean bedtools() {
        try {
            return new ProcessBuilder("bedtools", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Runs a command, fails on a non-zero exit, returns its stdout lines. */
    private static List<String> run(String... cmd) throws IOException, InterruptedException {
        Path err = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        assertThat(exit).as(String.join(" ", cmd) + ": " + Files.readString(err)).isZero();
        return out.lines().toList();
    }
}
