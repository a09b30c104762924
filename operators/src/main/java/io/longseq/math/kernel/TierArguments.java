package io.longseq.math.kernel;

/** The one-line refusals of the arguments of {@link LocalTier#forward}: what is wrong, with the numbers. */
final class TierArguments {

    private TierArguments() {}

    /**
     * Refuses a chunk of n positions from {@code first} (1..maxRows) whose core [coreFrom, coreTo) is not inside it,
     * whose ids hold fewer than {@code needIds} values or whose z holds fewer than core·d floats.
     */
    static void checkChunk(int n, int maxRows, long first, long coreFrom, long coreTo, int ids, long needIds, int z,
                           int d) {
        if (n < 1 || n > maxRows) {
            throw new IllegalArgumentException("chunk of " + n + " positions; this LocalTier holds 1.." + maxRows);
        }
        if (coreFrom < first || coreTo > first + n || coreFrom >= coreTo) {
            throw new IllegalArgumentException("core [" + coreFrom + ", " + coreTo + ") is not inside the array ["
                    + first + ", " + (first + n) + ")");
        }
        if (ids < needIds) {
            throw new IllegalArgumentException("ids holds " + ids + " values, need n·F = " + needIds);
        }
        if (z < (coreTo - coreFrom) * d) {
            throw new IllegalArgumentException("z holds " + z + " floats, need " + (coreTo - coreFrom) * d);
        }
    }
}
