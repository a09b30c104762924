package io.longseq.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.math.features.FeatureKind;
import io.longseq.math.features.Features;
import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.model.ChunkedModel;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.Weights;
import io.longseq.stream.Notice;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.global.BlockContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 1,000 DNA sequences whose fragments arrive interleaved (round-robin over the sequences, random fragment sizes)
 * through one job at parallelism 4: keyed state must keep them apart, so every sequence's blocks equal, bit for
 * bit, those of {@code ChunkedModel} on that sequence alone; every sequence ends exactly once; nothing is refused.
 * A small model (d=32, h=4, w=16, B=64, C=256, k=4) keeps it quick; the comparison is still bitwise.
 */
class InterleavedSequencesITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(4)
            .build());

    private static final ModelConfig CFG = ModelConfig.builder()
            .dModel(32).heads(4).window(16).blockSize(64).chunkSize(256).kmer(4).ffnDim(64).build();
    private static final int SEQUENCES = 1_000;

    @Test
    void everySequenceEqualsItsOwnOfflineRunAndEndsOnce() throws Exception {
        Random r = new Random(4_242L);
        Map<String, byte[]> sequences = new LinkedHashMap<>();
        PlannedFragments.Builder b = new PlannedFragments.Builder(FeatureKind.DNA);
        long positions = 0;
        for (int s = 0; s < SEQUENCES; s++) {
            String id = String.format("seq-%04d", s);
            byte[] bases = TestInputs.randomBases(r, 100 + r.nextInt(5_901)); // 100..6,000
            sequences.put(id, bases);
            positions += bases.length;
            for (int off = 0; off < bases.length; ) {
                int size = 1 + r.nextInt(r.nextBoolean() ? 40 : 900); // many small and some large fragments
                int to = Math.min(bases.length, off + size);
                b.add(id, off, bases, off, to, to == bases.length);
                off = to;
            }
        }
        PlannedFragments plan = b.build().roundRobin();
        // the interleaving is real: the first fragments come from different sequences, all in order per sequence
        assertThat(plan.fragment(0).sequenceId).isEqualTo("seq-0000");
        assertThat(plan.fragment(1).sequenceId).isEqualTo("seq-0001");
        assertThat(plan.maxPositionsAheadOfAGap()).isZero();

        long t0 = System.nanoTime();
        PipelineRuns.Output out = PipelineRuns.stream(StreamSettings.defaults(CFG), 4, plan);
        long streamMs = (System.nanoTime() - t0) / 1_000_000;

        assertThat(out.deadLetters()).as("dead letters").isEmpty();
        assertThat(out.blocks().keySet()).as("sequences with blocks").containsExactlyInAnyOrderElementsOf(sequences.keySet());

        Map<String, List<Notice>> notices = new LinkedHashMap<>();
        for (Notice n : out.notices()) {
            notices.computeIfAbsent(n.sequenceId, k -> new ArrayList<>()).add(n);
        }
        assertThat(notices.keySet()).as("sequences with notices").containsExactlyInAnyOrderElementsOf(sequences.keySet());

        long t1 = System.nanoTime();
        Weights weights = PipelineRuns.defaultWeights(CFG);
        int blocks = 0;
        List<String> wrong = new ArrayList<>();
        Nd4jRuntime.init(1);
        try (ChunkedModel model = new ChunkedModel(CFG, weights)) { // one model for all, as the offline CLI does
            for (Map.Entry<String, byte[]> e : sequences.entrySet()) {
                String id = e.getKey();
                byte[] bases = e.getValue();
                List<Notice> ns = notices.get(id);
                assertThat(ns).as("notices of " + id).hasSize(1);
                assertThat(ns.get(0).kind).as("notice of " + id).isEqualTo(Notice.Kind.ENDED);
                assertThat(ns.get(0).position).as("end of " + id).isEqualTo(bases.length);

                int[] ids = Features.dnaKmers(bases, CFG);
                List<BlockContext> expected = PipelineRuns.contexts(id, model.run(ids, ids.length, false).blocks());
                assertThat(expected).hasSize((bases.length + CFG.blockSize() - 1) / CFG.blockSize());
                String d = PipelineRuns.firstDifference(expected, out.blocks().get(id));
                if (d != null) {
                    wrong.add(id + ": " + d);
                }
                blocks += expected.size();
            }
        }
        long offlineMs = (System.nanoTime() - t1) / 1_000_000;
        System.out.println("[InterleavedSequencesITCase] " + SEQUENCES + " sequences, " + positions + " positions, "
                + plan.count() + " fragments interleaved, " + blocks + " blocks: stream p4 " + streamMs
                + " ms, offline ChunkedModel " + offlineMs + " ms, sequences differing: " + wrong.size());
        assertThat(wrong).as("sequences whose streamed blocks differ from ChunkedModel on them alone").isEmpty();
    }
}
