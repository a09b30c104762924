package io.longseq.stream;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.ModelConfig;
import io.longseq.stream.assemble.AssembleFunction;
import io.longseq.stream.assemble.Chunk;
import io.longseq.stream.input.SequenceFragment;
import io.longseq.stream.input.TokenFragment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.assertj.core.api.recursive.comparison.RecursiveComparisonConfiguration;

/**
 * Inputs, independent expectations and harness plumbing shared by the operator tests of this package.
 *
 * <p>The expectations here are written from docs/design.md 3 and the Javadoc of {@link Chunk}, never from the output
 * of the code under test.
 */
public final class StreamTestSupport {

    /** Processing time the harnesses start at (the test clock starts at Long.MIN_VALUE otherwise). */
    public static final long T0 = 1_000L;

    /**
     * Recursive comparison of records by their content: {@code arrivedAt} (a processing-time stamp for the lag
     * metric, which the harness clock sets) is left out, as in the records' own {@code equals}.
     */
    public static final RecursiveComparisonConfiguration CONTENT = RecursiveComparisonConfiguration.builder()
            .withIgnoredFields("arrivedAt").build();

    private StreamTestSupport() {}

    /** A small DNA model: d = 32, h = 4, w = 8, L = 1, k = 3, B = 16, C = 64. */
    public static ModelConfig.Builder dnaModel() {
        return ModelConfig.builder().featureKind(FeatureKind.DNA).kmer(3).dModel(32).heads(4).window(8).layers(1)
                .ffnDim(64).blockSize(16).chunkSize(64);
    }

    /** Settings for assemble tests: retention zero (so state must vanish at the end) unless a test says otherwise. */
    public static StreamSettings settings(ModelConfig cfg) {
        return StreamSettings.defaults(cfg).withEndedRetention(java.time.Duration.ZERO);
    }

    // ------------------------------------------------------------------------------------------ inputs

    /** Random upper-case ACGT bases. */
    public static byte[] bases(int n, long seed) {
        Random r = new Random(seed);
        byte[] b = new byte[n];
        String alphabet = "ACGT";
        for (int i = 0; i < n; i++) {
            b[i] = (byte) alphabet.charAt(r.nextInt(alphabet.length()));
        }
        return b;
    }

    /** The symbols assemble works on for DNA: each base byte as an int. */
    public static int[] baseSymbols(byte[] bases) {
        int[] s = new int[bases.length];
        for (int i = 0; i < bases.length; i++) {
            s[i] = bases[i] & 0xFF;
        }
        return s;
    }

    /** A DNA fragment holding bases[from, to) at positions [from, to); its source offset is {@code from}. */
    public static TokenFragment dna(String id, byte[] bases, int from, int to, boolean last) {
        byte[] payload = Arrays.copyOfRange(bases, from, to);
        SequenceFragment f = new SequenceFragment(id, from, FeatureKind.DNA, payload, last).from("test-topic", 0, from);
        return new TokenFragment(f, payload.length, baseSymbols(payload));
    }

    /** A DNA fragment at {@code offset} with exactly these bases. */
    public static TokenFragment dnaAt(String id, long offset, String bases, boolean last) {
        byte[] payload = bases.getBytes(StandardCharsets.US_ASCII);
        SequenceFragment f = new SequenceFragment(id, offset, FeatureKind.DNA, payload, last)
                .from("test-topic", 0, offset);
        return new TokenFragment(f, payload.length, baseSymbols(payload));
    }

    /** An empty fragment at {@code offset} (an end marker when last). */
    public static TokenFragment empty(String id, long offset, FeatureKind kind, boolean last) {
        SequenceFragment f = new SequenceFragment(id, offset, kind, new byte[0], last).from("test-topic", 0, offset);
        return new TokenFragment(f, 0, new int[0]);
    }

    /** Positions [0, n) of a DNA sequence in fragments of {@code size} positions, the final one with last. */
    public static List<TokenFragment> dnaFragments(String id, byte[] bases, int n, int size) {
        List<TokenFragment> out = new ArrayList<>();
        for (int from = 0; from < n; from += size) {
            int to = Math.min(n, from + size);
            out.add(dna(id, bases, from, to, to == n));
        }
        return out;
    }

    /** A TOKENS fragment: ids[from, to) as big-endian int32, at positions [from, to). */
    public static TokenFragment tokens(String id, int[] ids, int from, int to, boolean last) {
        ByteBuffer b = ByteBuffer.allocate((to - from) * 4);
        for (int i = from; i < to; i++) {
            b.putInt(ids[i]);
        }
        SequenceFragment f = new SequenceFragment(id, from, FeatureKind.TOKENS, b.array(), last)
                .from("test-topic", 0, from);
        return new TokenFragment(f, to - from, Arrays.copyOfRange(ids, from, to));
    }

    /** A LOG fragment: lines[from, to) at positions [from, to); symbols [n, F] as given. */
    public static TokenFragment logs(String id, List<String> lines, int[] symbols, int nf, int from, int to, boolean last) {
        String text = String.join("\n", lines.subList(from, to)) + "\n";
        SequenceFragment f = new SequenceFragment(id, from, FeatureKind.LOG, text.getBytes(StandardCharsets.UTF_8),
                last).from("test-topic", 0, from);
        return new TokenFragment(f, to - from, Arrays.copyOfRange(symbols, from * nf, to * nf));
    }

