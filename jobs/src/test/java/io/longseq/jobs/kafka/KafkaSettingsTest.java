package io.longseq.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kafka settings from a configuration: client properties pass through, secrets never print. */
class KafkaSettingsTest {

    @TempDir
    Path dir;

    @Test
    void clientPropertiesComeFromTheFileAndTheConfigurationWhichWins() throws IOException {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nssl.truststore.password=file-secret\n");
        Configuration c = Configuration.fromMap(Map.of(
                KafkaOptions.BOOTSTRAP_SERVERS.key(), "127.0.0.1:9092",
                KafkaOptions.PROPERTIES_FILE.key(), file.toString(),
                KafkaOptions.CLIENT_PREFIX + "sasl.mechanism", "SCRAM-SHA-512",
                KafkaOptions.CLIENT_PREFIX + "sasl.jaas.config", "org.apache.kafka.common.security.scram."
                        + "ScramLoginModule required username=\"u\" password=\"jaas-secret\";",
                KafkaOptions.CHECKPOINT_INTERVAL.key(), "500 ms"));
        KafkaSettings k = KafkaSettings.from(c);
        assertThat(k.client()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.password", "file-secret")
                .containsKey("sasl.jaas.config");
        assertThat(k.clientProperties().getProperty("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
        assertThat(k.checkpointInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(k.inputTopic()).isEqualTo("longseq-fragments");
        String shown = k.describe() + " " + k;
        assertThat(shown).contains("SASL_SSL").contains("SCRAM-SHA-512").contains("******")
                .doesNotContain("file-secret").doesNotContain("jaas-secret");
    }

    @Test
    void sinkProducersBatchLongerUnlessAClientPropertySaysOtherwise() {
        Configuration plain = Configuration.fromMap(Map.of(KafkaOptions.BOOTSTRAP_SERVERS.key(), "127.0.0.1:9092",
                KafkaOptions.CLIENT_PREFIX + "security.protocol", "SSL"));
        KafkaSettings k = KafkaSettings.from(plain);
        assertThat(k.sinkProducerProperties()).containsEntry("linger.ms", "100").containsEntry("batch.size", "262144")
                .containsEntry("security.protocol", "SSL");
        assertThat(k.clientProperties()).as("consumers and admin clients get no producer settings")
                .doesNotContainKeys("linger.ms", "batch.size");

        Configuration tuned = Configuration.fromMap(Map.of(KafkaOptions.BOOTSTRAP_SERVERS.key(), "127.0.0.1:9092",
                KafkaOptions.CLIENT_PREFIX + "linger.ms", "0"));
        assertThat(KafkaSettings.from(tuned).sinkProducerProperties()).containsEntry("linger.ms", "0")
                .containsEntry("batch.size", "262144");
    }

    @Test
    void maskingCoversTheUsualSecretKeys() {
        Map<String, String> m = KafkaSettings.masked(Map.of("ssl.key.password", "a", "ssl.keystore.password", "b",
                "sasl.jaas.config", "c", "basic.auth.user.info", "d", "sasl.oauthbearer.token.endpoint.url", "e",
                "ssl.keystore.key", "f", "security.protocol", "SSL"));
        assertThat(m).containsEntry("security.protocol", "SSL");
        assertThat(m).allSatisfy((k, v) -> {
            if (!k.equals("security.protocol")) {
                assertThat(v).as(k).isEqualTo("******");
            }
        });
    }

    @Test
    void badValuesNameTheOption() {
        Configuration c = Configuration.fromMap(Map.of(KafkaOptions.BOOTSTRAP_SERVERS.key(), "x:1",
                KafkaOptions.STARTING_OFFSETS.key(), "yesterday"));
        assertThatThrownBy(() -> KafkaSettings.from(c)).hasMessageContaining("--starting-offsets")
                .hasMessageContaining("yesterday");
        Configuration d = Configuration.fromMap(Map.of(KafkaOptions.BOOTSTRAP_SERVERS.key(), "x:1",
                KafkaOptions.PROPERTIES_FILE.key(), dir.resolve("missing.properties").toString()));
        assertThatThrownBy(() -> KafkaSettings.from(d)).hasMessageContaining("--properties-file")
                .hasMessageContaining("missing.properties");
    }
}
