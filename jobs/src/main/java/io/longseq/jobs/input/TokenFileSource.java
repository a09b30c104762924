package io.longseq.jobs.input;

import io.longseq.math.model.ModelConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A token-id file as one sequence for {@code offline}, whose id is the file name: the words of
 * {@link TokenReader}, one position each. A word that is no 32-bit integer (named by file, line and column), or an
 * id outside {@code [0, vocabSize)}, makes the one record a problem.
 */
final class TokenFileSource extends WholeFileSource {

    TokenFileSource(Path path, ModelConfig cfg) {
        super(path, cfg);
    }

    @Override
    protected Sequence read(String id) throws IOException {
        int vocab = cfg.vocabSize();
        int[] ids = new int[1024]; // [positions]
        int n = 0;
        try (InputStream in = InputFiles.open(path)) {
            TokenReader words = new TokenReader(in, path.toString());
            while (words.next()) {
                if (words.problem() != null) {
                    return Sequence.bad(1, id, words.problem() + " (token " + words.position() + ")");
                }
                int value = words.value();
                if (value < 0 || value >= vocab) {
                    return Sequence.bad(1, id, "token " + words.position() + " (line " + words.line() + ") is "
                            + value + ", outside [0, " + vocab + ") (raise --vocab-size?)");
                }
                if (n == ids.length) {
                    if (n == Integer.MAX_VALUE - 8) {
                        return Sequence.bad(1, id, "more than " + n + " tokens, more than a Java array holds");
                    }
                    ids = Arrays.copyOf(ids, (int) Math.min(Integer.MAX_VALUE - 8L, 2L * n));
                }
                ids[n++] = value;
            }
        }
        return Sequence.ok(1, id, Arrays.copyOf(ids, n), n);
    }
}
