package io.longseq.jobs.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Capped byte lines: what is kept, what is counted, and the log dialect equal to BufferedReader's split. */
class ByteLinesTest {

    @Test
    void textLinesDropTrailingBlanksAndKeepAtMostTheCap() throws IOException {
        ByteLines l = ByteLines.text(in("ab c \t\r\n\n  x\nABCDEFGHIJ   \nlast"));
        ByteLines.Buf b = new ByteLines.Buf(2);
        List<String> kept = new ArrayList<>();
        List<Long> lengths = new ArrayList<>();
        while (true) {
            b.clear();
            if (!l.next(b, 4)) {
                break;
            }
            kept.add(new String(b.a, 0, b.n, StandardCharsets.US_ASCII));
            lengths.add(l.length());
        }
        assertThat(kept).containsExactly("ab c", "", "  x", "ABCD", "last");
        assertThat(lengths).containsExactly(4L, 0L, 3L, 10L, 4L);
        assertThat(l.lineNumber()).isEqualTo(5);
        assertThat(l.peek()).isEqualTo(-1);
    }

    @Test
    void aKeptPartEndingInBlanksInsideALongLineIsTrimmedOnlyToTheLine() throws IOException {
        ByteLines l = ByteLines.text(in("ab   cd\n"));
        ByteLines.Buf b = new ByteLines.Buf(8);
        l.next(b, 4);
        assertThat(new String(b.a, 0, b.n, StandardCharsets.US_ASCII)).isEqualTo("ab  ");
        assertThat(l.length()).isEqualTo(7);
    }

    /** Log lines must split exactly as the readers did before (BufferedReader.readLine), so positions do not move. */
    @Test
    void logLinesSplitLikeBufferedReaderOnRandomInput() throws IOException {
        Random r = new Random(5);
        String alphabet = "ab \t\r\n\u00e9";
        for (int round = 0; round < 220; round++) {
            StringBuilder s = new StringBuilder();
            int n = r.nextInt(round < 200 ? 40 : 200_000);
            for (int i = 0; i < n; i++) {
                s.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            byte[] bytes = s.toString().getBytes(StandardCharsets.UTF_8);
            List<String> expected = new ArrayList<>();
            try (BufferedReader br = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(bytes),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = br.readLine()) != null) {
                    expected.add(line);
                }
            }
            ByteLines l = ByteLines.log(new ByteArrayInputStream(bytes));
            ByteLines.Buf b = new ByteLines.Buf(16);
            List<String> actual = new ArrayList<>();
            while (true) {
                b.clear();
                if (!l.next(b, Long.MAX_VALUE)) {
                    break;
                }
                actual.add(new String(b.a, 0, b.n, StandardCharsets.UTF_8));
            }
            assertThat(actual).as("round %d", round).isEqualTo(expected);
        }
    }

    @Test
    void skipCountsWithoutKeeping() throws IOException {
        ByteLines l = ByteLines.log(in("x".repeat(200_000) + "\r\nnext"));
        assertThat(l.skip()).isTrue();
        assertThat(l.length()).isEqualTo(200_000);
        assertThat(l.peek()).isEqualTo('n');
        assertThat(l.skip()).isTrue();
        assertThat(l.skip()).isFalse();
    }

    private static ByteArrayInputStream in(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
