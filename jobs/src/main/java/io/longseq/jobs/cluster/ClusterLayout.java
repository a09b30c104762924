package io.longseq.jobs.cluster;

import static java.util.stream.Collectors.joining;

import io.longseq.jobs.KernelClaim;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.BlobServerOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ConfigurationUtils;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * The one place that says how a standalone Flink cluster of Longseq runs (issue 21, docs/cluster.md): the
 * {@code config.yaml} written into {@code DIR/conf}, the class paths, the JVM flags and the command line of the
 * JobManager ({@code StandaloneSessionClusterEntrypoint}) and of each TaskManager ({@code TaskManagerRunner}).
 * {@code longseq cluster start} spawns these commands, {@code longseq cluster jobmanager|taskmanager} becomes one of
 * them (containers), and tests read them from here; nothing else decides a flag.
 *
 * <ul>
 *   <li>Class path: {@code jobs/target/flink-lib/*} (Flink, its web UI and what Flink needs beside it); TaskManagers
 *       also {@code jobs/target/nd4j-lib/*} and {@code jobs/target/kernel-lib/*}, and {@code org.nd4j.},
 *       {@code org.bytedeco.} and {@code io.longseq.math.} load parent-first ({@link #PARENT_FIRST}): ND4J's natives
 *       load once per TaskManager, not once per job, and the kernels stay compiled from one job to the next. The job
 *       jar is never on it: jobs bring it.</li>
 *   <li>Every JVM: JDK 17's {@code --add-opens}/{@code --add-exports} that Flink's scripts add ({@link #JDK_OPTIONS}),
 *       and {@code --add-modules jdk.incubator.vector}: without it a TaskManager runs the scalar kernels, whose
 *       output differs from {@code offline} in the last bits ({@link KernelClaim} refuses such a TaskManager).</li>
 *   <li>Memory: {@code jobmanager.memory.process.size} and {@code taskmanager.memory.process.size}; the heap, direct
 *       and metaspace flags and the derived {@code -D} sizes come from Flink's own calculation (what its shell scripts
 *       get from {@code BashJavaUtils}).</li>
 *   <li>Network: every socket of every process binds {@code --bind-address} (127.0.0.1 by default) through
 *       {@link #LOOPBACK_KEYS}; the web UI and REST on {@code rest.port} (8081).</li>
 * </ul>
 */
public final class ClusterLayout {

    /** The processes of a cluster. */
    public enum Role {
        JOBMANAGER("org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint"),
        TASKMANAGER("org.apache.flink.runtime.taskexecutor.TaskManagerRunner");

        public final String mainClass;

        Role(String mainClass) {
            this.mainClass = mainClass;
        }
    }

    /** Loaded by a TaskManager's own class loader before a job's jar: ND4J (nd4j-lib/), the kernels (kernel-lib/). */
    public static final List<String> PARENT_FIRST = List.of("org.nd4j.", "org.bytedeco.", "io.longseq.math.");
    /** The build's directories on a TaskManager's class path besides flink-lib/. */
    public static final List<String> TASKMANAGER_LIBS = List.of("nd4j-lib", "kernel-lib");
    public static final String VECTOR_MODULE = "jdk.incubator.vector";
    /** JDK 17 options Flink 2's scripts put on every JVM (its default config.yaml's env.java.opts.all). */
    public static final List<String> JDK_OPTIONS = List.of("-XX:+IgnoreUnrecognizedVMOptions",
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");
    /** The keys that put every listening socket on the bind address (and what the processes advertise). */
    public static final List<String> LOOPBACK_KEYS = List.of(JobManagerOptions.ADDRESS.key(),
            JobManagerOptions.BIND_HOST.key(), TaskManagerOptions.BIND_HOST.key(), TaskManagerOptions.HOST.key(),
            RestOptions.ADDRESS.key(), RestOptions.BIND_ADDRESS.key());
    /** How many TaskManagers {@code cluster start} keeps running (Longseq's key; Flink ignores it). */
    public static final ConfigOption<Integer> TASKMANAGERS = ConfigOptions.key("longseq.cluster.taskmanagers").intType()
            .defaultValue(2);
    /**
     * The JobManager's Prometheus port; TaskManager i (from 1) serves on this + i, every one on the bind address
     * (Longseq's key; Flink ignores it). 0: no reporter.
     */
    public static final ConfigOption<Integer> METRICS_PORT = ConfigOptions.key("longseq.cluster.metrics-port").intType()
            .defaultValue(9249);
    /** The name of the cluster's reporter: its keys are {@code metrics.reporter.prom.*}. */
    public static final String REPORTER = "prom";
    /** A JVM property that marks a process as this cluster's (pid files are checked against it). */
    public static final String PROCESS_MARK = "longseq.cluster.process";

    /** What {@code cluster start} and the foreground forms take from the command line. */
    public record Options(int taskManagers, int slots, int restPort, int rpcPort, int blobPort, String address,
                          String bindAddress, String jobManagerMemory, String taskManagerMemory,
                          Map<String, String> extra) {

        public static Options defaults() {
            return new Options(2, 1, 8081, 6123, 6124, "127.0.0.1", "127.0.0.1", "1024m", "1280m", Map.of());
        }
    }

    private final Path dir;
    private final Path libDir;
    private final Configuration config;

    private ClusterLayout(Path dir, Path libDir, Configuration config) {
        this.dir = dir.toAbsolutePath().normalize();
        this.libDir = libDir.toAbsolutePath().normalize();
        this.config = config;
    }

    /** A new cluster's layout: its configuration from the options ({@code extra} last: any Flink key). */
    public static ClusterLayout create(Path dir, Path libDir, Options o) {
        Path d = dir.toAbsolutePath().normalize();
        Configuration c = new Configuration();
        c.set(JobManagerOptions.ADDRESS, o.address());
        c.set(JobManagerOptions.PORT, o.rpcPort());
        c.set(JobManagerOptions.BIND_HOST, o.bindAddress());
        c.set(JobManagerOptions.TOTAL_PROCESS_MEMORY, MemorySize.parse(o.jobManagerMemory()));
        c.set(TaskManagerOptions.BIND_HOST, o.bindAddress());
        if (!isWildcard(o.bindAddress())) {
            c.set(TaskManagerOptions.HOST, o.bindAddress()); // else a TaskManager finds its address towards the JM
        }
        c.set(TaskManagerOptions.NUM_TASK_SLOTS, o.slots());
        c.set(TaskManagerOptions.TOTAL_PROCESS_MEMORY, MemorySize.parse(o.taskManagerMemory()));
        c.set(RestOptions.ADDRESS, o.address());
        c.set(RestOptions.BIND_ADDRESS, o.bindAddress());
        c.set(RestOptions.PORT, o.restPort());
        c.set(BlobServerOptions.PORT, String.valueOf(o.blobPort()));
        c.set(CoreOptions.DEFAULT_PARALLELISM, o.taskManagers() * o.slots());
        c.set(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL, PARENT_FIRST);
        c.set(CoreOptions.TMP_DIRS, d.resolve("tmp").toString());
        // the JobManager's view of task metrics (web UI, run --jobmanager's progress line) at most 2 s old, not 10
        c.set(org.apache.flink.configuration.MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, java.time.Duration.ofSeconds(2));
        c.set(TASKMANAGERS, o.taskManagers());
        o.extra().forEach((k, v) -> c.setString(k, v));
        if (c.get(METRICS_PORT) > 0) {
            // Prometheus from every process (flink-lib/longseq-jobs-prom-reporter.jar): the JobManager's port here (its
            // entrypoint ignored a -D for it), a TaskManager's as a dynamic option of its command line (metricsPort)
            String prefix = "metrics.reporter." + REPORTER + ".";
            c.setString(prefix + "factory.class", LoopbackPrometheusReporterFactory.class.getName());
            c.setString(prefix + LoopbackPrometheusReporter.HOST, o.bindAddress());
            c.setString(prefix + LoopbackPrometheusReporter.PORT, String.valueOf(c.get(METRICS_PORT)));
            // label values as the embedded run reports them (EmbeddedCluster): reason="invalid-base", not invalid_base
            c.setString(prefix + "filterLabelValueCharacters", "false");
        }
        return new ClusterLayout(d, libDir, c);
    }

    /** The layout of a cluster whose configuration was written before ({@code DIR/conf/config.yaml}). */
    public static ClusterLayout load(Path dir, Path libDir) {
        Path d = dir.toAbsolutePath().normalize();
        return new ClusterLayout(d, libDir, GlobalConfiguration.loadConfiguration(d.resolve("conf").toString()));
    }

    /** True if DIR holds a written configuration. */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve("conf").resolve(GlobalConfiguration.FLINK_CONF_FILENAME));
    }

    /**
     * Where the packaged jars are: the directory of the jar this class came from ({@code jobs/target}, holding
     * {@code longseq.jar}, {@code flink-lib/} and {@code nd4j-lib/}), or {@code longseq.lib.dir} if set.
     */
    public static Path defaultLibDir() {
        String p = System.getProperty("longseq.lib.dir");
        if (p != null) {
            return Path.of(p);
        }
        try {
            Path self = Path.of(ClusterLayout.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return self.getParent();
        } catch (Exception e) {
            throw new IllegalStateException("cannot tell where the job jar is: " + e, e);
        }
    }

    public Path dir() {
        return dir;
    }

    public Path libDir() {
        return libDir;
    }

    public Configuration config() {
        return new Configuration(config);
    }

    public Path confDir() {
        return dir.resolve("conf");
    }

    public Path logDir() {
        return dir.resolve("log");
    }

    public Path tmpDir() {
        return dir.resolve("tmp");
    }

    public Path pidFile(String name) {
        return dir.resolve(name + ".pid");
    }

    public Path logFile(String name) {
        return logDir().resolve(name + ".log");
    }

    /** Where a background process's stdout and stderr go (JVM warnings, crashes before logging starts). */
    public Path outFile(String name) {
        return logDir().resolve(name + ".out");
    }

    public int taskManagers() {
        return config.get(TASKMANAGERS);
    }

    public int slots() {
        return config.get(TaskManagerOptions.NUM_TASK_SLOTS);
    }

    /** HOST:PORT of the REST endpoint and web UI, as clients reach it. */
    public String restEndpoint() {
        return config.get(RestOptions.ADDRESS) + ":" + config.get(RestOptions.PORT);
    }

    public static String taskManagerName(int index) {
        return "taskmanager-" + index;
    }

    // ------------------------------------------------------------------------------------------- files

    /** config.yaml: Flink 2's standard YAML, flat keys. */
    public String configYaml() {
        StringBuilder b = new StringBuilder("# Written by longseq cluster (io.longseq.jobs.cluster.ClusterLayout); every"
                + " start rewrites it.\n");
        List<String> lines = ConfigurationUtils.convertConfigToWritableLines(config, true);
        lines.stream().sorted().forEach(l -> b.append(l).append('\n'));
        return b.toString();
    }

    /**
     * log4j2 properties of the processes: into {@code -Dlog.file} (appending: a job's main run by the JobManager for a
     * REST submission opens a second logger context on the same file), and for a foreground process also to stdout.
     */
    public static String log4jProperties(boolean console) {
        String pattern = "%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n";
        StringBuilder b = new StringBuilder("# Written by longseq cluster (ClusterLayout)\nmonitorInterval = 30\n"
                + "rootLogger.level = INFO\nrootLogger.appenderRef.main.ref = MainAppender\n"
                + "appender.main.name = MainAppender\nappender.main.type = File\n"
                + "appender.main.fileName = ${sys:log.file}\nappender.main.append = true\n"
                + "appender.main.layout.type = PatternLayout\nappender.main.layout.pattern = " + pattern + "\n");
        if (console) {
            b.append("rootLogger.appenderRef.console.ref = ConsoleAppender\nappender.console.name = ConsoleAppender\n"
                    + "appender.console.type = Console\nappender.console.target = SYSTEM_OUT\n"
                    + "appender.console.layout.type = PatternLayout\nappender.console.layout.pattern = " + pattern
                    + "\n");
        }
        return b.append("logger.pekko.name = org.apache.pekko\nlogger.pekko.level = INFO\n"
                + "logger.kafka.name = org.apache.kafka\nlogger.kafka.level = WARN\n"
                + "logger.netty.name = org.jboss.netty.channel.DefaultChannelPipeline\nlogger.netty.level = OFF\n")
                .toString();
    }

    /** Writes DIR/conf (config.yaml, log4j.properties, log4j-console.properties) and creates DIR/log and DIR/tmp. */
    public void write() throws IOException {
        Files.createDirectories(confDir());
        Files.createDirectories(logDir());
        Files.createDirectories(tmpDir());
        Files.writeString(confDir().resolve(GlobalConfiguration.FLINK_CONF_FILENAME), configYaml(), StandardCharsets.UTF_8);
        Files.writeString(confDir().resolve("log4j.properties"), log4jProperties(false), StandardCharsets.UTF_8);
        Files.writeString(confDir().resolve("log4j-console.properties"), log4jProperties(true), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------- processes

    /** The class path of a role (Java wildcards, expanded by the JVM). */
    public String classPath(Role role) {
        String flink = libDir.resolve("flink-lib") + "/*";
        if (role != Role.TASKMANAGER) {
            return flink;
        }
        return flink + TASKMANAGER_LIBS.stream().map(lib -> ":" + libDir.resolve(lib) + "/*").collect(joining());
    }

    /** The JVM options of process {@code name} (before the main class). */
    public List<String> jvmOptions(Role role, String name, boolean console) {
        List<String> o = new ArrayList<>();
        o.addAll(memoryOptions(role));
        if (role == Role.TASKMANAGER) {
            o.add("-XX:+UseG1GC"); // as taskmanager.sh
        }
        o.addAll(JDK_OPTIONS);
        o.add("--add-modules");
        o.add(VECTOR_MODULE);
        o.add("-D" + PROCESS_MARK + "=" + dir.resolve(name));
        o.add("-Djava.io.tmpdir=" + tmpDir());
        o.add("-Dlog.file=" + logFile(name));
        o.add("-Dlog4j.configurationFile=file:" + confDir().resolve(console ? "log4j-console.properties"
                : "log4j.properties"));
        o.addAll(words(config.get(CoreOptions.FLINK_JVM_OPTIONS)));
        o.addAll(words(config.get(role == Role.JOBMANAGER ? CoreOptions.FLINK_JM_JVM_OPTIONS
                : CoreOptions.FLINK_TM_JVM_OPTIONS)));
        return o;
    }

    /** The whole command line of process {@code name}: java, JVM options, class path, main class, its arguments. */
    public List<String> command(Role role, String name, boolean console) {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.addAll(jvmOptions(role, name, console));
        c.add("-cp");
        c.add(classPath(role));
        c.add(role.mainClass);
        c.add("--configDir");
        c.add(confDir().toString());
        if (role == Role.JOBMANAGER) {
            c.add("--executionMode");
            c.add("cluster");
        }
        c.addAll(dynamicOptions(role));
        int port = metricsPort(role, name);
        if (port > 0 && role == Role.TASKMANAGER) {
            c.add("-D");
            c.add("metrics.reporter." + REPORTER + "." + LoopbackPrometheusReporter.PORT + "=" + port);
        }
        return c;
    }

    /**
     * The Prometheus port of process {@code name}: {@link #METRICS_PORT} for the JobManager, that + i for
     * {@code taskmanager-i}; 0 if the cluster has no reporter.
     */
    public int metricsPort(Role role, String name) {
        int base = config.get(METRICS_PORT);
        if (base <= 0) {
            return 0;
        }
        if (role == Role.JOBMANAGER) {
            return base;
        }
        String prefix = "taskmanager-";
        try {
            return base + Integer.parseInt(name.substring(prefix.length()));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a TaskManager's name: " + name, e);
        }
    }

    /** -Xmx, -Xms, -XX:MaxDirectMemorySize, -XX:MaxMetaspaceSize: Flink's calculation from the process size. */
    List<String> memoryOptions(Role role) {
        if (role == Role.JOBMANAGER) {
            JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(config);
            return words(JobManagerProcessUtils.generateJvmParametersStr(spec, config));
        }
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(config);
        return words(ProcessMemoryUtils.generateJvmParametersStr(spec));
    }

    /** The derived memory sizes (and CPU cores) as {@code -D key=value} program arguments, as the scripts pass them. */
    List<String> dynamicOptions(Role role) {
        String s = role == Role.JOBMANAGER
                ? JobManagerProcessUtils.generateDynamicConfigsStr(JobManagerProcessUtils.processSpecFromConfig(config))
                : TaskExecutorProcessUtils.generateDynamicConfigsStr(TaskExecutorProcessUtils.processSpecFromConfig(config));
        return words(s);
    }

    static List<String> words(String s) {
        if (s == null || s.isBlank()) {
            return List.of();
        }
        return Arrays.stream(s.trim().split("\\s+")).toList();
    }

    static boolean isWildcard(String address) {
        return address.equals("0.0.0.0") || address.equals("::") || address.equals("*");
    }

    /** The Flink configuration keys of this layout and their values, for a status line or a test. */
    public Map<String, String> keys() {
        return new LinkedHashMap<>(config.toMap());
    }
}
