package io.longseq.math.features;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.longseq.math.model.ModelConfig;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the masking of log lines, {@link LogLines#words} and {@link Features#logLine} (docs/fuzzing.md). Every
 * line of a log file and of a LOG fragment goes through it, so the property is: no throwable at all (the only
 * documented ones are for a null line or a negative max, which the harness never passes), at most {@code max}
 * words, each a placeholder or a word without separators, the capped list a prefix of the whole list, and the
 * feature slots hashes in {@code [0, V)} followed by empty slots (-1). When fuzzing ({@code JAZZER_FUZZ} set), a
 * line that takes longer than {@link #FUZZ_TIME_BUDGET_MS} is a finding too (masking is to be linear).
 *
 * <p>Input layout: byte 0 = max words (0..255), byte 1 = mode, bytes 2-3 = repeat count (big-endian), the rest
 * the line as UTF-8 (malformed bytes become U+FFFD). Mode bit 0 set: the rest is {@code prefix NUL unit NUL suffix}
 * and the line is {@code prefix + unit × repeat + suffix}, so a short input stands for a long line (a path of
 * thousands of segments is {@code "" NUL "a/" NUL "a"} with repeat 4000). Lines are cut at {@link #MAX_LINE}
 * bytes.
 */
public class LogLinesFuzzTest {

    /**
     * Longest line tried, in UTF-8 bytes: long enough for the recursion of a path of a few thousand segments (2,000
     * overflowed a 1 MiB thread stack), short enough that a slow line costs seconds, not minutes.
     */
    static final int MAX_LINE = 8 << 10;
    /**
     * Masking one line of at most {@link #MAX_LINE} bytes must take less than this when fuzzing (the better of two
     * tries). A linear scan takes well under a millisecond; the quadratic regex took 0.2 s for 4,000 dots on a
     * plain JVM and seconds for 8,000 under the fuzzer. Not checked in regression mode, so CI does not depend on
     * timing.
     */
    static final long FUZZ_TIME_BUDGET_MS = 250;

    private static final boolean FUZZING = System.getenv("JAZZER_FUZZ") != null
            && !System.getenv("JAZZER_FUZZ").isEmpty();
    private static final int V = 1 << 16;
    private static final List<String> PLACEHOLDERS = List.of(LogLines.IP, LogLines.PATH, LogLines.HEX, LogLines.NUM);

    @FuzzTest(maxDuration = "3m")
    void words(byte[] input) {
        byte[] in = Arrays.copyOf(input, Math.max(input.length, 4));
        int max = in[0] & 0xFF;
        String line = line(in[1], ((in[2] & 0xFF) << 8) | (in[3] & 0xFF), Arrays.copyOfRange(in, 4, in.length));

        long start = System.nanoTime();
        List<String> all = LogLines.words(line);
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (FUZZING && ms > FUZZ_TIME_BUDGET_MS) {
            // once more, so that a GC pause or a busy machine is not taken for slow masking
            start = System.nanoTime();
            LogLines.words(line);
            ms = Math.min(ms, (System.nanoTime() - start) / 1_000_000);
        }
        List<String> capped = LogLines.words(line, max);
        int f = Math.max(1, max);
        int[] slots = Features.logLine(line, ModelConfig.builder().featureKind(FeatureKind.LOG).maxFeatures(f)
                .vocabSize(V).build());

        assertThat(capped).hasSizeLessThanOrEqualTo(max);
        assertThat(all.subList(0, Math.min(max, all.size()))).as("the capped words are a prefix").isEqualTo(capped);
        for (String w : all) {
            if (!PLACEHOLDERS.contains(w)) {
                assertThat(w).as("a masked word").isNotEmpty().doesNotContainAnyWhitespaces()
                        .doesNotContain("/").doesNotContain("_").doesNotContain(".").doesNotContain("<");
            }
        }
        assertThat(slots).hasSize(f);
        int used = Math.min(f, all.size());
        for (int s = 0; s < f; s++) {
            if (s < used) {
                assertThat(slots[s]).as("slot %d", s).isEqualTo(LogLines.hash(all.get(s), V)).isBetween(0, V - 1);
            } else {
                assertThat(slots[s]).as("slot %d", s).isEqualTo(Features.EMPTY);
            }
        }
        if (FUZZING && ms > FUZZ_TIME_BUDGET_MS) {
            throw new AssertionError("masking a line of " + line.length() + " chars took " + ms + " ms (budget "
                    + FUZZ_TIME_BUDGET_MS + " ms): not linear?");
        }
    }

    /** The line of an input: the body as is, or (mode bit 0) {@code prefix + unit × repeat + suffix}. */
    static String line(byte mode, int repeat, byte[] body) {
        byte[] bytes = body;
        if ((mode & 1) != 0) {
            int a = indexOf(body, 0);
            int b = a < 0 ? -1 : indexOf(body, a + 1);
            if (b >= 0) {
                byte[] prefix = Arrays.copyOfRange(body, 0, a);
                byte[] unit = Arrays.copyOfRange(body, a + 1, b);
                byte[] suffix = Arrays.copyOfRange(body, b + 1, body.length);
                int n = unit.length == 0 ? 0 : Math.min(repeat, MAX_LINE / unit.length);
                bytes = new byte[Math.min(MAX_LINE, prefix.length + n * unit.length + suffix.length)];
                int at = put(bytes, 0, prefix);
                for (int i = 0; i < n; i++) {
                    at = put(bytes, at, unit);
                }
                put(bytes, at, suffix);
            }
        }
        return new String(bytes, 0, Math.min(bytes.length, MAX_LINE), StandardCharsets.UTF_8);
    }

    private static int put(byte[] into, int at, byte[] what) {
        int n = Math.min(what.length, into.length - at);
        System.arraycopy(what, 0, into, at, n);
        return at + n;
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
