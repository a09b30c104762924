package io.longseq.stream.assemble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link TombstoneQueue}: the oldest tombstone is forgotten first, and a rebuilt queue has the same order. */
class TombstoneQueueTest {

    @Test
    void theOldestIsPolledOnlyWhileMoreThanTheCapAreHeld() {
        TombstoneQueue q = new TombstoneQueue(2);
        q.add("a", 100);
        q.add("b", 200);
        assertThat(q.pollExcess()).isNull();
        q.add("c", 300);
        assertThat(q.size()).isEqualTo(3);
        assertThat(q.pollExcess()).isEqualTo(new TombstoneQueue.Entry("a", 100));
        assertThat(q.pollExcess()).isNull();
        q.add("d", 400);
        q.add("e", 500);
        assertThat(q.pollExcess()).isEqualTo(new TombstoneQueue.Entry("b", 200));
        assertThat(q.pollExcess()).isEqualTo(new TombstoneQueue.Entry("c", 300));
        assertThat(q.pollExcess()).isNull();
        assertThat(q.size()).isEqualTo(2);
    }

    @Test
    void anExpiredTombstoneIsRemovedWhereverItIs() {
        TombstoneQueue q = new TombstoneQueue(2);
        q.add("a", 100);
        q.add("b", 200);
        q.add("c", 300);
        assertThat(q.remove("b")).isTrue();
        assertThat(q.remove("b")).isFalse();
        assertThat(q.remove("never")).isFalse();
        assertThat(q.pollExcess()).isNull();
        q.add("d", 400);
        assertThat(q.pollExcess().id()).isEqualTo("a");
    }

    @Test
    void addingAnIdAgainMakesItTheYoungest() {
        TombstoneQueue q = new TombstoneQueue(1);
        q.add("a", 100);
        q.add("b", 200);
        q.add("a", 300);
        assertThat(q.size()).isEqualTo(2);
        assertThat(q.pollExcess().id()).isEqualTo("b");
    }

    @Test
    void aRebuiltQueueIsOrderedByExpiryThenId() {
        TombstoneQueue q = TombstoneQueue.of(2, List.of(new TombstoneQueue.Entry("z", 300),
                new TombstoneQueue.Entry("m", 100), new TombstoneQueue.Entry("b", 200),
                new TombstoneQueue.Entry("a", 200)));
        assertThat(q.size()).isEqualTo(4);
        assertThat(q.pollExcess().id()).isEqualTo("m");
        assertThat(q.pollExcess().id()).isEqualTo("a");
        assertThat(q.pollExcess()).isNull();
        q.add("y", 50); // younger by arrival even with an earlier expiry: insertion order is age from here on
        assertThat(q.pollExcess().id()).isEqualTo("b");
    }

    @Test
    void aCapBelowOneIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> new TombstoneQueue(0)).hasMessageContaining("--max-tombstones");
    }
}
