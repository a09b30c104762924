package io.longseq.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .npz reader and writer, and loading weights from it: bitwise round trips, files laid out the way numpy
 * writes them (built here byte by byte from the .npy format spec), and one clear error for every kind of bad file.
 */
class NpzTest {

    @TempDir
    Path dir;

    /** A small config so weight files stay tiny: d = 4, one layer, DNA k = 2 (18 embedding rows). */
    private static final ModelConfig SMALL = ModelConfig.builder().kmer(2).dModel(4).heads(1).ffnDim(8).window(2)
            .blockSize(4).chunkSize(8).build();

    // ------------------------------------------------------------------------------------- npy bytes by spec

    /**
     * The bytes of one .npy file per numpy's format spec: magic {@code \x93NUMPY}, version, header length
     * (uint16 LE for 1.0, uint32 LE for 2.0), the dict padded with spaces and a final newline to a multiple of
     * 64 bytes, then the data. Written independently of {@link Npz} so the test shows interoperability.
     */
    private static byte[] npy(int major, String descr, boolean fortran, String shapeTuple, byte[] data, int growth) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': "
                + shapeTuple + ", }" + " ".repeat(growth);
        int prefix = major == 1 ? 10 : 12;
        int total = (prefix + dict.length() + 1 + 63) / 64 * 64;
        String header = dict + " ".repeat(total - prefix - dict.length() - 1) + "\n";
        ByteBuffer bb = ByteBuffer.allocate(total + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) major).put((byte) 0);
        if (major == 1) {
            bb.putShort((short) header.length());
        } else {
            bb.putInt(header.length());
        }
        bb.put(header.getBytes(StandardCharsets.US_ASCII)).put(data);
        return bb.array();
    }

    private static byte[] floatsLe(float... v) {
        ByteBuffer bb = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            bb.putInt(Float.floatToRawIntBits(f));
        }
        return bb.array();
    }

    private static byte[] floatsBe(float... v) {
        ByteBuffer bb = ByteBuffer.allocate(4 * v.length).order(ByteOrder.BIG_ENDIAN);
        for (float f : v) {
            bb.putFloat(f);
        }
        return bb.array();
    }

    /** A zip of the given entries, STORED like numpy.savez or DEFLATED like numpy.savez_compressed. */
    private Path zip(String file, boolean deflate, Map<String, byte[]> entries) throws IOException {
        Path p = dir.resolve(file);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                if (!deflate) {
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    ze.setMethod(ZipEntry.STORED);
                    ze.setSize(e.getValue().length);
                    ze.setCompressedSize(e.getValue().length);
                    ze.setCrc(crc.getValue());
                }
                z.putNextEntry(ze);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return p;
    }

    // ------------------------------------------------------------------------------------------ round trips

    @Test
    void roundTripIsBitwise() {
        float nanPayload = Float.intBitsToFloat(0x7fc01234);
        Map<String, NpyArray> in = new LinkedHashMap<>();
        in.put("matrix", NpyArray.float32(new int[] {2, 3}, new float[] {1f, -0f, Float.MIN_VALUE, nanPayload,
                Float.MAX_VALUE, Float.NEGATIVE_INFINITY}));
        in.put("vector", NpyArray.vector(new float[] {0.1f, 0.2f, 0.3f}));
        in.put("scalar", NpyArray.float32(new int[] {}, new float[] {42.5f}));
        in.put("empty", NpyArray.float32(new int[] {0, 5}, new float[0]));
        in.put("layer0.ln1.gain", NpyArray.vector(new float[] {1f}));
        Path f = dir.resolve("rt.npz");
        Npz.write(f, in);
        Map<String, NpyArray> out = Npz.read(f);
        assertThat(out.keySet()).containsExactlyElementsOf(in.keySet());
        for (String k : in.keySet()) {
            assertThat(out.get(k).dtype()).isEqualTo("<f4");
            assertThat(out.get(k).shape()).isEqualTo(in.get(k).shape());
            int[] a = bits(in.get(k).data());
            int[] b = bits(out.get(k).data());
            assertThat(b).as(k).isEqualTo(a); // raw bits, so NaN payloads and -0 count
        }
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    @Test
    void writingIsDeterministic() throws IOException {
        Map<String, NpyArray> in = new LinkedHashMap<>();
        in.put("a", NpyArray.float32(new int[] {2, 2}, new float[] {1, 2, 3, 4}));
        in.put("b", NpyArray.vector(new float[] {5}));
        Path f1 = dir.resolve("one.npz");
        Path f2 = dir.resolve("two.npz");
        Npz.write(f1, in);
        Npz.write(f2, in);
        assertThat(Files.readAllBytes(f1)).isEqualTo(Files.readAllBytes(f2));
    }

    @Test
    void writtenEntriesAreExactlyNumpySaveBytes() throws IOException {
        // What numpy 2.4 wrote for np.save(np.zeros((2, 3), np.float32)): the header padded to 128 bytes.
        String numpyHeader = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" + " ".repeat(58) + "\n";
        float[] v = {1, 2, 3, 4, 5, 6};
        byte[] expected = npy(1, "<f4", false, "(2, 3)", floatsLe(v), 20);
        assertThat(new String(expected, 10, 118, StandardCharsets.US_ASCII)).isEqualTo(numpyHeader);

        Path f = dir.resolve("w.npz");
        Npz.write(f, Map.of("x", NpyArray.float32(new int[] {2, 3}, v)));
        try (ZipFile z = new ZipFile(f.toFile())) {
            ZipEntry e = z.getEntry("x.npy");
            assertThat(e).isNotNull();
            assertThat(e.getMethod()).isEqualTo(ZipEntry.STORED);
            assertThat(z.getInputStream(e).readAllBytes()).isEqualTo(expected);
        }
    }

    @Test
    void headersOfOtherRanksMatchTheSpec() {
        // scalar: shape () and no growth padding; 1-D: (n,) with 21 - digits(n) growth spaces
        assertThat(Npz.header("<f4", new int[] {})).isEqualTo(Arrays.copyOf(npy(1, "<f4", false, "()", new byte[0], 0), 128));
        assertThat(Npz.header("<f4", new int[] {7})).isEqualTo(Arrays.copyOf(npy(1, "<f4", false, "(7,)", new byte[0], 20), 128));
        assertThat(Npz.header("<f4", new int[] {4098, 128}))
                .isEqualTo(Arrays.copyOf(npy(1, "<f4", false, "(4098, 128)", new byte[0], 17), 128));
    }

    // ----------------------------------------------------------------------------------- files numpy wrote

    @Test
    void readsHandCraftedNumpyFiles() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("m.npy", npy(1, "<f4", false, "(2, 3)", floatsLe(1, 2, 3, 4, 5, 6), 20));
        entries.put("s.npy", npy(1, "<f4", false, "()", floatsLe(2.5f), 0));
        entries.put("v.npy", npy(1, "<f4", false, "(3,)", floatsLe(1, -2.5f, 7), 0)); // old numpy: no growth spaces
        entries.put("v2.npy", npy(2, "<f4", false, "(2,)", floatsLe(8, 9), 0));       // format version 2.0
        // Fortran order: the columns of [[0, 1, 2], [3, 4, 5]] are stored one after the other
        entries.put("f.npy", npy(1, "<f4", true, "(2, 3)", floatsLe(0, 3, 1, 4, 2, 5), 0));
        entries.put("b.npy", npy(1, ">f4", false, "(2,)", floatsBe(1.5f, -3f), 0));    // big-endian float32
        entries.put("old.npy", npy(1, "<f4", false, "(2L, 1L)", floatsLe(1, 2), 0));   // Python 2 longs
        for (boolean deflate : new boolean[] {false, true}) {
            Path f = zip("numpy-" + deflate + ".npz", deflate, entries);
            Map<String, NpyArray> m = Npz.read(f);
            assertThat(m.keySet()).containsExactly("m", "s", "v", "v2", "f", "b", "old");
            assertThat(m.get("m")).isEqualTo(NpyArray.float32(new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}));
            assertThat(m.get("s").shape()).isEmpty();
            assertThat(m.get("s").data()).containsExactly(2.5f);
            assertThat(m.get("v").data()).containsExactly(1, -2.5f, 7);
            assertThat(m.get("v2").data()).containsExactly(8, 9);
            assertThat(m.get("f").shape()).containsExactly(2, 3);
            assertThat(m.get("f").data()).containsExactly(0, 1, 2, 3, 4, 5);
            assertThat(m.get("b").dtype()).isEqualTo(">f4");
            assertThat(m.get("b").data()).containsExactly(1.5f, -3f);
            assertThat(m.get("old").shape()).containsExactly(2, 1);
        }
    }

    @Test
    void otherDtypesAreNamedNotDecoded() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("d.npy", npy(1, "<f8", false, "(2,)", new byte[16], 0));
        entries.put("i.npy", npy(1, "<i4", false, "(3,)", new byte[12], 0));
        Map<String, NpyArray> m = Npz.read(zip("dtypes.npz", false, entries));
        assertThat(m.get("d").dtype()).isEqualTo("<f8");
        assertThat(m.get("d").data()).isNull();
        assertThat(m.get("d").shape()).containsExactly(2);
        assertThat(m.get("i").dtype()).isEqualTo("<i4");
    }

    // ------------------------------------------------------------------------------------- weights loading

    @Test
    void weightsRoundTripIsBitwise() throws IOException {
        Weights w = WeightsInit.random(SMALL, 7, 1f);
        Path f = dir.resolve("w.npz");
        WeightsIo.save(f, w);
        Weights back = WeightsIo.load(f, SMALL);
        Map<String, float[]> a = w.toArrays();
        Map<String, float[]> b = back.toArrays();
        assertThat(b.keySet()).containsExactlyElementsOf(a.keySet());
        for (String k : a.keySet()) {
            assertThat(bits(b.get(k))).as(k).isEqualTo(bits(a.get(k)));
        }
        Path f2 = dir.resolve("w2.npz");
        WeightsIo.save(f2, back);
        assertThat(Files.readAllBytes(f2)).isEqualTo(Files.readAllBytes(f));
        try (ZipFile z = new ZipFile(f.toFile())) {
            assertThat(z.stream().map(ZipEntry::getName))
                    .containsExactlyElementsOf(Weights.shapes(SMALL).keySet().stream().map(n -> n + ".npy").toList());
        }
    }

    /** The arrays of a valid weights file as entry name → .npy bytes, for tampering. */
    private Map<String, byte[]> validEntries() throws IOException {
        Path f = dir.resolve("valid.npz");
        WeightsIo.save(f, WeightsInit.defaults(SMALL, 1));
        Map<String, byte[]> m = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(f.toFile())) {
            for (ZipEntry e : z.stream().toList()) {
                m.put(e.getName(), z.getInputStream(e).readAllBytes());
            }
        }
        return m;
    }

    @Test
    void missingArrayIsNamed() throws IOException {
        Map<String, byte[]> m = validEntries();
        m.remove("layer0.wk.npy");
        m.remove("global.wo.npy"); // later in the table: the first one is reported
        Path f = zip("missing.npz", false, m);
        assertThatThrownBy(() -> WeightsIo.load(f, SMALL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("'layer0.wk' is missing")
                .hasMessageContaining("[4, 4]")
                .hasMessageNotContaining("global.wo");
    }

    @Test
    void wrongShapeSaysExpectedAndActual() throws IOException {
        Map<String, byte[]> m = validEntries();
        m.put("layer0.w1.npy", npy(1, "<f4", false, "(8, 4)", new byte[4 * 32], 20));
        Path f = zip("shape.npz", false, m);
        assertThatThrownBy(() -> WeightsIo.load(f, SMALL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'layer0.w1' has shape [8, 4], expected [4, 8]");
    }

    @Test
    void wrongEmbeddingShapeExplainsTheRows() throws IOException {
        Map<String, byte[]> m = validEntries();
        m.put("embedding.npy", npy(1, "<f4", false, "(16, 4)", new byte[4 * 64], 20));
        Path f = zip("emb.npz", false, m);
        assertThatThrownBy(() -> WeightsIo.load(f, SMALL))
                .hasMessageContaining("'embedding' has shape [16, 4], expected [18, 4]")
                .hasMessageContaining("4^k + 2");
    }

    @Test
    void float64IsRejectedByName() throws IOException {
        Map<String, byte[]> m = validEntries();
        m.put("lnf.gain.npy", npy(1, "<f8", false, "(4,)", new byte[8 * 4], 20));
        Path f = zip("f8.npz", false, m);
        assertThatThrownBy(() -> WeightsIo.load(f, SMALL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'lnf.gain' has dtype '<f8', expected float32 '<f4'");
    }

    @Test
    void extraArrayIsAnError() throws IOException {
        Map<String, byte[]> m = validEntries();
        m.put("layer1.wq.npy", npy(1, "<f4", false, "(4, 4)", new byte[64], 20));
        Path f = zip("extra.npz", false, m);
        assertThatThrownBy(() -> WeightsIo.load(f, SMALL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'layer1.wq' is not part of the model")
                .hasMessageContaining("layers=1");
    }

    @Test
    void truncatedZipIsReported() throws IOException {
        Path good = dir.resolve("good.npz");
        WeightsIo.save(good, WeightsInit.defaults(SMALL, 1));
        byte[] all = Files.readAllBytes(good);
        Path f = dir.resolve("cut.npz");
        Files.write(f, Arrays.copyOf(all, all.length / 2));
        assertThatThrownBy(() -> Npz.read(f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("truncated");
    }

    @Test
    void truncatedArrayDataIsReportedByName() throws IOException {
        byte[] full = npy(1, "<f4", false, "(2, 3)", floatsLe(1, 2, 3, 4, 5, 6), 20);
        Path f = zip("short.npz", false, Map.of("m.npy", Arrays.copyOf(full, full.length - 4)));
        assertThatThrownBy(() -> Npz.read(f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("array 'm'")
                .hasMessageContaining("truncated")
                .hasMessageContaining("24 data bytes");
        Path g = zip("short-header.npz", false, Map.of("h.npy", Arrays.copyOf(full, 40)));
        assertThatThrownBy(() -> Npz.read(g)).hasMessageContaining("array 'h'").hasMessageContaining("truncated");
    }

    @Test
    void tooMuchDataIsReported() throws IOException {
        byte[] full = npy(1, "<f4", false, "(2,)", floatsLe(1, 2, 3), 0);
        Path f = zip("long.npz", false, Map.of("m.npy", full));
        assertThatThrownBy(() -> Npz.read(f)).hasMessageContaining("array 'm'").hasMessageContaining("more data");
    }

    @Test
    void notAZipIsReported() throws IOException {
        Path f = dir.resolve("text.npz");
        Files.writeString(f, "this is not a zip file at all");
        assertThatThrownBy(() -> Npz.read(f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("not a readable zip archive");
        Path plainNpy = dir.resolve("plain.npy.npz");
        Files.write(plainNpy, npy(1, "<f4", false, "(1,)", floatsLe(1), 0)); // an .npy, not an .npz
        assertThatThrownBy(() -> Npz.read(plainNpy)).hasMessageContaining("not a readable zip archive");
    }

    @Test
    void missingFileIsReported() {
        Path f = dir.resolve("nope.npz");
        assertThatThrownBy(() -> Npz.read(f)).hasMessageContaining(f.toString()).hasMessageContaining("no such file");
    }

    @Test
    void malformedEntriesAreReported() throws IOException {
        Path notNpy = zip("notnpy.npz", false, Map.of("readme.txt", new byte[] {1, 2}));
        assertThatThrownBy(() -> Npz.read(notNpy)).hasMessageContaining("'readme.txt' is not a .npy array");

        Path badMagic = zip("magic.npz", false, Map.of("x.npy", "NOTNUMPY-------".getBytes(StandardCharsets.US_ASCII)));
        assertThatThrownBy(() -> Npz.read(badMagic)).hasMessageContaining("array 'x'").hasMessageContaining("magic");

        byte[] v9 = npy(1, "<f4", false, "(1,)", floatsLe(1), 0);
        v9[6] = 9;
        Path version = zip("version.npz", false, Map.of("x.npy", v9));
        assertThatThrownBy(() -> Npz.read(version)).hasMessageContaining("version 9.0");

        Path noShape = zip("noshape.npz", false,
                Map.of("x.npy", npy(1, "<f4", false, "'oops'", new byte[0], 0)));
        assertThatThrownBy(() -> Npz.read(noShape)).hasMessageContaining("array 'x'").hasMessageContaining("'shape'");

        byte[] garbled = npy(1, "<f4", false, "(1,)", floatsLe(1), 0);
        garbled[10] = '@';
        Path header = zip("header.npz", false, Map.of("x.npy", garbled));
        assertThatThrownBy(() -> Npz.read(header)).hasMessageContaining("array 'x'").hasMessageContaining("malformed");
    }

    @Test
    void writeRefusesNonFloat32() {
        Path f = dir.resolve("bad.npz");
        assertThatThrownBy(() -> Npz.write(f, Map.of("d", new NpyArray("<f8", new int[] {2}, null))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'d'")
                .hasMessageContaining("<f8");
    }

    @Test
    void arrayChecksShapeAgainstData() {
        assertThatThrownBy(() -> NpyArray.float32(new int[] {2, 2}, new float[3]))
                .hasMessageContaining("[2, 2]").hasMessageContaining("3");
        assertThatThrownBy(() -> NpyArray.float32(new int[] {-1}, new float[0])).hasMessageContaining("negative");
    }

    @Test
    void byteOutputDoesNotDependOnTheTimeZone() throws IOException {
        java.util.TimeZone saved = java.util.TimeZone.getDefault();
        Map<String, NpyArray> in = Map.of("a", NpyArray.vector(new float[] {1, 2}));
        Path f1 = dir.resolve("utc.npz");
        Path f2 = dir.resolve("tokyo.npz");
        try {
            java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone("UTC"));
            Npz.write(f1, in);
            java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone("Asia/Tokyo"));
            Npz.write(f2, in);
        } finally {
            java.util.TimeZone.setDefault(saved);
        }
        assertThat(Files.readAllBytes(f1)).isEqualTo(Files.readAllBytes(f2));
    }
}
