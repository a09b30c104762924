package io.longseq.math.weights;

import static io.longseq.math.weights.NpyBytes.bits;
import static io.longseq.math.weights.NpyBytes.floatsLe;
import static io.longseq.math.weights.NpyBytes.npy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weights files: a seeded init round-trips bitwise, and every kind of hostile file, built here byte by byte, is
 * refused with one exact line by {@link WeightsIo#check} and {@link WeightsIo#load} alike, before anything sized by
 * the file is allocated.
 */
class WeightsIoTest {

    @TempDir
    Path dir;

    /** A small config so weight files stay tiny: d = 4, f = 8, one layer, DNA k = 2 (18 embedding rows). */
    static final ModelConfig SMALL = ModelConfig.builder().kmer(2).dModel(4).heads(1).ffnDim(8).window(2)
            .blockSize(4).chunkSize(8).build();
    /** d = 128, the default width, with k = 2 and f = 8 so the file stays small (about 600 KB). */
    static final ModelConfig D128 = ModelConfig.builder().kmer(2).dModel(128).heads(2).ffnDim(8).window(2)
            .blockSize(4).chunkSize(8).build();

    /** check() gives exactly this line and load() throws it: the two share one validation. */
    private static void assertRefused(Path f, ModelConfig cfg, String problem) {
        String expected = "weights file '" + f + "'" + problem;
        assertThat(WeightsIo.check(f, cfg)).isEqualTo(Optional.of(expected));
        assertThatThrownBy(() -> WeightsIo.load(f, cfg)).isInstanceOf(NpzException.class).hasMessage(expected);
        assertThat(expected).doesNotContain("\n").doesNotContain("\r");
    }

    /** The entries of a valid weights file for {@code cfg}, entry name → .npy bytes, for tampering. */
    private Map<String, byte[]> validEntries(ModelConfig cfg) throws IOException {
        Path f = dir.resolve("valid.npz");
        WeightsIo.save(f, WeightsInit.defaults(cfg, 1));
        Map<String, byte[]> m = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(f.toFile())) {
            for (ZipEntry e : z.stream().toList()) {
                m.put(e.getName(), z.getInputStream(e).readAllBytes());
            }
        }
        return m;
    }

    private Path write(String name, ZipBytes zip) throws IOException {
        return Files.write(dir.resolve(name), zip.build());
    }

    /** The valid entries with some replaced, STORED, in the table's order. */
    private Path tampered(String name, ModelConfig cfg, Map<String, ZipBytes.Entry> replace) throws IOException {
        ZipBytes zip = new ZipBytes();
        for (Map.Entry<String, byte[]> e : validEntries(cfg).entrySet()) {
            ZipBytes.Entry r = replace.get(e.getKey());
            zip.add(r != null ? r : new ZipBytes.Entry(e.getKey(), e.getValue()));
        }
        return write(name, zip);
    }

    private Path tampered(String name, String entry, byte[] npy) throws IOException {
        return tampered(name, SMALL, Map.of(entry, new ZipBytes.Entry(entry, npy)));
    }

    // ------------------------------------------------------------------------------------------ valid files

    @Test
    void seededInitRoundTripIsBitwise() throws Exception {
        for (Weights w : new Weights[] {WeightsInit.defaults(SMALL, 7), WeightsInit.random(SMALL, 7, 1f),
                WeightsInit.random(D128, 3, 0.5f)}) {
            Path f = dir.resolve("w.npz");
            WeightsIo.save(f, w);
            assertThat(WeightsIo.check(f, w.config)).isEmpty();
            assertBitwiseEqual(WeightsIo.load(f, w.config), w);

            Path f2 = dir.resolve("w2.npz");
            WeightsIo.save(f2, WeightsIo.load(f, w.config));
            assertThat(Files.readAllBytes(f2)).isEqualTo(Files.readAllBytes(f));

            ZipBytes compressed = new ZipBytes(); // numpy.savez_compressed's layout: DEFLATED entries
            try (ZipFile z = new ZipFile(f.toFile())) {
                for (ZipEntry e : z.stream().toList()) {
                    compressed.add(new ZipBytes.Entry(e.getName(), z.getInputStream(e).readAllBytes()).deflated());
                }
            }
            Path c = write("compressed.npz", compressed);
            assertThat(WeightsIo.check(c, w.config)).isEmpty();
            assertBitwiseEqual(WeightsIo.load(c, w.config), w);
        }
    }

    private static void assertBitwiseEqual(Weights back, Weights w) {
        Map<String, float[]> a = w.toArrays();
        Map<String, float[]> b = back.toArrays();
        assertThat(b.keySet()).containsExactlyElementsOf(a.keySet());
        for (String k : a.keySet()) {
            assertThat(bits(b.get(k))).as(k).isEqualTo(bits(a.get(k)));
        }
    }

    @Test
    void fortranOrderIsReadAsTheSameMatrix() throws Exception {
        // layer0.wo = [[0, 1, 2, 3], [4, 5, 6, 7], ...] stored column by column, as numpy.save writes a W that is
        // the transpose of a C-ordered array (PyTorch's linear.weight.T)
        float[] c = new float[16];
        float[] fortran = new float[16];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                c[i * 4 + j] = i * 4 + j;
                fortran[j * 4 + i] = i * 4 + j;
            }
        }
        Path f = tampered("fortran.npz", "layer0.wo.npy", npy(1, "<f4", true, "(4, 4)", floatsLe(fortran), 20));
        assertThat(WeightsIo.check(f, SMALL)).isEmpty();
        assertThat(WeightsIo.load(f, SMALL).layers[0].wo).containsExactly(c);
    }

    // ------------------------------------------------------------------------------------- the OOM of issue 20

    /**
     * The 317-byte file of issue 20: one STORED entry {@code layer0.wq.npy} whose 128-byte header declares
     * 1.9e9 float32 values (7.6 GB), followed by 65 bytes. The old loader allocated {@code new float[1.9e9]} from the
     * header and died with OutOfMemoryError under the test heap of 4 GB.
     */
    static byte[] npz317() {
        return new ZipBytes().add("layer0.wq.npy", npy(1, "<f4", false, "(1900000000,)", new byte[65], 0)).build();
    }

    @Test
    void headerDeclaring1_9e9ElementsIsRefusedByShapeWithoutAllocating() throws Exception {
        Path alone = Files.write(dir.resolve("oom.npz"), npz317());
        assertThat(Files.size(alone)).isEqualTo(317);
        assertRefused(alone, D128, ": array 'embedding' is missing (expected float32 '<f4' of shape (18, 128))");

        Path full = tampered("oom-full.npz", D128, Map.of("layer0.wq.npy", new ZipBytes.Entry("layer0.wq.npy",
                npy(1, "<f4", false, "(1900000000,)", new byte[65], 0))));
        assertRefused(full, D128, ": array 'layer0.wq' has shape (1900000000,) but d-model 128 needs (128, 128)");
    }

    // ---------------------------------------------------------------------------------------- header checks

    @Test
    void wrongShapeSaysWhatTheConfigurationNeeds() throws IOException {
        assertRefused(tampered("w1.npz", "layer0.w1.npy", npy(1, "<f4", false, "(8, 4)", new byte[128], 20)), SMALL,
                ": array 'layer0.w1' has shape (8, 4) but d-model 4 and ffn-dim 8 need (4, 8)");
        assertRefused(tampered("emb.npz", "embedding.npy", npy(1, "<f4", false, "(16, 4)", new byte[256], 20)), SMALL,
                ": array 'embedding' has shape (16, 4) but kmer 2 (4^k + 2 = 18 rows) and d-model 4 need (18, 4)");
        assertRefused(tampered("b1.npz", "layer0.b1.npy", npy(1, "<f4", false, "(8, 1)", new byte[32], 20)), SMALL,
                ": array 'layer0.b1' has shape (8, 1) but ffn-dim 8 needs (8,)");
        ModelConfig tokens = SMALL.toBuilder().featureKind(FeatureKind.TOKENS).vocabSize(50).build();
        Map<String, byte[]> m = validEntries(SMALL); // made for DNA k = 2: 18 rows
        Path f = write("tokens.npz", fromMap(m));
        assertRefused(f, tokens, ": array 'embedding' has shape (18, 4) but vocab-size 50 and d-model 4 need (50, 4)");
    }

    private static ZipBytes fromMap(Map<String, byte[]> m) {
        ZipBytes z = new ZipBytes();
        m.forEach(z::add);
        return z;
    }

    @Test
    void wrongOrUnknownDtypeIsRefusedByName() throws IOException {
        assertRefused(tampered("f8.npz", "lnf.gain.npy", npy(1, "<f8", false, "(4,)", new byte[32], 20)), SMALL,
                ": array 'lnf.gain' has dtype '<f8' but weights are float32 '<f4' (export with array.astype(numpy.float32))");
        assertRefused(tampered("x9.npz", "lnf.gain.npy", npy(1, "<x9", false, "(4,)", new byte[36], 20)), SMALL,
                ": array 'lnf.gain' has dtype '<x9' but weights are float32 '<f4' (export with array.astype(numpy.float32))");
    }

    @Test
    void headerOverTheLimitIsRefusedBeforeItIsRead() throws IOException {
        // version 2.0 with a header length of 70,000 bytes; only 20 of them follow
        byte[] npy = new byte[12 + 20];
        System.arraycopy(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0x70, 0x11, 0x01, 0x00}, 0, npy, 0, 12);
        assertRefused(tampered("long.npz", "embedding.npy", npy), SMALL,
                ": array 'embedding': .npy header of 70,000 bytes is over the limit of 65,536 bytes");
    }

    @Test
    void malformedHeaderDictIsRefusedWithItsPosition() throws IOException {
        String dict = "{'descr': '<f4' 'fortran_order': False, 'shape': (4,), }"; // no comma after '<f4'
        assertRefused(tampered("dict.npz", "lnf.gain.npy", NpyBytes.raw(1, dict, new byte[16])), SMALL,
                ": array 'lnf.gain': malformed .npy header at character 16: expected ',' (header: " + dict + ")");

        String yes = "{'descr': '<f4', 'fortran_order': 'yes', 'shape': (4,), }";
        assertRefused(tampered("fortran.npz", "lnf.gain.npy", NpyBytes.raw(1, yes, new byte[16])), SMALL,
                ": array 'lnf.gain': .npy header 'fortran_order' is 'yes', expected True or False");
    }

    @Test
    void deeplyNestedHeaderIsRefusedWithoutDeepRecursion() throws IOException {
        String start = "{'descr': '<f4', 'fortran_order': False, 'shape': ";
        String dict = start + "(".repeat(60_000) + "4,)";
        byte[] npy = NpyBytes.raw(2, dict, new byte[0]);
        // the dict is level 1, so the 8th '(' would be level 9
        assertRefused(tampered("deep.npz", "lnf.gain.npy", npy), SMALL,
                ": array 'lnf.gain': malformed .npy header at character " + (start.length() + 7)
                        + ": nested more than 8 levels deep (header: " + dict.substring(0, 80) + "...("
                        + String.format("%,d", dict.length()) + " chars))");
    }

    // ------------------------------------------------------------------------------------------ data checks

    @Test
    void truncatedArrayIsRefusedByName() throws IOException {
        byte[] full = npy(1, "<f4", false, "(4, 4)", new byte[64], 20);
        byte[] cut = Arrays.copyOf(full, full.length - 4);
        assertRefused(tampered("cut.npz", "layer0.wq.npy", cut), SMALL,
                ": array 'layer0.wq' is truncated: shape (4, 4) of '<f4' needs 64 data bytes after the 128-byte"
                        + " header, the zip entry has 60");
        // the zip claims the full size, the DEFLATED stream ends 4 bytes early
        Path lying = tampered("cut-lying.npz", SMALL, Map.of("layer0.wq.npy",
                new ZipBytes.Entry("layer0.wq.npy", cut).deflated().claimingSize(full.length)));
        assertRefused(lying, SMALL, ": array 'layer0.wq' is truncated: shape (4, 4) of '<f4' needs 64 data bytes,"
                + " the entry ends after 60");
    }

    @Test
    void entryInflatingPastItsDeclaredSizeIsRefused() throws IOException {
        byte[] full = npy(1, "<f4", false, "(4, 4)", new byte[64], 20);
        byte[] bomb = Arrays.copyOf(full, full.length + (1 << 20)); // 1 MiB of zeros after the data
        Path lying = tampered("bomb.npz", SMALL, Map.of("layer0.wq.npy",
                new ZipBytes.Entry("layer0.wq.npy", bomb).deflated().claimingSize(full.length)));
        assertThat(ZipBytes.deflate(bomb).length).isLessThan(2_048); // the 1 MiB deflates to about a kilobyte
        assertRefused(lying, SMALL, ": array 'layer0.wq' holds more than the 64 data bytes its shape (4, 4) of '<f4'"
                + " needs (the entry inflates past its declared size)");
        Path honest = tampered("bomb-honest.npz", SMALL, Map.of("layer0.wq.npy",
                new ZipBytes.Entry("layer0.wq.npy", bomb).deflated()));
        assertRefused(honest, SMALL, ": array 'layer0.wq' is 1,048,768 bytes in the zip, more than its shape (4, 4)"
                + " of '<f4' needs (128 header + 64 data bytes)");
    }

    @Test
    void nanAndInfinityAreRefusedWithTheirIndex() throws IOException {
        assertRefused(tampered("nan.npz", "lnf.gain.npy", npy(1, "<f4", false, "(4,)", floatsLe(1, 1, Float.NaN, 1), 20)),
                SMALL, ": array 'lnf.gain' holds NaN at index (2,); every weight must be a finite float32");
        float[] wo = new float[16];
        wo[7] = Float.NEGATIVE_INFINITY; // row 1, column 3
        assertRefused(tampered("inf.npz", "layer0.wo.npy", npy(1, "<f4", false, "(4, 4)", floatsLe(wo), 20)), SMALL,
                ": array 'layer0.wo' holds -Inf at index (1, 3); every weight must be a finite float32");
        float[] fortran = new float[16];
        fortran[1] = Float.POSITIVE_INFINITY; // column-major position 1 is row 1, column 0
        assertRefused(tampered("inf-f.npz", "layer0.wo.npy", npy(1, "<f4", true, "(4, 4)", floatsLe(fortran), 20)),
                SMALL, ": array 'layer0.wo' holds +Inf at index (1, 0); every weight must be a finite float32");
    }

    @Test
    void corruptEntryFailsItsCrc() throws IOException {
        byte[] npy = npy(1, "<f4", false, "(4,)", floatsLe(1, 1, 1, 1), 20);
        CRC32 crc = new CRC32();
        crc.update(npy);
        Path f = tampered("crc.npz", SMALL, Map.of("lnf.gain.npy",
                new ZipBytes.Entry("lnf.gain.npy", npy).claimingCrc(0x12345678L)));
        assertRefused(f, SMALL, ": array 'lnf.gain' is corrupt: the CRC-32 of its bytes is "
                + String.format("%08x", crc.getValue()) + ", the zip says 12345678");
    }

    // ----------------------------------------------------------------------------------------- the archive

    @Test
    void duplicateEntriesAreRefused() throws IOException {
        ZipBytes zip = fromMap(validEntries(SMALL));
        zip.add("lnf.gain.npy", npy(1, "<f4", false, "(4,)", floatsLe(9, 9, 9, 9), 20));
        assertRefused(write("twice.npz", zip), SMALL, ": array 'lnf.gain' appears twice");
    }

    @Test
    void missingAndExtraArraysAreNamed() throws IOException {
        Map<String, byte[]> m = validEntries(SMALL);
        m.remove("layer0.wk.npy");
        m.remove("global.wo.npy"); // later in the table: the first one is reported
        assertRefused(write("missing.npz", fromMap(m)), SMALL,
                ": array 'layer0.wk' is missing (expected float32 '<f4' of shape (4, 4))");

        Map<String, byte[]> one = validEntries(SMALL);
        one.put("layer1.wq.npy", npy(1, "<f4", false, "(4, 4)", new byte[64], 20));
        assertRefused(write("extra.npz", fromMap(one)), SMALL, ": array 'layer1.wq' is not part of the model for this"
                + " configuration (layers=1); the file was probably made for another configuration");

        Map<String, byte[]> many = validEntries(SMALL);
        for (String n : new String[] {"layer1.wq", "layer1.wk", "layer1.wv", "layer1.wo", "layer1.w1"}) {
            many.put(n + ".npy", npy(1, "<f4", false, "(4, 4)", new byte[64], 20));
        }
        assertRefused(write("extras.npz", fromMap(many)), SMALL, ": arrays 'layer1.wq', 'layer1.wk', 'layer1.wv'"
                + " and 2 more are not part of the model for this configuration (layers=1); the file was probably"
                + " made for another configuration");

        Path suffixed = write("suffix.npz", new ZipBytes().add("embedding.npy.npy", new byte[0]));
        assertRefused(suffixed, SMALL, ": array 'embedding' is missing (expected float32 '<f4' of shape (18, 4));"
                + " the file has 'embedding.npy' (saved with the .npy suffix in the key?)");
    }

    @Test
    void notAnNpzIsRefused() throws IOException {
        Path text = Files.writeString(dir.resolve("text.npz"), "this is not a zip file at all");
        assertRefused(text, SMALL, " is not a readable zip archive (truncated, or not an .npz file, which is numpy's"
                + " zip of .npy arrays): zip END header not found");
        assertRefused(Files.createFile(dir.resolve("empty.npz")), SMALL,
                " is empty (an .npz file is numpy's zip of .npy arrays)");
        assertRefused(dir.resolve("nope.npz"), SMALL, " does not exist or is not a file");
        assertRefused(write("no-arrays.npz", new ZipBytes()), SMALL,
                ": array 'embedding' is missing (expected float32 '<f4' of shape (18, 4)); the file holds no arrays");
        assertRefused(write("name.npz", new ZipBytes().add("read\nme.txt", new byte[1])), SMALL,
                ": entry 'read\\x0ame.txt' is not a .npy array (numpy.savez names every entry NAME.npy)");
    }
}
