package io.longseq.jobs.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.ModelConfig;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.input.SequenceFragment;
import io.longseq.stream.input.ValidateFunction;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code offline} ({@link SequenceSource}) and the stream ({@link FragmentReader}, then {@code validate}) read a
 * token or log file through the same reader, so the stream's fragments, put back together, are the offline
 * sequence's feature ids, whatever the fragment size.
 */
class OfflineAndStreamReadAlikeTest {

    @TempDir
    Path dir;

    @Test
    void tokenFiles() throws IOException {
        ModelConfig cfg = ModelConfig.builder().featureKind(FeatureKind.TOKENS).vocabSize(1000).build();
        byte[] file = " 1 2\t3\n\n+4 005\r\n999 0 -0\n7".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int[] expected = {1, 2, 3, 4, 5, 999, 0, 0, 7}; // by hand
        assertThat(offline(file, "t.tokens", cfg)).containsExactly(expected);
        for (int size : new int[] {1, 2, 4, 1000}) {
            assertThat(stream(file, cfg, size)).as("fragment size " + size).containsExactly(expected);
        }
    }

    @Test
    void logFiles() throws IOException {
        ModelConfig cfg = ModelConfig.builder().featureKind(FeatureKind.LOG).vocabSize(1 << 16).maxFeatures(8)
                .build();
        byte[] text = ("INFO blk_1 from 10.0.0.1\r\nWARN \u00e9t\u00e9 x=3\rINFO done\n\n\nERROR"
                + " blk_22 lost").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] file = Arrays.copyOf(text, text.length + 3);
        file[text.length] = '\n';
        file[text.length + 1] = (byte) 0xFF; // no UTF-8: read as U+FFFD by both
        file[text.length + 2] = 'z';
        int[] offline = offline(file, "x.log", cfg);
        assertThat(offline).hasSize(7 * 8); // 7 lines of 8 features
        for (int size : new int[] {1, 2, 3, 1000}) {
            assertThat(stream(file, cfg, size)).as("fragment size " + size).containsExactly(offline);
        }
    }

    private int[] offline(byte[] file, String name, ModelConfig cfg) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, file);
        try (SequenceSource s = SequenceSource.open(p, cfg)) {
            SequenceSource.Sequence seq = s.next();
            assertThat(seq.problem()).isNull();
            assertThat(s.next()).isNull();
            return seq.ids();
        }
    }

    private static int[] stream(byte[] file, ModelConfig cfg, int size) throws IOException {
        StreamSettings settings = StreamSettings.defaults(cfg);
        IntStream.Builder ids = IntStream.builder();
        try (FragmentReader r = new FragmentReader(() -> new ByteArrayInputStream(file), "f", "f",
                cfg.featureKind(), size, StreamLimits.DEFAULTS, FragmentReader.DEFAULT_MAX_FRAGMENT_BYTES)) {
            SequenceFragment f;
            while ((f = r.next()) != null) {
                ValidateFunction.Result v = ValidateFunction.check(f, settings);
                assertThat(v.reason()).isNull();
                Arrays.stream(v.fragment().symbols).forEach(ids::add);
            }
        }
        return ids.build().toArray();
    }
}
