package io.longseq.jobs.input;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.ModelConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

/**
 * Fuzzes the offline readers of input files (docs/fuzzing.md): {@link FastaReader}, {@link FastqReader}, and the
 * {@link SequenceSource}s of a file on disk ({@link DnaRecordReader} with gzip detection, {@link TokenFileSource},
 * {@link LogFileSource}). The documented refusal is an {@link IOException} ({@link FastaReader.FormatException} for
 * a file that is not FASTA/FASTQ, gzip errors, a {@code .gz} name without gzip bytes) with a one-line message; a
 * record that breaks the model's rules comes back as a problem (one line), not a throwable. Anything else that
 * escapes is a finding.
 *
 * <p>Input layout (a short input reads as zero-padded): byte 0 = flags (1: the body is
 * {@code prefix NUL unit NUL suffix}, standing for {@code prefix + unit × repeat + suffix}; 2: the file is
 * gzip-compressed; 4: the file name ends in {@code .gz}), bytes 1-2 = repeat count (big-endian), the rest the
 * body: the file's bytes. Files are cut at {@link #MAX_FILE} bytes, log files at {@link #MAX_LOG_FILE}.
 */
class InputReadersFuzzTest {

    /** Enough for a 5 MB FASTA header (one of issue 20's bad inputs). */
    static final int MAX_FILE = 6 << 20;
    /** Masking a long log line is LogLinesFuzzTest's subject; a longer file would only slow the run here. */
    static final int MAX_LOG_FILE = 8 << 10;
    private static final int VOCAB = 1000;
    private static final ModelConfig DNA = ModelConfig.builder().featureKind(FeatureKind.DNA).kmer(3).build();
    private static final ModelConfig TOKENS = ModelConfig.builder().featureKind(FeatureKind.TOKENS).vocabSize(VOCAB)
            .build();
    private static final ModelConfig LOG = ModelConfig.builder().featureKind(FeatureKind.LOG).vocabSize(1 << 16)
            .maxFeatures(16).build();
    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("readers-fuzz");
            DIR.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "2m")
    void fasta(byte[] input) throws IOException {
        byte[] bytes = body(input, MAX_FILE);
        try (FastaReader r = new FastaReader(new ByteArrayInputStream(bytes), "in.fa")) {
            readAll(r, bytes.length);
        } catch (FastaReader.FormatException e) {
            assertRefusal(e, "in.fa");
        }
    }

    @FuzzTest(maxDuration = "2m")
    void fastq(byte[] input) throws IOException {
        byte[] bytes = body(input, MAX_FILE);
        try (FastqReader r = new FastqReader(new ByteArrayInputStream(bytes), "in.fq")) {
            readAll(r, bytes.length);
        } catch (FastaReader.FormatException e) {
            assertRefusal(e, "in.fq");
        }
    }

    @FuzzTest(maxDuration = "2m")
    void dnaFile(byte[] input) throws IOException {
        readFile(input, "in.fa", DNA, MAX_FILE);
    }

    @FuzzTest(maxDuration = "2m")
    void tokenFile(byte[] input) throws IOException {
        readFile(input, "in.tok", TOKENS, MAX_FILE);
    }

    @FuzzTest(maxDuration = "2m")
    void logFile(byte[] input) throws IOException {
        readFile(input, "in.log", LOG, MAX_LOG_FILE);
    }

    /**
     * Every record of a reader: numbered upwards; a refused one (a header over its cap, a malformed FASTQ record)
     * carries a one-line problem naming the file and no bases; the others an id without white space and bases
     * without line ends.
     */
    private static void readAll(DnaRecordReader r, long inputBytes) throws IOException {
        int last = -1;
        long bases = 0;
        DnaRecordReader.Record rec;
        while ((rec = r.next()) != null) {
            assertThat(rec.number()).as("record number").isGreaterThan(last);
            last = rec.number();
            if (rec.problem() != null) {
                assertThat(rec.problem()).as("refused record").doesNotContain("\n");
                assertThat(rec.bases()).isEmpty();
                continue;
            }
            assertThat(rec.id()).isNotEmpty().doesNotContainAnyWhitespaces();
            for (int i = 0; i < rec.bases().length; i++) {
                if (rec.bases()[i] == '\n') {
                    throw new AssertionError("record " + rec.number() + " has a line end among its bases at " + i);
                }
            }
            bases += rec.bases().length;
        }
        assertThat(bases).as("bases").isLessThanOrEqualTo(inputBytes);
        assertThat(r.next()).as("still the end").isNull();
    }

    private static void readFile(byte[] input, String name, ModelConfig cfg, int max) throws IOException {
        int flags = input.length > 0 ? input[0] & 0xFF : 0;
        byte[] plain = body(input, max);
        byte[] bytes = (flags & 2) != 0 ? gzip(plain) : plain;
        Path file = DIR.resolve((flags & 4) != 0 ? name + ".gz" : name);
        Files.write(file, bytes);
        try (SequenceSource source = SequenceSource.open(file, cfg)) {
            SequenceSource.Sequence s;
            int n = 0;
            while ((s = source.next()) != null) {
                n++;
                assertThat(s.id()).isNotNull();
                if (s.isOk()) {
                    int f = cfg.featureKind() == FeatureKind.LOG ? cfg.maxFeatures() : 1;
                    assertThat(s.ids()).hasSize(s.positions() * f);
                    int low = cfg.featureKind() == FeatureKind.LOG ? -1 : 0;
                    for (int i = 0; i < s.ids().length; i++) {
                        if (s.ids()[i] < low || s.ids()[i] >= cfg.embeddingRows()) {
                            throw new AssertionError("sequence " + s.id() + ": id " + s.ids()[i] + " at " + i
                                    + " is outside [" + low + ", " + cfg.embeddingRows() + ")");
                        }
                    }
                } else {
                    assertThat(s.problem()).as("problem").isNotBlank().doesNotContain("\n");
                }
            }
            assertThat(n).as("sequences").isLessThanOrEqualTo(cfg.featureKind() == FeatureKind.DNA
                    ? plain.length : 1);
        } catch (IOException e) {
            assertRefusal(e, file.toString());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void assertRefusal(IOException e, String name) {
        assertThat(e.getMessage()).as("refusal message").contains(name).doesNotContain("\n");
    }

    /** The file's bytes: the body as is, or (flag 1) {@code prefix + unit × repeat + suffix}; at most max bytes. */
    static byte[] body(byte[] input, int max) {
        byte[] in = Arrays.copyOf(input, Math.max(input.length, 3));
        int repeat = ((in[1] & 0xFF) << 8) | (in[2] & 0xFF);
        byte[] body = Arrays.copyOfRange(in, 3, in.length);
        if ((in[0] & 1) != 0) {
            int a = indexOfNul(body, 0);
            int b = a < 0 ? -1 : indexOfNul(body, a + 1);
            if (b >= 0) {
                byte[] unit = Arrays.copyOfRange(body, a + 1, b);
                int n = unit.length == 0 ? 0 : Math.min(repeat, max / unit.length);
                ByteArrayOutputStream out = new ByteArrayOutputStream(a + n * unit.length + body.length - b);
                out.write(body, 0, a);
                for (int i = 0; i < n; i++) {
                    out.writeBytes(unit);
                }
                out.write(body, b + 1, body.length - b - 1);
                body = out.toByteArray();
            }
        }
        return body.length <= max ? body : Arrays.copyOf(body, max);
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length / 2 + 64);
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(b);
        }
        return out.toByteArray();
    }

    private static int indexOfNul(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
