package io.longseq.jobs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/** Inputs of the stream ITCases, made or read without the code under test. */
public final class TestInputs {

    public static final Path LAMBDA = Path.of("../examples/lambda_virus.fa.gz");
    public static final Path HDFS_LOG = Path.of("../../shared/data/logs/HDFS_2k.log");

    private TestInputs() {}

    /** One FASTA record read with plain Java: its id (first header word) and bases (all sequence lines joined). */
    record Fasta(String id, byte[] bases) {}

    public static Fasta readSingleFastaGz(Path path) throws IOException {
        byte[] all;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(path))) {
            all = in.readAllBytes();
        }
        String text = new String(all, StandardCharsets.US_ASCII);
        String[] lines = text.split("\r?\n");
        if (lines.length == 0 || !lines[0].startsWith(">")) {
            throw new IOException(path + " does not start with a FASTA header");
        }
        String id = lines[0].substring(1).strip().split("\\s+")[0];
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].startsWith(">")) {
                throw new IOException(path + " holds more than one record");
            }
            b.writeBytes(lines[i].strip().getBytes(StandardCharsets.US_ASCII));
        }
        return new Fasta(id, b.toByteArray());
    }

    /** Uniform random ACGT bases. */
    public static byte[] randomBases(Random r, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) "ACGT".charAt(r.nextInt(4));
        }
        return b;
    }

    /** A planted repeat: bases [src, src + length) copied to [dst, dst + length). */
    public record Repeat(String distance, int src, int dst, int length) {}

    /** Random bases with the repeats copied in (in order; the repeats' ranges must not overlap). */
    public static byte[] genomeWithRepeats(long seed, int n, List<Repeat> repeats) {
        byte[] b = randomBases(new Random(seed), n);
        for (Repeat r : repeats) {
            System.arraycopy(b, r.src(), b, r.dst(), r.length());
        }
        return b;
    }

    public static void writeFasta(Path path, String header, byte[] bases, int width) throws IOException {
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(path), 1 << 16)) {
            out.write(('>' + header + '\n').getBytes(StandardCharsets.US_ASCII));
            for (int p = 0; p < bases.length; p += width) {
                out.write(bases, p, Math.min(width, bases.length - p));
                out.write('\n');
            }
        }
    }

    /**
     * A synthetic service log: timestamps, levels, numbers, IPs, paths, hex ids, a handful of message templates,
     * and a burst of lines replayed later (a repeated incident).
     */
    public static List<String> syntheticLog(long seed, int lines) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>(lines);
        long t = 1_700_000_000_000L;
        List<String> burst = new ArrayList<>();
        while (out.size() < lines) {
            t += 1 + r.nextInt(900);
            if (out.size() == lines / 2 && !burst.isEmpty()) {
                out.addAll(burst.subList(0, Math.min(burst.size(), lines - out.size())));
                continue;
            }
            String line = logLine(r, t);
            if (out.size() >= lines / 5 && burst.size() < 300) {
                burst.add(line);
            }
            out.add(line);
        }
        return out;
    }

    private static String logLine(Random r, long t) {
        java.time.LocalDateTime ts = java.time.LocalDateTime.ofEpochSecond(t / 1000, (int) (t % 1000) * 1_000_000,
                java.time.ZoneOffset.UTC);
        String stamp = String.format(Locale.ROOT, "%tF %<tT,%03d", ts, t % 1000);
        return switch (r.nextInt(7)) {
            case 0 -> String.format(Locale.ROOT, "%s INFO  dfs.DataNode$PacketResponder: Received block blk_%d of size %d from /10.%d.%d.%d:50010",
                    stamp, r.nextLong(), 1 + r.nextInt(67_108_864), r.nextInt(256), r.nextInt(256), r.nextInt(256));
            case 1 -> String.format(Locale.ROOT, "%s WARN  server.Session: connection from 192.168.%d.%d:%d closed after %d ms",
                    stamp, r.nextInt(256), r.nextInt(256), 1024 + r.nextInt(60_000), r.nextInt(30_000));
            case 2 -> String.format(Locale.ROOT, "%s ERROR app.Worker: failed to open /var/data/part-%05d.parquet: No such file or directory",
                    stamp, r.nextInt(100_000));
            case 3 -> String.format(Locale.ROOT, "%s INFO  http.Access: GET /api/v1/users/%d/orders?page=%d 200 %d bytes in %.1fms",
                    stamp, r.nextInt(1_000_000), r.nextInt(50), r.nextInt(100_000), r.nextDouble() * 200);
            case 4 -> String.format(Locale.ROOT, "%s DEBUG cache.Lru: evicted 0x%08x (hits=%d, misses=%d) session %s",
                    stamp, r.nextInt(), r.nextInt(10_000), r.nextInt(10_000), java.util.UUID.nameUUIDFromBytes(longBytes(r.nextLong())));
            case 5 -> String.format(Locale.ROOT, "%s INFO  sched.Planner: job %d stage %d of %d finished on worker-%d (%d tasks, %d retries)",
                    stamp, r.nextInt(5_000), r.nextInt(20), 20, r.nextInt(64), r.nextInt(2_000), r.nextInt(3));
            default -> String.format(Locale.ROOT, "%s INFO  dfs.FSNamesystem: BLOCK* NameSystem.addStoredBlock: blockMap updated: 10.251.%d.%d:50010 is added to blk_%d size %d",
                    stamp, r.nextInt(256), r.nextInt(256), r.nextLong(), 67_108_864);
        };
    }

    private static byte[] longBytes(long v) {
        return java.nio.ByteBuffer.allocate(8).putLong(v).array();
    }

    public static void writeLines(Path path, List<String> lines) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            b.append(l).append('\n');
        }
        Files.writeString(path, b, StandardCharsets.UTF_8);
    }
}
