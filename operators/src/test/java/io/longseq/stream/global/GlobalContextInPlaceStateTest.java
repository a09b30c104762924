package io.longseq.stream.global;

import static io.longseq.stream.StreamTestSupport.bases;
import static io.longseq.stream.StreamTestSupport.feed;
import static io.longseq.stream.StreamTestSupport.only;
import static io.longseq.stream.global.GlobalContextFunctionTest.config;
import static io.longseq.stream.global.GlobalContextFunctionTest.contexts;
import static io.longseq.stream.global.GlobalContextFunctionTest.harness;
import static io.longseq.stream.global.GlobalContextFunctionTest.run;
import static io.longseq.stream.global.GlobalContextFunctionTest.settings;
import static io.longseq.stream.global.GlobalContextFunctionTest.summaries;
import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.model.ChunkedModel;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.stream.local.ChunkSummary;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.runtime.state.memory.MemCheckpointStreamFactory;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFinalizer;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RETRIEVAL mode's memory is rewritten in place in keyed state ({@code RetrievalState}): each chunk changes the very
 * array the state holds. With the heap backend that is right only because the backend hands out a copy of a value
 * that a snapshot still holds. Here a checkpoint is taken and its asynchronous part (which writes the heap state out)
 * runs only after the operator has processed the rest of both sequences: the operator's own output must be the
 * whole sequences' contexts, and a new operator restored from that checkpoint and fed the chunks after the cut must
 * give them too.
 */
class GlobalContextInPlaceStateTest {

    @BeforeAll
    static void nd4j() {
        Nd4jRuntime.init(1);
    }

    @Test
    void chunksProcessedWhileACheckpointIsWrittenLeaveItsBytesAsTheyWere() throws Exception {
        // a small store (2 buckets of 3 slots), so buckets are full and evict at every chunk past the first few
        ModelConfig cfg = config(GlobalMode.RETRIEVAL).toBuilder().retrievalBits(1).retrievalSlots(3)
                .retrievalRecent(1).build();
        int na = 4000;
        int nb = 3500;
        ChunkedModel.Result a = run(cfg, "a", bases(na, 41), false);
        ChunkedModel.Result b = run(cfg, "b", bases(nb, 42), false);
        List<ChunkSummary> sa = summaries("a", a, na, cfg, false);
        List<ChunkSummary> sb = summaries("b", b, nb, cfg, false);
        List<ChunkSummary> turns = new ArrayList<>();
        for (int ia = 0, ib = 0, step = 0; ia < sa.size() || ib < sb.size(); step++) {
            if (ia < sa.size()) {
                turns.add(sa.get(ia++));
            }
            if (step % 5 == 4 && ia < sa.size()) { // now and then two chunks of "a" in a row: its memory is kept
                turns.add(sa.get(ia++));           // as an object between them
            }
            if (ib < sb.size()) {
                turns.add(sb.get(ib++));
            }
        }
        assertThat(turns).hasSize(sa.size() + sb.size());
        // cut between two chunks of "a": the operator keeps a's memory as an object across the checkpoint, so the
        // next chunk must see that the state now hands out another array (the copy) and rewrite that one
        int cut = turns.size() / 2;
        while (!(turns.get(cut - 1).sequenceId.equals("a") && turns.get(cut).sequenceId.equals("a"))) {
            cut++;
        }
        OperatorSubtaskState snapshot;
        List<BlockContext> before;
        List<BlockContext> uninterrupted;
        try (var h = harness(settings(cfg))) {
            assertThat(h.getOperator().getKeyedStateBackend()).isInstanceOf(HeapKeyedStateBackend.class);
            feed(h, turns.subList(0, cut));
            before = new ArrayList<>(h.extractOutputValues());
            OperatorSnapshotFutures inFlight = h.getOperator().snapshotState(1, 1,
                    CheckpointOptions.forCheckpointWithDefaultLocation(), new MemCheckpointStreamFactory(1 << 30));
            feed(h, turns.subList(cut, turns.size()));
            uninterrupted = new ArrayList<>(h.extractOutputValues());
            snapshot = OperatorSnapshotFinalizer.create(inFlight).getJobManagerOwnedState();
        }
        assertThat(only(uninterrupted, x -> x.sequenceId.equals("a"))).containsExactlyElementsOf(contexts("a", a.blocks()));
        assertThat(only(uninterrupted, x -> x.sequenceId.equals("b"))).containsExactlyElementsOf(contexts("b", b.blocks()));

        List<BlockContext> out = new ArrayList<>(before);
        KeyedOneInputStreamOperatorTestHarness<String, ChunkSummary, BlockContext> h =
                new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(
                        new GlobalContextFunction(settings(cfg))), x -> x.sequenceId, Types.STRING);
        try (h) {
            h.initializeState(snapshot);
            h.open();
            feed(h, turns.subList(cut, turns.size()));
            out.addAll(h.extractOutputValues());
        }
        assertThat(only(out, x -> x.sequenceId.equals("a"))).containsExactlyElementsOf(contexts("a", a.blocks()));
        assertThat(only(out, x -> x.sequenceId.equals("b"))).containsExactlyElementsOf(contexts("b", b.blocks()));
    }
}
