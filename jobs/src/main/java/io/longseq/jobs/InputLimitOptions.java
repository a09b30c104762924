package io.longseq.jobs;

import io.longseq.stream.StreamLimits;
import picocli.CommandLine.Option;

/**
 * The readers' caps as options of the commands that read files without the job's configuration ({@code offline},
 * {@code produce}); the same flag names and defaults as {@code run}'s ({@link LongseqOptions#MAX_HEADER_BYTES},
 * {@link LongseqOptions#MAX_ID_BYTES}, {@link LongseqOptions#MAX_LINE_BYTES}).
 */
public final class InputLimitOptions {

    @Option(names = "--max-header-bytes", paramLabel = "N",
            description = "a FASTA/FASTQ header line longer than this is refused with its record; the reader holds no"
                    + " more of it (default: ${DEFAULT-VALUE})")
    int maxHeaderBytes = StreamLimits.DEFAULTS.maxHeaderBytes();

    @Option(names = "--max-id-bytes", paramLabel = "N",
            description = "a sequence id longer than this many UTF-8 bytes is refused (default: ${DEFAULT-VALUE})")
    int maxIdBytes = StreamLimits.DEFAULTS.maxIdBytes();

    @Option(names = "--max-line-bytes", paramLabel = "N",
            description = "a log line longer than this is refused; the reader holds no more of it"
                    + " (default: ${DEFAULT-VALUE})")
    int maxLineBytes = StreamLimits.DEFAULTS.maxLineBytes();

    /**
     * The caps, the others at their defaults.
     *
     * @throws UsageException naming the flag, for a value below 1
     */
    StreamLimits limits() {
        try {
            return StreamLimits.DEFAULTS.withMaxHeaderBytes(maxHeaderBytes).withMaxIdBytes(maxIdBytes)
                    .withMaxLineBytes(maxLineBytes);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }
}
