package io.longseq.jobs.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Words of a token file: ids, and the problems naming file, line and column. */
class TokenReaderTest {

    @Test
    void idsWithSignsAndLeadingZeros() throws IOException {
        assertThat(scan("1 +2\t-3\n\n 007  2147483647 -2147483648 " + "0".repeat(100) + "5"))
                .containsExactly("1", "2", "-3", "7", "2147483647", "-2147483648", "5");
    }

    @Test
    void wordsThatAreNoIdsNameTheFileLineAndColumn() throws IOException {
        assertThat(scan("1 2\n  abc 4\n2147483648 -2147483649\n" + "9".repeat(100) + " - + 1x " + "z".repeat(100)))
                .containsExactly("1", "2",
                        "token 'abc' at line 2, column 3 of t.tokens is not an integer", "4",
                        "token '2147483648' at line 3, column 1 of t.tokens is outside the 32-bit integer range",
                        "token '-2147483649' at line 3, column 12 of t.tokens is outside the 32-bit integer range",
                        "token '" + "9".repeat(40) + "... (100 bytes)' at line 4, column 1 of t.tokens is outside the"
                                + " 32-bit integer range",
                        "token '-' at line 4, column 102 of t.tokens is not an integer",
                        "token '+' at line 4, column 104 of t.tokens is not an integer",
                        "token '1x' at line 4, column 106 of t.tokens is not an integer",
                        "token '" + "z".repeat(40) + "... (100 bytes)' at line 4, column 109 of t.tokens is not an"
                                + " integer");
    }

    @Test
    void aWordOfAMillionBytesHoldsOnlyItsFirstBytes() throws IOException {
        TokenReader t = new TokenReader(new ByteArrayInputStream(("7" + "8".repeat(1_000_000) + " 3")
                .getBytes(StandardCharsets.US_ASCII)), "t");
        assertThat(t.next()).isTrue();
        assertThat(t.word()).hasSize(TokenReader.KEPT);
        assertThat(t.problem()).contains("(1,000,001 bytes)").contains("outside the 32-bit integer range");
        assertThat(t.next()).isTrue();
        assertThat(t.value()).isEqualTo(3);
        assertThat(t.next()).isFalse();
    }

    @Test
    void positionsCountEveryWordGoodOrBad() throws IOException {
        TokenReader t = new TokenReader(new ByteArrayInputStream("5\n\n x 7\t-1".getBytes(StandardCharsets.US_ASCII)),
                "t");
        List<String> out = new ArrayList<>();
        while (t.next()) {
            out.add(t.position() + ":" + t.line() + ":" + (t.problem() == null ? t.value() : "?"));
        }
        assertThat(out).containsExactly("0:1:5", "1:3:?", "2:3:7", "3:3:-1");
    }

    private static List<String> scan(String text) throws IOException {
        TokenReader t = new TokenReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "t.tokens");
        List<String> out = new ArrayList<>();
        while (t.next()) {
            out.add(t.problem() != null ? t.problem() : String.valueOf(t.value()));
        }
        return out;
    }
}
