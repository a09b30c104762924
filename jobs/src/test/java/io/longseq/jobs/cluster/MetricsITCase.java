package io.longseq.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.jobs.LongseqJob;
import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.ModelConfig;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.StreamTypes;
import io.longseq.stream.assemble.GapPolicy;
import io.longseq.stream.input.DeadLetterRule;
import io.longseq.stream.input.SequenceFragment;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;

/**
 * The job's metrics as Prometheus and the web UI's REST API see them, DURING a run: the job on the embedded cluster
 * as {@code run} configures it ({@link EmbeddedCluster#configure}: {@code --metrics-port} and {@code --web-ui} on
 * free ports), over an unbounded, rate-limited stream of fragments of three sequences that never end and one
 * fragment with an invalid base. The endpoints are scraped until every metric has a plausible value, then the job is
 * cancelled. Also checks that every socket the embedded cluster listens on is bound to 127.0.0.1, with the web UI
 * and without.
 */
class MetricsITCase {

    static final ModelConfig MODEL = ModelConfig.builder().featureKind(FeatureKind.DNA).kmer(4).dModel(32).heads(4)
            .window(16).layers(1).ffnDim(64).blockSize(64).chunkSize(256).build();
    static final int FRAGMENT = 200;
    static final int OPEN = 3;
    static final long BAD_AT = 30;
    static final String OP = "flink_taskmanager_job_task_operator_longseq_";

