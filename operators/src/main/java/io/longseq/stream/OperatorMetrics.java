package io.longseq.stream;

import io.longseq.stream.input.DeadLetterRule;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The job's own metrics, registered by the operators in a group {@value #GROUP} of their operator's metric group, so
 * Flink's Prometheus reporter shows them as {@code flink_taskmanager_job_task_operator_longseq_<name>} with the
 * operator (stage) and subtask as labels, and the web UI as {@code <subtask>.<operator>.longseq.<name>}.
 *
 * <table>
 *   <caption>Metrics by stage</caption>
 *   <tr><th>stage</th><th>name</th><th>kind</th><th>what</th></tr>
 *   <tr><td>validate</td><td>{@value #POSITIONS_IN}</td><td>counter</td><td>positions of the fragments received
 *       (a refused one's too, when its extent can be told)</td></tr>
 *   <tr><td>validate, assemble</td><td>{@value #DEAD_LETTERS} with label {@value #REASON}</td><td>counter</td>
 *       <td>dead letters by {@link DeadLetterRule} (a fixed set of labels)</td></tr>
 *   <tr><td>assemble</td><td>{@value #CHUNKS_ASSEMBLED}</td><td>counter</td><td>chunks emitted (abort markers
 *       not counted)</td></tr>
 *   <tr><td>assemble, global-context</td><td>{@value #OPEN_SEQUENCES}</td><td>gauge</td><td>sequences with state
 *       in this subtask (tombstones not counted)</td></tr>
 *   <tr><td>assemble</td><td>{@value #POSITIONS_WAITING}</td><td>gauge</td><td>positions held for reordering</td></tr>
 *   <tr><td>assemble</td><td>{@value #TOMBSTONES}</td><td>gauge</td><td>ended sequences remembered</td></tr>
 *   <tr><td>local-attention</td><td>{@value #CHUNKS_PROCESSED}</td><td>counter</td><td>chunks computed</td></tr>
 *   <tr><td>local-attention</td><td>{@value #KERNEL_TIME}</td><td>histogram</td><td>local tier and pooling time
 *       of one chunk, µs (no time waiting for the warm-up gate)</td></tr>
 *   <tr><td>local-attention</td><td>{@value #KERNEL}_{@value #KERNEL_INFO} with label {@value #KERNEL}</td>
 *       <td>gauge, always 1</td><td>the kernels it runs ({@link io.longseq.math.kernel.KernelReport#label})</td></tr>
 *   <tr><td>global-context</td><td>{@value #BLOCKS_OUT}, {@value #POSITIONS_OUT}</td><td>counter</td><td>blocks
 *       emitted and the positions they cover</td></tr>
 *   <tr><td>global-context</td><td>{@value #MEMORY_BYTES_HELD}, {@value #MEMORY_BYTES_MEAN},
 *       {@value #MEMORY_BYTES_MAX}, {@value #MEMORY_BYTES_LAST}</td><td>gauge</td><td>bytes of the block memory
 *       state: held by all open sequences, their mean, the largest and the last one written</td></tr>
 *   <tr><td>global-context</td><td>{@value #LAG}</td><td>histogram</td><td>ms from a fragment's arrival at
 *       validate to the output of the blocks of the chunk it completed</td></tr>
 *   <tr><td colspan="4">global-context, only with {@code --shadow-sample} &gt; 0 (the runtime accuracy monitor,
 *       {@link io.longseq.math.memory.ShadowMonitor}; figures of the subtask since it started):</td></tr>
 *   <tr><td>global-context</td><td>{@value #SHADOW_SEQUENCES}, {@value #SHADOW_STOPPED}</td><td>counter</td>
 *       <td>sequences whose shadow started (at chunk 0), and shadows stopped early (max-blocks, internal error)</td></tr>
 *   <tr><td>global-context</td><td>{@value #SHADOW_BLOCKS}, {@value #SHADOW_TOP1_RANKED},
 *       {@value #SHADOW_TOP1_AGREED}</td><td>counter</td><td>blocks computed by both modes; of those, the ranked
 *       ones (full names a top-1) and those whose bounded top-1 covers it</td></tr>
 *   <tr><td>global-context</td><td>{@value #SHADOW_TOP1_AGREEMENT}, {@value #SHADOW_CONTEXT_COSINE_MEAN}</td>
 *       <td>gauge (double)</td><td>agreed / ranked, and the mean cosine of the two contexts per block (NaN before
 *       the first block)</td></tr>
 *   <tr><td>global-context</td><td>{@value #SHADOW_CONTEXT_COSINE}</td><td>histogram</td><td>the cosine of the two
 *       contexts per block, × 10^9 rounded (histograms hold longs): 1,000,000,000 is the same direction</td></tr>
 * </table>
 * Histograms keep the last {@value #HISTOGRAM_WINDOW} values of the subtask ({@link DescriptiveStatisticsHistogram});
 * Prometheus shows them as summaries (quantiles, {@code _count}).
 */
public final class OperatorMetrics {

    public static final String GROUP = "longseq";
    public static final String POSITIONS_IN = "positionsIn";
    public static final String POSITIONS_OUT = "positionsOut";
    public static final String CHUNKS_ASSEMBLED = "chunksAssembled";
    public static final String CHUNKS_PROCESSED = "chunksProcessed";
    public static final String BLOCKS_OUT = "blocksOut";
    public static final String DEAD_LETTERS = "deadLetters";
    /** The key of the dead-letter counters' group: its value is the {@link DeadLetterRule#label()}. */
    public static final String REASON = "reason";
    public static final String OPEN_SEQUENCES = "openSequences";
    public static final String POSITIONS_WAITING = "positionsWaiting";
    public static final String TOMBSTONES = "tombstones";
    public static final String MEMORY_BYTES_HELD = "memoryBytesHeld";
    public static final String MEMORY_BYTES_MEAN = "memoryBytesMean";
    public static final String MEMORY_BYTES_MAX = "memoryBytesMax";
    public static final String MEMORY_BYTES_LAST = "memoryBytesLast";
    public static final String KERNEL_TIME = "kernelTimeUs";
    public static final String LAG = "lagMs";
    public static final String SHADOW_SEQUENCES = "shadowSequences";
    public static final String SHADOW_STOPPED = "shadowStopped";
    public static final String SHADOW_BLOCKS = "shadowBlocks";
    public static final String SHADOW_TOP1_RANKED = "shadowTop1Ranked";
    public static final String SHADOW_TOP1_AGREED = "shadowTop1Agreed";
    public static final String SHADOW_TOP1_AGREEMENT = "shadowTop1Agreement";
    public static final String SHADOW_CONTEXT_COSINE_MEAN = "shadowContextCosineMean";
    /** A histogram of cosines × 10^9: Flink histograms hold longs. */
    public static final String SHADOW_CONTEXT_COSINE = "shadowContextCosinePpb";
    /** The key of the kernel report's group (its value is the kernels' label) and ... */
    public static final String KERNEL = "kernel";
    /** ... the name of the gauge in it, always 1: {@code longseq_kernel_info{kernel="vector-512+..."}}. */
    public static final String KERNEL_INFO = "info";
    /** Values a histogram keeps. */
    public static final int HISTOGRAM_WINDOW = 1024;

    private OperatorMetrics() {}

    /** The {@value #GROUP} group of the operator's metrics. */
    public static MetricGroup group(RuntimeContext ctx) {
        return ctx.getMetricGroup().addGroup(GROUP);
    }

    /** A histogram of the last {@value #HISTOGRAM_WINDOW} values. */
    public static Histogram histogram(MetricGroup group, String name) {
        return group.histogram(name, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    }
}
