package io.longseq.jobs.input;

import io.longseq.math.model.ModelConfig;
import io.longseq.stream.StreamLimits;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The sequences of one input file, one at a time, already turned into the model's feature ids.
 *
 * <p>A record whose content breaks the input rules (an invalid base, a token id outside the vocabulary) comes
 * back with a {@linkplain Sequence#problem() problem} instead of ids, so the caller can report it and go on with
 * the next record; so does a record the reader refuses (a header, id or log line over its limit, a malformed
 * FASTQ record, a word that is no integer). A file that cannot be read on is an {@link IOException}.
 */
public interface SequenceSource extends Closeable {

    /**
     * One sequence: its 1-based number in the file (0 for lines of a file that belong to no record), its id, and
     * either its feature ids ({@code ids[positions · F]}, position-major, see {@code io.longseq.math.features.Features}) or a problem.
     */
    record Sequence(int number, String id, int[] ids, int positions, String problem) {

        static Sequence ok(int number, String id, int[] ids, int positions) {
            return new Sequence(number, id, ids, positions, null);
        }

        static Sequence bad(int number, String id, String problem) {
            return new Sequence(number, id, null, 0, problem);
        }

        public boolean isOk() {
            return problem == null;
        }
    }

    /** The next sequence, or null at the end. */
    Sequence next() throws IOException;

    /** A source for the file, by the config's feature kind (DNA: FASTA or FASTQ; TOKENS: ids; LOG: lines). */
    static SequenceSource open(Path path, ModelConfig cfg) throws IOException {
        return open(path, cfg, StreamLimits.DEFAULTS);
    }

    /** As {@link #open(Path, ModelConfig)}, refusing headers, ids and log lines over {@code limits}. */
    static SequenceSource open(Path path, ModelConfig cfg, StreamLimits limits) throws IOException {
        return switch (cfg.featureKind()) {
            case DNA -> new DnaSource(DnaRecordReader.open(path, limits), cfg);
            case TOKENS -> new TokenFileSource(path, cfg);
            case LOG -> new LogFileSource(path, cfg, limits);
        };
    }
}
