package io.longseq.jobs;

import io.longseq.jobs.offline.Engine;
import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.memory.BigBirdMemory;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.ChunkedModel;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.Weights;
import io.longseq.math.weights.WeightsInit;
import io.longseq.stream.DeadLetter;
import io.longseq.stream.Notice;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.StreamTypes;
import io.longseq.stream.global.BlockContext;
import io.longseq.stream.input.SequenceFragment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Runs {@link LongseqJob#build} on a MiniCluster (the test's {@code MiniClusterExtension} is the context
 * environment) and collects all three outputs; offline expectations from {@link ChunkedModel} and the reference;
 * comparisons that say where two outputs first differ.
 */
public final class PipelineRuns {

    /** The outputs of one streamed run; blocks grouped per sequence, sorted by block. */
    record Output(Map<String, List<BlockContext>> blocks, List<Notice> notices, List<DeadLetter> deadLetters,
                  long millis) {}

    private PipelineRuns() {}

    /** The job on the plan's fragments (one source subtask, arrival order as planned) at the given parallelism. */
    public static Output stream(StreamSettings settings, int parallelism, PlannedFragments plan) throws Exception {
        return stream(settings, parallelism, plan, new Configuration());
    }

    /** As {@link #stream(StreamSettings, int, PlannedFragments)} with a job configuration (state backend, checkpoints). */
    public static Output stream(StreamSettings settings, int parallelism, PlannedFragments plan, Configuration conf)
            throws Exception {
        long t0 = System.nanoTime();
        StreamExecutionEnvironment env = LongseqJob.environment(conf);
        env.setParallelism(parallelism);
        DataStream<SequenceFragment> fragments = env
                .fromSource(new DataGeneratorSource<>(plan, plan.count(), StreamTypes.FRAGMENT),
                        WatermarkStrategy.noWatermarks(), "planned-fragments")
                .setParallelism(1);
        LongseqJob.Outputs out = LongseqJob.build(fragments, settings);
        CloseableIterator<BlockContext> blocks = out.blocks().collectAsync();
        CloseableIterator<Notice> notices = out.notices().collectAsync();
        CloseableIterator<DeadLetter> dead = out.deadLetters().collectAsync();
        JobClient client = env.executeAsync("longseq-test p" + parallelism);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            // all three drained at once, so no collect sink waits on a reader that is busy elsewhere
            Future<List<BlockContext>> b = pool.submit(() -> drain(blocks));
            Future<List<Notice>> n = pool.submit(() -> drain(notices));
            Future<List<DeadLetter>> d = pool.submit(() -> drain(dead));
            List<BlockContext> all = b.get();
            List<Notice> ns = n.get();
            List<DeadLetter> ds = d.get();
            client.getJobExecutionResult().get();
            return new Output(group(all), ns, ds, (System.nanoTime() - t0) / 1_000_000);
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> List<T> drain(CloseableIterator<T> it) throws Exception {
        List<T> all = new ArrayList<>();
        try (it) {
            while (it.hasNext()) {
                all.add(it.next());
            }
        }
        return all;
    }

    /** Per sequence id (sorted), the blocks sorted by block index (duplicates kept, so they show). */
    public static Map<String, List<BlockContext>> group(List<BlockContext> all) {
        Map<String, List<BlockContext>> m = new TreeMap<>();
        for (BlockContext c : all) {
            m.computeIfAbsent(c.sequenceId, k -> new ArrayList<>()).add(c);
        }
        m.values().forEach(l -> l.sort(Comparator.comparingLong(c -> c.block)));
        return m;
    }

    /** {@link ChunkedModel} (ND4J, offline, whole sequence) with the default weights of the stream settings. */
    public static List<BlockContext> chunked(String id, int[] ids, int n, ModelConfig cfg, Weights weights) {
        Nd4jRuntime.init(1);
        try (ChunkedModel m = new ChunkedModel(cfg, weights)) {
            return contexts(id, m.run(ids, n, false, done -> { }, BigBirdMemory.sequenceSeed(id)).blocks());
        }
    }

    /** The double-precision reference (plain loops, whole sequence). */
    public static List<BlockContext> reference(String id, int[] ids, int n, ModelConfig cfg, Weights weights) {
        try (Engine e = Engine.create(Engine.Kind.REFERENCE, cfg, weights)) {
            return contexts(id, e.run(ids, n, done -> { }, BigBirdMemory.sequenceSeed(id)));
        }
    }

    /** The weights a stream run with {@code StreamSettings.defaults} uses: the seeded default init, seed 42. */
    public static Weights defaultWeights(ModelConfig cfg) {
        return WeightsInit.defaults(cfg, 42L);
    }

    public static List<BlockContext> contexts(String id, List<BlockResult> results) {
        List<BlockContext> l = new ArrayList<>(results.size());
        for (BlockResult r : results) {
            l.add(BlockContext.of(id, r));
        }
        return l;
    }

    /** Null if the two are bitwise equal, else where they first differ. */
    public static String firstDifference(Map<String, List<BlockContext>> expected, Map<String, List<BlockContext>> actual) {
        if (!expected.keySet().equals(actual.keySet())) {
            return "sequence ids differ: expected " + abbreviate(expected.keySet()) + ", got " + abbreviate(actual.keySet());
        }
        for (String id : expected.keySet()) {
            String d = firstDifference(expected.get(id), actual.get(id));
            if (d != null) {
                return "sequence '" + id + "': " + d;
            }
        }
        return null;
    }

    // top entry k's strand byte, 0 when the record states none
    private static byte strand(BlockContext c, int k) {
        return c.topStrand != null && k < c.topStrand.length ? c.topStrand[k] : 0;
    }

    /** Null if the two lists are bitwise equal, else where they first differ. */
    public static String firstDifference(List<BlockContext> expected, List<BlockContext> actual) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            BlockContext e = expected.get(i);
            BlockContext a = actual.get(i);
            if (!e.equals(a)) {
                return "block " + e.block + " (index " + i + "): " + fieldDifference(e, a);
            }
        }
        if (expected.size() != actual.size()) {
            return expected.size() + " blocks expected, got " + actual.size();
        }
        return null;
    }

    private static String fieldDifference(BlockContext e, BlockContext a) {
        if (e.block != a.block || e.start != a.start || e.end != a.end) {
            return "block/start/end " + e.block + "/" + e.start + "/" + e.end + " vs " + a.block + "/" + a.start + "/"
                    + a.end;
        }
        if (!Arrays.equals(e.summary, a.summary)) {
            return "summary differs, max abs " + maxAbs(e.summary, a.summary);
        }
        if (!Arrays.equals(e.context, a.context)) {
            return "context differs, max abs " + maxAbs(e.context, a.context);
        }
        return "top/self/entropy differ: top " + Arrays.toString(e.topFirst) + " " + Arrays.toString(e.topWeight)
                + " vs " + Arrays.toString(a.topFirst) + " " + Arrays.toString(a.topWeight) + ", self " + e.selfWeight
                + " vs " + a.selfWeight + ", entropy " + e.entropy + " vs " + a.entropy;
    }

    public static double maxAbs(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (!(d <= m)) {
                m = d; // NaN propagates
            }
        }
        return m;
    }

    /** Largest absolute differences between two runs' blocks (same blocks required). */
    record Diffs(double summary, double context, double selfWeight, double entropy, double topWeight,
                 int topIdentityMismatches, int topIdentityMismatchesNotTies, String worst) {

        double vectors() {
            return Math.max(summary, context);
        }

        double all() {
            return Math.max(Math.max(vectors(), Math.max(selfWeight, entropy)), topWeight);
        }
    }

    /**
     * Element-wise differences of two block lists with the same blocks (block, start, end must match exactly).
     * Top entries are compared by rank: weights by value; identities (level, first, last) count as a mismatch, and
     * as a "real" one unless the expected weights of the neighbouring ranks are within {@code tieTolerance}.
     */
    public static Diffs diffs(List<BlockContext> expected, List<BlockContext> actual, double tieTolerance) {
        if (expected.size() != actual.size()) {
            throw new AssertionError(expected.size() + " blocks expected, got " + actual.size());
        }
        double s = 0, c = 0, sw = 0, en = 0, tw = 0;
        int mism = 0, real = 0;
        String worst = "";
        double worstV = -1;
        for (int i = 0; i < expected.size(); i++) {
            BlockContext e = expected.get(i);
            BlockContext a = actual.get(i);
            if (e.block != a.block || e.start != a.start || e.end != a.end || !e.sequenceId.equals(a.sequenceId)) {
                throw new AssertionError("block " + i + " differs in identity: " + e + " [" + e.start + ", " + e.end
                        + ") vs " + a + " [" + a.start + ", " + a.end + ")");
            }
            double ds = maxAbs(e.summary, a.summary);
            double dc = maxAbs(e.context, a.context);
            if (Math.max(ds, dc) > worstV) {
                worstV = Math.max(ds, dc);
                worst = "block " + e.block;
            }
            s = Math.max(s, ds);
            c = Math.max(c, dc);
            sw = Math.max(sw, Math.abs((double) e.selfWeight - a.selfWeight));
            en = Math.max(en, Math.abs((double) e.entropy - a.entropy));
            if (e.topWeight.length != a.topWeight.length) {
                throw new AssertionError("block " + e.block + ": " + e.topWeight.length + " top entries expected, got "
                        + a.topWeight.length);
            }
            tw = Math.max(tw, maxAbs(e.topWeight, a.topWeight));
            for (int k = 0; k < e.topWeight.length; k++) {
                boolean same = e.topLevel[k] == a.topLevel[k] && e.topFirst[k] == a.topFirst[k]
                        && e.topLast[k] == a.topLast[k] && strand(e, k) == strand(a, k);
                if (!same) {
                    mism++;
                    boolean tie = (k > 0 && Math.abs(e.topWeight[k] - e.topWeight[k - 1]) <= tieTolerance)
                            || (k + 1 < e.topWeight.length && Math.abs(e.topWeight[k] - e.topWeight[k + 1]) <= tieTolerance);
                    if (!tie) {
                        real++;
                    }
                }
            }
        }
        return new Diffs(s, c, sw, en, tw, mism, real, worst);
    }

    private static String abbreviate(java.util.Collection<String> ids) {
        List<String> l = new ArrayList<>(ids);
        return l.size() <= 5 ? l.toString() : l.subList(0, 5) + "... (" + l.size() + ")";
    }
}
