package io.longseq.stream.assemble;

import java.util.Arrays;

/**
 * Comparisons of symbol ranges where one side may be <em>padding</em>: a refused fragment under gap policy skip
 * stands for {@code positions · F_in} padding symbols that are never materialised (its positions may number up to
 * the payload cap, and a LOG position holds up to 256 symbols). Pure; no Flink.
 */
final class SymbolRanges {

    private SymbolRanges() {}

    /**
     * The first i in [0, len) where a[aFrom + i] differs from b[bFrom + i], or −1 when the ranges are equal.
     * {@code b == null} stands for {@code len} copies of {@code pad}.
     */
    static int firstMismatch(int[] a, int aFrom, int[] b, int bFrom, int len, int pad) {
        if (b != null) {
            return Arrays.mismatch(a, aFrom, aFrom + len, b, bFrom, bFrom + len);
        }
        for (int i = 0; i < len; i++) {
            if (a[aFrom + i] != pad) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether the first {@code positions} positions of two fragments held for the same offset agree; each is either
     * its symbols or, when {@code null}, padding. {@code positions} is at most the shorter fragment's.
     */
    static boolean samePrefix(int[] a, int[] b, long positions, int nf, int pad) {
        if (a == null && b == null) {
            return true; // padding against padding
        }
        int[] real = a != null ? a : b;
        int len = Math.toIntExact(Math.min(positions * nf, real.length)); // a real side holds them in one array
        return a != null && b != null ? Arrays.equals(a, 0, len, b, 0, len)
                : firstMismatch(real, 0, null, 0, len, pad) < 0;
    }
}
