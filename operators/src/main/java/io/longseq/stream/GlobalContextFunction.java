package io.longseq.stream;

import io.longseq.math.BlockMemory;
import io.longseq.math.BlockResult;
import io.longseq.math.GlobalTier;
import io.longseq.math.MemoryState;
import io.longseq.math.ModelConfig;
import io.longseq.math.Weights;
import java.util.Arrays;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * {@code global-context} (keyed by sequence id, DESIGN.md 3): takes chunk summaries in any order (parallel
 * local-attention subtasks reorder them), processes them in chunk order through the global tier, and emits one
 * {@link BlockContext} per block (and, when on, its {@link TokenContext} to {@link StreamTypes#TOKEN_CONTEXTS}).
 *
 * <p>Keyed state: the block memory as {@link MemoryState} bytes (primitive arrays, bounded in hierarchical mode),
 * the next chunk index, and the summaries that arrived early. The chunk that carries {@code last} (or an abort
 * marker) clears all of it. No timers: {@code assemble} always ends a sequence it sent chunks for with a last
 * chunk or an abort marker.
 */
public class GlobalContextFunction extends KeyedProcessFunction<String, ChunkSummary, BlockContext> {

    private static final long serialVersionUID = 1L;

    private final StreamSettings settings;

    private transient ValueState<byte[]> memoryState;
    private transient ValueState<Long> nextChunkState;
    private transient MapState<Long, ChunkSummary> earlyState;

    private transient ModelConfig cfg;
    private transient GlobalTier global;

    public GlobalContextFunction(StreamSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext ctx) {
        memoryState = getRuntimeContext().getState(
                new ValueStateDescriptor<>("memory", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        nextChunkState = getRuntimeContext().getState(new ValueStateDescriptor<>("next-chunk", Types.LONG));
        earlyState = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("early-summaries", Types.LONG, StreamTypes.CHUNK_SUMMARY));
        cfg = settings.model();
        Weights weights = ModelWeights.load(settings);
        global = new GlobalTier(cfg, weights);
    }

    @Override
    public void processElement(ChunkSummary s, Context ctx, Collector<BlockContext> out) throws Exception {
        Long next = nextChunkState.value();
        long expected = next == null ? 0 : next;
        if (s.index < expected) {
            return; // processed already: a duplicate (not expected with exactly-once delivery)
        }
        if (s.index != expected) {
            earlyState.put(s.index, s);
            nextChunkState.update(expected);
            return;
        }
        ChunkSummary current = s;
        while (current != null) {
            if (process(current, ctx, out)) {
                return; // the sequence ended: its state is cleared
            }
            expected++;
            current = earlyState.get(expected);
            if (current != null) {
                earlyState.remove(expected);
            }
        }
        nextChunkState.update(expected);
    }

    // one chunk in order; true if it ended the sequence
    private boolean process(ChunkSummary s, Context ctx, Collector<BlockContext> out) throws Exception {
        if (!s.aborted) {
            byte[] saved = memoryState.value();
            BlockMemory memory = saved == null ? BlockMemory.create(cfg)
                    : BlockMemory.fromState(cfg, MemoryState.fromBytes(saved));
            int d = cfg.dModel();
            int b = cfg.blockSize();
            int blocks = s.summaries.length / d;
            for (int i = 0; i < blocks; i++) {
                long start = s.coreFrom + (long) i * b;
                long end = Math.min(s.coreTo, start + b);
                float[] summary = Arrays.copyOfRange(s.summaries, i * d, (i + 1) * d); // [d]
                BlockResult r = global.step(memory, start, end, summary);
                out.collect(BlockContext.of(s.sequenceId, r));
                if (settings.tokenContexts()) {
                    ctx.output(StreamTypes.TOKEN_CONTEXTS, tokens(s, r, start, end));
                }
            }
            if (!s.last) {
                memoryState.update(memory.toState().toBytes());
            }
        }
        if (s.last || s.aborted) {
            memoryState.clear();
            nextChunkState.clear();
            earlyState.clear();
            return true;
        }
        return false;
    }

    // u_i = z_i + g_b·W_go for the positions of block b: [end − start, d]
    private TokenContext tokens(ChunkSummary s, BlockResult r, long start, long end) {
        int d = cfg.dModel();
        float[] delta = global.lastDelta(); // [d]
        int n = (int) (end - start);
        float[] u = new float[n * d];
        int from = (int) (start - s.coreFrom) * d;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < d; c++) {
                u[i * d + c] = s.z[from + i * d + c] + delta[c];
            }
        }
        return new TokenContext(s.sequenceId, r.block(), start, end, u);
    }
}
