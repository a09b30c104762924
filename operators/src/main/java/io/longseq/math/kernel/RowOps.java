package io.longseq.math.kernel;

import io.longseq.math.model.ModelConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Row steps the local tiers ({@link LocalTier}, {@link DenseLocalTier}) share: the embedding mean of one
 * position, LayerNorm of one row, and a direct Java view of an ND4J buffer. Plain Java on float rows.
 */
final class RowOps {

    private RowOps() {}

    /** A direct view of the array's off-heap memory, in native order (read and written in place). */
    static FloatBuffer view(INDArray arr) {
        return bytes(arr).asFloatBuffer();
    }

    /** The same memory as {@link #view} as bytes, for the Vector API's buffer loads and stores. */
    static ByteBuffer bytes(INDArray arr) {
        return arr.data().asNio().order(ByteOrder.nativeOrder());
    }

    // ids [n·F] -> x rows [0, n) of [·, d]: the mean of the embeddings of each position's non-padding ids. With one
    // feature a position, the mean of one embedding is the embedding itself, so each row is copied straight from the
    // table (the floats embedRow gives, without its scratch passes). row is scratch [d].
    static void embedRows(ModelConfig cfg, float[] table, int[] ids, int n, FloatBuffer x, float[] row) {
        int d = cfg.dModel();
        for (int i = 0; i < n; i++) {
            if (cfg.maxFeatures() > 1) {
                embedRow(cfg, table, ids, i, row);
                x.put(i * d, row, 0, d);
            } else if (cfg.isPadding(ids[i])) {
                java.util.Arrays.fill(row, 0, d, 0f);
                x.put(i * d, row, 0, d);
            } else {
                x.put(i * d, table, checkedId(cfg, ids[i], i) * d, d);
            }
        }
    }

    // feature id at array position i -> itself, or an error naming it when it lies outside the embedding table
    static int checkedId(ModelConfig cfg, int id, int i) {
        int rows = cfg.embeddingRows();
        if (id >= rows) {
            throw new IllegalArgumentException("feature id " + id + " at array position " + i
                    + " is outside the embedding table [0, " + rows + ")");
        }
        return id;
    }

    // ids [·, F] position i -> row [d] = mean of the embeddings of its non-padding ids (zero if none)
    static void embedRow(ModelConfig cfg, float[] embedding, int[] ids, int i, float[] row) {
        int d = cfg.dModel();
        int nf = cfg.maxFeatures();
        int rows = cfg.embeddingRows();
        java.util.Arrays.fill(row, 0, d, 0f);
        int count = 0;
        for (int j = 0; j < nf; j++) {
            int id = ids[i * nf + j];
            if (cfg.isPadding(id)) {
                continue;
            }
            int base = checkedId(cfg, id, i) * d;
            for (int c = 0; c < d; c++) {
                row[c] += embedding[base + c];
            }
            count++;
        }
        float inv = count == 0 ? 0f : 1f / count;
        for (int c = 0; c < d; c++) {
            row[c] *= inv;
        }
    }

    // r [d] -> LN(r) [d] in place (eps 1e-5, biased variance); four partial sums keep the reductions off
    // one dependency chain
    static void normalizeRow(float[] r, int d, float[] gain, float[] bias) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int c = 0;
        for (; c + 3 < d; c += 4) {
            s0 += r[c];
            s1 += r[c + 1];
            s2 += r[c + 2];
            s3 += r[c + 3];
        }
        for (; c < d; c++) {
            s0 += r[c];
        }
        float mean = ((s0 + s1) + (s2 + s3)) / d;
        float v0 = 0, v1 = 0, v2 = 0, v3 = 0;
        c = 0;
        for (; c + 3 < d; c += 4) {
            float a0 = r[c] - mean;
            float a1 = r[c + 1] - mean;
            float a2 = r[c + 2] - mean;
            float a3 = r[c + 3] - mean;
            v0 += a0 * a0;
            v1 += a1 * a1;
            v2 += a2 * a2;
            v3 += a3 * a3;
        }
        for (; c < d; c++) {
            float a0 = r[c] - mean;
            v0 += a0 * a0;
        }
        float inv = (float) (1.0 / Math.sqrt(((v0 + v1) + (v2 + v3)) / d + 1e-5));
        for (c = 0; c < d; c++) {
            r[c] = (r[c] - mean) * inv * gain[c] + bias[c];
        }
    }

    // src rows [from, to) of [·, d] -> dst rows [from, to) = LN(src); row is scratch [d]
    static void normalizeRows(FloatBuffer src, FloatBuffer dst, int from, int to, int d, float[] row,
                              float[] gain, float[] bias) {
        for (int i = from; i < to; i++) {
            src.get(i * d, row, 0, d);
            normalizeRow(row, d, gain, bias);
            dst.put(i * d, row, 0, d);
        }
    }
}
