package io.longseq.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Checkpoints} on real directories laid out as Flink lays them out: CHECKPOINT_DIR/job-id/chk-N/_metadata
 * (plus shared/ and taskowned/), SAVEPOINT_DIR/savepoint-xxxxxx-random/_metadata; in-progress checkpoints have no
 * _metadata yet.
 */
class CheckpointsTest {

    @TempDir
    Path dir;

    private static final long T0 = 1_800_000_000_000L;

    private Path metadata(Path d, long modified) throws IOException {
        Files.createDirectories(d);
        Path m = d.resolve(Checkpoints.METADATA);
        Files.write(m, new byte[] {1, 2, 3});
        Files.setLastModifiedTime(m, FileTime.fromMillis(modified));
        return d;
    }

    private static String loc(Path p) {
        return "file://" + p.toAbsolutePath();
    }

    @Test
    void theLatestIsTheNewestMetadataAcrossJobsAndSavepoints() throws IOException {
        Path ck = dir.resolve("checkpoints");
        Path sp = dir.resolve("savepoints");
        String jobA = "0123456789abcdef0123456789abcdef";
        String jobB = "fedcba9876543210fedcba9876543210";
        metadata(ck.resolve(jobA).resolve("chk-41"), T0 + 1_000);
        Files.createDirectories(ck.resolve(jobA).resolve("shared"));
        Files.createDirectories(ck.resolve(jobA).resolve("taskowned"));
        // job B was resumed from A's chk-41 and counts on; its chk-3 is later than A's chk-41 despite the number
        metadata(ck.resolve(jobB).resolve("chk-3"), T0 + 5_000);
        Files.createDirectories(ck.resolve(jobB).resolve("chk-4")); // in progress: no _metadata
        metadata(sp.resolve("savepoint-012345-aaaaaaaaaaaa"), T0 + 3_000);

        Optional<Checkpoints.Found> latest = Checkpoints.latest(List.of(loc(ck), loc(sp)));
        assertThat(latest).isPresent();
        assertThat(latest.get().directory()).endsWith(jobB + "/chk-3");
        assertThat(latest.get().number()).isEqualTo(3);
        assertThat(latest.get().isSavepoint()).isFalse();

        // a newer savepoint wins over every checkpoint
        metadata(sp.resolve("savepoint-fedcba-bbbbbbbbbbbb"), T0 + 9_000);
        latest = Checkpoints.latest(List.of(loc(ck), loc(sp)));
        assertThat(latest.get().directory()).endsWith("savepoint-fedcba-bbbbbbbbbbbb");
        assertThat(latest.get().isSavepoint()).isTrue();
        assertThat(latest.get().describe()).startsWith("savepoint ");

        assertThat(Checkpoints.completed(loc(ck))).hasSize(2);
    }

    @Test
    void onEqualTimesTheHigherCheckpointNumberWins() throws IOException {
        Path job = dir.resolve("ck").resolve("0123456789abcdef0123456789abcdef");
        metadata(job.resolve("chk-9"), T0);
        metadata(job.resolve("chk-10"), T0);
        assertThat(Checkpoints.latest(List.of(loc(dir.resolve("ck")))).get().directory()).endsWith("chk-10");
        // a job's own directory works as a root too
        assertThat(Checkpoints.latest(List.of(loc(job))).get().number()).isEqualTo(10);
    }

    @Test
    void nothingCompletedIsEmpty() throws IOException {
        Path ck = dir.resolve("ck");
        Files.createDirectories(ck.resolve("0123456789abcdef0123456789abcdef").resolve("chk-1")); // in progress
        Files.createDirectories(ck.resolve("0123456789abcdef0123456789abcdef").resolve("shared"));
        // a directory named _metadata is no metadata file
        Files.createDirectories(ck.resolve("0123456789abcdef0123456789abcdef").resolve("chk-2")
                .resolve(Checkpoints.METADATA));
        assertThat(Checkpoints.latest(List.of(loc(ck), loc(dir.resolve("does-not-exist"))))).isEmpty();
    }

    @Test
    void atAcceptsACompletedDirectoryOrItsMetadataFileOnly() throws IOException {
        Path chk = metadata(dir.resolve("job").resolve("chk-7"), T0);
        assertThat(Checkpoints.at(loc(chk))).get().extracting(Checkpoints.Found::number).isEqualTo(7L);
        assertThat(Checkpoints.at(loc(chk.resolve(Checkpoints.METADATA)))).get()
                .extracting(Checkpoints.Found::directory).asString().endsWith("chk-7");
        assertThat(Checkpoints.at(loc(dir.resolve("job")))).isEmpty(); // holds checkpoints, is none
        assertThat(Checkpoints.at(loc(dir.resolve("missing")))).isEmpty();
        Path other = Files.write(dir.resolve("notes.txt"), new byte[] {1});
        assertThat(Checkpoints.at(loc(other))).isEmpty();
    }

    @Test
    void pathsWithSpacesWork() throws IOException {
        Path sp = dir.resolve("save points");
        metadata(sp.resolve("savepoint-abcdef-cccccccccccc"), T0);
        assertThat(Checkpoints.latest(List.of(loc(sp)))).get().extracting(Checkpoints.Found::directory).asString()
                .contains("save points/savepoint-abcdef-cccccccccccc");
        assertThat(Checkpoints.at(loc(sp.resolve("savepoint-abcdef-cccccccccccc")))).isPresent();
    }
}
