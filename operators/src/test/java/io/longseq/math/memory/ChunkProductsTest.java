package io.longseq.math.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.math.BigDecimal;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * FULL mode's chunk arithmetic: the Vector API path ({@link VectorChunkProducts}) gives bitwise the plain Java path's
 * results (the scores and weighted sums in float, the weighted sums bitwise a block's own sums); all within their
 * stated bounds of an exact (BigDecimal) reference. Odd shapes reach every tail: m not a multiple of
 * four, nq not a multiple of the lanes, d not a multiple of four or of the lanes.
 */
class ChunkProductsTest {

    /**
     * Scores in float: the vector path (keys in tiles) gives bitwise the scalar path, each element one float chain of
     * d fused multiply-adds, so within d·2⁻²⁴ Σ|q_c k_c| (plus the one rounding of each step, counted) of the exact
     * (BigDecimal) dot. Shapes: m not a multiple of the lanes, nq not a multiple of eight, d odd.
     */
    @ParameterizedTest(name = "nq={0} m={1} d={2}")
    @CsvSource({"8, 1001, 128", "3, 7, 5", "13, 33, 7", "16, 250, 128", "1, 1, 1", "9, 61, 24", "17, 5, 130", "24, 517, 128"})
    void vectorScoresEqualScalarScoresBitwiseAndTheExactDotsWithinTheFloatBound(int nq, int m, int d) {
        Random rnd = new Random(31L * nq + m + 7L * d);
        float[] qs = randomFloats(rnd, nq * d);        // [nq, d]
        float[] keys = randomFloats(rnd, m * d);       // [m, d]
        int kt = VectorChunkProducts.KT;
        float[] tiles = new float[(m + kt - 1) / kt * kt * d];   // [⌈m/kt⌉, d, kt]
        java.util.Arrays.fill(tiles, Float.NaN);       // lanes past m: computed and dropped
        ChunkProducts.tile(keys, 0, m, d, kt, tiles);
        int rows = ChunkProducts.padded(nq);
        float[] padded = java.util.Arrays.copyOf(qs, rows * d);   // [padded(nq), d], rows past nq: NaN, dropped
        java.util.Arrays.fill(padded, nq * d, rows * d, Float.NaN);
        double[] scalar = new double[nq * m];          // [nq, m]
        double[] vector = new double[rows * m];        // [padded(nq), m]
        ChunkProducts.scalarScores(qs, nq, keys, m, d, scalar);
        VectorChunkProducts.scores(padded, nq, tiles, m, d, vector);
        for (int i = 0; i < nq; i++) {
            for (int e = 0; e < m; e++) {
                int at = i * m + e;
                assertThat(Double.doubleToRawLongBits(vector[at])).as("vector q%d·k%d", i, e)
                        .isEqualTo(Double.doubleToRawLongBits(scalar[at]));
            }
        }
        for (int i = 0; i < nq; i += Math.max(1, nq / 3)) {
            for (int e = 0; e < m; e += Math.max(1, m / 17)) {
                BigDecimal exact = BigDecimal.ZERO;
                double abs = 0;
                for (int c = 0; c < d; c++) {
                    exact = exact.add(new BigDecimal(qs[i * d + c]).multiply(new BigDecimal(keys[e * d + c])));
                    abs += Math.abs((double) qs[i * d + c] * keys[e * d + c]);
                }
                assertThat(Math.abs(vector[i * m + e] - exact.doubleValue()))
                        .isLessThanOrEqualTo((d + 1) * 0x1p-24 * abs);
            }
        }
    }

    /**
     * Weighted sums in float tiles: the vector path gives bitwise the scalar path; each block's sums are bitwise those
     * of the block alone (a chunk of one block: no dependence on the chunk's grouping); and both are within the float
     * tiles' bound of an exact (BigDecimal) reference: per tile of T entries, T roundings of a float sum and one of the
     * weight, |error| ≤ (T + 2)·2⁻²⁴ Σ|w_e v_e| (plus the double adds, far below). Shapes: tiles crossed, the causal
     * triangle across a tile boundary (base 252, 508), groups of fewer or more than eight blocks, column tails.
     */
    @ParameterizedTest(name = "nb={0} m={1} base={2} d={3}")
    @CsvSource({"8, 1003, 995, 128", "3, 10, 7, 5", "5, 37, 32, 16", "8, 8, 0, 128", "1, 1, 0, 1", "7, 70, 63, 24",
            "8, 21, 13, 130", "9, 40, 31, 12", "17, 300, 283, 128", "8, 260, 252, 128", "8, 516, 508, 40",
            "16, 600, 584, 33", "1, 513, 512, 128"})
    void vectorWeightedSumsEqualScalarBitwiseAndTheExactSumsWithinTheFloatTileBound(int nb, int m, int base, int d) {
        Random rnd = new Random(17L * nb + m + 3L * d);
        float[] values = randomFloats(rnd, m * d);     // [m, d]
        int rows = ChunkProducts.padded(nb);
        double[] w = new double[rows * m];             // [padded(nb), m], row i used up to base + i
        for (int i = 0; i < nb * m; i++) {
            w[i] = rnd.nextDouble() / m;
        }
        java.util.Arrays.fill(w, nb * m, rows * m, Double.NaN);   // padding rows: their results are dropped
        for (int i = 0; i < nb; i++) {                 // weights a block does not see: never read
            java.util.Arrays.fill(w, i * m + Math.min(m, base + i + 1), (i + 1) * m, Double.NaN);
        }
        float[] wt = new float[m * ChunkProducts.ROWS]; // [m, 8] scratch
        double[] scalar = new double[nb * d];          // [nb, d]
        double[] vector = new double[rows * d];        // [padded(nb), d]
        java.util.Arrays.fill(vector, Double.NaN);     // the products overwrite, not add to, what g held
        java.util.Arrays.fill(scalar, Double.NaN);
        ChunkProducts.scalarWeightedSums(w, nb, m, base, values, d, scalar);
        VectorChunkProducts.weightedSums(w, nb, m, base, values, d, vector, wt);
        double[] alone = new double[ChunkProducts.ROWS * d];   // [8, d] block i as a chunk of its own (row 0)
        for (int i = 0; i < nb; i++) {
            int mi = base + i + 1;
            double[] wi = new double[ChunkProducts.ROWS * mi];  // [8, mi], row 0 the block's weights
            System.arraycopy(w, i * m, wi, 0, mi);
            VectorChunkProducts.weightedSums(wi, 1, mi, base + i, values, d, alone, wt);
            for (int c = 0; c < d; c++) {
                int at = i * d + c;
                assertThat(Double.doubleToRawLongBits(vector[at])).as("vector g%d[%d]", i, c)
                        .isEqualTo(Double.doubleToRawLongBits(scalar[at]));
                assertThat(Double.doubleToRawLongBits(alone[c])).as("alone g%d[%d]", i, c)
                        .isEqualTo(Double.doubleToRawLongBits(scalar[at]));
                BigDecimal exact = BigDecimal.ZERO;
                double abs = 0;
                for (int e = 0; e < mi; e++) {
                    exact = exact.add(new BigDecimal(w[i * m + e]).multiply(new BigDecimal(values[e * d + c])));
                    abs += Math.abs(w[i * m + e] * values[e * d + c]);
                }
                assertThat(Math.abs(vector[at] - exact.doubleValue()))
                        .isLessThanOrEqualTo((ChunkProducts.TILE + 2) * 0x1p-24 * abs + 0x1p-40 * abs);
            }
        }
    }

    /**
     * FULL's softmax: the weights are exp(x_e − max)/Σ with x_e = s_e/√d, the entropy −Σ p ln p, both against a
     * direct double computation (x_e as s_e·(1/√d), as the other modes' softmax, so the weights bit for bit; the entropy to 1e-12 of ln M).
     */
    @ParameterizedTest(name = "m={0} spread={1}")
    @CsvSource({"1, 1", "2, 0", "7, 3", "1000, 2", "5000, 40", "64, 4000"})
    void unitSoftmaxGivesTheWeightsAndTheirEntropy(int m, double spread) {
        Random rnd = new Random(m * 7L + (long) spread);
        int d = 128;
        double[] s = new double[m];                    // [m] scores
        for (int e = 0; e < m; e++) {
            s[e] = rnd.nextGaussian() * spread;
        }
        double[] p = s.clone();
        double entropy = ChunkProducts.unitSoftmax(p, m, d);
        double scale = 1.0 / Math.sqrt(d);             // the scores times 1/√d, as GlobalTier's softmax
        double max = Double.NEGATIVE_INFINITY;
        for (double x : s) {
            max = Math.max(max, x * scale);
        }
        double sum = 0;
        for (double x : s) {
            sum += Math.exp(x * scale - max);
        }
        double h = 0;
        for (int e = 0; e < m; e++) {
            double pe = Math.exp(s[e] * scale - max) / sum;
            assertThat(p[e]).as("weight %d", e).isEqualTo(pe);
            if (pe > 0) {
                h -= pe * Math.log(pe);
            }
        }
        assertThat(entropy).isCloseTo(h, org.assertj.core.data.Offset.offset(1e-12 * Math.max(1, Math.log(m))));
    }

    @ParameterizedTest(name = "m={0} self={1}")
    @CsvSource({"1, 0", "7, 3", "8, 7", "9, 8", "100, 40", "1001, 1000", "1001, 0", "33, -1", "64, 17"})
    void vectorMaxCosineEqualsScalarBitwise(int m, int self) {
        Random rnd = new Random(m * 131L + self);
        for (int trial = 0; trial < 20; trial++) {
            double[] dots = new double[m + 3];             // [3 + m], read from offset 3
            double[] squares = new double[m];              // [m]
            for (int e = 0; e < m; e++) {
                squares[e] = rnd.nextInt(5) == 0 ? 0.0 : rnd.nextDouble() * 10;   // some entries have no norm
                dots[3 + e] = (rnd.nextDouble() * 2.2 - 1.1) * Math.sqrt(squares[e] * 4);    // |cos| up to 1.1
            }
            double kk = trial == 0 ? 0.0 : 4.0;
            double scalar = ChunkProducts.scalarMaxCosine(dots, 3, kk, squares, m, self);
            double vector = VectorChunkProducts.maxCosine(dots, 3, kk, squares, m, self);
            assertThat(Double.doubleToRawLongBits(vector)).as("trial %d", trial)
                    .isEqualTo(Double.doubleToRawLongBits(scalar));
            // independent: the largest clipped cosine over the other entries with a norm, or 0
            double expected = 0;
            for (int e = 0; e < m; e++) {
                if (e != self && kk * squares[e] > 0) {
                    expected = Math.max(expected, Math.min(1.0, dots[3 + e] / Math.sqrt(kk * squares[e])));
                }
            }
            assertThat(vector).isEqualTo(expected);
        }
    }

    private static float[] randomFloats(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    /** rowSquares is squares row by row, bit for bit (four rows at a time and the rows left over), against BigDecimal. */
    @ParameterizedTest(name = "rows={0} d={1}")
    @CsvSource({"0, 128", "1, 128", "4, 7", "7, 128", "9, 3", "101, 128"})
    void rowSquaresAreEachRowsSquaresInOrder(int rows, int d) {
        Random r = new Random(rows * 31L + d);
        float[] x = new float[rows * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * Math.exp(r.nextGaussian()));
        }
        double[] out = new double[rows + 1];
        out[rows] = -7;
        ChunkProducts.rowSquares(x, rows, d, out);
        for (int e = 0; e < rows; e++) {
            double inOrder = 0;
            BigDecimal exact = BigDecimal.ZERO;
            for (int c = 0; c < d; c++) {
                inOrder += (double) x[e * d + c] * x[e * d + c];
                exact = exact.add(new BigDecimal(x[e * d + c]).pow(2));
            }
            assertThat(Double.doubleToRawLongBits(out[e])).as("row %d", e)
                    .isEqualTo(Double.doubleToRawLongBits(inOrder));
            assertThat(out[e]).isCloseTo(exact.doubleValue(), offset(1e-12 * exact.doubleValue()));
        }
        assertThat(out[rows]).as("past the rows").isEqualTo(-7);
    }
}
