package io.longseq.math.memory;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link SharedRows} with the Vector API (preferred shapes only), the same bits. Loaded only when
 * {@code jdk.incubator.vector} is in the boot layer.
 *
 * <p>Dots ({@link #columnDots}, {@link #tileDots}): the x rows are read column-major (RETRIEVAL's store keeps such a
 * copy), so the float lanes are consecutive slots, each the float chain of {@link SharedRows#dot}: a lane-wise fused
 * multiply-add per column, in order of the columns. Weighted sum: lanes are columns of g, each a multiply then an
 * add in double in order of the rows, as in the scalar form.
 */
final class VectorSharedRows {

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int FL = F.length();        // floats per vector: 2 × D's lanes
    private static final int HALF = FL / 2;
    private static final boolean WIDE = D.vectorBitSize() >= 512;   // 32 vector registers (AVX-512)

    private VectorSharedRows() {}

    /** True when the kernels take rows of d columns and a column-major store of this stride. */
    static boolean fits(int d, int stride) {
        return d % 4 == 0 && d % FL == 0 && stride % FL == 0 && FL == 2 * D.length() && FL <= SharedRows.PAD;
    }

    /**
     * qDots[at + i] ← q·K[·, i] and, when k is not null, kDots[at + i] ← k·K[·, i], for the n slots i of a
     * column-major block of x rows K [d, stride] at {@code base} (column c of slot i at base + c·stride + i): per
     * slot the float chain of {@link SharedRows#dot} (f ← fma(q[c], K[c, i], f) from 0 in order of c), lanes over
     * slots, widened to double. Slots n … (n rounded up to the float lanes) are read too, and their results dropped;
     * {@link SharedRows#PAD} floats past the block must be readable.
     */
    // q [d], k [d] or null, K [d, stride] -> qDots [at, at + n), kDots [at, at + n)   (tmp [2·FL] scratch)
    static void columnDots(float[] q, float[] k, float[] keysT, int base, int stride, int n, int d,
                           double[] qDots, double[] kDots, int at, float[] tmp) {
        for (int s0 = 0; s0 < n; s0 += FL) {
            int take = Math.min(FL, n - s0);
            int col0 = base + s0;
            FloatVector aq = FloatVector.zero(F);
            if (k == null) {
                for (int c = 0, col = col0; c < d; c++, col += stride) {
                    aq = FloatVector.broadcast(F, q[c]).fma(FloatVector.fromArray(F, keysT, col), aq);
                }
            } else {
                FloatVector ak = FloatVector.zero(F);
                for (int c = 0, col = col0; c < d; c++, col += stride) {
                    FloatVector x = FloatVector.fromArray(F, keysT, col);
                    aq = FloatVector.broadcast(F, q[c]).fma(x, aq);
                    ak = FloatVector.broadcast(F, k[c]).fma(x, ak);
                }
                ak.intoArray(tmp, FL);
                for (int i = 0; i < take; i++) {
                    kDots[at + s0 + i] = tmp[FL + i];
                }
            }
            aq.intoArray(tmp, 0);
            for (int i = 0; i < take; i++) {
                qDots[at + s0 + i] = tmp[i];
            }
        }
    }

    /**
     * out[r·FL + i] ← Σ_c vecs[r·d + c]·K[c, i] for every row r of vecs [rows, d] and the FL = {@link #floatLanes()}
     * slots i of a column-major block of x rows K [d, stride] at {@code base}: per row and slot the float chain of
     * {@link SharedRows#dot} (the bits {@link #columnDots} gives it), eight rows per pass (eight independent chains,
     * the block read once per pass). out holds rows rounded up to eight: rows past {@code rows} are scratch; slots past
     * the caller's count are computed too and to be dropped.
     */
    // vecs [rows, d], K [d, stride] -> out [⌈rows/8⌉·8, FL]
    static void tileDots(float[] vecs, int rows, int d, float[] keysT, int base, int stride, float[] out) {
        for (int r0 = 0; r0 < rows; r0 += 8) {
            int last = rows - 1;                  // rows past the last repeat it: no branch in the loop below
            int o0 = Math.min(r0, last) * d;
            int o1 = Math.min(r0 + 1, last) * d;
            int o2 = Math.min(r0 + 2, last) * d;
            int o3 = Math.min(r0 + 3, last) * d;
            int o4 = Math.min(r0 + 4, last) * d;
            int o5 = Math.min(r0 + 5, last) * d;
            int o6 = Math.min(r0 + 6, last) * d;
            int o7 = Math.min(r0 + 7, last) * d;
            FloatVector z = FloatVector.zero(F);
            FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
            for (int c = 0, col = base; c < d; c++, col += stride) {
                FloatVector x = FloatVector.fromArray(F, keysT, col);
                a0 = FloatVector.broadcast(F, vecs[o0 + c]).fma(x, a0);
                a1 = FloatVector.broadcast(F, vecs[o1 + c]).fma(x, a1);
                a2 = FloatVector.broadcast(F, vecs[o2 + c]).fma(x, a2);
                a3 = FloatVector.broadcast(F, vecs[o3 + c]).fma(x, a3);
                a4 = FloatVector.broadcast(F, vecs[o4 + c]).fma(x, a4);
                a5 = FloatVector.broadcast(F, vecs[o5 + c]).fma(x, a5);
                a6 = FloatVector.broadcast(F, vecs[o6 + c]).fma(x, a6);
                a7 = FloatVector.broadcast(F, vecs[o7 + c]).fma(x, a7);
            }
            a0.intoArray(out, r0 * FL);
            a1.intoArray(out, (r0 + 1) * FL);
            a2.intoArray(out, (r0 + 2) * FL);
            a3.intoArray(out, (r0 + 3) * FL);
            a4.intoArray(out, (r0 + 4) * FL);
            a5.intoArray(out, (r0 + 5) * FL);
            a6.intoArray(out, (r0 + 6) * FL);
            a7.intoArray(out, (r0 + 7) * FL);
        }
    }

    /**
     * As {@link #tileDots} for 16 rows in one pass (AVX-512's 32 registers: 16 chains, the block read once for 16
     * rows; 10–18 % less time than two passes of eight on the Intel Xeon host), the same bits; the rows come transposed,
     * vt [d, 16] (row r's column c at c·16 + r), so one column's 16 broadcasts are adjacent.
     */
    // vt [d, 16], K [d, stride] -> out [at, at + 16·FL): [16, FL]
    static void tileDots16(float[] vt, int d, float[] keysT, int base, int stride, float[] out, int at) {
        FloatVector z = FloatVector.zero(F);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
        FloatVector a8 = z, a9 = z, a10 = z, a11 = z, a12 = z, a13 = z, a14 = z, a15 = z;
        for (int c = 0, col = base, v = 0; c < d; c++, col += stride, v += 16) {
            FloatVector x = FloatVector.fromArray(F, keysT, col);
            a0 = FloatVector.broadcast(F, vt[v + 0]).fma(x, a0);
            a1 = FloatVector.broadcast(F, vt[v + 1]).fma(x, a1);
            a2 = FloatVector.broadcast(F, vt[v + 2]).fma(x, a2);
            a3 = FloatVector.broadcast(F, vt[v + 3]).fma(x, a3);
            a4 = FloatVector.broadcast(F, vt[v + 4]).fma(x, a4);
            a5 = FloatVector.broadcast(F, vt[v + 5]).fma(x, a5);
            a6 = FloatVector.broadcast(F, vt[v + 6]).fma(x, a6);
            a7 = FloatVector.broadcast(F, vt[v + 7]).fma(x, a7);
            a8 = FloatVector.broadcast(F, vt[v + 8]).fma(x, a8);
            a9 = FloatVector.broadcast(F, vt[v + 9]).fma(x, a9);
            a10 = FloatVector.broadcast(F, vt[v + 10]).fma(x, a10);
            a11 = FloatVector.broadcast(F, vt[v + 11]).fma(x, a11);
            a12 = FloatVector.broadcast(F, vt[v + 12]).fma(x, a12);
            a13 = FloatVector.broadcast(F, vt[v + 13]).fma(x, a13);
            a14 = FloatVector.broadcast(F, vt[v + 14]).fma(x, a14);
            a15 = FloatVector.broadcast(F, vt[v + 15]).fma(x, a15);
        }
        a0.intoArray(out, at + 0 * FL);
        a1.intoArray(out, at + 1 * FL);
        a2.intoArray(out, at + 2 * FL);
        a3.intoArray(out, at + 3 * FL);
        a4.intoArray(out, at + 4 * FL);
        a5.intoArray(out, at + 5 * FL);
        a6.intoArray(out, at + 6 * FL);
        a7.intoArray(out, at + 7 * FL);
        a8.intoArray(out, at + 8 * FL);
        a9.intoArray(out, at + 9 * FL);
        a10.intoArray(out, at + 10 * FL);
        a11.intoArray(out, at + 11 * FL);
        a12.intoArray(out, at + 12 * FL);
        a13.intoArray(out, at + 13 * FL);
        a14.intoArray(out, at + 14 * FL);
        a15.intoArray(out, at + 15 * FL);
    }

    /** True when {@link #tileDots16}'s 16 chains fit the vector registers (AVX-512's 32). */
    static boolean wide() {
        return WIDE;
    }

    /** Floats per vector: the slots of one {@link #tileDots} block. */
    static int floatLanes() {
        return FL;
    }

    /** Doubles per vector. */
    static int lanes() {
        return D.length();
    }

    /** As {@link SharedRows#maxCosine}, n a multiple of {@link #lanes()}: the lanes' maxima, then the max of them. */
    static double maxCosine(double[] dots, int at, double[] norms, int n, double kk, double best) {
        DoubleVector m = DoubleVector.broadcast(D, best);
        DoubleVector one = DoubleVector.broadcast(D, 1.0);
        DoubleVector k2 = DoubleVector.broadcast(D, kk);
        for (int i = 0; i < n; i += D.length()) {
            DoubleVector nr = k2.mul(DoubleVector.fromArray(D, norms, i)).sqrt();
            DoubleVector cos = DoubleVector.fromArray(D, dots, at + i).div(nr).min(one);
            m = m.blend(m.max(cos), nr.compare(VectorOperators.GT, 0.0));
        }
        return m.reduceLanes(VectorOperators.MAX);
    }

    /**
     * As {@link SharedRows#weightedSum}; d a multiple of the float lanes ({@link #fits}), {@link SharedRows#PAD} floats
     * readable past the last row. Column tiles of 4·FL (64 doubles with AVX-512: eight vectors) stay in registers while
     * the n rows go by, so g is read and written once per call, not once per row; each column still adds its rows in
     * order, a multiply then an add: the same bits (against one load and store of g per four rows: the weighted sum
     * took ~40 % less CPU in a 5 Mbp retrieval run).
     */
    // p [at, at + n), V [·, d], row [n] -> g [d] += Σ p·V
    static void weightedSum(double[] p, int at, float[] values, int[] row, int from, int n, int d, double[] g) {
        int tile = 4 * FL;
        int c0 = 0;
        for (; c0 + tile <= d; c0 += tile) {
            DoubleVector s0 = DoubleVector.fromArray(D, g, c0);
            DoubleVector s1 = DoubleVector.fromArray(D, g, c0 + HALF);
            DoubleVector s2 = DoubleVector.fromArray(D, g, c0 + 2 * HALF);
            DoubleVector s3 = DoubleVector.fromArray(D, g, c0 + 3 * HALF);
            DoubleVector s4 = DoubleVector.fromArray(D, g, c0 + 4 * HALF);
            DoubleVector s5 = DoubleVector.fromArray(D, g, c0 + 5 * HALF);
            DoubleVector s6 = DoubleVector.fromArray(D, g, c0 + 6 * HALF);
            DoubleVector s7 = DoubleVector.fromArray(D, g, c0 + 7 * HALF);
            for (int i = 0; i < n; i++) {
                DoubleVector pe = DoubleVector.broadcast(D, p[at + i]);
                int o = row[from + i] * d + c0;
                s0 = s0.add(pe.mul(low(values, o)));
                s1 = s1.add(pe.mul(low(values, o + HALF)));
                s2 = s2.add(pe.mul(low(values, o + 2 * HALF)));
                s3 = s3.add(pe.mul(low(values, o + 3 * HALF)));
                s4 = s4.add(pe.mul(low(values, o + 4 * HALF)));
                s5 = s5.add(pe.mul(low(values, o + 5 * HALF)));
                s6 = s6.add(pe.mul(low(values, o + 6 * HALF)));
                s7 = s7.add(pe.mul(low(values, o + 7 * HALF)));
            }
            s0.intoArray(g, c0);
            s1.intoArray(g, c0 + HALF);
            s2.intoArray(g, c0 + 2 * HALF);
            s3.intoArray(g, c0 + 3 * HALF);
            s4.intoArray(g, c0 + 4 * HALF);
            s5.intoArray(g, c0 + 5 * HALF);
            s6.intoArray(g, c0 + 6 * HALF);
            s7.intoArray(g, c0 + 7 * HALF);
        }
        for (; c0 < d; c0 += FL) {                       // columns past the last whole tile: FL at a time
            DoubleVector s0 = DoubleVector.fromArray(D, g, c0);
            DoubleVector s1 = DoubleVector.fromArray(D, g, c0 + HALF);
            for (int i = 0; i < n; i++) {
                DoubleVector pe = DoubleVector.broadcast(D, p[at + i]);
                int o = row[from + i] * d + c0;
                s0 = s0.add(pe.mul(low(values, o)));
                s1 = s1.add(pe.mul(low(values, o + HALF)));
            }
            s0.intoArray(g, c0);
            s1.intoArray(g, c0 + HALF);
        }
    }

    /**
     * As {@link SharedRows#weightedSums}; d a multiple of the float lanes ({@link #fits}), {@link SharedRows#PAD}
     * floats readable past the last row of xs and of evicted. Four blocks and FL columns at a time (eight double
     * vectors in registers) while a slab of rows goes by: a row's FL floats are loaded and widened once for four
     * blocks, and the store is read once per four blocks, not once per block; each column of each block adds its rows
     * in order, a multiply then an add, from +0.
     */
    // w [nb, n], rows X [n, d] (by off) -> gx [nb, d] = W·X
    static void weightedSums(double[] w, int nb, int n, float[] xs, float[] evicted, int[] off, int d, double[] gx) {
        java.util.Arrays.fill(gx, 0, nb * d, 0.0);
        for (int i0 = 0; i0 < nb; i0 += 4) {
            // slabs of 64 rows (32 KB at d = 128), each read from L2 once and then from L1 for every column tile:
            // 30 % less time than each column tile going over all rows, the same bits (Intel Xeon, 8 blocks × 3,584
            // rows); and a call per slab and tile because the JIT compiles a method to SIMD after ~2,400 calls (the
            // Vector API runs ~100× slower until then). Tried and dropped: eight blocks a tile (16 accumulators in
            // AVX-512's 32 registers), 5 % faster in most JVMs but 2.5–3.5× slower per chunk in 3 of 16 (its
            // compiled tile ran ~10× slower; cause not found)
            for (int u0 = 0; u0 < n; u0 += 64) {
                int end = Math.min(n, u0 + 64);
                // runs of rows from one array (the store, or the rows evicted during the chunk: a few), so the
                // tiles' loops do not branch on where a row is
                for (int u = u0, v; u < end; u = v) {
                    boolean stored = off[u] >= 0;
                    for (v = u + 1; v < end && off[v] >= 0 == stored; v++) {
                        // the run goes on
                    }
                    float[] x = stored ? xs : evicted;
                    int flip = stored ? 0 : -1;          // evicted rows are at ~off = off ^ −1
                    for (int c0 = 0; c0 < d; c0 += FL) {
                        tile(w, nb, n, i0, c0, u, v, x, flip, off, d, gx);
                    }
                }
            }
        }
    }

    // gx[i0 .. i0 + 4, c0 .. c0 + FL) (blocks past nb: computed, not stored) += rows [u0, u1) in order, each at
    // x[off[u] ^ flip] (flip 0: the store; −1: the evicted rows, whose off is ~position)
    private static void tile(double[] w, int nb, int n, int i0, int c0, int u0, int u1, float[] x, int flip,
                             int[] off, int d, double[] gx) {
        int last = nb - 1;                       // blocks past the last repeat it
        int g0 = i0 * d + c0;
        int g1 = Math.min(i0 + 1, last) * d + c0;
        int g2 = Math.min(i0 + 2, last) * d + c0;
        int g3 = Math.min(i0 + 3, last) * d + c0;
        int w0 = i0 * n;
        int w1 = Math.min(i0 + 1, last) * n;
        int w2 = Math.min(i0 + 2, last) * n;
        int w3 = Math.min(i0 + 3, last) * n;
        DoubleVector a0 = DoubleVector.fromArray(D, gx, g0);
        DoubleVector b0 = DoubleVector.fromArray(D, gx, g0 + HALF);
        DoubleVector a1 = DoubleVector.fromArray(D, gx, g1);
        DoubleVector b1 = DoubleVector.fromArray(D, gx, g1 + HALF);
        DoubleVector a2 = DoubleVector.fromArray(D, gx, g2);
        DoubleVector b2 = DoubleVector.fromArray(D, gx, g2 + HALF);
        DoubleVector a3 = DoubleVector.fromArray(D, gx, g3);
        DoubleVector b3 = DoubleVector.fromArray(D, gx, g3 + HALF);
        for (int u = u0; u < u1; u++) {
            int at = (off[u] ^ flip) + c0;
            DoubleVector lo = low(x, at);
            DoubleVector hi = low(x, at + HALF);
            DoubleVector p0 = DoubleVector.broadcast(D, w[w0 + u]);
            DoubleVector p1 = DoubleVector.broadcast(D, w[w1 + u]);
            DoubleVector p2 = DoubleVector.broadcast(D, w[w2 + u]);
            DoubleVector p3 = DoubleVector.broadcast(D, w[w3 + u]);
            a0 = a0.add(p0.mul(lo));
            b0 = b0.add(p0.mul(hi));
            a1 = a1.add(p1.mul(lo));
            b1 = b1.add(p1.mul(hi));
            a2 = a2.add(p2.mul(lo));
            b2 = b2.add(p2.mul(hi));
            a3 = a3.add(p3.mul(lo));
            b3 = b3.add(p3.mul(hi));
        }
        a0.intoArray(gx, g0);
        b0.intoArray(gx, g0 + HALF);
        if (i0 + 1 < nb) {
            a1.intoArray(gx, g1);
            b1.intoArray(gx, g1 + HALF);
        }
        if (i0 + 2 < nb) {
            a2.intoArray(gx, g2);
            b2.intoArray(gx, g2 + HALF);
        }
        if (i0 + 3 < nb) {
            a3.intoArray(gx, g3);
            b3.intoArray(gx, g3 + HALF);
        }
    }

    // a[off .. off + D's lanes) as doubles: the first half of a float vector loaded at off (reads FL floats; the
    // second half of a load, convertShape part 1, is not compiled to SIMD by JDK 17's C2: a load at off + HALF is)
    private static DoubleVector low(float[] a, int off) {
        return (DoubleVector) FloatVector.fromArray(F, a, off).convertShape(VectorOperators.F2D, D, 0);
    }
}
