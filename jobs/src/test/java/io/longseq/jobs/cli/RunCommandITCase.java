package io.longseq.jobs.cli;

import static io.longseq.jobs.cli.OfflineCommandTest.args;
import static io.longseq.jobs.cli.OfflineCommandTest.cli;
import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.jobs.LongseqOptions;
import io.longseq.jobs.MiniJson;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code longseq run} in-process, end to end on the embedded Flink (a local MiniCluster per run): files in,
 * merged JSON lines out, compared with {@code offline} on the same input, which computes without Flink.
 */
class RunCommandITCase {

    @TempDir
    Path dir;

    /** Three FASTA records (lower case, runs of N, odd line width, gzip) at parallelism 2, fragments of 97. */
    @Test
    void runEqualsOfflineLineForLineOnAMultiRecordGzipFasta() throws IOException {
        Random r = new Random(7);
        String a = OfflineCommandTest.firstBases(OfflineCommandTest.exampleGenome(), 5_000).toLowerCase();
        String b = random(r, 1_200) + "N".repeat(300) + random(r, 900);
        String c = random(r, 17);
        Path fasta = dir.resolve("three.fa.gz");
        writeGzipFasta(fasta, List.of("first lambda start", "second", "third tiny"), List.of(a, b, c), 7);

        OfflineCommandTest.Run run = cli(args("run", fasta.toString(), "--out", dir.resolve("run").toString(),
                "--parallelism", "2", "--fragment-size", "97"));
        OfflineCommandTest.Run off = cli(args("offline", fasta.toString(), "--out", dir.resolve("off").toString()));
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(off.exit()).as(off.err()).isZero();

        assertThat(Files.readAllLines(dir.resolve("run/blocks.jsonl")))
                .isEqualTo(Files.readAllLines(dir.resolve("off/blocks.jsonl")))
                .hasSize((5_000 + 15) / 16 + (2_400 + 15) / 16 + 2);
        assertThat(run.out()).contains("sequences: 3, 7,417 positions in " + ((5_000 + 15) / 16 + 150 + 2) + " blocks")
                .contains("notices:   3 ended").contains("refused:   none");
        List<String> notices = Files.readAllLines(dir.resolve("run/notices.jsonl"));
        assertThat(notices).hasSize(3).allMatch(l -> l.contains("\"kind\":\"ENDED\""));
        assertThat(Files.readAllLines(dir.resolve("run/dead-letters.jsonl"))).isEmpty();
        try (var files = Files.list(dir.resolve("run"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("blocks.jsonl", "notices.jsonl", "dead-letters.jsonl", "links.bedpe",
                            "tracks.bedgraph", "settings.json");
        }
        for (String f : List.of("links.bedpe", "tracks.bedgraph")) { // DNA: the genome-browser files, as offline's
            assertThat(Files.readAllBytes(dir.resolve("run").resolve(f))).as(f)
                    .isEqualTo(Files.readAllBytes(dir.resolve("off").resolve(f)));
        }
    }

    /** Two logs with an alert threshold: alerts.jsonl as offline writes it for each, in input order. */
    @Test
    void alertsOfLogsEqualOfflines() throws IOException {
        List<String> all = new ArrayList<>();
        List<Path> logs = List.of(dir.resolve("a.log"), dir.resolve("b.log"));
        for (int i = 0; i < logs.size(); i++) {
            Files.write(logs.get(i), io.longseq.jobs.TestInputs.syntheticLog(20 + i, 500), StandardCharsets.UTF_8);
        }
        String[] common = {"--alert-threshold", "0.01", "--vocab-size", "4096"};
        OfflineCommandTest.Run run = cli(concat(args("run", logs.get(0).toString(), logs.get(1).toString(), "--out",
                dir.resolve("run").toString(), "--parallelism", "2", "--fragment-size", "60"), common));
        assertThat(run.exit()).as(run.err()).isZero();
        for (Path log : logs) {
            Path off = dir.resolve("off-" + log.getFileName());
            OfflineCommandTest.Run o = cli(concat(args("offline", log.toString(), "--out", off.toString()), common));
            assertThat(o.exit()).as(o.err()).isZero();
            all.addAll(Files.readAllLines(off.resolve("alerts.jsonl")));
        }
        assertThat(all).isNotEmpty();
        assertThat(Files.readAllLines(dir.resolve("run/alerts.jsonl"))).isEqualTo(all);
        assertThat(run.out()).contains("alerts:    " + all.size() + " blocks with novelty 0.01 or more");
        assertThat(dir.resolve("run/links.bedpe")).doesNotExist();
    }

    /** FASTQ records give the blocks of the same bases as FASTA. */
    @Test
    void fastqInputGivesTheSameBlocksAsFasta() throws IOException {
        Random r = new Random(11);
        String s1 = random(r, 700);
        String s2 = random(r, 333);
        Path fq = dir.resolve("reads.fastq");
        Files.writeString(fq, "@read1 some description\n" + s1 + "\n+\n" + "I".repeat(700) + "\n"
                + "@read2\n" + s2 + "\n+read2\n" + "#".repeat(333) + "\n");
        Path fa = dir.resolve("reads.fa");
        OfflineCommandTest.writeFasta(fa, List.of("read1 some description", "read2"), List.of(s1, s2));

        OfflineCommandTest.Run run = cli(args("run", fq.toString(), "--out", dir.resolve("fq").toString(), "-p", "1"));
        OfflineCommandTest.Run off = cli(args("offline", fa.toString(), "--out", dir.resolve("fa").toString()));
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(off.exit()).as(off.err()).isZero();
        assertThat(Files.readAllLines(dir.resolve("fq/blocks.jsonl")))
                .hasSize(44 + 21)
                .isEqualTo(Files.readAllLines(dir.resolve("fa/blocks.jsonl")));
    }

    /** A record with a byte that is no base: a dead letter with its reason and bytes, exit 1, others unchanged. */
    @Test
    void aBadFragmentIsADeadLetterAndTheOtherRecordsAreUnaffected() throws IOException {
        Random r = new Random(3);
        String good1 = random(r, 400);
        String bad = random(r, 150) + "-" + random(r, 49);
        String good2 = random(r, 250);
        Path fasta = dir.resolve("mixed.fa");
        OfflineCommandTest.writeFasta(fasta, List.of("good1", "bad", "good2"), List.of(good1, bad, good2));

        OfflineCommandTest.Run run = cli(args("run", fasta.toString(), "--out", dir.resolve("run").toString(),
                "--fragment-size", "1000"));
        OfflineCommandTest.Run off = cli(args("offline", fasta.toString(), "--out", dir.resolve("off").toString()));
        assertThat(run.exit()).isEqualTo(1);
        assertThat(off.exit()).isEqualTo(1);
        assertThat(run.out()).contains("refused:   1 records");
        assertThat(Files.readAllLines(dir.resolve("run/blocks.jsonl")))
                .isEqualTo(Files.readAllLines(dir.resolve("off/blocks.jsonl")))
                .hasSize(25 + 16);

        List<String> dead = Files.readAllLines(dir.resolve("run/dead-letters.jsonl"));
        assertThat(dead).hasSize(1);
        Map<String, Object> d = MiniJson.object(dead.get(0));
        assertThat(d.get("sequenceId")).isEqualTo("bad");
        assertThat(d.get("stage")).isEqualTo("validate");
        assertThat((String) d.get("reason")).contains("invalid base '-'").contains("position 150");
        assertThat((String) d.get("source")).endsWith("mixed.fa");
        assertThat(new String(Base64.getDecoder().decode((String) d.get("payloadBase64")), StandardCharsets.US_ASCII))
                .isEqualTo(bad);
    }

    /** A 5 MB header and a 700 KB id: no StackOverflowError, one dead letter each, the other records unchanged. */
    @Test
    void aFiveMbHeaderAndA700KbIdAreDeadLettersAndTheOtherRecordsAreUnchanged() throws IOException {
        Path[] in = OfflineCommandTest.hostileFasta(dir);
        OfflineCommandTest.Run run = cli(args("run", in[0].toString(), "--out", dir.resolve("run").toString(),
                "-p", "2"));
        OfflineCommandTest.Run off = cli(args("offline", in[1].toString(), "--out", dir.resolve("off").toString()));
        assertThat(run.exit()).as(run.err()).isEqualTo(1);
        assertThat(off.exit()).as(off.err()).isZero();
        assertThat(run.err()).doesNotContain("Exception").doesNotContain("Error");
        assertThat(run.out()).contains("refused:   2 records").contains("sequences: 3");
        assertThat(Files.readAllLines(dir.resolve("run/blocks.jsonl")))
                .isEqualTo(Files.readAllLines(dir.resolve("off/blocks.jsonl"))).hasSize(25);

        List<Map<String, Object>> dead = Files.readAllLines(dir.resolve("run/dead-letters.jsonl")).stream()
                .map(MiniJson::object).toList();
        assertThat(dead).hasSize(2);
        assertThat(dead).allSatisfy(d -> {
            assertThat((String) d.get("source")).endsWith("hostile.fa");
            assertThat(Base64.getDecoder().decode((String) d.get("payloadBase64"))).hasSize(65_536);
            assertThat((String) d.get("reason")).hasSizeLessThan(300);
        });
        assertThat((String) dead.get(0).get("reason")).contains("FASTA header of 5,242,880 bytes at line 6 of ")
                .endsWith("hostile.fa is over the limit of 65,536 bytes (max-header-bytes); the record is skipped");
        assertThat((String) dead.get(1).get("reason")).contains("FASTA header of 700,012 bytes at line 13 of ");
    }

    /** The id passes raised limits and reaches blocks.jsonl: merging reads it with a scanner, not a regex. */
    @Test
    void a700KbEscapedIdWithinRaisedLimitsGoesThroughTheJobAndTheMerge() throws IOException {
        Path fasta = dir.resolve("long-id.fa");
        String id = OfflineCommandTest.hostileId();
        OfflineCommandTest.writeFasta(fasta, List.of(id + " d", "short"), List.of(random(new Random(2), 300), "ACGT"));
        String[] raised = {"--max-header-bytes", "1000000", "--max-id-bytes", "1000000"};
        OfflineCommandTest.Run run = cli(args(concat(new String[] {"run", fasta.toString(), "--out",
                dir.resolve("run").toString(), "-p", "2"}, raised)));
        OfflineCommandTest.Run off = cli(args(concat(new String[] {"offline", fasta.toString(), "--out",
                dir.resolve("off").toString()}, raised)));
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(off.exit()).as(off.err()).isZero();
        List<String> blocks = Files.readAllLines(dir.resolve("run/blocks.jsonl"));
        assertThat(blocks).isEqualTo(Files.readAllLines(dir.resolve("off/blocks.jsonl"))).hasSize(19 + 1);
        assertThat(MiniJson.object(blocks.get(0)).get("sequenceId")).isEqualTo(id);
        assertThat(run.out()).contains("sequences: 2");
    }

    /**
     * Several inputs, three of them bad: a corrupt gzip, a file that is no FASTA, one that does not exist. The good
     * file's blocks are those of a run of it alone; each bad file is one dead letter naming it; exit 1.
     */
    @Test
    void badFilesAmongSeveralInputsAreDeadLettersAndTheGoodOneCompletes() throws IOException {
        Random r = new Random(9);
        Path good = dir.resolve("good.fa");
        OfflineCommandTest.writeFasta(good, List.of("g1", "g2"), List.of(random(r, 500), random(r, 77)));
        Path corrupt = dir.resolve("corrupt.fa.gz");
        byte[] junk = new byte[4096];
        r.nextBytes(junk);
        byte[] gz = new byte[10 + junk.length];
        System.arraycopy(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3}, 0, gz, 0, 10); // a valid header
        System.arraycopy(junk, 0, gz, 10, junk.length);
        Files.write(corrupt, gz);
        Path notFasta = dir.resolve("notes.fa");
        Files.writeString(notFasta, "these are my notes\n>not a header at the start\nACGT\n");
        Path missing = dir.resolve("missing.fa");

        OfflineCommandTest.Run all = cli(args("run", corrupt.toString(), good.toString(), notFasta.toString(),
                missing.toString(), "--out", dir.resolve("all").toString(), "-p", "2"));
        OfflineCommandTest.Run alone = cli(args("run", good.toString(), "--out", dir.resolve("alone").toString()));
        assertThat(alone.exit()).as(alone.err()).isZero();
        assertThat(all.exit()).as(all.err()).isEqualTo(1);
        assertThat(Files.readAllLines(dir.resolve("all/blocks.jsonl")))
                .isEqualTo(Files.readAllLines(dir.resolve("alone/blocks.jsonl"))).hasSize(32 + 5);
        assertThat(all.err()).contains("longseq run: not read: input '" + missing + "' does not exist; the other"
                + " inputs run").doesNotContain("Exception:").doesNotContain("\tat ");
        assertThat(all.out()).contains("refused:   3 records");

        List<Map<String, Object>> dead = Files.readAllLines(dir.resolve("all/dead-letters.jsonl")).stream()
                .map(MiniJson::object).toList();
        assertThat(dead).extracting(d -> (String) d.get("reason")).satisfiesExactlyInAnyOrder(
                reason -> assertThat(reason).isEqualTo("input '" + missing + "' does not exist; the other inputs run"),
                reason -> assertThat(reason).contains("corrupt.fa.gz could not be read (ZipException: ")
                        .endsWith("; the rest of the file is skipped"),
                reason -> assertThat(reason).contains("notes.fa: line 1 holds sequence data before the first '>'"
                        + " header line; is this a FASTA file? (it starts with \"these are my notes\"); the rest of"
                        + " the file is skipped"));
        assertThat(dead).extracting(d -> (String) d.get("stage")).containsOnly("input", "validate");
    }

    @Test
    void invalidOptionsEndWithExitCode2AndNameTheFlag() throws IOException {
        Path fasta = dir.resolve("x.fa");
        OfflineCommandTest.writeFasta(fasta, List.of("x"), List.of("ACGT"));
        OfflineCommandTest.Run badChunk = cli("run", fasta.toString(), "--chunk-size", "100", "--block-size", "64");
        assertThat(badChunk.exit()).isEqualTo(2);
        assertThat(badChunk.err()).contains("--chunk-size");
        OfflineCommandTest.Run badGap = cli("run", fasta.toString(), "--gap-policy", "sometimes");
        assertThat(badGap.exit()).isEqualTo(2);
        assertThat(badGap.err()).contains("--gap-policy").contains("fail-sequence or skip");
        OfflineCommandTest.Run notANumber = cli("run", fasta.toString(), "--d-model", "wide");
        assertThat(notANumber.exit()).isEqualTo(2);
        assertThat(notANumber.err()).contains("longseq.model.d-model");
        OfflineCommandTest.Run missing = cli("run", dir.resolve("nope.fa").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.fa").contains("does not exist");
        OfflineCommandTest.Run full = cli("run", fasta.toString(), "--local-mode", "full");
        assertThat(full.exit()).isEqualTo(2);
        assertThat(full.err()).contains("offline baseline only");
    }

    @Test
    void helpListsEveryOptionWithItsDefaultAndKey() {
        OfflineCommandTest.Run help = cli("run", "--help");
        assertThat(help.exit()).isZero();
        String text = help.out().replaceAll("\\s+", ""); // the help wraps long keys
        for (var o : LongseqOptions.ALL) {
            assertThat(text).contains(LongseqOptions.flag(o)).contains("key" + o.key());
        }
        assertThat(text).contains("default:30min").contains("default:fail-sequence");
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static String random(Random r, int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append("ACGT".charAt(r.nextInt(4)));
        }
        return b.toString();
    }

    static void writeGzipFasta(Path path, List<String> headers, List<String> seqs, int width) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < headers.size(); i++) {
            b.append('>').append(headers.get(i)).append('\n');
            String s = seqs.get(i);
            for (int p = 0; p < s.length(); p += width) {
                b.append(s, p, Math.min(s.length(), p + width)).append('\n');
            }
        }
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(path))) {
            out.write(b.toString().getBytes(StandardCharsets.US_ASCII));
        }
    }
}
