package io.longseq.stream;

import java.io.Serializable;

/**
 * The caps that keep one hostile record, file or sequence from stopping the job or exhausting its memory
 * (docs/design.md G5). Each cap is one {@code ConfigOption} in {@code LongseqOptions} (the flag is its last key
 * segment, named in every refusal); passing a cap makes a dead letter or a notice, never an exception. Immutable.
 *
 * @param maxIdBytes          a sequence id longer than this many UTF-8 bytes is refused ({@code max-id-bytes})
 * @param maxHeaderBytes      a FASTA/FASTQ header line longer than this many bytes is refused by the readers, which
 *                            skip the record without holding the line ({@code max-header-bytes})
 * @param maxLineBytes        a log line longer than this many UTF-8 bytes is refused ({@code max-line-bytes})
 * @param deadLetterBytes     a dead letter keeps at most this many bytes of the refused record and says how many it
 *                            cut, so it always fits the sink's {@code max.request.size} ({@code dead-letter-bytes})
 * @param reorderBytes        bytes of symbols one sequence may hold out of order in {@code assemble}, beside the
 *                            position bound ({@code reorder-bytes})
 * @param maxGap              a hole of more than this many positions fails its sequence with a notice, whatever the
 *                            gap policy ({@code max-gap})
 * @param maxEarlySummaries   chunk summaries of one sequence that {@code global-context} holds ahead of the next
 *                            chunk it needs; past it the sequence is given up with a notice
 *                            ({@code max-early-summaries})
 * @param maxTombstones       ended sequence ids one {@code assemble} subtask remembers; past it the oldest is
 *                            forgotten first, with a notice ({@code max-tombstones})
 */
public record StreamLimits(int maxIdBytes, int maxHeaderBytes, int maxLineBytes, int deadLetterBytes,
                           long reorderBytes, long maxGap, int maxEarlySummaries, int maxTombstones)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The defaults of the options (each option's default is taken from here, so they cannot drift). */
    public static final StreamLimits DEFAULTS = new StreamLimits(
            4 << 10,      // max-id-bytes: NCBI ids are under 100 bytes; a Kafka key of 4 KiB is already odd
            64 << 10,     // max-header-bytes
            1 << 20,      // max-line-bytes: log masking is linear, ~1 MiB lines cost milliseconds
            64 << 10,     // dead-letter-bytes: far below Kafka's default max.request.size of 1 MiB
            256L << 20,   // reorder-bytes
            1L << 24,     // max-gap: 16,777,216 positions
            4096,         // max-early-summaries
            100_000);     // max-tombstones

    public StreamLimits {
        positive("max-id-bytes", maxIdBytes);
        positive("max-header-bytes", maxHeaderBytes);
        positive("max-line-bytes", maxLineBytes);
        positive("dead-letter-bytes", deadLetterBytes);
        positive("reorder-bytes", reorderBytes);
        positive("max-gap", maxGap);
        positive("max-early-summaries", maxEarlySummaries);
        positive("max-tombstones", maxTombstones);
    }

    private static void positive(String flag, long v) {
        if (v < 1) {
            throw new IllegalArgumentException("--" + flag + " must be at least 1, got " + v);
        }
    }

    public StreamLimits withMaxIdBytes(int v) {
        return new StreamLimits(v, maxHeaderBytes, maxLineBytes, deadLetterBytes, reorderBytes, maxGap,
                maxEarlySummaries, maxTombstones);
    }

    public StreamLimits withMaxHeaderBytes(int v) {
        return new StreamLimits(maxIdBytes, v, maxLineBytes, deadLetterBytes, reorderBytes, maxGap,
                maxEarlySummaries, maxTombstones);
    }

    public StreamLimits withMaxLineBytes(int v) {
        return new StreamLimits(maxIdBytes, maxHeaderBytes, v, deadLetterBytes, reorderBytes, maxGap,
                maxEarlySummaries, maxTombstones);
    }

    public StreamLimits withDeadLetterBytes(int v) {
        return new StreamLimits(maxIdBytes, maxHeaderBytes, maxLineBytes, v, reorderBytes, maxGap,
                maxEarlySummaries, maxTombstones);
    }

    public StreamLimits withReorderBytes(long v) {
        return new StreamLimits(maxIdBytes, maxHeaderBytes, maxLineBytes, deadLetterBytes, v, maxGap,
                maxEarlySummaries, maxTombstones);
    }

    public StreamLimits withMaxGap(long v) {
        return new StreamLimits(maxIdBytes, maxHeaderBytes, maxLineBytes, deadLetterBytes, reorderBytes, v,
                maxEarlySummaries, maxTombstones);
    }

    public StreamLimits withMaxEarlySummaries(int v) {
        return new StreamLimits(maxIdBytes, maxHeaderBytes, maxLineBytes, deadLetterBytes, reorderBytes, maxGap, v,
                maxTombstones);
    }

    public StreamLimits withMaxTombstones(int v) {
        return new StreamLimits(maxIdBytes, maxHeaderBytes, maxLineBytes, deadLetterBytes, reorderBytes, maxGap,
                maxEarlySummaries, v);
    }
}
