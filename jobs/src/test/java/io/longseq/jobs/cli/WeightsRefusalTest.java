package io.longseq.jobs.cli;

import static io.longseq.jobs.cli.OfflineCommandTest.args;
import static io.longseq.jobs.cli.OfflineCommandTest.cli;
import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.WeightsInit;
import io.longseq.math.weights.WeightsIo;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} and {@code offline} check a weights file the same way, before anything starts: a file that cannot be
 * used ends the command with exit code 2 and exactly one line on stderr, in file mode and in Kafka mode alike.
 */
class WeightsRefusalTest {

    @TempDir
    Path dir;

    /** The shape options of {@link OfflineCommandTest#SMALL}: d = 32, f = 64, k = 3. */
    private static final ModelConfig SMALL = ModelConfig.builder().dModel(32).heads(4).window(8).blockSize(16)
            .chunkSize(64).kmer(3).ffnDim(64).build();

    /** A valid weights file for SMALL with one entry's .npy bytes replaced (STORED, sizes and CRC true). */
    private Path withEntry(String file, String array, byte[] npy) throws IOException {
        Path valid = dir.resolve("valid.npz");
        WeightsIo.save(valid, WeightsInit.defaults(SMALL, 1));
        Path out = dir.resolve(file);
        try (ZipFile in = new ZipFile(valid.toFile());
             OutputStream os = Files.newOutputStream(out);
             ZipOutputStream z = new ZipOutputStream(os)) {
            for (ZipEntry e : in.stream().toList()) {
                byte[] bytes = e.getName().equals(array + ".npy") ? npy : in.getInputStream(e).readAllBytes();
                ZipEntry ze = new ZipEntry(e.getName());
                CRC32 crc = new CRC32();
                crc.update(bytes);
                ze.setMethod(ZipEntry.STORED);
                ze.setSize(bytes.length);
                ze.setCompressedSize(bytes.length);
                ze.setCrc(crc.getValue());
                z.putNextEntry(ze);
                z.write(bytes);
                z.closeEntry();
            }
        }
        return out;
    }

    /** A version 1.0 .npy: magic, version, uint16 header length, the dict padded to 64 bytes, then the data. */
    private static byte[] npy(String shapeTuple, byte[] data) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeTuple + ", }";
        int total = (10 + dict.length() + 1 + 63) / 64 * 64;
        String header = dict + " ".repeat(total - 10 - dict.length() - 1) + "\n";
        ByteBuffer bb = ByteBuffer.allocate(total + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0)
                .putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII)).put(data);
        return bb.array();
    }

    private Path fasta() throws IOException {
        Path fasta = dir.resolve("a.fa");
        OfflineCommandTest.writeFasta(fasta, List.of("a"), List.of("ACGTACGTACGTACGTACGTACGTACGTACGT"));
        return fasta;
    }

    /** Every command refuses {@code npz} with exit code 2 and exactly "longseq CMD: " + problem on stderr. */
    private void assertRefusedEverywhere(Path npz, String problem) throws IOException {
        Path fasta = fasta();
        String nl = System.lineSeparator();
        OfflineCommandTest.Run offline = cli(args("offline", fasta.toString(), "--weights", npz.toString(),
                "--out", dir.resolve("off").toString()));
        assertThat(offline.exit()).isEqualTo(2);
        assertThat(offline.err()).isEqualTo("longseq offline: " + problem + nl);

        OfflineCommandTest.Run run = cli(args("run", fasta.toString(), "--weights", npz.toString(),
                "--out", dir.resolve("run").toString()));
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("longseq run: " + problem + nl);

        // Kafka mode: refused in the client, before any broker is contacted (nothing listens on port 1)
        OfflineCommandTest.Run kafka = cli(args("run", "--bootstrap-servers", "127.0.0.1:1", "--weights", npz.toString()));
        assertThat(kafka.exit()).isEqualTo(2);
        assertThat(kafka.err()).isEqualTo("longseq run: " + problem + nl);
        assertThat(Files.exists(dir.resolve("off"))).as("offline wrote nothing").isFalse();
        assertThat(Files.exists(dir.resolve("run"))).as("run wrote nothing").isFalse();
    }

    @Test
    void aHeaderDeclaring1_9e9ElementsIsRefusedByShape() throws IOException {
        Path npz = withEntry("oom.npz", "layer0.wq", npy("(1900000000,)", new byte[65]));
        assertRefusedEverywhere(npz, "weights file '" + npz + "': array 'layer0.wq' has shape (1900000000,) but"
                + " d-model 32 needs (32, 32)");
    }

    @Test
    void aNaNWeightIsRefusedWithItsIndex() throws IOException {
        byte[] gain = new byte[4 * 32];
        ByteBuffer.wrap(gain).order(ByteOrder.LITTLE_ENDIAN).putFloat(4 * 5, Float.NaN);
        Path npz = withEntry("nan.npz", "lnf.gain", npy("(32,)", gain));
        assertRefusedEverywhere(npz, "weights file '" + npz + "': array 'lnf.gain' holds NaN at index (5,); every"
                + " weight must be a finite float32");
    }

    @Test
    void aMissingOrNonZipFileIsRefused() throws IOException {
        Path missing = dir.resolve("nope.npz");
        assertRefusedEverywhere(missing, "weights file '" + missing + "' does not exist or is not a file");
        Path text = Files.writeString(dir.resolve("text.npz"), "not a zip");
        assertRefusedEverywhere(text, "weights file '" + text + "' is not a readable zip archive (truncated, or not"
                + " an .npz file, which is numpy's zip of .npy arrays): zip END header not found");
    }

    /** A valid file passes the client's check, loads in every operator's open(), and gives offline's lines. */
    @Test
    void validWeightsRunLineForLineAsOffline() throws IOException {
        Path npz = dir.resolve("random.npz");
        WeightsIo.save(npz, WeightsInit.random(SMALL, 5, 1f));
        Path fasta = dir.resolve("b.fa");
        OfflineCommandTest.writeFasta(fasta, List.of("b"), List.of("ACGTTGCAAC".repeat(30)));
        OfflineCommandTest.Run run = cli(args("run", fasta.toString(), "--weights", npz.toString(),
                "--out", dir.resolve("run").toString(), "--parallelism", "1"));
        OfflineCommandTest.Run off = cli(args("offline", fasta.toString(), "--weights", npz.toString(),
                "--out", dir.resolve("off").toString()));
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(off.exit()).as(off.err()).isZero();
        assertThat(Files.readAllLines(dir.resolve("run/blocks.jsonl")))
                .isEqualTo(Files.readAllLines(dir.resolve("off/blocks.jsonl"))).hasSize(300 / 16 + 1);
    }
}
