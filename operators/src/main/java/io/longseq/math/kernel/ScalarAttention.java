package io.longseq.math.kernel;

/**
 * {@link BandAttention} in plain Java, one query at a time: the fallback for the dilated mode when the
 * fused Vector-API kernel does not fit the head width or the JVM (the sliding mode then uses ND4J's
 * batched products instead), and the kernel of the sinks mode. Several times slower than
 * {@link VectorAttention}.
 */
public final class ScalarAttention implements BandAttention {

    private final int dh;
    private final RowKernels kernels;
    private final float[] scores;   // [sinks + 2w+1] scores, then probabilities, of one query

    ScalarAttention(int dh, int w, RowKernels kernels) {
        this(dh, w, 0, kernels);
    }

    ScalarAttention(int dh, int w, int sinks, RowKernels kernels) {
        this.dh = dh;
        this.kernels = kernels;
        this.scores = new float[sinks + 2 * w + 1];
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void head(float[] q, float[] kT, int stride, float[] v, int base, int n, int from, int to, int w,
                     boolean causal, float[] out, int outOffset, int outStride) {
        headWithSinks(q, kT, stride, v, base, n, from, to, w, causal, null, null, 0, 0, out, outOffset, outStride);
    }

    /**
     * As {@link #head}, and every query also meets the sink keys 0..sinks−1 (absolute positions) that lie
     * before its window: keys sinkK [sinks, d_h] and values sinkV [sinks, d_h], row-major.
     *
     * @param first absolute position of row 0 (so the sinks inside a query's window are not counted twice)
     */
    // q [n, d_h] · (sinks ∪ band) -> softmax -> · v -> out rows [from, to)
    void headWithSinks(float[] q, float[] kT, int stride, float[] v, int base, int n, int from, int to, int w,
                       boolean causal, float[] sinkK, float[] sinkV, int sinks, long first, float[] out,
                       int outOffset, int outStride) {
        for (int i = from; i < to; i++) {
            int lo = Math.max(0, i - w);
            int hi = causal ? i : Math.min(n - 1, i + w);
            int ns = (int) Math.min(sinks, first + lo);     // sinks before the window: scores[0, ns)
            int len = hi - lo + 1;
            int qi = (base + i) * dh;
            for (int j = 0; j < ns; j++) {
                float dot = 0f;
                for (int c = 0; c < dh; c++) {
                    dot += q[qi + c] * sinkK[j * dh + c];
                }
                scores[j] = dot;
            }
            for (int j = 0; j < len; j++) {
                int col = base + lo + j;
                float dot = 0f;
                for (int c = 0; c < dh; c++) {
                    dot += q[qi + c] * kT[c * stride + col];
                }
                scores[ns + j] = dot;
            }
            kernels.bandSoftmax(scores, 0, ns + len - 1, ns + len);
            int row = outOffset + i * outStride;           // out[row, row + d_h): this query's output
            java.util.Arrays.fill(out, row, row + dh, 0f);
            for (int j = 0; j < ns; j++) {
                float p = scores[j];
                for (int c = 0; c < dh; c++) {
                    out[row + c] += p * sinkV[j * dh + c];
                }
            }
            for (int j = 0; j < len; j++) {
                int vj = (base + lo + j) * dh;
                float p = scores[ns + j];
                for (int c = 0; c < dh; c++) {
                    out[row + c] += p * v[vj + c];
                }
            }
        }
    }
}
