package io.longseq.math.kernel;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link LocalTier}'s band attention through ND4J's batched products ("sliding chunks"), used when the fused
 * kernel cannot run: the queries are cut into blocks of q_b and block t meets the kw = q_b + 2w keys around it
 * (q_b + w when causal). Each head's keys and values live once in a buffer padded with w zero rows on each side;
 * {@link LocalTierViews.Band} views it as overlapping windows [N/q_b, kw, d_h] (row stride q_b·d_h) and binds the
 * two products per head (scores, weighted values). This class holds those buffers, scatters q|k|v into them
 * ({@link #scatter}) and applies the band softmax in between ({@link #bandSoftmax}).
 */
final class SlidingChunks implements AutoCloseable {

    final INDArray qBase;    // [h, maxRows, d_h]       queries (RoPE'd, scaled by 1/√d_h)
    final INDArray kBase;    // [h, w + maxRows + w, d_h] keys (RoPE'd), w zero rows each side
    final INDArray vBase;    // [h, w + maxRows + w, d_h] values, same padding
    final INDArray sBase;    // [h, maxRows, kw]        scores, then probabilities
    private final FloatBuffer q;
    private final FloatBuffer k;
    private final FloatBuffer v;
    private final FloatBuffer s;
    private final int d;
    private final int heads;
    private final int dh;
    private final int w;
    private final int qb;
    private final int kw;
    private final int maxRows;
    private final int kvRows;
    private final boolean causal;
    private final RowKernels kernels;
    private final float[] qkvRow;    // [3d] scratch
    private final float[] headRow;   // [d_h] scratch
    private final float[] headRow2;  // [d_h] scratch
    private final float[] row;       // [max(d, kw)] scratch
    private final float[] zeros;     // always zero

    SlidingChunks(LocalTier t, RowKernels kernels) {
        d = t.d;
        heads = t.heads;
        dh = t.dh;
        w = t.w;
        qb = t.qb;
        kw = t.kw;
        maxRows = t.maxRows;
        kvRows = t.kvRows;
        causal = t.cfg.causal();
        this.kernels = kernels;
        qBase = Nd4j.create(DataType.FLOAT, (long) heads * maxRows * dh);
        kBase = Nd4j.create(DataType.FLOAT, (long) heads * kvRows * dh);
        vBase = Nd4j.create(DataType.FLOAT, (long) heads * kvRows * dh);
        sBase = Nd4j.create(DataType.FLOAT, (long) heads * maxRows * kw);
        q = RowOps.view(qBase);
        k = RowOps.view(kBase);
        v = RowOps.view(vBase);
        s = RowOps.view(sBase);
        qkvRow = new float[3 * d];
        headRow = new float[dh];
        headRow2 = new float[dh];
        row = new float[Math.max(d, kw)];
        zeros = new float[Math.max(Math.max(4096, kw), d)];
    }

    // qkv [Np, 3d] -> q [h, Np, d_h] (RoPE'd, ·1/√d_h), k [h, w+Np+w, d_h] (RoPE'd), v [h, w+Np+w, d_h]
    void scatter(FloatBuffer qkv, int np, float[] cos, float[] sin, float qScale) {
        int pairs = dh / 2;
        float[] src = qkvRow;                   // [3d]
        float[] qr = headRow;                   // [d_h]
        float[] kr = headRow2;                  // [d_h]
        for (int i = 0; i < np; i++) {
            qkv.get(i * 3 * d, src, 0, 3 * d);
            int ang = i * pairs;                // padded rows are zero, any angle leaves them zero
            for (int hd = 0; hd < heads; hd++) {
                int col = hd * dh;
                Rope.rotateHead(src, d, col, dh, cos, sin, ang, qScale, qr, kr);
                q.put((hd * maxRows + i) * dh, qr, 0, dh);
                int kvAt = (hd * kvRows + w + i) * dh;
                k.put(kvAt, kr, 0, dh);
                v.put(kvAt, src, 2 * d + col, dh);
            }
        }
        // rows after the chunk may hold a longer chunk's keys: zero them (rows before it are never written)
        for (int hd = 0; hd < heads; hd++) {
            int from = (hd * kvRows + w + np) * dh;
            int to = (hd + 1) * kvRows * dh;
            zeroRows(k, from, to);
            zeroRows(v, from, to);
        }
    }

    // s [h, Np, kw] scores -> probabilities over the band, zero outside it and for padded queries
    void bandSoftmax(int n, int nq) {
        float[] r = row;
        for (int hd = 0; hd < heads; hd++) {
            for (int t = 0; t < nq; t++) {
                int keyBase = t * qb - w;        // array index of the key in slot 0 of block t's window
                for (int rr = 0; rr < qb; rr++) {
                    int i = t * qb + rr;
                    int off = (hd * maxRows + i) * kw;
                    if (i >= n) {
                        s.put(off, zeros, 0, kw);
                        continue;
                    }
                    int lo = Math.max(0, i - w) - keyBase;
                    int hi = (causal ? i : Math.min(n - 1, i + w)) - keyBase;
                    s.get(off, r, 0, kw);
                    kernels.bandSoftmax(r, lo, hi, kw);
                    s.put(off, r, 0, kw);
                }
            }
        }
    }

    private void zeroRows(FloatBuffer buf, int from, int to) {
        for (int i = from; i < to; i += zeros.length) {
            buf.put(i, zeros, 0, Math.min(zeros.length, to - i));
        }
    }

    @Override
    public void close() {
        for (INDArray arr : new INDArray[] {qBase, kBase, vBase, sBase}) {
            arr.close();
        }
    }
}
