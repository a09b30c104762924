package io.longseq.bench;

import io.longseq.math.kernel.LocalTier;
import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.model.LocalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.WeightsInit;
import java.util.Random;

/**
 * The local tier's output bits over 48 chunk shapes: six configurations (the benchmark's, two layers, causal,
 * DILATED, SINKS, a small odd one) × eight chunk geometries (sequence start, deep inside, short and one-position
 * cores), random weights and ids; one hash of z's float bits per shape and one over all. Two builds (or two JVM
 * settings, e.g. {@code -XX:UseAVX=2} with {@code DNNL_MAX_CPU_ISA=AVX2}) give the same bits when their printouts are
 * identical: {@code bench/run hashes > a.txt}, then with the other jar, {@code diff}.
 */
public final class LocalTierHashes {

    private LocalTierHashes() {}

    public static void main(String[] args) {
        Nd4jRuntime.init(1);
        ModelConfig base = ModelConfig.builder().build();
        ModelConfig[] configs = {
            base,
            base.toBuilder().layers(2).build(),
            base.toBuilder().causal(true).build(),
            base.toBuilder().localMode(LocalMode.DILATED).dilation(2).build(),
            base.toBuilder().localMode(LocalMode.SINKS).sinks(4).build(),
            base.toBuilder().dModel(64).heads(2).ffnDim(200).window(16).chunkSize(256).build(),
        };
        long total = 0;
        int shapes = 0;
        for (ModelConfig cfg : configs) {
            try (LocalTier tier = new LocalTier(cfg, WeightsInit.random(cfg, 42, 1f))) {
                int c = cfg.chunkSize();
                // {core start, core length}: the sequence's start, whole chunks inside, short and odd cores
                int[][] geometries = {{0, c}, {c, c}, {3 * c, c}, {0, c / 2 + 3}, {5 * c, c - 7}, {7 * c, 1}, {9 * c, 17},
                    {11 * c, c / 3}};
                for (int[] g : geometries) {
                    long h = hash(tier, cfg, g[0], g[1]);
                    total = total * 31 + h;
                    shapes++;
                    System.out.printf("%s L%d d%d %s core [%d, %d) %016x%n", cfg.localMode(), cfg.layers(), cfg.dModel(),
                            cfg.causal() ? "causal" : "bidirectional", g[0], g[0] + g[1], h);
                }
            }
        }
        System.out.printf("shapes %d total %016x%n", shapes, total);
    }

    // the core [coreFrom, coreFrom + len) with its halos through the tier (three times: the JIT's forms too) -> hash of z
    private static long hash(LocalTier tier, ModelConfig cfg, long coreFrom, int len) {
        long first = Math.max(0, coreFrom - cfg.attentionHalo());
        int n = (int) (coreFrom + len + cfg.rightHalo() - first);
        Random random = new Random(coreFrom * 31 + len);
        int[] ids = new int[n * cfg.maxFeatures()];                  // [n·F]
        for (int i = 0; i < ids.length; i++) {
            ids[i] = random.nextInt(cfg.nId());
        }
        int[] prefix = null;
        int prefixN = 0;
        if (cfg.localMode() == LocalMode.SINKS && first > 0) {
            prefixN = Math.min((int) first, cfg.sinkPrefix());
            prefix = new int[prefixN * cfg.maxFeatures()];           // [prefixN·F]
            for (int i = 0; i < prefix.length; i++) {
                prefix[i] = random.nextInt(cfg.nId());
            }
        }
        float[] z = new float[len * cfg.dModel()];                   // [len, d]
        for (int rep = 0; rep < 3; rep++) {
            tier.forward(ids, first, n, coreFrom, coreFrom + len, z, prefix, prefixN);
        }
        long h = 1;
        for (float v : z) {
            h = h * 1_000_003L + Float.floatToRawIntBits(v);
        }
        return h;
    }
}
