package io.longseq.stream.global;

/**
 * The tombstone of a given-up sequence, {@code {from, arrived, last}}: {@code arrived} summaries of index
 * &ge; {@code from} have been seen, {@code last} is the index of the last chunk or abort marker (-1 while
 * unknown). Chunks {@code [0, last]} each arrive once (exactly-once delivery), so when
 * {@code arrived == last + 1 − from} none is left to come. Plain arithmetic, unit-tested on its own.
 */
final class GiveUpTomb {

    private GiveUpTomb() {}

    /** True if no summary of the sequence is left to come. */
    static boolean complete(long[] tomb) {
        return tomb[2] >= 0 && tomb[1] >= tomb[2] + 1 - tomb[0];
    }

    /** Counts one more summary into {@code tomb}; true if it was the last to come. */
    static boolean arrive(long[] tomb, long index, boolean ends) {
        if (index >= tomb[0]) {
            tomb[1]++;
        }
        if (ends) {
            tomb[2] = index;
        }
        return complete(tomb);
    }
}
