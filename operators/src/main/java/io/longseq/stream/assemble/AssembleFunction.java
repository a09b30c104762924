package io.longseq.stream.assemble;

import io.longseq.stream.OperatorMetrics;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.input.DeadLetterCounters;
import io.longseq.stream.input.DeadLetterRule;
import io.longseq.stream.input.TokenFragment;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * {@code assemble} (keyed by sequence id, docs/design.md 3): turns fragments in any order into whole chunks with
 * their halos. Run it as {@link AssembleOperator}, which adds the subtask-level cap on tombstones.
 *
 * <p>The decisions (reorder, duplicates, gaps, chunks, ends) are the {@link Assembler}'s; this function is its
 * Flink side: it reads the sequence's cursor from keyed state, hands it to the assembler with a view of the other
 * keyed states ({@link AssembleStates}) and an {@link AssembleOutput} (collector, side outputs, timer service,
 * metrics), and then stores the cursor, clears it, or tells the operator of the tombstone it became. A timer that is
 * not the cursor's is stale and ignored; the tombstone's own timer clears it.
 */
public class AssembleFunction extends KeyedProcessFunction<String, TokenFragment, Chunk> {

    private static final long serialVersionUID = 1L;
    public static final String STAGE = Assembler.STAGE;
    /** Chunks of padding one element or timer appends at most; the rest of a hole goes on from a timer. */
    public static final int FILL_STEP_CHUNKS = Assembler.FILL_STEP_CHUNKS;

    /** The subtask's tombstones, told of each one made and each one whose retention is over. */
    interface Tombstones {
        Tombstones NONE = new Tombstones() {
            @Override
            public void ended(String id, long expiresAt) {}

            @Override
            public void expired(String id) {}
        };

        void ended(String id, long expiresAt) throws Exception;

        void expired(String id);
    }

    private final StreamSettings settings;

    private transient ValueState<AssembleCursor> cursorState;
    private transient Assembler assembler;
    private transient AssembleOutput output;
    /** Set by {@link AssembleOperator}; none (no cap) in a plain {@code KeyedProcessOperator}. */
    transient Tombstones tombstones;

    // metrics (OperatorMetrics)
    public transient DeadLetterCounters deadLetters;
    /** Open sequences and the positions they hold pending; {@link AssembleOperator} adds those of restored state. */
    public transient OpenSequences sequences;

    /**
     * @throws IllegalArgumentException when a chunk's array at this F_in would not fit one Java array
     */
    public AssembleFunction(StreamSettings settings) {
        ChunkGeometry.checkArrays(settings.model(), settings.symbolsPerPosition());
        this.settings = settings;
    }

    /** The cursor's state, also read by {@link AssembleOperator} for every key. */
    static ValueStateDescriptor<AssembleCursor> cursorDescriptor() {
        return AssembleStates.cursor();
    }

    @Override
    public void open(OpenContext ctx) {
        cursorState = getRuntimeContext().getState(cursorDescriptor());
        assembler = AssembleStates.assembler(getRuntimeContext(), settings);
        if (tombstones == null) {
            tombstones = Tombstones.NONE;
        }
        MetricGroup metrics = OperatorMetrics.group(getRuntimeContext());
        deadLetters = new DeadLetterCounters(metrics, DeadLetterRule.ASSEMBLE);
        sequences = new OpenSequences().register(metrics, true);
        output = new AssembleOutput(metrics.counter(OperatorMetrics.CHUNKS_ASSEMBLED), deadLetters);
    }

    @Override
    public void processElement(TokenFragment f, Context ctx, Collector<Chunk> out) throws Exception {
        String key = ctx.getCurrentKey();
        AssembleCursor c = cursorState.value();
        if (c == null) {
            c = new AssembleCursor();
            sequences.opened();
        }
        boolean open = c.status == AssembleCursor.OPEN; // else a tombstone: the fragment is only a dead letter
        long waiting = c.pendingPositions;
        assembler.fragment(key, c, f, output.to(ctx, out, c, f.arrivedAt), output);
        if (open) {
            store(key, c, waiting);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Chunk> out) throws Exception {
        String key = ctx.getCurrentKey();
        AssembleCursor c = cursorState.value();
        if (c == null || timestamp != c.timerAt) {
            return;
        }
        if (c.status != AssembleCursor.OPEN) {
            cursorState.clear(); // the tombstone's retention is over
            tombstones.expired(key);
            return;
        }
        long waiting = c.pendingPositions;
        // chunks a timer emits stand for the sequence's last fragment's arrival (at assemble)
        assembler.timer(key, c, output.to(ctx, out, c, 0), output);
        store(key, c, waiting);
    }

    // after a call on an open sequence: the cursor is stored, or cleared; a sequence that closed is counted, and a
    // tombstone it left is told to the operator
    private void store(String key, AssembleCursor c, long waiting) throws Exception {
        if (c.status != AssembleCursor.OPEN) {
            sequences.closed();
        }
        if (c.status == AssembleCursor.CLEARED) {
            cursorState.clear();
        } else {
            if (c.status != AssembleCursor.OPEN) {
                tombstones.ended(key, c.timerAt);
            }
            cursorState.update(c);
        }
        sequences.waiting(c.pendingPositions - waiting);
    }
}
