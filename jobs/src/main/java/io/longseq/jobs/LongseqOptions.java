package io.longseq.jobs;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.LocalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.model.Pooling;
import io.longseq.math.model.Strand;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.assemble.Chunk;
import io.longseq.stream.assemble.GapPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Every setting of the streaming job as a Flink {@link ConfigOption}: one option, one default, one description.
 * The {@code run} command offers each one as {@code --<last key segment>} (so {@code longseq.model.d-model} is
 * {@code --d-model}); a Flink configuration file or {@code -D} can set them by key. {@link #settings} reads them
 * once into the immutable {@link StreamSettings}; model defaults come from {@code ModelConfig.builder()}, so the
 * two never drift.
 */
public final class LongseqOptions {

    private static final ModelConfig M = ModelConfig.builder().build();
    /** Default of {@link #LINK_THRESHOLD} (docs/outputs.md says why). */
    public static final double DEFAULT_LINK_THRESHOLD = 0.05;

    // ---------------------------------------------------------------------------------------------- input
    public static final ConfigOption<List<String>> INPUT = key("longseq.input.paths").stringType().asList()
            .noDefaultValue().withDescription("Input files (FASTA/FASTQ, token ids or logs; .gz read transparently);"
                    + " also given as the command's arguments.");
    public static final ConfigOption<String> KIND = key("longseq.input.kind").stringType().noDefaultValue()
            .withDescription("What the input holds: dna, tokens or log. Default: from the file name (.fa .fasta .fna"
                    + " .fq .fastq: dna; .txt .tokens: tokens; .log: log).");
    public static final ConfigOption<Integer> FRAGMENT_SIZE = key("longseq.input.fragment-size").intType()
            .defaultValue(10_000).withDescription("Positions per fragment when a file is cut into the stream.");

    // --------------------------------------------------------------------------------------------- output
    public static final ConfigOption<String> OUT = key("longseq.output.out").stringType().defaultValue("out")
            .withDescription("Output directory: blocks.jsonl, notices.jsonl, dead-letters.jsonl (and tokens.jsonl,"
                    + " alerts.jsonl; for DNA links.bedpe and tracks.bedgraph).");
    public static final ConfigOption<Boolean> TOKEN_CONTEXTS = key("longseq.output.token-contexts").booleanType()
            .defaultValue(false).withDescription("Also write per-token contexts (d floats per position: heavy).");
    public static final ConfigOption<Double> ALERT_THRESHOLD = key("longseq.output.alert-threshold").doubleType()
            .noDefaultValue().withDescription("Novelty in [0, 1] at or above which a block becomes an alert:"
                    + " alerts.jsonl (files) or the alerts topic (Kafka). Novelty = 1 - the best cosine of the block's"
                    + " key with an earlier memory entry's (docs/outputs.md). Default: no alerts. Not with global"
                    + " mode linear, which keeps no entries.");
    public static final ConfigOption<Double> LINK_THRESHOLD = key("longseq.output.link-threshold").doubleType()
            .defaultValue(DEFAULT_LINK_THRESHOLD).withDescription("Attention weight in [0, 1] at or above which a"
                    + " block's link to an earlier region is written to links.bedpe (DNA) and counts as a clear"
                    + " long-range repeat in the summary (docs/outputs.md).");

    // ---------------------------------------------------------------------------------------------- model
    public static final ConfigOption<String> WEIGHTS = key("longseq.model.weights").stringType().noDefaultValue()
            .withDescription("Model weights (.npz, see docs/weights.md), readable on every TaskManager."
                    + " Default: the seeded default init.");
    public static final ConfigOption<Long> SEED = key("longseq.model.seed").longType().defaultValue(42L)
            .withDescription("Seed of the default init (ignored with weights).");
    public static final ConfigOption<Integer> KMER = key("longseq.model.kmer").intType().defaultValue(M.kmer())
            .withDescription("k of the DNA k-mers, 1..8.");
    public static final ConfigOption<Integer> VOCAB_SIZE = key("longseq.model.vocab-size").intType()
            .defaultValue(M.vocabSize()).withDescription("Token vocabulary, or hash buckets for log words (ignored for"
                    + " dna).");
    public static final ConfigOption<Integer> MAX_FEATURES = key("longseq.model.max-features").intType()
            .noDefaultValue().withDescription("Feature ids per position. Default: 1 for dna and tokens, "
                    + ModelOptions.LOG_MAX_FEATURES + " for log.");
    public static final ConfigOption<Integer> D_MODEL = key("longseq.model.d-model").intType()
            .defaultValue(M.dModel()).withDescription("Model width d.");
    public static final ConfigOption<Integer> HEADS = key("longseq.model.heads").intType().defaultValue(M.heads())
            .withDescription("Attention heads; d/heads must be even (RoPE rotates pairs).");
    public static final ConfigOption<Integer> WINDOW = key("longseq.model.window").intType().defaultValue(M.window())
            .withDescription("Local window radius w: position i sees |i-j| <= w.");
    public static final ConfigOption<Integer> LAYERS = key("longseq.model.layers").intType().defaultValue(M.layers())
            .withDescription("Stacked local layers L.");
    public static final ConfigOption<Integer> FFN_DIM = key("longseq.model.ffn-dim").intType()
            .defaultValue(M.ffnDim()).withDescription("Hidden width of each layer's feed-forward network.");
    public static final ConfigOption<Boolean> CAUSAL = key("longseq.model.causal").booleanType()
            .defaultValue(M.causal()).withDescription("Causal local attention (i-w..i) instead of bidirectional.");
    public static final ConfigOption<String> LOCAL_MODE = key("longseq.model.local-mode").stringType()
            .defaultValue(lower(M.localMode())).withDescription("Keys of the local attention: sliding (the window of"
                    + " radius w, chunked), dilated (every s-th position up to s*w away, s = dilation), sinks (the"
                    + " window plus the first sinks positions), linformer (keys and values of each segment of"
                    + " linformer-segment positions projected to linformer-rank rows by the learned linformer.e/.f)"
                    + " or full (dense over the whole sequence, the O(n^2)"
                    + " baseline: offline only, refused past max-dense-positions).");
    public static final ConfigOption<Integer> DILATION = key("longseq.model.dilation").intType()
            .defaultValue(M.dilation()).withDescription("Stride s between the keys of dilated local attention, 1..64;"
                    + " chunk halos grow to L*s*w.");
    public static final ConfigOption<Integer> SINKS = key("longseq.model.sinks").intType().defaultValue(M.sinks())
            .withDescription("First positions S every query also sees in sinks local mode, 1..1024; each chunk"
                    + " recomputes the first S + L*w positions.");
    public static final ConfigOption<Integer> LINFORMER_RANK = key("longseq.model.linformer-rank").intType()
            .defaultValue(M.linformerRank()).withDescription("Rows k each segment's keys and values are projected to"
                    + " (linformer local mode, 1..256; weights linformer.e and linformer.f are [k, P]).");
    public static final ConfigOption<Integer> LINFORMER_SEGMENT = key("longseq.model.linformer-segment").intType()
            .defaultValue(M.linformerSegment()).withDescription("Positions P per segment, aligned to absolute"
                    + " positions (linformer local mode, 1..4096); chunk-size must be a multiple of it.");
    public static final ConfigOption<Integer> MAX_DENSE_POSITIONS = key("longseq.model.max-dense-positions")
            .intType().defaultValue(M.maxDensePositions()).withDescription("Longest sequence full local mode accepts;"
                    + " its score matrix is 4*N^2 bytes per head (1..65536).");
    public static final ConfigOption<Integer> BLOCK_SIZE = key("longseq.model.block-size").intType()
            .defaultValue(M.blockSize()).withDescription("Tokens per block B.");
    public static final ConfigOption<Integer> CHUNK_SIZE = key("longseq.model.chunk-size").intType()
            .defaultValue(M.chunkSize()).withDescription("Tokens per chunk C, a multiple of the block size.");
    public static final ConfigOption<String> POOLING = key("longseq.model.pooling").stringType()
            .defaultValue(lower(M.pooling())).withDescription("How a block becomes its summary: mean, attention, max or conv (a strided"
                    + " convolution with the learned kernel pool.conv.kernel of the weights file).");
    public static final ConfigOption<String> GLOBAL_MODE = key("longseq.model.global-mode").stringType()
            .defaultValue(lower(M.globalMode())).withDescription("Memory of the block-level attention: hierarchical"
                    + " (bounded multi-resolution), full (exact, capped by max-blocks), linear (random-feature linear"
                    + " attention), axial (chunk rows x in-chunk columns), bigbird (window, global and random"
                    + " blocks) or retrieval (hierarchical plus a bounded store of whole exemplar blocks, so a block"
                    + " names the far block it resembles).");
    public static final ConfigOption<Integer> RECENT = key("longseq.model.recent").intType().defaultValue(M.recent())
            .withDescription("Recent entries kept per level (hierarchical).");
    public static final ConfigOption<Integer> GROUP = key("longseq.model.group").intType().defaultValue(M.group())
            .withDescription("Entries merged into one at the next level (hierarchical).");
    public static final ConfigOption<Integer> LEVELS = key("longseq.model.levels").intType().defaultValue(M.levels())
            .withDescription("Levels before the running-mean prefix (hierarchical).");
    public static final ConfigOption<Integer> MAX_BLOCKS = key("longseq.model.max-blocks").intType()
            .defaultValue(M.maxBlocks()).withDescription("Cap on blocks per sequence in full global mode.");
    public static final ConfigOption<Integer> TOP_K = key("longseq.model.top-k").intType().defaultValue(M.topK())
            .withDescription("Memory entries reported per block.");
    public static final ConfigOption<Integer> LINEAR_FEATURES = key("longseq.model.linear-features").intType()
            .defaultValue(M.linearFeatures()).withDescription("Positive random features m (linear global mode, 1..4096;"
                    + " state m*d per sequence).");
    public static final ConfigOption<Long> LINEAR_SEED = key("longseq.model.linear-seed").longType()
            .defaultValue(M.linearSeed()).withDescription("Seed of the random feature matrix (linear global mode).");
    public static final ConfigOption<Integer> BIGBIRD_WINDOW = key("longseq.model.bigbird-window").intType()
            .defaultValue(M.bigbirdWindow()).withDescription("Earlier neighbouring blocks each block attends to"
                    + " (bigbird global mode, 0..1024).");
    public static final ConfigOption<Integer> BIGBIRD_GLOBAL = key("longseq.model.bigbird-global").intType()
            .defaultValue(M.bigbirdGlobal()).withDescription("First blocks of the sequence every block attends to"
                    + " (bigbird global mode, 0..1024).");
    public static final ConfigOption<Integer> BIGBIRD_RANDOM = key("longseq.model.bigbird-random").intType()
            .defaultValue(M.bigbirdRandom()).withDescription("Random earlier blocks per block, drawn by a hash of the"
                    + " sequence id from a reservoir of 4x as many (bigbird global mode, 0..64).");
    public static final ConfigOption<Integer> RETRIEVAL_BITS = key("longseq.model.retrieval-bits").intType()
            .defaultValue(M.retrievalBits()).withDescription("Retrieval global mode: the exemplar store has"
                    + " 2^bits content buckets (signs of the centred block key against seeded hyperplanes; 0..12).");
    public static final ConfigOption<Integer> RETRIEVAL_SLOTS = key("longseq.model.retrieval-slots").intType()
            .defaultValue(M.retrievalSlots()).withDescription("Retrieval global mode: exemplar blocks held per bucket"
                    + " (2^bits * slots <= 65536; each holds d floats and its index, so the default holds the newest"
                    + " ~768 blocks, 0.4 MB at d = 128; more slots cost more CPU and state).");
    public static final ConfigOption<Integer> RETRIEVAL_RECENT = key("longseq.model.retrieval-recent").intType()
            .defaultValue(M.retrievalRecent()).withDescription("Retrieval global mode: slots of a bucket kept for its"
                    + " newest blocks (1..slots); the others are a seeded reservoir of its older blocks.");
    public static final ConfigOption<Long> RETRIEVAL_SEED = key("longseq.model.retrieval-seed").longType()
            .defaultValue(M.retrievalSeed()).withDescription("Seed of the retrieval mode's hyperplanes,"
                    + " reservoir priorities and sketch rotation.");
    public static final ConfigOption<Integer> RETRIEVAL_SKETCHES = key("longseq.model.retrieval-sketches").intType()
            .defaultValue(M.retrievalSketches()).withDescription("Retrieval global mode: the newest blocks also held"
                    + " as 256-bit sign sketches and their norm, 36 bytes each at d = 128 (0..1048576; 0: none). The"
                    + " default 40960 reaches 10.5 Mbp back at block size 256 in 1.47 MB; a block attends to the"
                    + " sketches nearest its query (retrieval-candidates).");
    public static final ConfigOption<Integer> RETRIEVAL_CANDIDATES = key("longseq.model.retrieval-candidates")
            .intType().defaultValue(M.retrievalCandidates()).withDescription("Retrieval global mode: sketched blocks"
                    + " a block attends to, those whose sketch is nearest its query's (1..1024).");
    public static final ConfigOption<String> STRAND = key("longseq.model.strand").stringType()
            .defaultValue(lower(M.strand())).withDescription("DNA strands a block searches the memory with: forward,"
                    + " or both (also its reverse complement: the local tier runs a second time over each chunk's"
                    + " reverse strand, so about twice the local cost; each top entry then says which strand matched;"
                    + " needs a bidirectional sliding or dilated local tier, not linear global mode).");

    // --------------------------------------------------------------------------------------------- stream
    public static final ConfigOption<Integer> REORDER_BOUND = key("longseq.stream.reorder-bound").intType()
            .defaultValue(1 << 20).withDescription("Positions of one sequence held out of order before the gap"
                    + " policy acts.");
    public static final ConfigOption<String> GAP_POLICY = key("longseq.stream.gap-policy").stringType()
            .defaultValue(GapPolicy.FAIL_SEQUENCE.optionValue()).withDescription("Missing positions: fail-sequence"
                    + " (give the sequence up, its fragments become dead letters) or skip (pad them and go on).");
    public static final ConfigOption<Duration> IDLE_TIMEOUT = key("longseq.stream.idle-timeout").durationType()
            .defaultValue(Duration.ofMinutes(30)).withDescription("A sequence with no fragment for this long is"
                    + " closed where it is, with a notice (0 turns it off).");
    public static final ConfigOption<Duration> ENDED_RETENTION = key("longseq.stream.ended-retention").durationType()
            .defaultValue(Duration.ofHours(1)).withDescription("How long an ended sequence id is remembered, so that"
                    + " late fragments become dead letters instead of a new sequence (0 remembers nothing).");
    public static final ConfigOption<Integer> MAX_PAYLOAD_BYTES = key("longseq.stream.max-payload-bytes").intType()
            .defaultValue(16 << 20).withDescription("A fragment payload larger than this is a dead letter.");
    public static final ConfigOption<Long> MAX_POSITION = key("longseq.stream.max-position").longType()
            .defaultValue(1L << 40).withDescription("Positions at or past this are dead letters (a guard against"
                    + " garbage offsets).");
    public static final ConfigOption<Integer> WARMUP_CHUNKS = key("longseq.stream.warmup-chunks").intType()
            .defaultValue(StreamSettings.DEFAULT_WARMUP_CHUNKS).withDescription("The first chunks of each"
                    + " local-attention subtask run one subtask at a time per TaskManager, so the JIT compiles the"
                    + " kernels while one subtask runs them interpreted: a shorter start-up, the same outputs"
                    + " (0 turns it off).");
    public static final ConfigOption<Double> SHADOW_SAMPLE = key("longseq.stream.shadow-sample").doubleType()
            .defaultValue(0.0).withDescription("Runtime accuracy monitor: for this fraction of sequences (0..1,"
                    + " picked by a seeded hash of the id, the same on every run), global-context also runs exact full"
                    + " global attention and reports its top-1 agreement and context cosine with the configured mode"
                    + " (shadow* metrics, a shadow notice per sequence; outputs unchanged). Its state grows as in"
                    + " full mode; at max-blocks a sequence's shadow stops with a notice. 0 turns it off; no effect in"
                    + " global mode full.");

    // --------------------------------------------------------------------------- limits against hostile input
    private static final StreamLimits L = StreamLimits.DEFAULTS;
    public static final ConfigOption<Integer> MAX_ID_BYTES = key("longseq.stream.max-id-bytes").intType()
            .defaultValue(L.maxIdBytes()).withDescription("A sequence id longer than this many UTF-8 bytes is a dead"
                    + " letter.");
    public static final ConfigOption<Integer> MAX_HEADER_BYTES = key("longseq.input.max-header-bytes").intType()
            .defaultValue(L.maxHeaderBytes()).withDescription("A FASTA/FASTQ header line longer than this is refused"
                    + " with its record (the reader skips the record without holding the line).");
    public static final ConfigOption<Integer> MAX_LINE_BYTES = key("longseq.stream.max-line-bytes").intType()
            .defaultValue(L.maxLineBytes()).withDescription("A log line longer than this many UTF-8 bytes is a dead"
                    + " letter.");
    public static final ConfigOption<Integer> DEAD_LETTER_BYTES = key("longseq.output.dead-letter-bytes").intType()
            .defaultValue(L.deadLetterBytes()).withDescription("A dead letter keeps at most this many bytes of the"
                    + " refused record and says how many it cut (so it fits the sink's max.request.size).");
    public static final ConfigOption<Long> REORDER_BYTES = key("longseq.stream.reorder-bytes").longType()
            .defaultValue(L.reorderBytes()).withDescription("Bytes of one sequence held out of order before the gap"
                    + " policy acts (beside reorder-bound, which counts positions).");
    public static final ConfigOption<Long> MAX_GAP = key("longseq.stream.max-gap").longType()
            .defaultValue(L.maxGap()).withDescription("A hole of more than this many positions fails its sequence"
                    + " with a notice, whatever the gap policy.");
    public static final ConfigOption<Integer> MAX_EARLY_SUMMARIES = key("longseq.stream.max-early-summaries")
            .intType().defaultValue(L.maxEarlySummaries()).withDescription("Chunk summaries of one sequence held"
                    + " ahead of the chunk global-context needs next; past it the sequence is given up with a"
                    + " notice.");
    public static final ConfigOption<Integer> MAX_TOMBSTONES = key("longseq.stream.max-tombstones").intType()
            .defaultValue(L.maxTombstones()).withDescription("Ended sequence ids one assemble subtask remembers;"
                    + " past it the oldest is forgotten first, with a notice.");

    /** The model's options: every {@link ModelConfig} setting, the weights and the seed. */
    public static final List<ConfigOption<?>> MODEL = List.of(WEIGHTS, SEED, KMER, VOCAB_SIZE, MAX_FEATURES, D_MODEL,
            HEADS, WINDOW, LAYERS, FFN_DIM, CAUSAL, LOCAL_MODE, DILATION, SINKS, LINFORMER_RANK, LINFORMER_SEGMENT,
            MAX_DENSE_POSITIONS, BLOCK_SIZE,
            CHUNK_SIZE, POOLING, GLOBAL_MODE, RECENT, GROUP, LEVELS, MAX_BLOCKS, TOP_K, LINEAR_FEATURES, LINEAR_SEED,
            BIGBIRD_WINDOW, BIGBIRD_GLOBAL, BIGBIRD_RANDOM,
            RETRIEVAL_BITS, RETRIEVAL_SLOTS, RETRIEVAL_RECENT, RETRIEVAL_SEED, RETRIEVAL_SKETCHES, RETRIEVAL_CANDIDATES,
            STRAND);

    /** The caps the file readers apply (offline and produce read files without the stream). */
    public static final List<ConfigOption<?>> READER_LIMITS = List.of(MAX_HEADER_BYTES, MAX_ID_BYTES, MAX_LINE_BYTES);

    /** Every option, in the order the help lists them. */
    public static final List<ConfigOption<?>> ALL = java.util.stream.Stream.of(
            List.<ConfigOption<?>>of(INPUT, KIND, FRAGMENT_SIZE, OUT, TOKEN_CONTEXTS, ALERT_THRESHOLD, LINK_THRESHOLD),
            MODEL,
            List.<ConfigOption<?>>of(REORDER_BOUND, GAP_POLICY, IDLE_TIMEOUT, ENDED_RETENTION, MAX_PAYLOAD_BYTES,
                    MAX_POSITION, WARMUP_CHUNKS, SHADOW_SAMPLE, MAX_ID_BYTES, MAX_HEADER_BYTES, MAX_LINE_BYTES, DEAD_LETTER_BYTES,
                    REORDER_BYTES, MAX_GAP, MAX_EARLY_SUMMARIES, MAX_TOMBSTONES))
            .flatMap(List::stream).toList();

    private LongseqOptions() {}

    /** The command-line flag of an option: {@code --} and its key's last segment. */
    public static String flag(ConfigOption<?> option) {
        String k = option.key();
        return "--" + k.substring(k.lastIndexOf('.') + 1);
    }

    /**
     * The model of this configuration for inputs of {@code kind}.
     *
     * @throws UsageException naming the flag, for a value ModelConfig refuses
     */
    public static ModelConfig model(ReadableConfig c, FeatureKind kind) {
        int features = c.getOptional(MAX_FEATURES).orElse(kind == FeatureKind.LOG ? ModelOptions.LOG_MAX_FEATURES : 1);
        try {
            return ModelConfig.builder()
                    .featureKind(kind)
                    .kmer(c.get(KMER)).vocabSize(c.get(VOCAB_SIZE)).maxFeatures(features)
                    .dModel(c.get(D_MODEL)).heads(c.get(HEADS)).window(c.get(WINDOW)).layers(c.get(LAYERS))
                    .ffnDim(c.get(FFN_DIM)).causal(c.get(CAUSAL))
                    .localMode(ModelOptions.choice(flag(LOCAL_MODE), c.get(LOCAL_MODE), LocalMode.class))
                    .dilation(c.get(DILATION)).sinks(c.get(SINKS)).maxDensePositions(c.get(MAX_DENSE_POSITIONS))
                    .linformerRank(c.get(LINFORMER_RANK)).linformerSegment(c.get(LINFORMER_SEGMENT))
                    .blockSize(c.get(BLOCK_SIZE)).chunkSize(c.get(CHUNK_SIZE))
                    .pooling(ModelOptions.choice(flag(POOLING), c.get(POOLING), Pooling.class))
                    .globalMode(ModelOptions.choice(flag(GLOBAL_MODE), c.get(GLOBAL_MODE), GlobalMode.class))
                    .recent(c.get(RECENT)).group(c.get(GROUP)).levels(c.get(LEVELS)).maxBlocks(c.get(MAX_BLOCKS))
                    .topK(c.get(TOP_K)).linearFeatures(c.get(LINEAR_FEATURES)).linearSeed(c.get(LINEAR_SEED))
                    .bigbirdWindow(c.get(BIGBIRD_WINDOW)).bigbirdGlobal(c.get(BIGBIRD_GLOBAL))
                    .bigbirdRandom(c.get(BIGBIRD_RANDOM))
                    .retrievalBits(c.get(RETRIEVAL_BITS)).retrievalSlots(c.get(RETRIEVAL_SLOTS))
                    .retrievalRecent(c.get(RETRIEVAL_RECENT)).retrievalSeed(c.get(RETRIEVAL_SEED))
                    .retrievalSketches(c.get(RETRIEVAL_SKETCHES)).retrievalCandidates(c.get(RETRIEVAL_CANDIDATES))
                    .strand(ModelOptions.choice(flag(STRAND), c.get(STRAND), Strand.class))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(ModelOptions.withOption(e.getMessage()), e);
        }
    }

    /**
     * A copy of {@code c} holding what the run used where the command line leaves a value open or spells it
     * loosely: the input's kind (perhaps from the file name), max-features (its default depends on the kind) and the
     * choices by their lower-case names, as {@code settings.json} records them.
     *
     * @param model the model read from {@code c} ({@link #model})
     */
    public static Configuration effective(Configuration c, ModelConfig model) {
        Configuration e = new Configuration(c);
        e.set(KIND, lower(model.featureKind()));
        e.set(MAX_FEATURES, model.maxFeatures());
        e.set(LOCAL_MODE, lower(model.localMode()));
        e.set(POOLING, lower(model.pooling()));
        e.set(GLOBAL_MODE, lower(model.globalMode()));
        e.set(GAP_POLICY, GapPolicy.parse(c.get(GAP_POLICY)).optionValue());
        return e;
    }

    /**
     * The job's settings for inputs of {@code kind}, read once.
     *
     * @throws UsageException for a value that is out of range or not one of the choices, naming the flag
     */
    public static StreamSettings settings(ReadableConfig c, FeatureKind kind) {
        ModelConfig model = model(c, kind);
        GapPolicy gap;
        try {
            gap = GapPolicy.parse(c.get(GAP_POLICY));
        } catch (IllegalArgumentException e) {
            throw new UsageException(flag(GAP_POLICY) + ": " + e.getMessage(), e);
        }
        try {
            return StreamSettings.builder(model).weights(c.getOptional(WEIGHTS).orElse(null), c.get(SEED))
                    .reorderBound(c.get(REORDER_BOUND)).gapPolicy(gap).idleTimeout(c.get(IDLE_TIMEOUT))
                    .endedRetention(c.get(ENDED_RETENTION)).maxPayloadBytes(c.get(MAX_PAYLOAD_BYTES))
                    .maxPosition(c.get(MAX_POSITION)).tokenContexts(c.get(TOKEN_CONTEXTS))
                    .warmupChunks(c.get(WARMUP_CHUNKS)).shadowSample(c.get(SHADOW_SAMPLE)).limits(limits(c))
                    .alertThreshold(alertThreshold(c, model)).build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    /**
     * The novelty at or above which a block is an alert, or NaN for none.
     *
     * @throws UsageException naming the flag, for a value outside [0, 1] or with global mode linear
     */
    public static double alertThreshold(ReadableConfig c, ModelConfig model) {
        Double t = c.getOptional(ALERT_THRESHOLD).orElse(null);
        if (t == null) {
            return Double.NaN;
        }
        if (!(t >= 0 && t <= 1)) {
            throw new UsageException(flag(ALERT_THRESHOLD) + " must be a novelty in [0, 1], got " + t);
        }
        if (model.globalMode() == GlobalMode.LINEAR) {
            throw new UsageException(flag(ALERT_THRESHOLD) + " needs memory entries to compare a block with; global"
                    + " mode linear keeps none (its novelty is always 0): use hierarchical, full or axial");
        }
        return t;
    }

    /**
     * The attention weight at or above which a link is drawn and counts as a clear repeat.
     *
     * @throws UsageException naming the flag, for a value outside [0, 1]
     */
    public static double linkThreshold(ReadableConfig c) {
        double t;
        try {
            t = c.get(LINK_THRESHOLD);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
        if (!(t >= 0 && t <= 1)) {
            throw new UsageException(flag(LINK_THRESHOLD) + " must be a weight in [0, 1], got " + t);
        }
        return t;
    }

    /**
     * The caps against hostile input of this configuration.
     *
     * @throws IllegalArgumentException naming the flag, for a cap below 1
     */
    public static StreamLimits limits(ReadableConfig c) {
        return new StreamLimits(c.get(MAX_ID_BYTES), c.get(MAX_HEADER_BYTES), c.get(MAX_LINE_BYTES),
                c.get(DEAD_LETTER_BYTES), c.get(REORDER_BYTES), c.get(MAX_GAP), c.get(MAX_EARLY_SUMMARIES),
                c.get(MAX_TOMBSTONES));
    }

    public static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
