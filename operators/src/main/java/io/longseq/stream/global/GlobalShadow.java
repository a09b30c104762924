package io.longseq.stream.global;

import io.longseq.math.memory.BlockMemory;
import io.longseq.math.memory.GlobalTier;
import io.longseq.math.memory.MemoryState;
import io.longseq.math.memory.ShadowMonitor;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.Weights;
import io.longseq.stream.BoundedText;
import io.longseq.stream.Notice;
import io.longseq.stream.OperatorMetrics;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.input.ValidateFunction;
import io.longseq.stream.local.ChunkSummary;
import java.util.Locale;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;

/**
 * {@code global-context}'s runtime accuracy monitor ({@code --shadow-sample F}, docs/design.md G7): for the
 * sequences {@link ShadowMonitor#sampled} picks, exact FULL global attention runs beside the configured mode on the
 * same block summaries, and each block's two results are compared ({@link ShadowMonitor#compare}). The figures go
 * to the {@code shadow*} metrics ({@link OperatorMetrics}) and, per sequence, to a {@link Notice.Kind#SHADOW}
 * notice at its end. The block outputs are the configured mode's, untouched: the shadow has its own
 * {@link GlobalTier} and memory, and is off in global mode FULL (nothing to compare).
 *
 * <p>Keyed state, only for shadowed sequences: the FULL memory as {@link MemoryState} bytes ({@code shadow-memory})
 * and the tally ({@code shadow-tally}, a long[5], {@link ShadowMonitor.Tally#toState}). A shadow starts at chunk 0
 * only, so a sequence restored from state written while the monitor was off stays unshadowed. The FULL memory grows
 * with the sequence: at {@code max-blocks} blocks the shadow stops with a notice, its memory goes and only its tally
 * stays (marked stopped) until the sequence ends; a {@link RuntimeException} in the shadow stops it the same way.
 * Neither changes the sequence's outputs or fails the job. The function clears both states with the sequence's.
 */
final class GlobalShadow {

    private final double fraction;
    private final ModelConfig cfg;
    private final ModelConfig fullCfg;
    private final GlobalTier tier;            // null when the monitor is off
    private final ShadowMonitor monitor;
    private final ValueState<byte[]> memoryState;
    private final ValueState<long[]> tallyState;

    private Counter sequences;
    private Counter stopped;
    private Counter blocks;
    private Counter ranked;
    private Counter agreed;
    private Histogram cosinePpb;
    private final ShadowMonitor.Tally subtask = new ShadowMonitor.Tally(); // the gauges: every block of the subtask

