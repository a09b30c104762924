package io.longseq.jobs;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * DNA records one at a time from FASTA or FASTQ, told apart by the first byte that is not white space
 * ({@code '@'} is FASTQ; anything else is read as FASTA, whose reader names the problem if it is not FASTA).
 */
public interface DnaRecordReader extends Closeable {

    /** The next record, or null at the end. */
    FastaReader.Record next() throws IOException;

    /** Opens a file (gzip or not). */
    static DnaRecordReader open(Path path) throws IOException {
        return open(InputFiles.open(path), path.toString());
    }

    /** Reads already-decompressed bytes; {@code name} is used in error messages. */
    static DnaRecordReader open(InputStream raw, String name) throws IOException {
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
        return c == '@' ? new FastqReader(in, name) : new FastaReader(in, name);
    }
}
