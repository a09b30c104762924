package io.longseq.jobs.input;

import io.longseq.stream.StreamLimits;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * DNA records one at a time from FASTA or FASTQ, told apart by the first byte that is not white space
 * ({@code '@'} is FASTQ; anything else is read as FASTA, whose reader names the problem if it is not FASTA).
 * A record the reader refuses (see {@link FastaReader.Record#problem()}) comes back as such, and reading goes on.
 */
public interface DnaRecordReader extends Closeable {

    /**
     * The next record, maybe a refused one, or null at the end.
     *
     * @throws IOException when the file cannot be read on, or is no FASTA/FASTQ at all
     */
    FastaReader.Record next() throws IOException;

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
