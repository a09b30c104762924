package io.longseq.math.features;

import io.longseq.math.model.ModelConfig;
import java.util.Arrays;
import java.util.List;

/**
 * Feature ids per position (docs/design.md 2.1), the input of the embedding.
 *
 * <p>Every method returns ids position-major: {@code int[n * F]} with {@code F = cfg.maxFeatures()}, the ids of
 * position {@code i} at {@code [i*F, (i+1)*F)}, and {@code -1} in an empty slot. DNA and token ids have
 * {@code F = 1}; a log line has up to F words.
 *
 * <p><b>DNA.</b> The feature of position i is the k-mer of bases {@code i−k+1 .. i}, read as a base-4 number
 * with A=0, C=1, G=2, T=3 and the first (oldest) base most significant; so for k = 2, AC = 1, CG = 6, GT = 11.
 * Lowercase {@code acgt} are the same bases (soft-masked repeats in FASTA files are lowercase), and U/u is T.
 * A k-mer that holds any other IUPAC code (N, R, Y, S, W, K, M, B, D, H, V) has the id {@link ModelConfig#nId()}.
 * Positions {@code i < k−1} have no whole k-mer and get {@link ModelConfig#padId()}. A byte that is no IUPAC
 * nucleotide code at all (gaps {@code '-'} and {@code '.'}, digits, whitespace, '>' of a FASTA header, ...) is
 * invalid input: {@link #firstInvalidBase} finds it so that the caller can send the record to the dead letters,
 * and {@link #dnaKmers} refuses it.
 *
 * <p><b>Streaming.</b> A chunk holds the raw bases of absolute positions {@code [p0, p0+len)}, its left halo
 * included. The k-mer of position i needs the bases back to {@code i−k+1}, so from such a slice only positions
 * from {@code p0 + k − 1} on are computable, unless {@code p0 = 0}, where the first k−1 positions are padding.
 * {@link #dnaKmers(byte[], int, int, long, ModelConfig)} returns exactly the computable positions,
 * {@code [p0 + dnaContext(p0), p0 + len)}; ids depend on the absolute position only, so any chunking gives
 * the ids of the whole sequence.
 *
 * <p><b>Token ids</b> are the ids themselves, each in {@code [0, vocabSize)}.
 *
 * <p><b>Log lines</b>: see {@link LogLines} for the masking and hashing rules.
 */
public final class Features {

    /** Empty feature slot. */
    public static final int EMPTY = -1;

    /** Codes per byte: 0..3 for A, C, G, T/U (either case), {@link #AMBIGUOUS} for other IUPAC codes, -1 invalid. */
    private static final byte[] BASE_CODE = new byte[256];
    private static final byte AMBIGUOUS = 4;
    private static final byte INVALID = -1;

    /** The IUPAC nucleotide codes accepted as input (uppercase; lowercase is accepted too). */
    public static final String IUPAC = "ACGTURYSWKMBDHVN";

    static {
        Arrays.fill(BASE_CODE, INVALID);
        for (char c : IUPAC.toCharArray()) {
            BASE_CODE[c] = AMBIGUOUS;
            BASE_CODE[Character.toLowerCase(c)] = AMBIGUOUS;
        }
        String acgt = "ACGT";
        for (int v = 0; v < 4; v++) {
            BASE_CODE[acgt.charAt(v)] = (byte) v;
            BASE_CODE[Character.toLowerCase(acgt.charAt(v))] = (byte) v;
        }
        BASE_CODE['U'] = 3;
        BASE_CODE['u'] = 3;
    }

    private Features() {}

    // ------------------------------------------------------------------------------------------------ DNA

