package io.longseq.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longseq.jobs.input.InputFiles;
import io.longseq.math.features.FeatureKind;
import io.longseq.math.features.Features;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.LocalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.model.Pooling;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.global.BlockContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/design.md G1 for every attention variant: the streaming job at parallelism 2 on shuffled fragments equals
 * {@code ChunkedModel} run offline on the whole sequence (what {@code offline --engine nd4j} computes), bitwise, for
 * every streamable local mode, every global mode and every pooling. Two small DNA sequences (different ids, so
 * BIGBIRD's random blocks differ between them) and a small model keep each run to seconds. Local mode FULL is the
 * offline baseline only: the stream refuses it, which is checked too.
 */
class AllModesITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @TempDir
    static Path dir;

    /**
     * d = 32, h = 2, w = 8, B = 16, C = 64, k = 3: 40+ chunks per sequence, many halos and chunk edges; Linformer
     * segments of 16 (C a multiple of it) projected to 4 rows.
     */
    private static final ModelConfig BASE = ModelConfig.builder().kmer(3).dModel(32).heads(2).window(8).layers(2)
            .ffnDim(48).blockSize(16).chunkSize(64).recent(3).group(2).levels(2).topK(3).linearFeatures(16)
            .dilation(3).sinks(3).bigbirdWindow(2).bigbirdGlobal(1).bigbirdRandom(2)
            .linformerRank(4).linformerSegment(16).build();

    @Test
    void streamEqualsOfflineForEveryLocalModeGlobalModeAndPooling() throws Exception {
        Map<String, byte[]> seqs = new LinkedHashMap<>();
        Random r = new Random(25);
        seqs.put("seqA", TestInputs.randomBases(r, 3_001));
        seqs.put("seqB", TestInputs.randomBases(r, 2_500));
        Path fasta = dir.resolve("two.fa");
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, byte[]> e : seqs.entrySet()) {
            sb.append('>').append(e.getKey()).append(" test\n");
            String bases = new String(e.getValue(), StandardCharsets.US_ASCII);
            for (int i = 0; i < bases.length(); i += 70) {
                sb.append(bases, i, Math.min(bases.length(), i + 70)).append('\n');
            }
        }
        Files.writeString(fasta, sb.toString(), StandardCharsets.US_ASCII);
        PlannedFragments plan = PlannedFragments.read(InputFiles.open(fasta), fasta.toString(), "unused",
                FeatureKind.DNA, 97).localShuffle(2_025L, 64, 1_000);

        List<ModelConfig> cases = new ArrayList<>();
        for (LocalMode m : LocalMode.values()) {
            if (m != LocalMode.FULL) {
                cases.add(BASE.toBuilder().localMode(m).build());
            }
        }
        for (GlobalMode g : GlobalMode.values()) {
            if (g != BASE.globalMode()) {
                cases.add(BASE.toBuilder().globalMode(g).build());
            }
        }
        for (Pooling p : Pooling.values()) {
            if (p != BASE.pooling()) {
                cases.add(BASE.toBuilder().pooling(p).build());
            }
        }
        List<String> covered = new ArrayList<>();
        for (ModelConfig cfg : cases) {
            String what = "local " + cfg.localMode() + ", global " + cfg.globalMode() + ", pooling " + cfg.pooling();
            PipelineRuns.Output run = PipelineRuns.stream(StreamSettings.defaults(cfg), 2, plan);
            assertThat(run.deadLetters()).as(what + ": dead letters").isEmpty();
            Map<String, List<BlockContext>> offline = new LinkedHashMap<>();
            for (Map.Entry<String, byte[]> e : seqs.entrySet()) {
                int[] ids = Features.dnaKmers(e.getValue(), cfg);
                offline.put(e.getKey(), PipelineRuns.chunked(e.getKey(), ids, ids.length, cfg,
                        PipelineRuns.defaultWeights(cfg)));
                assertThat(offline.get(e.getKey())).hasSize((e.getValue().length + 15) / 16);
            }
            assertThat(PipelineRuns.firstDifference(new java.util.TreeMap<>(offline), run.blocks()))
                    .as(what + ": stream p2 shuffled vs offline").isNull();
            covered.add(what + " (" + run.millis() + " ms)");
        }
        assertThat(covered).hasSize(LocalMode.values().length - 1 + GlobalMode.values().length - 1
                + Pooling.values().length - 1);
        System.out.println("AllModesITCase: stream p2 shuffled = offline, bitwise, for " + covered);

        ModelConfig full = BASE.toBuilder().localMode(LocalMode.FULL).build();
        assertThatThrownBy(() -> StreamSettings.defaults(full)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offline baseline only");
    }
}
