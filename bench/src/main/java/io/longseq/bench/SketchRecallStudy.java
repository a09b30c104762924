package io.longseq.bench;

import io.longseq.math.features.Features;
import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.ChunkedModel;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.Weights;
import io.longseq.math.weights.WeightsInit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Design study for issue 23's far recall (not a feature of the job): could one-bit sketches of every block reach the
 * far copies that RETRIEVAL's 3,584 held exemplars cannot? Plants the pairs of {@link RecallBench}'s wide layout
 * (forward copies, seeded substitutions), runs the local tier, and for every block b wholly inside a second copy
 * ranks all blocks j ≤ b − 2 by what block attention would score, u_b·x_j (x_j = LN_g(s_j), u_b = W_gk q_b: the
 * score up to 1/√d), in double:
 * <ul>
 *   <li>{@code exact}: the argmax over every far block held whole (FULL's single-block entries, without its
 *       coarse entries and ln c; an upper bound for any bounded memory);</li>
 *   <li>{@code sign-asym}: every block held as d sign bits of R x_j (R a seeded orthonormal rotation, two rounds of
 *       random signs and a Walsh–Hadamard transform) plus ‖x_j‖: the score estimate ‖x_j‖·(R u_b)·σ_j/√d, argmax over
 *       all j (16 + 4 bytes a block instead of 4d);</li>
 *   <li>{@code hamming-M}: the M blocks whose sign bits are nearest to those of R u_b (Hamming), then the argmax of
 *       the estimate among them (what a scan of 2 longs a block costs); {@code cand-M}: whether a block of the first
 *       copy is among those M at all.</li>
 * </ul>
 * {@code pre64-32}, {@code pre128-32}: a prefilter for a cheaper scan: the 256 (128) blocks nearest on the code's first
 * 64 (128) bits, of those the 32 nearest on all D bits, then the argmax of the estimate.
 * {@code --bits D} (default d = 128): D sign bits a block, x padded with zeros to D before the rotation. A hit is a
 * top-1 inside the first copy's blocks. Prints one row per gap: blocks, and the share of hits per method.
 * <pre>java -cp benchmarks.jar io.longseq.bench.SketchRecallStudy --host bench/data/chr2R.fa --host-length 11300000
 *     --layout 1000,...,10000000 --pairs 8 --rate 0</pre>
 */
public final class SketchRecallStudy {

