package io.longseq.jobs.input;

import io.longseq.stream.StreamLimits;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The readers of DNA files, for both runs: {@code offline} computes each record as a whole ({@link DnaSource}), the
 * stream cuts it into fragments ({@link FragmentReader}). Records come one at a time from FASTA
 * ({@link FastaReader}) or FASTQ ({@link FastqReader}), told apart by the first byte that is not white space
 * ({@code '@'} is FASTQ; anything else is read as FASTA, whose reader names the problem if it is not FASTA).
 * A record the reader refuses (see {@link Record#problem()}) comes back as such, and reading goes on.
 */
public interface DnaRecordReader extends Closeable {

    /**
     * One record: its 1-based number in the file, the id, the whole header line (without '>' or '@') and its
     * bases. A refused record has a {@code problem} (one line naming the file, the line and the limit), no bases, a
     * shortened id and header, and {@code original}: the first bytes of its header line for a dead letter.
     */
    record Record(int number, String id, String header, byte[] bases, String problem, byte[] original) {

        public Record(int number, String id, String header, byte[] bases) {
            this(number, id, header, bases, null, null);
        }

        /** A refused record: no bases, a shortened id, the first bytes of the original for a dead letter. */
        static Record refused(int number, String id, String problem, byte[] original) {
            return new Record(number, id, "", new byte[0], problem, original);
        }

        public boolean isOk() {
            return problem == null;
        }
    }

    /**
     * The next record, maybe a refused one, or null at the end.
     *
     * @throws IOException when the file cannot be read on, or is no FASTA/FASTQ at all
     */
    Record next() throws IOException;

    /** Opens a file (gzip or not) with the default limits. */
    static DnaRecordReader open(Path path) throws IOException {
        return open(path, StreamLimits.DEFAULTS);
    }

    /** Opens a file (gzip or not). */
    static DnaRecordReader open(Path path, StreamLimits limits) throws IOException {
        return open(InputFiles.open(path), path.toString(), limits);
    }

    /** Reads already-decompressed bytes with the default limits; {@code name} is used in messages. */
    static DnaRecordReader open(InputStream raw, String name) throws IOException {
        return open(raw, name, StreamLimits.DEFAULTS);
    }

    /** Reads already-decompressed bytes; {@code name} is used in messages. */
    static DnaRecordReader open(InputStream raw, String name, StreamLimits limits) throws IOException {
        int limit = 1 << 16;
        BufferedInputStream in = raw instanceof BufferedInputStream b ? b : new BufferedInputStream(raw, limit);
        in.mark(limit);
        int c;
        int seen = 0;
        do {
            c = in.read();
            seen++;
        } while ((c == ' ' || c == '\t' || c == '\r' || c == '\n') && seen < limit - 1);
        in.reset();
        return c == '@' ? new FastqReader(in, name, limits) : new FastaReader(in, name, limits);
    }
}
