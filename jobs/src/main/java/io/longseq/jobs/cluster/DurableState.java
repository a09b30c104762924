package io.longseq.jobs.cluster;

import io.longseq.jobs.LongseqOptions;
import io.longseq.jobs.UsageException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;

/**
 * Durable state of {@code longseq run}: turns the {@link DeployOptions} (checkpoint-dir, savepoint-dir,
 * state-backend, resume) into Flink configuration entries, on the configuration that is executed embedded or
 * submitted to a cluster.
 *
 * <p>Kafka mode (a job that runs until stopped):
 * <ul>
 *   <li>checkpoints go to files: {@code execution.checkpointing.storage: filesystem} and
 *       {@code execution.checkpointing.dir} = checkpoint-dir, made an absolute URI ({@code file:///...} for a
 *       path, relative to the working directory; any Flink file system URI as it is). Without it Flink keeps
 *       checkpoints in JobManager memory, at most 5 MiB per state handle, which a few thousand open sequences
 *       exceed: then no checkpoint completes and the EXACTLY_ONCE sinks never commit;</li>
 *   <li>{@code execution.checkpointing.externalized-checkpoint-retention: RETAIN_ON_CANCELLATION}: a cancelled job
 *       (or a lost cluster) leaves its latest checkpoint to resume from;</li>
 *   <li>{@code execution.checkpointing.savepoint-dir} = savepoint-dir (absolute), the default target of
 *       savepoints;</li>
 *   <li>{@code execution.state-recovery.path} from resume: {@code latest} is the newest completed checkpoint or
 *       savepoint under the two directories ({@link Checkpoints#latest}), anything else a path to one.</li>
 * </ul>
 * In both modes {@code state.backend.type} = state-backend, {@code hashmap} or {@code rocksdb}; rocksdb also turns
 * on incremental checkpoints ({@code execution.checkpointing.incremental}).
 *
 * <p>A run from files takes no checkpoints (decided here): it is finite, runs with restart strategy none and is all
 * or nothing, so after a failure it is run again from its files; checkpoints would only cost time and leave
 * directories behind. Its checkpoint-dir and savepoint-dir are ignored and resume is refused.
 *
 * <p>Precedence: a deploy option given explicitly (flag or {@code longseq.deploy.*} key) wins; else a Flink key
 * given explicitly (e.g. {@code -D execution.checkpointing.dir=...} or a cluster's configuration file); else the
 * deploy option's default. The resolved values are written back to the deploy keys, so whoever reads them later
 * (the startup line, a graceful stop) sees absolute URIs.
 *
 * @param checkpointDir absolute URI, null in file mode
 * @param savepointDir  absolute URI, null in file mode
 * @param backend       hashmap or rocksdb (or another backend named by an explicit Flink key)
 * @param resumeFrom    the checkpoint or savepoint the job starts from, or null
 */
public record DurableState(String checkpointDir, String savepointDir, String backend, Checkpoints.Found resumeFrom) {

    /** The state backends {@code --state-backend} accepts. */
    public static final List<String> BACKENDS = List.of("hashmap", "rocksdb");
    /** The value of resume that picks the newest checkpoint or savepoint. */
    public static final String LATEST = "latest";