    public static void main(String[] args) throws IOException {
        String hostPath = "bench/data/chr2R.fa";
        int hostLength = 11_300_000;
        String layout = "1000,10000,100000,300000,1000000,3000000,10000000";
        int pairs = 8;
        double rate = 0;
        int dims = 128;                      // sign bits a block: d padded with zeros to this power of two (≥ d)
        String sourcesArg = "/work/shared/data/genomes/human_mito_NC_001807.fa,/work/shared/data/genomes/yeast_chrI.fa";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--host" -> hostPath = args[i + 1];
                case "--host-length" -> hostLength = Integer.parseInt(args[i + 1]);
                case "--layout" -> layout = args[i + 1];
                case "--pairs" -> pairs = Integer.parseInt(args[i + 1]);
                case "--rate" -> rate = Double.parseDouble(args[i + 1]);
                case "--bits" -> dims = Integer.parseInt(args[i + 1]);
                case "--sources" -> sourcesArg = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        byte[] host = RecallBench.longestRecord(Path.of(hostPath));
        if (hostLength < host.length) {
            host = java.util.Arrays.copyOf(host, hostLength);
        }
        List<byte[]> sources = new ArrayList<>();
        for (String s : sourcesArg.split(",")) {
            sources.add(RecallBench.longestRecord(Path.of(s)));
        }
        String[] g = layout.split(",");
        long[] gaps = new long[g.length];
        for (int i = 0; i < g.length; i++) {
            gaps[i] = Long.parseLong(g[i].trim());
        }
        int length = 4000;
        List<PairLayout.Placement> placements = PairLayout.generate(gaps, pairs, host.length, sources, length, 512, 23);
        byte[] seq = host.clone();
        RecallBench.plant(seq, sources, length, false, rate, 23, placements);
        ModelConfig cfg = ModelConfig.builder().globalMode(GlobalMode.HIERARCHICAL).build();
        Nd4jRuntime.init(1);
        Weights w = WeightsInit.defaults(cfg, 42);
        int d = cfg.dModel();
        int bs = cfg.blockSize();
        List<BlockResult> blocks;
        try (ChunkedModel model = new ChunkedModel(cfg, w)) {
            blocks = model.run(Features.dnaKmers(seq, 0, seq.length, 0, cfg), seq.length, false).blocks();
        }
        int n = blocks.size();
        double[][] x = new double[n][];      // [n][d] x_j = LN_g(s_j)
        double[] norm = new double[n];        // [n] ‖x_j‖
        long[][] bits = new long[n][];        // [n][d/64] sign bits of R x_j
        for (int j = 0; j < n; j++) {
            x[j] = layerNorm(blocks.get(j).summary(), w, d);
            norm[j] = Math.sqrt(dot(x[j], x[j]));
            bits[j] = signs(rotate(x[j], dims));
        }
        System.out.printf(Locale.ROOT, "host %s, %,d bp, %,d blocks; %d pairs per gap; substitutions %.0f %%; %d sign"
                + " bits a block%n", Path.of(hostPath).getFileName(), seq.length, n, pairs, rate * 100, dims);
        System.out.println("| gap | blocks | exact | sign-asym | hamming-32 | hamming-256 | cand-32 | cand-256 | pre64-32 |"
                + " pre128-32 |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (long gap : gaps) {
            int counted = 0;
            int[] hits = new int[8];
            for (PairLayout.Placement p : placements) {
                if (p.gap() != gap) {
                    continue;
                }
                long srcFirst = p.first() / bs;
                long srcLast = (p.first() + length - 1) / bs;
                for (long b = (p.second() + bs - 1) / bs; (b + 1) * bs <= (long) p.second() + length; b++) {
                    counted++;
                    double[] u = query(x[(int) b], w, d);                 // u_b = W_gk q_b [d]
                    double[] ru = rotate(u, dims);
                    long[] ub = signs(ru);
                    int last = (int) b - 2;
                    int exact = -1;
                    int asym = -1;
                    double bestExact = Double.NEGATIVE_INFINITY;
                    double bestAsym = Double.NEGATIVE_INFINITY;
                    int[] ham = new int[last + 1];
                    int[] ham64 = new int[last + 1];                   // the first 64 bits only
                    int[] ham128 = new int[last + 1];                  // the first 128
                    for (int j = 0; j <= last; j++) {
                        double s = dot(u, x[j]);
                        if (s > bestExact) {
                            bestExact = s;
                            exact = j;
                        }
                        double e = norm[j] * signedSum(ru, bits[j], dims);
                        if (e > bestAsym) {
                            bestAsym = e;
                            asym = j;
                        }
                        ham[j] = hamming(ub, bits[j]);
                        ham64[j] = Long.bitCount(ub[0] ^ bits[j][0]);
                        ham128[j] = ham64[j] + (ub.length > 1 ? Long.bitCount(ub[1] ^ bits[j][1]) : 0);
                    }
                    hits[0] += in(exact, srcFirst, srcLast);
                    hits[1] += in(asym, srcFirst, srcLast);
                    int k = 2;
                    for (int m : new int[] {32, 256}) {
                        int[] cand = new int[m];
                        cand = java.util.Arrays.copyOf(cand, nearest(ham, m, new int[dims + 1], cand));
                        int best = -1;
                        double bestE = Double.NEGATIVE_INFINITY;
                        boolean any = false;
                        for (int j : cand) {
                            double e = norm[j] * signedSum(ru, bits[j], dims);
                            if (e > bestE) {
                                bestE = e;
                                best = j;
                            }
                            any |= j >= srcFirst && j <= srcLast;
                        }
                        hits[k] += in(best, srcFirst, srcLast);
                        hits[k + 2] += any ? 1 : 0;
                        k++;
                    }
                    // a prefilter: the 256 (pre64) or 128 (pre128) nearest on the first bits, then the 32 nearest of
                    // those on all D bits, then the best estimate among them
                    k = 6;
                    for (int[] pre : new int[][] {ham64, ham128}) {
                        int keep = pre == ham64 ? 256 : 128;
                        int[] first = new int[keep];
                        first = java.util.Arrays.copyOf(first, nearest(pre, keep, new int[dims + 1], first));
                        int[] sub = new int[last + 1];
                        java.util.Arrays.fill(sub, dims + 1);           // not kept by the prefilter
                        for (int j : first) {
                            sub[j] = ham[j];
                        }
                        int[] cand = new int[32];
                        cand = java.util.Arrays.copyOf(cand, nearest(sub, 32, new int[dims + 2], cand));
                        int best = -1;
                        double bestE = Double.NEGATIVE_INFINITY;
                        for (int j : cand) {
                            double e = norm[j] * signedSum(ru, bits[j], dims);
                            if (e > bestE) {
                                bestE = e;
                                best = j;
                            }
                        }
                        hits[k++] += in(best, srcFirst, srcLast);
                    }
                }
            }
            System.out.printf(Locale.ROOT, "| %.0e | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
                    (double) gap, counted, hits[0] / (double) counted, hits[1] / (double) counted,
                    hits[2] / (double) counted, hits[3] / (double) counted, hits[4] / (double) counted,
                    hits[5] / (double) counted, hits[6] / (double) counted, hits[7] / (double) counted);
        }
        System.out.printf(Locale.ROOT, "scan of all %,d blocks' codes for a chunk's 8 queries, top-32 each: %.0f µs (best of"
                + " 200 after 300 warm-up; one thread)%n", n, scanMicros(bits, n));
        System.out.println("Host: " + Machine.describe());
    }

