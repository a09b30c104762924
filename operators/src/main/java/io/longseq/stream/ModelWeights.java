package io.longseq.stream;

import io.longseq.math.Weights;
import io.longseq.math.WeightsInit;
import io.longseq.math.WeightsIo;
import java.nio.file.Path;

/** The weights a function uses: the settings' .npz file, or the seeded default init (DESIGN.md 2). */
final class ModelWeights {

    private ModelWeights() {}

    static Weights load(StreamSettings s) {
        return s.weightsPath() == null
                ? WeightsInit.defaults(s.model(), s.seed())
                : WeightsIo.load(Path.of(s.weightsPath()), s.model());
    }
}
