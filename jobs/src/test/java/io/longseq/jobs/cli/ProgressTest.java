package io.longseq.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The progress line's content, without waiting for its timer. */
class ProgressTest {

    @Test
    void showsPositionsWithinTheCurrentRecordRateAndTimeLeft() throws Exception {
        try (Progress progress = new Progress(new PrintWriter(new StringWriter()))) {
            progress.start("chr1", 1_000_000);
            assertThat(progress.line()).contains("computing 'chr1': 0 of 1,000,000 positions").contains("running for");
            Thread.sleep(20);
            progress.within(250_000);
            assertThat(progress.line()).contains("250,000 of 1,000,000 positions").contains("positions/s")
                    .contains("s left");
            progress.done(1_000_000);
            assertThat(progress.line()).contains("1,000,000 positions in 1 records done").doesNotContain("computing");
        }
    }
}
