package io.longseq.stream.input;

import io.longseq.stream.OperatorMetrics;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The rule a dead letter broke, as a fixed set: the {@code reason} label of the dead-letter counters
 * ({@link OperatorMetrics#DEAD_LETTERS}). The dead letter's own reason is free text (it quotes the value and the
 * place); a metric's label must not be, or every refused record could make a new time series. The label is the
 * constant's name in lower case with '-': {@code INVALID_BASE} is {@code invalid-base}; a rule named after its limit
 * carries the flag's name ({@code max-id-bytes}).
 */
public enum DeadLetterRule {

    // validate
    NULL_RECORD, UNDECODABLE, EMPTY_ID, MAX_ID_BYTES, NO_KIND, WRONG_KIND, NO_PAYLOAD, MAX_PAYLOAD_BYTES,
    NEGATIVE_OFFSET, INVALID_BASE, TOKEN_BYTES, TOKEN_OUTSIDE_VOCAB, MAX_LINE_BYTES, NOT_UTF8, MAX_POSITION,
    INTERNAL_ERROR,
    // assemble
    AFTER_END, GIVEN_UP, PAST_END, CONFLICTING_END, CONFLICTING_OVERLAP, OVERLAPS_PADDING, LATE;

    /** The rules {@code validate} refuses by. */
    public static final Set<DeadLetterRule> VALIDATE = EnumSet.range(NULL_RECORD, INTERNAL_ERROR);
    /** The rules {@code assemble} refuses by (a fragment over one array's room is {@code max-payload-bytes}). */
    public static final Set<DeadLetterRule> ASSEMBLE = EnumSet.of(AFTER_END, GIVEN_UP, PAST_END, CONFLICTING_END,
            CONFLICTING_OVERLAP, OVERLAPS_PADDING, LATE, MAX_PAYLOAD_BYTES);

    /** The metric label: {@code invalid-base}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
