package io.longseq.jobs;

import io.longseq.math.model.ModelConfig;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Helpers for the model's options ({@link LongseqOptions#MODEL}, the one table every command's flags come from):
 * enum choices by name, and ModelConfig's validation messages pointed at the flag the user typed. The default of
 * {@code --max-features} depends on the input kind (1 for dna and tokens, which allow nothing else,
 * {@value #LOG_MAX_FEATURES} for log lines, docs/design.md 1).
 */
public final class ModelOptions {

    /** Default words per log line (F), docs/design.md section 1. */
    public static final int LOG_MAX_FEATURES = 32;

    /** ModelConfig setting name (camelCase of the key's last segment) -> flag, to point the user at what they typed. */
    private static final Map<String, String> OPTION_OF = LongseqOptions.MODEL.stream().collect(
            java.util.stream.Collectors.toUnmodifiableMap(o -> camel(LongseqOptions.flag(o).substring(2)),
                    LongseqOptions::flag));

    private static final Pattern SETTING = Pattern.compile("setting '([A-Za-z]+)'");
    private static final Pattern KEY = Pattern.compile("key 'longseq\\.[a-z]+\\.([a-z-]+)'");

    private ModelOptions() {}

    /** {@code d-model} -> {@code dModel}. */
    static String camel(String kebab) {
        StringBuilder b = new StringBuilder(kebab.length());
        boolean up = false;
        for (char ch : kebab.toCharArray()) {
            if (ch == '-') {
                up = true;
            } else {
                b.append(up ? Character.toUpperCase(ch) : ch);
                up = false;
            }
        }
        return b.toString();
    }

    /**
     * Appends "(option --x)" to a message that names a ModelConfig setting ("setting 'dModel'") or a configuration
     * key (Flink's "Could not parse value 'wide' for key 'longseq.model.window'.").
     */
    public static String withOption(String message) {
        String text = message == null ? "" : message;
        Matcher m = SETTING.matcher(text);
        if (m.find() && OPTION_OF.containsKey(m.group(1))) {
            return message + " (option " + OPTION_OF.get(m.group(1)) + ")";
        }
        Matcher k = KEY.matcher(text);
        if (k.find()) {
            return message + " (option --" + k.group(1) + ")";
        }
        return message;
    }

    /**
     * The enum constant named {@code value}, case-insensitive.
     *
     * @throws UsageException naming the option and the allowed values
     */
    public static <E extends Enum<E>> E choice(String option, String value, Class<E> type) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            allowed.append(allowed.length() == 0 ? "" : "|").append(lower(e));
        }
        throw new UsageException("option " + option + ": '" + value + "' is not one of " + allowed);
    }

    public static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
