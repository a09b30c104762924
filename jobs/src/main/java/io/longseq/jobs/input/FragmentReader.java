package io.longseq.jobs.input;

import io.longseq.jobs.Refusals;
import io.longseq.math.features.FeatureKind;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.input.SequenceFragment;
import io.longseq.stream.input.ValidateFunction;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Locale;

/**
 * Cuts one input file into {@link SequenceFragment}s of up to {@code fragmentSize} positions, in order, the last
 * fragment of each sequence flagged. It reads with the readers {@code offline} reads with, one per input kind, so
 * streamed and offline runs see the same sequences:
 * <ul>
 *   <li>DNA: every FASTA or FASTQ record is a sequence named by its id ({@link FastaReader}, {@link FastqReader});
 *       an empty record is one empty last fragment. Bases are passed on byte for byte; {@code validate} judges
 *       them.</li>
 *   <li>TOKENS: the file is one sequence named after the file; whitespace-separated integers
 *       ({@link TokenReader}).</li>
 *   <li>LOG: the file is one sequence named after the file; one line is one position ({@link LogReader}). A
 *       fragment also ends before its payload would pass {@code maxFragmentBytes} (fragment boundaries never
 *       change results).</li>
 * </ul>
 * Each fragment records its source: the file and its 0-based fragment number.
 *
 * <p><b>Nothing in the file's content throws.</b> What the reader refuses comes out as a <i>problem fragment</i>: a
 * fragment with {@link SequenceFragment#decodeError} set to one line naming the file, the line and the rule, and as
 * payload at most {@link StreamLimits#deadLetterBytes()} of the original bytes; {@code validate} makes it a dead
 * letter, a client reports it. Refused are: a DNA record the reader refuses (header or id over its limit, a
 * malformed FASTQ record; no fragment of it follows), a token that is no 32-bit integer and a log line over
 * {@link StreamLimits#maxLineBytes()} (the position still comes, as id -1 or as the line's first
 * {@code maxLineBytes + 1} bytes, so {@code validate} also refuses the fragment that holds it and the gap policy
 * applies), and a file that cannot be opened or read on (corrupt gzip, not FASTA, ...): a problem fragment, then
 * the file ends; a TOKENS or LOG sequence that had begun is closed by one more position that {@code validate}
 * refuses (so the gap policy gives it up or pads it rather than leaving it open).
 */
public final class FragmentReader implements Closeable {

    /** Opens the file's decompressed bytes; called on the first {@link #next()}. */
    @FunctionalInterface
    public interface Opener {
        InputStream open() throws IOException;
    }

    /** The largest fragment payload of a LOG file, unless given: max-payload-bytes' default. */
    public static final int DEFAULT_MAX_FRAGMENT_BYTES = 16 << 20;

    private final FeatureKind kind;
    private final int fragmentSize;
    private final String source;
    private final String wholeFileId;
    private final StreamLimits limits;
    private final int maxFragmentBytes;
    private final Opener opener;
    private InputStream in;
    private long fragments;
    private final ArrayDeque<SequenceFragment> queue = new ArrayDeque<>();
    private boolean done;

    // DNA
    private DnaRecordReader dna;
    private DnaRecordReader.Record record;
    private int recordPos;
    // TOKENS / LOG: one fragment read ahead, so the last one can be flagged
    private Piece ahead;
    private boolean started;
    private long wholeFilePos;
    private TokenReader tokens;
    private LogReader lines;

    /** A fragment of a TOKENS or LOG file and the problem fragment that goes before it (or null). */
    private record Piece(SequenceFragment data, SequenceFragment problem) {}

    /**
     * With the default limits.
     *
     * @param in           the decompressed bytes; closed by {@link #close()}
     * @param source       names the file in fragments and dead letters
     * @param wholeFileId  the sequence id of a TOKENS or LOG file (its file name)
     */
    public FragmentReader(InputStream in, String source, String wholeFileId, FeatureKind kind, int fragmentSize) {
        this(() -> in, source, wholeFileId, kind, fragmentSize, StreamLimits.DEFAULTS, DEFAULT_MAX_FRAGMENT_BYTES);
    }

    /**
     * @param opener           opens the decompressed bytes on the first {@link #next()}; a failure to open is a
     *                         problem fragment like any other read failure
     * @param maxFragmentBytes a LOG fragment ends before its payload passes this many bytes
     */
    public FragmentReader(Opener opener, String source, String wholeFileId, FeatureKind kind, int fragmentSize,
                          StreamLimits limits, int maxFragmentBytes) {
        if (fragmentSize < 1) {
            throw new IllegalArgumentException("fragment size must be at least 1, got " + fragmentSize);
        }
        this.opener = opener;
        this.source = source;
        this.wholeFileId = wholeFileId;
        this.kind = kind;
        this.fragmentSize = fragmentSize;
        this.limits = limits;
        this.maxFragmentBytes = Math.max(1, maxFragmentBytes);
    }

    /** The next fragment (a problem fragment has {@code decodeError} set), or null at the end of the file. */
    public SequenceFragment next() throws IOException {
        if (queue.isEmpty() && !done) {
            try {
                if (in == null) {
                    in = opener.open();
                }
                if (kind == FeatureKind.DNA) {
                    fillDna();
                } else {
                    fillWhole();
                }
            } catch (IOException | RuntimeException e) {
                unreadable(e);
            }
        }
        SequenceFragment f = queue.poll();
        if (f != null) {
            f.from(source, 0, fragments++);
        }
        return f;
    }

