package io.longseq.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.jobs.cluster.ClusterLayout.Role;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ClusterLayout}, the one place a cluster's configuration and JVM flags come from: what it writes is what
 * Flink reads back (config.yaml through Flink's own loader), every socket is on loopback, TaskManagers get the vector
 * module, JDK 17's opens, ND4J's lib and the parent-first patterns, memory flags come from the process sizes.
 */
class ClusterLayoutTest {

    @TempDir
    Path dir;

    private ClusterLayout layout(Map<String, String> extra) {
        ClusterLayout.Options d = ClusterLayout.Options.defaults();
        return ClusterLayout.create(dir, Path.of("/opt/longseq/jobs/target"), new ClusterLayout.Options(3, 2,
                d.restPort(), d.rpcPort(), d.blobPort(), d.address(), d.bindAddress(), d.jobManagerMemory(),
                d.taskManagerMemory(), extra));
    }

    @Test
    void configYamlIsWhatFlinkReadsBackWithEverySocketOnLoopback() throws Exception {
        ClusterLayout l = layout(Map.of("heartbeat.timeout", "8 s"));
        l.write();
        Configuration c = GlobalConfiguration.loadConfiguration(l.confDir().toString());
        for (String key : ClusterLayout.LOOPBACK_KEYS) {
            assertThat(c.toMap()).as(key).containsEntry(key, "127.0.0.1");
        }
        assertThat(c.get(RestOptions.PORT)).isEqualTo(8081);
        assertThat(c.get(JobManagerOptions.PORT)).isEqualTo(6123);
        assertThat(c.toMap()).containsEntry("blob.server.port", "6124").containsEntry("heartbeat.timeout", "8 s");
        assertThat(c.get(TaskManagerOptions.NUM_TASK_SLOTS)).isEqualTo(2);
        assertThat(c.get(CoreOptions.DEFAULT_PARALLELISM)).isEqualTo(6);
        assertThat(c.get(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL))
                .containsExactly("org.nd4j.", "org.bytedeco.", "io.longseq.math.");
        assertThat(c.get(CoreOptions.TMP_DIRS)).isEqualTo(dir.resolve("tmp").toString());
        assertThat(c.get(ClusterLayout.TASKMANAGERS)).isEqualTo(3);
        assertThat(c.get(org.apache.flink.configuration.MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL))
                .isEqualTo(java.time.Duration.ofSeconds(2));
        assertThat(ClusterLayout.exists(dir)).isTrue();

        ClusterLayout again = ClusterLayout.load(dir, l.libDir());
        assertThat(again.command(Role.TASKMANAGER, "taskmanager-2", false))
                .isEqualTo(l.command(Role.TASKMANAGER, "taskmanager-2", false));
        assertThat(again.command(Role.JOBMANAGER, "jobmanager", false))
                .isEqualTo(l.command(Role.JOBMANAGER, "jobmanager", false));
        assertThat(again.restEndpoint()).isEqualTo("127.0.0.1:8081");
        assertThat(again.taskManagers()).isEqualTo(3);
    }

    @Test
    void taskManagersGetTheVectorModuleTheOpensNd4jAndTheirMemoryFlags() {
        ClusterLayout l = layout(Map.of("env.java.opts.taskmanager", "-Dlongseq.vector=false -Xss2m"));
        List<String> tm = l.command(Role.TASKMANAGER, "taskmanager-1", false);
        List<String> jvm = l.jvmOptions(Role.TASKMANAGER, "taskmanager-1", false);
        assertThat(tm.get(0)).endsWith("/bin/java");
        assertThat(tm.subList(1, 1 + jvm.size())).isEqualTo(jvm);
        assertThat(String.join(" ", jvm)).contains("--add-modules " + ClusterLayout.VECTOR_MODULE);
        assertThat(jvm).containsAll(ClusterLayout.JDK_OPTIONS)
                .contains("--add-opens=java.base/java.util=ALL-UNNAMED", "-XX:+UseG1GC",
                        "-D" + ClusterLayout.PROCESS_MARK + "=" + dir.resolve("taskmanager-1"),
                        "-Djava.io.tmpdir=" + dir.resolve("tmp"),
                        "-Dlog.file=" + dir.resolve("log").resolve("taskmanager-1.log"),
                        "-Dlongseq.vector=false", "-Xss2m");
        assertThat(jvm.stream().filter(s -> s.startsWith("-Xmx") || s.startsWith("-Xms")
                || s.startsWith("-XX:MaxDirectMemorySize=") || s.startsWith("-XX:MaxMetaspaceSize="))).hasSize(4);
        assertThat(tm).containsSubsequence("-cp", "/opt/longseq/jobs/target/flink-lib/*:/opt/longseq/jobs/target/nd4j-lib/*"
                + ":/opt/longseq/jobs/target/kernel-lib/*",
                "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", "--configDir", dir.resolve("conf").toString());
        String dynamic = String.join(" ", tm.subList(tm.indexOf("--configDir") + 2, tm.size()));
        assertThat(dynamic).contains("-D taskmanager.cpu.cores=2.0", "-D taskmanager.memory.task.heap.size=",
                "-D taskmanager.memory.managed.size=", "-D taskmanager.memory.network.max=",
                "-D taskmanager.numberOfTaskSlots=2");
    }

    @Test
    void theJobManagerHasFlinkOnlyAndTheVectorModuleToo() {
        ClusterLayout l = layout(Map.of());
        List<String> jm = l.command(Role.JOBMANAGER, "jobmanager", true);
        assertThat(jm).containsSubsequence("-cp", "/opt/longseq/jobs/target/flink-lib/*",
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", "--configDir",
                dir.resolve("conf").toString(), "--executionMode", "cluster");
        assertThat(String.join(" ", jm)).contains("--add-modules jdk.incubator.vector", "-Xmx", "-Xms",
                "-XX:MaxMetaspaceSize=", "-D jobmanager.memory.heap.size=",
                "-Dlog4j.configurationFile=file:" + dir.resolve("conf").resolve("log4j-console.properties"))
                .doesNotContain("nd4j-lib", "kernel-lib", "-Dlongseq.vector=false");
        assertThat(jm).containsAll(ClusterLayout.JDK_OPTIONS);
    }

    @Test
    void aWildcardBindLetsTaskManagersFindTheirAddressAndTheJobManagerHasItsName() throws Exception {
        ClusterLayout.Options d = ClusterLayout.Options.defaults();
        ClusterLayout l = ClusterLayout.create(dir, dir, new ClusterLayout.Options(1, 1, d.restPort(), d.rpcPort(),
                d.blobPort(), "jobmanager", "0.0.0.0", d.jobManagerMemory(), d.taskManagerMemory(), Map.of()));
        Map<String, String> k = l.keys();
        assertThat(k).containsEntry("jobmanager.rpc.address", "jobmanager").containsEntry("rest.address", "jobmanager")
                .containsEntry("taskmanager.bind-host", "0.0.0.0").containsEntry("rest.bind-address", "0.0.0.0")
                .doesNotContainKey("taskmanager.host");
    }

    @Test
    void logsAppendSoThatAJobsMainInTheJobManagerCannotTruncateThemAndForegroundProcessesAlsoPrintThem() {
        assertThat(ClusterLayout.log4jProperties(false)).contains("appender.main.append = true",
                "appender.main.fileName = ${sys:log.file}");
        assertThat(ClusterLayout.log4jProperties(false)).doesNotContain("Console");
        assertThat(ClusterLayout.log4jProperties(true)).contains("appender.console.type = Console",
                "appender.console.target = SYSTEM_OUT", "appender.main.fileName = ${sys:log.file}");
    }
}
