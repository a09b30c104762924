package io.longseq.jobs.cluster;

import io.longseq.jobs.UsageException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.PortRange;

/**
 * The embedded Flink of {@code run} (a MiniCluster in this JVM), as the network sees it: its REST endpoint, the web
 * UI ({@code --web-ui}) and the Prometheus metrics endpoint ({@code --metrics-port}) listen on 127.0.0.1 only.
 *
 * <ul>
 *   <li>REST binds 127.0.0.1 ({@code rest.bind-address}, {@code rest.address}) in every case, and so do the blob
 *       server and the TaskManager's servers ({@code jobmanager.bind-host}, {@code taskmanager.bind-host}); without
 *       {@code --web-ui} on a free port Flink picks, with it on 8081 (or the one port of {@code rest.port} /
 *       {@code rest.bind-port}, or the first free one of a range there). A port in use is refused before the job
 *       starts. The web UI serves no jar uploads ({@code web.submit.enable: false}).</li>
 *   <li>{@code --metrics-port P} adds Flink's Prometheus reporter as {@code metrics.reporter.prom.*}, served by
 *       {@link LoopbackPrometheusReporter} on 127.0.0.1:P ({@code /metrics}), label values unfiltered
 *       ({@code filterLabelValueCharacters: false}: {@code reason="invalid-base"}, not {@code "invalid_base"}).</li>
 * </ul>
 * An explicit setting in the configuration ({@code -D}, {@code --config}) of any of these keys is kept. Nothing is
 * set when the job goes to a running cluster ({@code --jobmanager}, or {@code flink run}): that cluster's own
 * configuration rules.
 */
public final class EmbeddedCluster {

    public static final String LOOPBACK = "127.0.0.1";
    public static final int WEB_UI_PORT = 8081;
    /** The reporter's name in {@code metrics.reporter.<name>.*}. */
    public static final String REPORTER = "prom";
    static final String REPORTER_PREFIX = "metrics.reporter." + REPORTER + ".";

    private EmbeddedCluster() {}

    /**
     * Sets the embedded cluster's network options in {@code conf} (see the class comment).
     *
     * @throws UsageException when a port asked for is invalid or in use, naming the flag
     */
    public static void configure(Configuration conf) {
        if (!embedded(conf)) {
            return;
        }
        setIfAbsent(conf, RestOptions.BIND_ADDRESS.key(), LOOPBACK);
        setIfAbsent(conf, RestOptions.ADDRESS.key(), LOOPBACK);
        setIfAbsent(conf, JobManagerOptions.BIND_HOST.key(), LOOPBACK);  // the blob server binds every interface else
        setIfAbsent(conf, TaskManagerOptions.BIND_HOST.key(), LOOPBACK);
        String host = conf.get(RestOptions.BIND_ADDRESS);
        if (conf.get(DeployOptions.WEB_UI)) {
            String ports = conf.getOptional(RestOptions.BIND_PORT).orElse(String.valueOf(WEB_UI_PORT));
            int port = firstFree(host, ports, "--web-ui",
                    "give the web UI another port with -D rest.port=N (or a range, e.g. -D rest.port=8081-8090)");
            conf.set(RestOptions.BIND_PORT, String.valueOf(port));
            conf.set(RestOptions.PORT, port);
            setIfAbsent(conf, WebOptions.SUBMIT_ENABLE.key(), "false");
        }
        conf.getOptional(DeployOptions.METRICS_PORT).ifPresent(port -> {
            String flag = "--metrics-port " + port;
            if (port < 1 || port > 65_535) {
                throw new UsageException(flag + ": a port is 1 to 65535");
            }
            setIfAbsent(conf, REPORTER_PREFIX + LoopbackPrometheusReporter.HOST, LOOPBACK);
            // label values as they are (reason="invalid-base", operator_name="global-context"), not with '_' for
            // every character outside [a-zA-Z0-9:_]; the reporter escapes them as the text format needs
            setIfAbsent(conf, REPORTER_PREFIX + "filterLabelValueCharacters", "false");
            firstFree(conf.getString(REPORTER_PREFIX + LoopbackPrometheusReporter.HOST, LOOPBACK),
                    String.valueOf(port), flag, "choose another port");
            conf.setString(REPORTER_PREFIX + "factory.class", LoopbackPrometheusReporterFactory.class.getName());
            conf.setString(REPORTER_PREFIX + LoopbackPrometheusReporter.PORT, String.valueOf(port));
        });
    }

    /**
     * What to print before the job starts: "web UI: http://127.0.0.1:8081" and "metrics:
     * http://127.0.0.1:9249/metrics" as configured by {@link #configure}; none without {@code --web-ui} and
     * {@code --metrics-port}.
     */
    public static List<String> addresses(Configuration conf) {
        List<String> lines = new ArrayList<>();
        if (!embedded(conf)) {
            return lines;
        }
        if (conf.get(DeployOptions.WEB_UI)) {
            lines.add("web UI: http://" + conf.get(RestOptions.ADDRESS) + ":" + conf.get(RestOptions.PORT)
                    + " (while the job runs)");
        }
        conf.getOptional(DeployOptions.METRICS_PORT).ifPresent(port -> lines.add("metrics: http://"
                + conf.getString(REPORTER_PREFIX + LoopbackPrometheusReporter.HOST, LOOPBACK) + ":" + port
                + "/metrics (Prometheus, while the job runs)"));
        return lines;
    }

    /**
     * Whether the job runs on an embedded MiniCluster: not when it goes to a cluster ({@code --jobmanager}), nor when
     * Flink's CLI ({@code flink run}) runs the jar, whose context environment merges this configuration over the
     * cluster's, so a {@code rest.address} set here would redirect the submission.
     */
    static boolean embedded(Configuration conf) {
        return conf.getOptional(DeployOptions.JOBMANAGER).isEmpty()
                && StreamExecutionEnvironment.getExecutionEnvironment(new Configuration())
                        instanceof LocalStreamEnvironment;
    }

    private static void setIfAbsent(Configuration conf, String key, String value) {
        if (!conf.containsKey(key)) {
            conf.setString(key, value);
        }
    }

    // the first port of `ports` ("8081", "8081-8090", "8081,8085") that `host` can bind now
    private static int firstFree(String host, String ports, String flag, String hint) {
        Iterator<Integer> it;
        try {
            it = new PortRange(ports).getPortsIterator();
        } catch (RuntimeException e) {
            throw new UsageException(flag + ": '" + ports + "' is no port or port range", e);
        }
        List<Integer> tried = new ArrayList<>();
        while (it.hasNext()) {
            int port = it.next();
            if (free(host, port)) {
                return port;
            }
            tried.add(port);
        }
        String which = tried.size() == 1 ? "port " + tried.get(0) + " is" : "ports " + ports + " are";
        throw new UsageException(flag + ": " + which + " in use on " + host + "; " + hint);
    }

    private static boolean free(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new java.net.InetSocketAddress(InetAddress.getByName(host), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
