package io.longseq.jobs;

import io.longseq.math.Features;
import io.longseq.math.ModelConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A log file: one line is one position, its features the masked, hashed words of the line
 * ({@link Features#logLine}); one sequence per file, whose id is the file name. Bytes that are not UTF-8 are read
 * as U+FFFD rather than failing the file, because real logs mix encodings. An empty line is a position without
 * features (its embedding is zero), so positions stay aligned with line numbers (position i = line i+1).
 */
final class LogFileSource extends WholeFileSource {

    LogFileSource(Path path, ModelConfig cfg) {
        super(path, cfg);
    }

    @Override
    protected Sequence read(String id) throws IOException {
        int f = cfg.maxFeatures();
        int[] ids = new int[1024 * f];
        int n = 0;
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(InputFiles.open(path), decoder))) {
            String line;
            while ((line = r.readLine()) != null) {
                if ((long) (n + 1) * f > Integer.MAX_VALUE - 8) {
                    return Sequence.bad(1, id, "more than " + n + " lines of " + f
                            + " features, more than a Java array holds");
                }
                if ((n + 1) * f > ids.length) {
                    ids = Arrays.copyOf(ids, (int) Math.min(Integer.MAX_VALUE - 8L, 2L * ids.length));
                }
                System.arraycopy(Features.logLine(line, cfg), 0, ids, n * f, f);
                n++;
            }
        }
        return Sequence.ok(1, id, Arrays.copyOf(ids, n * f), n);
    }
}
