package io.longseq.stream;

import io.longseq.math.BlockPooling;
import io.longseq.math.FeatureKind;
import io.longseq.math.Features;
import io.longseq.math.LocalTier;
import io.longseq.math.ModelConfig;
import io.longseq.math.Nd4jRuntime;
import io.longseq.math.Weights;
import java.util.Arrays;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

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
 */
public class LocalAttentionFunction extends RichMapFunction<Chunk, ChunkSummary> {

    private static final long serialVersionUID = 1L;

    private final StreamSettings settings;

    private transient ModelConfig cfg;
    private transient LocalTier local;
    private transient BlockPooling pooling;
    private transient float[] z;          // [C, d]
    private transient float[] summaries;  // [C/B, d]
    private transient WarmupGate warmup;

    public LocalAttentionFunction(StreamSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext ctx) {
        cfg = settings.model();
        Nd4jRuntime.init(1);
        Weights weights = ModelWeights.load(settings);
        local = new LocalTier(cfg, weights);
        pooling = new BlockPooling(cfg, weights);
        z = new float[cfg.chunkSize() * cfg.dModel()];
        summaries = new float[pooling.blocks(cfg.chunkSize()) * cfg.dModel()];
        warmup = new WarmupGate(settings.warmupChunks());
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
        s.z = new float[0];
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
        warmup.run(() -> local.forward(ids, idsFirst, idsN, c.coreFrom, c.coreTo, z, prefixIds, prefixN));
        if (settings.tokenContexts()) {
            s.z = Arrays.copyOf(z, len * d);
        }
        pooling.pool(z, len, summaries);
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
