package io.longseq.jobs.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.stream.StreamLimits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Log lines as positions: line ends, bytes that are no UTF-8, and the refusal of a line over max-line-bytes. */
class LogReaderTest {

    @Test
    void everyLineEndSplitsAndEveryLineIsAPositionEmptyOnesToo() throws IOException {
        LogReader r = new LogReader(in("a b\r\nc\rd\n\n\ne f".getBytes(StandardCharsets.UTF_8)), "x.log",
                StreamLimits.DEFAULTS);
        List<String> lines = new ArrayList<>();
        List<Long> positions = new ArrayList<>();
        while (r.next()) {
            assertThat(r.problem()).isNull();
            lines.add(r.text());
            positions.add(r.position());
        }
        assertThat(lines).containsExactly("a b", "c", "d", "", "", "e f");
        assertThat(positions).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void bytesThatAreNoUtf8ReadAsReplacementCharacters() throws IOException {
        byte[] bytes = {'o', 'k', ' ', (byte) 0xFF, (byte) 0xC3, (byte) 0xA9, ' ', (byte) 0xC3, '\n'};
        LogReader r = new LogReader(in(bytes), "x.log", StreamLimits.DEFAULTS);
        assertThat(r.next()).isTrue();
        assertThat(r.text()).isEqualTo("ok \uFFFD\u00E9 \uFFFD");
        assertThat(r.next()).isFalse();
    }

    @Test
    void aLineOverTheLimitIsRefusedNamingFileLineAndLimitAndOnlyItsFirstBytesAreHeld() throws IOException {
        String text = "short\n" + "x".repeat(2_000_000) + "\nafter\n";
        LogReader r = new LogReader(in(text.getBytes(StandardCharsets.US_ASCII)), "big.log",
                StreamLimits.DEFAULTS.withMaxLineBytes(10));
        assertThat(r.next()).isTrue();
        assertThat(r.problem()).isNull();
        assertThat(r.next()).isTrue();
        assertThat(r.problem()).isEqualTo("log line 2 of big.log is 2,000,000 bytes, over the limit of 10 bytes"
                + " (max-line-bytes)");
        assertThat(r.held()).hasSize(11);
        assertThat(r.text()).isEqualTo("x".repeat(11));
        assertThat(r.position()).isEqualTo(1);
        assertThat(r.next()).isTrue();
        assertThat(r.problem()).isNull();
        assertThat(r.text()).isEqualTo("after");
        assertThat(r.next()).isFalse();
    }

    @Test
    void aLineOfExactlyTheLimitIsAccepted() throws IOException {
        LogReader r = new LogReader(in("0123456789".getBytes(StandardCharsets.US_ASCII)), "x.log",
                StreamLimits.DEFAULTS.withMaxLineBytes(10));
        assertThat(r.next()).isTrue();
        assertThat(r.problem()).isNull();
        assertThat(r.text()).isEqualTo("0123456789");
    }

    private static ByteArrayInputStream in(byte[] b) {
        return new ByteArrayInputStream(b);
    }
}
