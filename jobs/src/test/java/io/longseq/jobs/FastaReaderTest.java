package io.longseq.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FastaReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsSeveralRecordsWithIdsHeadersAndBases() throws IOException {
        List<FastaReader.Record> r = read(">chr1 first record\nACGT\nAC\n>chr2\tsecond\nGGGG\n>chr3\nT");
        assertThat(r).extracting(FastaReader.Record::id).containsExactly("chr1", "chr2", "chr3");
        assertThat(r).extracting(FastaReader.Record::number).containsExactly(1, 2, 3);
        assertThat(r.get(0).header()).isEqualTo("chr1 first record");
        assertThat(bases(r.get(0))).isEqualTo("ACGTAC");
        assertThat(bases(r.get(1))).isEqualTo("GGGG");
        assertThat(bases(r.get(2))).isEqualTo("T"); // last line without a newline
    }

    @Test
    void keepsLowerCaseAndRunsOfNAsTheyAre() throws IOException {
        List<FastaReader.Record> r = read(">soft\nacgtNNNNNNNNNN\nnnnnACGTacgtRYK\n");
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
        List<FastaReader.Record> r = read(text.toString());
        assertThat(r).hasSize(1);
        assertThat(bases(r.get(0))).isEqualTo(seq);
    }

    @Test
    void crlfBlankLinesAndTrailingSpacesAreNotBases() throws IOException {
        List<FastaReader.Record> r = read("\r\n>a x\r\nACG \r\n\r\nTT\t\r\n>b\r\nC\r\n");
        assertThat(r).extracting(FastaReader.Record::id).containsExactly("a", "b");
        assertThat(r.get(0).header()).isEqualTo("a x");
        assertThat(bases(r.get(0))).isEqualTo("ACGTT");
        assertThat(bases(r.get(1))).isEqualTo("C");
    }

    @Test
    void emptyRecordsAndHeadersWithoutAWord() throws IOException {
        List<FastaReader.Record> r = read(">empty\n>full\nAC\n>\nGG\n>trailing");
        assertThat(r).extracting(FastaReader.Record::id).containsExactly("empty", "full", "record3", "trailing");
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
                FastaReader.Record a = reader.next();
                FastaReader.Record b = reader.next();
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
            FastaReader.Record r = reader.next();
            assertThat(r.id()).isEqualTo("gi|9626243|ref|NC_001416.1|");
            assertThat(r.bases()).hasSize(48_502);
            assertThat(bases(r)).startsWith("GGGCGGCGACCTCGCGGGTTTTCGCTATTTATGAAAATTTTCCGGTTTAAGGCGTTTCCGTTCTTCTTCG");
            assertThat(reader.next()).isNull();
        }
    }

    private static List<FastaReader.Record> read(String text) throws IOException {
        List<FastaReader.Record> out = new ArrayList<>();
        try (FastaReader reader = new FastaReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                "test.fa")) {
            FastaReader.Record r;
            while ((r = reader.next()) != null) {
                out.add(r);
            }
        }
        return out;
    }

    private static String bases(FastaReader.Record r) {
        return new String(r.bases(), StandardCharsets.US_ASCII);
    }

    static String randomBases(int n, long seed) {
        Random r = new Random(seed);
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append("ACGTacgtN".charAt(r.nextInt(9)));
        }
        return b.toString();
    }
}
