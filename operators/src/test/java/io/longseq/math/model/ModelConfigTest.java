package io.longseq.math.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longseq.math.features.FeatureKind;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every validation path of {@link ModelConfig}: each range check at both ends (rejected one past the end,
 * accepted at the end), each cross-setting rule, the defaults of docs/design.md section 1, and the derived helpers.
 */
class ModelConfigTest {

    /**
     * One ranged setting: its name, allowed [min, max], how to set it, and a base that makes the boundary values
     * consistent with the other settings (e.g. dModel = 2 needs heads = 1).
     */
    record Ranged(String name, long min, long max, BiFunction<ModelConfig.Builder, Integer, ModelConfig.Builder> set,
                  UnaryOperator<ModelConfig.Builder> base) {
        @Override
        public String toString() {
            return name + " [" + min + ", " + max + "]";
        }
    }

    static Stream<Ranged> ranged() {
        UnaryOperator<ModelConfig.Builder> same = b -> b;
        return Stream.of(
                new Ranged("kmer", 1, 8, ModelConfig.Builder::kmer, same),
                new Ranged("vocabSize", 2, 1 << 24, ModelConfig.Builder::vocabSize, same),
                new Ranged("maxFeatures", 1, 256, ModelConfig.Builder::maxFeatures, b -> b.featureKind(FeatureKind.LOG)),
                new Ranged("dModel", 2, 4096, ModelConfig.Builder::dModel, b -> b.heads(1)),
                new Ranged("heads", 1, 256, ModelConfig.Builder::heads, b -> b.dModel(512)),
                new Ranged("window", 1, 1 << 14, ModelConfig.Builder::window, same),
                new Ranged("layers", 1, 16, ModelConfig.Builder::layers, same),
                new Ranged("ffnDim", 1, 1 << 16, ModelConfig.Builder::ffnDim, same),
                new Ranged("blockSize", 1, 1 << 20, ModelConfig.Builder::blockSize, b -> b.chunkSize(1 << 21)),
                new Ranged("chunkSize", 1, 1 << 22, ModelConfig.Builder::chunkSize, b -> b.blockSize(1)),
                new Ranged("recent", 1, 1 << 16, ModelConfig.Builder::recent, same),
                new Ranged("group", 2, 1 << 16, ModelConfig.Builder::group, b -> b.levels(3)),
                new Ranged("levels", 1, 32, ModelConfig.Builder::levels, b -> b.group(2)),
                new Ranged("maxBlocks", 1, Integer.MAX_VALUE, ModelConfig.Builder::maxBlocks, same),
                new Ranged("topK", 0, 1024, ModelConfig.Builder::topK, same),
                new Ranged("linearFeatures", 1, 4096, ModelConfig.Builder::linearFeatures, same),
                new Ranged("linearFeatures", 1, 4096, ModelConfig.Builder::linearFeatures,
                        b -> b.globalMode(GlobalMode.LINEAR)),
                new Ranged("maxDensePositions", 1, 65536, ModelConfig.Builder::maxDensePositions, same),
                new Ranged("maxDensePositions", 1, 65536, ModelConfig.Builder::maxDensePositions,
                        b -> b.localMode(LocalMode.FULL)),
                new Ranged("dilation", 1, 64, ModelConfig.Builder::dilation, b -> b.localMode(LocalMode.DILATED)),
                new Ranged("sinks", 1, 1024, ModelConfig.Builder::sinks, b -> b.localMode(LocalMode.SINKS)),
                new Ranged("bigbirdWindow", 0, 1024, ModelConfig.Builder::bigbirdWindow,
                        b -> b.globalMode(GlobalMode.BIGBIRD)),
                new Ranged("bigbirdGlobal", 0, 1024, ModelConfig.Builder::bigbirdGlobal,
                        b -> b.globalMode(GlobalMode.BIGBIRD)),
                new Ranged("bigbirdRandom", 0, 64, ModelConfig.Builder::bigbirdRandom,
                        b -> b.globalMode(GlobalMode.BIGBIRD)),
                new Ranged("retrievalBits", 0, 12, ModelConfig.Builder::retrievalBits,
                        b -> b.retrievalSlots(16).retrievalRecent(1)),
                new Ranged("retrievalSlots", 1, 65536, ModelConfig.Builder::retrievalSlots,
                        b -> b.retrievalBits(0).retrievalRecent(1).globalMode(GlobalMode.RETRIEVAL)),
                new Ranged("retrievalRecent", 1, 64, ModelConfig.Builder::retrievalRecent, b -> b.retrievalSlots(64)),
                new Ranged("retrievalSketches", 0, ModelConfig.MAX_RETRIEVAL_SKETCHES,
                        ModelConfig.Builder::retrievalSketches, b -> b),
                new Ranged("retrievalCandidates", 1, 1024, ModelConfig.Builder::retrievalCandidates, b -> b),
                new Ranged("linformerRank", 1, 256, ModelConfig.Builder::linformerRank,
                        b -> b.localMode(LocalMode.LINFORMER)),
                new Ranged("linformerSegment", 1, 4096, ModelConfig.Builder::linformerSegment,
                        b -> b.localMode(LocalMode.LINFORMER).chunkSize(4096).blockSize(1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ranged")
    void rangeEndsAreAcceptedAndOnePastIsRejected(Ranged r) {
        ModelConfig atMin = r.set().apply(r.base().apply(ModelConfig.builder()), (int) r.min()).build();
        ModelConfig atMax = r.set().apply(r.base().apply(ModelConfig.builder()), (int) r.max()).build();
        assertThat(atMin).isNotNull();
        assertThat(atMax).isNotNull();

        String allowed = "[" + r.min() + ", " + r.max() + "]";
        assertThatThrownBy(() -> r.set().apply(r.base().apply(ModelConfig.builder()), (int) (r.min() - 1)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("setting '" + r.name() + "' = " + (r.min() - 1) + " is out of range " + allowed);
        if (r.max() < Integer.MAX_VALUE) {
            assertThatThrownBy(() -> r.set().apply(r.base().apply(ModelConfig.builder()), (int) (r.max() + 1)).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("setting '" + r.name() + "' = " + (r.max() + 1) + " is out of range " + allowed);
        }
    }

    @Test
    void rangedTableCoversEveryIntSetting() {
        // every int component of the record is range-checked, and listed above
        long ints = Stream.of(ModelConfig.class.getRecordComponents()).filter(c -> c.getType() == int.class).count();
        assertThat(ranged().map(Ranged::name).distinct().count()).isEqualTo(ints);
    }

    @Test
    void enumsMustBeGiven() {
        assertThatThrownBy(() -> ModelConfig.builder().featureKind(null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'featureKind' = null")
                .hasMessageContaining("one of DNA, TOKENS, LOG");
        assertThatThrownBy(() -> ModelConfig.builder().pooling(null).build())
                .hasMessageContaining("'pooling' = null")
                .hasMessageContaining("one of MEAN, ATTENTION");
        assertThatThrownBy(() -> ModelConfig.builder().globalMode(null).build())
                .hasMessageContaining("'globalMode' = null")
                .hasMessageContaining("one of HIERARCHICAL, FULL, LINEAR, AXIAL, BIGBIRD, RETRIEVAL");
        assertThatThrownBy(() -> ModelConfig.builder().localMode(null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("setting 'localMode' = null is not allowed: must be one of SLIDING, DILATED, SINKS, LINFORMER, FULL");
    }

    @Test
    void localModeAndDenseCapRoundTrip() {
        ModelConfig full = ModelConfig.builder().localMode(LocalMode.FULL).maxDensePositions(300).build();
        assertThat(full.localMode()).isEqualTo(LocalMode.FULL);
        assertThat(full.maxDensePositions()).isEqualTo(300);
        assertThat(full.toBuilder().build()).isEqualTo(full);
        assertThat(full).isNotEqualTo(ModelConfig.builder().maxDensePositions(300).build());
        assertThat(ModelConfig.MAX_DENSE_POSITIONS).isEqualTo(65536);
        // the cap is a plain setting in SLIDING mode too (validated, unused)
        assertThat(ModelConfig.builder().maxDensePositions(1).build().localMode()).isEqualTo(LocalMode.SLIDING);
    }

    @Test
    void onlyLogHasSeveralFeatures() {
        assertThatThrownBy(() -> ModelConfig.builder().featureKind(FeatureKind.DNA).maxFeatures(2).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'maxFeatures' = 2")
                .hasMessageContaining("1 for DNA");
        assertThatThrownBy(() -> ModelConfig.builder().featureKind(FeatureKind.TOKENS).maxFeatures(32).build())
                .hasMessageContaining("'maxFeatures' = 32")
                .hasMessageContaining("1 for TOKENS");
        assertThat(ModelConfig.builder().featureKind(FeatureKind.LOG).maxFeatures(32).build().maxFeatures()).isEqualTo(32);
    }

    @Test
    void headsMustDivideDModelIntoEvenWidths() {
        assertThatThrownBy(() -> ModelConfig.builder().dModel(128).heads(3).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'heads' = 3")
                .hasMessageContaining("a divisor of dModel=128")
                .hasMessageContaining("even head width");
        assertThatThrownBy(() -> ModelConfig.builder().dModel(128).heads(128).build()) // width 1: odd
                .hasMessageContaining("'heads' = 128");
        assertThatThrownBy(() -> ModelConfig.builder().dModel(6).heads(2).build()) // width 3: odd
                .hasMessageContaining("'heads' = 2");
        assertThat(ModelConfig.builder().dModel(128).heads(64).build().headDim()).isEqualTo(2);
    }

    @Test
    void chunkSizeMustBeAMultipleOfBlockSize() {
        assertThatThrownBy(() -> ModelConfig.builder().blockSize(256).chunkSize(1000).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'chunkSize' = 1000")
                .hasMessageContaining("a multiple of blockSize=256");
        assertThat(ModelConfig.builder().blockSize(100).chunkSize(300).build().chunkSize()).isEqualTo(300);
    }

    @Test
    void axialRowMustStayBounded() {
        // AXIAL keeps a grid row of C/B blocks in state: at most MAX_AXIAL_ROW = 65536 blocks per chunk
        assertThatThrownBy(() -> ModelConfig.builder().globalMode(GlobalMode.AXIAL).blockSize(1).chunkSize(1 << 17)
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'chunkSize' = 131072")
                .hasMessageContaining("at most 65536 (65536 blocks of blockSize=1)")
                .hasMessageContaining("AXIAL");
        ModelConfig ok = ModelConfig.builder().globalMode(GlobalMode.AXIAL).blockSize(1).chunkSize(1 << 16).build();
        assertThat(ok.blocksPerChunk()).isEqualTo(ModelConfig.MAX_AXIAL_ROW);
        // other modes keep no row, so the same geometry is fine there
        assertThat(ModelConfig.builder().blockSize(1).chunkSize(1 << 17).build().blocksPerChunk()).isEqualTo(1 << 17);
    }

    @Test
    void linearSeedTakesAnyLong() {
        for (long seed : new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}) {
            ModelConfig c = ModelConfig.builder().globalMode(GlobalMode.LINEAR).linearSeed(seed).build();
            assertThat(c.linearSeed()).isEqualTo(seed);
            assertThat(c.toBuilder().build()).isEqualTo(c);
        }
    }

    @Test
    void hierarchyMustFitInALong() {
        // group^levels blocks must stay below 2^62 so block indices of every level fit a long
        assertThatThrownBy(() -> ModelConfig.builder().group(1 << 16).levels(4).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'levels' = 4")
                .hasMessageContaining("group^levels = 65536^4")
                .hasMessageContaining("2^62");
        assertThatThrownBy(() -> ModelConfig.builder().group(8).levels(32).build())
                .hasMessageContaining("'levels' = 32")
                .hasMessageContaining("8^32");
        assertThat(ModelConfig.builder().group(4).levels(31).build().levels()).isEqualTo(31); // 4^31 = 2^62 exactly
        assertThat(ModelConfig.builder().group(8).levels(20).build().levels()).isEqualTo(20); // 2^60
    }

    @Test
    void embeddingTableMustFitOneArray() {
        // TOKENS and LOG: vocabSize · dModel floats in one float[]
        for (FeatureKind kind : new FeatureKind[] {FeatureKind.TOKENS, FeatureKind.LOG}) {
            assertThatThrownBy(() -> ModelConfig.builder().featureKind(kind).vocabSize(1 << 24).dModel(128).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'vocabSize' = 16777216")
                    .hasMessageContaining("at most 16777215 for dModel=128");
            ModelConfig ok = ModelConfig.builder().featureKind(kind).vocabSize(16_777_215).dModel(128).build();
            assertThat((long) ok.embeddingRows() * ok.dModel()).isLessThanOrEqualTo(Integer.MAX_VALUE - 8);
        }
        // DNA ignores vocabSize: its table is 4^k + 2 rows, at most 65538 · 4096 floats
        assertThat(ModelConfig.builder().vocabSize(1 << 24).dModel(4096).kmer(8).build().embeddingRows()).isEqualTo(65538);
    }

    @Test
    void defaultsAreTheTypicalColumn() {
        ModelConfig c = ModelConfig.builder().build();
        assertThat(c.featureKind()).isEqualTo(FeatureKind.DNA);
        assertThat(c.kmer()).isEqualTo(6);
        assertThat(c.vocabSize()).isEqualTo(50_257);
        assertThat(c.maxFeatures()).isEqualTo(1);
        assertThat(c.dModel()).isEqualTo(128);
        assertThat(c.heads()).isEqualTo(4);
        assertThat(c.window()).isEqualTo(64);
        assertThat(c.layers()).isEqualTo(1);
        assertThat(c.ffnDim()).isEqualTo(512);
        assertThat(c.causal()).isFalse();
        assertThat(c.blockSize()).isEqualTo(256);
        assertThat(c.chunkSize()).isEqualTo(2048);
        assertThat(c.pooling()).isEqualTo(Pooling.MEAN);
        assertThat(c.globalMode()).isEqualTo(GlobalMode.RETRIEVAL);
        assertThat(c.recent()).isEqualTo(16);
        assertThat(c.group()).isEqualTo(8);
        assertThat(c.levels()).isEqualTo(4);
        assertThat(c.maxBlocks()).isEqualTo(1 << 20);
        assertThat(c.topK()).isEqualTo(4);
        assertThat(c.linearFeatures()).isEqualTo(64);
        assertThat(c.linearSeed()).isEqualTo(1L);
        assertThat(c.localMode()).isEqualTo(LocalMode.SLIDING);
        assertThat(c.maxDensePositions()).isEqualTo(8192);
        assertThat(c.toBuilder().build()).isEqualTo(c);
        ModelConfig changed = c.toBuilder().linearFeatures(7).linearSeed(-3).build();
        assertThat(changed.toBuilder().build()).isEqualTo(changed);
        assertThat(changed).isNotEqualTo(c);
    }

    @Test
    void derivedHelpers() {
        ModelConfig c = ModelConfig.builder().build(); // DNA, k = 6, d = 128, h = 4, w = 64, L = 1
        assertThat(c.embeddingRows()).isEqualTo(4098);
        assertThat(c.nId()).isEqualTo(4096);
        assertThat(c.padId()).isEqualTo(4097);
        assertThat(c.headDim()).isEqualTo(32);
        assertThat(c.attentionHalo()).isEqualTo(64);
        assertThat(c.leftHalo()).isEqualTo(64 + 5);
        assertThat(c.rightHalo()).isEqualTo(64);
        assertThat(c.levelCapacity()).isEqualTo(16 + 8 - 1);
        assertThat(c.blocksPerChunk()).isEqualTo(2048 / 256);
        assertThat(c.isPadding(-1)).isTrue();
        assertThat(c.isPadding(4097)).isTrue();
        assertThat(c.isPadding(4096)).isFalse(); // the N id carries content
        assertThat(c.isPadding(0)).isFalse();

        ModelConfig k2 = c.toBuilder().kmer(2).layers(3).window(10).causal(true).build();
        assertThat(k2.embeddingRows()).isEqualTo(18);
        assertThat(k2.nId()).isEqualTo(16);
        assertThat(k2.padId()).isEqualTo(17);
        assertThat(k2.attentionHalo()).isEqualTo(30);
        assertThat(k2.leftHalo()).isEqualTo(31);
        assertThat(k2.rightHalo()).isZero();

        ModelConfig tokens = c.toBuilder().featureKind(FeatureKind.TOKENS).vocabSize(1000).build();
        assertThat(tokens.embeddingRows()).isEqualTo(1000);
        assertThat(tokens.leftHalo()).isEqualTo(64); // no k-mer context
        assertThat(tokens.isPadding(4097)).isFalse();
        assertThat(tokens.isPadding(-1)).isTrue();

        ModelConfig logs = c.toBuilder().featureKind(FeatureKind.LOG).vocabSize(1 << 16).maxFeatures(32).build();
        assertThat(logs.embeddingRows()).isEqualTo(1 << 16);
        assertThat(logs.leftHalo()).isEqualTo(64);
    }
}