    GlobalShadow(StreamSettings settings, Weights weights, RuntimeContext rc, MetricGroup metrics) {
        fraction = settings.shadowSample();
        cfg = settings.model();
        memoryState = rc.getState(memoryDescriptor());
        tallyState = rc.getState(new ValueStateDescriptor<>("shadow-tally",
                PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        if (fraction <= 0 || cfg.globalMode() == GlobalMode.FULL) {
            fullCfg = null;
            tier = null;
            monitor = null;
            return;
        }
        fullCfg = ShadowMonitor.fullOf(cfg);
        tier = new GlobalTier(fullCfg, weights);
        monitor = new ShadowMonitor(cfg);
        sequences = metrics.counter(OperatorMetrics.SHADOW_SEQUENCES);
        stopped = metrics.counter(OperatorMetrics.SHADOW_STOPPED);
        blocks = metrics.counter(OperatorMetrics.SHADOW_BLOCKS);
        ranked = metrics.counter(OperatorMetrics.SHADOW_TOP1_RANKED);
        agreed = metrics.counter(OperatorMetrics.SHADOW_TOP1_AGREED);
        metrics.gauge(OperatorMetrics.SHADOW_TOP1_AGREEMENT, subtask::agreement);
        metrics.gauge(OperatorMetrics.SHADOW_CONTEXT_COSINE_MEAN, subtask::meanCosine);
        cosinePpb = OperatorMetrics.histogram(metrics, OperatorMetrics.SHADOW_CONTEXT_COSINE);
    }

    /** The shadow's FULL memory as {@link MemoryState} bytes. */
    static ValueStateDescriptor<byte[]> memoryDescriptor() {
        return new ValueStateDescriptor<>("shadow-memory", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    /** The figures of every block this subtask compared since it started (what the gauges show). */
    ShadowMonitor.Tally subtask() {
        return subtask;
    }

    /** The {@value OperatorMetrics#SHADOW_CONTEXT_COSINE} histogram; null when the monitor is off. */
    Histogram cosineHistogram() {
        return cosinePpb;
    }

    /**
     * The shadow of chunk {@code s} (not an abort marker) of the current key, or null when its sequence is not
     * shadowed: the monitor is off, the id is not sampled, the shadow stopped, or it did not start at chunk 0.
     *
     * @param notices where the shadow's notice goes
     */
    Run begin(ChunkSummary s, Consumer<Notice> notices) throws Exception {
        if (tier == null || !ShadowMonitor.sampled(s.sequenceId, fraction)) {
            return null;
        }
        long[] saved = tallyState.value();
        if (saved == null && s.index != 0) {
            return null;
        }
        Run run = new Run(s, notices);
        try {
            if (saved == null) {
                sequences.inc();
                run.tally = new ShadowMonitor.Tally();
                run.memory = BlockMemory.create(fullCfg);
            } else {
                run.tally = ShadowMonitor.Tally.fromState(saved);
                if (run.tally.stopped()) {
                    return null;
                }
                byte[] bytes = memoryState.value();
                run.memory = bytes == null ? BlockMemory.create(fullCfg)
                        : BlockMemory.fromState(fullCfg, MemoryState.fromBytes(bytes));
                if (run.memory.nextBlock() != run.tally.blocks()) {
                    throw new IllegalStateException("shadow memory holds " + run.memory.nextBlock()
                            + " blocks, its tally " + run.tally.blocks());
                }
            }
        } catch (RuntimeException e) {
            if (run.tally == null || run.tally.stopped()) {
                run.tally = new ShadowMonitor.Tally();
            }
            run.fail(s.coreFrom, e);
        }
        return run;
    }

    /** Drops the current key's shadow state (the sequence ended, was aborted or given up). */
    void clear() {
        memoryState.clear();
        tallyState.clear();
    }

    /** The shadow of one chunk: {@link #block} for each of its blocks in order, then {@link #end}. */
    final class Run {
        private final ChunkSummary chunk;
        private final Consumer<Notice> notices;
        private BlockMemory memory;       // FULL
        private ShadowMonitor.Tally tally;
        private String stop;              // why the shadow stopped in this chunk; null while it runs
        private long stopAt;              // the first position not compared

        private Run(ChunkSummary chunk, Consumer<Notice> notices) {
            this.chunk = chunk;
            this.notices = notices;
        }

        /** Block [start, end) with summary [d], whose result under the configured mode is {@code bounded}. */
        void block(long start, long end, float[] summary, BlockResult bounded) {
            if (stop != null) {
                return;
            }
            if (memory.nextBlock() >= fullCfg.maxBlocks()) {
                stop = "its full memory holds max-blocks = " + fullCfg.maxBlocks() + " blocks";
                stopAt = start;
                return;
            }
            try {
                ShadowMonitor.Comparison c = monitor.compare(bounded, tier.step(memory, start, end, summary));
                tally.add(c);
                subtask.add(c);
                blocks.inc();
                if (c.ranked()) {
                    ranked.inc();
                    if (c.agrees()) {
                        agreed.inc();
                    }
                }
                cosinePpb.update(Math.round(c.cosine() * 1e9));
            } catch (RuntimeException e) {
                fail(start, e);
            }
        }

        private void fail(long at, RuntimeException e) {
            stop = "internal error: " + BoundedText.describe(e, ValidateFunction.INTERNAL_ERROR_MESSAGE_CHARS);
            stopAt = at;
        }

        /** After the chunk's last block: its state written, or its notice out (stopped, or the sequence's end). */
        void end() throws Exception {
            if (stop == null && !chunk.last) {
                byte[] bytes = null;
                try {
                    bytes = memory.toState().toBytes();
                } catch (RuntimeException e) { // e.g. a memory past what one byte[] holds (a max-blocks that large)
                    fail(chunk.coreTo, e);
                }
                if (stop == null) {
                    memoryState.update(bytes);
                    tallyState.update(tally.toState());
                    return;
                }
            }
            String mode = cfg.globalMode().name().toLowerCase(Locale.ROOT);
            if (stop != null) {
                tally.stop();
                stopped.inc();
                notices.accept(new Notice(chunk.sequenceId, Notice.Kind.SHADOW, stopAt, tally.blocks(), "shadow of"
                        + " global mode " + mode + " against full stopped at block " + tally.blocks() + " (" + stop
                        + "); blocks [0, " + tally.blocks() + "): " + tally.describe()));
                memoryState.clear();
                if (chunk.last) {
                    tallyState.clear();
                } else {
                    tallyState.update(tally.toState());
                }
            } else {
                notices.accept(new Notice(chunk.sequenceId, Notice.Kind.SHADOW, chunk.coreTo, tally.blocks(),
                        "shadow of global mode " + mode + " against full: " + tally.describe()));
                clear();
            }
        }
    }
}