    // the cost of hamming-32 for one chunk: 8 queries against every block's code, each code read once for two
    // queries at a time, then a histogram of the distances and a pass that picks the 32 nearest per query
    private static double scanMicros(long[][] bits, int n) {
        int words = bits[0].length;
        long[] codes = new long[n * words];          // [n, words]
        for (int j = 0; j < n; j++) {
            System.arraycopy(bits[j], 0, codes, j * words, words);
        }
        long[][] queries = new long[8][];
        for (int i = 0; i < 8; i++) {
            queries[i] = bits[(int) ((i * 7919L) % n)].clone();
        }
        int[][] dist = new int[8][n];
        int[] hist = new int[words * 64 + 1];
        int[] out = new int[32];
        long best = Long.MAX_VALUE;
        long sink = 0;
        for (int it = 0; it < 500; it++) {
            long t0 = System.nanoTime();
            for (int g = 0; g < 8; g += 2) {
                long[] p = queries[g];
                long[] r = queries[g + 1];
                if (words == 4) {                        // 256 bits: unrolled, the queries in registers
                    scan4(codes, n, p, r, dist[g], dist[g + 1]);
                    continue;
                }
                for (int j = 0, o = 0; j < n; j++, o += words) {
                    int hp = 0;
                    int hr = 0;
                    for (int w = 0; w < words; w++) {
                        hp += Long.bitCount(codes[o + w] ^ p[w]);
                        hr += Long.bitCount(codes[o + w] ^ r[w]);
                    }
                    dist[g][j] = hp;
                    dist[g + 1][j] = hr;
                }
            }
            for (int[] dd : dist) {
                sink += nearest(dd, 32, hist, out);
            }
            if (it >= 300) {
                best = Math.min(best, System.nanoTime() - t0);
            }
            queries[it % 8][0]++;
        }
        return sink == Long.MIN_VALUE ? 0 : best / 1e3;
    }

    // codes [n, 4] against two queries: dp[j], dr[j] = Hamming distances
    private static void scan4(long[] codes, int n, long[] p, long[] r, int[] dp, int[] dr) {
        long p0 = p[0];
        long p1 = p[1];
        long p2 = p[2];
        long p3 = p[3];
        long r0 = r[0];
        long r1 = r[1];
        long r2 = r[2];
        long r3 = r[3];
        for (int j = 0, o = 0; j < n; j++, o += 4) {
            long c0 = codes[o];
            long c1 = codes[o + 1];
            long c2 = codes[o + 2];
            long c3 = codes[o + 3];
            dp[j] = Long.bitCount(c0 ^ p0) + Long.bitCount(c1 ^ p1) + Long.bitCount(c2 ^ p2) + Long.bitCount(c3 ^ p3);
            dr[j] = Long.bitCount(c0 ^ r0) + Long.bitCount(c1 ^ r1) + Long.bitCount(c2 ^ r2) + Long.bitCount(c3 ^ r3);
        }
    }

