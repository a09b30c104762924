package io.longseq.jobs;

import io.longseq.math.ModelConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A token-id file: whitespace-separated integers (any mix of spaces, tabs and line breaks), one sequence per file,
 * whose id is the file name. A word that is no integer, or an id outside {@code [0, vocabSize)}, makes the one
 * record a problem naming the token's 0-based index, its line and its text.
 */
final class TokenFileSource extends WholeFileSource {

    TokenFileSource(Path path, ModelConfig cfg) {
        super(path, cfg);
    }

    @Override
    protected Sequence read(String id) throws IOException {
        int vocab = cfg.vocabSize();
        int[] ids = new int[1024];
        int n = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(InputFiles.open(path), StandardCharsets.UTF_8))) {
            String line;
            long lineNumber = 0;
            while ((line = r.readLine()) != null) {
                lineNumber++;
                int i = 0;
                while (i < line.length()) {
                    while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
                        i++;
                    }
                    int start = i;
                    while (i < line.length() && !Character.isWhitespace(line.charAt(i))) {
                        i++;
                    }
                    if (start == i) {
                        break;
                    }
                    String word = line.substring(start, i);
                    int value;
                    try {
                        value = Integer.parseInt(word);
                    } catch (NumberFormatException e) {
                        return Sequence.bad(1, id, "token " + n + " (line " + lineNumber + ") is '" + shorten(word)
                                + "', not an integer");
                    }
                    if (value < 0 || value >= vocab) {
                        return Sequence.bad(1, id, "token " + n + " (line " + lineNumber + ") is " + value
                                + ", outside [0, " + vocab + ") (raise --vocab-size?)");
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
        }
        return Sequence.ok(1, id, Arrays.copyOf(ids, n), n);
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
