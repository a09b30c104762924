package io.longseq.jobs.cli;

import io.longseq.jobs.LongseqOptions;
import io.longseq.jobs.cluster.DeployOptions;
import io.longseq.jobs.kafka.KafkaOptions;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;

/**
 * The generated part of docs/configuration.md: every setting's flag, key, default and description, rendered from
 * the same {@link ConfigOption}s the commands' flags come from ({@link OptionFlags}), so the reference cannot drift
 * from the code. {@code ConfigurationDocTest} fails when the file differs from {@link #render()}.
 */
public final class ConfigurationDoc {

    /** The lines around the generated part of the file. */
    public static final String BEGIN = "<!-- generated from the ConfigOptions by ConfigurationDoc: do not edit -->";
    public static final String END = "<!-- end of the generated part -->";

    private ConfigurationDoc() {}

    /** The generated part, between {@link #BEGIN} and {@link #END}. */
    public static String render() {
        StringBuilder b = new StringBuilder();
        section(b, "Input and output (`run`; `offline` takes `--kind`, `--out`, `--alert-threshold` and"
                        + " `--link-threshold`; `consume --tracks` takes `--link-threshold` and `--global-mode`; docs/outputs.md)",
                List.of(LongseqOptions.INPUT, LongseqOptions.KIND, LongseqOptions.FRAGMENT_SIZE, LongseqOptions.OUT,
                        LongseqOptions.TOKEN_CONTEXTS, LongseqOptions.ALERT_THRESHOLD, LongseqOptions.LINK_THRESHOLD));
        section(b, "The model (`run` and `offline`)", LongseqOptions.MODEL);
        List<ConfigOption<?>> stream = LongseqOptions.ALL.stream()
                .filter(o -> o.key().startsWith("longseq.stream.") || o.key().startsWith("longseq.output.dead"))
                .filter(o -> !LongseqOptions.READER_LIMITS.contains(o)).toList();
        section(b, "The stream and its caps against bad input (`run`)", stream);
        section(b, "The readers' caps (`run`, `offline` and `produce`)", LongseqOptions.READER_LIMITS);
        section(b, "Kafka (`run`)", KafkaOptions.ALL);
        section(b, "Deployment (`run`)", DeployOptions.ALL);
        return b.toString();
    }

    private static void section(StringBuilder b, String title, List<ConfigOption<?>> options) {
        b.append("\n### ").append(title).append("\n\n").append(OptionFlags.markdown(options));
    }

    /** Every option {@code run} offers, for a check that each one is in the reference. */
    static List<String> runFlags() {
        return RunCommand.ALL_OPTIONS.stream().map(OptionFlags::flag).collect(Collectors.toList());
    }
}
