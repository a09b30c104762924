package io.longseq.math.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.longseq.math.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seeded default and random weights: reproducible to the byte, and shaped as docs/design.md 2 says. */
class WeightsInitTest {

    @TempDir
    Path dir;

    private static final ModelConfig CFG = ModelConfig.builder().kmer(3).dModel(16).heads(2).layers(2).ffnDim(24)
            .window(4).blockSize(8).chunkSize(32).build();

    private byte[] npzBytes(Weights w, String name) throws IOException {
        Path f = dir.resolve(name);
        WeightsIo.save(f, w);
        return Files.readAllBytes(f);
    }

    @Test
    void sameSeedSameBytesDifferentSeedDifferentBytes() throws IOException {
        byte[] a = npzBytes(WeightsInit.defaults(CFG, 42), "a.npz");
        byte[] b = npzBytes(WeightsInit.defaults(CFG, 42), "b.npz");
        byte[] c = npzBytes(WeightsInit.defaults(CFG, 43), "c.npz");
        assertThat(b).isEqualTo(a);
        assertThat(c).isNotEqualTo(a);
        byte[] r1 = npzBytes(WeightsInit.random(CFG, 42, 1f), "r1.npz");
        byte[] r2 = npzBytes(WeightsInit.random(CFG, 42, 1f), "r2.npz");
        byte[] r3 = npzBytes(WeightsInit.random(CFG, 43, 1f), "r3.npz");
        assertThat(r2).isEqualTo(r1);
        assertThat(r3).isNotEqualTo(r1);
    }

    @Test
    void seedsThatDifferOnlyInHighBitsStillDiffer() {
        // java.util.Random keeps 48 seed bits; the array seed is mixed first, so the high bits count too.
        Weights a = WeightsInit.defaults(CFG, 1L);
        Weights b = WeightsInit.defaults(CFG, 1L | (1L << 60));
        assertThat(b.embedding).isNotEqualTo(a.embedding);
    }

    @Test
    void defaultsAreContentSimilarityAttention() {
        Weights w = WeightsInit.defaults(CFG, 5);
        int d = CFG.dModel();
        float[] eye = WeightsInit.identity(d);
        for (int l = 0; l < CFG.layers(); l++) {
            Weights.Layer y = w.layers[l];
            assertThat(y.wk).isEqualTo(y.wq);
            assertThat(y.wk).isNotSameAs(y.wq);
            assertOrthogonal(y.wq, d);
            assertThat(y.wv).isEqualTo(eye);
            assertThat(y.wo).isEqualTo(eye);
            assertThat(y.w1).containsOnly(0f).hasSize(d * CFG.ffnDim());
            assertThat(y.b1).containsOnly(0f).hasSize(CFG.ffnDim());
            assertThat(y.w2).containsOnly(0f).hasSize(CFG.ffnDim() * d);
            assertThat(y.b2).containsOnly(0f).hasSize(d);
            assertThat(y.ln1Gain).containsOnly(1f);
            assertThat(y.ln2Gain).containsOnly(1f);
            assertThat(y.ln1Bias).containsOnly(0f);
            assertThat(y.ln2Bias).containsOnly(0f);
        }
        assertThat(w.layers[1].wq).isNotEqualTo(w.layers[0].wq); // each layer its own rotation
        assertThat(w.gWk).isEqualTo(w.gWq);
        assertOrthogonal(w.gWq, d);
        assertThat(w.gWq).isNotEqualTo(w.layers[0].wq);
        assertThat(w.gWv).isEqualTo(eye);
        assertThat(w.gWo).isEqualTo(eye);
        assertThat(w.lngGain).containsOnly(1f);
        assertThat(w.lngBias).containsOnly(0f);
        assertThat(w.lnfGain).containsOnly(1f);
        assertThat(w.lnfBias).containsOnly(0f);
        assertThat(w.poolQuery).containsOnly(0f).hasSize(d);
        assertOrthogonal(w.poolWk, d);
        assertThat(w.poolWv).isEqualTo(eye);
    }

