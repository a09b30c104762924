package io.longseq.math.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.math.kernel.RowKernels;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link SharedRows} (RETRIEVAL's exemplars read in place through a row index): its dots against a float chain
 * written out here (and that chain against the exact double dot within γ_d·Σ|a·x|), its weighted sum against
 * {@link RowKernels}'s on the same rows copied out, bit for bit; the vector forms against the same, bit for bit.
 */
class SharedRowsTest {

    /** The exemplar dot's definition, written out: f ← fma(a[c], x[c], f) from 0 in order of c. */
    static double floatChain(float[] a, int ao, float[] x, int xo, int d) {
        float f = 0f;
        for (int c = 0; c < d; c++) {
            f = Math.fma(a[ao + c], x[xo + c], f);
        }
        return f;
    }

    /** |chain − exact| ≤ γ_d·Σ|a·x| with γ_d = d·u/(1 − d·u), u = 2⁻²⁴ (the standard bound of a recursive sum). */
    static void assertWithinFloatBound(double got, float[] a, int ao, float[] x, int xo, int d) {
        double exact = 0;
        double abs = 0;
        for (int c = 0; c < d; c++) {
            exact += (double) a[ao + c] * x[xo + c];
            abs += Math.abs((double) a[ao + c] * x[xo + c]);
        }
        double u = Math.ulp(1f) / 2;
        assertThat(Math.abs(got - exact)).isLessThanOrEqualTo(d * u / (1 - d * u) * abs + Double.MIN_VALUE);
    }

    @ParameterizedTest(name = "d={0} n={1}")
    @CsvSource({"128, 37", "128, 1", "128, 16", "64, 112", "96, 21", "48, 5", "6, 9", "3, 4", "8, 0"})
    void inPlaceRowsGiveTheBitsOfCopiedRows(int d, int n) {
        Random r = new Random(31L * d + n);
        int stored = n + 5;
        float[] keys = new float[stored * d];      // [stored, d]
        float[] values = new float[stored * d + SharedRows.PAD];    // [stored, d] + padding
        for (int i = 0; i < keys.length; i++) {
            keys[i] = (float) (r.nextGaussian() * Math.exp(r.nextGaussian() * 3));
            values[i] = (float) r.nextGaussian();
        }
        java.util.Arrays.fill(values, keys.length, values.length, Float.NaN);   // read, never used
        int[] row = new int[n + 2];                 // rows in a scrambled order, read from offset 2
        for (int i = 0; i < n; i++) {
            row[i + 2] = (int) ((i * 7L + 3) % stored);
        }
        float[] q = new float[d];
        float[] k = new float[d];
        for (int c = 0; c < d; c++) {
            q[c] = (float) r.nextGaussian();
            k[c] = (float) (r.nextGaussian() * 100);
        }
        float[] copiedKeys = new float[n * d];      // [n, d]
        float[] copiedValues = new float[n * d];    // [n, d]
        for (int i = 0; i < n; i++) {
            System.arraycopy(keys, row[i + 2] * d, copiedKeys, i * d, d);
            System.arraycopy(values, row[i + 2] * d, copiedValues, i * d, d);
        }
        double[] wantQ = new double[n];
        double[] wantK = new double[n];
        for (int i = 0; i < n; i++) {
            wantQ[i] = floatChain(q, 0, copiedKeys, i * d, d);
            wantK[i] = floatChain(k, 0, copiedKeys, i * d, d);
            assertWithinFloatBound(wantQ[i], q, 0, copiedKeys, i * d, d);
            assertWithinFloatBound(wantK[i], k, 0, copiedKeys, i * d, d);
        }
        double[] gotQ = new double[n + 3];
        double[] gotK = new double[n + 3];
        double[] onlyQ = new double[n + 3];
        SharedRows.dots(q, k, keys, row, 2, n, d, gotQ, gotK, 3);
        SharedRows.dots(q, null, keys, row, 2, n, d, onlyQ, null, 3);
        for (int i = 0; i < n; i++) {
            assertThat(Double.doubleToRawLongBits(gotQ[3 + i])).as("q dot %d", i).isEqualTo(Double.doubleToRawLongBits(wantQ[i]));
            assertThat(Double.doubleToRawLongBits(onlyQ[3 + i])).as("q-only dot %d", i).isEqualTo(Double.doubleToRawLongBits(wantQ[i]));
            assertThat(Double.doubleToRawLongBits(gotK[3 + i])).as("k dot %d", i).isEqualTo(Double.doubleToRawLongBits(wantK[i]));
        }

        double[] p = new double[n + 1];
        for (int i = 0; i < p.length; i++) {
            p[i] = r.nextDouble();
        }
        double[] want = new double[d];
        double[] got = new double[d];
        for (int c = 0; c < d; c++) {
            want[c] = got[c] = r.nextGaussian();     // both add onto the same start
        }
        double[] pFrom0 = java.util.Arrays.copyOfRange(p, 1, n + 1);
        RowKernels.scalar().weightedSum(pFrom0, copiedValues, n, d, want);
        SharedRows.weightedSum(p, 1, values, row, 2, n, d, got);
        for (int c = 0; c < d; c++) {
            assertThat(Double.doubleToRawLongBits(got[c])).as("g[%d]", c).isEqualTo(Double.doubleToRawLongBits(want[c]));
        }
        if (n > 0) {
            assertThat(wantQ).isNotEqualTo(new double[n]);   // the comparison saw real values
        }

        int stride = SharedRows.stride(n);
        if (SharedRows.VECTOR && VectorSharedRows.fits(d, stride)) {
            float[] keysT = new float[3 + d * stride + SharedRows.PAD];   // [d, stride] column-major at offset 3, junk around
            java.util.Arrays.fill(keysT, Float.NaN);
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < d; c++) {
                    keysT[3 + c * stride + i] = copiedKeys[i * d + c];
                }
            }
            double[] vq = new double[n + 1];
            double[] vk = new double[n + 1];
            double[] vqOnly = new double[n + 1];
            VectorSharedRows.columnDots(q, k, keysT, 3, stride, n, d, vq, vk, 1, new float[2 * SharedRows.PAD]);
            VectorSharedRows.columnDots(q, null, keysT, 3, stride, n, d, vqOnly, null, 1, new float[2 * SharedRows.PAD]);
            for (int i = 0; i < n; i++) {
                assertThat(Double.doubleToRawLongBits(vq[1 + i])).as("vector q dot %d", i)
                        .isEqualTo(Double.doubleToRawLongBits(wantQ[i]));
                assertThat(Double.doubleToRawLongBits(vk[1 + i])).as("vector k dot %d", i)
                        .isEqualTo(Double.doubleToRawLongBits(wantK[i]));
                assertThat(Double.doubleToRawLongBits(vqOnly[1 + i])).as("vector q-only dot %d", i)
                        .isEqualTo(Double.doubleToRawLongBits(wantQ[i]));
            }
            double[] ws = new double[d];
            double[] wv = new double[d];
            for (int c = 0; c < d; c++) {
                ws[c] = wv[c] = c * 0.37 - 1;
            }
            RowKernels.scalar().weightedSum(pFrom0, copiedValues, n, d, ws);
            VectorSharedRows.weightedSum(p, 1, values, row, 2, n, d, wv);
            for (int c = 0; c < d; c++) {
                assertThat(Double.doubleToRawLongBits(wv[c])).as("vector g[%d]", c)
                        .isEqualTo(Double.doubleToRawLongBits(ws[c]));
            }
        }
    }

    @ParameterizedTest(name = "n={0}")
    @CsvSource({"0", "1", "7", "8", "37", "1792"})
    void maxCosineIsTheEntryByEntryMax(int n) {
        Random r = new Random(n + 5L);
        double[] dots = new double[n + 2];
        double[] norms = new double[n];
        double kk = 3.5;
        for (int i = 0; i < n; i++) {
            norms[i] = i % 5 == 3 ? 0 : Math.abs(r.nextGaussian()) * 4;      // some zero norms: skipped
            dots[2 + i] = r.nextGaussian() * Math.sqrt(kk * norms[i]) * (i % 11 == 0 ? 3 : 0.4); // some cos > 1
        }
        double want = 0;     // GlobalTier's novelty loop, entry by entry
        for (int i = 0; i < n; i++) {
            double nr = Math.sqrt(kk * norms[i]);
            if (nr > 0) {
                want = Math.max(want, Math.min(1.0, dots[2 + i] / nr));
            }
        }
        double got = SharedRows.maxCosine(dots, 2, norms, n, kk, 0);
        assertThat(Double.doubleToRawLongBits(got)).isEqualTo(Double.doubleToRawLongBits(want));
        if (n >= 37) {
            assertThat(want).isGreaterThan(0.0).isLessThanOrEqualTo(1.0);
        }
    }

    @org.junit.jupiter.api.Test
    void theVectorFormIsTestedOnThisJvm() {
        assertThat(SharedRows.VECTOR).as("tests run with jdk.incubator.vector (pom argLine)").isTrue();
    }

    /** tileDots (eight rows a pass; a last partial pass repeats the last row) gives each row and slot the float chain. */
    @ParameterizedTest(name = "rows={0} d={1}")
    @CsvSource({"1, 128", "2, 128", "3, 64", "16, 128", "24, 128", "25, 128", "5, 16"})
    void tileDotsAreTheFloatChainBitForBit(int rows, int d) {
        Random r = new Random(rows * 17L + d);
        int lanes = VectorSharedRows.floatLanes();
        int stride = 2 * SharedRows.PAD;                 // a multiple of the float lanes
        int base = 3;
        float[] keys = new float[lanes * d];             // [lanes, d] row-major, the reference's layout
        float[] keysT = new float[base + d * stride + SharedRows.PAD];   // the same keys column-major at base
        for (int i = 0; i < lanes; i++) {
            for (int c = 0; c < d; c++) {
                keys[i * d + c] = (float) r.nextGaussian();
                keysT[base + c * stride + i] = keys[i * d + c];
            }
        }
        float[] q = new float[rows * d];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) (r.nextGaussian() * 3);
        }
        float[] out = new float[(rows + 7) / 8 * 8 * lanes];
        VectorSharedRows.tileDots(q, rows, d, keysT, base, stride, out);
        for (int row = 0; row < rows; row++) {
            for (int i = 0; i < lanes; i++) {
                double want = floatChain(q, row * d, keys, i * d, d);
                assertWithinFloatBound(want, q, row * d, keys, i * d, d);
                assertThat(Double.doubleToRawLongBits(out[row * lanes + i])).as("row %d slot %d", row, i)
                        .isEqualTo(Double.doubleToRawLongBits(want));
            }
        }
    }

    /** tileDots16 (16 rows a pass, the rows transposed) gives each row and slot the float chain, as tileDots does. */
    @ParameterizedTest(name = "d={0}")
    @CsvSource({"128", "64", "16"})
    void tileDots16AreTheFloatChainBitForBit(int d) {
        Random r = new Random(d * 31L);
        int lanes = VectorSharedRows.floatLanes();
        int stride = 2 * SharedRows.PAD;
        int base = 5;
        float[] keys = new float[lanes * d];             // [lanes, d] row-major
        float[] keysT = new float[base + d * stride + SharedRows.PAD];   // column-major at base
        for (int i = 0; i < lanes; i++) {
            for (int c = 0; c < d; c++) {
                keys[i * d + c] = (float) r.nextGaussian();
                keysT[base + c * stride + i] = keys[i * d + c];
            }
        }
        float[] q = new float[16 * d];                   // [16, d]
        float[] vt = new float[d * 16];                  // the same rows transposed [d, 16]
        for (int row = 0; row < 16; row++) {
            for (int c = 0; c < d; c++) {
                q[row * d + c] = (float) (r.nextGaussian() * 3);
                vt[c * 16 + row] = q[row * d + c];
            }
        }
        int at = 7;
        float[] out = new float[at + 16 * lanes];
        VectorSharedRows.tileDots16(vt, d, keysT, base, stride, out, at);
        for (int row = 0; row < 16; row++) {
            for (int i = 0; i < lanes; i++) {
                double want = floatChain(q, row * d, keys, i * d, d);
                assertThat(Double.doubleToRawLongBits(out[at + row * lanes + i])).as("row %d slot %d", row, i)
                        .isEqualTo(Double.doubleToRawLongBits(want));
            }
        }
    }
}