    private void fillDna() throws IOException {
        if (dna == null) {
            dna = DnaRecordReader.open(in, source, limits);
        }
        if (record == null) {
            DnaRecordReader.Record r = dna.next();
            if (r == null) {
                done = true;
                return;
            }
            if (!r.isOk()) {
                queue.add(problem(r.id(), r.problem(), r.original()));
                return;
            }
            record = r;
            recordPos = 0;
        }
        byte[] b = record.bases();
        int to = (int) Math.min(b.length, (long) recordPos + fragmentSize);
        queue.add(new SequenceFragment(record.id(), recordPos, FeatureKind.DNA, Arrays.copyOfRange(b, recordPos, to),
                to == b.length));
        recordPos = to;
        if (to == b.length) {
            record = null;
        }
    }

    private void fillWhole() throws IOException {
        if (!started) {
            started = true;
            ahead = readWhole();
            if (ahead == null) { // an empty file: one empty sequence
                done = true;
                queue.add(new SequenceFragment(wholeFileId, 0, kind, new byte[0], true));
                return;
            }
        }
        Piece current = ahead;
        ahead = null;
        Exception failure = null;
        try {
            ahead = readWhole();
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
        if (current.problem() != null) {
            queue.add(current.problem());
        }
        if (ahead == null && failure == null) {
            current.data().last = true;
            done = true;
        }
        queue.add(current.data());
        if (failure != null) {
            unreadable(failure);
        }
    }

    // the file cannot be read on: a problem fragment, and a TOKENS or LOG sequence that has begun is closed
    private void unreadable(Exception e) {
        String what = e instanceof FastaReader.FormatException ? e.getMessage()
                : String.format(Locale.ROOT, "%s could not be read%s (%s: %s)", source,
                        fragments + queue.size() == 0 ? "" : " after " + (fragments + queue.size()) + " fragments",
                        e.getClass().getSimpleName(), e.getMessage());
        queue.add(problem(kind == FeatureKind.DNA ? "" : wholeFileId, Refusals.oneLine(what)
                + "; the rest of the file is skipped", new byte[0]));
        if (kind != FeatureKind.DNA && wholeFilePos > 0) {
            byte[] refused = kind == FeatureKind.TOKENS ? ValidateFunction.tokenPayload(new int[] {-1}, 0, 1)
                    : new byte[] {(byte) 0xFF}; // one position that validate refuses: no id, not UTF-8
            queue.add(new SequenceFragment(wholeFileId, wholeFilePos, kind, refused, true));
        }
        done = true;
    }

    private SequenceFragment problem(String sequenceId, String why, byte[] original) {
        byte[] payload = original == null ? new byte[0]
                : Arrays.copyOf(original, Math.min(original.length, limits.deadLetterBytes()));
        return SequenceFragment.undecodable(sequenceId, payload, why);
    }

    // up to fragmentSize positions of a TOKENS or LOG file, or null at its end
    private Piece readWhole() throws IOException {
        return kind == FeatureKind.TOKENS ? readTokens() : readLines();
    }

    private Piece readTokens() throws IOException {
        if (tokens == null) {
            tokens = new TokenReader(in, source);
        }
        int[] ids = new int[Math.min(fragmentSize, 1 << 16)]; // [n]
        int n = 0;
        String first = null;
        byte[] firstWord = null;
        int more = 0;
        while (n < fragmentSize && tokens.next()) {
            int id;
            if (tokens.problem() == null) {
                id = tokens.value();
            } else {
                id = -1; // validate refuses the fragment: its positions get the gap policy
                if (first == null) {
                    first = tokens.problem() + " (position " + tokens.position() + ")";
                    firstWord = tokens.word();
                } else {
                    more++;
                }
            }
            if (n == ids.length) {
                ids = Arrays.copyOf(ids, (int) Math.min(fragmentSize, 2L * n));
            }
            ids[n++] = id;
        }
        if (n == 0) {
            return null;
        }
        SequenceFragment problem = first == null ? null : problem(wholeFileId, first
                + (more > 0 ? " and " + more + " more words in the same fragment" : "")
                + "; passed on as id -1, so validate refuses the fragment", firstWord);
        return new Piece(whole(ValidateFunction.tokenPayload(ids, 0, n), n), problem);
    }

    private Piece readLines() throws IOException {
        if (lines == null) {
            lines = new LogReader(in, source, limits);
        }
        StringBuilder b = new StringBuilder();
        long headroom = 3L * (limits.maxLineBytes() + 1L) + 1; // the most one line can add: U+FFFD for every byte
        long bytes = 0;
        int n = 0;
        String first = null;
        byte[] firstLine = null;
        int more = 0;
        while (n < fragmentSize && (n == 0 || bytes + headroom <= maxFragmentBytes)) {
            if (!lines.next()) {
                break;
            }
            if (lines.problem() != null) {
                if (first == null) {
                    first = lines.problem() + " (position " + lines.position() + ")";
                    firstLine = lines.held();
                } else {
                    more++;
                }
            }
            String text = lines.text();
            b.append(text).append('\n');
            bytes += FastaReader.utf8Length(text) + 1L;
            n++;
        }
        if (n == 0) {
            return null;
        }
        SequenceFragment problem = first == null ? null : problem(wholeFileId, first
                + (more > 0 ? " and " + more + " more lines in the same fragment" : "")
                + "; validate refuses the fragment", firstLine);
        return new Piece(whole(b.toString().getBytes(StandardCharsets.UTF_8), n), problem);
    }

    private SequenceFragment whole(byte[] payload, int positions) {
        SequenceFragment f = new SequenceFragment(wholeFileId, wholeFilePos, kind, payload, false);
        wholeFilePos += positions;
        return f;
    }

    @Override
    public void close() throws IOException {
        if (dna != null) {
            dna.close();
        }
        if (in != null) {
            in.close();
        }
    }
}