    /** Fragment i: the (i / 3)-th of sequence "open-(i % 3)", never the last; fragment 30 holds an invalid base. */
    static final class Fragments implements GeneratorFunction<Long, SequenceFragment> {
        @Override
        public SequenceFragment map(Long i) {
            if (i == BAD_AT) {
                return new SequenceFragment("bad", 0, FeatureKind.DNA, "ACGT-ACGT".getBytes(StandardCharsets.US_ASCII),
                        false).from("generator", 0, i);
            }
            long n = i > BAD_AT ? i - 1 : i;
            Random r = new Random(n);
            byte[] b = new byte[FRAGMENT];
            for (int k = 0; k < b.length; k++) {
                b[k] = (byte) "ACGT".charAt(r.nextInt(4));
            }
            return new SequenceFragment("open-" + n % OPEN, n / OPEN * FRAGMENT, FeatureKind.DNA, b, false)
                    .from("generator", 0, i);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void prometheusAndTheWebUiShowTheJobsMetricsWhileItRuns() throws Exception {
        int metricsPort = freePort();
        int restPort = freePort();
        Configuration conf = new Configuration();
        conf.set(DeployOptions.METRICS_PORT, metricsPort);
        conf.set(DeployOptions.WEB_UI, true);
        conf.set(RestOptions.PORT, restPort);
        EmbeddedCluster.configure(conf);
        assertThat(EmbeddedCluster.addresses(conf)).containsExactly(
                "web UI: http://127.0.0.1:" + restPort + " (while the job runs)",
                "metrics: http://127.0.0.1:" + metricsPort + "/metrics (Prometheus, while the job runs)");

        List<String> before = Scrape.listeningHere();
        JobClient client = start(conf);
        try {
            String url = "http://127.0.0.1:" + metricsPort + "/metrics";
            List<Scrape.Sample> s = awaitScrape(url, Duration.ofSeconds(60), all -> value(all, "blocksOut", null) > 0
                    && value(all, "lagMs_count", null) > 0
                    && value(all, "openSequences", "global-context") == OPEN
                    && value(all, "reason_deadLetters", "validate", "invalid-base") == 1
                    && value(all, "tombstones", "assemble") >= 1); // 'bad' reaches assemble after validate counts it
            System.out.println("[MetricsITCase] the job's metrics as Prometheus showed them:");
            s.stream().filter(x -> x.name().startsWith(OP)).map(x -> "  " + x.name() + " " + labels(x) + " "
                    + x.value()).distinct().sorted().forEach(System.out::println);

            assertThat(value(s, "positionsIn", "validate")).isGreaterThanOrEqualTo(9 * FRAGMENT);
            assertThat(value(s, "chunksAssembled", "assemble")).isPositive();
            assertThat(value(s, "chunksProcessed", "local-attention")).isPositive();
            assertThat(value(s, "kernelTimeUs_count", "local-attention")).isPositive();
            assertThat(value(s, "kernelTimeUs", "local-attention", "0.5")).as("median µs per chunk")
                    .isGreaterThan(0).isLessThan(10_000_000);
            assertThat(value(s, "blocksOut", "global-context")).isPositive();
            // no partial blocks (none ended): whole blocks of positions. Not positionsOut = blocksOut × B: a scrape
            // reads each counter at its own moment while chunks go on, so one may already count a chunk the other not
            assertThat(value(s, "positionsOut", "global-context") % MODEL.blockSize()).isZero();
            assertThat(value(s, "positionsOut", "global-context")).isPositive();
            assertThat(value(s, "lagMs", "global-context", "0.5")).as("median ms from arrival to blocks")
                    .isGreaterThanOrEqualTo(0).isLessThan(60_000);
            assertThat(value(s, "openSequences", "assemble")).isEqualTo(OPEN);
            assertThat(value(s, "positionsWaiting", "assemble")).isZero();
            assertThat(value(s, "tombstones", "assemble")).as("'bad', given up for its refused positions")
                    .isEqualTo(1);
            // the mean is a whole number of bytes, held / OPEN rounded down
            double mean = value(s, "memoryBytesMean", "global-context");
            assertThat(value(s, "memoryBytesHeld", "global-context")).isPositive()
                    .isGreaterThanOrEqualTo(OPEN * mean).isLessThan(OPEN * (mean + 1));
            assertThat(value(s, "memoryBytesMax", "global-context")).isPositive();
            assertThat(value(s, "memoryBytesLast", "global-context")).isPositive();
            List<Scrape.Sample> kernel = named(s, "kernel_info");
            assertThat(kernel).hasSize(1);
            assertThat(kernel.get(0).value()).isEqualTo(1);
            assertThat(kernel.get(0).labels().get("kernel"))
                    .matches("(vector-\\d+|scalar)/attention-(fused-\\d+|scalar|nd4j)/linux-x86_64\\S*");
            List<Scrape.Sample> dead = named(s, "reason_deadLetters");
            assertThat(dead).as("one counter per stage and rule, no more").hasSize(
                    DeadLetterRule.VALIDATE.size() + DeadLetterRule.ASSEMBLE.size());
            assertThat(dead).allSatisfy(d -> assertThat(DeadLetterRule.valueOf(
                    d.labels().get("reason").toUpperCase().replace('-', '_')).label()).isEqualTo(d.labels().get("reason")));
            assertThat(dead.stream().mapToDouble(Scrape.Sample::value).sum()).as("only the invalid base").isEqualTo(1);

            // the web UI and its REST API: the page, the job, the operators' metrics
            String rest = "http://127.0.0.1:" + restPort;
            assertThat(Scrape.get(rest + "/")).contains("Apache Flink Web Dashboard");
            String job = client.getJobID().toHexString();
            String vertices = Scrape.get(rest + "/jobs/" + job);
            assertThat(vertices).contains("\"state\":\"RUNNING\"");
            java.util.regex.Matcher v = java.util.regex.Pattern.compile("\"id\":\"([0-9a-f]{32})\"").matcher(vertices);
            StringBuilder ids = new StringBuilder();
            while (v.find()) {
                ids.append(Scrape.get(rest + "/jobs/" + job + "/vertices/" + v.group(1) + "/metrics"));
            }
            assertThat(ids.toString()).contains(".validate.longseq.positionsIn", ".assemble.longseq.openSequences",
                    ".local-attention.longseq.kernelTimeUs", ".global-context.longseq.lagMs");

            // REST and metrics on the loopback address only
            assertThat(Scrape.listening(restPort)).as("REST").isNotEmpty()
                    .allMatch(a -> a.equals("127.0.0.1") || a.equals("::ffff:127.0.0.1"));
            assertThat(Scrape.listening(metricsPort)).as("metrics").isNotEmpty()
                    .allMatch(a -> a.equals("127.0.0.1") || a.equals("::ffff:127.0.0.1"));
            List<String> opened = new java.util.ArrayList<>(Scrape.listeningHere());
            opened.removeAll(before);
            System.out.println("[MetricsITCase] the embedded cluster listens on " + opened);
            assertThat(opened).as("every socket the embedded cluster listens on").hasSizeGreaterThanOrEqualTo(2)
                    .allMatch(a -> a.startsWith("127.0.0.1:") || a.startsWith("::ffff:127.0.0.1:"));
        } finally {
            client.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    /** The job, unbounded, on the embedded cluster of {@code conf}. */
    static JobClient start(Configuration conf) throws Exception {
        StreamExecutionEnvironment env = LongseqJob.environment(conf);
        env.setParallelism(1);
        DataStream<SequenceFragment> fragments = env.fromSource(new DataGeneratorSource<>(new Fragments(),
                Long.MAX_VALUE, RateLimiterStrategy.perSecond(40), StreamTypes.FRAGMENT),
                WatermarkStrategy.noWatermarks(), "fragments");
        LongseqJob.Outputs out = LongseqJob.build(fragments,
                StreamSettings.defaults(MODEL).withGapPolicy(GapPolicy.FAIL_SEQUENCE)); // gives "bad" up at once
        out.blocks().sinkTo(new DiscardingSink<>());
        out.deadLetters().sinkTo(new DiscardingSink<>());
        out.notices().sinkTo(new DiscardingSink<>());
        return env.executeAsync("metrics-itcase");
    }

    @Test
    void withoutTheWebUiTheEmbeddedClusterStillListensOnLoopbackOnly() throws Exception {
        Configuration conf = new Configuration();
        EmbeddedCluster.configure(conf);
        assertThat(EmbeddedCluster.addresses(conf)).isEmpty();
        List<String> before = Scrape.listeningHere();
        JobClient client = start(conf);
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (client.getJobStatus().get() != org.apache.flink.api.common.JobStatus.RUNNING
                    && System.nanoTime() < end) {
                Thread.sleep(200);
            }
            List<String> opened = new java.util.ArrayList<>(Scrape.listeningHere());
            opened.removeAll(before);
            System.out.println("[MetricsITCase] without --web-ui the embedded cluster listens on " + opened);
            assertThat(opened).as("REST and the blob server at least").hasSizeGreaterThanOrEqualTo(2)
                    .allMatch(a -> a.startsWith("127.0.0.1:") || a.startsWith("::ffff:127.0.0.1:"));
        } finally {
            client.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    static List<Scrape.Sample> awaitScrape(String url, Duration timeout, Predicate<List<Scrape.Sample>> done)
            throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        List<Scrape.Sample> last = List.of();
        while (System.nanoTime() < end) {
            String text = Scrape.get(url);
            if (text != null) {
                last = Scrape.samples(text);
                if (done.test(last)) {
                    return last;
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("metrics not there within " + timeout + "; last scrape: " + named(last, ""));
    }

    /** The samples of the job's metric {@code name} ({@code longseq_<name>}). */
    static List<Scrape.Sample> named(List<Scrape.Sample> all, String name) {
        return all.stream().filter(x -> x.name().equals(OP + name) || name.isEmpty() && x.name().startsWith(OP))
                .toList();
    }

    /**
     * The sum of {@code name} over subtasks of {@code operator} (any when null), of the given reason or quantile
     * (when given); NaN when there is no such sample.
     */
    static double value(List<Scrape.Sample> all, String name, String operator, String... reasonOrQuantile) {
        List<Scrape.Sample> s = named(all, name).stream()
                .filter(x -> operator == null || operator.equals(x.labels().get("operator_name")))
                .filter(x -> reasonOrQuantile.length == 0 || reasonOrQuantile[0].equals(x.labels().get("reason"))
                        || reasonOrQuantile[0].equals(x.labels().get("quantile")))
                .toList();
        return s.isEmpty() ? Double.NaN : s.stream().mapToDouble(Scrape.Sample::value).sum();
    }

    static String labels(Scrape.Sample s) {
        Map<String, String> shown = new java.util.TreeMap<>(s.labels());
        shown.keySet().retainAll(List.of("operator_name", "reason", "quantile", "kernel", "subtask_index"));
        return shown.toString();
    }
}
