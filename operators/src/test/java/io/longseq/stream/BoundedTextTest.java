package io.longseq.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link BoundedText}: lengths against the JDK's encoder, cuts between code points, escaping to one line. */
class BoundedTextTest {

    @Test
    void utf8LengthIsWhatTheEncoderWritesForWellFormedText() {
        Random r = new Random(5);
        int[] samples = {'a', 0x7F, 0x80, 0xE9, 0x7FF, 0x800, 0x20AC, 0xFFFD, 0x1F600, 0x10FFFF};
        for (int n = 0; n < 200; n++) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < r.nextInt(40); i++) {
                b.appendCodePoint(samples[r.nextInt(samples.length)]);
            }
            String s = b.toString();
            assertThat(BoundedText.utf8Length(s)).as("%s", s).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
        }
        // a lone surrogate: counted 3, at least what the encoder writes ('?')
        assertThat(BoundedText.utf8Length("\uD83D")).isEqualTo(3);
    }

    @Test
    void aUtf8PrefixNeverSplitsACodePoint() {
        String s = "ab€😀c"; // 1 + 1 + 3 + 4 + 1 bytes
        assertThat(BoundedText.prefixOfUtf8Bytes(s, 10)).isSameAs(s);
        assertThat(BoundedText.prefixOfUtf8Bytes(s, 9)).isEqualTo("ab€😀");
        assertThat(BoundedText.prefixOfUtf8Bytes(s, 8)).isEqualTo("ab€");
        assertThat(BoundedText.prefixOfUtf8Bytes(s, 4)).isEqualTo("ab");
        assertThat(BoundedText.prefixOfUtf8Bytes(s, 0)).isEmpty();
    }

    @Test
    void cutsKeepSurrogatePairsWholeAndSaySo() {
        assertThat(BoundedText.cut("abc", 3)).isEqualTo("abc");
        assertThat(BoundedText.cut("abcd", 3)).isEqualTo("abc...");
        assertThat(BoundedText.cut("ab😀", 3)).isEqualTo("ab...");
    }

    @Test
    void oneLineEscapesLineBreaksAndControls() {
        String plain = "nothing to do: üñí €";
        assertThat(BoundedText.oneLine(plain)).isSameAs(plain);
        assertThat(BoundedText.oneLine("a\nb\rc\td\u0000e\u007Ff\u0085g\u2028h"))
                .isEqualTo("a\\nb\\rc\\td\\x00e\\x7Ff\\x85g\\u2028h");
    }

    @Test
    void aQuotedPrefixShowsOnlyPrintableCharacters() {
        assertThat(BoundedText.quotedPrefix("seq-1", 32)).isEqualTo("\"seq-1\"");
        assertThat(BoundedText.quotedPrefix("abcdef", 3)).isEqualTo("\"abc\"...");
        assertThat(BoundedText.quotedPrefix("q\"b\\s\n\u202Eé😀", 32))
                .isEqualTo("\"q\\\"b\\\\s\\n\\u202Eé\\uD83D\\uDE00\"");
        assertThat(BoundedText.quotedPrefix("ab😀", 3)).isEqualTo("\"ab\"...");
    }

    @Test
    void aThrowableIsDescribedOnOneLine() {
        assertThat(BoundedText.describe(new IllegalArgumentException("x\ny"), 10))
                .isEqualTo("java.lang.IllegalArgumentException: x\\ny");
        assertThat(BoundedText.describe(new IllegalArgumentException("0123456789abc"), 10))
                .isEqualTo("java.lang.IllegalArgumentException: 0123456789...");
        assertThat(BoundedText.describe(new NullPointerException(), 10))
                .isEqualTo("java.lang.NullPointerException: (no message)");
    }
}
