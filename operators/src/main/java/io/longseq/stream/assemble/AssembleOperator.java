package io.longseq.stream.assemble;

import io.longseq.stream.Notice;
import io.longseq.stream.OperatorMetrics;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.StreamTypes;
import io.longseq.stream.input.TokenFragment;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * {@code assemble} as it runs in the job: {@link AssembleFunction} plus the cap on the tombstones one subtask
 * remembers ({@link StreamLimits#maxTombstones()}, {@code max-tombstones}).
 *
 * <p>A tombstone is the cursor an ended (or given-up) sequence leaves in keyed state, with its retention timer, so
 * that late fragments become dead letters. They are counted across keys, which a {@code KeyedProcessFunction}
 * cannot do: from one key's context it can neither read nor clear another key's state. This operator can: it
 * keeps the subtask's tombstones in a {@link TombstoneQueue}, oldest first, and when one more passes the cap it
 * switches the key context to the oldest, deletes that tombstone's retention timer and clears its cursor, emits a
 * {@link Notice.Kind#TOMBSTONE_DROPPED} notice for it, and switches back.
 *
 * <p>The queue is not checkpointed; the keyed tombstones are the truth. {@link #open} rebuilds it from the cursors
 * of every key this subtask holds ({@code applyToAllKeys}), ordered by the end of their retention. So it is right
 * after a restore and after rescaling, when tombstones move with their key groups: a subtask that receives more
 * than the cap drops the oldest on its first element or timer. Costs: one pass over the cursors at start-up; on
 * the heap, one map entry per tombstone (its id and a long, about 80 bytes beside the id, which the heap state
 * backend shares).
 *
 * <p>A dropped tombstone's sequence is forgotten: a late fragment of it starts a new sequence (its notice says so).
 * That is the trade the cap makes against memory; raise {@code max-tombstones} or shorten
 * {@code ended-retention} if notices show it happening.
 *
 * <p>The same pass counts the open sequences and their pending positions of restored state for the gauges
 * ({@link OperatorMetrics}); the operator adds the {@code tombstones} gauge.
 */
public class AssembleOperator extends KeyedProcessOperator<String, TokenFragment, Chunk>
        implements AssembleFunction.Tombstones {

    private static final long serialVersionUID = 1L;

    private final int maxTombstones;

    private transient TombstoneQueue queue;
    private transient ValueState<AssembleCursor> cursors;
    private transient InternalTimerService<VoidNamespace> timers;

    public AssembleOperator(StreamSettings settings) {
        super(new AssembleFunction(settings));
        this.maxTombstones = settings.limits().maxTombstones();
    }

    @Override
    public void open() throws Exception {
        super.open(); // opens the function (its states) and the "user-timers" timer service
        cursors = getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                AssembleFunction.cursorDescriptor());
        timers = getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, this);
        List<TombstoneQueue.Entry> found = new ArrayList<>();
        long[] open = {0, 0}; // open sequences and their pending positions, for the gauges
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        backend.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                AssembleFunction.cursorDescriptor(), (String id, ValueState<AssembleCursor> state) -> {
                    AssembleCursor c = state.value();
                    if (isTombstone(c)) {
                        found.add(new TombstoneQueue.Entry(id, c.timerAt));
                    } else if (c != null && c.status == AssembleCursor.OPEN) {
                        open[0]++;
                        open[1] += c.pendingPositions;
                    }
                });
        queue = TombstoneQueue.of(maxTombstones, found);
        AssembleFunction f = (AssembleFunction) userFunction;
        f.tombstones = this;
        f.sequences.restored(open[0], open[1]);
        OperatorMetrics.group(getRuntimeContext()).gauge(OperatorMetrics.TOMBSTONES, queue::size);
    }

    private static boolean isTombstone(AssembleCursor c) {
        return c != null && (c.status == AssembleCursor.ENDED || c.status == AssembleCursor.FAILED);
    }

    @Override
    public void processElement(StreamRecord<TokenFragment> element) throws Exception {
        dropExcess(); // after a restore or a rescale the queue may start over the cap
        super.processElement(element);
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        dropExcess();
        super.onProcessingTime(timer);
    }

    @Override
    public void ended(String id, long expiresAt) throws Exception {
        queue.add(id, expiresAt);
        dropExcess();
    }

    @Override
    public void expired(String id) {
        queue.remove(id);
    }

    /** Tombstones this subtask remembers (for tests). */
    int tombstones() {
        return queue.size();
    }

    // forgets the oldest tombstones while more than the cap are held, each in its own key context
    private void dropExcess() throws Exception {
        TombstoneQueue.Entry oldest = queue.pollExcess();
        if (oldest == null) {
            return;
        }
        Object current = getCurrentKey();
        try {
            for (; oldest != null; oldest = queue.pollExcess()) {
                setCurrentKey(oldest.id());
                AssembleCursor c = cursors.value();
                if (!isTombstone(c)) {
                    continue; // not a tombstone any more (cannot happen: tombstones only expire); nothing to do
                }
                if (c.timerAt >= 0) {
                    timers.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, c.timerAt);
                }
                cursors.clear();
                long at = c.status == AssembleCursor.ENDED ? c.end : c.nextExpected;
                output.collect(StreamTypes.NOTICES, new StreamRecord<>(new Notice(oldest.id(),
                        Notice.Kind.TOMBSTONE_DROPPED, at, queue.max(), "forgot that this sequence "
                        + (c.status == AssembleCursor.ENDED ? "ended at position " : "was given up at position ") + at
                        + " before its ended-retention was over: this assemble subtask remembers at most "
                        + ChunkGeometry.count(queue.max()) + " ended sequences (max-tombstones); a late fragment of"
                        + " it would now start a new sequence instead of becoming a dead letter")));
            }
        } finally {
            if (current != null) {
                setCurrentKey(current);
            }
        }
    }
}
