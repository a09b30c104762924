package io.longseq.math.weights;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A zip archive written byte by byte from the PKWARE APPNOTE layout (local file headers, central directory, end
 * record), independently of {@code java.util.zip.ZipOutputStream}, so that a test can make what that class refuses
 * to write: two entries of one name, sizes and CRCs that lie, a DEFLATED stream that inflates past its size.
 */
public final class ZipBytes {

    /** One entry: its name, its uncompressed bytes, how it is stored, and what the zip claims about it. */
    public static final class Entry {
        final String name;
        final byte[] content;
        boolean deflate;
        Long declaredSize; // the uncompressed size written in both headers; null = the true size
        Long declaredCrc;  // null = the true CRC-32 of content

        Entry(String name, byte[] content) {
            this.name = name;
            this.content = content;
        }

        Entry deflated() {
            deflate = true;
            return this;
        }

        Entry claimingSize(long size) {
            declaredSize = size;
            return this;
        }

        Entry claimingCrc(long crc) {
            declaredCrc = crc;
            return this;
        }
    }

    private final List<Entry> entries = new ArrayList<>();

    ZipBytes add(String name, byte[] content) {
        entries.add(new Entry(name, content));
        return this;
    }

    ZipBytes add(Entry e) {
        entries.add(e);
        return this;
    }

    byte[] build() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        for (Entry e : entries) {
            byte[] name = e.name.getBytes(StandardCharsets.UTF_8);
            byte[] stored = e.deflate ? deflate(e.content) : e.content;
            CRC32 crc = new CRC32();
            crc.update(e.content);
            long crcValue = e.declaredCrc != null ? e.declaredCrc : crc.getValue();
            long size = e.declaredSize != null ? e.declaredSize : e.content.length;
            long csize = e.deflate ? stored.length : size; // STORED: the zip's only record of the data length
            int method = e.deflate ? 8 : 0;
            int offset = out.size();
            ByteBuffer local = le(30 + name.length);
            local.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) method)
                    .putShort((short) 0).putShort(DOS_DATE).putInt((int) crcValue).putInt((int) csize)
                    .putInt((int) size).putShort((short) name.length).putShort((short) 0).put(name);
            out.writeBytes(local.array());
            out.writeBytes(stored);
            ByteBuffer cen = le(46 + name.length);
            cen.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0)
                    .putShort((short) method).putShort((short) 0).putShort(DOS_DATE).putInt((int) crcValue)
                    .putInt((int) csize).putInt((int) size).putShort((short) name.length).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0).putInt(offset).put(name);
            central.writeBytes(cen.array());
        }
        int cenOffset = out.size();
        out.writeBytes(central.toByteArray());
        ByteBuffer end = le(22);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) entries.size())
                .putShort((short) entries.size()).putInt(central.size()).putInt(cenOffset).putShort((short) 0);
        out.writeBytes(end.array());
        return out.toByteArray();
    }

    /** 2000-01-01 as an MS-DOS date: (year - 1980) << 9 | month << 5 | day. */
    private static final short DOS_DATE = (short) ((2000 - 1980) << 9 | 1 << 5 | 1);

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Raw DEFLATE (no zlib wrapper), as a zip entry holds it. */
    public static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        d.setInput(data);
        d.finish();
        byte[] buf = new byte[data.length + 1024];
        int n = 0;
        while (!d.finished()) {
            if (n == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            n += d.deflate(buf, n, buf.length - n);
        }
        d.end();
        return Arrays.copyOf(buf, n);
    }
}
