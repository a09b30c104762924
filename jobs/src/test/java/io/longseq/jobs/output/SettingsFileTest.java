package io.longseq.jobs.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.jobs.LongseqOptions;
import io.longseq.jobs.MiniJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** settings.json: values by type, escaping, unset options left out, the order given; checked against literal text. */
class SettingsFileTest {

    @TempDir
    Path dir;

    @Test
    void valuesAreTypedEscapedAndInTheGivenOrder() throws IOException {
        String weights = "w \"q\" \\x\n\t\u0001é\u2028.npz";
        Configuration c = new Configuration();
        c.set(LongseqOptions.WEIGHTS, weights);
        c.set(LongseqOptions.CAUSAL, true);
        c.set(LongseqOptions.LINK_THRESHOLD, 0.125);
        c.set(LongseqOptions.ALERT_THRESHOLD, Double.NaN);
        c.set(LongseqOptions.GLOBAL_MODE, "full");
        c.set(LongseqOptions.SEED, 1L << 40);
        List<ConfigOption<?>> options = List.of(LongseqOptions.WEIGHTS, LongseqOptions.KIND, LongseqOptions.BLOCK_SIZE,
                LongseqOptions.CAUSAL, LongseqOptions.LINK_THRESHOLD, LongseqOptions.ALERT_THRESHOLD,
                LongseqOptions.IDLE_TIMEOUT, LongseqOptions.GLOBAL_MODE, LongseqOptions.SEED);

        Path file = SettingsFile.write(dir, c, options);

        assertThat(file).isEqualTo(dir.resolve("settings.json"));
        String expected = "{\n"
                + "  \"longseq.model.weights\": \"w \\\"q\\\" \\\\x\\n\\t\\u0001é\\u2028.npz\",\n"
                + "  \"longseq.model.block-size\": 256,\n" // the default: not set
                + "  \"longseq.model.causal\": true,\n"
                + "  \"longseq.output.link-threshold\": 0.125,\n"
                + "  \"longseq.output.alert-threshold\": null,\n"
                + "  \"longseq.stream.idle-timeout\": \"30 min\",\n"
                + "  \"longseq.model.global-mode\": \"full\",\n"
                + "  \"longseq.model.seed\": 1099511627776\n"
                + "}\n"; // longseq.input.kind: no default and not set, left out
        assertThat(Files.readString(file)).isEqualTo(expected);
        Map<String, Object> back = MiniJson.object(Files.readString(file));
        assertThat(back.get("longseq.model.weights")).isEqualTo(weights);
        assertThat(back).doesNotContainKey("longseq.input.kind").hasSize(8);
        assertThat(dir.resolve(".settings.json.tmp")).doesNotExist();
    }

    @Test
    void nothingToWriteIsAnEmptyObjectAndAWriteReplacesTheFileWhole() throws IOException {
        Files.writeString(dir.resolve("settings.json"), "{\"an earlier run's\": \"a much longer file than this\"}\n");
        SettingsFile.write(dir, new Configuration(), List.of(LongseqOptions.KIND));
        assertThat(Files.readString(dir.resolve("settings.json"))).isEqualTo("{}\n");
    }
}
