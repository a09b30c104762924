package io.longseq.stream.assemble;

import io.longseq.math.model.ModelConfig;
import java.util.Locale;

/**
 * The position arithmetic of {@code assemble}, safe for any position a long holds ({@code max-position} may be set
 * up to 2^63 − 1). Every bound is computed as a difference from a position that exists ({@code nextExpected} ≥
 * the next chunk's start), never as a sum that could pass {@code Long.MAX_VALUE}; a position only becomes an
 * array index through {@link #index}, whose bound is the assembled tail (itself bounded by the configuration,
 * {@link #checkArrays}). Pure; no Flink.
 */
final class ChunkGeometry {

    /** The largest array length the JVM reliably allocates. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private ChunkGeometry() {}

    /** index · chunk, the first core position of chunk {@code index}; saturates at {@code Long.MAX_VALUE}. */
    static long coreFrom(long index, int chunk) {
        return index > Long.MAX_VALUE / chunk ? Long.MAX_VALUE : index * chunk;
    }

    /**
     * Chunk starting at {@code coreFrom} may be emitted before the end of the sequence: its core and right halo
     * have arrived and one position more ({@code next > coreFrom + chunk + rightHalo}), and, in local mode SINKS,
     * the sink prefix too.
     */
    static boolean readyBeforeEnd(long next, long coreFrom, int chunk, int rightHalo, int sinkPrefix) {
        return next > coreFrom && next - coreFrom > (long) chunk + rightHalo && next >= sinkPrefix;
    }

    /** min(coreFrom + chunk, next): one past the core's last position (requires next ≥ coreFrom). */
    static long coreTo(long coreFrom, int chunk, long next) {
        return coreFrom + Math.min(chunk, next - coreFrom);
    }

    /** min(coreFrom + chunk + rightHalo, next): one past the last position of the chunk's array. */
    static long arrayTo(long coreFrom, int chunk, int rightHalo, long next) {
        return coreFrom + Math.min(next - coreFrom, (long) chunk + rightHalo);
    }

    /** max(0, coreFrom − leftHalo): the first position of the chunk's array. */
    static long arrayFrom(long coreFrom, int leftHalo) {
        return Math.max(0, coreFrom - leftHalo);
    }

    /** The first position the tail keeps once the chunk starting at {@code nextCoreFrom} is the next one. */
    static long keepFrom(long tailStart, long next, long nextCoreFrom, int leftHalo) {
        return Math.max(tailStart, Math.min(next, nextCoreFrom - leftHalo));
    }

    /**
     * (position − base) · nf as an array index. Callers pass positions held in one array (the tail, a fragment's
     * symbols), so the index fits; a value that does not is a bug, not bad input, and throws.
     */
    static int index(long position, long base, int nf) {
        return Math.toIntExact(Math.multiplyExact(position - base, (long) nf));
    }

    /** a + b for b ≥ 0, saturating at {@code Long.MAX_VALUE} (timer deadlines from long durations). */
    static long plus(long a, long b) {
        long s = a + b;
        return s < a ? Long.MAX_VALUE : s;
    }

    /** The most positions the tail holds while padding: a chunk array, one position more, and one piece. */
    static long maxTailPositions(ModelConfig cfg) {
        long chunkArray = (long) cfg.leftHalo() + cfg.chunkSize() + cfg.rightHalo() + 1;
        return Math.max(cfg.sinkPrefix(), chunkArray) + cfg.chunkSize();
    }

    /**
     * Checks that a chunk's array and the tail that builds it fit one Java array at {@code nf} symbols per
     * position, so that no position arithmetic of {@code assemble} can overflow an int.
     *
     * @throws IllegalArgumentException naming the options, when they do not
     */
    static void checkArrays(ModelConfig cfg, int nf) {
        long symbols = maxTailPositions(cfg) * nf;
        if (symbols > MAX_ARRAY) {
            throw new IllegalArgumentException("chunk-size " + cfg.chunkSize() + " with halos of " + cfg.leftHalo()
                    + " + " + cfg.rightHalo() + " positions at " + nf + " symbols per position needs arrays of "
                    + count(symbols) + " symbols, more than one Java array holds (lower chunk-size, window, layers"
                    + " or max-features)");
        }
    }

    /** A count with thousands separators, as refusals print them: 16,777,216. */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
