package io.longseq.jobs.cluster;

import java.util.Properties;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.util.PortRange;

/**
 * Makes a {@link LoopbackPrometheusReporter}: {@code metrics.reporter.prom.factory.class:
 * io.longseq.jobs.cluster.LoopbackPrometheusReporterFactory}, with {@code metrics.reporter.prom.port} and
 * {@code metrics.reporter.prom.host} (default 127.0.0.1). Listed in META-INF/services, where Flink looks for it.
 */
public final class LoopbackPrometheusReporterFactory implements MetricReporterFactory {

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        MetricConfig config = new MetricConfig();
        config.putAll(properties);
        return new LoopbackPrometheusReporter(
                config.getString(LoopbackPrometheusReporter.HOST, LoopbackPrometheusReporter.DEFAULT_HOST),
                new PortRange(config.getString(LoopbackPrometheusReporter.PORT, LoopbackPrometheusReporter.DEFAULT_PORT)));
    }
}
