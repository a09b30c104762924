package io.longseq.math.memory;

import java.util.Arrays;

/**
 * RETRIEVAL's sketch tier: the {@link SignSketch} of each of the newest S blocks (S = {@code retrievalSketches}),
 * block j at slot j mod S, and the search for the blocks whose codes are nearest to a query's. Grows with the
 * sequence until it holds S blocks, then stays S·(D/8 + 4) bytes (1.47 MB at S = 40,960, D = 256).
 *
 * <p>The candidates of a query are the {@code m} blocks of a window [lo, hi) with the smallest Hamming distance
 * between their code and the query's (with two query codes, the smaller of the two distances), ties to the newer
 * block: a function of the codes and the window only, so the same on every path and after any restore (G1).
 *
 * <p>Codes are kept as D/64 planes: word w of slot s at {@code planes[w·slots + s]} ({@link #code} gathers one).
 * The search is scalar: {@link Long#bitCount} is one instruction, and a 512-bit bit-slice count with JDK 17's Vector
 * API (no lane-wise population count) ran 1.7 ms a chunk in most JVMs but 3.5–3.8 ms in one of four, its lane-wise
 * shifts left uncompiled.
 */
final class SketchRing {

    final SignSketch sketch;
    final int capacity;               // S
    final int words;                  // D/64
    private int slots;                // slots allocated (grown until S)
    long[] planes = new long[0];      // [D/64, slots] word w of block j's code at w·slots + j mod S
    float[] norms = new float[0];     // [slots] ‖x_j‖
    // [slots] ‖x̂_j·W_gk‖², the squared norm of the key its estimate gives (the novelty's), NaN until computed; not
    // state (a function of the code and ‖x_j‖, so the same whenever computed)
    double[] keyNorms = new double[0];
    private final long[] scratch;     // [D/64] one code
    private int scanN;                // the selection's size, worst member and its distance (offer)
    private int scanWorst;
    private int scanWorstDist;
    private int[] bestDist = new int[0];    // [m] the selection's distances
    private long[] bestBlock = new long[0]; // [m] and blocks

    SketchRing(int d, long seed, int capacity) {
        sketch = new SignSketch(d, seed);
        this.capacity = capacity;
        words = sketch.words;
        scratch = new long[words];
    }

    /** Slots allocated: at least min(blocks so far, S), at most S. */
    int slots() {
        return slots;
    }

    /** Adds block j's x [off, off + d), j the next block (the one after the last appended). */
    void append(long j, float[] x, int off) {
        int slot = (int) (j % capacity);
        if (slot >= slots) {
            grow(slot + 1);
        }
        sketch.encode(x, off, scratch, 0);
        setCode(slot, scratch, 0);
        keyNorms[slot] = Double.NaN;
        double nn = 0;
        for (int c = 0; c < sketch.d; c++) {
            nn += (double) x[off + c] * x[off + c];
        }
        norms[slot] = (float) Math.sqrt(nn);
    }

    // at least n slots, doubling, at most S
    void grow(int n) {
        if (n <= slots) {
            return;
        }
        int cap = Math.min(capacity, Math.max(n, Math.max(16, 2 * slots)));
        long[] next = new long[words * cap];
        for (int w = 0; w < words; w++) {
            System.arraycopy(planes, w * slots, next, w * cap, slots);
        }
        planes = next;
        norms = Arrays.copyOf(norms, cap);
        keyNorms = Arrays.copyOf(keyNorms, cap);
        Arrays.fill(keyNorms, slots, cap, Double.NaN);
        slots = cap;
    }

    /** The code of slot {@code slot} into out [at, at + D/64). */
    void code(int slot, long[] out, int at) {
        for (int w = 0; w < words; w++) {
            out[at + w] = planes[w * slots + slot];
        }
    }

    /** Slot {@code slot}'s code from in [at, at + D/64). */
    void setCode(int slot, long[] in, int at) {
        for (int w = 0; w < words; w++) {
            planes[w * slots + slot] = in[at + w];
        }
    }

    /** Block j's estimate x̂ [d] into out from {@code off} (j must be held: within the newest S). */
    void decode(long j, float[] out, int off) {
        int slot = (int) (j % capacity);
        code(slot, scratch, 0);
        sketch.decode(scratch, 0, norms[slot], out, off);
    }

    /** σ·y for block j's code (held) and a rotated vector y [D] ({@link SignSketch#signedDot}). */
    double signedDot(long j, float[] y) {
        code((int) (j % capacity), scratch, 0);
        return SignSketch.signedDot(scratch, 0, y, sketch.dim);
    }

    /** z [D] += w·σ_j for block j's code (held). */
    void addSigned(long j, double w, double[] z) {
        code((int) (j % capacity), scratch, 0);
        sketch.addSigned(scratch, 0, w, z);
    }

