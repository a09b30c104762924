package io.longseq.jobs.input;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Opens an input file, decompressing gzip transparently, and tells the input kind from a file name.
 *
 * <p>Why magic bytes first: a compressed file is recognised by its first two bytes {@code 1f 8b}, whatever its
 * name, so a renamed or extension-less download still works. A name ending in {@code .gz} whose bytes are not
 * gzip is an error rather than a guess, because reading compressed bytes as text would report nonsense
 * (thousands of "invalid bases") far from the real cause. Concatenated gzip members, as written by
 * {@code bgzip}, are read as one stream.
 */
public final class InputFiles {

    private static final int GZIP_MAGIC_1 = 0x1f;
    private static final int GZIP_MAGIC_2 = 0x8b;
    private static final int BUFFER = 1 << 16;

    private InputFiles() {}

    /**
     * A buffered stream of the file's (decompressed) bytes.
     *
     * @throws IOException if the file cannot be read, or its name ends in {@code .gz} but it is not gzip
     */
    public static InputStream open(Path path) throws IOException {
        return open(Files.newInputStream(path), path);
    }

    /**
     * As {@link #open(Path)}, for a stream already opened (e.g. through Flink's file systems); {@code path} only
     * names it.
     */
    public static InputStream open(InputStream raw, Path path) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, BUFFER);
        try {
            in.mark(2);
            int b1 = in.read();
            int b2 = in.read();
            in.reset();
            boolean magic = b1 == GZIP_MAGIC_1 && b2 == GZIP_MAGIC_2;
            if (magic) {
                return new BufferedInputStream(new GZIPInputStream(in, BUFFER), BUFFER);
            }
            if (lowerName(path).endsWith(".gz")) {
                throw new IOException("'" + path + "' ends in .gz but does not start with the gzip magic bytes"
                        + " 1f 8b; decompress it or rename it");
            }
            return in;
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /**
     * Why the input cannot be opened (it does not exist, is no regular file, or opening and reading its first byte
     * fails), in one line naming it; null when it can. What is inside is not judged here.
     */
    public static String problem(Path path) {
        if (!Files.exists(path)) {
            return "input '" + path + "' does not exist";
        }
        if (Files.isDirectory(path)) {
            return "input '" + path + "' is a directory, not a file";
        }
        if (!Files.isRegularFile(path)) {
            return "input '" + path + "' is not a regular file";
        }
        try (InputStream in = Files.newInputStream(path)) {
            in.read();
        } catch (IOException | RuntimeException e) {
            return "input '" + path + "' cannot be opened (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + ")";
        }
        return null;
    }

    /** The file name, lower case, without one trailing {@code .gz}: the part that names the kind. */
    static String baseName(Path path) {
        String name = lowerName(path);
        return name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
    }

    private static String lowerName(Path path) {
        Path file = path.getFileName();
        return file == null ? "" : file.toString().toLowerCase(Locale.ROOT);
    }
}
