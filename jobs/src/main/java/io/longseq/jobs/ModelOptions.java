package io.longseq.jobs;

import io.longseq.math.FeatureKind;
import io.longseq.math.GlobalMode;
import io.longseq.math.LocalMode;
import io.longseq.math.ModelConfig;
import io.longseq.math.Pooling;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * One command-line option per {@link ModelConfig} setting, shared by every command that runs the model.
 *
 * <p>Defaults are read from {@code ModelConfig.builder()}, so the CLI can never drift from the library; the one
 * exception is {@code --max-features}, whose default depends on the input kind (1 for dna and tokens, which allow
 * nothing else, {@value #LOG_MAX_FEATURES} for log lines, DESIGN.md 1). Values are only collected here;
 * {@link #toConfig} builds the immutable config once and turns ModelConfig's own validation message into a
 * {@link UsageException} that also names the option the user typed.
 */
public final class ModelOptions {

    /** Default words per log line (F), DESIGN.md section 1. */
    public static final int LOG_MAX_FEATURES = 32;

    private static final ModelConfig DEFAULTS = ModelConfig.builder().build();

    /** ModelConfig setting name -> option name, to point the user at what they typed. */
    private static final Map<String, String> OPTION_OF = Map.ofEntries(
            Map.entry("kmer", "--kmer"), Map.entry("vocabSize", "--vocab-size"),
            Map.entry("maxFeatures", "--max-features"), Map.entry("dModel", "--d-model"),
            Map.entry("heads", "--heads"), Map.entry("window", "--window"), Map.entry("layers", "--layers"),
            Map.entry("ffnDim", "--ffn-dim"), Map.entry("causal", "--causal"),
            Map.entry("blockSize", "--block-size"), Map.entry("chunkSize", "--chunk-size"),
            Map.entry("pooling", "--pooling"), Map.entry("globalMode", "--global-mode"),
            Map.entry("recent", "--recent"), Map.entry("group", "--group"), Map.entry("levels", "--levels"),
            Map.entry("maxBlocks", "--max-blocks"), Map.entry("topK", "--top-k"),
            Map.entry("linearFeatures", "--linear-features"), Map.entry("linearSeed", "--linear-seed"),
            Map.entry("localMode", "--local-mode"), Map.entry("maxDensePositions", "--max-dense-positions"),
            Map.entry("dilation", "--dilation"), Map.entry("sinks", "--sinks"));

    private static final Pattern SETTING = Pattern.compile("setting '([A-Za-z]+)'");

    @Option(names = "--kmer", paramLabel = "K", description = "k of the DNA k-mers (default: ${DEFAULT-VALUE})")
    int kmer = DEFAULTS.kmer();

    @Option(names = "--d-model", paramLabel = "D", description = "model width d (default: ${DEFAULT-VALUE})")
    int dModel = DEFAULTS.dModel();

    @Option(names = "--heads", paramLabel = "H",
            description = "attention heads; d/heads must be even (default: ${DEFAULT-VALUE})")
    int heads = DEFAULTS.heads();

    @Option(names = "--window", paramLabel = "W", description = "local window radius w (default: ${DEFAULT-VALUE})")
    int window = DEFAULTS.window();

    @Option(names = "--layers", paramLabel = "L", description = "stacked local layers (default: ${DEFAULT-VALUE})")
    int layers = DEFAULTS.layers();

    @Option(names = "--ffn-dim", paramLabel = "F",
            description = "hidden width of each layer's feed-forward network (default: ${DEFAULT-VALUE})")
    int ffnDim = DEFAULTS.ffnDim();

    @Option(names = "--causal",
            description = "causal local attention (i-w..i) instead of bidirectional (default: ${DEFAULT-VALUE})")
    boolean causal = DEFAULTS.causal();

    @Option(names = "--local-mode", paramLabel = "sliding|dilated|sinks|full",
            description = "keys of the local attention: sliding (window of radius w, chunked), dilated (every s-th"
                    + " position up to s*w away, s = --dilation), sinks (the window plus the first --sinks positions)"
                    + " or full (dense over the whole sequence, the O(n^2) baseline, refused past"
                    + " --max-dense-positions) (default: ${DEFAULT-VALUE})")
    String localMode = lower(DEFAULTS.localMode());

    @Option(names = "--dilation", paramLabel = "S",
            description = "stride between the keys of dilated local attention, 1..64 (default: ${DEFAULT-VALUE})")
    int dilation = DEFAULTS.dilation();

    @Option(names = "--sinks", paramLabel = "S",
            description = "first positions every query also sees in sinks local mode, 1..1024 (default: ${DEFAULT-VALUE})")
    int sinks = DEFAULTS.sinks();

    @Option(names = "--max-dense-positions", paramLabel = "N",
            description = "longest sequence full local mode accepts; its score matrix is 4*N^2 bytes per head"
                    + " (default: ${DEFAULT-VALUE})")
    int maxDensePositions = DEFAULTS.maxDensePositions();

    @Option(names = "--block-size", paramLabel = "B", description = "tokens per block (default: ${DEFAULT-VALUE})")
    int blockSize = DEFAULTS.blockSize();

    @Option(names = "--chunk-size", paramLabel = "C",
            description = "tokens per chunk, a multiple of the block size (default: ${DEFAULT-VALUE})")
    int chunkSize = DEFAULTS.chunkSize();

    @Option(names = "--pooling", paramLabel = "mean|attention",
            description = "how a block becomes its summary (default: ${DEFAULT-VALUE})")
    String pooling = lower(DEFAULTS.pooling());

    @Option(names = "--global-mode", paramLabel = "hierarchical|full|linear|axial",
            description = "memory of the block-level attention: hierarchical (bounded multi-resolution), full (exact,"
                    + " capped), linear (random-feature linear attention), axial (chunk rows x in-chunk columns)"
                    + " (default: ${DEFAULT-VALUE})")
    String globalMode = lower(DEFAULTS.globalMode());

    @Option(names = "--recent", paramLabel = "R",
            description = "recent entries kept per level, hierarchical mode (default: ${DEFAULT-VALUE})")
    int recent = DEFAULTS.recent();

    @Option(names = "--group", paramLabel = "G",
            description = "entries merged into one at the next level, hierarchical mode (default: ${DEFAULT-VALUE})")
    int group = DEFAULTS.group();

    @Option(names = "--levels", paramLabel = "N",
            description = "levels before the running-mean prefix, hierarchical mode (default: ${DEFAULT-VALUE})")
    int levels = DEFAULTS.levels();

    @Option(names = "--max-blocks", paramLabel = "N",
            description = "cap on blocks per sequence in full mode (default: ${DEFAULT-VALUE})")
    int maxBlocks = DEFAULTS.maxBlocks();

    @Option(names = "--linear-features", paramLabel = "M",
            description = "positive random features m, linear mode (default: ${DEFAULT-VALUE})")
    int linearFeatures = DEFAULTS.linearFeatures();

    @Option(names = "--linear-seed", paramLabel = "S",
            description = "seed of the random feature matrix, linear mode (default: ${DEFAULT-VALUE})")
    long linearSeed = DEFAULTS.linearSeed();

    @Option(names = "--top-k", paramLabel = "K",
            description = "memory entries reported per block (default: ${DEFAULT-VALUE})")
    int topK = DEFAULTS.topK();

    @Option(names = "--vocab-size", paramLabel = "V",
            description = "token vocabulary, or hash buckets for log words; ignored for dna (default: ${DEFAULT-VALUE})")
    int vocabSize = DEFAULTS.vocabSize();

    @Option(names = "--max-features", paramLabel = "F",
            description = "feature ids per position (default: 1 for dna and tokens, " + LOG_MAX_FEATURES + " for log)")
    Integer maxFeatures;

    /**
     * The validated config for inputs of this kind.
     *
     * @throws UsageException with ModelConfig's message and the option name, for any invalid value
     */
    public ModelConfig toConfig(FeatureKind kind) {
        int features = maxFeatures != null ? maxFeatures : kind == FeatureKind.LOG ? LOG_MAX_FEATURES : 1;
        try {
            return ModelConfig.builder()
                    .featureKind(kind)
                    .kmer(kmer).vocabSize(vocabSize).maxFeatures(features)
                    .dModel(dModel).heads(heads).window(window).layers(layers).ffnDim(ffnDim).causal(causal)
                    .localMode(choice("--local-mode", localMode, LocalMode.class)).maxDensePositions(maxDensePositions)
                    .dilation(dilation).sinks(sinks)
                    .blockSize(blockSize).chunkSize(chunkSize)
                    .pooling(choice("--pooling", pooling, Pooling.class))
                    .globalMode(choice("--global-mode", globalMode, GlobalMode.class))
                    .recent(recent).group(group).levels(levels).maxBlocks(maxBlocks).topK(topK)
                    .linearFeatures(linearFeatures).linearSeed(linearSeed)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(withOption(e.getMessage()), e);
        }
    }

    /** Appends "(option --x)" to a ModelConfig message that names a setting. */
    static String withOption(String message) {
        Matcher m = SETTING.matcher(message == null ? "" : message);
        if (m.find() && OPTION_OF.containsKey(m.group(1))) {
            return message + " (option " + OPTION_OF.get(m.group(1)) + ")";
        }
        return message;
    }

    /**
     * The enum constant named {@code value}, case-insensitive.
     *
     * @throws UsageException naming the option and the allowed values
     */
    static <E extends Enum<E>> E choice(String option, String value, Class<E> type) {
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

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
