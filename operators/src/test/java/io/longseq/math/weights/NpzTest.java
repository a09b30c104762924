package io.longseq.math.weights;

import static io.longseq.math.weights.NpyBytes.bits;
import static io.longseq.math.weights.NpyBytes.floatsBe;
import static io.longseq.math.weights.NpyBytes.floatsLe;
import static io.longseq.math.weights.NpyBytes.npy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
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
    void roundTripIsBitwise() throws Exception {
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
    void readsHandCraftedNumpyFiles() throws Exception {
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
    void otherDtypesAreNamedNotDecoded() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("d.npy", npy(1, "<f8", false, "(2,)", new byte[16], 0));
        entries.put("i.npy", npy(1, "<i4", false, "(3,)", new byte[12], 0));
        Map<String, NpyArray> m = Npz.read(zip("dtypes.npz", false, entries));
        assertThat(m.get("d").dtype()).isEqualTo("<f8");
        assertThat(m.get("d").data()).isNull();
        assertThat(m.get("d").shape()).containsExactly(2);
        assertThat(m.get("i").dtype()).isEqualTo("<i4");
    }

    // -------------------------------------------------------------------------------------------- bad files

    /** Npz.read's refusal of {@code f}: exactly {@code message}, with the file named as the prefix says. */
    private static void assertRefused(Path f, String message) {
        assertThatThrownBy(() -> Npz.read(f)).isInstanceOf(NpzException.class)
                .hasMessage("npz file '" + f + "'" + message);
    }

    @Test
    void truncatedZipIsReported() throws IOException {
        Path good = dir.resolve("good.npz");
        Npz.write(good, Map.of("a", NpyArray.vector(new float[100])));
        byte[] all = Files.readAllBytes(good);
        Path f = dir.resolve("cut.npz");
        Files.write(f, Arrays.copyOf(all, all.length / 2));
        assertRefused(f, " is not a readable zip archive (truncated, or not an .npz file, which is numpy's zip of"
                + " .npy arrays): zip END header not found");
    }

    @Test
    void truncatedArrayDataIsReportedByName() throws IOException {
        byte[] full = npy(1, "<f4", false, "(2, 3)", floatsLe(1, 2, 3, 4, 5, 6), 20);
        Path f = zip("short.npz", false, Map.of("m.npy", Arrays.copyOf(full, full.length - 4)));
        assertRefused(f, ": array 'm' is truncated: shape (2, 3) of '<f4' needs 24 data bytes after the 128-byte"
                + " header, the zip entry has 20");
        Path g = zip("short-header.npz", false, Map.of("h.npy", Arrays.copyOf(full, 40)));
        assertRefused(g, ": array 'h' is truncated: it ends inside the header (30 of 118 bytes)");
    }

    @Test
    void tooMuchDataIsReported() throws IOException {
        byte[] full = npy(1, "<f4", false, "(2,)", floatsLe(1, 2, 3), 0);
        Path f = zip("long.npz", false, Map.of("m.npy", full));
        assertRefused(f, ": array 'm' is 140 bytes in the zip, more than its shape (2,) of '<f4' needs"
                + " (128 header + 8 data bytes)");
    }

    @Test
    void notAZipIsReported() throws IOException {
        Path f = dir.resolve("text.npz");
        Files.writeString(f, "this is not a zip file at all");
        String notZip = " is not a readable zip archive (truncated, or not an .npz file, which is numpy's zip of .npy"
                + " arrays): zip END header not found";
        assertRefused(f, notZip);
        Path plainNpy = dir.resolve("plain.npy.npz");
        Files.write(plainNpy, npy(1, "<f4", false, "(1,)", floatsLe(1), 0)); // an .npy, not an .npz
        assertRefused(plainNpy, notZip);
        Path empty = Files.createFile(dir.resolve("empty.npz"));
        assertRefused(empty, " is empty (an .npz file is numpy's zip of .npy arrays)");
    }

    @Test
    void missingFileIsReported() {
        assertRefused(dir.resolve("nope.npz"), " does not exist or is not a file");
        assertRefused(dir, " does not exist or is not a file");
    }

    @Test
    void malformedEntriesAreReported() throws IOException {
        Path notNpy = zip("notnpy.npz", false, Map.of("readme.txt", new byte[] {1, 2}));
        assertRefused(notNpy, ": entry 'readme.txt' is not a .npy array (numpy.savez names every entry NAME.npy)");

        Path badMagic = zip("magic.npz", false, Map.of("x.npy", "NOTNUMPY-------".getBytes(StandardCharsets.US_ASCII)));
        assertRefused(badMagic, ": array 'x': not a .npy array (no \\x93NUMPY magic)");

        byte[] v9 = npy(1, "<f4", false, "(1,)", floatsLe(1), 0);
        v9[6] = 9;
        Path version = zip("version.npz", false, Map.of("x.npy", v9));
        assertRefused(version, ": array 'x': unsupported .npy format version 9.0 (supported: 1.0, 2.0, 3.0)");

        Path noShape = zip("noshape.npz", false,
                Map.of("x.npy", npy(1, "<f4", false, "'oops'", new byte[0], 0)));
        assertRefused(noShape, ": array 'x': .npy header 'shape' is 'oops', expected a tuple of ints");

        byte[] garbled = npy(1, "<f4", false, "(1,)", floatsLe(1), 0);
        garbled[10] = '@';
        Path header = zip("header.npz", false, Map.of("x.npy", garbled));
        assertRefused(header, ": array 'x': malformed .npy header at character 0: unexpected character '@'"
                + " (header: @'descr': '<f4', 'fortran_order': False, 'shape': (1,), })");

        Path unknown = zip("unknown.npz", false, Map.of("x.npy", npy(1, "<x9", false, "(1,)", new byte[9], 0)));
        assertRefused(unknown, ": array 'x' has dtype '<x9', which this reader does not know (simple numeric dtypes"
                + " like '<f4' only)");

        Path extraKey = zip("key.npz", false, Map.of("x.npy",
                NpyBytes.raw(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'pickle': True}", floatsLe(1))));
        assertRefused(extraKey, ": array 'x': .npy header has the keys ['descr', 'fortran_order', 'shape', 'pickle'],"
                + " expected exactly 'descr', 'fortran_order', 'shape'");
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
