package io.longseq.math;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.features.Features;
import io.longseq.math.model.ModelConfig;
import java.util.Random;

/** Small configurations and inputs shared by the math tests. */
public final class TestModels {

    private TestModels() {}

    /** A small DNA model: d = 32, h = 4 (d_h = 8), w = 8, B = 16, C = 64, k = 3. */
    public static ModelConfig.Builder small() {
        return ModelConfig.builder().featureKind(FeatureKind.DNA).kmer(3).dModel(32).heads(4).window(8)
                .layers(1).ffnDim(64).blockSize(16).chunkSize(64).recent(4).group(2).levels(3).topK(3);
    }

    /** Random bases (mostly ACGT, a few N and lower case) of length n. */
    public static byte[] bases(int n, long seed) {
        Random r = new Random(seed);
        byte[] b = new byte[n];
        String alphabet = "ACGTACGTACGTacgtN";
        for (int i = 0; i < n; i++) {
            b[i] = (byte) alphabet.charAt(r.nextInt(alphabet.length()));
        }
        return b;
    }

    /** DNA feature ids [n] for random bases, via the production k-mer code. */
    public static int[] dnaIds(ModelConfig cfg, int n, long seed) {
        return Features.dnaKmers(bases(n, seed), 0, n, 0, cfg);
    }

    /** Random token ids [n·F] in [0, V), with some empty slots when F &gt; 1. */
    public static int[] tokenIds(ModelConfig cfg, int n, long seed) {
        Random r = new Random(seed);
        int nf = cfg.maxFeatures();
        int[] ids = new int[n * nf];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (nf > 1 && r.nextInt(4) == 0) ? -1 : r.nextInt(cfg.embeddingRows());
        }
        return ids;
    }
}