    // the m nearest of dd (distances 0 .. hist.length − 1) by a histogram (ties: the lower index) into out; returns
    // how many
    private static int nearest(int[] dd, int m, int[] hist, int[] out) {
        java.util.Arrays.fill(hist, 0);
        for (int h : dd) {
            hist[h]++;
        }
        int cut = 0;
        int seen = 0;
        while (cut < hist.length - 1 && seen + hist[cut] < m) {
            seen += hist[cut++];
        }
        int at = 0;
        int room = m - seen;
        for (int j = 0; j < dd.length && at < m; j++) {
            if (dd[j] < cut || dd[j] == cut && room-- > 0) {
                out[at++] = j;
            }
        }
        return at;
    }

    private static int hamming(long[] a, long[] b) {
        int h = 0;
        for (int i = 0; i < a.length; i++) {
            h += Long.bitCount(a[i] ^ b[i]);
        }
        return h;
    }

    private static int in(int j, long first, long last) {
        return j >= first && j <= last ? 1 : 0;
    }

    // Σ_i r_i·(bit i ? +1 : −1) / √d
    private static double signedSum(double[] r, long[] bits, int d) {
        double s = 0;
        for (int i = 0; i < d; i++) {
            s += (bits[i >> 6] >>> (i & 63) & 1) != 0 ? r[i] : -r[i];
        }
        return s / Math.sqrt(d);
    }

    private static long[] signs(double[] r) {
        long[] b = new long[(r.length + 63) / 64];
        for (int i = 0; i < r.length; i++) {
            if (r[i] > 0) {
                b[i >> 6] |= 1L << (i & 63);
            }
        }
        return b;
    }

    private static final long ROTATION_SEED = 0x5EED_2023L;

    // R v: v padded with zeros to d (a power of two), then two rounds of seeded random signs and the orthonormal
    // Walsh–Hadamard transform
    private static double[] rotate(double[] v, int d) {
        double[] a = java.util.Arrays.copyOf(v, d);
        Random r = new Random(ROTATION_SEED);
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < d; i++) {
                if (r.nextBoolean()) {
                    a[i] = -a[i];
                }
            }
            for (int h = 1; h < d; h <<= 1) {
                for (int i = 0; i < d; i += 2 * h) {
                    for (int j = i; j < i + h; j++) {
                        double p = a[j];
                        double q = a[j + h];
                        a[j] = p + q;
                        a[j + h] = p - q;
                    }
                }
            }
            double s = 1 / Math.sqrt(d);
            for (int i = 0; i < d; i++) {
                a[i] *= s;
            }
        }
        return a;
    }

    private static double[] layerNorm(float[] s, Weights w, int d) {
        double mean = 0;
        for (int c = 0; c < d; c++) {
            mean += s[c];
        }
        mean /= d;
        double var = 0;
        for (int c = 0; c < d; c++) {
            var += (s[c] - mean) * (s[c] - mean);
        }
        double inv = 1.0 / Math.sqrt(var / d + 1e-5);
        double[] out = new double[d];
        for (int c = 0; c < d; c++) {
            out[c] = (s[c] - mean) * inv * w.lngGain[c] + w.lngBias[c];
        }
        return out;
    }

    // x [d] -> u = W_gk·(x·W_gq) [d]: u·x_j = q·k_j
    private static double[] query(double[] x, Weights w, int d) {
        double[] q = new double[d];
        for (int e = 0; e < d; e++) {
            for (int c = 0; c < d; c++) {
                q[c] += x[e] * w.gWq[e * d + c];
            }
        }
        double[] u = new double[d];
        for (int i = 0; i < d; i++) {
            for (int c = 0; c < d; c++) {
                u[i] += w.gWk[i * d + c] * q[c];
            }
        }
        return u;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
