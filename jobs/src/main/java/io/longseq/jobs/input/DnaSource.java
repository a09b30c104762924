package io.longseq.jobs.input;

import io.longseq.math.features.Features;
import io.longseq.math.model.ModelConfig;
import java.io.IOException;

/**
 * FASTA or FASTQ records as k-mer ids. A record with a byte that is no IUPAC nucleotide code comes back as a problem
 * naming its 0-based position and the byte ({@link Features#invalidBaseMessage}), and so does a record the reader
 * refused ({@link DnaRecordReader.Record#problem()}); the other records are unaffected.
 */
final class DnaSource implements SequenceSource {

    private final DnaRecordReader reader;
    private final ModelConfig cfg;

    DnaSource(DnaRecordReader reader, ModelConfig cfg) {
        this.reader = reader;
        this.cfg = cfg;
    }

    @Override
    public Sequence next() throws IOException {
        DnaRecordReader.Record r = reader.next();
        if (r == null) {
            return null;
        }
        if (!r.isOk()) {
            return Sequence.bad(r.number(), r.id(), r.problem());
        }
        byte[] bases = r.bases();
        int bad = Features.firstInvalidBase(bases, 0, bases.length);
        if (bad >= 0) {
            return Sequence.bad(r.number(), r.id(), Features.invalidBaseMessage(bases, bad, bad));
        }
        return Sequence.ok(r.number(), r.id(), Features.dnaKmers(bases, cfg), bases.length);
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
