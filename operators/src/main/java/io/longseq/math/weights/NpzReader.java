package io.longseq.math.weights;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * An opened {@code .npz} file, read one array at a time in bounded memory: the core under {@link Npz#read} and
 * {@link WeightsIo}.
 *
 * <p>{@link #open} checks the archive as a whole (a regular, non-empty file; a zip; every entry named
 * {@code NAME.npy}; no name twice). {@link #header} reads one array's {@link NpyHeader} and nothing else;
 * {@link #checkSize} compares the size the zip declares for the entry with the size the header implies, before
 * any data is read; {@link #data} streams the values in 64 KiB pieces to a {@link FloatSink}, and refuses an entry
 * that ends early, that holds (or inflates to) more bytes than its shape needs, or whose CRC-32 does not match
 * the zip's. This class allocates nothing sized by the file: the caller decides where the values go.
 *
 * <p>Every problem is an {@link NpzException} with a one-line message that starts with the prefix given to
 * {@link #open} (e.g. {@code weights file 'w.npz'}) and names the array.
 */
final class NpzReader implements AutoCloseable {

    /** Bytes read per piece (16,384 float32 values). */
    private static final int PIECE_BYTES = 1 << 16;

    /** Receives the decoded values of one array, in the file's order. */
    @FunctionalInterface
    interface FloatSink {
        /**
         * One value.
         *
         * @param index the value's position in C (row-major) order, whatever the file's order
         */
        void put(long index, float value) throws NpzException;
    }

    private final Path file;
    private final String prefix;
    private final ZipFile zip;
    private final Map<String, ZipEntry> entries;

    private NpzReader(Path file, String prefix, ZipFile zip, Map<String, ZipEntry> entries) {
        this.file = file;
        this.prefix = prefix;
        this.zip = zip;
        this.entries = entries;
    }

    /**
     * Opens the archive and lists its arrays.
     *
     * @param prefix how messages name the file, e.g. {@code "weights file 'w.npz'"}
     * @throws NpzException if the file is missing, empty, not a zip, holds an entry that is not {@code NAME.npy},
     *                      or holds a name twice
     */
    static NpzReader open(Path file, String prefix) throws NpzException {
        long size;
        try {
            if (!Files.isRegularFile(file)) {
                throw new NpzException(prefix + " does not exist or is not a file");
            }
            size = Files.size(file);
        } catch (IOException | RuntimeException ex) {
            throw new NpzException(prefix + " cannot be read: " + ex.getMessage(), ex);
        }
        if (size == 0) {
            throw new NpzException(prefix + " is empty (an .npz file is numpy's zip of .npy arrays)");
        }
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException | RuntimeException ex) {
            throw new NpzException(prefix + " is not a readable zip archive (truncated, or not an .npz file, which is "
                    + "numpy's zip of .npy arrays): " + NpzException.clip(ex.getMessage()), ex);
        } catch (IOException ex) {
            throw new NpzException(prefix + " cannot be read: " + ex.getMessage(), ex);
        }
        try {
            Map<String, ZipEntry> entries = new LinkedHashMap<>();
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry entry = en.nextElement();
                if (entry.isDirectory()) {
                    continue;
                }
                String entryName = entry.getName();
                if (!entryName.endsWith(".npy") || entryName.length() == 4) {
                    throw new NpzException(prefix + ": entry '" + NpzException.clip(entryName)
                            + "' is not a .npy array (numpy.savez names every entry NAME.npy)");
                }
                String name = entryName.substring(0, entryName.length() - 4);
                if (entries.putIfAbsent(name, entry) != null) {
                    throw new NpzException(prefix + ": array '" + NpzException.clip(name) + "' appears twice");
                }
            }
            return new NpzReader(file, prefix, zip, entries);
        } catch (NpzException ex) {
            closeQuietly(zip);
            throw ex;
        } catch (RuntimeException ex) { // the JDK's zip code refuses some malformed archives this way
            closeQuietly(zip);
            throw new NpzException(prefix + " is not a readable zip archive: " + NpzException.clip(ex.toString()), ex);
        }
    }

    /** The array names, in the archive's order. */
    List<String> names() {
        return new ArrayList<>(entries.keySet());
    }

    boolean has(String name) {
        return entries.containsKey(name);
    }

    /** The message prefix for one array: {@code weights file 'w.npz': array 'x'}. */
    String where(String name) {
        return prefix + ": array '" + NpzException.clip(name) + "'";
    }

    /** Reads one array's preamble, and nothing of its data. */
    NpyHeader header(String name) throws NpzException {
        String where = where(name);
        ZipEntry entry = entry(name);
        try (InputStream in = zip.getInputStream(entry)) {
            return NpyHeader.read(in, where);
        } catch (ZipException | EOFException ex) {
            throw corrupt(where, ex);
        } catch (IOException ex) {
            throw new NpzException(where + " cannot be read: " + NpzException.clip(ex.getMessage()), ex);
        } catch (RuntimeException ex) {
            throw corrupt(where, ex);
        }
    }

    /**
     * Checks the entry's size as the zip's directory declares it (when it does) against the header: the preamble
     * plus {@code dataBytes} of data.
     */
    void checkSize(String name, NpyHeader h) throws NpzException {
        long declared = entry(name).getSize();
        if (declared < 0 || h.dataBytes() < 0) {
            return;
        }
        long needed = h.headerBytes() + h.dataBytes();
        if (declared < needed) {
            throw new NpzException(where(name) + " is truncated: shape " + h.shapeTuple() + " of '" + h.descr()
                    + "' needs " + count(h.dataBytes()) + " data bytes after the " + count(h.headerBytes())
                    + "-byte header, the zip entry has " + count(Math.max(0, declared - h.headerBytes())));
        }
        if (declared > needed) {
            throw new NpzException(where(name) + " is " + count(declared) + " bytes in the zip, more than its shape "
                    + h.shapeTuple() + " of '" + h.descr() + "' needs (" + count(h.headerBytes()) + " header + "
                    + count(h.dataBytes()) + " data bytes)");
        }
    }

    /**
     * Streams the data of one array: decoded float32 values to {@code sink}, or, with {@code sink == null}, the
     * bytes of any fixed-size dtype only counted. Reads at most one byte past the data the header declares.
     *
     * @throws NpzException if the entry ends early, holds more bytes, is corrupt, or the sink refuses a value
     */
    void data(String name, NpyHeader h, FloatSink sink) throws NpzException {
        String where = where(name);
        ZipEntry entry = entry(name);
        if (h.dataBytes() < 0 || sink != null && !h.isFloat32()) {
            throw new IllegalStateException(where + ": cannot decode dtype '" + h.descr() + "'"); // caller's bug
        }
        CRC32 crc = new CRC32();
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] piece = new byte[PIECE_BYTES];
            for (int left = h.headerBytes(); left > 0; ) { // the preamble again, for the CRC
                int got = in.readNBytes(piece, 0, Math.min(left, piece.length));
                if (got == 0) {
                    throw new NpzException(where + " is truncated: it ends inside its header");
                }
                crc.update(piece, 0, got);
                left -= got;
            }
            ByteOrder order = h.descr().startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            CIndex index = new CIndex(h.shape(), h.fortranOrder());
            long total = h.dataBytes();
            long done = 0;
            while (done < total) {
                int want = (int) Math.min(piece.length, total - done);
                int got = in.readNBytes(piece, 0, want);
                crc.update(piece, 0, got);
                if (got < want) {
                    throw new NpzException(where + " is truncated: shape " + h.shapeTuple() + " of '" + h.descr()
                            + "' needs " + count(total) + " data bytes, the entry ends after " + count(done + got));
                }
                if (sink != null) {
                    ByteBuffer bb = ByteBuffer.wrap(piece, 0, got).order(order);
                    for (int k = 0; k < got; k += 4) {
                        sink.put(index.next(), Float.intBitsToFloat(bb.getInt()));
                    }
                }
                done += got;
            }
            if (in.read() != -1) {
                throw new NpzException(where + " holds more than the " + count(total) + " data bytes its shape "
                        + h.shapeTuple() + " of '" + h.descr() + "' needs (the entry inflates past its declared size)");
            }
        } catch (ZipException | EOFException ex) {
            throw corrupt(where, ex);
        } catch (IOException ex) {
            throw new NpzException(where + " cannot be read: " + NpzException.clip(ex.getMessage()), ex);
        } catch (RuntimeException ex) {
            throw corrupt(where, ex);
        }
        if (entry.getCrc() >= 0 && entry.getCrc() != crc.getValue()) {
            throw new NpzException(where + " is corrupt: the CRC-32 of its bytes is "
                    + String.format("%08x", crc.getValue()) + ", the zip says " + String.format("%08x", entry.getCrc()));
        }
    }

    @Override
    public void close() {
        closeQuietly(zip);
    }

    Path file() {
        return file;
    }

    private ZipEntry entry(String name) {
        ZipEntry e = entries.get(name);
        if (e == null) {
            throw new IllegalStateException(prefix + ": no array '" + name + "'"); // caller's bug: check has() first
        }
        return e;
    }

    private static NpzException corrupt(String where, Exception ex) {
        return new NpzException(where + " is truncated or corrupt: " + NpzException.clip(
                ex.getMessage() != null ? ex.getMessage() : ex.getClass().getSimpleName()), ex);
    }

    private static void closeQuietly(ZipFile zip) {
        try {
            zip.close();
        } catch (IOException ignored) {
            // read-only; nothing was written that closing could lose
        }
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /**
     * The C-order (row-major) position of each value in turn, for data stored in C or Fortran order. For Fortran
     * order the first index varies fastest; the position is kept up to date by strides, with no table.
     */
    static final class CIndex {
        private final int[] shape;
        private final long[] cStride;
        private final int[] idx;
        private final boolean fortran;
        private long c;
        private long k;

        CIndex(int[] shape, boolean fortranOrder) {
            this.shape = shape;
            this.fortran = fortranOrder && shape.length > 1;
            this.idx = new int[fortran ? shape.length : 0];
            this.cStride = new long[fortran ? shape.length : 0];
            long s = 1;
            for (int d = cStride.length - 1; d >= 0; d--) {
                cStride[d] = s;
                s *= shape[d];
            }
        }

        /** The C-order position of the next value in file order. */
        long next() {
            if (!fortran) {
                return k++;
            }
            long here = c;
            for (int d = 0; d < shape.length; d++) {
                c += cStride[d];
                if (++idx[d] < shape[d]) {
                    return here;
                }
                c -= (long) shape[d] * cStride[d];
                idx[d] = 0;
            }
            return here;
        }
    }
}
