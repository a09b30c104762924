package io.longseq.stream;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.LocalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.stream.assemble.GapPolicy;
import io.longseq.stream.local.WarmupGate;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the pipeline's functions need, parsed and checked once (from {@code LongseqOptions} or a test) and
 * shipped to the tasks with the functions. Immutable.
 *
 * @param model          the model's shape and streaming geometry
 * @param weightsPath    an .npz file readable on every TaskManager, or null for the seeded default init
 * @param seed           seed of the default init (ignored with a weights file)
 * @param reorderBound   positions {@code assemble} may hold out of order per sequence before the gap policy acts
 * @param gapPolicy      what missing positions do to a sequence
 * @param idleTimeout    a sequence with no fragment for this long is closed (processing time); zero turns it off
 * @param endedRetention how long an ended sequence's id is remembered, so late fragments become dead letters
 *                       instead of starting a new sequence; zero keeps nothing
 * @param maxPayloadBytes a fragment payload larger than this is a dead letter
 * @param maxPosition    positions at or past this (offsets beyond it) are dead letters: a guard against garbage offsets
 * @param tokenContexts  also emit per-token contexts (heavy: d floats per position)
 * @param warmupChunks   the first chunks of each local-attention subtask that run one subtask at a time per JVM, so
 *                       the JIT compiles the kernels while one subtask runs them interpreted ({@link WarmupGate});
 *                       0 turns the gate off
 * @param shadowSample   F ∈ [0, 1]: the fraction of sequences (a seeded hash of the id picks them,
 *                       {@link io.longseq.math.memory.ShadowMonitor#sampled}) for which {@code global-context} also
 *                       runs exact FULL global attention and reports how far the configured mode is from it; 0 turns
 *                       the monitor off (no effect in global mode FULL)
 * @param limits         the caps against hostile input ({@link StreamLimits})
 * @param alertThreshold a block whose novelty is at least this becomes an alert (an output of its own); NaN: no
 *                       alerts
 */
public record StreamSettings(ModelConfig model, String weightsPath, long seed, int reorderBound, GapPolicy gapPolicy,
                             Duration idleTimeout, Duration endedRetention, int maxPayloadBytes, long maxPosition,
                             boolean tokenContexts, int warmupChunks, double shadowSample, StreamLimits limits,
                             double alertThreshold)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Default of {@link #warmupChunks}: enough for C2 to compile the kernels on two cores (docs/benchmarks.md). */
    public static final int DEFAULT_WARMUP_CHUNKS = 8;

    public StreamSettings {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(gapPolicy, "gapPolicy");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(endedRetention, "endedRetention");
        Objects.requireNonNull(limits, "limits");
        if (model.localMode() == LocalMode.FULL) {
            throw new IllegalArgumentException("local mode 'full' (dense O(n²) attention over the whole sequence) is"
                    + " the offline baseline only; the streaming job runs sliding, dilated or sinks");
        }
        if (reorderBound < 1) {
            throw new IllegalArgumentException("reorder bound must be at least 1 position, got " + reorderBound);
        }
        if (idleTimeout.isNegative() || endedRetention.isNegative()) {
            throw new IllegalArgumentException("idle timeout and ended retention must not be negative");
        }
        if (maxPayloadBytes < 1) {
            throw new IllegalArgumentException("max payload bytes must be at least 1, got " + maxPayloadBytes);
        }
        if (maxPosition < 1) {
            throw new IllegalArgumentException("max position must be at least 1, got " + maxPosition);
        }
        if (warmupChunks < 0) {
            throw new IllegalArgumentException("warm-up chunks must not be negative, got " + warmupChunks);
        }
        if (!(shadowSample >= 0 && shadowSample <= 1)) {
            throw new IllegalArgumentException("--shadow-sample must be a fraction in [0, 1], got " + shadowSample);
        }
        if (!Double.isNaN(alertThreshold) && !(alertThreshold >= 0 && alertThreshold <= 1)) {
            throw new IllegalArgumentException("alert threshold must be a novelty in [0, 1], got " + alertThreshold);
        }
    }

    /** Whether blocks at or above a novelty threshold become alerts. */
    public boolean alerts() {
        return !Double.isNaN(alertThreshold);
    }

    /** Settings with the defaults of {@code LongseqOptions} for everything but the model. */
    public static StreamSettings defaults(ModelConfig model) {
        return builder(model).build();
    }

    /** A builder holding the defaults of {@code LongseqOptions}, like {@code ModelConfig.builder()}. */
    public static Builder builder(ModelConfig model) {
        return new Builder(model);
    }

    /** A builder holding these settings, to change some of them. */
    public Builder toBuilder() {
        return builder(model).weights(weightsPath, seed).reorderBound(reorderBound).gapPolicy(gapPolicy)
                .idleTimeout(idleTimeout).endedRetention(endedRetention).maxPayloadBytes(maxPayloadBytes)
                .maxPosition(maxPosition).tokenContexts(tokenContexts).warmupChunks(warmupChunks)
                .shadowSample(shadowSample).limits(limits).alertThreshold(alertThreshold);
    }

    /** Collects the settings; {@link #build} checks them once. */
    public static final class Builder {
        private final ModelConfig model;
        private String weightsPath;
        private long seed = 42L;
        private int reorderBound = 1 << 20;
        private GapPolicy gapPolicy = GapPolicy.FAIL_SEQUENCE;
        private Duration idleTimeout = Duration.ofMinutes(30);
        private Duration endedRetention = Duration.ofHours(1);
        private int maxPayloadBytes = 16 << 20;
        private long maxPosition = 1L << 40;
        private boolean tokenContexts;
        private int warmupChunks = DEFAULT_WARMUP_CHUNKS;
        private double shadowSample;
        private StreamLimits limits = StreamLimits.DEFAULTS;
        private double alertThreshold = Double.NaN;

        private Builder(ModelConfig model) {
            this.model = model;
        }

        public Builder weights(String path, long seed) {
            this.weightsPath = path;
            this.seed = seed;
            return this;
        }

        public Builder reorderBound(int v) {
            reorderBound = v;
            return this;
        }

        public Builder gapPolicy(GapPolicy v) {
            gapPolicy = v;
            return this;
        }

        public Builder idleTimeout(Duration v) {
            idleTimeout = v;
            return this;
        }

        public Builder endedRetention(Duration v) {
            endedRetention = v;
            return this;
        }

        public Builder maxPayloadBytes(int v) {
            maxPayloadBytes = v;
            return this;
        }

        public Builder maxPosition(long v) {
            maxPosition = v;
            return this;
        }

        public Builder tokenContexts(boolean v) {
            tokenContexts = v;
            return this;
        }

        public Builder warmupChunks(int v) {
            warmupChunks = v;
            return this;
        }

        public Builder shadowSample(double v) {
            shadowSample = v;
            return this;
        }

        public Builder limits(StreamLimits v) {
            limits = v;
            return this;
        }

        /** NaN (the default): no alerts. */
        public Builder alertThreshold(double v) {
            alertThreshold = v;
            return this;
        }

        /** @throws IllegalArgumentException naming the first setting out of range */
        public StreamSettings build() {
            return new StreamSettings(model, weightsPath, seed, reorderBound, gapPolicy, idleTimeout, endedRetention,
                    maxPayloadBytes, maxPosition, tokenContexts, warmupChunks, shadowSample, limits, alertThreshold);
        }
    }

    public StreamSettings withReorderBound(int v) {
        return toBuilder().reorderBound(v).build();
    }

    public StreamSettings withGapPolicy(GapPolicy v) {
        return toBuilder().gapPolicy(v).build();
    }

    public StreamSettings withIdleTimeout(Duration v) {
        return toBuilder().idleTimeout(v).build();
    }

    public StreamSettings withEndedRetention(Duration v) {
        return toBuilder().endedRetention(v).build();
    }

    public StreamSettings withWeights(String path, long seed) {
        return toBuilder().weights(path, seed).build();
    }

    public StreamSettings withMaxPayloadBytes(int v) {
        return toBuilder().maxPayloadBytes(v).build();
    }

    public StreamSettings withMaxPosition(long v) {
        return toBuilder().maxPosition(v).build();
    }

    public StreamSettings withTokenContexts(boolean v) {
        return toBuilder().tokenContexts(v).build();
    }

    public StreamSettings withWarmupChunks(int v) {
        return toBuilder().warmupChunks(v).build();
    }

    public StreamSettings withShadowSample(double v) {
        return toBuilder().shadowSample(v).build();
    }

    public StreamSettings withLimits(StreamLimits v) {
        return toBuilder().limits(v).build();
    }

    /** F_in, symbols per position between validate and local-attention: F for LOG, 1 for DNA and TOKENS. */
    public int symbolsPerPosition() {
        return model.featureKind() == FeatureKind.LOG ? model.maxFeatures() : 1;
    }

    /** The symbol that pads a skipped position: 'N' for DNA, an empty slot (-1) otherwise. */
    public int paddingSymbol() {
        return model.featureKind() == FeatureKind.DNA ? 'N' : -1;
    }
}
