package io.longseq.stream.assemble;

import io.longseq.stream.Notice;
import java.util.Locale;

/**
 * What {@code assemble} does when positions are missing: when the out-of-order buffer passes its bound, or the
 * sequence goes idle or ends with a hole.
 */
public enum GapPolicy {
    /** Give the sequence up: a {@link Notice.Kind#SEQUENCE_FAILED} notice, its buffered and later fragments become dead letters. */
    FAIL_SEQUENCE,
    /** Fill the missing positions with padding (N for DNA, no features otherwise), keep positions absolute, go on. */
    SKIP;

    /** The option value: {@code fail-sequence} or {@code skip}. */
    public String optionValue() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses {@code fail-sequence} / {@code skip} (either case, '-' or '_'). */
    public static GapPolicy parse(String s) {
        for (GapPolicy p : values()) {
            if (p.optionValue().equalsIgnoreCase(s.trim().replace('_', '-'))) {
                return p;
            }
        }
        throw new IllegalArgumentException("gap policy '" + s + "': expected fail-sequence or skip");
    }
}
