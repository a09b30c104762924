package io.longseq.math.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fused band attention of one head against a plain double-precision loop, over band lengths that leave every
 * possible number of lanes past the band in the last vector (the lanes the kernel forces to −∞ and then to 0),
 * and the same bits whichever query rows a call computes (queries are grouped four at a time from {@code from}) and
 * wherever its output rows go (a head's columns of a wider matrix, nothing outside them touched).
 */
class VectorAttentionTest {

    private static final int LANES = FloatVector.SPECIES_PREFERRED.length();
    // the head widths the fused kernel takes are multiples of two vectors: d_h = 32 is one pair with AVX-512, two
    // with AVX2
    private static final int[] WIDTHS = {2 * LANES, 4 * LANES};

    // q [n, d_h] · kᵀ over the band -> softmax -> · v: out [n, d_h], in doubles
    private static double[][] reference(float[] q, float[] k, float[] v, int dh, int n, int w, boolean causal) {
        double[][] out = new double[n][dh];
        for (int i = 0; i < n; i++) {
            int lo = Math.max(0, i - w);
            int hi = causal ? i : Math.min(n - 1, i + w);
            double[] s = new double[hi - lo + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = lo; j <= hi; j++) {
                double dot = 0;
                for (int c = 0; c < dh; c++) {
                    dot += (double) q[i * dh + c] * k[j * dh + c];
                }
                s[j - lo] = dot;
                max = Math.max(max, dot);
            }
            double sum = 0;
            for (int j = 0; j < s.length; j++) {
                s[j] = Math.exp(s[j] - max);
                sum += s[j];
            }
            for (int j = lo; j <= hi; j++) {
                for (int c = 0; c < dh; c++) {
                    out[i][c] += s[j - lo] / sum * v[j * dh + c];
                }
            }
        }
        return out;
    }

    // out [n, d_h]: the kernel writes row i at column `column` of a [n, width·d_h] matrix filled with NaN first
    private static float[] run(VectorAttention att, float[] q, float[] kT, int stride, float[] v, int dh, int n,
                               int w, boolean causal, int[] splits, int width, int column) {
        float[] matrix = new float[n * width * dh];
        java.util.Arrays.fill(matrix, Float.NaN);
        int from = 0;
        for (int to : splits) {
            att.head(q, kT, stride, v, 0, n, from, to, w, causal, matrix, column * dh, width * dh);
            from = to;
        }
        float[] out = new float[n * dh];
        for (int i = 0; i < n; i++) {
            for (int e = 0; e < width * dh; e++) {
                float x = matrix[i * width * dh + e];
                if (e / dh == column) {
                    out[i * dh + e % dh] = x;
                } else {
                    assertThat(x).as("row %d, entry %d outside the head's columns", i, e).isNaN();
                }
            }
        }
        return out;
    }

    // w = 1 … 2·LANES + 1 and n up to 3w + 9 give band lengths 1 … 4·LANES + 3: every tail 0 … LANES − 1
    @ParameterizedTest(name = "w={0} causal={1}")
    @CsvSource({"1,false", "2,false", "3,true", "5,false", "7,false", "8,true", "11,false", "13,true", "16,false",
        "17,false", "23,true", "31,false", "32,false", "33,true"})
    void matchesDoubleLoopForEveryTailAndAnyGrouping(int w, boolean causal) {
        for (int dh : WIDTHS) {
            matchesDoubleLoop(dh, w, causal);
        }
    }

    private static void matchesDoubleLoop(int dh, int w, boolean causal) {
        VectorAttention att = VectorAttention.create(dh, w);
        assertThat(att).as("the fused kernel for d_h = %d (%d lanes)", dh, LANES).isNotNull();
        Random random = new Random(31L * w + (causal ? 1 : 0) + 1000L * dh);
        for (int n = 1; n <= 3 * w + 9; n++) {
            int stride = n + BandAttention.KEY_SLACK;
            float[] q = new float[n * dh];      // [n, d_h]
            float[] k = new float[n * dh];      // [n, d_h]
            float[] kT = new float[dh * stride]; // [d_h, stride]; the slack holds garbage the kernel must not use
            float[] v = new float[n * dh];      // [n, d_h]
            double sharp = n % 3 == 0 ? 6 : 1;  // some rows with sharp attention: scores far below their maximum
            for (int e = 0; e < q.length; e++) {
                q[e] = (float) (random.nextGaussian() * sharp / Math.sqrt(dh));
                k[e] = (float) random.nextGaussian();
                v[e] = (float) random.nextGaussian();
            }
            for (int e = 0; e < kT.length; e++) {
                kT[e] = Float.NaN;
            }
            for (int j = 0; j < n; j++) {
                for (int c = 0; c < dh; c++) {
                    kT[c * stride + j] = k[j * dh + c];
                }
            }
            double[][] expected = reference(q, k, v, dh, n, w, causal);
            float[] whole = run(att, q, kT, stride, v, dh, n, w, causal, new int[] {n}, 1, 0);
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < dh; c++) {
                    // float scores, e^x and sums over ≤ 2w + 1 terms: 1e-5 absolute on outputs of size ~1
                    assertThat((double) whole[i * dh + c]).as("d_h=%d n=%d row %d component %d", dh, n, i, c)
                            .isCloseTo(expected[i][c], Offset.offset(1e-5));
                }
            }
            // rows computed in other groups of four (starts 1, 2, 3 … past a split) give the same bits, also when
            // written as the third head's columns of a wider matrix
            int[] splits = n > 2 ? new int[] {1, n / 2 + 1, n} : new int[] {n};
            assertThat(run(att, q, kT, stride, v, dh, n, w, causal, splits, 4, 2))
                    .as("d_h=%d n=%d, split at %d", dh, n, n / 2 + 1).isEqualTo(whole);
        }
    }

    // headInPlace (blocks of eight, AVX-512): q and v read from a direct [n, 2d] q|v buffer (head 1 of 2), q rotated by
    // the kernel (RoPE, ·1/√d_h), o written into head 1's columns of a direct [n, d] buffer; against the double loop
    // on q rotated here in double, and the same bits for any split of the query rows
    @ParameterizedTest(name = "w={0} causal={1}")
    @CsvSource({"1,false", "3,true", "7,false", "16,false", "17,true", "33,false", "64,false", "64,true"})
    void inPlaceMatchesDoubleLoopForAnyGrouping(int w, boolean causal) {
        org.junit.jupiter.api.Assumptions.assumeTrue(VectorAttention.BLOCK == 8, "blocks of eight need 32 registers");
        int dh = 2 * LANES;
        int heads = 2;
        int d = heads * dh;
        int hd = 1;
        VectorAttention att = VectorAttention.create(dh, w);
        Random random = new Random(977L * w + (causal ? 1 : 0));
        for (int n : new int[] {1, 2, 7, 8, 9, w + 3, 2 * w + 9, 3 * w + 17}) {
            int stride = n + BandAttention.KEY_SLACK;
            java.nio.ByteBuffer qv = java.nio.ByteBuffer.allocateDirect(n * 2 * d * Float.BYTES)
                    .order(java.nio.ByteOrder.nativeOrder());          // [n, 2d]
            float[] qRot = new float[n * dh];   // [n, d_h] head hd's queries rotated and scaled, in double
            float[] k = new float[n * dh];      // [n, d_h]
            float[] kT = new float[dh * stride]; // [d_h, stride], NaN in the slack
            float[] v = new float[n * dh];      // [n, d_h]
            float[] cosDup = new float[n * dh]; // [n, d_h]
            float[] sinAlt = new float[n * dh]; // [n, d_h]
            float qScale = (float) (1.0 / Math.sqrt(dh));
            for (int e = 0; e < n * 2 * d; e++) {
                qv.putFloat(e * Float.BYTES, (float) random.nextGaussian());
            }
            for (int i = 0; i < n; i++) {
                for (int m = 0; m < dh / 2; m++) {
                    double angle = random.nextDouble() * 2 * Math.PI;
                    float c = (float) Math.cos(angle);
                    float sn = (float) Math.sin(angle);
                    cosDup[i * dh + 2 * m] = c;
                    cosDup[i * dh + 2 * m + 1] = c;
                    sinAlt[i * dh + 2 * m] = -sn;
                    sinAlt[i * dh + 2 * m + 1] = sn;
                    double x0 = qv.getFloat((i * 2 * d + hd * dh + 2 * m) * Float.BYTES);
                    double x1 = qv.getFloat((i * 2 * d + hd * dh + 2 * m + 1) * Float.BYTES);
                    qRot[i * dh + 2 * m] = (float) ((x0 * c - x1 * sn) * qScale);
                    qRot[i * dh + 2 * m + 1] = (float) ((x1 * c + x0 * sn) * qScale);
                }
                for (int c = 0; c < dh; c++) {
                    v[i * dh + c] = qv.getFloat((i * 2 * d + d + hd * dh + c) * Float.BYTES);
                    k[i * dh + c] = (float) random.nextGaussian();
                }
            }
            java.util.Arrays.fill(kT, Float.NaN);
            for (int j = 0; j < n; j++) {
                for (int c = 0; c < dh; c++) {
                    kT[c * stride + j] = k[j * dh + c];
                }
            }
            double[][] expected = reference(qRot, k, v, dh, n, w, causal);
            float[] whole = runInPlace(att, qv, cosDup, sinAlt, qScale, kT, stride, dh, d, hd, n, w, causal,
                    new int[] {n});
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < dh; c++) {
                    assertThat((double) whole[i * dh + c]).as("n=%d row %d component %d", n, i, c)
                            .isCloseTo(expected[i][c], Offset.offset(1e-5));
                }
            }
            int mid = Math.min(n - 1, n / 2 + 3);    // blocks of eight starting at 1 and at mid
            int[] splits = n > 2 ? new int[] {1, mid, n} : new int[] {n};
            assertThat(runInPlace(att, qv, cosDup, sinAlt, qScale, kT, stride, dh, d, hd, n, w, causal, splits))
                    .as("n=%d, split at 1 and %d", n, mid).isEqualTo(whole);
        }
    }

    // out [n, d_h]: headInPlace writes head hd's columns of a direct [n, d] buffer filled with NaN first
    private static float[] runInPlace(VectorAttention att, java.nio.ByteBuffer qv, float[] cosDup, float[] sinAlt,
                                      float qScale, float[] kT, int stride, int dh, int d, int hd, int n, int w,
                                      boolean causal, int[] splits) {
        java.nio.ByteBuffer o = java.nio.ByteBuffer.allocateDirect(n * d * Float.BYTES)
                .order(java.nio.ByteOrder.nativeOrder());             // [n, d]
        for (int e = 0; e < n * d; e++) {
            o.putFloat(e * Float.BYTES, Float.NaN);
        }
        int from = 0;
        for (int to : splits) {
            att.headInPlace(qv, hd * dh * Float.BYTES, (d + hd * dh) * Float.BYTES, 2 * d * Float.BYTES, cosDup, sinAlt,
                    qScale, kT, stride, n, from, to, w, causal, o, hd * dh * Float.BYTES, d * Float.BYTES);
            from = to;
        }
        float[] out = new float[n * dh];
        for (int i = 0; i < n; i++) {
            for (int e = 0; e < d; e++) {
                float x = o.getFloat((i * d + e) * Float.BYTES);
                if (e / dh == hd) {
                    out[i * dh + e % dh] = x;
                } else {
                    assertThat(x).as("row %d, entry %d outside the head's columns", i, e).isNaN();
                }
            }
        }
        return out;
    }

    @Test
    void declinesHeadWidthsThatAreNotPairsOfVectors() {
        // the local tier then takes ND4J's path; a kernel made for these widths would read past its rows
        for (int dh : new int[] {LANES, 3 * LANES, 2 * LANES + 1, 0}) {
            assertThat(VectorAttention.create(dh, 8)).as("d_h = %d with %d lanes", dh, LANES).isNull();
        }
    }
}
