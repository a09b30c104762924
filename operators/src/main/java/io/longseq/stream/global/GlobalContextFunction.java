package io.longseq.stream.global;

import io.longseq.math.memory.BigBirdMemory;
import io.longseq.math.memory.BlockMemory;
import io.longseq.math.memory.FullMemory;
import io.longseq.math.memory.GlobalTier;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.Weights;
import io.longseq.stream.BoundedText;
import io.longseq.stream.ModelWeights;
import io.longseq.stream.Notice;
import io.longseq.stream.OperatorMetrics;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.StreamTypes;
import io.longseq.stream.assemble.OpenSequences;
import io.longseq.stream.input.ValidateFunction;
import io.longseq.stream.local.ChunkSummary;
import java.util.Arrays;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * {@code global-context} (keyed by sequence id, docs/design.md 3): takes chunk summaries in any order (parallel
 * local-attention subtasks reorder them), processes them in chunk order through the global tier, and emits one
 * {@link BlockContext} per block (and, when on, its {@link TokenContext} to {@link StreamTypes#TOKEN_CONTEXTS}).
 *
 * <p>Keyed state: the block memory as {@link io.longseq.math.memory.MemoryState} bytes (primitive arrays, bounded in
 * every mode but FULL; RETRIEVAL rewrites only the bytes a chunk changed, in place) or, in FULL mode, as a list of
 * per-chunk slabs of keys and values, appended and never rewritten (the memory of the sequence seen last is also
 * cached, and rebuilt from the slabs when another came in between: {@link FullSlabs}), the next chunk index, the
 * summaries that arrived early and their count (bounded modes also keep the memory last written as an object:
 * {@link WrittenMemory}). The chunk that carries {@code last} (or an abort marker) clears all of it. No timers:
 * {@code assemble} always ends a sequence it sent chunks for with a last chunk or an abort marker.
 *
 * <p><b>Giving up.</b> At most {@link StreamLimits#maxEarlySummaries()} summaries of a sequence wait for the chunk
 * it needs next; the one that would pass the cap gives the sequence up ({@link #giveUp}): a
 * {@link Notice.Kind#SEQUENCE_FAILED} notice to {@link StreamTypes#NOTICES}, its state cleared, and a small
 * tombstone that counts the summaries still to come and drops them, without an exception, until the sequence's
 * last chunk (or abort marker) and every chunk before it have been seen; then the tombstone goes too. The count of
 * early summaries is its own value state, so the cap costs a lookup per early summary, no scan (state restored
 * from a savepoint taken before the count existed starts it at 0 and is counted from there). As a last resort,
 * a {@link RuntimeException} or {@link StackOverflowError} thrown while processing a sequence's chunks gives that
 * sequence up the same way ("internal error in global-context: ..."), instead of failing the job; like
 * {@code validate}'s, this is defence in depth, not a rule.
 *
 * <p><b>Shadow.</b> With {@code --shadow-sample} &gt; 0, {@link GlobalShadow} runs exact FULL attention beside the
 * configured mode for a seeded sample of sequences, in keyed state of its own, and reports how far apart they are;
 * the block outputs are the configured mode's either way.
 */
public class GlobalContextFunction extends KeyedProcessFunction<String, ChunkSummary, BlockContext> {

    private static final long serialVersionUID = 1L;
    public static final String STAGE = "global-context";

    private final StreamSettings settings;

    private transient ValueState<byte[]> memoryState;        // every mode but FULL
    private transient ValueState<Long> nextChunkState;
    private transient MapState<Long, ChunkSummary> earlyState;
    private transient ValueState<Integer> earlyCountState;   // entries of earlyState; absent when 0
    private transient ValueState<long[]> givenUpState;       // [3] {from, arrived, last}, see GiveUpTomb

    private transient ModelConfig cfg;
    private transient GlobalTier global;
    transient GlobalShadow shadow;             // --shadow-sample: state and metrics of its own
    private transient boolean reverseStrand;   // Strand.BOTH
    private transient boolean full;            // GlobalMode.FULL
    private transient FullSlabs slabs;         // FULL: the memory as slabs in list state, and its cache
    private transient WrittenMemory written;   // every mode but FULL: the memory last written to state, as an object

    // metrics (OperatorMetrics); GlobalContextOperator adds restored state to the gauges
    public transient OpenSequences sequences;
    public transient MemoryBytes memoryBytes;
    private transient Counter blocksOut;
    private transient Counter positionsOut;
    public transient Histogram lag;

    public GlobalContextFunction(StreamSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext ctx) {
        memoryState = getRuntimeContext().getState(memoryDescriptor());
        nextChunkState = getRuntimeContext().getState(nextChunkDescriptor());
        earlyState = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("early-summaries", Types.LONG, StreamTypes.CHUNK_SUMMARY));
        earlyCountState = getRuntimeContext().getState(new ValueStateDescriptor<>("early-count", Types.INT));
        givenUpState = getRuntimeContext().getState(
                new ValueStateDescriptor<>("given-up", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        cfg = settings.model();
        Weights weights = ModelWeights.load(settings);
        global = new GlobalTier(cfg, weights);
        reverseStrand = cfg.strand() == io.longseq.math.model.Strand.BOTH;
        full = cfg.globalMode() == GlobalMode.FULL;
        MetricGroup metrics = OperatorMetrics.group(getRuntimeContext());
        sequences = new OpenSequences().register(metrics, false);
        memoryBytes = new MemoryBytes().register(metrics);
        slabs = new FullSlabs(cfg, getRuntimeContext().getListState(fullMemoryDescriptor()), memoryState, memoryBytes);
        written = new WrittenMemory();
        blocksOut = metrics.counter(OperatorMetrics.BLOCKS_OUT);
        positionsOut = metrics.counter(OperatorMetrics.POSITIONS_OUT);
        lag = OperatorMetrics.histogram(metrics, OperatorMetrics.LAG);
        shadow = new GlobalShadow(settings, weights, getRuntimeContext(), metrics);
    }

    /** The block memory's state, also read by {@link GlobalContextOperator} for every key. */
    static ValueStateDescriptor<byte[]> memoryDescriptor() {
        return new ValueStateDescriptor<>("memory", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    /**
     * FULL mode's memory: per chunk one slab [2, blocks, d] (the blocks' keys, then their values), appended, never
     * rewritten; also read by {@link GlobalContextOperator}. (Until issue 23 FULL used {@link #memoryDescriptor},
     * rewritten whole per chunk; such state is moved here when its sequence's next chunk arrives.)
     */
    static ListStateDescriptor<float[]> fullMemoryDescriptor() {
        return new ListStateDescriptor<>("full-memory", PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    /** The next chunk's index: present while the sequence is open; also read by {@link GlobalContextOperator}. */
    static ValueStateDescriptor<Long> nextChunkDescriptor() {
        return new ValueStateDescriptor<>("next-chunk", Types.LONG);
    }

    @Override
    public void processElement(ChunkSummary s, Context ctx, Collector<BlockContext> out) throws Exception {
        long[] gone = givenUpState.value();
        if (gone != null) {
            drop(gone, s);
            return;
        }
        Long next = nextChunkState.value();
        if (next == null) {
            sequences.opened(); // its first summary
        }
        long expected = next == null ? 0 : next;
        if (s.index < expected) {
            return; // processed already: a duplicate (not expected with exactly-once delivery)
        }
        Integer count = earlyCountState.value();
        int early = count == null ? 0 : count;
        if (s.index != expected) {
            if (!earlyState.contains(s.index)) {
                if (early >= settings.limits().maxEarlySummaries()) {
                    giveUp(ctx, expected, early, s, "chunk " + expected + " has not arrived and " + early
                            + " later chunk summaries wait for it, the most allowed (max-early-summaries)");
                    return;
                }
                earlyCountState.update(++early);
            }
            earlyState.put(s.index, s);
            nextChunkState.update(expected);
            return;
        }
        ChunkSummary current = s;
        try {
            while (current != null) {
                if (process(current, ctx, out)) {
                    return; // the sequence ended: its state is cleared
                }
                expected++;
                current = earlyState.get(expected);
                if (current != null) {
                    earlyState.remove(expected);
                    early = Math.max(0, early - 1); // 0 for state restored from before the count existed
                }
            }
        } catch (RuntimeException | StackOverflowError e) {
            giveUp(ctx, current.index, early, current, "internal error in " + STAGE + " at chunk " + current.index
                    + ": " + BoundedText.describe(e, ValidateFunction.INTERNAL_ERROR_MESSAGE_CHARS));
            return;
        }
        nextChunkState.update(expected);
        if (early > 0) {
            earlyCountState.update(early);
        } else {
            earlyCountState.clear();
        }
    }

    /**
     * Gives the sequence up: a notice, all state cleared, and unless every chunk has been seen, a tombstone
     * {@code {from, arrived, last}} (see {@link GiveUpTomb}) that drops the summaries still to come.
     *
     * @param from    the first chunk index not processed (it may or may not have arrived)
     * @param held    the early summaries in state (all of index &gt; {@code from})
     * @param arrival the summary being handled (index &ge; {@code from}; not in state)
     */
    private void giveUp(Context ctx, long from, int held, ChunkSummary arrival, String why) throws Exception {
        long last = arrival.last || arrival.aborted ? arrival.index : -1;
        if (last < 0 && held > 0) {
            for (ChunkSummary e : earlyState.values()) { // once per given-up sequence, at most the cap
                if (e.last || e.aborted) {
                    last = e.index;
                }
            }
        }
        dropMemory();
        sequences.closed();
        nextChunkState.clear();
        earlyState.clear();
        earlyCountState.clear();
        shadow.clear();
        long[] tomb = {from, held + 1L, last};
        if (!GiveUpTomb.complete(tomb)) {
            givenUpState.update(tomb);
        }
        String id = ctx.getCurrentKey();
        ctx.output(StreamTypes.NOTICES, new Notice(id, Notice.Kind.SEQUENCE_FAILED, from * cfg.chunkSize(), held + 1L,
                "given up by " + STAGE + ": " + why + "; " + from + " chunks were processed, " + (held + 1)
                        + " chunk summaries dropped, later ones will be dropped too"));
    }

    // a summary of a sequence that was given up: counted and dropped; the tombstone goes with the last one
    private void drop(long[] tomb, ChunkSummary s) throws Exception {
        if (GiveUpTomb.arrive(tomb, s.index, s.last || s.aborted)) {
            givenUpState.clear();
        } else {
            givenUpState.update(tomb);
        }
    }

    // one chunk in order; true if it ended the sequence
    private boolean process(ChunkSummary s, Context ctx, Collector<BlockContext> out) throws Exception {
        if (!s.aborted) {
            if (full) {
                processFull(s, ctx, out);
            } else {
                processBounded(s, ctx, out);
            }
            blocksOut.inc(s.summaries.length / cfg.dModel());
            positionsOut.inc(s.coreTo - s.coreFrom);
            if (s.arrivedAt > 0) {
                lag.update(Math.max(0, ctx.timerService().currentProcessingTime() - s.arrivedAt));
            }
        } else {
            dropMemory(); // an abort marker: its memory goes
        }
        if (s.last || s.aborted) {
            if (!s.aborted && full) {
                dropMemory();
            }
            sequences.closed();
            nextChunkState.clear();
            earlyState.clear();
            earlyCountState.clear();
            shadow.clear();
            return true;
        }
        return false;
    }

    // every mode but FULL: the memory's bytes in one value, read and rewritten per chunk (bounded in size)
    private void processBounded(ChunkSummary s, Context ctx, Collector<BlockContext> out) throws Exception {
        byte[] saved = memoryState.value();
        BlockMemory memory = memory(ctx.getCurrentKey(), saved, s.sequenceId);
        int d = cfg.dModel();
        int b = cfg.blockSize();
        int blocks = s.summaries.length / d;
        GlobalShadow.Run shadowRun = shadow.begin(s, n -> ctx.output(StreamTypes.NOTICES, n)); // null: none
        boolean withReverse = reverseStrand && s.reverseSummaries != null
                && s.reverseSummaries.length == s.summaries.length;
        long[] starts = new long[blocks];
        long[] ends = new long[blocks];
        for (int i = 0; i < blocks; i++) {
            starts[i] = s.coreFrom + (long) i * b;
            ends[i] = Math.min(s.coreTo, starts[i] + b);
        }
        if (reverseStrand && blocks > 0 && !withReverse) {
            reverseSummary(s, 0);                                                   // refuses the chunk: no s'
        }
        BlockResult[] results = global.stepBlocks(memory, s.summaries, withReverse ? s.reverseSummaries : null, blocks,
                starts, ends);
        for (int i = 0; i < blocks; i++) {
            BlockResult r = results[i];
            out.collect(BlockContext.of(s.sequenceId, r));
            if (settings.tokenContexts()) {
                ctx.output(StreamTypes.TOKEN_CONTEXTS, tokens(s, r, starts[i], ends[i], global.chunkDelta(i)));
            }
            if (shadowRun != null) {
                shadowRun.block(starts[i], ends[i], r.summary(), r);
            }
        }
        if (shadowRun != null) {
            shadowRun.end();
        }
        // RETRIEVAL patches `saved` (the array it was read from or last wrote) in place: the heap backend hands out a
        // copy of a value a snapshot holds (CopyOnWriteStateMap), RocksDB/ForSt a fresh array
        byte[] after = s.last ? null : memory.toBytes(saved);
        memoryBytes.changed(saved, after);
        if (after != null) {
            memoryState.update(after);
            written.keep(ctx.getCurrentKey(), after, memory);
        } else {
            memoryState.clear();
        }
    }

    // the memory that the bytes saved in state hold (null: a new one), decoded unless it is the one written last
    private BlockMemory memory(String key, byte[] saved, String sequenceId) {
        BlockMemory kept = written.take(key, saved);
        if (kept != null) {
            return kept;
        }
        return saved == null ? BlockMemory.create(cfg, BigBirdMemory.sequenceSeed(sequenceId))
                : BlockMemory.fromBytes(cfg, saved);
    }

    // FULL: the chunk's blocks as one product against the memory; their keys and values appended as one slab
    private void processFull(ChunkSummary s, Context ctx, Collector<BlockContext> out) throws Exception {
        FullMemory memory = slabs.load(ctx.getCurrentKey(), s.index);
        long before = memory.nextBlock();
        int d = cfg.dModel();
        int nb = s.summaries.length / d;
        long[] starts = new long[nb];
        long[] ends = new long[nb];
        for (int i = 0; i < nb; i++) {
            starts[i] = s.coreFrom + (long) i * cfg.blockSize();
            ends[i] = Math.min(s.coreTo, starts[i] + cfg.blockSize());
        }
        if (reverseStrand && nb > 0) {
            reverseSummary(s, 0); // checks the chunk carries them
        }
        BlockResult[] results = global.stepChunk(memory, s.summaries, reverseStrand ? s.reverseSummaries : null, nb,
                starts, ends);
        for (int i = 0; i < nb; i++) {
            out.collect(BlockContext.of(s.sequenceId, results[i]));
            if (settings.tokenContexts()) {
                ctx.output(StreamTypes.TOKEN_CONTEXTS, tokens(s, results[i], starts[i], ends[i], global.chunkDelta(i)));
            }
        }
        if (!s.last) {
            slabs.append(memory, before);
        }
    }

    // the sequence's memory goes (it ended, was aborted or given up)
    private void dropMemory() throws Exception {
        if (full) {
            slabs.drop();
        } else {
            memoryBytes.changed(memoryState.value(), null);
        }
        written.clear();
        memoryState.clear();
    }

    // block i's reverse-strand summary [d]; a summary without them (written by a forward-only job) is refused
    private float[] reverseSummary(ChunkSummary s, int i) {
        int d = cfg.dModel();
        if (s.reverseSummaries == null || s.reverseSummaries.length != s.summaries.length) {
            throw new IllegalStateException("strand BOTH: chunk " + s.index + " carries "
                    + (s.reverseSummaries == null ? 0 : s.reverseSummaries.length) + " reverse-strand summary floats"
                    + " for " + s.summaries.length + " forward ones (local-attention ran with strand FORWARD?)");
        }
        return Arrays.copyOfRange(s.reverseSummaries, i * d, (i + 1) * d);
    }

    // u_i = z_i + g_b·W_go for the positions of block b: [end − start, d]
    private TokenContext tokens(ChunkSummary s, BlockResult r, long start, long end, float[] delta) {
        int d = cfg.dModel();
        // delta [d]
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
