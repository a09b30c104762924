package io.longseq.jobs.cli;

import io.longseq.jobs.UsageException;
import io.longseq.jobs.kafka.KafkaSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * The Kafka connection options shared by {@code produce} and {@code consume} (a picocli mixin): the brokers and
 * any client property, from the command line or a properties file (the command line wins).
 */
public final class KafkaClientOptions {

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9092",
            description = "Kafka brokers (default: ${DEFAULT-VALUE})")
    String bootstrap;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "a Kafka client property (security.protocol, sasl.*, ssl.*, ...)")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = "--properties-file", paramLabel = "FILE", description = "Kafka client properties from a file")
    Path propertiesFile;

    /**
     * The client properties (without the bootstrap servers).
     *
     * @throws UsageException if the properties file cannot be read
     */
    Properties properties() {
        Properties p = new Properties();
        if (propertiesFile != null) {
            try (InputStream in = Files.newInputStream(propertiesFile)) {
                p.load(in);
            } catch (IOException e) {
                throw new UsageException("--properties-file '" + propertiesFile + "' cannot be read: " + e.getMessage(), e);
            }
        }
        p.putAll(kafkaProperties);
        return p;
    }

    /** The properties as a printable text, secrets masked ("" when there are none). */
    static String describe(Properties p) {
        Map<String, String> shown = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(n -> shown.put(n, p.getProperty(n)));
        return shown.isEmpty() ? "" : "client properties " + KafkaSettings.masked(shown);
    }
}
