package io.longseq.jobs.input;

import io.longseq.math.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;

/** A file that holds exactly one sequence, named after the file: token-id and log files. */
abstract class WholeFileSource implements SequenceSource {

    protected final Path path;
    protected final ModelConfig cfg;
    private boolean done;

    WholeFileSource(Path path, ModelConfig cfg) {
        this.path = path;
        this.cfg = cfg;
    }

    @Override
    public final Sequence next() throws IOException {
        if (done) {
            return null;
        }
        done = true;
        return read(String.valueOf(path.getFileName()));
    }

    /** Reads the file as the sequence {@code id}. */
    protected abstract Sequence read(String id) throws IOException;

    @Override
    public void close() {}
}
