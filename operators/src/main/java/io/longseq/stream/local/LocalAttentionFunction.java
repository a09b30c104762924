package io.longseq.stream.local;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.features.Features;
import io.longseq.math.kernel.KernelReport;
import io.longseq.math.kernel.LocalTier;
import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.memory.BlockPooling;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.model.ReverseStrand;
import io.longseq.math.model.Strand;
import io.longseq.math.weights.Weights;
import io.longseq.stream.ModelWeights;
import io.longseq.stream.OperatorMetrics;
import io.longseq.stream.StartupTrace;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.assemble.Chunk;
import java.util.Arrays;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code local-attention} (stateless, full parallelism, docs/design.md 3): embedding and the L local layers over one
 * chunk and its halos, then block pooling, into a {@link ChunkSummary}.
 *
 * <p>The ND4J buffers (inside {@link LocalTier}) are created in {@link #open} and released in {@link #close}, and
 * ND4J runs one thread per subtask: parallelism comes from subtasks. A chunk depends only on its own symbols
 * (and, in local mode SINKS, the sequence prefix it carries), so any subtask computes it bit for bit the same.
 *
 * <p>Each subtask's first {@link StreamSettings#warmupChunks} chunks pass a {@link WarmupGate}: one subtask per JVM
 * at a time, while the JIT compiles the kernels.
 *
 * <p>At {@link #open} each subtask logs the kernels it runs ({@link KernelReport}: Vector API shape, attention kernel,
 * the ND4J native build that loaded) and exports them as the gauge {@code longseq.kernel.<label>.info} (= 1), beside
 * the chunks it computed and their kernel time ({@link OperatorMetrics}).
 */
public class LocalAttentionFunction extends RichMapFunction<Chunk, ChunkSummary> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LocalAttentionFunction.class);

    private final StreamSettings settings;

    private transient ModelConfig cfg;
    private transient LocalTier local;
    private transient BlockPooling pooling;
    private transient float[] z;          // [C, d]
    private transient float[] summaries;  // [C/B, d]
    private transient ReverseStrand reverse;  // Strand.BOTH, else null
    private transient float[] zReverse;   // [C, d] Strand.BOTH
    private transient WarmupGate warmup;
    private transient Counter chunksProcessed;
    private transient Histogram kernelTime;   // µs per chunk
    private transient long startedAt;        // System.nanoTime() when the current chunk's kernels started

    public LocalAttentionFunction(StreamSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext ctx) {
        StartupTrace.mark("local-attention-open");
        cfg = settings.model();
        Nd4jRuntime.init(1);
        StartupTrace.mark("nd4j-loaded");
        Weights weights = ModelWeights.load(settings);
        local = new LocalTier(cfg, weights);
        pooling = new BlockPooling(cfg, weights);
        z = new float[cfg.chunkSize() * cfg.dModel()];
        summaries = new float[pooling.blocks(cfg.chunkSize()) * cfg.dModel()];
        if (cfg.strand() == Strand.BOTH) {
            reverse = new ReverseStrand(cfg);
            zReverse = new float[cfg.chunkSize() * cfg.dModel()];
        }
        warmup = new WarmupGate(settings.warmupChunks());
        KernelReport kernels = local.kernelReport();
        LOG.info("{}: {}", getRuntimeContext().getTaskInfo().getTaskNameWithSubtasks(), kernels.describe());
        MetricGroup metrics = OperatorMetrics.group(getRuntimeContext());
        metrics.addGroup(OperatorMetrics.KERNEL, kernels.label()).gauge(OperatorMetrics.KERNEL_INFO, () -> 1);
        chunksProcessed = metrics.counter(OperatorMetrics.CHUNKS_PROCESSED);
        kernelTime = OperatorMetrics.histogram(metrics, OperatorMetrics.KERNEL_TIME);
        StartupTrace.mark("local-attention-ready");
    }

    @Override
    public ChunkSummary map(Chunk c) throws InterruptedException {
        ChunkSummary s = new ChunkSummary();
        s.sequenceId = c.sequenceId;
        s.index = c.index;
        s.coreFrom = c.coreFrom;
        s.coreTo = c.coreTo;
        s.last = c.last;
        s.aborted = c.aborted;
        s.arrivedAt = c.arrivedAt;
        s.z = new float[0];
        s.reverseSummaries = new float[0];
        if (c.aborted) {
            s.summaries = new float[0];
            return s;
        }
        int d = cfg.dModel();
        int len = (int) (c.coreTo - c.coreFrom);
        // the model's feature ids of the array: DNA k-mers start k−1 positions into it (except at position 0)
        int[] ids = ids(c.symbols, c.first, c.positions);
        long idsFirst = c.first + (cfg.featureKind() == FeatureKind.DNA ? Features.dnaContext(c.first, cfg) : 0);
        int idsN = (int) (c.first + c.positions - idsFirst);
        int prefixN = c.prefix.length / settings.symbolsPerPosition();
        int[] prefixIds = c.prefix.length > 0 ? ids(c.prefix, 0, prefixN) : null;
        warmup.run(() -> {
            startedAt = System.nanoTime(); // not the time spent waiting for the gate
            local.forward(ids, idsFirst, idsN, c.coreFrom, c.coreTo, z, prefixIds, prefixN);
            if (reverse != null) {
                reverse.forward(local, ids, idsFirst, idsN, c.coreFrom, c.coreTo, zReverse);
            }
        });
        if (settings.tokenContexts()) {
            s.z = Arrays.copyOf(z, len * d);
        }
        StartupTrace.mark("first-chunk");
        pooling.pool(z, len, summaries);
        if (reverse != null) {
            s.reverseSummaries = new float[pooling.blocks(len) * d];
            pooling.pool(zReverse, len, s.reverseSummaries);
        }
        kernelTime.update((System.nanoTime() - startedAt) / 1_000);
        chunksProcessed.inc();
        s.summaries = Arrays.copyOf(summaries, pooling.blocks(len) * d);
        return s;
    }

    // symbols of positions [first, first + n) -> feature ids (DNA: k-mers of the computable positions)
    private int[] ids(int[] symbols, long first, int n) {
        if (cfg.featureKind() != FeatureKind.DNA) {
            return symbols;
        }
        byte[] bases = new byte[n]; // [n]
        for (int i = 0; i < n; i++) {
            bases[i] = (byte) symbols[i];
        }
        return Features.dnaKmers(bases, 0, n, first, cfg);
    }

    @Override
    public void close() {
        if (local != null) {
            local.close();
            local = null;
        }
    }
}
