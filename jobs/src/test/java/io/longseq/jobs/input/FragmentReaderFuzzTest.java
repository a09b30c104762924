package io.longseq.jobs.input;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.ModelConfig;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.input.SequenceFragment;
import io.longseq.stream.input.ValidateFunction;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * Fuzzes the streaming job's file reader, {@link FragmentReader}, and hands every fragment it makes to
 * {@code validate}'s rules, as the file source of the job does (docs/fuzzing.md). The documented refusal is an
 * {@link IOException} (a file that is not FASTA/FASTQ) naming the file in one line; {@code validate} never throws.
 * The fragments must be well formed: numbered 0, 1, ... in the file; at most {@code fragment-size} positions; DNA
 * records cut in order (offsets 0, size, 2·size, ... per record, the record's last fragment flagged); a token or log
 * file one sequence with contiguous offsets whose last fragment, and only that one, is flagged.
 *
 * <p>Input layout (a short input reads as zero-padded): byte 0 = flags (1: the body is
 * {@code prefix NUL unit NUL suffix}, standing for {@code prefix + unit × repeat + suffix}), bytes 1-2 = repeat
 * count, bytes 3-4 = fragment size - 1 (mod 4096), the rest the file. Files are cut as in
 * {@link InputReadersFuzzTest}.
 */
class FragmentReaderFuzzTest {

    private static final StreamSettings DNA = StreamSettings.defaults(ModelConfig.builder()
            .featureKind(FeatureKind.DNA).kmer(3).build());
    private static final StreamSettings TOKENS = StreamSettings.defaults(ModelConfig.builder()
            .featureKind(FeatureKind.TOKENS).vocabSize(1000).build());
    private static final StreamSettings LOG = StreamSettings.defaults(ModelConfig.builder()
            .featureKind(FeatureKind.LOG).vocabSize(1 << 16).maxFeatures(16).build());

    @FuzzTest(maxDuration = "2m")
    void dna(byte[] input) throws IOException {
        read(DNA, input, InputReadersFuzzTest.MAX_FILE);
    }

    @FuzzTest(maxDuration = "2m")
    void tokens(byte[] input) throws IOException {
        read(TOKENS, input, InputReadersFuzzTest.MAX_FILE);
    }

    @FuzzTest(maxDuration = "2m")
    void log(byte[] input) throws IOException {
        read(LOG, input, InputReadersFuzzTest.MAX_LOG_FILE);
    }

    private static void read(StreamSettings settings, byte[] input, int max) throws IOException {
        byte[] in = Arrays.copyOf(input, Math.max(input.length, 5));
        int size = 1 + ((((in[3] & 0xFF) << 8) | (in[4] & 0xFF)) % 4096);
        // the body of InputReadersFuzzTest's layout: flags and repeat, then the file (bytes 3-4 cut out)
        byte[] layout = new byte[in.length - 2];
        System.arraycopy(in, 0, layout, 0, 3);
        System.arraycopy(in, 5, layout, 3, in.length - 5);
        byte[] file = InputReadersFuzzTest.body(layout, max);
        FeatureKind kind = settings.model().featureKind();

        long fragments = 0;
        long wholeFileNext = 0;
        SequenceFragment previous = null;
        try (FragmentReader r = new FragmentReader(new ByteArrayInputStream(file), "in.x", "in.x", kind, size)) {
            SequenceFragment f;
            boolean refusedAny = false;
            while ((f = r.next()) != null) {
                assertThat(f.source).isEqualTo("in.x");
                assertThat(f.sourceOffset).as("fragment number").isEqualTo(fragments++);
                if (f.decodeError != null) { // a record the reader refused: validate makes its dead letter
                    assertThat(f.decodeError).as("reader's refusal").contains("in.x").doesNotContain("\n");
                    assertThat(ValidateFunction.check(f, settings).reason()).isNotNull();
                    refusedAny = true;
                    continue;
                }
                assertThat(f.kind).isEqualTo(kind);
                if (refusedAny) { // after a refusal the reader closes or skips: only validate's rule applies
                    ValidateFunction.Result v = ValidateFunction.check(f, settings);
                    assertThat(v.fragment() == null).isNotEqualTo(v.reason() == null);
                    previous = f;
                    continue;
                }
                long positions = f.positions();
                assertThat(positions).as("positions").isBetween(0L, (long) size);
                if (kind == FeatureKind.DNA) {
                    boolean first = previous == null || previous.last;
                    long expected = first ? 0 : previous.offset + previous.payload.length;
                    assertThat(f.offset).as("offset of a DNA fragment").isEqualTo(expected);
                    if (!first) {
                        assertThat(f.sequenceId).isEqualTo(previous.sequenceId);
                    }
                    assertThat(f.last || positions == size).as("only a record's last fragment is short").isTrue();
                } else {
                    assertThat(previous == null || !previous.last).as("nothing after the last fragment").isTrue();
                    assertThat(f.sequenceId).isEqualTo("in.x");
                    assertThat(f.offset).as("offset in the file").isEqualTo(wholeFileNext);
                    wholeFileNext += positions;
                }
                ValidateFunction.Result v = ValidateFunction.check(f, settings);
                assertThat(v.fragment() == null).isNotEqualTo(v.reason() == null);
                if (v.reason() != null) {
                    assertThat(v.reason()).doesNotContain("\n");
                }
                previous = f;
            }
            assertThat(refusedAny || previous == null || previous.last).as("the file ends with a last fragment")
                    .isTrue();
            if (kind != FeatureKind.DNA && !refusedAny) {
                assertThat(previous).as("a token or log file is at least one (empty) fragment").isNotNull();
            }
        } catch (IOException e) {
            assertThat(e.getMessage()).as("refusal message").contains("in.x").doesNotContain("\n");
        }
    }
}
