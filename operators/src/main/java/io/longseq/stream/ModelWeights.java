package io.longseq.stream;

import io.longseq.math.weights.NpzException;
import io.longseq.math.weights.Weights;
import io.longseq.math.weights.WeightsInit;
import io.longseq.math.weights.WeightsIo;
import java.nio.file.Path;

/**
 * The weights a function uses: the settings' .npz file, or the seeded default init (docs/design.md 2).
 *
 * <p>The file is loaded with {@link WeightsIo#load}, which runs the same checks as {@link WeightsIo#check} that
 * {@code longseq run} made before submitting the job; so a file refused here was changed (or is not the same on
 * this TaskManager) after the job started. The operator cannot run without its weights, so {@code open()} fails
 * with the loader's one-line message.
 */
public final class ModelWeights {

    private ModelWeights() {}

    public static Weights load(StreamSettings s) {
        if (s.weightsPath() == null) {
            return WeightsInit.defaults(s.model(), s.seed());
        }
        try {
            return WeightsIo.load(Path.of(s.weightsPath()), s.model());
        } catch (NpzException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
