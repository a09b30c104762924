package io.longseq.math.kernel;

import io.longseq.math.model.LocalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.Weights;

/**
 * Local mode SINKS on the fused layout (docs/design.md 2.7): every query meets its sliding window plus the first S
 * positions of the sequence (those before its window; causal: and ≤ i). The sinks' keys and values at every
 * layer come from the array itself when it starts at position 0, else from a second {@link LocalTier} run over
 * the sequence's first {@link ModelConfig#sinkPrefix()} positions ({@link #computePrefix}).
 */
final class SinkPath implements AutoCloseable {

    private final ModelConfig cfg;
    private final Weights weights;
    private final RowKernels kernels;
    final int count;                          // S
    final ScalarAttention attention;          // band plus sink keys
    private final float[][][] sinkK;          // per layer, per head [S, d_h] keys of positions 0..S−1 (RoPE'd)
    private final float[][][] sinkV;          // per layer, per head [S, d_h] their values
    private int held;                         // how many of them the last run over position 0 produced
    private LocalTier prefixTier;             // computes the sinks from the sequence's first S + L·w positions

    SinkPath(ModelConfig cfg, Weights weights, RowKernels kernels) {
        this.cfg = cfg;
        this.weights = weights;
        this.kernels = kernels;
        count = cfg.sinks();
        int dh = cfg.headDim();
        attention = new ScalarAttention(dh, cfg.window(), count, kernels);
        sinkK = new float[cfg.layers()][cfg.heads()][count * dh];
        sinkV = new float[cfg.layers()][cfg.heads()][count * dh];
    }

    /** S when the config's local mode is SINKS, else 0. */
    static int count(ModelConfig cfg) {
        return cfg.localMode() == LocalMode.SINKS ? cfg.sinks() : 0;
    }

    // prefix ids [prefixN·F] (positions [0, prefixN)) -> the sinks' keys and values, held by the prefix tier
    void computePrefix(long first, int[] prefixIds, int prefixN) {
        if (prefixIds == null || prefixN < 1) {
            throw new IllegalArgumentException("local mode SINKS: an array starting at position " + first
                    + " needs the sequence's first min(n, sinks + L·w) = " + cfg.sinkPrefix()
                    + " positions as prefixIds");
        }
        if (prefixTier == null) {
            prefixTier = new LocalTier(cfg, weights, cfg.sinkPrefix(), kernels);
        }
        int pn = Math.min(prefixN, cfg.sinkPrefix());
        prefixTier.forward(prefixIds, 0, pn, 0, Math.min(pn, count), new float[Math.min(pn, count) * cfg.dModel()]);
    }

    // kᵀ, v rows [0, S) of layer l (an array that starts at position 0) -> sinkK/sinkV[l] [S, d_h] per head
    void capture(int l, int n, FusedHeads hs) {
        int dh = cfg.headDim();
        held = Math.min(count, n);
        for (int hd = 0; hd < cfg.heads(); hd++) {
            float[] kt = hs.kT[hd];
            float[] sk = sinkK[l][hd];
            for (int j = 0; j < held; j++) {
                for (int c = 0; c < dh; c++) {
                    sk[j * dh + c] = kt[c * hs.kStride + j];
                }
            }
            System.arraycopy(hs.v[hd], 0, sinkV[l][hd], 0, held * dh);
        }
    }

    // layer l's heads (laid out by position) -> hs.oRows rows [from, to): window plus the sinks
    void attend(int l, long first, int n, int from, int to, FusedHeads hs) {
        int dh = cfg.headDim();
        SinkPath source = first == 0 ? this : prefixTier.sinks();
        for (int hd = 0; hd < cfg.heads(); hd++) {           // head hd's rows -> its columns of oRows
            attention.headWithSinks(hs.q[hd], hs.kT[hd], hs.kStride, hs.v[hd], 0, n, from, to, cfg.window(),
                    cfg.causal(), source.sinkK[l][hd], source.sinkV[l][hd], source.held, first,
                    hs.oRows, hd * dh, cfg.dModel());
        }
    }

    @Override
    public void close() {
        if (prefixTier != null) {
            prefixTier.close();
        }
    }
}
