package io.longseq.jobs.output;

import io.longseq.math.model.BlockResult;
import io.longseq.math.model.TopEntry;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the genome-browser files of a DNA run (docs/outputs.md), block by block, in the order the blocks come:
 *
 * <ul>
 *   <li>{@code links.bedpe}: one line per top-K entry of a block whose weight reaches the link threshold, the
 *       earlier region first, then the block; 0-based half-open positions, chrom = sequence id; name
 *       {@code b<block>_L<level>_b<first>[-<last>]}; score = the weight; strands {@code .} (the model does not
 *       compare reverse complements). An axial column entry, which stands for no one region, is left out.</li>
 *   <li>{@code tracks.bedgraph}: three tracks, each with its {@code track type=bedGraph} line, one line per block:
 *       the block's weight on itself, the entropy of its attention, its novelty.</li>
 * </ul>
 * A sequence id is the chrom as it is, except that whitespace and control characters (which would break the
 * columns) become {@code _}. The three tracks are written to files of their own beside the output while the blocks
 * come and joined on {@link #close}, so nothing grows with the number of blocks in memory.
 */
public final class GenomeTracks implements Closeable {

    public static final String LINKS = "links.bedpe";
    public static final String TRACKS = "tracks.bedgraph";

    /** The tracks: file part, {@code track} line. */
    private static final String[][] TRACK_LINES = {
        {"self", "track type=bedGraph name=\"longseq self-weight\" description=\"longseq: attention weight of each"
                + " block on itself\" visibility=full autoScale=off viewLimits=0:1"},
        {"entropy", "track type=bedGraph name=\"longseq entropy\" description=\"longseq: entropy of each block's"
                + " attention over the memory (nats)\" visibility=full"},
        {"novelty", "track type=bedGraph name=\"longseq novelty\" description=\"longseq: 1 - best cosine of each"
                + " block's key with an earlier memory entry\" visibility=full autoScale=off viewLimits=0:1"}};

    private final OutputSettings settings;
    private final Path dir;
    private final Writer links;
    private final Path[] parts = new Path[TRACK_LINES.length];
    private final Writer[] tracks = new Writer[TRACK_LINES.length];
    private final StringBuilder sb = new StringBuilder(256);
    private long linkCount;
    private long blockCount;

    /** Opens {@code dir/links.bedpe} and the track parts; {@link #close} writes {@code dir/tracks.bedgraph}. */
    public GenomeTracks(Path dir, OutputSettings settings) throws IOException {
        this.settings = settings;
        this.dir = dir;
        links = Files.newBufferedWriter(dir.resolve(LINKS), StandardCharsets.UTF_8);
        for (int t = 0; t < TRACK_LINES.length; t++) {
            parts[t] = dir.resolve("." + TRACKS + "." + TRACK_LINES[t][0]);
            tracks[t] = Files.newBufferedWriter(parts[t], StandardCharsets.UTF_8);
        }
    }

    /** Adds one block's lines. */
    public void add(String sequenceId, BlockResult r) throws IOException {
        String chrom = chrom(sequenceId);
        blockCount++;
        float[] values = {r.selfWeight(), r.entropy(), r.novelty()};
        for (int t = 0; t < values.length; t++) {
            if (!Float.isFinite(values[t])) {
                continue; // bedGraph has no NaN; the job never writes one
            }
            sb.setLength(0);
            sb.append(chrom).append('\t').append(r.start()).append('\t').append(r.end()).append('\t');
            ShortestFloat.append(sb, values[t]);
            tracks[t].append(sb).append('\n');
        }
        for (TopEntry e : r.top()) {
            if (!(e.weight() >= settings.linkThreshold())) {
                break; // highest weight first
            }
            long[] reg = settings.region(r, e);
            if (reg == null) {
                continue;
            }
            sb.setLength(0);
            sb.append(chrom).append('\t').append(reg[0]).append('\t').append(reg[1]).append('\t')
                    .append(chrom).append('\t').append(r.start()).append('\t').append(r.end()).append('\t')
                    .append('b').append(r.block()).append("_L").append(e.level()).append("_b").append(e.firstBlock());
            if (e.lastBlock() != e.firstBlock()) {
                sb.append('-').append(e.lastBlock());
            }
            sb.append('\t');
            ShortestFloat.append(sb, e.weight());
            sb.append("\t.\t.\n");
            links.append(sb);
            linkCount++;
        }
    }

    /** Links written so far. */
    public long links() {
        return linkCount;
    }

    /** Blocks added so far. */
    public long blocks() {
        return blockCount;
    }

    /** The chrom column of a sequence id: whitespace and control characters become '_'. */
    static String chrom(String id) {
        StringBuilder b = null;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c <= ' ' || c == 0x7f || Character.isWhitespace(c)) {
                if (b == null) {
                    b = new StringBuilder(id);
                }
                b.setCharAt(i, '_');
            }
        }
        return b == null ? id : b.toString();
    }

    /** Closes the links and joins the three tracks into {@code tracks.bedgraph}. */
    @Override
    public void close() throws IOException {
        IOException failed = null;
        for (Writer w : tracks) {
            try {
                w.close();
            } catch (IOException e) {
                failed = failed == null ? e : failed;
            }
        }
        try {
            links.close();
        } catch (IOException e) {
            failed = failed == null ? e : failed;
        }
        if (failed == null) {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dir.resolve(TRACKS)))) {
                for (int t = 0; t < TRACK_LINES.length; t++) {
                    out.write((TRACK_LINES[t][1] + "\n").getBytes(StandardCharsets.UTF_8));
                    Files.copy(parts[t], out);
                }
            } catch (IOException e) {
                failed = e;
            }
        }
        for (Path p : parts) {
            Files.deleteIfExists(p);
        }
        if (failed != null) {
            throw failed;
        }
    }
}
