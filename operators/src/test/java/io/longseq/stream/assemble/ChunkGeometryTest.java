package io.longseq.stream.assemble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.ModelConfig;
import org.junit.jupiter.api.Test;

/** {@link ChunkGeometry}: the position arithmetic of assemble at the edges of a long (no harness). */
class ChunkGeometryTest {

    static final long MAX = Long.MAX_VALUE;

    @Test
    void coreFromMultipliesAndSaturatesInsteadOfWrapping() {
        assertThat(ChunkGeometry.coreFrom(0, 64)).isZero();
        assertThat(ChunkGeometry.coreFrom(3, 64)).isEqualTo(192);
        assertThat(ChunkGeometry.coreFrom(1L << 33, 1 << 22)).isEqualTo(1L << 55);
        // (2^63 − 1) / 64 · 64 still fits; one chunk more would wrap to a negative number
        long lastIndex = MAX / 64;
        assertThat(ChunkGeometry.coreFrom(lastIndex, 64)).isEqualTo(lastIndex * 64).isPositive();
        assertThat(ChunkGeometry.coreFrom(lastIndex + 1, 64)).isEqualTo(MAX);
        assertThat(ChunkGeometry.coreFrom(MAX, 3)).isEqualTo(MAX);
    }

    @Test
    void aChunkIsReadyOnceItsCoreAndRightHaloAndOnePositionMoreHaveArrived() {
        // chunk 64, right halo 8: chunk [0, 64) needs positions up to 72 and one more
        assertThat(ChunkGeometry.readyBeforeEnd(72, 0, 64, 8, 0)).isFalse();
        assertThat(ChunkGeometry.readyBeforeEnd(73, 0, 64, 8, 0)).isTrue();
        // the sink prefix holds chunk 0 back
        assertThat(ChunkGeometry.readyBeforeEnd(73, 0, 64, 8, 100)).isFalse();
        assertThat(ChunkGeometry.readyBeforeEnd(100, 0, 64, 8, 100)).isTrue();
        // near 2^63 − 1: coreFrom + chunk + halo would wrap, the difference does not
        long coreFrom = MAX - 50;
        assertThat(ChunkGeometry.readyBeforeEnd(MAX, coreFrom, 64, 8, 0)).isFalse();
        assertThat(ChunkGeometry.readyBeforeEnd(MAX, MAX - 73, 64, 8, 0)).isTrue();
        assertThat(ChunkGeometry.readyBeforeEnd(MAX - 100, coreFrom, 64, 8, 0)).as("next before the chunk")
                .isFalse();
    }

    @Test
    void coreAndArrayEndsAreClippedToTheLastPositionReceived() {
        assertThat(ChunkGeometry.coreTo(128, 64, 1000)).isEqualTo(192);
        assertThat(ChunkGeometry.coreTo(128, 64, 150)).isEqualTo(150);
        assertThat(ChunkGeometry.arrayTo(128, 64, 8, 1000)).isEqualTo(200);
        assertThat(ChunkGeometry.arrayTo(128, 64, 8, 195)).isEqualTo(195);
        assertThat(ChunkGeometry.arrayFrom(128, 10)).isEqualTo(118);
        assertThat(ChunkGeometry.arrayFrom(0, 10)).isZero();
        // the final chunk of a sequence ending at 2^63 − 1
        long coreFrom = MAX - 30;
        assertThat(ChunkGeometry.coreTo(coreFrom, 64, MAX)).isEqualTo(MAX);
        assertThat(ChunkGeometry.arrayTo(coreFrom, 64, 8, MAX)).isEqualTo(MAX);
        assertThat(ChunkGeometry.arrayFrom(coreFrom, 10)).isEqualTo(MAX - 40);
    }

    @Test
    void theTailKeepsTheNextLeftHaloAndNeverMovesBack() {
        assertThat(ChunkGeometry.keepFrom(0, 200, 128, 10)).isEqualTo(118);
        assertThat(ChunkGeometry.keepFrom(120, 200, 128, 10)).isEqualTo(120);
        assertThat(ChunkGeometry.keepFrom(0, 100, 128, 10)).isEqualTo(100);
        // the next chunk's start saturated at 2^63 − 1 (after the final chunk): no wrap past it
        assertThat(ChunkGeometry.keepFrom(MAX - 200, MAX - 5, MAX, 10)).isEqualTo(MAX - 10);
        assertThat(ChunkGeometry.keepFrom(MAX - 200, MAX - 50, MAX, 10)).isEqualTo(MAX - 50);
    }

    @Test
    void anIndexThatDoesNotFitAnIntThrowsRatherThanWrapping() {
        assertThat(ChunkGeometry.index(110, 100, 32)).isEqualTo(320);
        assertThat(ChunkGeometry.index(MAX, MAX - 3, 256)).isEqualTo(768);
        // 2^26 positions at 32 symbols is 2^31: one past Integer.MAX_VALUE
        assertThatThrownBy(() -> ChunkGeometry.index(1L << 26, 0, 32)).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> ChunkGeometry.index(1L << 39, 0, 1)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void plusSaturates() {
        assertThat(ChunkGeometry.plus(1_000, 60_000)).isEqualTo(61_000);
        assertThat(ChunkGeometry.plus(MAX - 5, 10)).isEqualTo(MAX);
        assertThat(ChunkGeometry.plus(1_700_000_000_000L, MAX - 1_000_000_000_000L)).isEqualTo(MAX);
    }

    @Test
    void aConfigurationWhoseChunkArraysCannotBeOneJavaArrayIsRefusedNamingTheOptions() {
        ModelConfig small = ModelConfig.builder().featureKind(FeatureKind.LOG).vocabSize(1000).maxFeatures(32)
                .dModel(32).heads(4).window(8).layers(1).ffnDim(64).blockSize(16).chunkSize(2048).build();
        ChunkGeometry.checkArrays(small, 32); // (8 + 2048 + 8 + 1 + 2048) · 32 symbols: fine
        assertThat(ChunkGeometry.maxTailPositions(small)).isEqualTo(8 + 2048 + 8 + 1 + 2048);
        ModelConfig huge = ModelConfig.builder().featureKind(FeatureKind.LOG).vocabSize(1000).maxFeatures(256)
                .dModel(32).heads(4).window(8).layers(1).ffnDim(64).blockSize(16).chunkSize(1 << 22).build();
        // (8 + 2^22 + 8 + 1 + 2^22) · 256 = 2,147,488,000 symbols
        assertThatThrownBy(() -> ChunkGeometry.checkArrays(huge, 256)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("chunk-size 4194304").hasMessageContaining("2,147,488,000 symbols")
                .hasMessageContaining("max-features");
    }

    @Test
    void countsCarryThousandsSeparators() {
        assertThat(ChunkGeometry.count(16_777_216)).isEqualTo("16,777,216");
        assertThat(ChunkGeometry.count(1L << 39)).isEqualTo("549,755,813,888");
        assertThat(ChunkGeometry.count(7)).isEqualTo("7");
    }
}