    /** Splits [0, n) into pieces of {@code size} positions and makes a fragment of each with {@code make}. */
    public static List<TokenFragment> split(int n, int size, FragmentMaker make) {
        List<TokenFragment> out = new ArrayList<>();
        for (int from = 0; from < n; from += size) {
            int to = Math.min(n, from + size);
            out.add(make.make(from, to, to == n));
        }
        return out;
    }

    public interface FragmentMaker {
        TokenFragment make(int from, int to, boolean last);
    }

    /** A seeded full shuffle. */
    public static <T> List<T> shuffled(List<T> in, long seed) {
        List<T> out = new ArrayList<>(in);
        Collections.shuffle(out, new Random(seed));
        return out;
    }

    /**
     * A seeded shuffle that never holds more than {@code bound} positions out of order: consecutive fragments are
     * grouped while their positions add up to at most {@code bound}, and each group is shuffled on its own.
     */
    public static List<TokenFragment> shuffledWithin(List<TokenFragment> in, int bound, long seed) {
        Random r = new Random(seed);
        List<TokenFragment> out = new ArrayList<>();
        List<TokenFragment> group = new ArrayList<>();
        int positions = 0;
        for (TokenFragment f : in) {
            if (!group.isEmpty() && positions + f.positions > bound) {
                Collections.shuffle(group, r);
                out.addAll(group);
                group.clear();
                positions = 0;
            }
            group.add(f);
            positions += f.positions;
        }
        Collections.shuffle(group, r);
        out.addAll(group);
        return out;
    }

    // ------------------------------------------------------------------------------------------ expectations

    /** Left halo per docs/design.md 3: L·w, plus k − 1 for DNA (so the first k-mer of the core is whole). */
    public static int leftHalo(ModelConfig cfg) {
        return cfg.layers() * cfg.window() + (cfg.featureKind() == FeatureKind.DNA ? cfg.kmer() - 1 : 0);
    }

    /** Right halo per docs/design.md 3: L·w when bidirectional, 0 when causal. */
    public static int rightHalo(ModelConfig cfg) {
        return cfg.causal() ? 0 : cfg.layers() * cfg.window();
    }

    /**
     * The chunks of a whole sequence of n positions, computed directly: chunk c has core [cC, min(n, (c+1)C)),
     * array [max(0, cC − leftHalo), min(n, (c+1)C + rightHalo)), the symbols of that array, no prefix, and
     * {@code last} on the final chunk only.
     */
    public static List<Chunk> expectedChunks(String id, int[] symbols, int nf, int n, ModelConfig cfg) {
        int size = cfg.chunkSize();
        int left = leftHalo(cfg);
        int right = rightHalo(cfg);
        int count = (n + size - 1) / size;
        List<Chunk> out = new ArrayList<>();
        for (int c = 0; c < count; c++) {
            Chunk k = new Chunk();
            k.sequenceId = id;
            k.index = c;
            k.coreFrom = (long) c * size;
            k.coreTo = Math.min(n, (long) (c + 1) * size);
            k.first = Math.max(0, k.coreFrom - left);
            long to = Math.min(n, (long) (c + 1) * size + right);
            k.positions = (int) (to - k.first);
            k.symbols = Arrays.copyOfRange(symbols, (int) k.first * nf, (int) to * nf);
            k.prefix = new int[0];
            k.last = c == count - 1;
            k.aborted = false;
            out.add(k);
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ harnesses

    /** An open assemble harness keyed by sequence id, its processing time at {@link #T0}. */
    public static KeyedOneInputStreamOperatorTestHarness<String, TokenFragment, Chunk> assemble(StreamSettings s)
            throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, TokenFragment, Chunk> h =
                new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new AssembleFunction(s)),
                        f -> f.sequenceId, Types.STRING);
        h.open();
        h.setProcessingTime(T0);
        return h;
    }

    public static <I> void feed(OneInputStreamOperatorTestHarness<I, ?> h, Collection<? extends I> in) throws Exception {
        for (I f : in) {
            h.processElement(new StreamRecord<>(f));
        }
    }

    public static <T> List<T> side(OneInputStreamOperatorTestHarness<?, ?> h, OutputTag<T> tag) {
        var q = h.getSideOutput(tag);
        List<T> out = new ArrayList<>();
        if (q != null) {
            for (StreamRecord<T> r : q) {
                out.add(r.getValue());
            }
        }
        return out;
    }

    public static List<DeadLetter> deadLetters(OneInputStreamOperatorTestHarness<?, ?> h) {
        return side(h, StreamTypes.DEAD_LETTERS);
    }

    public static List<Notice> notices(OneInputStreamOperatorTestHarness<?, ?> h) {
        return side(h, StreamTypes.NOTICES);
    }

    public static <T> List<T> only(List<T> in, Function<T, Boolean> keep) {
        List<T> out = new ArrayList<>();
        for (T t : in) {
            if (keep.apply(t)) {
                out.add(t);
            }
        }
        return out;
    }
}
