package io.longseq.jobs.report;

import io.longseq.jobs.output.BlockJsonWriter;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.TopEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A blocks.jsonl as run and offline write it (through {@link BlockJsonWriter}), made without the model: n blocks of
 * B = 256 positions with d random floats per summary and context, four top entries per block and one planted
 * repeat: blocks copy..copy+len−1 link to source..source+len−1 as single blocks with weight 0.4. The entries are
 * shaped like the hierarchical memory's (the previous block, a group of 8, a group of 64, the prefix; weights below
 * 0.003), or with {@code scattered}, like full mode's on random DNA: single earlier blocks anywhere, weights
 * log-uniform in [10⁻⁴, 10⁻²] (the map's worst case for PNG size: colours everywhere).
 */
final class SyntheticBlocks {

    static final int B = 256;

    private SyntheticBlocks() {}

    static void write(Path file, String id, long n, int d, long source, long copy, long len, long seed)
            throws IOException {
        write(file, id, n, d, source, copy, len, seed, false);
    }

    static void write(Path file, String id, long n, int d, long source, long copy, long len, long seed,
                      boolean scattered) throws IOException {
        Random r = new Random(seed);
        try (BlockJsonWriter w = new BlockJsonWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND))) {
            for (long b = 0; b < n; b++) {
                float[] summary = new float[d]; // [d]
                float[] context = new float[d]; // [d]
                for (int i = 0; i < d; i++) {
                    summary[i] = (float) r.nextGaussian();
                    context[i] = (float) r.nextGaussian();
                }
                TopEntry[] top = new TopEntry[b < 2 ? (int) b : 4];
                if (top.length > 0) {
                    top[0] = new TopEntry(1, b - 1, b - 1, 0.003f * r.nextFloat());
                }
                if (top.length > 1) {
                    long g8 = Math.max(0, (b - 16) / 8 * 8);
                    long g64 = Math.max(0, (b - 128) / 64 * 64);
                    top[1] = new TopEntry(2, g8, Math.min(b - 1, g8 + 7), 0.002f * r.nextFloat());
                    top[2] = new TopEntry(3, g64, Math.min(b - 1, g64 + 63), 0.002f * r.nextFloat());
                    top[3] = new TopEntry(5, 0, Math.max(0, g64 - 1), 0.001f * r.nextFloat());
                }
                if (scattered) {
                    for (int k = 0; k < top.length; k++) {
                        long t = (long) (r.nextDouble() * b);
                        top[k] = new TopEntry(1, t, t, (float) Math.pow(10, -4 + 2 * r.nextDouble()));
                    }
                }
                if (b >= copy && b < copy + len) {
                    long s = source + (b - copy);
                    top[0] = new TopEntry(1, s, s, 0.4f);
                }
                float self = 0.99f;
                w.write(id, new BlockResult(b, b * B, (b + 1) * B, summary, context, top, self, 0.05f, 0.5f));
            }
        }
    }
}
