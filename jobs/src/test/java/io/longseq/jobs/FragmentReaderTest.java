package io.longseq.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longseq.math.FeatureKind;
import io.longseq.stream.SequenceFragment;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Files cut into fragments: ids, offsets, sizes, the last flag and the source coordinates. */
class FragmentReaderTest {

    static List<SequenceFragment> read(String text, FeatureKind kind, int size) throws IOException {
        List<SequenceFragment> out = new ArrayList<>();
        try (FragmentReader r = new FragmentReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                "file.x", "file.x", kind, size)) {
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
    void fastqWithQualitiesOfTheWrongLengthIsAnError() {
        assertThatThrownBy(() -> read("@r1\nACGT\n+\nIII\n", FeatureKind.DNA, 10))
                .isInstanceOf(FastaReader.FormatException.class)
                .hasMessageContaining("'r1' has 4 bases but 3 quality characters");
    }

    @Test
    void tokenFilesAreOneSequenceOfBigEndianIds() throws IOException {
        List<SequenceFragment> f = read("1 2\t3\n\n4 x 6 7", FeatureKind.TOKENS, 3);
        assertThat(f).hasSize(3);
        assertThat(f).extracting(x -> x.offset).containsExactly(0L, 3L, 6L);
        assertThat(f).extracting(x -> x.last).containsExactly(false, false, true);
        assertThat(ids(f.get(0))).containsExactly(1, 2, 3);
        assertThat(ids(f.get(1))).containsExactly(4, -1, 6); // a word that is no integer: -1, refused by validate
        assertThat(ids(f.get(2))).containsExactly(7);
        assertThat(f).allMatch(x -> x.sequenceId.equals("file.x"));
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
