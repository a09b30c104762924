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

    // the most a dead letter takes besides its kept payload, with max-id-bytes 4096 (SinkRecordBounds' comment):
    // Kafka 128, key 4096, frame 10, source 5 + 3·4096, partition 5, offset 10, id 5 + 4096, stage 5 + 3·64,
    // reason 5 + 3·1000, payload length 5
    static final long DEAD_LETTER_OVERHEAD = 128 + 4096 + 10 + 5 + 12288 + 5 + 10 + 5 + 4096 + 5 + 192 + 5 + 3000 + 5;

    static Configuration kafka(String... keyValues) {
        Map<String, String> m = new java.util.HashMap<>();
        m.put(KafkaOptions.BOOTSTRAP_SERVERS.key(), "127.0.0.1:9092");
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return Configuration.fromMap(m);
    }

    @Test
    void deadLettersThatMayNotFitTheProducersMaxRequestSizeAreRefusedAtTheStart() {
        assertThat(DEAD_LETTER_OVERHEAD).isEqualTo(23_850);
        String request = KafkaOptions.CLIENT_PREFIX + "max.request.size";
        String keep = "longseq.output.dead-letter-bytes";
        // the defaults fit Kafka's default max.request.size of 1 MiB
        KafkaSettings.from(kafka());
        // just under and just over
        long fits = 100_000 - DEAD_LETTER_OVERHEAD;
        assertThat(KafkaSettings.from(kafka(request, "100000", keep, String.valueOf(fits))).client())
                .containsEntry("max.request.size", "100000");
        assertThatThrownBy(() -> KafkaSettings.from(kafka(request, "100000", keep, String.valueOf(fits + 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--dead-letter-bytes 76151 does not fit the sinks' max.request.size of 100000 bytes (the"
                        + " smaller of the Kafka properties max.request.size and buffer.memory): a dead letter may"
                        + " take 100001 bytes, its kept payload and up to 23850 of key, sequence id (--max-id-bytes"
                        + " 4096 each), reason and framing; lower --dead-letter-bytes to at most 76150 or raise"
                        + " max.request.size (--kafka-property max.request.size=N)");
        // the default dead-letter-bytes against a smaller producer limit; a larger max-id-bytes counts twice
        assertThatThrownBy(() -> KafkaSettings.from(kafka(request, "80000")))
                .hasMessageStartingWith("--dead-letter-bytes 65536 does not fit the sinks' max.request.size of 80000");
        assertThatThrownBy(() -> KafkaSettings.from(kafka(request, "100000", keep, String.valueOf(fits),
                "longseq.stream.max-id-bytes", "4097"))).hasMessageContaining("(--max-id-bytes 4097 each)");
        assertThatThrownBy(() -> KafkaSettings.from(kafka(request, "lots")))
                .hasMessage("Kafka property max.request.size: 'lots' is not a number of bytes");
    }

    @Test
    void blockAndTokenRecordsThatMayNotFitAreRefusedToo() {
        String request = KafkaOptions.CLIENT_PREFIX + "max.request.size";
        // token contexts: block-size x d-model floats per record; 1024 x 256 x 4 B = 1 MiB does not fit 1 MiB
        assertThatThrownBy(() -> KafkaSettings.from(kafka("longseq.output.token-contexts", "true",
                "longseq.model.block-size", "1024", "longseq.model.d-model", "256")))
                .hasMessageStartingWith("token-context records of --block-size 1024 x --d-model 256 floats may take")
                .hasMessageContaining("more than the sinks' max.request.size of 1048576 bytes");
        KafkaSettings.from(kafka("longseq.output.token-contexts", "true", "longseq.model.block-size", "1024",
                "longseq.model.d-model", "256", request, "2000000"));
        KafkaSettings.from(kafka("longseq.model.block-size", "1024", "longseq.model.d-model", "256"));
        // blocks: 2 x d floats and top-K entries
        assertThatThrownBy(() -> KafkaSettings.from(kafka("longseq.model.d-model", "200000")))
                .hasMessageStartingWith("block records of --d-model 200000, --top-k 4 and --max-id-bytes 4096 may"
                        + " take");
    }
}
