package io.longseq.math.weights;

import static io.longseq.math.weights.NpyBytes.floatsLe;
import static io.longseq.math.weights.NpyBytes.npy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Npz#read}, the reader for any arrays, against files built byte by byte to make it allocate what the header
 * claims: it must refuse each with one line and keep its memory to what the file really holds.
 */
class NpzHostileTest {

    @TempDir
    Path dir;

    private Path write(String name, ZipBytes zip) throws IOException {
        return Files.write(dir.resolve(name), zip.build());
    }

    private static void assertRefused(Path f, String message) {
        assertThatThrownBy(() -> Npz.read(f)).isInstanceOf(NpzException.class)
                .hasMessage("npz file '" + f + "'" + message);
    }

    @Test
    void the317ByteFileOfIssue20IsRefusedBeforeAllocating() throws IOException {
        Path f = Files.write(dir.resolve("oom.npz"), WeightsIoTest.npz317());
        assertThat(Files.size(f)).isEqualTo(317);
        // the zip's directory says 193 bytes: the header's 7.6 GB cannot be there
        assertRefused(f, ": array 'layer0.wq' is truncated: shape (1900000000,) of '<f4' needs 7,600,000,000 data bytes"
                + " after the 128-byte header, the zip entry has 65");
    }

    @Test
    void aDirectoryThatLiesAboutTheSizeCostsOnlyWhatArrives() throws IOException {
        // shape (200000000,) = 800 MB of data, under the 1 GiB limit of Npz.read; the zip claims 800,000,128 bytes
        // for a DEFLATED entry of 65 data bytes
        byte[] npy = npy(1, "<f4", false, "(200000000,)", new byte[65], 0);
        Path f = write("lie.npz", new ZipBytes().add(new ZipBytes.Entry("x.npy", npy).deflated()
                .claimingSize(800_000_128L)));
        long before = usedHeap();
        assertRefused(f, ": array 'x' is truncated: shape (200000000,) of '<f4' needs 800,000,000 data bytes,"
                + " the entry ends after 65");
        assertThat(usedHeap() - before).as("heap grown while reading").isLessThan(256L << 20);
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    @Test
    void moreThanTheReadLimitIsRefused() throws IOException {
        byte[] npy = npy(1, "<f4", false, "(300000000,)", new byte[0], 0);
        Path f = write("limit.npz", new ZipBytes().add(new ZipBytes.Entry("x.npy", npy).deflated()
                .claimingSize(1_200_000_128L)));
        assertRefused(f, ": array 'x' of shape (300000000,) takes the file past 1,073,741,824 data bytes, the limit"
                + " of Npz.read");
    }

    @Test
    void headerOverTheLimitAndDeepNestingAreRefused() throws IOException {
        byte[] huge = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 3, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertRefused(write("huge.npz", new ZipBytes().add("x.npy", huge)),
                ": array 'x': .npy header of 4,294,967,295 bytes is over the limit of 65,536 bytes");

        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + "[".repeat(65_000) + "}";
        assertRefused(write("deep.npz", new ZipBytes().add("x.npy", NpyBytes.raw(2, dict, new byte[0]))),
                ": array 'x': malformed .npy header at character 57: nested more than 8 levels deep (header: "
                        + dict.substring(0, 80) + "...(65,051 chars))");

        String rank = "(" + "1, ".repeat(65) + ")";
        assertRefused(write("rank.npz", new ZipBytes().add("x.npy", npy(1, "<f4", false, rank, floatsLe(1), 0))),
                ": array 'x': .npy header 'shape' has 65 dimensions, more than 64");

        String overflow = "(2147483647, 2147483647, 2147483647)";
        assertRefused(write("overflow.npz", new ZipBytes().add("x.npy", npy(1, "<f4", false, overflow, new byte[0], 0))),
                ": array 'x': shape (2147483647, 2147483647, 2147483647) has more than 2^63 elements");

        assertRefused(write("negative.npz", new ZipBytes().add("x.npy", npy(1, "<f4", false, "(-1,)", new byte[0], 0))),
                ": array 'x': .npy header 'shape' entry 0 is -1, expected an int in [0, 2147483647]");
    }

    @Test
    void duplicatesAndOddNamesAreRefused() throws IOException {
        byte[] one = npy(1, "<f4", false, "(1,)", floatsLe(1), 0);
        assertRefused(write("twice.npz", new ZipBytes().add("a.npy", one).add("a.npy", one)), ": array 'a' appears twice");
        assertRefused(write("noname.npz", new ZipBytes().add(".npy", one)),
                ": entry '.npy' is not a .npy array (numpy.savez names every entry NAME.npy)");
        String longName = "n".repeat(1_000) + "\u2028.txt";
        assertRefused(write("long.npz", new ZipBytes().add(longName, one)),
                ": entry '" + "n".repeat(80) + "...(1,005 chars)' is not a .npy array (numpy.savez names every entry"
                        + " NAME.npy)");
    }

    @Test
    void validFilesStillRead() throws Exception {
        Path f = write("ok.npz", new ZipBytes().add("a.npy", npy(1, "<f4", true, "(2, 2)", floatsLe(1, 3, 2, 4), 0))
                .add(new ZipBytes.Entry("b.npy", npy(1, "<f4", false, "(3,)", floatsLe(5, 6, 7), 0)).deflated()));
        Map<String, NpyArray> m = Npz.read(f);
        assertThat(m.get("a").data()).containsExactly(1, 2, 3, 4);
        assertThat(m.get("b").data()).containsExactly(5, 6, 7);
    }
}
