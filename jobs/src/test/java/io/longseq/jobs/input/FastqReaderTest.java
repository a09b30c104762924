package io.longseq.jobs.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.stream.StreamLimits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** FASTQ: a malformed record is refused on its own, naming the file and line; the records after it are read. */
class FastqReaderTest {

    @Test
    void goodRecordsWithMultiLineBasesAndQualitiesStartingWithAt() throws IOException {
        List<String> r = read("@r1 d\nACGT\nAC\n+\n@@II\nII\n\n@r2\nG\n+r2\n#\n", StreamLimits.DEFAULTS);
        assertThat(r).containsExactly("1 r1 ACGTAC", "2 r2 G");
    }

    @Test
    void missingPlusLineMismatchedQualitiesAndJunkAreRefusedOneByOne() throws IOException {
        String text = "@a\nACGT\n+\nIIII\n"      // lines 1-4
                + "@b\nACGT\n"                     // 5-6: no '+' line
                + "@c\nGG\n+\nII\n"                // 7-10
                + "@d\nACGT\n+\nIIIIII\n"          // 11-14: 6 quality characters for 4 bases
                + "junk one\njunk two\n"           // 15-16
                + "@g\nCC\n+\nII\n"                // 17-20
                + "@h\nAAAA\n+\nII";                // 21-24: the file ends first
        assertThat(read(text, StreamLimits.DEFAULTS)).containsExactly(
                "1 a ACGT",
                "2 b record 'b' at line 5 of q.fq has no '+' line before line 7, which starts the next record;"
                        + " the record is skipped",
                "3 c GG",
                "4 d record 'd' at line 11 of q.fq has 4 bases but 6 quality characters (line 14); the record is"
                        + " skipped",
                "0  line 15 of q.fq should start a FASTQ record with '@' but it starts with \"junk one\"; lines 15-16"
                        + " skipped",
                "5 g CC",
                "6 h record 'h' at line 21 of q.fq has 4 bases but only 2 quality characters (line 24); the record"
                        + " is skipped");
    }

    @Test
    void aHeaderOverTheLimitSkipsItsRecordByCounting() throws IOException {
        String text = "@" + "x".repeat(20) + " d\nACGT\nAC\n+\nIIII\nII\n@ok\nA\n+\nI\n";
        assertThat(read(text, StreamLimits.DEFAULTS.withMaxHeaderBytes(10))).containsExactly(
                "1 xxxxxxxxxx FASTQ header of 22 bytes at line 1 of q.fq is over the limit of 10 bytes"
                        + " (max-header-bytes); the record is skipped",
                "2 ok A");
        assertThat(read("@" + "y".repeat(5000) + "\nA\n+\nI\n", StreamLimits.DEFAULTS)).containsExactly(
                "1 " + "y".repeat(40) + "... sequence id of 5,000 bytes at line 1 of q.fq is over the limit of 4,096"
                        + " bytes (max-id-bytes); the record is skipped");
    }

    private static List<String> read(String text, StreamLimits limits) throws IOException {
        List<String> out = new ArrayList<>();
        try (FastqReader r = new FastqReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "q.fq",
                limits)) {
            DnaRecordReader.Record rec;
            while ((rec = r.next()) != null) {
                out.add(rec.number() + " " + rec.id() + " " + (rec.isOk()
                        ? new String(rec.bases(), StandardCharsets.US_ASCII) : rec.problem()));
            }
        }
        return out;
    }
}
