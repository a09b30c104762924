package io.longseq.math.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hostile lines that broke the regex masking (issue 20): a StackOverflowError on a 4,000-segment path, minutes
 * on a megabyte of '.' or '-'. The scanner gives the tokens the rules say, worked out by hand below. Speed is
 * measured by bench's LogMaskBench, not here.
 */
class LogLinesHugeLinesTest {

    private static final int MB = 1 << 20;

    private static String repeat(String unit, int length) {
        StringBuilder sb = new StringBuilder(length);
        while (sb.length() < length) {
            sb.append(unit);
        }
        sb.setLength(length);
        return sb.toString();
    }

    @Test
    void aPathOf4000SegmentsIsOnePath() {
        // a/a/.../a: path characters, then '/'+segment 3,999 times: one <PATH>
        String line = String.join("/", Collections.nCopies(4000, "a"));
        assertThat(line).hasSize(7999);
        assertThat(LogLines.words(line)).containsExactly("<PATH>");
        // with words around it, and a trailing '/', which the path takes
        assertThat(LogLines.words("open " + line + "/ failed")).containsExactly("open", "<PATH>", "failed");
    }

    @Test
    void aMegabyteOfPathSegmentsIsOnePath() {
        // "a/" x 524,288 ends in '/': one path with its trailing '/'
        assertThat(LogLines.words(repeat("a/", MB))).containsExactly("<PATH>");
    }

    @Test
    void aMegabyteOfDotsOrDashesOrSlashesHasNoWord() {
        // '.' and '-' are path characters but no '/' follows them; '-' is a sign but no digit follows; a '/' with
        // no path character on either side starts no path: every character is a separator
        assertThat(LogLines.words(repeat(".", MB))).isEmpty();
        assertThat(LogLines.words(repeat("-", MB))).isEmpty();
        assertThat(LogLines.words(repeat(".-", MB))).isEmpty();
        assertThat(LogLines.words(repeat("/", MB))).isEmpty();
    }

    @Test
    void aMegabyteOfDigitsIsOneNumber() {
        // no '.' after 1-3 digits (no IP), no hex letter (no <HEX>): one <NUM>
        assertThat(LogLines.words(repeat("0123456789", MB))).containsExactly("<NUM>");
    }

    @Test
    void aMegabyteOfHexIsOneHex() {
        // at least 8 hex digits with a digit and a letter, nothing after: one <HEX>
        assertThat(LogLines.words(repeat("0123456789abcdef", MB))).containsExactly("<HEX>");
        // hex letters only: no digit, so no <HEX> and no <NUM>: one word (lowercased)
        String letters = repeat("DeadBeef", MB);
        List<String> words = LogLines.words(letters);
        assertThat(words).hasSize(1);
        assertThat(words.get(0)).isEqualTo(repeat("deadbeef", MB));
    }

    @Test
    void aMegabyteOfIpLikeDotsIsNumbers() {
        // "1." x 524,288: 1.1.1.1 is followed by '.'+digit, so no IP; "1.1" is a number with a fraction, then a
        // separator '.': one <NUM> per two 1s
        List<String> words = LogLines.words(repeat("1.", MB));
        assertThat(words).hasSize(MB / 4);
        assertThat(words).containsOnly("<NUM>");
        // max cuts it short
        assertThat(LogLines.words(repeat("1.", MB), 5)).containsExactly("<NUM>", "<NUM>", "<NUM>", "<NUM>", "<NUM>");
    }

    @Test
    void aMegabyteOfShortWordsIsManyWords() {
        // "ab " x 349,525 then "a": 349,526 words
        List<String> words = LogLines.words(repeat("ab ", MB));
        assertThat(words).hasSize(MB / 3 + 1);
        assertThat(words.get(0)).isEqualTo("ab");
        assertThat(words.get(words.size() - 1)).isEqualTo("a");
    }
}
