package io.longseq.math.memory;

import java.util.function.BiConsumer;
import java.util.function.LongPredicate;

/**
 * One block's sketch candidates in RETRIEVAL mode (docs/design.md 2.5): of a window of a {@link SketchRing}, the M
 * blocks whose codes are nearest to the code of the block's query in x-space, less those held whole, with the dots
 * of their estimates x̂_j against the query, key (and reverse query) formed from the codes, and the candidates'
 * weighted sum Σ w_j x̂_j as one inverse rotation. Holds the last block's result; scratch of one memory.
 */
final class SketchCandidates {

    private final int d;
    private final int m;               // M: candidates per block
    private final long[] queryCode;    // [2, D/64] a block's query codes (forward, reverse)
    final long[] blocks;               // [M] the last find's blocks, ascending
    final double[] q;                  // [M] their estimates' dots x̂_j·u with the query (x-space)
    final double[] k;                  // [M] x̂_j·k with the block's key (x-space)
    final double[] r;                  // [M] x̂_j·u' with the reverse query, when there is one
    final double[] norms;              // [M] ‖x̂_j·W_gk‖²
    private final long[] nearest;      // [M] the ring's selection
    private final float[] yq;          // [D] the query rotated, D·R·pad(u)
    private final float[] yk;          // [D] the key rotated
    private final float[] yr;          // [D] the reverse query rotated
    private final double[] z;          // [D] Σ w_j (‖x_j‖/√D) σ_j of sum
    private final float[] xHat;        // [d] an estimate x̂_j
    private final float[] kHat;        // [d] and its key

    SketchCandidates(int d, int m, int dim, int words) {
        this.d = d;
        this.m = m;
        queryCode = new long[2 * words];
        blocks = new long[m];
        q = new double[m];
        k = new double[m];
        r = new double[m];
        norms = new double[m];
        nearest = new long[m];
        yq = new float[dim];
        yk = new float[dim];
        yr = new float[dim];
        z = new double[dim];
        xHat = new float[d];
        kHat = new float[d];
    }

    /**
     * Of the blocks of [lo, hi) in {@code ring}, the M whose codes are nearest to the code of u (or of u or u', the
     * nearer), ties to the newer block, less those {@code held} whole; into {@link #blocks} ascending, with the dots
     * of their estimates with u, key (and u') in {@link #q}, {@link #k} ({@link #r}), each
     * ‖x_j‖·(σ_j·D·R·pad(·))/(D·√D) in double (x̂_j·u without forming x̂_j), and ‖x̂_j·W_gk‖² in {@link #norms}
     * (keyOf: x [d] -> x·W_gk [d]; computed once per sketch and kept in the ring). Returns how many.
     */
    // u, key [d] (+ u' [d]) -> blocks, q, k (r), norms [n]
    int find(SketchRing ring, long lo, long hi, float[] u, float[] key, float[] reverse,
             BiConsumer<float[], float[]> keyOf, LongPredicate held) {
        SignSketch sk = ring.sketch;
        sk.encode(u, 0, queryCode, 0, yq);
        if (reverse != null) {
            sk.encode(reverse, 0, queryCode, sk.words, yr);
        }
        int found = ring.nearest(queryCode, reverse != null, lo, hi, m, nearest);
        int n = 0;
        double scale = 1.0 / (sk.dim * Math.sqrt(sk.dim));
        boolean rotatedKey = false;
        for (int i = 0; i < found; i++) {
            long j = nearest[i];
            if (held.test(j)) {
                continue;
            }
            if (!rotatedKey) {
                sk.encode(key, 0, queryCode, sk.words, yk);   // the key's code is not used; queryCode[1] is scratch
                rotatedKey = true;
            }
            int slot = (int) (j % ring.capacity);
            double c = ring.norms[slot] * scale;
            blocks[n] = j;
            q[n] = c * ring.signedDot(j, yq);
            k[n] = c * ring.signedDot(j, yk);
            r[n] = reverse == null ? 0 : c * ring.signedDot(j, yr);
            if (Double.isNaN(ring.keyNorms[slot])) {
                ring.decode(j, xHat, 0);
                keyOf.accept(xHat, kHat);
                ring.keyNorms[slot] = RetrievalMemory.squaredNorm(kHat, 0, d);
            }
            norms[n] = ring.keyNorms[slot];
            n++;
        }
        return n;
    }

    /**
     * gx [d] = Σ_i w[at + i]·x̂_i over the n candidates of the last {@link #find}, as Rᵀ applied once to
     * Σ_i w_i·(‖x_i‖/√D)·σ_i (the first d coordinates), in double.
     */
    // w [at, at + n) -> gx [d]
    void sum(SketchRing ring, double[] w, int at, int n, double[] gx) {
        java.util.Arrays.fill(z, 0);
        double scale = 1.0 / Math.sqrt(ring.sketch.dim);
        for (int i = 0; i < n; i++) {
            int slot = (int) (blocks[i] % ring.capacity);
            ring.addSigned(blocks[i], w[at + i] * (ring.norms[slot] * scale), z);
        }
        ring.sketch.unrotate(z, gx);
    }
}