    @Test
    void embeddingsAreStandardGaussian() {
        ModelConfig cfg = CFG.toBuilder().kmer(6).build();
        float[] e = WeightsInit.defaults(cfg, 9).embedding; // [4098, 16]
        assertThat(e).hasSize(cfg.embeddingRows() * cfg.dModel());
        double sum = 0;
        double sq = 0;
        for (float v : e) {
            sum += v;
            sq += (double) v * v;
        }
        double mean = sum / e.length;
        double var = sq / e.length - mean * mean;
        assertThat(mean).isBetween(-0.02, 0.02);
        assertThat(var).isBetween(0.97, 1.03);
    }

    @Test
    void orthogonalForSeveralSizes() {
        for (int d : new int[] {2, 3, 8, 64, 128}) {
            assertOrthogonal(WeightsInit.orthogonal(11, "m", d), d);
        }
    }

    /** W Wᵀ = I and Wᵀ W = I within 1e-5. */
    private static void assertOrthogonal(float[] w, int d) {
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double rows = 0;
                double cols = 0;
                for (int k = 0; k < d; k++) {
                    rows += (double) w[i * d + k] * w[j * d + k];
                    cols += (double) w[k * d + i] * w[k * d + j];
                }
                double expected = i == j ? 1 : 0;
                assertThat(rows).as("(W Wᵀ)[%d,%d], d=%d", i, j, d).isCloseTo(expected, offset(1e-5));
                assertThat(cols).as("(Wᵀ W)[%d,%d], d=%d", i, j, d).isCloseTo(expected, offset(1e-5));
            }
        }
    }

    @Test
    void randomExercisesEveryWeight() {
        Weights w = WeightsInit.random(CFG, 3, 1f);
        for (Map.Entry<String, float[]> e : w.toArrays().entrySet()) {
            float[] v = e.getValue();
            int nonZero = 0;
            boolean allOne = true;
            for (float x : v) {
                nonZero += x != 0 ? 1 : 0;
                allOne &= x == 1f;
            }
            assertThat(nonZero).as(e.getKey()).isGreaterThan(v.length / 2);
            assertThat(allOne).as(e.getKey()).isFalse();
        }
        assertThat(w.layers[0].wk).isNotEqualTo(w.layers[0].wq);
        // matrices scaled by 1/sqrt(d_in): entries of W1 [16, 24] have variance about 1/16
        double sq = 0;
        for (float x : w.layers[0].w1) {
            sq += (double) x * x;
        }
        assertThat(sq / w.layers[0].w1.length).isBetween(0.03, 0.1);
        // gains near 1
        for (float g : w.lnfGain) {
            assertThat(g).isBetween(0.5f, 1.5f);
        }
    }

    @Test
    void randomRejectsBadScale() {
        assertThatThrownBy(() -> WeightsInit.random(CFG, 1, 0f)).hasMessageContaining("scale");
        assertThatThrownBy(() -> WeightsInit.random(CFG, 1, Float.NaN)).hasMessageContaining("scale");
    }

    @Test
    void arraySeedAndValuesArePinned() {
        // Pinned values: changing the derivation changes every default model, so it must be deliberate.
        assertThat(WeightsInit.arraySeed(0, "embedding")).isEqualTo(-915601506115492176L);
        assertThat(WeightsInit.arraySeed(42, "layer0.wq")).isEqualTo(4446266525898469668L);
        Weights w = WeightsInit.defaults(CFG, 42);
        assertThat(Float.floatToRawIntBits(w.embedding[0])).isEqualTo(0xbd497f75);
        assertThat(Float.floatToRawIntBits(w.embedding[1])).isEqualTo(0x3e7d7e21);
        assertThat(Float.floatToRawIntBits(w.layers[0].wq[0])).isEqualTo(0xbde13c3a);
        assertThat(Float.floatToRawIntBits(w.layers[0].wq[1])).isEqualTo(0xbd9f3531);
        assertThat(WeightsInit.arraySeed(0, "layer0.wq")).isNotEqualTo(WeightsInit.arraySeed(0, "layer1.wq"));
        assertThat(WeightsInit.arraySeed(1, "embedding")).isNotEqualTo(WeightsInit.arraySeed(0, "embedding"));
    }
}
