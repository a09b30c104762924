package io.longseq.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is the reference of every setting; its table is generated from the ConfigOptions
 * ({@link ConfigurationDoc}). This test fails when the file differs from what the options say, and writes the
 * expected file to {@code jobs/target/configuration.md}; with {@code -Dlongseq.docs.write=true} it rewrites
 * docs/configuration.md instead (then review the diff).
 */
class ConfigurationDocTest {

    private static final Path DOC = Path.of("..", "docs", "configuration.md");

    @Test
    void theReferenceTableIsWhatTheOptionsSay() throws IOException {
        String text = Files.readString(DOC, StandardCharsets.UTF_8);
        int begin = text.indexOf(ConfigurationDoc.BEGIN);
        int end = text.indexOf(ConfigurationDoc.END);
        assertThat(begin).as("the generated part's first line in %s", DOC).isNotNegative();
        assertThat(end).as("the generated part's last line in %s", DOC).isGreaterThan(begin);
        String expected = text.substring(0, begin + ConfigurationDoc.BEGIN.length()) + "\n"
                + ConfigurationDoc.render() + "\n" + text.substring(end);
        if (!expected.equals(text)) {
            if (Boolean.getBoolean("longseq.docs.write")) {
                Files.writeString(DOC, expected, StandardCharsets.UTF_8);
            } else {
                Files.createDirectories(Path.of("target"));
                Files.writeString(Path.of("target", "configuration.md"), expected, StandardCharsets.UTF_8);
            }
        }
        assertThat(text).as("%s against the ConfigOptions (expected file: jobs/target/configuration.md; rewrite with"
                + " -Dlongseq.docs.write=true)", DOC).isEqualTo(expected);
    }

    @Test
    void everyFlagOfRunIsInTheReference() throws IOException {
        String text = Files.readString(DOC, StandardCharsets.UTF_8);
        for (String flag : ConfigurationDoc.runFlags()) {
            assertThat(text).as("flag %s in %s", flag, DOC).contains("| `" + flag + "` |");
        }
    }
}
