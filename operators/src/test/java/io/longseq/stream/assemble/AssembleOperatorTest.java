package io.longseq.stream.assemble;

import static io.longseq.stream.StreamTestSupport.T0;
import static io.longseq.stream.StreamTestSupport.bases;
import static io.longseq.stream.StreamTestSupport.deadLetters;
import static io.longseq.stream.StreamTestSupport.dna;
import static io.longseq.stream.StreamTestSupport.dnaModel;
import static io.longseq.stream.StreamTestSupport.notices;
import static io.longseq.stream.StreamTestSupport.only;
import static io.longseq.stream.StreamTestSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.math.model.ModelConfig;
import io.longseq.stream.Notice;
import io.longseq.stream.StreamLimits;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.input.TokenFragment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * {@link AssembleOperator}: at most {@code max-tombstones} ended sequences per subtask, the oldest forgotten first
 * with a notice, across a checkpoint and a rescale (the queue is rebuilt from keyed state).
 */
class AssembleOperatorTest {

    static final ModelConfig DNA = dnaModel().build();
    static final Duration RETENTION = Duration.ofMinutes(1);
    static final int MAX_PARALLELISM = 128;
    static final byte[] SEQ = bases(100, 71);

    static StreamSettings capped(int maxTombstones) {
        return settings(DNA).withEndedRetention(RETENTION)
                .withLimits(StreamLimits.DEFAULTS.withMaxTombstones(maxTombstones));
    }