    /**
     * The m (at most) blocks of [lo, hi) whose codes are nearest to query [0, D/64) (and, when {@code two}, to
     * query [D/64, 2·D/64): the nearer of the two counts), ties to the newer block, into out in ascending block
     * order; returns how many ({@code min(m, hi − lo)}). The window must lie within the newest S blocks.
     */
    // query [1 or 2, D/64] -> out [≤ m] block indices
    int nearest(long[] query, boolean two, long lo, long hi, int m, long[] out) {
        if (hi <= lo || m <= 0) {
            return 0;
        }
        if (bestDist.length < m) {
            bestDist = new int[m];
            bestBlock = new long[m];
        }
        scanN = 0;
        scanWorst = 0;
        scanWorstDist = Integer.MAX_VALUE;
        // the window's slots, newest first: [hiSlot .. 0] then, when it wraps, [S − 1 .. loSlot]
        int hiSlot = (int) ((hi - 1) % capacity);
        long count = hi - lo;
        int first = (int) Math.min(count, hiSlot + 1);
        scan(query, two, hiSlot, hiSlot - first + 1, hi - 1, m);
        if (count > first) {
            scan(query, two, capacity - 1, capacity - (int) (count - first), hi - 1 - first, m);
        }
        int n = scanN;
        System.arraycopy(bestBlock, 0, out, 0, n);
        Arrays.sort(out, 0, n);
        return n;
    }

    // slots from down to to (from ≥ to), block j at slot `from`, j − 1 at from − 1, ...: into the selection
    private void scan(long[] query, boolean two, int from, int to, long j, int m) {
        if (words != 4) {
            for (int slot = from; slot >= to; slot--, j--) {
                int dist = distance(slot, query, 0);
                if (two) {
                    dist = Math.min(dist, distance(slot, query, words));
                }
                if (dist < scanWorstDist) {
                    offer(dist, j, m);
                }
            }
            return;
        }
        // D = 256: four planes, each code's words at s, S' + s, 2S' + s, 3S' + s (S' = slots allocated)
        long[] p = planes;
        int p1 = slots;
        int p2 = 2 * slots;
        int p3 = 3 * slots;
        long a0 = query[0];
        long a1 = query[1];
        long a2 = query[2];
        long a3 = query[3];
        if (!two) {
            for (int s = from; s >= to; s--, j--) {
                int dist = Long.bitCount(p[s] ^ a0) + Long.bitCount(p[p1 + s] ^ a1) + Long.bitCount(p[p2 + s] ^ a2)
                        + Long.bitCount(p[p3 + s] ^ a3);
                if (dist < scanWorstDist) {
                    offer(dist, j, m);
                }
            }
            return;
        }
        long b0 = query[4];
        long b1 = query[5];
        long b2 = query[6];
        long b3 = query[7];
        for (int s = from; s >= to; s--, j--) {
            long c0 = p[s];
            long c1 = p[p1 + s];
            long c2 = p[p2 + s];
            long c3 = p[p3 + s];
            int dist = Math.min(Long.bitCount(c0 ^ a0) + Long.bitCount(c1 ^ a1) + Long.bitCount(c2 ^ a2)
                    + Long.bitCount(c3 ^ a3), Long.bitCount(c0 ^ b0) + Long.bitCount(c1 ^ b1)
                    + Long.bitCount(c2 ^ b2) + Long.bitCount(c3 ^ b3));
            if (dist < scanWorstDist) {
                offer(dist, j, m);
            }
        }
    }

    /** Hamming distance of slot {@code slot}'s code to query [at, at + D/64). */
    int distance(int slot, long[] query, int at) {
        int n = 0;
        for (int w = 0; w < words; w++) {
            n += Long.bitCount(planes[w * slots + slot] ^ query[at + w]);
        }
        return n;
    }

    // block j at Hamming distance dist, scanned after every newer block of the window: into the selection
    private void offer(int dist, long j, int m) {
        if (scanN < m) {
            bestDist[scanN] = dist;
            bestBlock[scanN] = j;
            if (scanN == 0 || dist >= bestDist[scanWorst]) {
                scanWorst = scanN;      // equal distance: j is older than the current worst
            }
            scanN++;
            scanWorstDist = scanN == m ? bestDist[scanWorst] : Integer.MAX_VALUE;
        } else if (dist < scanWorstDist) {
            bestDist[scanWorst] = dist;
            bestBlock[scanWorst] = j;
            int worst = 0;
            for (int i = 1; i < m; i++) {
                if (bestDist[i] > bestDist[worst] || bestDist[i] == bestDist[worst] && bestBlock[i] < bestBlock[worst]) {
                    worst = i;
                }
            }
            scanWorst = worst;
            scanWorstDist = bestDist[worst];
        }
    }
}
