package io.longseq.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.jobs.input.InputFiles;
import io.longseq.math.features.FeatureKind;
import io.longseq.math.features.Features;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.global.BlockContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RETRIEVAL's memory is rewritten in place in keyed state, where a chunk changed it: correct with the heap backend
 * because it hands out a copy of a value that a running checkpoint still holds, and with RocksDB because every read
 * is a fresh array. The job at parallelism 2 on shuffled fragments, with a checkpoint every 20 ms (so checkpoints run
 * beside the chunks that rewrite the state), a store small enough to evict at nearly every chunk, each backend: the
 * blocks equal {@code ChunkedModel} run offline on the whole sequences, bitwise.
 */
class RetrievalStateBackendsITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @TempDir
    static Path dir;

    private static final ModelConfig CFG = ModelConfig.builder().kmer(3).dModel(32).heads(2).window(8).layers(1)
            .ffnDim(48).blockSize(16).chunkSize(64).recent(3).group(2).levels(2).topK(3)
            .globalMode(GlobalMode.RETRIEVAL).retrievalBits(1).retrievalSlots(4).retrievalRecent(1).build();

    @ParameterizedTest
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void streamWithCheckpointsEqualsOffline(String backend) throws Exception {
        Random r = new Random(23);
        Map<String, byte[]> seqs = new TreeMap<>();
        seqs.put("seqA", TestInputs.randomBases(r, 9_001));
        seqs.put("seqB", TestInputs.randomBases(r, 7_500));
        Path fasta = dir.resolve(backend + ".fa");
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, byte[]> e : seqs.entrySet()) {
            sb.append('>').append(e.getKey()).append('\n')
                    .append(new String(e.getValue(), StandardCharsets.US_ASCII)).append('\n');
        }
        Files.writeString(fasta, sb.toString(), StandardCharsets.US_ASCII);
        PlannedFragments plan = PlannedFragments.read(InputFiles.open(fasta), fasta.toString(), "unused",
                FeatureKind.DNA, 97).localShuffle(2_026L, 64, 1_000);
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, java.time.Duration.ofMillis(20));
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.resolve("ck-" + backend).toUri().toString());
        PipelineRuns.Output run = PipelineRuns.stream(StreamSettings.defaults(CFG), 2, plan, conf);
        assertThat(run.deadLetters()).isEmpty();
        Map<String, List<BlockContext>> offline = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : seqs.entrySet()) {
            int[] ids = Features.dnaKmers(e.getValue(), CFG);
            offline.put(e.getKey(), PipelineRuns.chunked(e.getKey(), ids, ids.length, CFG,
                    PipelineRuns.defaultWeights(CFG)));
        }
        assertThat(PipelineRuns.firstDifference(offline, run.blocks())).as(backend + ": stream vs offline").isNull();
        System.out.println("RetrievalStateBackendsITCase: " + backend + ", checkpoints every 20 ms: stream p2 = offline,"
                + " bitwise (" + run.millis() + " ms)");
    }
}
