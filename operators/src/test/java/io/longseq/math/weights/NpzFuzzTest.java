package io.longseq.math.weights;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.ModelConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Fuzzes the weights loader: {@link Npz#read}, {@link WeightsIo#load} and {@link WeightsIo#check} of a file
 * (docs/fuzzing.md). The one documented refusal is the checked {@link NpzException} (not a zip, not .npy, a
 * malformed header, truncated data, a wrong array, cannot read); it names the file and is one line, and
 * {@code check} says the same problem or none.
 * Anything else that escapes (an {@code OutOfMemoryError} from a declared size, a {@code StackOverflowError}, a
 * {@code NegativeArraySizeException}, ...) is a finding.
 *
 * <p>Input layout (a short input reads as zero-padded): byte 0 = mode, byte 1 = zip flags (bit 0: deflate,
 * bits 1-2: entry name {@code x.npy}, {@code embedding.npy}, {@code x}, {@code layer0.wq.npy}), byte 2 = .npy
 * major version (1, 2 or 3 by {@code value % 3 + 1}), bytes 3-4 = repeat count (big-endian), the rest the body.
 * <ul>
 *   <li>mode % 3 == 0: the body is the whole file;</li>
 *   <li>mode % 3 == 1: the body is {@code prefix NUL unit NUL suffix NUL data}: one zip entry holding a .npy with
 *       the header text {@code prefix + unit × repeat + suffix} (its length field written to match) and the data
 *       bytes;</li>
 *   <li>mode % 3 == 2: the body is the bytes of one zip entry.</li>
 * </ul>
 * The file the loader reads is at most {@link #MAX_FILE} bytes.
 */
class NpzFuzzTest {

    static final int MAX_FILE = 2 << 20;
    static final int MAX_HEADER = (1 << 20) + 16;
    private static final String[] NAMES = {"x.npy", "embedding.npy", "x", "layer0.wq.npy"};
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** The smallest model: its weights file has 26 small arrays. */
    private static final ModelConfig TINY = ModelConfig.builder().featureKind(FeatureKind.DNA).kmer(1).dModel(2)
            .heads(1).ffnDim(1).layers(1).build();
    private static final Path FILE;

    static {
        try {
            Path dir = Files.createTempDirectory("npz-fuzz");
            dir.toFile().deleteOnExit();
            FILE = dir.resolve("in.npz");
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "3m")
    void load(byte[] input) throws IOException {
        byte[] in = Arrays.copyOf(input, Math.max(input.length, 5));
        byte[] body = Arrays.copyOfRange(in, 5, in.length);
        int mode = (in[0] & 0xFF) % 3;
        int flags = in[1] & 0xFF;
        byte[] file = switch (mode) {
            case 0 -> body;
            case 1 -> zip(flags, npy((in[2] & 0xFF) % 3 + 1, ((in[3] & 0xFF) << 8) | (in[4] & 0xFF), body));
            default -> zip(flags, body);
        };
        Files.write(FILE, Arrays.copyOf(file, Math.min(file.length, MAX_FILE)));

        Map<String, NpyArray> arrays;
        try {
            arrays = Npz.read(FILE);
        } catch (NpzException e) {
            assertRefusal(e);
            return;
        }
        for (Map.Entry<String, NpyArray> e : arrays.entrySet()) {
            NpyArray a = e.getValue();
            if (a.isFloat32()) {
                assertThat((long) a.data().length).as("elements of '%s'", e.getKey())
                        .isEqualTo(Weights.size(a.shape()));
            }
        }
        try {
            Weights w = WeightsIo.load(FILE, TINY);
            assertThat(w.config).isEqualTo(TINY);
        } catch (NpzException e) {
            assertRefusal(e);
        }
        assertThat(WeightsIo.check(FILE, TINY)).as("check agrees with load").satisfiesAnyOf(
                p -> assertThat(p).isEmpty(), p -> assertThat(p.orElseThrow()).contains(FILE.toString())
                        .doesNotContain("\n"));
    }

    private static void assertRefusal(NpzException e) {
        assertThat(e.getMessage()).as("refusal message").contains(FILE.toString()).doesNotContain("\n");
    }

    /** A .npy: magic, version, header length, the header text, the data. */
    static byte[] npy(int major, int repeat, byte[] body) {
        List<byte[]> parts = split(body, 3);
        byte[] header = repeat(parts.get(0), parts.get(1), repeat, parts.get(2), MAX_HEADER);
        byte[] data = parts.get(3);
        ByteArrayOutputStream out = new ByteArrayOutputStream(header.length + data.length + 12);
        out.writeBytes(MAGIC);
        out.write(major);
        out.write(0);
        if (major == 1) {
            out.write(header.length & 0xFF);
            out.write((header.length >> 8) & 0xFF);
        } else {
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(header.length).array());
        }
        out.writeBytes(header);
        out.writeBytes(data);
        return out.toByteArray();
    }

    /** A zip with one entry holding {@code content}. */
    static byte[] zip(int flags, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 256);
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            ZipEntry e = new ZipEntry(NAMES[(flags >> 1) & 3]);
            if ((flags & 1) == 0) {
                CRC32 crc = new CRC32();
                crc.update(content);
                e.setMethod(ZipEntry.STORED);
                e.setSize(content.length);
                e.setCompressedSize(content.length);
                e.setCrc(crc.getValue());
            }
            z.putNextEntry(e);
            z.write(content);
            z.closeEntry();
        }
        return out.toByteArray();
    }

    /** {@code prefix + unit × repeat + suffix}, at most {@code max} bytes. */
    static byte[] repeat(byte[] prefix, byte[] unit, int repeat, byte[] suffix, int max) {
        int n = unit.length == 0 ? 0 : Math.min(repeat, max / unit.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(prefix.length + n * unit.length + suffix.length);
        out.writeBytes(prefix);
        for (int i = 0; i < n; i++) {
            out.writeBytes(unit);
        }
        out.writeBytes(suffix);
        byte[] b = out.toByteArray();
        return b.length <= max ? b : Arrays.copyOf(b, max);
    }

    /** The body cut at its first {@code cuts} NUL bytes: cuts + 1 parts, the missing ones empty. */
    static List<byte[]> split(byte[] body, int cuts) {
        byte[][] parts = new byte[cuts + 1][];
        int from = 0;
        for (int p = 0; p < cuts; p++) {
            int at = from;
            while (at < body.length && body[at] != 0) {
                at++;
            }
            parts[p] = Arrays.copyOfRange(body, Math.min(from, body.length), Math.min(at, body.length));
            from = Math.min(at + 1, body.length);
        }
        parts[cuts] = Arrays.copyOfRange(body, from, body.length);
        return Arrays.asList(parts);
    }
}
