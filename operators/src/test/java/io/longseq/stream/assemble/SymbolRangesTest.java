package io.longseq.stream.assemble;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link SymbolRanges}: comparisons where one side is padding that is never materialised. */
class SymbolRangesTest {

    static final int N = 'N';

    @Test
    void realAgainstRealFindsTheFirstDifference() {
        int[] a = {1, 2, 3, 4, 5};
        int[] b = {9, 2, 3, 7, 5};
        assertThat(SymbolRanges.firstMismatch(a, 1, b, 1, 2, N)).isEqualTo(-1);
        assertThat(SymbolRanges.firstMismatch(a, 1, b, 1, 4, N)).isEqualTo(2);
        assertThat(SymbolRanges.firstMismatch(a, 0, b, 0, 5, N)).isZero();
        assertThat(SymbolRanges.firstMismatch(a, 2, new int[] {3, 4}, 0, 2, N)).isEqualTo(-1);
    }

    @Test
    void realAgainstPaddingFindsTheFirstSymbolThatIsNotPadding() {
        int[] a = {N, N, 'A', N};
        assertThat(SymbolRanges.firstMismatch(a, 0, null, 0, 2, N)).isEqualTo(-1);
        assertThat(SymbolRanges.firstMismatch(a, 0, null, 0, 4, N)).isEqualTo(2);
        assertThat(SymbolRanges.firstMismatch(a, 3, null, 0, 1, N)).isEqualTo(-1);
        assertThat(SymbolRanges.firstMismatch(new int[] {-1, -1, 7}, 0, null, 0, 3, -1)).isEqualTo(2);
    }

    @Test
    void heldFragmentsAgreeOnTheirCommonPrefix() {
        int nf = 2;
        assertThat(SymbolRanges.samePrefix(new int[] {1, 2, 3, 4}, new int[] {1, 2, 3, 4, 5, 6}, 2, nf, -1)).isTrue();
        assertThat(SymbolRanges.samePrefix(new int[] {1, 2, 3, 4}, new int[] {1, 2, 3, 9}, 2, nf, -1)).isFalse();
        assertThat(SymbolRanges.samePrefix(new int[] {1, 2, 3, 4}, new int[] {1, 2, 3, 9}, 1, nf, -1)).isTrue();
        // padding against padding: equal, however many positions (no array of that size is made)
        assertThat(SymbolRanges.samePrefix(null, null, 1L << 40, nf, -1)).isTrue();
        // padding against real: equal only if the real symbols are padding
        assertThat(SymbolRanges.samePrefix(null, new int[] {-1, -1, -1, -1}, 2, nf, -1)).isTrue();
        assertThat(SymbolRanges.samePrefix(new int[] {-1, -1, 5, -1}, null, 2, nf, -1)).isFalse();
        assertThat(SymbolRanges.samePrefix(new int[] {-1, -1, 5, -1}, null, 1, nf, -1)).isTrue();
    }
}
