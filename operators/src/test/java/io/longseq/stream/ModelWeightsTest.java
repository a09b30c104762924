package io.longseq.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.Weights;
import io.longseq.math.weights.WeightsInit;
import io.longseq.math.weights.WeightsIo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The weights an operator's open() loads: the same checks as the command's, and the same one-line message. */
class ModelWeightsTest {

    @TempDir
    Path dir;

    private static final ModelConfig CFG = ModelConfig.builder().kmer(2).dModel(4).heads(1).ffnDim(8).window(2)
            .blockSize(4).chunkSize(8).build();

    @Test
    void loadsTheFileBitwiseOrTheSeededInit() {
        Path f = dir.resolve("w.npz");
        Weights w = WeightsInit.random(CFG, 11, 1f);
        WeightsIo.save(f, w);
        Weights fromFile = ModelWeights.load(StreamSettings.defaults(CFG).withWeights(f.toString(), 42));
        Map<String, float[]> a = w.toArrays();
        fromFile.toArrays().forEach((name, v) -> assertThat(floatBits(v)).as(name).isEqualTo(floatBits(a.get(name))));

        Weights seeded = ModelWeights.load(StreamSettings.defaults(CFG).withWeights(null, 42));
        assertThat(floatBits(seeded.embedding)).isEqualTo(floatBits(WeightsInit.defaults(CFG, 42).embedding));
    }

    @Test
    void aFileTheCommandWouldRefuseFailsOpenWithTheSameLine() throws IOException {
        Path f = Files.writeString(dir.resolve("text.npz"), "not a zip");
        String problem = WeightsIo.check(f, CFG).orElseThrow();
        assertThat(problem).isEqualTo("weights file '" + f + "' is not a readable zip archive (truncated, or not an"
                + " .npz file, which is numpy's zip of .npy arrays): zip END header not found");
        assertThatThrownBy(() -> ModelWeights.load(StreamSettings.defaults(CFG).withWeights(f.toString(), 42)))
                .isInstanceOf(IllegalStateException.class).hasMessage(problem);
    }

    private static int[] floatBits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }
}
