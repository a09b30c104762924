package io.longseq.jobs.input;

import io.longseq.math.features.Features;
import io.longseq.math.model.ModelConfig;
import io.longseq.stream.StreamLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A log file as one sequence for {@code offline}, whose id is the file name: the lines of {@link LogReader}, one
 * position each, its features the masked, hashed words of the line ({@link Features#logLine}); an empty line is a
 * position without features (its embedding is zero), so positions stay aligned with line numbers. A line longer
 * than {@link StreamLimits#maxLineBytes()} makes the record a problem.
 */
final class LogFileSource extends WholeFileSource {

    private final StreamLimits limits;

    LogFileSource(Path path, ModelConfig cfg, StreamLimits limits) {
        super(path, cfg);
        this.limits = limits;
    }

    @Override
    protected Sequence read(String id) throws IOException {
        int f = cfg.maxFeatures();
        int[] ids = new int[1024 * f]; // [positions, f]
        int n = 0;
        try (InputStream in = InputFiles.open(path)) {
            LogReader lines = new LogReader(in, path.toString(), limits);
            while (lines.next()) {
                if (lines.problem() != null) {
                    return Sequence.bad(1, id, lines.problem());
                }
                if ((long) (n + 1) * f > Integer.MAX_VALUE - 8) {
                    return Sequence.bad(1, id, "more than " + n + " lines of " + f
                            + " features, more than a Java array holds");
                }
                if ((n + 1) * f > ids.length) {
                    ids = Arrays.copyOf(ids, (int) Math.min(Integer.MAX_VALUE - 8L, 2L * ids.length));
                }
                System.arraycopy(Features.logLine(lines.text(), cfg), 0, ids, n * f, f);
                n++;
            }
        }
        return Sequence.ok(1, id, Arrays.copyOf(ids, n * f), n);
    }
}