    /**
     * The index of the first byte in {@code b[from, to)} that is not an IUPAC nucleotide code
     * ({@code ACGTURYSWKMBDHVN}, either case), or -1 if all are valid.
     */
    public static int firstInvalidBase(byte[] b, int from, int to) {
        checkRange(b.length, from, to);
        for (int i = from; i < to; i++) {
            if (BASE_CODE[b[i] & 0xFF] == INVALID) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A message for the invalid byte {@code b[index]} that sits at absolute position {@code position}, e.g.
     * {@code invalid base '-' (0x2D) at position 1234: allowed are the IUPAC nucleotide codes ...}.
     */
    public static String invalidBaseMessage(byte[] b, int index, long position) {
        int v = b[index] & 0xFF;
        String shown = v >= 0x21 && v < 0x7F ? "'" + (char) v + "' " : "";
        return "invalid base " + shown + String.format("(0x%02X)", v) + " at position " + position
                + ": allowed are the IUPAC nucleotide codes " + IUPAC + " in either case (gaps '-' and '.' are not)";
    }

    /**
     * Throws if {@code b[from, to)}, the bases of absolute positions from {@code firstPosition} on, holds a byte
     * that is no IUPAC nucleotide code.
     *
     * @throws IllegalArgumentException naming the absolute position and the byte
     */
    public static void requireValidBases(byte[] b, int from, int to, long firstPosition) {
        int bad = firstInvalidBase(b, from, to);
        if (bad >= 0) {
            throw new IllegalArgumentException(invalidBaseMessage(b, bad, firstPosition + (bad - from)));
        }
    }

    /**
     * How many leading positions of a slice that starts at absolute position {@code firstPosition} serve only
     * as k-mer context: 0 at the start of the sequence (those positions are padding), else k−1.
     */
    public static int dnaContext(long firstPosition, ModelConfig cfg) {
        return firstPosition == 0 ? 0 : cfg.kmer() - 1;
    }

    /**
     * K-mer ids of the computable positions of a slice: {@code bases[from, to)} are the bases of absolute
     * positions {@code [p0, p0 + (to−from))}; the result holds the ids of positions
     * {@code [p0 + dnaContext(p0), p0 + (to−from))}, so its length is {@code (to − from) − dnaContext(p0)}
     * (0 if the slice is shorter than the context).
     *
     * @param firstPosition p0, the absolute position of {@code bases[from]}
     * @return ids [n] (F = 1)
     * @throws IllegalArgumentException if the config is not DNA or a byte is no IUPAC code (naming its position)
     */
    public static int[] dnaKmers(byte[] bases, int from, int to, long firstPosition, ModelConfig cfg) {
        int skip = Math.min(dnaContext(firstPosition, cfg), Math.max(0, to - from));
        return dnaKmers(bases, from, to, firstPosition, skip, cfg);
    }

    /** K-mer ids of a whole sequence from position 0: ids [bases.length] (F = 1). */
    public static int[] dnaKmers(byte[] bases, ModelConfig cfg) {
        return dnaKmers(bases, 0, bases.length, 0L, 0, cfg);
    }

    /**
     * K-mer ids of positions {@code [p0 + skip, p0 + (to−from))}, where {@code bases[from, to)} are the bases of
     * absolute positions {@code [p0, p0 + (to−from))}.
     *
     * @param skip leading positions whose ids are not wanted (context only); every emitted position
     *             {@code i ≥ k−1} needs its bases from {@code i−k+1 ≥ p0} in the slice
     * @return ids [(to − from) − skip] (F = 1)
     * @throws IllegalArgumentException if the config is not DNA, a wanted k-mer reaches before the slice, or a
     *                                  byte is no IUPAC code (naming its absolute position and the byte)
     */
    public static int[] dnaKmers(byte[] bases, int from, int to, long firstPosition, int skip, ModelConfig cfg) {
        requireKind(cfg, FeatureKind.DNA, "dnaKmers");
        checkRange(bases.length, from, to);
        int len = to - from;
        if (firstPosition < 0) {
            throw new IllegalArgumentException("dna k-mers: first position " + firstPosition + " is negative");
        }
        if (skip < 0 || skip > len) {
            throw new IllegalArgumentException("dna k-mers: skip " + skip + " is outside [0, " + len + "]");
        }
        int k = cfg.kmer();
        long p0 = firstPosition;
        long firstOut = p0 + skip;
        long end = p0 + len;
        long firstWhole = Math.max(firstOut, k - 1); // first emitted position with a whole k-mer
        if (firstWhole < end && firstWhole - (k - 1) < p0) {
            throw new IllegalArgumentException("dna k-mers: position " + firstWhole + " needs bases from "
                    + (firstWhole - (k - 1)) + " but the slice starts at " + p0 + " (skip at least k-1 = " + (k - 1)
                    + " positions of context)");
        }
        int[] out = new int[len - skip]; // [n], F = 1
        int mask = (1 << (2 * k)) - 1;
        int nId = cfg.nId();
        int padId = cfg.padId();
        int o = 0;
        for (long i = firstOut; i < Math.min(end, k - 1); i++) {
            out[o++] = padId;
        }
        if (firstWhole >= end) {
            return out;
        }
        // Roll over the bases from firstWhole − k + 1; lastAmbiguous = latest absolute position holding a non-ACGT.
        int value = 0;
        long lastAmbiguous = Long.MIN_VALUE;
        for (long j = firstWhole - (k - 1); j < end; j++) {
            int idx = from + (int) (j - p0);
            int code = BASE_CODE[bases[idx] & 0xFF];
            if (code == INVALID) {
                throw new IllegalArgumentException("dna k-mers: " + invalidBaseMessage(bases, idx, j));
            }
            if (code == AMBIGUOUS) {
                lastAmbiguous = j;
                code = 0;
            }
            value = ((value << 2) | code) & mask;
            if (j >= firstWhole) {
                out[o++] = lastAmbiguous > j - k ? nId : value;
            }
        }
        return out;
    }

    /**
     * The id of the reverse complement of the k-mer {@code id} (bases complemented, order reversed: for k = 3,
     * AAC = 1 becomes GTT = 47); the N id and the padding id stay as they are.
     */
    public static int reverseComplementKmer(int id, ModelConfig cfg) {
        int k = cfg.kmer();
        if (id < 0 || id >= cfg.nId()) {
            return id;
        }
        int out = 0;
        for (int i = 0; i < k; i++) {
            out = (out << 2) | (3 - ((id >>> (2 * i)) & 3));   // the last base first, complemented
        }
        return out;
    }

    /**
     * The reverse strand of a run of k-mer ids (docs/design.md 2.1, {@link io.longseq.math.model.Strand}):
     * {@code out[i] = reverseComplementKmer(ids[from + n − 1 − i])}. Position p's reverse-strand feature is the
     * reverse complement of its forward k-mer (bases p−k+1..p), so it needs no base outside the forward slice;
     * on the reverse strand it is the k-mer that starts at p (read 3'→5' it ends k−1 positions further on).
     *
     * @return ids [n] (F = 1)
     */
    public static int[] reverseComplementIds(int[] ids, int from, int n, ModelConfig cfg) {
        requireKind(cfg, FeatureKind.DNA, "reverseComplementIds");
        checkRange(ids.length, from, from + n);
        int[] out = new int[n]; // [n]
        for (int i = 0; i < n; i++) {
            out[i] = reverseComplementKmer(ids[from + n - 1 - i], cfg);
        }
        return out;
    }

    // --------------------------------------------------------------------------------------------- TOKENS

    /** The index of the first id outside {@code [0, vocabSize)}, or -1 if all are in range. */
    public static int firstInvalidToken(int[] ids, ModelConfig cfg) {
        int v = cfg.vocabSize();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= v) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Token ids as features: a copy of {@code ids}, checked.
     *
     * @return ids [n] (F = 1)
     * @throws IllegalArgumentException if the config is not TOKENS, or naming the index and value of the first
     *                                  id outside {@code [0, vocabSize)}
     */
    public static int[] tokenIds(int[] ids, ModelConfig cfg) {
        requireKind(cfg, FeatureKind.TOKENS, "tokenIds");
        int bad = firstInvalidToken(ids, cfg);
        if (bad >= 0) {
            throw new IllegalArgumentException("token id at index " + bad + " is " + ids[bad]
                    + ", outside [0, " + cfg.vocabSize() + ") (vocabSize=" + cfg.vocabSize() + ")");
        }
        return ids.clone();
    }

    // ------------------------------------------------------------------------------------------------ LOG

    /**
     * The F feature slots of one log line (see {@link LogLines}): the hashes of its first F masked words in
     * order, then -1.
     *
     * @return ids [F]
     * @throws IllegalArgumentException if the config is not LOG
     */
    public static int[] logLine(String line, ModelConfig cfg) {
        requireKind(cfg, FeatureKind.LOG, "logLine");
        int f = cfg.maxFeatures();
        int[] out = new int[f]; // [F]
        Arrays.fill(out, EMPTY);
        List<String> words = LogLines.words(line, f);
        for (int s = 0; s < words.size(); s++) {
            out[s] = LogLines.hash(words.get(s), cfg.vocabSize());
        }
        return out;
    }

    /** {@link #logLine} for consecutive lines: ids [n * F], position-major. */
    public static int[] logLines(List<String> lines, ModelConfig cfg) {
        int f = cfg.maxFeatures();
        int[] out = new int[lines.size() * f]; // [n, F]
        for (int i = 0; i < lines.size(); i++) {
            System.arraycopy(logLine(lines.get(i), cfg), 0, out, i * f, f);
        }
        return out;
    }

    // --------------------------------------------------------------------------------------------- helpers

    private static void requireKind(ModelConfig cfg, FeatureKind kind, String what) {
        if (cfg.featureKind() != kind) {
            throw new IllegalArgumentException(what + " needs featureKind " + kind + ", the config has "
                    + cfg.featureKind());
        }
    }

    private static void checkRange(int length, int from, int to) {
        if (from < 0 || to > length || from > to) {
            throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") of an array of " + length);
        }
    }
}
