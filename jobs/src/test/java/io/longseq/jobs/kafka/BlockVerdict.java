package io.longseq.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.schemas.AvroCodec;
import io.longseq.schemas.TopEntry;
import io.longseq.stream.global.BlockContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The verdict of the Kafka ITCases on a blocks topic (docs/design.md G1, G3): every expected (sequence id, block)
 * exactly once, nothing else, and each record bitwise equal, field by field, to the block context computed offline.
 *
 * <p>Nothing here calls the job's own Avro conversions for the output side: block contexts read from Kafka are
 * decoded with {@link AvroCodec} into the generated Avro class and compared field by field (floats by their raw
 * bits) with the offline results.
 */
final class BlockVerdict {

    private BlockVerdict() {}

    static io.longseq.schemas.BlockContext decodeBlock(ConsumerRecord<byte[], byte[]> r) {
        try {
            return AvroCodec.decode(r.value(), io.longseq.schemas.BlockContext.class);
        } catch (AvroCodec.DecodeException e) {
            throw new AssertionError("record " + r.topic() + ":" + r.partition() + ":" + r.offset()
                    + " is not a framed BlockContext", e);
        }
    }

    static String key(io.longseq.schemas.BlockContext b) {
        return b.getSequenceId() + "#" + b.getBlock();
    }

    static Set<String> keys(Map<String, List<BlockContext>> expected) {
        Set<String> s = new HashSet<>();
        expected.forEach((id, l) -> l.forEach(c -> s.add(id + "#" + c.block)));
        return s;
    }

    /** How many records were seen how often: {1: n} when every record is there exactly once. */
    record Tally(Map<Integer, Integer> histogram, List<String> missing, List<String> unexpected,
                 List<String> duplicated) {}

    /**
     * G3 on what a read_committed consumer saw: every expected (sequence id, block) exactly once, nothing else, the
     * Kafka key equal to the sequence id, and each record bitwise equal, field by field, to the expected one.
     */
    static Tally assertExactlyOnceAndBitwiseEqual(String what, List<ConsumerRecord<byte[], byte[]>> records,
                                                 Map<String, List<BlockContext>> expected) {
        Map<String, BlockContext> want = new LinkedHashMap<>();
        expected.forEach((id, l) -> l.forEach(c -> want.put(id + "#" + c.block, c)));
        Map<String, Integer> seen = new TreeMap<>();
        List<String> differences = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            io.longseq.schemas.BlockContext b = decodeBlock(r);
            String k = key(b);
            seen.merge(k, 1, Integer::sum);
            String keyText = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
            if (!b.getSequenceId().equals(keyText)) {
                differences.add(k + ": Kafka key '" + keyText + "' is not the sequence id");
            }
            BlockContext e = want.get(k);
            if (e != null) {
                String d = bitwiseDifference(e, b);
                if (d != null && differences.size() < 20) {
                    differences.add(k + ": " + d);
                }
            }
        }
        List<String> missing = new ArrayList<>();
        want.keySet().forEach(k -> {
            if (!seen.containsKey(k)) {
                missing.add(k);
            }
        });
        List<String> unexpected = new ArrayList<>();
        List<String> duplicated = new ArrayList<>();
        Map<Integer, Integer> histogram = new TreeMap<>();
        seen.forEach((k, n) -> {
            histogram.merge(n, 1, Integer::sum);
            if (!want.containsKey(k)) {
                unexpected.add(k);
            }
            if (n != 1) {
                duplicated.add(k + " x" + n);
            }
        });
        Tally t = new Tally(histogram, missing, unexpected, duplicated);
        assertThat(missing.size()).as(what + ": (sequence, block) pairs missing from the read_committed output,"
                + " first " + first(missing)).isZero();
        assertThat(duplicated.size()).as(what + ": (sequence, block) pairs seen more than once by read_committed,"
                + " first " + first(duplicated)).isZero();
        assertThat(unexpected.size()).as(what + ": (sequence, block) pairs that should not exist, first "
                + first(unexpected)).isZero();
        assertThat(records).as(what + ": records read").hasSize(want.size());
        assertThat(differences).as(what + ": records that differ from the expected ones (bitwise)").isEmpty();
        return t;
    }

    private static List<String> first(List<String> l) {
        return l.subList(0, Math.min(10, l.size()));
    }

    /** Null if the Avro record carries exactly the expected values (floats by raw bits), else the first difference. */
    static String bitwiseDifference(BlockContext e, io.longseq.schemas.BlockContext a) {
        if (!e.sequenceId.equals(a.getSequenceId())) {
            return "sequenceId " + e.sequenceId + " vs " + a.getSequenceId();
        }
        if (e.block != a.getBlock() || e.start != a.getStart() || e.end != a.getEnd()) {
            return "block/start/end " + e.block + "/" + e.start + "/" + e.end + " vs " + a.getBlock() + "/"
                    + a.getStart() + "/" + a.getEnd();
        }
        String d = floats("summary", e.summary, a.getSummary());
        if (d == null) {
            d = floats("context", e.context, a.getContext());
        }
        if (d != null) {
            return d;
        }
        if (Float.floatToRawIntBits(e.selfWeight) != Float.floatToRawIntBits(a.getSelfWeight())) {
            return "selfWeight " + e.selfWeight + " vs " + a.getSelfWeight();
        }
        if (Float.floatToRawIntBits(e.entropy) != Float.floatToRawIntBits(a.getEntropy())) {
            return "entropy " + e.entropy + " vs " + a.getEntropy();
        }
        if (Float.floatToRawIntBits(e.novelty) != Float.floatToRawIntBits(a.getNovelty())) {
            return "novelty " + e.novelty + " vs " + a.getNovelty();
        }
        List<TopEntry> top = a.getTop();
        if (top.size() != e.topLevel.length) {
            return top.size() + " top entries, expected " + e.topLevel.length;
        }
        for (int i = 0; i < top.size(); i++) {
            TopEntry t = top.get(i);
            String strand = e.topStrand != null && e.topStrand.length == top.size()
                    ? Character.toString((char) e.topStrand[i]) : null;
            if (t.getLevel() != e.topLevel[i] || t.getFirstBlock() != e.topFirst[i] || t.getLastBlock() != e.topLast[i]
                    || Float.floatToRawIntBits(t.getWeight()) != Float.floatToRawIntBits(e.topWeight[i])
                    || !java.util.Objects.equals(strand, t.getStrand())) {
                return "top entry " + i + ": " + t + " vs level " + e.topLevel[i] + " blocks " + e.topFirst[i] + ".."
                        + e.topLast[i] + " weight " + e.topWeight[i];
            }
        }
        return null;
    }

    private static String floats(String name, float[] e, List<Float> a) {
        if (a.size() != e.length) {
            return name + ": " + a.size() + " floats, expected " + e.length;
        }
        for (int i = 0; i < e.length; i++) {
            if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a.get(i))) {
                return name + "[" + i + "] " + e[i] + " vs " + a.get(i);
            }
        }
        return null;
    }
}
