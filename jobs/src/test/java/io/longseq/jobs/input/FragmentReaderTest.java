package io.longseq.jobs.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.math.features.FeatureKind;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.input.SequenceFragment;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Files cut into fragments: ids, offsets, sizes, the last flag and the source coordinates. */
class FragmentReaderTest {

    static List<SequenceFragment> read(String text, FeatureKind kind, int size) throws IOException {
        return read(text, kind, size, StreamLimits.DEFAULTS, FragmentReader.DEFAULT_MAX_FRAGMENT_BYTES);
    }

    static List<SequenceFragment> read(String text, FeatureKind kind, int size, StreamLimits limits, int maxBytes)
            throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return read(() -> new ByteArrayInputStream(bytes), kind, size, limits, maxBytes);
    }

    static List<SequenceFragment> read(FragmentReader.Opener opener, FeatureKind kind, int size, StreamLimits limits,
                                       int maxBytes) throws IOException {
        List<SequenceFragment> out = new ArrayList<>();
        try (FragmentReader r = new FragmentReader(opener, "file.x", "file.x", kind, size, limits, maxBytes)) {
            SequenceFragment f;
            while ((f = r.next()) != null) {
                out.add(f);
            }
        }
        return out;
    }

    static String payload(SequenceFragment f) {
        return new String(f.payload, StandardCharsets.UTF_8);
    }

    @Test
    void fastaRecordsAreCutInOrderWithTheLastFlagOnEachRecordsEnd() throws IOException {
        List<SequenceFragment> f = read(">a x\nACGTA\nCG\n\n>b\n>c\nacgtnnN\n", FeatureKind.DNA, 3);
        assertThat(f).extracting(x -> x.sequenceId + "@" + x.offset + ":" + payload(x) + (x.last ? "!" : ""))
                .containsExactly("a@0:ACG", "a@3:TAC", "a@6:G!", "b@0:!", "c@0:acg", "c@3:tnn", "c@6:N!");
        assertThat(f).extracting(x -> x.sourceOffset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(f).allMatch(x -> x.kind == FeatureKind.DNA && "file.x".equals(x.source));
    }

    @Test
    void fastqIsRecognisedByItsFirstByte() throws IOException {
        List<SequenceFragment> f = read("\n@r1 desc\nACGTAC\n+\nIIIIII\n@r2\nGG\n+r2\n##\n", FeatureKind.DNA, 4);
        assertThat(f).extracting(x -> x.sequenceId + "@" + x.offset + ":" + payload(x) + (x.last ? "!" : ""))
                .containsExactly("r1@0:ACGT", "r1@4:AC!", "r2@0:GG!");
    }

    @Test
    void fastqWithQualitiesOfTheWrongLengthIsAProblemFragmentAndTheNextRecordFollows() throws IOException {
        List<SequenceFragment> f = read("@r1\nACGT\n+\nIIIII\n@r2\nGG\n+\nII\n", FeatureKind.DNA, 10);
        assertThat(f).hasSize(2);
        assertThat(f.get(0).decodeError).isEqualTo("record 'r1' at line 1 of file.x has 4 bases but 5 quality"
                + " characters (line 4); the record is skipped");
        assertThat(f.get(0).sequenceId).isEqualTo("r1");
        assertThat(payload(f.get(0))).isEqualTo("@r1");
        assertThat(f.get(1).sequenceId + ":" + payload(f.get(1)) + f.get(1).last).isEqualTo("r2:GGtrue");
        assertThat(f).extracting(x -> x.sourceOffset).containsExactly(0L, 1L);
    }

    @Test
    void aFastaHeaderOverTheLimitIsOneProblemFragmentWithABoundedPrefix() throws IOException {
        String header = "B".repeat(70_000);
        List<SequenceFragment> f = read(">a\nAC\n>" + header + "\nGG\nGG\n>c\nT\n", FeatureKind.DNA, 10);
        assertThat(f).extracting(x -> x.sequenceId + "@" + x.offset + ":" + (x.decodeError != null ? "problem"
                : payload(x)) + (x.last ? "!" : "")).containsExactly("a@0:AC!", "B".repeat(40) + "...@0:problem",
                "c@0:T!");
        assertThat(f.get(1).decodeError).isEqualTo("FASTA header of 70,000 bytes at line 3 of file.x is over the limit"
                + " of 65,536 bytes (max-header-bytes); the record is skipped");
        assertThat(f.get(1).payload).hasSize(65_536);
        assertThat(f.get(1).kind).isNull();
    }

    @Test
    void tokenFilesAreOneSequenceOfBigEndianIds() throws IOException {
        List<SequenceFragment> f = read("1 2\t3\n\n4 x 6 7", FeatureKind.TOKENS, 3);
        assertThat(f).hasSize(4);
        List<SequenceFragment> data = f.stream().filter(x -> x.decodeError == null).toList();
        assertThat(data).extracting(x -> x.offset).containsExactly(0L, 3L, 6L);
        assertThat(data).extracting(x -> x.last).containsExactly(false, false, true);
        assertThat(ids(data.get(0))).containsExactly(1, 2, 3);
        assertThat(ids(data.get(1))).containsExactly(4, -1, 6); // a word that is no integer: -1, refused by validate
        assertThat(ids(data.get(2))).containsExactly(7);
        assertThat(f).allMatch(x -> x.sequenceId.equals("file.x"));
        // the problem comes just before the fragment that holds the word, and names file, line and column
        assertThat(f.get(1).decodeError).isEqualTo("token 'x' at line 3, column 3 of file.x is not an integer"
                + " (position 4); passed on as id -1, so validate refuses the fragment");
        assertThat(payload(f.get(1))).isEqualTo("x");
    }

    @Test
    void aLogLineOverTheLimitIsAProblemAndOnlyItsFirstBytesGoOn() throws IOException {
        StreamLimits limits = StreamLimits.DEFAULTS.withMaxLineBytes(10);
        List<SequenceFragment> f = read("short\n" + "L".repeat(30) + "\nend\n", FeatureKind.LOG, 10, limits, 1 << 20);
        assertThat(f).hasSize(2);
        assertThat(f.get(0).decodeError).isEqualTo("log line 2 of file.x is 30 bytes, over the limit of 10 bytes"
                + " (max-line-bytes) (position 1); validate refuses the fragment");
        assertThat(payload(f.get(0))).isEqualTo("L".repeat(11));
        assertThat(payload(f.get(1))).isEqualTo("short\n" + "L".repeat(11) + "\nend\n");
        assertThat(f.get(1).last).isTrue();
    }

    @Test
    void aLogFragmentEndsBeforeItsPayloadCouldPassTheByteBudget() throws IOException {
        // budget 40, a line can add at most 3 * (10 + 1) + 1 = 34 bytes: a fragment takes lines while it holds <= 6
        List<SequenceFragment> f = read("aaaa\nbbbb\ncccc\ndddd\neeee\n", FeatureKind.LOG, 100,
                StreamLimits.DEFAULTS.withMaxLineBytes(10), 40);
        assertThat(f).extracting(x -> x.offset + ":" + payload(x) + (x.last ? "!" : ""))
                .containsExactly("0:aaaa\nbbbb\n", "2:cccc\ndddd\n", "4:eeee\n!");
    }

    @Test
    void aFileThatCannotBeOpenedOrIsNoFastaIsOneProblemFragment() throws IOException {
        byte[] corrupt = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        List<SequenceFragment> f = read(() -> InputFiles.open(new ByteArrayInputStream(corrupt), Path.of("bad.fa.gz")),
                FeatureKind.DNA, 10, StreamLimits.DEFAULTS, 1 << 20);
        assertThat(f).singleElement().satisfies(x -> {
            assertThat(x.decodeError).startsWith("file.x could not be read (").endsWith("); the rest of the file is"
                    + " skipped");
            assertThat(x.payload).isEmpty();
        });
        List<SequenceFragment> notFasta = read("hello\n>a\nAC\n", FeatureKind.DNA, 10);
        assertThat(notFasta).singleElement().satisfies(x -> assertThat(x.decodeError).isEqualTo("file.x: line 1 holds"
                + " sequence data before the first '>' header line; is this a FASTA file? (it starts with \"hello\");"
                + " the rest of the file is skipped"));
    }

    @Test
    void aTokenFileThatFailsMidwayIsClosedByARefusedPosition() throws IOException {
        InputStream failing = new SequenceInputStream(new ByteArrayInputStream("1 2 3 4 5 ".getBytes(
                StandardCharsets.US_ASCII)), new InputStream() {
                    @Override
                    public int read() throws IOException {
                        throw new IOException("disk gone");
                    }
                });
        List<SequenceFragment> f = read(() -> failing, FeatureKind.TOKENS, 2, StreamLimits.DEFAULTS, 1 << 20);
        assertThat(f).extracting(x -> x.decodeError != null ? x.decodeError
                : x.offset + ":" + Arrays.toString(ids(x)) + (x.last ? "!" : "")).containsExactly("0:[1, 2]",
                "2:[3, 4]", "file.x could not be read after 2 fragments (IOException: disk gone); the rest of the file"
                        + " is skipped", "4:[-1]!");
    }

    @Test
    void logFilesAreOneLinePerPosition() throws IOException {
        List<SequenceFragment> f = read("first line\n\nthird 1.2.3.4\nfourth", FeatureKind.LOG, 2);
        assertThat(f).extracting(x -> x.offset + ":" + payload(x) + (x.last ? "!" : ""))
                .containsExactly("0:first line\n\n", "2:third 1.2.3.4\nfourth\n!");
    }

    @Test
    void emptyWholeFilesAreOneEmptyLastFragment() throws IOException {
        assertThat(read("", FeatureKind.LOG, 5)).singleElement()
                .satisfies(x -> assertThat(x.last && x.payload.length == 0 && x.offset == 0).isTrue());
        assertThat(read("  \n", FeatureKind.TOKENS, 5)).singleElement()
                .satisfies(x -> assertThat(x.last && x.payload.length == 0).isTrue());
    }

    static int[] ids(SequenceFragment f) {
        ByteBuffer b = ByteBuffer.wrap(f.payload);
        int[] out = new int[f.payload.length / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getInt();
        }
        return out;
    }
}
