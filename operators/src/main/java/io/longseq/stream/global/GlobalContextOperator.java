package io.longseq.stream.global;

import io.longseq.stream.OperatorMetrics;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.local.ChunkSummary;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/**
 * {@code global-context} as it runs in the job: {@link GlobalContextFunction} in a plain
 * {@link KeyedProcessOperator} (the same operator {@code keyBy(..).process(..)} makes, so its state and savepoints
 * are unchanged), which, when it opens, counts the open sequences and the block memory bytes of the state it
 * restored, one pass over its keys, so that the {@code openSequences} and {@code memoryBytes*} gauges
 * ({@link OperatorMetrics}) are right after a restore or a rescale. From then on the function keeps them.
 */
public class GlobalContextOperator extends KeyedProcessOperator<String, ChunkSummary, BlockContext> {

    private static final long serialVersionUID = 1L;

    public GlobalContextOperator(StreamSettings settings) {
        super(new GlobalContextFunction(settings));
    }

    @Override
    public void open() throws Exception {
        super.open(); // opens the function, which registers the gauges
        GlobalContextFunction f = (GlobalContextFunction) userFunction;
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        long[] open = {0};
        backend.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                GlobalContextFunction.nextChunkDescriptor(), (String id, ValueState<Long> state) -> {
                    if (state.value() != null) {
                        open[0]++;
                    }
                });
        f.sequences.restored(open[0], 0);
        backend.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                GlobalContextFunction.memoryDescriptor(), (String id, ValueState<byte[]> state) -> {
                    byte[] bytes = state.value();
                    if (bytes != null) {
                        f.memoryBytes.restored(bytes.length);
                    }
                });
        backend.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                GlobalContextFunction.fullMemoryDescriptor(), (String id, ListState<float[]> state) -> {
                    long bytes = 0;
                    Iterable<float[]> slabs = state.get();
                    for (float[] slab : slabs == null ? java.util.List.<float[]>of() : slabs) {
                        bytes += (long) slab.length * Float.BYTES;
                    }
                    if (bytes > 0) {
                        f.memoryBytes.restored(bytes);
                    }
                });
    }
}
