package io.longseq.math.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ND4J views and bound products {@link LocalTier} keeps per chunk geometry (a few per stream, in a
 * {@link BoundedCache}): {@link Band} over the first Np rows of every buffer, {@link Core} over the core rows of
 * the last layer.
 */
final class LocalTierViews {

    private LocalTierViews() {}

    /** The last layer's products over the core rows only, per (core start, core end) row pair. */
    static final class Core implements AutoCloseable {
        final MatMul outProj;   // x[cs:ce] += o[cs:ce]·W_o
        final MatMul ffnIn;     // h[cs:ce] = a[cs:ce]·W_1
        final MatMul ffnOut;    // x[cs:ce] += GELU(h[cs:ce])·W_2

        Core(LocalTier t, int cs, int ce) {
            int last = t.cfg.layers() - 1;
            long rows = ce - cs;
            INDArray x = Nd4j.create(t.buf.xBase.data(), new long[] {rows, t.d}, new long[] {t.d, 1}, (long) cs * t.d, 'c');
            INDArray a = Nd4j.create(t.buf.aBase.data(), new long[] {rows, t.d}, new long[] {t.d, 1}, (long) cs * t.d, 'c');
            INDArray o = Nd4j.create(t.buf.oBase.data(), new long[] {rows, t.d}, new long[] {t.d, 1}, (long) cs * t.d, 'c');
            INDArray h = Nd4j.create(t.buf.hBase.data(), new long[] {rows, t.f}, new long[] {t.f, 1}, (long) cs * t.f, 'c');
            outProj = new MatMul(o, t.mats.wo[last], x, false, 1.0);
            ffnIn = new MatMul(a, t.mats.w1[last], h, false, 0.0);
            ffnOut = new MatMul(h, t.mats.w2[last], x, false, 1.0);
        }

        @Override
        public void close() {
            outProj.close();
            ffnIn.close();
            ffnOut.close();
        }
    }

    /** Array views over the first Np = nq·q_b rows of every buffer, for one padded chunk length. */
    static final class Band implements AutoCloseable {
        final INDArray x;    // [Np, d]
        final INDArray a;    // [Np, d]
        final INDArray qkv;  // [Np, 3d]
        final INDArray qv;   // [Np, 2d] q | v, over qkv's memory (LocalTier.inPlace), else null
        final INDArray kT;   // [d, Np] keys transposed, after qv in qkv's memory, else null
        final INDArray o;    // [Np, d]
        final INDArray h;    // [Np, f]
        final INDArray[] q;  // per head [nq, q_b, d_h]
        final INDArray[] k;  // per head [nq, kw, d_h], overlapping windows (row stride q_b·d_h)
        final INDArray[] v;  // per head [nq, kw, d_h], overlapping windows
        final INDArray[] s;  // per head [nq, q_b, kw]
        final INDArray[] ob; // per head [nq, q_b, d_h], a strided view of head hd's columns of o
        final LayerMatrices.Products layers; // the layers' GEMMs over these rows
        final MatMul[] scores;    // per head: s = q·kᵀ
        final MatMul[] mix;       // per head: ob = s·v

        Band(LocalTier t, int nq) {
            long np = (long) nq * t.qb;
            x = Nd4j.create(t.buf.xBase.data(), new long[] {np, t.d});
            a = Nd4j.create(t.buf.aBase.data(), new long[] {np, t.d});
            qkv = Nd4j.create(t.buf.qkvBase.data(), new long[] {np, 3L * t.d});
            o = Nd4j.create(t.buf.oBase.data(), new long[] {np, t.d});
            h = Nd4j.create(t.buf.hBase.data(), new long[] {np, t.f});
            q = new INDArray[t.heads];
            k = new INDArray[t.heads];
            v = new INDArray[t.heads];
            s = new INDArray[t.heads];
            ob = new INDArray[t.heads];
            if (t.inPlace) {
                qv = Nd4j.create(t.buf.qkvBase.data(), new long[] {np, 2L * t.d}, new long[] {2L * t.d, 1}, 0L, 'c');
                kT = Nd4j.create(t.buf.qkvBase.data(), new long[] {t.d, np}, new long[] {np, 1}, np * 2 * t.d, 'c');
                layers = t.mats.bind(a, qkv, o, h, x, qv, kT);
            } else {
                qv = null;
                kT = null;
                layers = t.mats.bind(a, qkv, o, h, x);
            }
            SlidingChunks c = t.chunks;
            boolean nd4jAttention = c != null;
            scores = new MatMul[nd4jAttention ? t.heads : 0];
            mix = new MatMul[nd4jAttention ? t.heads : 0];
            if (nd4jAttention) {
                long[] windowStride = {(long) t.qb * t.dh, t.dh, 1};
                for (int hd = 0; hd < t.heads; hd++) {
                    long rowsOff = (long) hd * t.maxRows;
                    long kvOff = (long) hd * t.kvRows * t.dh;
                    q[hd] = Nd4j.create(c.qBase.data(), new long[] {nq, t.qb, t.dh}, new long[] {(long) t.qb * t.dh, t.dh, 1},
                            rowsOff * t.dh, 'c');
                    k[hd] = Nd4j.create(c.kBase.data(), new long[] {nq, t.kw, t.dh}, windowStride, kvOff, 'c');
                    v[hd] = Nd4j.create(c.vBase.data(), new long[] {nq, t.kw, t.dh}, windowStride, kvOff, 'c');
                    s[hd] = Nd4j.create(c.sBase.data(), new long[] {nq, t.qb, t.kw}, new long[] {(long) t.qb * t.kw, t.kw, 1},
                            rowsOff * t.kw, 'c');
                    // written straight into head hd's columns of o [Np, d]: no gather pass
                    ob[hd] = Nd4j.create(t.buf.oBase.data(), new long[] {nq, t.qb, t.dh}, new long[] {(long) t.qb * t.d, t.d, 1},
                            (long) hd * t.dh, 'c');
                }
                for (int hd = 0; hd < t.heads; hd++) {
                    scores[hd] = new MatMul(q[hd], k[hd], s[hd], true, 0.0);
                    mix[hd] = new MatMul(s[hd], v[hd], ob[hd], false, 0.0);
                }
            }
        }

        @Override
        public void close() {
            layers.close();
            for (MatMul[] group : new MatMul[][] {scores, mix}) {
                for (MatMul m : group) {
                    m.close();
                }
            }
        }
    }
}
