package io.longseq.jobs.cluster;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.util.Iterator;
import org.apache.flink.metrics.prometheus.AbstractPrometheusReporter;
import org.apache.flink.util.PortRange;

/**
 * Flink's Prometheus reporter ({@code flink-metrics-prometheus}), serving {@code /metrics} on one host address only:
 * 127.0.0.1 unless {@code metrics.reporter.<name>.host} says otherwise. Flink 2.2's own
 * {@code PrometheusReporterFactory} takes only a port and binds every interface ({@code new InetSocketAddress(port)});
 * it has no host option. The metrics, their names and labels are those of Flink's reporter: this class only starts
 * the HTTP server on another address.
 *
 * <p>Configured like Flink's: {@code metrics.reporter.prom.factory.class:
 * io.longseq.jobs.cluster.LoopbackPrometheusReporterFactory}, {@code metrics.reporter.prom.port} (a port or a range,
 * default 9249) and {@code metrics.reporter.prom.host}. Flink finds the factory with the {@link java.util.ServiceLoader}
 * (META-INF/services), so this class must be on the class path of the process that reports (the embedded run's, or a
 * cluster's lib/ beside {@code flink-metrics-prometheus}).
 */
public final class LoopbackPrometheusReporter extends AbstractPrometheusReporter {

    /** The reporter option naming the address to bind. */
    public static final String HOST = "host";
    /** The reporter option naming the port or port range ("9249", "9250-9260"). */
    public static final String PORT = "port";
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final String DEFAULT_PORT = "9249";

    private final HTTPServer server;

    LoopbackPrometheusReporter(String host, PortRange ports) {
        CollectorRegistry registry = registryOf(this);
        HTTPServer started = null;
        IOException last = null;
        for (Iterator<Integer> it = ports.getPortsIterator(); it.hasNext() && started == null; ) {
            int port = it.next();
            try {
                started = new HTTPServer(new InetSocketAddress(host, port), registry, true); // daemon threads
                log.info("Started the Prometheus metrics endpoint on http://{}:{}/metrics", host, port);
            } catch (IOException e) {
                last = e;
            }
        }
        if (started == null) {
            throw new IllegalStateException("could not start the Prometheus metrics endpoint on " + host + " at "
                    + ports + ": " + last, last);
        }
        server = started;
    }

    /** The port the endpoint listens on. */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.stop();
        super.close();
    }

    // AbstractPrometheusReporter keeps its collectors in a package-private registry, which its own subclass in Flink
    // serves; this one serves the same registry from another address
    private static CollectorRegistry registryOf(AbstractPrometheusReporter reporter) {
        try {
            Field f = AbstractPrometheusReporter.class.getDeclaredField("registry");
            f.setAccessible(true);
            return (CollectorRegistry) f.get(reporter);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("this flink-metrics-prometheus has no collector registry where Flink 2.2's"
                    + " keeps it (AbstractPrometheusReporter.registry): " + e, e);
        }
    }
}