    /**
     * Reads the deploy options from {@code conf}, writes the Flink entries into it (see the class comment) and
     * returns what was chosen.
     *
     * @param kafka   Kafka mode (checkpoints, retention, resume); false: a run from files
     * @param workDir what relative paths are relative to
     * @throws UsageException one line naming the flag: an unknown backend, a resume target that is not a completed
     *                        checkpoint or savepoint, resume in file mode, a directory that is no URI
     */
    public static DurableState configure(Configuration conf, boolean kafka, Path workDir) {
        String backend = conf.contains(DeployOptions.STATE_BACKEND)
                ? conf.get(DeployOptions.STATE_BACKEND).strip().toLowerCase(Locale.ROOT)
                : conf.getOptional(StateBackendOptions.STATE_BACKEND).orElse(DeployOptions.STATE_BACKEND.defaultValue());
        if (conf.contains(DeployOptions.STATE_BACKEND) && !BACKENDS.contains(backend)) {
            throw new UsageException(flag(DeployOptions.STATE_BACKEND) + ": '" + conf.get(DeployOptions.STATE_BACKEND)
                    + "' is not one of " + String.join(", ", BACKENDS));
        }
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        conf.set(DeployOptions.STATE_BACKEND, backend);
        if (backend.equals("rocksdb") && !conf.contains(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)) {
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        }
        if (!kafka) {
            if (conf.contains(DeployOptions.RESUME)) {
                throw new UsageException(flag(DeployOptions.RESUME) + " applies to Kafka mode only: a run from files"
                        + " takes no checkpoints (it is run again from its files)");
            }
            return new DurableState(null, null, backend, null);
        }
        String checkpoints = uri(DeployOptions.CHECKPOINT_DIR, conf.contains(DeployOptions.CHECKPOINT_DIR)
                ? conf.get(DeployOptions.CHECKPOINT_DIR)
                : conf.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY)
                        .orElse(DeployOptions.CHECKPOINT_DIR.defaultValue()), workDir);
        String savepoints = uri(DeployOptions.SAVEPOINT_DIR, conf.contains(DeployOptions.SAVEPOINT_DIR)
                ? conf.get(DeployOptions.SAVEPOINT_DIR)
                : conf.getOptional(CheckpointingOptions.SAVEPOINT_DIRECTORY)
                        .orElse(DeployOptions.SAVEPOINT_DIR.defaultValue()), workDir);
        conf.set(DeployOptions.CHECKPOINT_DIR, checkpoints);
        conf.set(DeployOptions.SAVEPOINT_DIR, savepoints);
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints);
        conf.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, savepoints);
        if (!conf.contains(CheckpointingOptions.CHECKPOINT_STORAGE)) {
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        }
        if (!conf.contains(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION)) {
            conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        }
        Checkpoints.Found from = conf.getOptional(DeployOptions.RESUME)
                .map(r -> resume(r.strip(), checkpoints, savepoints, workDir)).orElse(null);
        if (from != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, from.directory());
        }
        return new DurableState(checkpoints, savepoints, backend, from);
    }

    /** The state chosen for a configuration that {@link #configure} has already seen (Kafka mode). */
    public static DurableState of(Configuration conf) {
        return new DurableState(conf.get(DeployOptions.CHECKPOINT_DIR), conf.get(DeployOptions.SAVEPOINT_DIR),
                conf.get(StateBackendOptions.STATE_BACKEND), null);
    }

    /** For the startup line: "checkpoints in X (backend B, retained on cancel), savepoints in Y[, resumed from Z]". */
    public String describe() {
        if (checkpointDir == null) {
            return "state backend " + backend;
        }
        return "state backend " + backend + (backend.equals("rocksdb") ? " (incremental)" : "") + ", checkpoints in "
                + checkpointDir + " (kept on cancel), savepoints in " + savepointDir
                + (resumeFrom == null ? "" : ", resuming from " + resumeFrom.describe());
    }

    private static Checkpoints.Found resume(String value, String checkpoints, String savepoints, Path workDir) {
        String f = flag(DeployOptions.RESUME);
        try {
            if (value.equals(LATEST)) {
                Optional<Checkpoints.Found> l = Checkpoints.latest(List.of(checkpoints, savepoints));
                return l.orElseThrow(() -> new UsageException(f + " latest: no completed checkpoint (chk-N with "
                        + Checkpoints.METADATA + ") under " + checkpoints + " and no savepoint under " + savepoints
                        + "; give " + flag(DeployOptions.CHECKPOINT_DIR) + " or a path"));
            }
            String target = uri(DeployOptions.RESUME, value, workDir);
            return Checkpoints.at(target).orElseThrow(() -> new UsageException(f + " " + value
                    + ": no completed checkpoint or savepoint there (a chk-N or savepoint directory holding "
                    + Checkpoints.METADATA + "); or give " + f + " latest"));
        } catch (IOException e) {
            throw new UsageException(f + " " + value + ": cannot read the checkpoints: " + e.getMessage(), e);
        }
    }

    /**
     * An absolute location for a directory option, as a Flink path string: a value with a scheme
     * ({@code s3://bucket/x}, {@code file:///x}) as it is, else a local path made absolute against {@code workDir},
     * as {@code file:///...} (not percent-encoded: Flink parses it). No trailing slash.
     */
    public static String uri(org.apache.flink.configuration.ConfigOption<?> option, String value, Path workDir) {
        String v = value.strip();
        if (v.isEmpty()) {
            throw new UsageException(flag(option) + " is empty");
        }
        if (v.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
            URI u;
            try {
                u = new org.apache.flink.core.fs.Path(v).toUri();
            } catch (IllegalArgumentException e) {
                throw new UsageException(flag(option) + ": '" + v + "' is no URI: " + e.getMessage(), e);
            }
            if (u.getScheme() == null || u.getPath() == null || u.getPath().isEmpty()) {
                throw new UsageException(flag(option) + ": '" + v + "' names no path");
            }
            return trim(v);
        }
        Path p = workDir.resolve(v).toAbsolutePath().normalize();
        return trim("file://" + p);
    }

    private static String trim(String uri) {
        String u = uri;
        while (u.endsWith("/") && !u.endsWith(":///") && !u.endsWith("://") && u.length() > 1) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }

    private static String flag(org.apache.flink.configuration.ConfigOption<?> option) {
        return LongseqOptions.flag(option);
    }
}
