package io.longseq.stream.input;

import io.longseq.stream.OperatorMetrics;
import java.util.EnumMap;
import java.util.Set;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * One stage's dead letters, a counter per {@link DeadLetterRule}: {@code deadLetters{reason="invalid-base"}}. The
 * stage's rules are registered up front (so they show 0 before anything is refused); a rule outside them is
 * registered when it first counts. Either way at most one counter per rule: the labels are a fixed set.
 */
public final class DeadLetterCounters {

    private final MetricGroup group;
    private final EnumMap<DeadLetterRule, Counter> counters = new EnumMap<>(DeadLetterRule.class);

    public DeadLetterCounters(MetricGroup group, Set<DeadLetterRule> rules) {
        this.group = group;
        rules.forEach(this::counter);
    }

    public void count(DeadLetterRule rule) {
        counter(rule).inc();
    }

    /** Dead letters counted for {@code rule} so far. */
    public long counted(DeadLetterRule rule) {
        return counter(rule).getCount();
    }

    private Counter counter(DeadLetterRule rule) {
        return counters.computeIfAbsent(rule,
                r -> group.addGroup(OperatorMetrics.REASON, r.label()).counter(OperatorMetrics.DEAD_LETTERS));
    }
}
