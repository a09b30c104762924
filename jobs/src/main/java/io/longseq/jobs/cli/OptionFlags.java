package io.longseq.jobs.cli;

import io.longseq.jobs.LongseqOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The command-line flags of every command, generated from the {@link ConfigOption}s that declare the settings: a
 * setting is declared once (key, default, description) and each command that offers it gets
 * {@code --<last key segment>} with that default and description; {@link #markdown} renders the same table for the
 * docs (docs/configuration.md, which {@code ConfigurationDocTest} holds to it).
 */
public final class OptionFlags {

    private OptionFlags() {}

    /** The flag of an option: {@code --} and its key's last segment ({@code longseq.model.d-model} is {@code --d-model}). */
    public static String flag(ConfigOption<?> option) {
        return LongseqOptions.flag(option);
    }

    /** Adds one flag per option to {@code spec}; a boolean flag alone means true. */
    static void add(CommandSpec spec, List<ConfigOption<?>> options) {
        for (ConfigOption<?> o : options) {
            OptionSpec.Builder b = OptionSpec.builder(flag(o)).type(String.class).paramLabel(label(o))
                    .description(describe(o));
            if (o.hasDefaultValue() && o.defaultValue() instanceof Boolean) {
                b.arity("0..1").fallbackValue("true");
            }
            spec.addOption(b.build());
        }
    }

    /** Puts the value of every option given on the command line into {@code raw}, under the option's key. */
    static void read(ParseResult pr, List<ConfigOption<?>> options, Map<String, String> raw) {
        for (ConfigOption<?> o : options) {
            if (given(pr, o)) {
                raw.put(o.key(), pr.matchedOptionValue(flag(o), ""));
            }
        }
    }

    /** Whether the option's flag was given. */
    static boolean given(ParseResult pr, ConfigOption<?> o) {
        OptionSpec os = pr.commandSpec().findOption(flag(o));
        return os != null && pr.hasMatchedOption(os);
    }

    /** The placeholder of an option's value in the help: N, DURATION, true|false or VALUE. */
    static String label(ConfigOption<?> o) {
        Object d = o.hasDefaultValue() ? o.defaultValue() : null;
        return d instanceof Boolean ? "true|false" : d instanceof Integer || d instanceof Long ? "N"
                : d instanceof Duration ? "DURATION" : "VALUE";
    }

    /** The option's description in plain text. */
    static String text(ConfigOption<?> o) {
        return new HtmlFormatter().format(o.description())
                .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&amp;", "&");
    }

    /** The option's default as a user writes it, or null when it has none. */
    static String defaultText(ConfigOption<?> o) {
        if (!o.hasDefaultValue()) {
            return null;
        }
        Object d = o.defaultValue();
        return d instanceof Duration dur ? TimeUtils.formatWithHighestUnit(dur) : String.valueOf(d);
    }

    /** The help line: the description, the default and the key. */
    static String describe(ConfigOption<?> o) {
        String def = defaultText(o);
        return text(o) + (def == null ? " (key " + o.key() + ")" : " (default: " + def + "; key " + o.key() + ")");
    }

    /** A Markdown table of the options: flag, key, default, description. */
    public static String markdown(List<ConfigOption<?>> options) {
        StringBuilder b = new StringBuilder("| flag | key | default | what it sets |\n|---|---|---|---|\n");
        for (ConfigOption<?> o : options) {
            String def = defaultText(o);
            b.append("| `").append(flag(o)).append("` | `").append(o.key()).append("` | ")
                    .append(def == null ? "—" : "`" + def + "`").append(" | ")
                    .append(text(o).replace("|", "\\|").replace("\n", " ")).append(" |\n");
        }
        return b.toString();
    }
}
