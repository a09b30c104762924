package io.longseq.math;

/**
 * {@link BandAttention} in plain Java, one query at a time: the fallback for the dilated mode when the
 * fused Vector-API kernel does not fit the head width or the JVM (the sliding mode then uses ND4J's
 * batched products instead). Several times slower than {@link VectorAttention}.
 */
final class ScalarAttention implements BandAttention {

    private final int dh;
    private final RowKernels kernels;
    private final float[] scores;   // [2w+1] scores, then probabilities, of one query

    ScalarAttention(int dh, int w, RowKernels kernels) {
        this.dh = dh;
        this.kernels = kernels;
        this.scores = new float[2 * w + 1];
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void head(float[] q, float[] kT, int stride, float[] v, int base, int n, int from, int to, int w,
                     boolean causal, RowSink out) {
        for (int i = from; i < to; i++) {
            int lo = Math.max(0, i - w);
            int hi = causal ? i : Math.min(n - 1, i + w);
            int len = hi - lo + 1;
            int qi = (base + i) * dh;
            for (int j = 0; j < len; j++) {
                int col = base + lo + j;
                float dot = 0f;
                for (int c = 0; c < dh; c++) {
                    dot += q[qi + c] * kT[c * stride + col];
                }
                scores[j] = dot;
            }
            kernels.bandSoftmax(scores, 0, len - 1, len);
            float[] row = out.row();
            java.util.Arrays.fill(row, 0, dh, 0f);
            for (int j = 0; j < len; j++) {
                int vj = (base + lo + j) * dh;
                float p = scores[j];
                for (int c = 0; c < dh; c++) {
                    row[c] += p * v[vj + c];
                }
            }
            out.put(i, row);
        }
    }
}
