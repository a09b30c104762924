package io.longseq.jobs.output;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Writes records as JSON lines to {@code DIR/NAME-<subtask>.jsonl}, one file per subtask, for bounded runs from
 * files on one machine ({@code longseq run}); {@link RunOutputs} merges the files when the job has finished.
 *
 * <p>Why not Flink's {@code FileSink}: it commits files only on checkpoints, so a bounded run would need
 * checkpointing just to see its output. A run from files is all or nothing anyway (the CLI turns restarts off;
 * a failed run is re-run), and a writer that opens its file afresh on start needs no coordination. Unbounded and
 * exactly-once outputs go to Kafka.
 */
public final class JsonLinesSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;

    /** The JSON line of one record (no line end). */
    @FunctionalInterface
    public interface Encoder<T> extends Serializable {
        String encode(T record);
    }

    private final String dir;
    private final String name;
    private final Encoder<T> encoder;

    public JsonLinesSink(Path dir, String name, Encoder<T> encoder) {
        this.dir = dir.toString();
        this.name = name;
        this.encoder = encoder;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        Path d = Path.of(dir);
        Files.createDirectories(d);
        Path file = d.resolve(name + "-" + context.getTaskInfo().getIndexOfThisSubtask() + ".jsonl");
        BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) throws IOException {
                out.write(encoder.encode(element));
                out.write('\n');
            }

            @Override
            public void flush(boolean endOfInput) throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }
}
