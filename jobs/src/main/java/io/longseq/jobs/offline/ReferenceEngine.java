package io.longseq.jobs.offline;

import io.longseq.math.model.BlockResult;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.reference.ReferenceModel;
import io.longseq.math.weights.Weights;
import java.util.List;

/**
 * The offline reference ({@link ReferenceModel}): plain loops in double precision over the whole sequence at
 * once. It needs memory for all n·d activations in double and is far slower than {@code nd4j}; use it to check
 * results, not to process genomes. It never touches ND4J.
 */
final class ReferenceEngine implements Engine {

    private final ReferenceModel model;

    ReferenceEngine(ModelConfig cfg, Weights weights) {
        this.model = new ReferenceModel(cfg, weights);
    }

    @Override
    public List<BlockResult> run(int[] ids, int n, java.util.function.LongConsumer positionsDone, long sequenceSeed) {
        return model.run(ids, n, sequenceSeed).blocks();
    }

    @Override
    public void close() {}
}
