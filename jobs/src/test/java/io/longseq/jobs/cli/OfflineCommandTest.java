package io.longseq.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.longseq.jobs.MiniJson;
import io.longseq.jobs.input.FastaReader;
import io.longseq.jobs.input.FastaReaderTest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI run in-process, end to end: input file in, blocks.jsonl out, exit codes and messages. */
public class OfflineCommandTest {

    /** A small model: d = 32, h = 4, w = 8, B = 16, C = 64, k = 3. */
    static final String[] SMALL = {"--d-model", "32", "--heads", "4", "--window", "8", "--block-size", "16",
            "--chunk-size", "64", "--kmer", "3", "--ffn-dim", "64"};

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    @Test
    void nd4jAndReferenceAgreeOnTheStartOfTheLambdaGenome() throws IOException {
        Path fasta = dir.resolve("lambda_3k.fa");
        String bases = firstBases(exampleGenome(), 3_000);
        writeFasta(fasta, List.of("lambda_3k cut from examples/lambda_virus.fa.gz"), List.of(bases));

        Run nd4j = cli(args("offline", fasta.toString(), "--out", dir.resolve("nd4j").toString(), "--engine", "nd4j"));
        Run ref = cli(args("offline", "--input", fasta.toString(), "--out", dir.resolve("ref").toString(),
                "--engine", "reference"));
        assertThat(nd4j.exit()).as(nd4j.err()).isZero();
        assertThat(ref.exit()).as(ref.err()).isZero();
        assertThat(nd4j.out()).contains("3,000 in 188 blocks").contains("engine nd4j");
        assertThat(ref.out()).contains("3,000 in 188 blocks").contains("engine reference");

        List<Map<String, Object>> a = blocks(dir.resolve("nd4j"));
        List<Map<String, Object>> b = blocks(dir.resolve("ref"));
        assertThat(a).hasSize(188).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            Map<String, Object> x = a.get(i);
            Map<String, Object> y = b.get(i);
            assertThat(x.get("sequenceId")).isEqualTo("lambda_3k").isEqualTo(y.get("sequenceId"));
            assertThat(num(x, "block")).isEqualTo(i).isEqualTo(num(y, "block"));
            assertThat(num(x, "start")).isEqualTo(16L * i).isEqualTo(num(y, "start"));
            assertThat(num(x, "end")).isEqualTo(Math.min(3000, 16L * (i + 1))).isEqualTo(num(y, "end"));
            float[] cx = floats(x.get("context"));
            float[] cy = floats(y.get("context"));
            assertThat(cx).hasSize(32).hasSameSizeAs(cy);
            for (int c = 0; c < cx.length; c++) {
                assertThat((double) cx[c]).as("block %d context[%d]", i, c).isCloseTo(cy[c], offset(1e-4));
            }
            assertThat((double) flt(x, "selfWeight")).isCloseTo(flt(y, "selfWeight"), offset(1e-4));
        }
    }

    @Test
    void invalidBaseSkipsOnlyItsRecordAndNamesThePosition() throws IOException {
        Path fasta = dir.resolve("mixed.fa");
        String good = FastaReaderTest.randomBases(100, 1);
        String bad = good.substring(0, 37) + "-" + good.substring(38);
        writeFasta(fasta, List.of("first", "broken two", "third"), List.of(good, bad, good));

        Run run = cli(args("offline", fasta.toString(), "--out", dir.toString()));
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("skipping record 2 'broken'")
                .contains("invalid base '-' (0x2D) at position 37")
                .doesNotContain("Exception");
        assertThat(run.out()).contains("2 computed, 1 skipped");
        List<Map<String, Object>> blocks = blocks(dir);
        assertThat(blocks).extracting(o -> o.get("sequenceId")).containsOnly("first", "third");
        assertThat(blocks).hasSize(2 * 7);
    }

    @Test
    void badSettingExitsWithTwoAndNamesIt() throws IOException {
        Path fasta = dir.resolve("a.fa");
        writeFasta(fasta, List.of("a"), List.of("ACGTACGT"));

        // Defaults (d = 128) except for the one bad value: each option may appear once.
        Run heads = cli("offline", fasta.toString(), "--out", dir.toString(), "--heads", "5");
        assertThat(heads.exit()).isEqualTo(2);
        assertThat(heads.err()).contains("setting 'heads' = 5").contains("--heads").doesNotContain("\tat ");
        assertThat(dir.resolve("blocks.jsonl")).doesNotExist();

        Run chunk = cli("offline", fasta.toString(), "--block-size", "16", "--chunk-size", "100");
        assertThat(chunk.exit()).isEqualTo(2);
        assertThat(chunk.err()).contains("setting 'chunkSize' = 100").contains("multiple of blockSize=16")
                .contains("--chunk-size");

        Run pooling = cli("offline", fasta.toString(), "--pooling", "median");
        assertThat(pooling.exit()).isEqualTo(2);
        assertThat(pooling.err()).contains("--pooling").contains("mean|attention|max|conv");

        Run notANumber = cli("offline", fasta.toString(), "--window", "wide");
        assertThat(notANumber.exit()).isEqualTo(2);
        assertThat(notANumber.err()).contains("--window");

        Run both = cli("offline", fasta.toString(), "--seed", "1", "--weights", fasta.toString());
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("--weights and --seed");
    }

    @Test
    void unknownExtensionNeedsKind() throws IOException {
        Path data = dir.resolve("reads.bin");
        Files.writeString(data, ">a\nACGT\n");
        Run run = cli(args("offline", data.toString(), "--out", dir.toString()));
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("reads.bin").contains("--kind");

        Run withKind = cli(args("offline", data.toString(), "--kind", "dna", "--out", dir.toString()));
        assertThat(withKind.exit()).as(withKind.err()).isZero();
    }

    @Test
    void weightsFileMadeForAnotherShapeIsAUsageError() throws IOException {
        Path fasta = dir.resolve("a.fa");
        writeFasta(fasta, List.of("a"), List.of("ACGTACGT"));
        Path npz = dir.resolve("w.npz");
        io.longseq.math.model.ModelConfig other = io.longseq.math.model.ModelConfig.builder().dModel(16).heads(2).window(8)
                .ffnDim(64).kmer(3).blockSize(16).chunkSize(64).build();
        io.longseq.math.weights.WeightsIo.save(npz, io.longseq.math.weights.WeightsInit.defaults(other, 1));

        Run run = cli(args("offline", fasta.toString(), "--weights", npz.toString(), "--out", dir.toString()));
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("longseq offline: weights file '" + npz + "': array 'embedding' has shape"
                + " (66, 16) but kmer 3 (4^k + 2 = 66 rows) and d-model 32 need (66, 32)" + System.lineSeparator());

        Run ok = cli(new String[] {"offline", fasta.toString(), "--weights", npz.toString(), "--out", dir.toString(),
                "--d-model", "16", "--heads", "2", "--window", "8", "--ffn-dim", "64", "--kmer", "3",
                "--block-size", "16", "--chunk-size", "64"});
        assertThat(ok.exit()).as(ok.err()).isZero();
    }

    @Test
    void tokenAndLogFilesRun() throws IOException {
        Path tokens = dir.resolve("ids.tokens");
        StringBuilder t = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            t.append(i * 7 % 50).append(i % 10 == 9 ? "\n" : " ");
        }
        Files.writeString(tokens, t);
        Run tok = cli(args("offline", tokens.toString(), "--out", dir.resolve("t").toString(), "--vocab-size", "50"));
        assertThat(tok.exit()).as(tok.err()).isZero();
        assertThat(blocks(dir.resolve("t"))).hasSize(7).allSatisfy(o -> assertThat(o.get("sequenceId")).isEqualTo("ids.tokens"));

        Run outOfVocab = cli(args("offline", tokens.toString(), "--out", dir.resolve("t2").toString(), "--vocab-size", "20"));
        assertThat(outOfVocab.exit()).isEqualTo(1);
        assertThat(outOfVocab.err()).contains("token 3 (line 1) is 21, outside [0, 20)");

        Path log = dir.resolve("app.log");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            lines.add("2024-01-0" + (i % 9 + 1) + " INFO block blk_" + (1000 + i) + " served to 10.0.0." + i);
        }
        Files.write(log, lines);
        Run lg = cli(args("offline", log.toString(), "--out", dir.resolve("l").toString(), "--vocab-size", "4096"));
        assertThat(lg.exit()).as(lg.err()).isZero();
        assertThat(blocks(dir.resolve("l"))).hasSize(3);
    }

    /** The records of {@link #hostileFasta}: good ones around a 5 MB header and a 700 KB id. */
    static final List<String> HOSTILE_HEADERS = List.of("good1 first", "A".repeat(5 << 20), "good2",
            hostileId() + " description", "good3");

    /** A 700 KB first word full of JSON escapes: quotes, backslashes, a control character, non-ASCII, '/'. */
    static String hostileId() {
        return "q\"\\\u0001\u00e9/".repeat(100_000); // 700,000 bytes of UTF-8
    }

    /** Writes the hostile FASTA and the same without its two bad records; returns {hostile, goodOnly}. */
    static Path[] hostileFasta(Path dir) throws IOException {
        List<String> seqs = List.of(FastaReaderTest.randomBases(200, 11), FastaReaderTest.randomBases(90, 12),
                FastaReaderTest.randomBases(130, 13), FastaReaderTest.randomBases(70, 14),
                FastaReaderTest.randomBases(45, 15));
        Path hostile = dir.resolve("hostile.fa");
        writeFasta(hostile, HOSTILE_HEADERS, seqs);
        Path good = dir.resolve("good-only.fa");
        writeFasta(good, List.of(HOSTILE_HEADERS.get(0), HOSTILE_HEADERS.get(2), HOSTILE_HEADERS.get(4)),
                List.of(seqs.get(0), seqs.get(2), seqs.get(4)));
        return new Path[] {hostile, good};
    }

    @Test
    void aFiveMbHeaderAndA700KbIdAreRefusedInOneLineEachAndTheOtherRecordsAreUnchanged() throws IOException {
        Path[] in = hostileFasta(dir);
        Run run = cli(args("offline", in[0].toString(), "--out", dir.resolve("hostile").toString()));
        Run good = cli(args("offline", in[1].toString(), "--out", dir.resolve("good").toString()));
        assertThat(good.exit()).as(good.err()).isZero();
        assertThat(run.exit()).as(run.err()).isEqualTo(1);
        List<String> err = run.err().lines().toList();
        assertThat(err).hasSize(3).allSatisfy(l -> assertThat(l).hasSizeLessThan(400).doesNotContain("Exception"));
        assertThat(err.get(1)).isEqualTo("longseq offline: skipping record 2 '" + "A".repeat(40) + "...': FASTA header"
                + " of 5,242,880 bytes at line 6 of " + in[0] + " is over the limit of 65,536 bytes (max-header-bytes);"
                + " the record is skipped");
        assertThat(err.get(2)).startsWith("longseq offline: skipping record 4 'q\"\\?\u00e9/").contains(
                "': FASTA header of 700,012 bytes at line 13 of " + in[0] + " is over the limit of 65,536 bytes"
                + " (max-header-bytes); the record is skipped");
        assertThat(run.out()).contains("5 (3 computed, 2 skipped)");
        assertThat(Files.readAllLines(dir.resolve("hostile/blocks.jsonl")))
                .isEqualTo(Files.readAllLines(dir.resolve("good/blocks.jsonl")))
                .hasSize(13 + 9 + 3);
    }

    @Test
    void a700KbEscapedIdWithinRaisedLimitsIsComputedAndWrittenEscaped() throws IOException {
        Path fasta = dir.resolve("long-id.fa");
        String id = hostileId();
        writeFasta(fasta, List.of(id + " d", "short"), List.of(FastaReaderTest.randomBases(40, 1), "ACGT"));
        Run idTooLong = cli(args("offline", fasta.toString(), "--out", dir.resolve("a").toString(),
                "--max-header-bytes", "1000000"));
        assertThat(idTooLong.exit()).isEqualTo(1);
        assertThat(idTooLong.err()).contains("sequence id of 700,000 bytes at line 1 of " + fasta
                + " is over the limit of 4,096 bytes (max-id-bytes)");
        Run kept = cli(args("offline", fasta.toString(), "--out", dir.resolve("b").toString(),
                "--max-header-bytes", "1000000", "--max-id-bytes", "1000000"));
        assertThat(kept.exit()).as(kept.err()).isZero();
        assertThat(blocks(dir.resolve("b"))).extracting(o -> o.get("sequenceId"))
                .containsExactly(id, id, id, "short");
    }

    @Test
    void referenceEngineNeverLoadsNd4j() throws Exception {
        Path fasta = dir.resolve("a.fa");
        writeFasta(fasta, List.of("a"), List.of(FastaReaderTest.randomBases(200, 2)));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-verbose:class", "-cp", System.getProperty("java.class.path"),
                LongseqCli.class.getName()));
        cmd.addAll(List.of(args("offline", fasta.toString(), "--out", dir.toString(), "--engine", "reference")));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(output).isZero();
        assertThat(output).contains("io.longseq.math.reference.ReferenceModel")
                .doesNotContain("org.nd4j").doesNotContain("org.bytedeco").doesNotContain("SLF4J:");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = LongseqCli.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** The small model's options after the given ones. */
    static String[] args(String... first) {
        return Stream.concat(Stream.of(first), Stream.of(SMALL)).toArray(String[]::new);
    }

    /** examples/lambda_virus.fa.gz, found from the module or the repository root. */
    public static Path exampleGenome() {
        for (String base : new String[] {System.getProperty("basedir", "."), "."}) {
            for (String rel : new String[] {"../examples/lambda_virus.fa.gz", "examples/lambda_virus.fa.gz"}) {
                Path p = Path.of(base).resolve(rel);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        throw new IllegalStateException("examples/lambda_virus.fa.gz not found from " + Path.of(".").toAbsolutePath());
    }

    static String firstBases(Path fasta, int n) throws IOException {
        try (FastaReader reader = FastaReader.open(fasta)) {
            byte[] b = reader.next().bases();
            return new String(b, 0, Math.min(n, b.length), StandardCharsets.US_ASCII);
        }
    }

    static void writeFasta(Path path, List<String> headers, List<String> sequences) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int r = 0; r < headers.size(); r++) {
            b.append('>').append(headers.get(r)).append('\n');
            String s = sequences.get(r);
            for (int i = 0; i < s.length(); i += 60) {
                b.append(s, i, Math.min(s.length(), i + 60)).append('\n');
            }
        }
        Files.writeString(path, b);
    }

    static List<Map<String, Object>> blocks(Path outDir) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : Files.readAllLines(outDir.resolve("blocks.jsonl"))) {
            out.add(MiniJson.object(line));
        }
        return out;
    }

    private static long num(Map<String, Object> o, String key) {
        return ((MiniJson.Num) o.get(key)).asLong();
    }

    private static float flt(Map<String, Object> o, String key) {
        return ((MiniJson.Num) o.get(key)).asFloat();
    }

    private static float[] floats(Object o) {
        List<?> l = (List<?>) o;
        float[] v = new float[l.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = ((MiniJson.Num) l.get(i)).asFloat();
        }
        return v;
    }
}
