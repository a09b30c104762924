package io.longseq.jobs.cluster;

import io.longseq.jobs.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.util.ExceptionUtils;

/**
 * {@code run --config FILE}: a Flink configuration file (Flink 2's standard YAML {@code config.yaml}, nested or flat
 * keys) read by Flink's own loader ({@link GlobalConfiguration#loadConfiguration(String, Configuration)}), so it means
 * what it means to a Flink cluster. Every key counts: Flink's ({@code rest.port}, {@code state.backend.type}, ...) and
 * the job's ({@code longseq.model.block-size}, {@code longseq.kafka.bootstrap-servers}, ...). What the command line
 * sets (flags, {@code -D}) wins over the file.
 */
public final class ConfigFiles {

    /** The command-line option. */
    public static final String FLAG = "--config";

    private ConfigFiles() {}

    /** {@link #load} when {@code file} is given, else {@code flags} alone. */
    public static Configuration withFlags(String file, Configuration flags) {
        return file == null ? flags : load(Path.of(file), flags);
    }

    /**
     * The configuration of {@code file} (a YAML file of any name, or a directory holding {@code config.yaml}) with
     * {@code flags} on top.
     *
     * @throws UsageException when the file does not exist or is no valid YAML, naming the file and the flag
     */
    public static Configuration load(Path file, Configuration flags) {
        if (!Files.exists(file)) {
            throw new UsageException(FLAG + " " + file + ": no such file");
        }
        Path copy = null;
        try {
            Path dir;
            if (Files.isDirectory(file)) {
                dir = file;
                if (!Files.isRegularFile(dir.resolve(GlobalConfiguration.FLINK_CONF_FILENAME))) {
                    throw new UsageException(FLAG + " " + file + ": a directory without "
                            + GlobalConfiguration.FLINK_CONF_FILENAME);
                }
            } else if (file.getFileName().toString().equals(GlobalConfiguration.FLINK_CONF_FILENAME)) {
                dir = file.toAbsolutePath().getParent();
            } else {
                // Flink's loader reads <dir>/config.yaml: give it a copy under that name
                copy = Files.createTempDirectory("longseq-config");
                Files.copy(file, copy.resolve(GlobalConfiguration.FLINK_CONF_FILENAME));
                dir = copy;
            }
            return GlobalConfiguration.loadConfiguration(dir.toString(), flags);
        } catch (IOException e) {
            throw new UsageException(FLAG + " " + file + ": cannot be read: " + e.getMessage(), e);
        } catch (UsageException e) {
            throw e;
        } catch (RuntimeException e) {
            Throwable root = ExceptionUtils.stripException(e, RuntimeException.class);
            String why = root.getMessage() == null ? root.toString() : root.getMessage();
            throw new UsageException(FLAG + " " + file + ": not a Flink configuration file (YAML): "
                    + why.strip().replaceAll("\\s*\\R\\s*", " "), e);
        } finally {
            if (copy != null) {
                delete(copy);
            }
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary copy left behind
        }
    }
}
