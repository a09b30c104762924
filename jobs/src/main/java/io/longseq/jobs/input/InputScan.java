package io.longseq.jobs.input;

import io.longseq.math.features.FeatureKind;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.input.SequenceFragment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The sequence ids of a run's input files in order and their total positions, read before the job's results
 * arrive: the ids order the merged {@code blocks.jsonl} as {@code offline} writes it, the total is the progress
 * lines' 100 %. Records the readers refuse are left out; {@code positions} is -1 when a file cannot be read to its
 * end (the job reports why).
 */
public record InputScan(List<String> ids, long positions) {

    /** Reads every input with the job's readers ({@link DnaRecordReader}, {@link FragmentReader}). */
    public static InputScan of(List<Path> inputs, FeatureKind kind, StreamLimits limits) {
        List<String> ids = new ArrayList<>();
        long positions = 0;
        boolean complete = true;
        for (Path in : inputs) {
            try (InputStream s = InputFiles.open(in)) {
                if (kind == FeatureKind.DNA) {
                    DnaRecordReader r = DnaRecordReader.open(s, in.toString(), limits);
                    DnaRecordReader.Record rec;
                    while ((rec = r.next()) != null) {
                        if (rec.isOk()) {
                            ids.add(rec.id());
                            positions += rec.bases().length;
                        }
                    }
                } else {
                    ids.add(String.valueOf(in.getFileName()));
                    FragmentReader f = new FragmentReader(() -> s, in.toString(), "", kind, 1 << 16, limits,
                            FragmentReader.DEFAULT_MAX_FRAGMENT_BYTES);
                    SequenceFragment frag;
                    while ((frag = f.next()) != null) {
                        positions += frag.decodeError == null ? frag.positions() : 0;
                    }
                }
            } catch (IOException | RuntimeException e) {
                complete = false; // the job reports the problem; the other files still give their order
            }
        }
        return new InputScan(ids, complete ? positions : -1);
    }
}