    static KeyedOneInputStreamOperatorTestHarness<String, TokenFragment, Chunk> harness(StreamSettings s,
            int parallelism, int subtask, OperatorSubtaskState restored) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new AssembleOperator(s), (TokenFragment f) -> f.sequenceId,
                Types.STRING, MAX_PARALLELISM, parallelism, subtask);
        if (restored != null) {
            h.initializeState(restored);
        }
        h.open();
        return h;
    }

    /** A whole sequence of 100 positions in one fragment, at processing time {@code at}: it ends at once. */
    static void endSequence(KeyedOneInputStreamOperatorTestHarness<String, TokenFragment, Chunk> h, String id, long at)
            throws Exception {
        h.setProcessingTime(at);
        h.processElement(new StreamRecord<>(dna(id, SEQ, 0, 100, true)));
    }

    static List<String> dropped(KeyedOneInputStreamOperatorTestHarness<?, ?, ?> h) {
        List<String> ids = new ArrayList<>();
        for (Notice n : only(notices(h), n -> n.kind == Notice.Kind.TOMBSTONE_DROPPED)) {
            ids.add(n.sequenceId);
        }
        return ids;
    }

    static int tombstones(KeyedOneInputStreamOperatorTestHarness<?, ?, ?> h) {
        return ((AssembleOperator) h.getOperator()).tombstones();
    }

    @Test
    void theOldestTombstoneIsDroppedWithANoticeOnceTheCapIsPassed() throws Exception {
        try (var h = harness(capped(3), 1, 0, null)) {
            for (int i = 0; i < 3; i++) {
                endSequence(h, "s" + i, T0 + i * 1_000L);
            }
            assertThat(dropped(h)).isEmpty();
            assertThat(h.numKeyedStateEntries()).isEqualTo(3);
            assertThat(h.numProcessingTimeTimers()).isEqualTo(3);

            endSequence(h, "s3", T0 + 3_000);
            assertThat(dropped(h)).containsExactly("s0");
            assertThat(only(notices(h), n -> n.kind == Notice.Kind.TOMBSTONE_DROPPED)).singleElement()
                    .satisfies(n -> {
                        assertThat(n.position).isEqualTo(100);
                        assertThat(n.count).isEqualTo(3);
                        assertThat(n.message).contains("ended at position 100").contains("at most 3 ended sequences")
                                .contains("(max-tombstones)");
                    });
            endSequence(h, "s4", T0 + 4_000);
            assertThat(dropped(h)).containsExactly("s0", "s1");
            assertThat(h.numKeyedStateEntries()).isEqualTo(3);
            assertThat(h.numProcessingTimeTimers()).isEqualTo(3);
            assertThat(tombstones(h)).isEqualTo(3);

            // s2 is still remembered: a late fragment of it is a dead letter
            h.processElement(new StreamRecord<>(dna("s2", SEQ, 10, 20, false)));
            assertThat(deadLetters(h)).singleElement().satisfies(d -> assertThat(d.reason).contains("after the end"));
            // s0 was forgotten: the same fragments make a new sequence, which ends and drops s2
            endSequence(h, "s0", T0 + 5_000);
            assertThat(deadLetters(h)).hasSize(1);
            assertThat(only(notices(h), n -> n.kind == Notice.Kind.ENDED && n.sequenceId.equals("s0"))).hasSize(2);
            assertThat(dropped(h)).containsExactly("s0", "s1", "s2");

            // the retention ends for all: nothing is left
            h.setProcessingTime(T0 + 5_000 + RETENTION.toMillis());
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
            assertThat(tombstones(h)).isZero();
            assertThat(dropped(h)).hasSize(3);
        }
    }

    @Test
    void aSequenceGivenUpLeavesATombstoneThatCountsToo() throws Exception {
        byte[] seq = bases(300, 72);
        try (var h = harness(capped(1).withReorderBound(5), 1, 0, null)) {
            h.setProcessingTime(T0);
            h.processElement(new StreamRecord<>(dna("f", seq, 0, 10, false)));
            h.processElement(new StreamRecord<>(dna("f", seq, 20, 30, false))); // past the bound: given up
            assertThat(only(notices(h), n -> n.kind == Notice.Kind.SEQUENCE_FAILED)).hasSize(1);
            endSequence(h, "e", T0 + 1_000);
            assertThat(only(notices(h), n -> n.kind == Notice.Kind.TOMBSTONE_DROPPED)).singleElement()
                    .satisfies(n -> {
                        assertThat(n.sequenceId).isEqualTo("f");
                        assertThat(n.position).isEqualTo(10);
                        assertThat(n.message).contains("was given up at position 10");
                    });
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            assertThat(h.numProcessingTimeTimers()).isEqualTo(1);
        }
    }

    @Test
    void afterARestoreTheQueueIsRebuiltInTheOrderTheTombstonesWereMade() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(capped(3), 1, 0, null)) {
            // made out of id order: the age is the order of the ends, not of the ids
            endSequence(h, "c", T0);
            endSequence(h, "a", T0 + 1_000);
            endSequence(h, "b", T0 + 2_000);
            snapshot = h.snapshot(1L, T0 + 2_500);
        }
        try (var h = harness(capped(3), 1, 0, snapshot)) {
            assertThat(tombstones(h)).isEqualTo(3);
            assertThat(h.numKeyedStateEntries()).isEqualTo(3);
            h.processElement(new StreamRecord<>(dna("a", SEQ, 10, 20, false)));
            assertThat(deadLetters(h)).singleElement().satisfies(d -> assertThat(d.reason).contains("after the end"));
            endSequence(h, "d", T0 + 3_000);
            endSequence(h, "e", T0 + 4_000);
            assertThat(dropped(h)).containsExactly("c", "a");
            h.setProcessingTime(T0 + 4_000 + RETENTION.toMillis());
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
            assertThat(tombstones(h)).isZero();
        }
    }

    /** Ids that key-group assignment sends to {@code subtask} of {@code parallelism}, in order s0, s1, ... */
    static List<String> idsOf(int subtask, int parallelism, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; ids.size() < count; i++) {
            String id = "s" + i;
            if (KeyGroupRangeAssignment.assignKeyToParallelOperator(id, MAX_PARALLELISM, parallelism) == subtask) {
                ids.add(id);
            }
        }
        return ids;
    }

    @Test
    void mergingTwoSubtasksOverTheCapDropsTheOldestOfBothOnTheFirstElement() throws Exception {
        List<String> left = idsOf(0, 2, 3);
        List<String> right = idsOf(1, 2, 3);
        OperatorSubtaskState s0;
        OperatorSubtaskState s1;
        try (var h0 = harness(capped(3), 2, 0, null); var h1 = harness(capped(3), 2, 1, null)) {
            for (int i = 0; i < 3; i++) {
                endSequence(h0, left.get(i), T0 + 2_000L * i);          // ends at 0, 2, 4 s
                endSequence(h1, right.get(i), T0 + 2_000L * i + 1_000); // ends at 1, 3, 5 s
            }
            assertThat(dropped(h0)).isEmpty();
            assertThat(dropped(h1)).isEmpty();
            s0 = h0.snapshot(1L, T0 + 6_000);
            s1 = h1.snapshot(1L, T0 + 6_000);
        }
        OperatorSubtaskState merged = AbstractStreamOperatorTestHarness.repartitionOperatorState(
                AbstractStreamOperatorTestHarness.repackageState(s0, s1), MAX_PARALLELISM, 2, 1, 0);
        try (var h = harness(capped(3), 1, 0, merged)) {
            assertThat(h.numKeyedStateEntries()).isEqualTo(6);
            assertThat(tombstones(h)).isEqualTo(6);
            assertThat(dropped(h)).as("nothing is emitted from open()").isEmpty();
            // the first element, whatever it is, drops the three oldest of the six by the end of their retention
            h.setProcessingTime(T0 + 6_000);
            h.processElement(new StreamRecord<>(dna(left.get(2), SEQ, 10, 20, false)));
            assertThat(dropped(h)).containsExactly(left.get(0), right.get(0), left.get(1));
            assertThat(deadLetters(h)).as("a survivor is remembered").singleElement()
                    .satisfies(d -> assertThat(d.sequenceId).isEqualTo(left.get(2)));
            endSequence(h, "new", T0 + 6_000);
            assertThat(dropped(h)).containsExactly(left.get(0), right.get(0), left.get(1), right.get(1));
            assertThat(h.numKeyedStateEntries()).isEqualTo(3);
            assertThat(h.numProcessingTimeTimers()).isEqualTo(3);
            // a dropped one is not: its fragment opens a new sequence
            h.processElement(new StreamRecord<>(dna(right.get(1), SEQ, 0, 10, false)));
            assertThat(deadLetters(h)).hasSize(1);
            assertThat(h.numKeyedStateEntries()).as("its cursor and tail beside 3 tombstones").isEqualTo(5);
        }
        // and back to two subtasks: each rebuilds from the key groups it now owns, under the cap, nothing dropped
        OperatorSubtaskState again;
        try (var h = harness(capped(3), 1, 0, merged)) {
            h.setProcessingTime(T0 + 6_000);
            again = h.snapshot(2L, T0 + 6_000);
        }
        for (int sub = 0; sub < 2; sub++) {
            try (var h = harness(capped(3), 2, sub,
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(again, MAX_PARALLELISM, 1, 2, sub))) {
                assertThat(tombstones(h)).isEqualTo(3);
                assertThat(h.numKeyedStateEntries()).isEqualTo(3);
                endSequence(h, idsOf(sub, 2, 4).get(3), T0 + 7_000);
                assertThat(dropped(h)).containsExactly((sub == 0 ? left : right).get(0));
            }
        }
    }
}
