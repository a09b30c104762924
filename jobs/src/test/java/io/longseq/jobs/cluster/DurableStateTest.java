package io.longseq.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longseq.jobs.UsageException;
import io.longseq.jobs.cli.LongseqCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@link DurableState}: deploy options in, Flink configuration entries out; and its refusals through the CLI. */
class DurableStateTest {

    @TempDir
    Path dir;

    private static Configuration conf(String... keyValues) {
        Configuration c = new Configuration();
        for (int i = 0; i < keyValues.length; i += 2) {
            c.setString(keyValues[i], keyValues[i + 1]);
        }
        return c;
    }

    @Test
    void kafkaModeDefaultsPutCheckpointsInFilesUnderTheWorkingDirectoryRetainedOnCancel() {
        Configuration c = conf();
        DurableState s = DurableState.configure(c, true, dir);
        String ck = "file://" + dir.toAbsolutePath() + "/checkpoints";
        String sp = "file://" + dir.toAbsolutePath() + "/savepoints";
        assertThat(s.checkpointDir()).isEqualTo(ck);
        assertThat(s.savepointDir()).isEqualTo(sp);
        assertThat(c.get(CheckpointingOptions.CHECKPOINT_STORAGE)).isEqualTo("filesystem");
        assertThat(c.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo(ck);
        assertThat(c.get(CheckpointingOptions.SAVEPOINT_DIRECTORY)).isEqualTo(sp);
        assertThat(c.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        assertThat(c.toMap()).containsEntry("execution.checkpointing.externalized-checkpoint-retention",
                "RETAIN_ON_CANCELLATION").containsEntry("execution.checkpointing.dir", ck)
                .containsEntry("state.backend.type", "hashmap");
        assertThat(c.contains(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isFalse();
        assertThat(c.contains(StateRecoveryOptions.SAVEPOINT_PATH)).isFalse();
        assertThat(s.describe()).contains("hashmap", ck, sp, "kept on cancel");
        // the resolved values are written back: whoever reads the deploy keys later sees absolute URIs
        assertThat(c.get(DeployOptions.CHECKPOINT_DIR)).isEqualTo(ck);
        assertThat(DurableState.of(c).savepointDir()).isEqualTo(sp);
    }

    @Test
    void rocksdbTurnsOnIncrementalCheckpoints() {
        Configuration c = conf("longseq.deploy.state-backend", " RocksDB ");
        assertThat(DurableState.configure(c, true, dir).backend()).isEqualTo("rocksdb");
        assertThat(c.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(c.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
        // an explicit Flink key is left alone
        Configuration off = conf("longseq.deploy.state-backend", "rocksdb", "execution.checkpointing.incremental",
                "false");
        DurableState.configure(off, true, dir);
        assertThat(off.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isFalse();
    }

    @Test
    void anUnknownBackendIsRefusedNamingTheFlag() {
        assertThatThrownBy(() -> DurableState.configure(conf("longseq.deploy.state-backend", "memory"), true, dir))
                .isInstanceOf(UsageException.class)
                .hasMessage("--state-backend: 'memory' is not one of hashmap, rocksdb");
    }

    @Test
    void urisAreKeptPathsAreMadeAbsolute() {
        Configuration c = conf("longseq.deploy.checkpoint-dir", "s3://bucket/longseq/ck/",
                "longseq.deploy.savepoint-dir", "../sp/./x");
        DurableState s = DurableState.configure(c, true, dir.resolve("work"));
        assertThat(s.checkpointDir()).isEqualTo("s3://bucket/longseq/ck");
        assertThat(s.savepointDir()).isEqualTo("file://" + dir.toAbsolutePath() + "/sp/x");
        assertThat(DurableState.uri(DeployOptions.CHECKPOINT_DIR, "file:///var/ck", dir)).isEqualTo("file:///var/ck");
        assertThatThrownBy(() -> DurableState.uri(DeployOptions.CHECKPOINT_DIR, "  ", dir))
                .hasMessage("--checkpoint-dir is empty");
    }

    @Test
    void aDeployFlagWinsOverAnExplicitFlinkKeyWhichWinsOverTheDefault() {
        Configuration flinkKey = conf("execution.checkpointing.dir", "hdfs://nn/ck", "state.backend.type", "forst",
                "execution.checkpointing.externalized-checkpoint-retention", "DELETE_ON_CANCELLATION");
        DurableState s = DurableState.configure(flinkKey, true, dir);
        assertThat(s.checkpointDir()).isEqualTo("hdfs://nn/ck");
        assertThat(s.backend()).isEqualTo("forst");
        assertThat(flinkKey.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION);
        Configuration both = conf("execution.checkpointing.dir", "hdfs://nn/ck", "longseq.deploy.checkpoint-dir",
                "/data/ck");
        assertThat(DurableState.configure(both, true, dir).checkpointDir()).isEqualTo("file:///data/ck");
        assertThat(both.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo("file:///data/ck");
    }

    @Test
    void fileModeTakesNoCheckpointsAndRefusesResume() {
        Configuration c = conf("longseq.deploy.checkpoint-dir", "/data/ck", "longseq.deploy.state-backend", "rocksdb");
        DurableState s = DurableState.configure(c, false, dir);
        assertThat(s.checkpointDir()).isNull();
        assertThat(c.contains(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isFalse();
        assertThat(c.contains(CheckpointingOptions.CHECKPOINT_STORAGE)).isFalse();
        assertThat(c.contains(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION)).isFalse();
        assertThat(c.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(s.describe()).isEqualTo("state backend rocksdb");
        assertThatThrownBy(() -> DurableState.configure(conf("longseq.deploy.resume", "latest"), false, dir))
                .isInstanceOf(UsageException.class).hasMessageStartingWith("--resume applies to Kafka mode only");
    }

    @Test
    void resumeLatestPicksTheNewestCompletedCheckpointOrSavepoint() throws IOException {
        Path chk = metadata(dir.resolve("checkpoints/0123456789abcdef0123456789abcdef/chk-5"), 1_000);
        Files.createDirectories(dir.resolve("checkpoints/0123456789abcdef0123456789abcdef/chk-6")); // in progress
        metadata(dir.resolve("savepoints/savepoint-012345-aaaaaaaaaaaa"), 500);
        Configuration c = conf("longseq.deploy.resume", "latest");
        DurableState s = DurableState.configure(c, true, dir);
        assertThat(s.resumeFrom().number()).isEqualTo(5);
        assertThat(c.get(StateRecoveryOptions.SAVEPOINT_PATH)).isEqualTo(s.resumeFrom().directory())
                .endsWith(dir.relativize(chk).toString());
        assertThat(s.describe()).contains("resuming from checkpoint 5 ");
        // a path: relative to the working directory, a directory or its _metadata
        Configuration byPath = conf("longseq.deploy.resume", "savepoints/savepoint-012345-aaaaaaaaaaaa/_metadata");
        assertThat(DurableState.configure(byPath, true, dir).resumeFrom().isSavepoint()).isTrue();
        assertThat(byPath.get(StateRecoveryOptions.SAVEPOINT_PATH)).endsWith("savepoint-012345-aaaaaaaaaaaa");
    }

    @Test
    void resumeRefusesWhatIsNoCompletedCheckpoint() {
        assertThatThrownBy(() -> DurableState.configure(conf("longseq.deploy.resume", "latest"), true, dir))
                .isInstanceOf(UsageException.class).hasMessageStartingWith("--resume latest: no completed checkpoint");
        assertThatThrownBy(() -> DurableState.configure(conf("longseq.deploy.resume", dir.toString()), true, dir))
                .isInstanceOf(UsageException.class)
                .hasMessage("--resume " + dir + ": no completed checkpoint or savepoint there (a chk-N or savepoint"
                        + " directory holding _metadata); or give --resume latest");
    }

    @Test
    void theCliRefusesInOneLineWithExitCode2BeforeItContactsKafka() throws IOException {
        String[] kafka = {"run", "--bootstrap-servers", "127.0.0.1:1", "--checkpoint-dir", dir.resolve("ck").toString()};
        Run badBackend = cli(concat(kafka, "--state-backend", "memory"));
        assertThat(badBackend.exit()).isEqualTo(2);
        assertThat(badBackend.err().strip())
                .isEqualTo("longseq run: --state-backend: 'memory' is not one of hashmap, rocksdb");
        Files.createDirectories(dir.resolve("empty"));
        Run noMetadata = cli(concat(kafka, "--resume", dir.resolve("empty").toString()));
        assertThat(noMetadata.exit()).isEqualTo(2);
        assertThat(noMetadata.err().strip().lines()).singleElement().asString()
                .startsWith("longseq run: --resume " + dir.resolve("empty") + ": no completed checkpoint");
        Run nothingYet = cli(concat(kafka, "--resume", "latest", "--savepoint-dir", dir.resolve("sp").toString()));
        assertThat(nothingYet.exit()).isEqualTo(2);
        assertThat(nothingYet.err().strip().lines()).singleElement().asString()
                .startsWith("longseq run: --resume latest: no completed checkpoint");
    }

    @Test
    void stopRefusesABadEndpointOrJobIdAndFailsWhenNoClusterAnswers() {
        Run badPort = cli("stop", "--jobmanager", "127.0.0.1:http");
        assertThat(badPort.exit()).isEqualTo(2);
        assertThat(badPort.err().strip()).isEqualTo("longseq stop: --jobmanager: 'http' is no port (1..65535)");
        Run badId = cli("stop", "--jobmanager", "127.0.0.1:1", "--job-id", "42");
        assertThat(badId.exit()).isEqualTo(2);
        assertThat(badId.err().strip())
                .isEqualTo("longseq stop: --job-id: '42' is no Flink job id (32 hexadecimal digits)");
        Run nobody = cli("stop", "--jobmanager", "127.0.0.1:1");
        assertThat(nobody.exit()).isEqualTo(1);
        assertThat(nobody.err().strip().lines()).singleElement().asString()
                .startsWith("longseq stop: no Flink cluster answers at 127.0.0.1:1");
    }

    private static Path metadata(Path d, long modified) throws IOException {
        Files.createDirectories(d);
        Path m = Files.write(d.resolve(Checkpoints.METADATA), new byte[] {1});
        Files.setLastModifiedTime(m, FileTime.fromMillis(1_800_000_000_000L + modified));
        return d;
    }

    record Run(int exit, String out, String err) {}

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = LongseqCli.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
