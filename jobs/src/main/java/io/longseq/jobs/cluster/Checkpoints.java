package io.longseq.jobs.cluster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Retained checkpoints and savepoints on any Flink file system: what {@code --resume} may start from.
 *
 * <p>A checkpoint or savepoint is complete when its directory holds {@value #METADATA}: Flink writes that file
 * last, so a {@code chk-N} directory without it is one in progress (or failed) and is never chosen. Flink lays
 * checkpoints out as {@code CHECKPOINT_DIR/<job id>/chk-N/_metadata} and savepoints as
 * {@code SAVEPOINT_DIR/savepoint-<id>-<random>/_metadata}, so the search looks at most two directory levels
 * below each root (a job's own directory, {@code CHECKPOINT_DIR/<job id>}, also works as a root).
 *
 * <p>Locations are Flink path strings ({@code file:///tmp/x y}, {@code s3://bucket/x}), not encoded URIs.
 *
 * <p>The latest is the one whose {@value #METADATA} was written last (its modification time); on a tie the higher
 * checkpoint number, then the path. Checkpoint numbers alone do not order across jobs: a resumed job counts on
 * from the checkpoint it restored, a new one from 1, and a savepoint has none.
 */
public final class Checkpoints {

    /** The file that makes a checkpoint or savepoint directory complete. */
    public static final String METADATA = "_metadata";

    private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");

    /** A completed checkpoint or savepoint: its directory, when its metadata was written, its number (-1: none). */
    public record Found(String directory, long modified, long number) {

        public boolean isSavepoint() {
            return number < 0;
        }

        /** "checkpoint 12" or "savepoint", for messages. */
        public String describe() {
            return (isSavepoint() ? "savepoint " : "checkpoint " + number + " ") + directory;
        }
    }

    private Checkpoints() {}

    /**
     * The newest completed checkpoint or savepoint under any of {@code roots} (directories that do not exist are
     * skipped), or empty when there is none.
     */
    public static Optional<Found> latest(List<String> roots) throws IOException {
        List<Found> all = new ArrayList<>();
        for (String root : roots) {
            all.addAll(completed(root));
        }
        return all.stream().max(Comparator.comparingLong(Found::modified).thenComparingLong(Found::number)
                .thenComparing(Found::directory));
    }

    /** Every completed checkpoint and savepoint within two directory levels below {@code root}. */
    public static List<Found> completed(String root) throws IOException {
        Path base = new Path(root);
        FileSystem fs = base.getFileSystem();
        List<Found> out = new ArrayList<>();
        if (!fs.exists(base)) {
            return out;
        }
        for (FileStatus child : list(fs, base)) {
            if (!child.isDir()) {
                continue;
            }
            found(fs, child.getPath()).ifPresent(out::add);
            for (FileStatus grandchild : list(fs, child.getPath())) {
                if (grandchild.isDir()) {
                    found(fs, grandchild.getPath()).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    /**
     * The completed checkpoint or savepoint at {@code location}: a directory holding {@value #METADATA}, or that
     * file itself; empty when it is neither (missing, or a directory without metadata).
     */
    public static Optional<Found> at(String location) throws IOException {
        Path p = new Path(location);
        FileSystem fs = p.getFileSystem();
        if (!fs.exists(p)) {
            return Optional.empty();
        }
        if (!fs.getFileStatus(p).isDir()) {
            return p.getName().equals(METADATA) ? found(fs, p.getParent()) : Optional.empty();
        }
        return found(fs, p);
    }

    private static Optional<Found> found(FileSystem fs, Path dir) throws IOException {
        Path metadata = new Path(dir, METADATA);
        if (!fs.exists(metadata)) {
            return Optional.empty();
        }
        FileStatus s = fs.getFileStatus(metadata);
        if (s.isDir()) {
            return Optional.empty();
        }
        Matcher m = CHECKPOINT.matcher(dir.getName());
        long number = m.matches() ? Long.parseLong(m.group(1)) : -1;
        return Optional.of(new Found(dir.toString(), s.getModificationTime(), number));
    }

    private static FileStatus[] list(FileSystem fs, Path dir) throws IOException {
        FileStatus[] s = fs.listStatus(dir);
        return s == null ? new FileStatus[0] : s;
    }
}
