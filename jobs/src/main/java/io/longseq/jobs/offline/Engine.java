package io.longseq.jobs.offline;

import io.longseq.math.model.BlockResult;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.Weights;
import java.util.List;
import java.util.Locale;

/**
 * Computes the block results of one whole sequence. Two implementations share the config and weights:
 * {@code nd4j} is the fast chunked path the streaming job uses; {@code reference} is the independent
 * double-precision model that the fast path is tested against (docs/design.md G2), slow on purpose, for checking.
 */
public interface Engine extends AutoCloseable {

    /** The engines the CLI offers, by their option value. */
    enum Kind {
        ND4J, REFERENCE;

        /** The lower-case name used on the command line. */
        public String optionValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One result per block of the sequence, in block order. {@code ids} holds {@code n · F} feature ids;
     * {@code positionsDone} hears how far the computation is, where the engine can tell (per chunk).
     */
    default List<BlockResult> run(int[] ids, int n, java.util.function.LongConsumer positionsDone) {
        return run(ids, n, positionsDone, 0L);
    }

    /**
     * As above for the sequence whose seed is {@code sequenceSeed}: {@code BigBirdMemory.sequenceSeed} of its id,
     * as the stream uses (global mode BIGBIRD's random blocks depend on it).
     */
    List<BlockResult> run(int[] ids, int n, java.util.function.LongConsumer positionsDone, long sequenceSeed);

    @Override
    void close();

    /**
     * Creates the engine. Only {@code ND4J} loads ND4J (and its native libraries): the reference path must run
     * where the natives cannot, and must not share anything with the code it checks.
     */
    static Engine create(Kind kind, ModelConfig cfg, Weights weights) {
        return switch (kind) {
            case ND4J -> new Nd4jEngine(cfg, weights);
            case REFERENCE -> new ReferenceEngine(cfg, weights);
        };
    }
}
