package io.longseq.stream.assemble;

import io.longseq.stream.OperatorMetrics;
import io.longseq.stream.global.GlobalContextOperator;
import org.apache.flink.metrics.MetricGroup;

/**
 * One keyed subtask's open sequences and the positions they hold for reordering, as running counts: changed when a
 * sequence opens or closes and by each element's change to its pending positions, so a gauge never scans state. The
 * operator adds the counts of restored state when it opens ({@link AssembleOperator}, {@link GlobalContextOperator}
 * scan their keys once), so the gauges stay right across a restore and a rescale.
 */
public final class OpenSequences {

    private long open;
    private long waiting;

    /** Registers {@code openSequences} (and {@code positionsWaiting} when {@code withWaiting}); returns this. */
    public OpenSequences register(MetricGroup group, boolean withWaiting) {
        group.gauge(OperatorMetrics.OPEN_SEQUENCES, this::open);
        if (withWaiting) {
            group.gauge(OperatorMetrics.POSITIONS_WAITING, this::waiting);
        }
        return this;
    }

    /** Adds what restored state holds. */
    public void restored(long sequences, long positions) {
        open += sequences;
        waiting += positions;
    }

    public void opened() {
        open++;
    }

    public void closed() {
        open--;
    }

    /** The pending positions of one sequence changed by {@code delta}. */
    void waiting(long delta) {
        waiting += delta;
    }

    public long open() {
        return open;
    }

    public long waiting() {
        return waiting;
    }
}
