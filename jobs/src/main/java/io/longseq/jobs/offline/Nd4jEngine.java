package io.longseq.jobs.offline;

import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.ChunkedModel;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.Weights;
import java.util.List;

/**
 * The fast path: {@link ChunkedModel}, chunk by chunk exactly as the streaming job computes, with ND4J pinned to
 * one thread ({@link Nd4jRuntime#init}) like one Flink subtask. One model is reused for every record.
 */
final class Nd4jEngine implements Engine {

    private final ChunkedModel model;

    Nd4jEngine(ModelConfig cfg, Weights weights) {
        Nd4jRuntime.init(1);
        this.model = new ChunkedModel(cfg, weights);
    }

    @Override
    public List<BlockResult> run(int[] ids, int n, java.util.function.LongConsumer positionsDone, long sequenceSeed) {
        return model.run(ids, n, false, positionsDone, sequenceSeed).blocks();
    }

    @Override
    public void close() {
        model.close();
    }
}
