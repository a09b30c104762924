package io.longseq.math.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Band attention of one head fused in registers with the Vector API: scores, band softmax and weighted
 * values per block of queries, without writing a score matrix to memory.
 *
 * <p>libnd4j runs the sliding-chunks products ([q_b, d_h]·[d_h, q_b+2w] and back) in its own loop at
 * ~37 GFLOP/s; here a block of queries (eight with AVX-512's 32 registers, four with AVX2's 16) shares every key
 * load ({@link BandScores}) and every value load ({@link BandMix}), only the union of the block's bands is
 * computed (2w+8 keys instead of q_b+2w), and the softmax runs on the scores while they are in cache, four rows
 * at a time. Needs d_h a multiple of 2·LANES for a SPECIES of 4, 8 or 16 floats that the CPU runs natively
 * (d_h = 32: one pair of vectors with AVX-512, two with AVX2); otherwise {@link LocalTier} keeps the ND4J path.
 * {@link #head} reads per-head arrays (every local mode); {@link #headInPlace} reads the queries and values of
 * the fused SLIDING path straight from the projection's output.
 */
final class VectorAttention implements BandAttention {

    private static final int ROWS = 4;
    // queries per block: 8 where the CPU has 32 vector registers (AVX-512: 24 score or 16 value accumulators), else 4
    static final int BLOCK = FloatVector.SPECIES_PREFERRED.length() >= 16 ? 8 : 4;
    // The Vector API compiles to SIMD only when the SPECIES is a constant: the preferred one, fixed here.
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final int NEG87_BITS = Float.floatToRawIntBits(-87f);
    private static final FloatVector NEG_LN2_HI = FloatVector.broadcast(SPECIES, -RowKernels.LN2_HI);
    private static final FloatVector C120 = FloatVector.broadcast(SPECIES, 1f / 120);
    private static final FloatVector C24 = FloatVector.broadcast(SPECIES, 1f / 24);
    private static final FloatVector C6 = FloatVector.broadcast(SPECIES, 1f / 6);
    private static final FloatVector HALF = FloatVector.broadcast(SPECIES, 0.5f);
    private static final FloatVector ONE = FloatVector.broadcast(SPECIES, 1f);
    private static final VectorShuffle<Float> PAIR_SWAP = VectorShuffle.fromOp(SPECIES, i -> i ^ 1); // 1, 0, 3, 2, ...
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final VectorSpecies<Integer> INT_SPECIES = SPECIES.vectorShape().withLanes(int.class);
    // Read at offset t (0 ≤ t < LANES): a vector whose first LANES − t lanes are the band's and whose last t are not.
    private static final int[] KEEP_BITS = new int[2 * LANES];            // [−1 × LANES, 0 × LANES]
    private static final int[] MINUS_INFINITY_BITS = new int[2 * LANES];  // [0 × LANES, bits of −∞ × LANES]

    static {
        for (int l = 0; l < LANES; l++) {
            KEEP_BITS[l] = -1;
            MINUS_INFINITY_BITS[LANES + l] = Float.floatToRawIntBits(Float.NEGATIVE_INFINITY);
        }
    }

    private final int dh;
    private final float[][] scores;   // [BLOCK][2w+BLOCK + 3·LANES] scores, then e^(s − max), of the block's queries
    private final float[] qBlock;     // [BLOCK, d_h] the block's queries, RoPE'd and scaled (headInPlace)
    private final float[] inverseSums = new float[BLOCK]; // [BLOCK] 1/Σ e^(s − max) per query of the block

    private VectorAttention(int dh, int w) {
        this.dh = dh;
        this.scores = new float[BLOCK][2 * w + BLOCK + 3 * LANES];
        this.qBlock = new float[BLOCK * dh];
    }

    /**
     * A fused kernel for heads of width d_h, or null when d_h is not a multiple of two vectors of the CPU's
     * preferred width (32 floats with AVX-512, 16 with AVX2): then the local tier uses ND4J's batched products.
     */
    static VectorAttention create(int dh, int w) {
        return dh > 0 && dh % (2 * LANES) == 0 ? new VectorAttention(dh, w) : null;
    }

    @Override
    public String name() {
        return "fused-" + SPECIES.vectorBitSize();
    }

    @Override
    public void head(float[] q, float[] kT, int stride, float[] v, int base, int n, int from, int to, int w,
                     boolean causal, float[] out, int outOffset, int outStride) {
        if (BLOCK == 8) {
            blocks(q, kT, stride, v, base, null, 0, 0, 0, null, null, 0f, n, from, to, w, causal, out, null, outOffset,
                    outStride);
            return;
        }
        // blocks of four (AVX2): this loop as it was before the blocks of eight; the general one (blocks) took the AVX2
        // attention 2.1 -> 2.3 ms a chunk (held to AVX2 on Zen 5)
        for (int i0 = from; i0 < to; i0 += ROWS) {
            int rows = Math.min(ROWS, to - i0);
            int lo = Math.max(0, i0 - w);                                 // union of the rows' bands
            int hi = causal ? i0 + rows - 1 : Math.min(n - 1, i0 + rows - 1 + w);
            int len = hi - lo + 1;
            int vectors = (len + LANES - 1) / LANES;                      // whole vectors of keys: no scalar tail
            BandScores.scoresOfBlock(scores, dh, q, kT, stride, base + i0, rows, base + lo, vectors);
            int lo0 = Math.max(0, i0 - w) - lo;                           // row 0's band in the union
            int hi0 = (causal ? i0 : Math.min(n - 1, i0 + w)) - lo;
            int i3 = i0 + ROWS - 1;
            if (rows == ROWS && Math.max(0, i3 - w) - lo == lo0 + 3 && (causal ? i3 : Math.min(n - 1, i3 + w)) - lo
                    == hi0 + 3) {
                bandExp4(0, lo0, hi0, len);    // away from the sequence's edges: row r's band is row 0's moved by r
            } else {
                for (int r = 0; r < rows; r++) {
                    int i = i0 + r;
                    int bandLo = Math.max(0, i - w) - lo;
                    int bandHi = (causal ? i : Math.min(n - 1, i + w)) - lo;
                    inverseSums[r] = bandExp(scores[r], bandLo, bandHi, len);
                }
            }
            BandMix.mixBlock(scores, inverseSums, dh, v, base + lo, rows, len, out, outOffset + i0 * outStride,
                    outStride);
        }
    }

    /**
     * {@link #head} reading one head's queries and values in place from a row-major [q | v] product in a direct,
     * native-order buffer (row i of the head: q at byte qAt + i·rowBytes, v at vAt + i·rowBytes; no per-head copies):
     * each block's queries are rotated (RoPE, cosDup/sinAlt at i·d_h as in {@link RowKernels#ropeRow}) and scaled
     * into registers' reach first, with the operations of ropeRow (the same bits). Positions are rows 0..n−1. Row i
     * of the output goes to byte outAt + i·outRowBytes of {@code out} (direct, native order), written in place.
     * Blocks of eight only ({@link #BLOCK}): with AVX2 the tier keeps the per-head arrays.
     */
    // qv [n, 2d] (this head's columns), kᵀ [d_h, stride] -> out rows [from, to)
    void headInPlace(ByteBuffer qv, int qAt, int vAt, int rowBytes, float[] cosDup, float[] sinAlt, float qScale,
                     float[] kT, int stride, int n, int from, int to, int w, boolean causal, ByteBuffer out,
                     int outAt, int outRowBytes) {
        if (BLOCK != 8) {
            throw new IllegalStateException("headInPlace runs blocks of eight queries (32 vector registers) only");
        }
        blocks(null, kT, stride, null, 0, qv, qAt, vAt, rowBytes, cosDup, sinAlt, qScale, n, from, to, w, causal, null,
                out, outAt, outRowBytes);
    }

    // head (q, v arrays) or headInPlace (qv buffer) in blocks of eight queries (BLOCK == 8 only)
    private void blocks(float[] q, float[] kT, int stride, float[] v, int base, ByteBuffer qv, int qAt, int vAt,
                        int rowBytes, float[] cosDup, float[] sinAlt, float qScale, int n, int from, int to, int w,
                        boolean causal, float[] out, ByteBuffer outBytes, int outOffset, int outStride) {
        for (int i0 = from; i0 < to; i0 += BLOCK) {
            int rows = Math.min(BLOCK, to - i0);
            int lo = Math.max(0, i0 - w);                                 // union of the rows' bands
            int hi = causal ? i0 + rows - 1 : Math.min(n - 1, i0 + rows - 1 + w);
            int len = hi - lo + 1;
            int vectors = (len + LANES - 1) / LANES;                      // whole vectors of keys: no scalar tail
            float[] qs = q;
            int qRow = base + i0;
            if (qv != null) {
                ropeBlock(qv, qAt, rowBytes, cosDup, sinAlt, qScale, i0, rows);
                qs = qBlock;
                qRow = 0;
            }
            BandScores.scoresOfBlock8(scores, dh, qs, kT, stride, qRow, rows, base + lo, vectors);
            for (int g = 0; g < rows; g += ROWS) {                        // groups of four rows
                int ig = i0 + g;
                int lo0 = Math.max(0, ig - w) - lo;                       // row g's band in the union
                int hi0 = (causal ? ig : Math.min(n - 1, ig + w)) - lo;
                int i3 = ig + ROWS - 1;
                if (rows - g >= ROWS && Math.max(0, i3 - w) - lo == lo0 + 3
                        && (causal ? i3 : Math.min(n - 1, i3 + w)) - lo == hi0 + 3) {
                    bandExp4(g, lo0, hi0, len);    // away from the sequence's edges: row r's band is row g's moved by r
                } else {
                    for (int r = g; r < Math.min(rows, g + ROWS); r++) {
                        int i = i0 + r;
                        int bandLo = Math.max(0, i - w) - lo;
                        int bandHi = (causal ? i : Math.min(n - 1, i + w)) - lo;
                        inverseSums[r] = bandExp(scores[r], bandLo, bandHi, len);
                    }
                }
            }
            int at = outOffset + i0 * outStride;
            if (qv != null) {
                BandMix.mixBlock8(scores, inverseSums, dh, qv, vAt + lo * rowBytes, rowBytes, rows, len, outBytes, at,
                        outStride);
            } else {
                BandMix.mixBlock8(scores, inverseSums, dh, v, base + lo, rows, len, out, at, outStride);
            }
        }
    }

    // q rows [i0, i0+rows) of the buffer -> qBlock [rows, d_h]: (x₀c − x₁s, x₁c + x₀s)·qScale, ropeRow's operations
    private void ropeBlock(ByteBuffer qv, int qAt, int rowBytes, float[] cosDup, float[] sinAlt, float qScale, int i0,
                           int rows) {
        for (int r = 0; r < rows; r++) {
            int at = qAt + (i0 + r) * rowBytes;
            int ang = (i0 + r) * dh;
            for (int c = 0; c < dh; c += LANES) {
                FloatVector cs = FloatVector.fromArray(SPECIES, cosDup, ang + c);
                FloatVector sn = FloatVector.fromArray(SPECIES, sinAlt, ang + c);
                FloatVector x = FloatVector.fromByteBuffer(SPECIES, qv, at + c * Float.BYTES, NATIVE);
                x.mul(cs).add(x.rearrange(PAIR_SWAP).mul(sn)).mul(qScale).intoArray(qBlock, r * dh + c);
            }
        }
    }

    // r[bandLo..bandHi] <- e^(r − max over the band), every other entry of r[0, len) <- 0; returns 1/Σ. The
    // probabilities are these numbers times 1/Σ: mixBlock scales its four sums once instead of every entry.
    // Whole vectors from the row's own band start (so a query's sums do not depend on how queries are grouped:
    // chunking invariance, bit for bit); the last vector's lanes past the band are set to −∞ first, which the max
    // ignores and e^x turns into e^−87 ≈ 1.6e-38 (below a float's resolution of the sum, whose largest term is 1),
    // and then to an exact 0. Both happen in registers, by bitwise and/or with two constant tables read at the
    // tail's offset: scalar stores into the vector loaded next would stall that load (a wide load cannot be
    // forwarded from several narrow stores), and the JDK 17 compiler makes VectorMask code slow.
    private static float bandExp(float[] r, int bandLo, int bandHi, int len) {
        int last = bandLo + (bandHi - bandLo) / LANES * LANES;        // the band's last vector
        int tail = LANES - (bandHi + 1 - last);                       // its lanes past the band: 0..LANES−1
        IntVector keep = IntVector.fromArray(INT_SPECIES, KEEP_BITS, tail);    // −1 in the band's lanes, else 0
        FloatVector lastScores = FloatVector.fromArray(SPECIES, r, last).reinterpretAsInts().and(keep)
                .or(IntVector.fromArray(INT_SPECIES, MINUS_INFINITY_BITS, tail)).reinterpretAsFloats();
        FloatVector vmax = lastScores;
        for (int j = bandLo; j < last; j += LANES) {
            vmax = vmax.max(FloatVector.fromArray(SPECIES, r, j));
        }
        FloatVector max = FloatVector.broadcast(SPECIES, vmax.reduceLanes(VectorOperators.MAX));
        FloatVector vsum = FloatVector.zero(SPECIES);
        for (int j = bandLo; j <= last; j += LANES) {
            FloatVector s = j == last ? lastScores : FloatVector.fromArray(SPECIES, r, j);
            // e^x, x = −(max − s): s − max with −0 instead of +0 at the max, so the sign bit is always set. The
            // formula of RowKernels.exp with the reduction and the polynomial in fused multiply-adds, and the clamp at
            // −87 as one integer min on the raw bits (with the sign bit set a larger int is a more negative float; a
            // float max with Java's semantics compiles to five instructions). Written out here, not called: JDK 17's
            // C2 may compile a vector helper on its own first and then not inline it, boxing every vector that
            // crosses the call (see VectorRowKernels).
            FloatVector xc = max.sub(s).neg().reinterpretAsInts().min(NEG87_BITS).reinterpretAsFloats();
            FloatVector big = xc.fma(RowKernels.LOG2E, RowKernels.ROUNDER);
            FloatVector k = big.sub(RowKernels.ROUNDER);
            FloatVector rr = k.fma(NEG_LN2_HI, xc).sub(k.mul(RowKernels.LN2_LO));
            FloatVector p = rr.fma(1f / 5040, 1f / 720).fma(rr, C120).fma(rr, C24).fma(rr, C6).fma(rr, HALF)
                    .fma(rr, ONE).fma(rr, ONE);
            IntVector bits = big.reinterpretAsInts().sub(0x4B400000 - 127).lanewise(VectorOperators.LSHL, 23);
            FloatVector e = p.mul(bits.reinterpretAsFloats());
            vsum = vsum.add(e);
            if (j == last) {
                e = e.reinterpretAsInts().and(keep).reinterpretAsFloats();   // the lanes past the band: exact 0
            }
            e.intoArray(r, j);
        }
        for (int j = 0; j < bandLo; j++) {
            r[j] = 0f;
        }
        for (int j = last + LANES; j < len; j++) {
            r[j] = 0f;
        }
        return 1f / vsum.reduceLanes(VectorOperators.ADD);
    }

    // bandExp for the four rows of a block whose bands have one length, row r's [lo0 + r, hi0 + r]: the same
    // operations in the same order on each row (the same bits), interleaved. One row's softmax is a chain of
    // dependent steps (max over the band, a lane reduction, the e^x pass, another reduction) that leaves the
    // cores idle; four independent chains fill them (the fused attention 1.50 -> 1.45 ms a chunk in isolation,
    // e^x 0.61 -> 0.40). The e^x formula is written out once per row rather than called: a vector helper that
    // C2 compiles on its own is then not inlined (the first version that called one took 1.55 ms instead of 0.40).
    // No vector value here depends on a branch: the last vector's masks come from the tables at an offset chosen by
    // an int (0: every lane kept, nothing set to −∞). That alone did not stop C2 from compiling this method with boxed
    // vectors in some streaming jobs; one vector shape per element type did (ArchitectureTest; docs/benchmarks.md,
    // "Profile pollution"). The form that masks only the last vector (two merges of vectors, as in bandExp) took as
    // long on a cold JVM (five alternating pairs, within the noise), so this one, measured in the jobs, stays.
    private void bandExp4(int g, int lo0, int hi0, int len) {
        float[] s0 = scores[g];
        float[] s1 = scores[g + 1];
        float[] s2 = scores[g + 2];
        float[] s3 = scores[g + 3];
        int last0 = lo0 + (hi0 - lo0) / LANES * LANES;               // row 0's last vector; row r's is last0 + r
        int tail = LANES - (hi0 + 1 - last0);                        // lanes past the band, the same in every row
        IntVector keep = IntVector.fromArray(INT_SPECIES, KEEP_BITS, tail);
        IntVector minusInfinity = IntVector.fromArray(INT_SPECIES, MINUS_INFINITY_BITS, tail);
        FloatVector max0 = FloatVector.fromArray(SPECIES, s0, last0).reinterpretAsInts().and(keep).or(minusInfinity)
                .reinterpretAsFloats();
        FloatVector max1 = FloatVector.fromArray(SPECIES, s1, last0 + 1).reinterpretAsInts().and(keep)
                .or(minusInfinity).reinterpretAsFloats();
        FloatVector max2 = FloatVector.fromArray(SPECIES, s2, last0 + 2).reinterpretAsInts().and(keep)
                .or(minusInfinity).reinterpretAsFloats();
        FloatVector max3 = FloatVector.fromArray(SPECIES, s3, last0 + 3).reinterpretAsInts().and(keep)
                .or(minusInfinity).reinterpretAsFloats();
        for (int j = lo0; j < last0; j += LANES) {
            max0 = max0.max(FloatVector.fromArray(SPECIES, s0, j));
            max1 = max1.max(FloatVector.fromArray(SPECIES, s1, j + 1));
            max2 = max2.max(FloatVector.fromArray(SPECIES, s2, j + 2));
            max3 = max3.max(FloatVector.fromArray(SPECIES, s3, j + 3));
        }
        max0 = FloatVector.broadcast(SPECIES, max0.reduceLanes(VectorOperators.MAX));
        max1 = FloatVector.broadcast(SPECIES, max1.reduceLanes(VectorOperators.MAX));
        max2 = FloatVector.broadcast(SPECIES, max2.reduceLanes(VectorOperators.MAX));
        max3 = FloatVector.broadcast(SPECIES, max3.reduceLanes(VectorOperators.MAX));
        FloatVector sum0 = FloatVector.zero(SPECIES);
        FloatVector sum1 = sum0;
        FloatVector sum2 = sum0;
        FloatVector sum3 = sum0;
        for (int j = lo0; j <= last0; j += LANES) {
            int at = j == last0 ? tail : 0;                           // the tables at 0: all lanes kept, none −∞
            IntVector keepJ = IntVector.fromArray(INT_SPECIES, KEEP_BITS, at);
            IntVector minusInfinityJ = IntVector.fromArray(INT_SPECIES, MINUS_INFINITY_BITS, at);
            FloatVector x0 = max0.sub(FloatVector.fromArray(SPECIES, s0, j).reinterpretAsInts().and(keepJ)
                    .or(minusInfinityJ).reinterpretAsFloats()).neg().reinterpretAsInts().min(NEG87_BITS).reinterpretAsFloats();
            FloatVector big0 = x0.fma(RowKernels.LOG2E, RowKernels.ROUNDER);
            FloatVector k0 = big0.sub(RowKernels.ROUNDER);
            FloatVector r0 = k0.fma(NEG_LN2_HI, x0).sub(k0.mul(RowKernels.LN2_LO));
            FloatVector e0 = r0.fma(1f / 5040, 1f / 720).fma(r0, C120).fma(r0, C24).fma(r0, C6).fma(r0, HALF)
                    .fma(r0, ONE).fma(r0, ONE).mul(big0.reinterpretAsInts().sub(0x4B400000 - 127)
                    .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            sum0 = sum0.add(e0);
            e0.reinterpretAsInts().and(keepJ).reinterpretAsFloats().intoArray(s0, j);
            FloatVector x1 = max1.sub(FloatVector.fromArray(SPECIES, s1, j + 1).reinterpretAsInts().and(keepJ)
                    .or(minusInfinityJ).reinterpretAsFloats()).neg().reinterpretAsInts().min(NEG87_BITS).reinterpretAsFloats();
            FloatVector big1 = x1.fma(RowKernels.LOG2E, RowKernels.ROUNDER);
            FloatVector k1 = big1.sub(RowKernels.ROUNDER);
            FloatVector r1 = k1.fma(NEG_LN2_HI, x1).sub(k1.mul(RowKernels.LN2_LO));
            FloatVector e1 = r1.fma(1f / 5040, 1f / 720).fma(r1, C120).fma(r1, C24).fma(r1, C6).fma(r1, HALF)
                    .fma(r1, ONE).fma(r1, ONE).mul(big1.reinterpretAsInts().sub(0x4B400000 - 127)
                    .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            sum1 = sum1.add(e1);
            e1.reinterpretAsInts().and(keepJ).reinterpretAsFloats().intoArray(s1, j + 1);
            FloatVector x2 = max2.sub(FloatVector.fromArray(SPECIES, s2, j + 2).reinterpretAsInts().and(keepJ)
                    .or(minusInfinityJ).reinterpretAsFloats()).neg().reinterpretAsInts().min(NEG87_BITS).reinterpretAsFloats();
            FloatVector big2 = x2.fma(RowKernels.LOG2E, RowKernels.ROUNDER);
            FloatVector k2 = big2.sub(RowKernels.ROUNDER);
            FloatVector r2 = k2.fma(NEG_LN2_HI, x2).sub(k2.mul(RowKernels.LN2_LO));
            FloatVector e2 = r2.fma(1f / 5040, 1f / 720).fma(r2, C120).fma(r2, C24).fma(r2, C6).fma(r2, HALF)
                    .fma(r2, ONE).fma(r2, ONE).mul(big2.reinterpretAsInts().sub(0x4B400000 - 127)
                    .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            sum2 = sum2.add(e2);
            e2.reinterpretAsInts().and(keepJ).reinterpretAsFloats().intoArray(s2, j + 2);
            FloatVector x3 = max3.sub(FloatVector.fromArray(SPECIES, s3, j + 3).reinterpretAsInts().and(keepJ)
                    .or(minusInfinityJ).reinterpretAsFloats()).neg().reinterpretAsInts().min(NEG87_BITS).reinterpretAsFloats();
            FloatVector big3 = x3.fma(RowKernels.LOG2E, RowKernels.ROUNDER);
            FloatVector k3 = big3.sub(RowKernels.ROUNDER);
            FloatVector r3 = k3.fma(NEG_LN2_HI, x3).sub(k3.mul(RowKernels.LN2_LO));
            FloatVector e3 = r3.fma(1f / 5040, 1f / 720).fma(r3, C120).fma(r3, C24).fma(r3, C6).fma(r3, HALF)
                    .fma(r3, ONE).fma(r3, ONE).mul(big3.reinterpretAsInts().sub(0x4B400000 - 127)
                    .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            sum3 = sum3.add(e3);
            e3.reinterpretAsInts().and(keepJ).reinterpretAsFloats().intoArray(s3, j + 3);
        }
        for (int r = 0; r < ROWS; r++) {                              // outside row g + r's band: 0
            float[] s = scores[g + r];
            for (int j = 0; j < lo0 + r; j++) {
                s[j] = 0f;
            }
            for (int j = last0 + r + LANES; j < len; j++) {
                s[j] = 0f;
            }
        }
        inverseSums[g] = 1f / sum0.reduceLanes(VectorOperators.ADD);
        inverseSums[g + 1] = 1f / sum1.reduceLanes(VectorOperators.ADD);
        inverseSums[g + 2] = 1f / sum2.reduceLanes(VectorOperators.ADD);
        inverseSums[g + 3] = 1f / sum3.reduceLanes(VectorOperators.ADD);
    }
}
