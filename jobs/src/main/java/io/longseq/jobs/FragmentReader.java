package io.longseq.jobs;

import io.longseq.math.FeatureKind;
import io.longseq.stream.SequenceFragment;
import io.longseq.stream.ValidateFunction;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StreamTokenizer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Cuts one input file into {@link SequenceFragment}s of up to {@code fragmentSize} positions, in order, the last
 * fragment of each sequence flagged. The same rules as the offline readers, so streamed and offline runs see the
 * same sequences:
 * <ul>
 *   <li>DNA: every FASTA or FASTQ record is a sequence named by its id ({@link DnaRecordReader}); an empty record
 *       is one empty last fragment. Bases are passed on byte for byte; {@code validate} judges them.</li>
 *   <li>TOKENS: the file is one sequence named after the file; whitespace-separated integers. A word that is not
 *       an integer is passed on as id -1, which {@code validate} sends to the dead letters as out of range (the
 *       reader cannot carry text in a token payload).</li>
 *   <li>LOG: the file is one sequence named after the file; one line is one position, bytes that are not UTF-8
 *       read as U+FFFD (as offline).</li>
 * </ul>
 * Each fragment records its source: the file and its 0-based fragment number.
 */
public final class FragmentReader implements Closeable {

    private final FeatureKind kind;
    private final int fragmentSize;
    private final String source;
    private final String wholeFileId;
    private final InputStream in;
    private long fragments;

    // DNA
    private DnaRecordReader dna;
    private FastaReader.Record record;
    private int recordPos;
    // TOKENS / LOG: one fragment read ahead, so the last one can be flagged
    private SequenceFragment ahead;
    private boolean wholeFileDone;
    private long wholeFilePos;
    private StreamTokenizer tokens;
    private BufferedReader lines;

    /**
     * @param in           the decompressed bytes; closed by {@link #close()}
     * @param source       names the file in fragments and dead letters
     * @param wholeFileId  the sequence id of a TOKENS or LOG file (its file name)
     */
    public FragmentReader(InputStream in, String source, String wholeFileId, FeatureKind kind, int fragmentSize) {
        if (fragmentSize < 1) {
            throw new IllegalArgumentException("fragment size must be at least 1, got " + fragmentSize);
        }
        this.in = in;
        this.source = source;
        this.wholeFileId = wholeFileId;
        this.kind = kind;
        this.fragmentSize = fragmentSize;
    }

    /** The next fragment, or null at the end of the file. */
    public SequenceFragment next() throws IOException {
        SequenceFragment f = switch (kind) {
            case DNA -> nextDna();
            case TOKENS, LOG -> nextWhole();
        };
        if (f != null) {
            f.from(source, 0, fragments++);
        }
        return f;
    }

    private SequenceFragment nextDna() throws IOException {
        if (dna == null) {
            dna = DnaRecordReader.open(in, source);
        }
        if (record == null) {
            record = dna.next();
            recordPos = 0;
            if (record == null) {
                return null;
            }
        }
        byte[] b = record.bases();
        int to = (int) Math.min(b.length, (long) recordPos + fragmentSize);
        SequenceFragment f = new SequenceFragment(record.id(), recordPos, FeatureKind.DNA,
                Arrays.copyOfRange(b, recordPos, to), to == b.length);
        recordPos = to;
        if (to == b.length) {
            record = null;
        }
        return f;
    }

    private SequenceFragment nextWhole() throws IOException {
        if (wholeFileDone) {
            return null;
        }
        if (ahead == null) {
            ahead = readWhole();
            if (ahead == null) { // an empty file: one empty sequence
                wholeFileDone = true;
                return new SequenceFragment(wholeFileId, 0, kind, new byte[0], true);
            }
        }
        SequenceFragment current = ahead;
        ahead = readWhole();
        if (ahead == null) {
            current.last = true;
            wholeFileDone = true;
        }
        return current;
    }

    // up to fragmentSize positions of a TOKENS or LOG file, or null at its end
    private SequenceFragment readWhole() throws IOException {
        return kind == FeatureKind.TOKENS ? readTokens() : readLines();
    }

    private SequenceFragment readTokens() throws IOException {
        if (tokens == null) {
            tokens = new StreamTokenizer(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
            tokens.resetSyntax();
            tokens.wordChars(0x21, 0xFFFF);
            tokens.whitespaceChars(0, 0x20);
        }
        int[] ids = new int[fragmentSize];
        int n = 0;
        while (n < fragmentSize && tokens.nextToken() != StreamTokenizer.TT_EOF) {
            int id;
            try {
                id = Integer.parseInt(tokens.sval);
            } catch (NumberFormatException e) {
                id = -1;
            }
            ids[n++] = id;
        }
        return n == 0 ? null : whole(ValidateFunction.tokenPayload(ids, 0, n), n);
    }

    private SequenceFragment readLines() throws IOException {
        if (lines == null) {
            var decoder = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE);
            lines = new BufferedReader(new InputStreamReader(in, decoder), 1 << 16);
        }
        StringBuilder b = new StringBuilder();
        int n = 0;
        String line;
        while (n < fragmentSize && (line = lines.readLine()) != null) {
            b.append(line).append('\n');
            n++;
        }
        return n == 0 ? null : whole(b.toString().getBytes(StandardCharsets.UTF_8), n);
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
        in.close();
    }
}
