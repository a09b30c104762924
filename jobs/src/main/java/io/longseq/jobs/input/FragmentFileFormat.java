package io.longseq.jobs.input;

import io.longseq.math.features.FeatureKind;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.StreamTypes;
import io.longseq.stream.input.SequenceFragment;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.ArrayResultIterator;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The file format of Flink's {@code FileSource} for Longseq inputs: one whole file per split (not splittable,
 * since a FASTA record or a log sequence runs across the file), read by {@link FragmentReader} in batches.
 *
 * <p>Why a {@link BulkFormat} and not a {@code StreamFormat}: the reader needs the file name (it is the sequence
 * id of token and log files), which only the split carries. Checkpointed position: the number of fragments
 * emitted; a restored reader re-reads the file and skips them, so the fragments are the same after a restart.
 * Gzip is recognised by its magic bytes, whatever the name ({@link InputFiles}).
 *
 * <p>Nothing in a file fails the job: a file that cannot be opened or read on (gone, corrupt gzip, not FASTA) and
 * a record the reader refuses are problem fragments ({@link FragmentReader}), which {@code validate} turns into
 * dead letters naming the file; the other files are read as usual.
 */
public final class FragmentFileFormat implements BulkFormat<SequenceFragment, FileSourceSplit> {

    private static final long serialVersionUID = 1L;
    private static final int BATCH = 64;

    private final FeatureKind kind;
    private final int fragmentSize;
    private final StreamLimits limits;
    private final int maxFragmentBytes;

    /** With the default limits. */
    public FragmentFileFormat(FeatureKind kind, int fragmentSize) {
        this(kind, fragmentSize, StreamLimits.DEFAULTS, FragmentReader.DEFAULT_MAX_FRAGMENT_BYTES);
    }

    /** With the job's kind and limits; a LOG fragment stays within max-payload-bytes. */
    public FragmentFileFormat(StreamSettings settings, int fragmentSize) {
        this(settings.model().featureKind(), fragmentSize, settings.limits(), settings.maxPayloadBytes());
    }

    public FragmentFileFormat(FeatureKind kind, int fragmentSize, StreamLimits limits, int maxFragmentBytes) {
        this.kind = kind;
        this.fragmentSize = fragmentSize;
        this.limits = limits;
        this.maxFragmentBytes = maxFragmentBytes;
    }

    @Override
    public Reader<SequenceFragment> createReader(Configuration config, FileSourceSplit split) throws IOException {
        return new FileReader(split, 0);
    }

    @Override
    public Reader<SequenceFragment> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
        long skip = split.getReaderPosition().map(CheckpointedPosition::getRecordsAfterOffset).orElse(0L);
        return new FileReader(split, skip);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<SequenceFragment> getProducedType() {
        return StreamTypes.FRAGMENT;
    }

    private final class FileReader implements Reader<SequenceFragment> {

        private final FragmentReader reader;
        private long emitted;

        FileReader(FileSourceSplit split, long skip) throws IOException {
            Path path = split.path();
            java.nio.file.Path name = java.nio.file.Path.of(path.getName());
            FragmentReader.Opener opener = () -> {
                FileSystem fs = path.getFileSystem();
                return InputFiles.open(fs.open(path), name);
            };
            reader = new FragmentReader(opener, path.toString(), path.getName(), kind, fragmentSize, limits,
                    maxFragmentBytes);
            for (; emitted < skip; emitted++) {
                if (reader.next() == null) {
                    break;
                }
            }
        }

        @Override
        public RecordIterator<SequenceFragment> readBatch() throws IOException {
            SequenceFragment[] batch = new SequenceFragment[BATCH];
            int n = 0;
            SequenceFragment f;
            while (n < BATCH && (f = reader.next()) != null) {
                batch[n++] = f;
            }
            if (n == 0) {
                return null;
            }
            ArrayResultIterator<SequenceFragment> it = new ArrayResultIterator<>();
            it.set(batch, n, CheckpointedPosition.NO_OFFSET, emitted);
            emitted += n;
            return it;
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }
}
