package io.longseq.jobs.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longseq.jobs.cli.OfflineCommandTest;
import io.longseq.stream.StreamLimits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

public class FastaReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsSeveralRecordsWithIdsHeadersAndBases() throws IOException {
        List<DnaRecordReader.Record> r = read(">chr1 first record\nACGT\nAC\n>chr2\tsecond\nGGGG\n>chr3\nT");
        assertThat(r).extracting(DnaRecordReader.Record::id).containsExactly("chr1", "chr2", "chr3");
        assertThat(r).extracting(DnaRecordReader.Record::number).containsExactly(1, 2, 3);
        assertThat(r.get(0).header()).isEqualTo("chr1 first record");
        assertThat(bases(r.get(0))).isEqualTo("ACGTAC");
        assertThat(bases(r.get(1))).isEqualTo("GGGG");
        assertThat(bases(r.get(2))).isEqualTo("T"); // last line without a newline
    }

    @Test
    void keepsLowerCaseAndRunsOfNAsTheyAre() throws IOException {
        List<DnaRecordReader.Record> r = read(">soft\nacgtNNNNNNNNNN\nnnnnACGTacgtRYK\n");
        assertThat(bases(r.get(0))).isEqualTo("acgtNNNNNNNNNNnnnnACGTacgtRYK");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 60, 70, 0})
    void anyLineWidthGivesTheSameBases(int width) throws IOException {
        String seq = randomBases(1000, 3);
        StringBuilder text = new StringBuilder(">w\n");
        if (width == 0) {
            text.append(seq).append('\n'); // unwrapped
        } else {
            for (int i = 0; i < seq.length(); i += width) {
                text.append(seq, i, Math.min(seq.length(), i + width)).append('\n');
            }
        }
        List<DnaRecordReader.Record> r = read(text.toString());
        assertThat(r).hasSize(1);
        assertThat(bases(r.get(0))).isEqualTo(seq);
    }

    @Test
    void crlfBlankLinesAndTrailingSpacesAreNotBases() throws IOException {
        List<DnaRecordReader.Record> r = read("\r\n>a x\r\nACG \r\n\r\nTT\t\r\n>b\r\nC\r\n");
        assertThat(r).extracting(DnaRecordReader.Record::id).containsExactly("a", "b");
        assertThat(r.get(0).header()).isEqualTo("a x");
        assertThat(bases(r.get(0))).isEqualTo("ACGTT");
        assertThat(bases(r.get(1))).isEqualTo("C");
    }

    @Test
    void emptyRecordsAndHeadersWithoutAWord() throws IOException {
        List<DnaRecordReader.Record> r = read(">empty\n>full\nAC\n>\nGG\n>trailing");
        assertThat(r).extracting(DnaRecordReader.Record::id).containsExactly("empty", "full", "record3", "trailing");
        assertThat(r.get(0).bases()).isEmpty();
        assertThat(bases(r.get(2))).isEqualTo("GG");
        assertThat(r.get(3).bases()).isEmpty();
    }

    @Test
    void emptyFileHasNoRecords() throws IOException {
        assertThat(read("")).isEmpty();
        assertThat(read("\n\n")).isEmpty();
    }

    @Test
    void dataBeforeAnyHeaderIsAClearError() {
        assertThatThrownBy(() -> read("\nACGTACGT\n>late\nAC\n"))
                .isInstanceOf(FastaReader.FormatException.class)
                .hasMessageContaining("test.fa: line 2")
                .hasMessageContaining("before the first '>' header")
                .hasMessageContaining("ACGTACGT");
    }

    @Test
    void readsGzipByMagicBytesOrSuffix() throws IOException {
        String text = ">g1\nACGT\nacgt\n>g2\nNNNN\n";
        for (String name : List.of("x.fa.gz", "no-suffix.fa")) {
            Path p = dir.resolve(name);
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
                out.write(text.getBytes(StandardCharsets.US_ASCII));
            }
            try (FastaReader reader = FastaReader.open(p)) {
                DnaRecordReader.Record a = reader.next();
                DnaRecordReader.Record b = reader.next();
                assertThat(reader.next()).isNull();
                assertThat(a.id()).isEqualTo("g1");
                assertThat(bases(a)).isEqualTo("ACGTacgt");
                assertThat(bases(b)).isEqualTo("NNNN");
            }
        }
        Path plain = dir.resolve("plain.fa");
        Files.writeString(plain, text);
        try (FastaReader reader = FastaReader.open(plain)) {
            assertThat(bases(reader.next())).isEqualTo("ACGTacgt");
        }
    }

    @Test
    void gzSuffixWithoutGzipBytesIsAnError() throws IOException {
        Path p = dir.resolve("fake.fa.gz");
        Files.writeString(p, ">a\nAC\n");
        assertThatThrownBy(() -> FastaReader.open(p)).isInstanceOf(IOException.class)
                .hasMessageContaining("fake.fa.gz").hasMessageContaining("gzip magic");
    }

    @Test
    void readsTheExampleGenome() throws IOException {
        Path example = OfflineCommandTest.exampleGenome();
        try (FastaReader reader = FastaReader.open(example)) {
            DnaRecordReader.Record r = reader.next();
            assertThat(r.id()).isEqualTo("gi|9626243|ref|NC_001416.1|");
            assertThat(r.bases()).hasSize(48_502);
            assertThat(bases(r)).startsWith("GGGCGGCGACCTCGCGGGTTTTCGCTATTTATGAAAATTTTCCGGTTTAAGGCGTTTCCGTTCTTCTTCG");
            assertThat(reader.next()).isNull();
        }
    }

    @Test
    void aHeaderOverTheLimitIsRefusedWithItsRecordAndTheNextRecordIsRead() throws IOException {
        String big = "A".repeat(5 << 20);
        List<DnaRecordReader.Record> r = read(">one\nACGT\n>" + big + " desc\nGGGG\nCCCC\n\n>three x\nTTAA\n");
        assertThat(r).extracting(DnaRecordReader.Record::number).containsExactly(1, 2, 3);
        assertThat(r.get(0).isOk()).isTrue();
        DnaRecordReader.Record bad = r.get(1);
        assertThat(bad.isOk()).isFalse();
        assertThat(bad.problem()).isEqualTo("FASTA header of 5,242,885 bytes at line 3 of test.fa is over the limit of"
                + " 65,536 bytes (max-header-bytes); the record is skipped");
        assertThat(bad.bases()).isEmpty();
        assertThat(bad.id()).isEqualTo("A".repeat(40) + "...");
        assertThat(bad.original()).hasSize(65_536).startsWith((byte) '>', (byte) 'A'); // dead-letter-bytes
        assertThat(r.get(2).id()).isEqualTo("three");
        assertThat(bases(r.get(2))).isEqualTo("TTAA");
    }

    /** The header is longer than any Java array: a reader that held it could not even try. */
    @Test
    void aHeaderLongerThanAJavaArrayIsCountedNotHeld() throws IOException {
        long n = (1L << 31) + 10;
        InputStream in = new SequenceInputStream(Collections.enumeration(List.of(
                new ByteArrayInputStream(">".getBytes(StandardCharsets.US_ASCII)), new Repeated((byte) 'x', n),
                new ByteArrayInputStream("\nACGT\n>next\nGG\n".getBytes(StandardCharsets.US_ASCII)))));
        try (FastaReader reader = new FastaReader(in, "huge.fa", StreamLimits.DEFAULTS.withMaxHeaderBytes(100))) {
            DnaRecordReader.Record bad = reader.next();
            assertThat(bad.problem()).isEqualTo("FASTA header of 2,147,483,658 bytes at line 1 of huge.fa is over the"
                    + " limit of 100 bytes (max-header-bytes); the record is skipped");
            assertThat(bad.original()).hasSize(101);
            DnaRecordReader.Record next = reader.next();
            assertThat(next.id()).isEqualTo("next");
            assertThat(bases(next)).isEqualTo("GG");
            assertThat(reader.next()).isNull();
        }
    }

    @Test
    void anIdOverItsLimitIsRefusedAndOneWithinIsKeptWhole() throws IOException {
        String id = "q\"\\".repeat(700_000 / 3);
        String text = ">" + id + " d\nACGT\n>ok\nGG\n";
        List<DnaRecordReader.Record> refused = read(text);
        assertThat(refused.get(0).problem()).startsWith("FASTA header of 700,001 bytes at line 1 of test.fa is over");
        assertThat(refused.get(1).id()).isEqualTo("ok");

        StreamLimits raisedHeader = StreamLimits.DEFAULTS.withMaxHeaderBytes(1 << 20);
        List<DnaRecordReader.Record> idTooLong = read(text, raisedHeader);
        assertThat(idTooLong.get(0).problem()).isEqualTo("sequence id of 699,999 bytes at line 1 of test.fa is over"
                + " the limit of 4,096 bytes (max-id-bytes); the record is skipped");
        assertThat(bases(idTooLong.get(1))).isEqualTo("GG");

        List<DnaRecordReader.Record> kept = read(text, raisedHeader.withMaxIdBytes(1 << 20));
        assertThat(kept.get(0).isOk()).isTrue();
        assertThat(kept.get(0).id()).isEqualTo(id);
        assertThat(bases(kept.get(0))).isEqualTo("ACGT");
    }

    @Test
    void aHeaderAtTheLimitIsAccepted() throws IOException {
        String header = "h" + "x".repeat(98) + "y"; // 100 bytes
        List<DnaRecordReader.Record> r = read(">" + header + "  \t\r\nAC\n", StreamLimits.DEFAULTS.withMaxHeaderBytes(100));
        assertThat(r.get(0).isOk()).isTrue();
        assertThat(r.get(0).header()).isEqualTo(header);
        List<DnaRecordReader.Record> over = read(">" + header + "z\nAC\n", StreamLimits.DEFAULTS.withMaxHeaderBytes(100));
        assertThat(over.get(0).problem()).contains("FASTA header of 101 bytes");
    }

    private static List<DnaRecordReader.Record> read(String text) throws IOException {
        return read(text, StreamLimits.DEFAULTS);
    }

    private static List<DnaRecordReader.Record> read(String text, StreamLimits limits) throws IOException {
        List<DnaRecordReader.Record> out = new ArrayList<>();
        try (FastaReader reader = new FastaReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                "test.fa", limits)) {
            DnaRecordReader.Record r;
            while ((r = reader.next()) != null) {
                out.add(r);
            }
        }
        return out;
    }

    private static String bases(DnaRecordReader.Record r) {
        return new String(r.bases(), StandardCharsets.US_ASCII);
    }

    /** {@code n} copies of one byte, generated as they are read. */
    static final class Repeated extends InputStream {
        private final byte b;
        private long left;

        Repeated(byte b, long n) {
            this.b = b;
            this.left = n;
        }

        @Override
        public int read() {
            if (left == 0) {
                return -1;
            }
            left--;
            return b & 0xFF;
        }

        @Override
        public int read(byte[] buf, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            Arrays.fill(buf, off, off + n, b);
            left -= n;
            return n;
        }
    }

    public static String randomBases(int n, long seed) {
        Random r = new Random(seed);
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append("ACGTacgtN".charAt(r.nextInt(9)));
        }
        return b.toString();
    }
}
