package io.longseq.jobs.kafka;

import io.longseq.math.features.FeatureKind;
import io.longseq.schemas.FragmentKind;
import io.longseq.schemas.TopEntry;
import io.longseq.stream.DeadLetter;
import io.longseq.stream.global.BlockContext;
import io.longseq.stream.global.TokenContext;
import io.longseq.stream.input.SequenceFragment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Between the job's Flink POJOs ({@code io.longseq.stream}) and the Avro records of the Kafka topics
 * ({@code io.longseq.schemas}, docs/design.md 5). Plain field copies; floats keep their bits.
 */
public final class AvroRecords {

    private AvroRecords() {}

    /** An Avro fragment as the job's POJO (kind UNKNOWN, a symbol this reader does not know, becomes null). */
    public static SequenceFragment fragment(io.longseq.schemas.SequenceFragment a) {
        SequenceFragment f = new SequenceFragment();
        f.sequenceId = a.getSequenceId();
        f.offset = a.getOffset();
        f.kind = switch (a.getKind()) {
            case DNA -> FeatureKind.DNA;
            case TOKENS -> FeatureKind.TOKENS;
            case LOG -> FeatureKind.LOG;
            default -> null;
        };
        f.payload = bytes(a.getPayload());
        f.last = a.getLast();
        f.eventTime = a.getEventTime();
        return f;
    }

    /** The job's fragment as Avro (what {@code longseq produce} writes). */
    public static io.longseq.schemas.SequenceFragment fragment(SequenceFragment f) {
        return io.longseq.schemas.SequenceFragment.newBuilder()
                .setSequenceId(f.sequenceId)
                .setOffset(f.offset)
                .setKind(FragmentKind.valueOf(f.kind.name()))
                .setPayload(ByteBuffer.wrap(f.payload))
                .setLast(f.last)
                .setEventTime(f.eventTime)
                .build();
    }

    public static io.longseq.schemas.BlockContext block(BlockContext c) {
        List<TopEntry> top = new ArrayList<>(c.topLevel.length);
        for (int i = 0; i < c.topLevel.length; i++) {
            String strand = c.topStrand != null && c.topStrand.length == c.topLevel.length
                    ? Character.toString((char) c.topStrand[i]) : null;   // null: forward only
            top.add(new TopEntry(c.topLevel[i], c.topFirst[i], c.topLast[i], c.topWeight[i], strand));
        }
        return io.longseq.schemas.BlockContext.newBuilder()
                .setSequenceId(c.sequenceId).setBlock(c.block).setStart(c.start).setEnd(c.end)
                .setSummary(floats(c.summary)).setContext(floats(c.context)).setTop(top)
                .setSelfWeight(c.selfWeight).setEntropy(c.entropy).setNovelty(c.novelty)
                .build();
    }

    /** Back to the POJO (consumers, tests). */
    public static BlockContext block(io.longseq.schemas.BlockContext a) {
        BlockContext c = new BlockContext();
        c.sequenceId = a.getSequenceId();
        c.block = a.getBlock();
        c.start = a.getStart();
        c.end = a.getEnd();
        c.summary = floats(a.getSummary());
        c.context = floats(a.getContext());
        int k = a.getTop().size();
        c.topLevel = new int[k];
        c.topFirst = new long[k];
        c.topLast = new long[k];
        c.topWeight = new float[k];
        boolean stated = k > 0 && a.getTop().get(0).getStrand() != null;
        c.topStrand = new byte[stated ? k : 0];
        for (int i = 0; i < k; i++) {
            TopEntry t = a.getTop().get(i);
            if (stated) {
                c.topStrand[i] = strand(t.getStrand());
            }
            c.topLevel[i] = t.getLevel();
            c.topFirst[i] = t.getFirstBlock();
            c.topLast[i] = t.getLastBlock();
            c.topWeight[i] = t.getWeight();
        }
        c.selfWeight = a.getSelfWeight();
        c.entropy = a.getEntropy();
        c.novelty = a.getNovelty();
        return c;
    }

    // "+" or "-" as TopEntry's byte; anything else is a record this code did not write
    private static byte strand(String s) {
        if ("+".equals(s) || "-".equals(s)) {
            return (byte) s.charAt(0);
        }
        throw new IllegalArgumentException("top entry strand " + s + " is neither \"+\" nor \"-\"");
    }

    public static io.longseq.schemas.TokenContext tokens(TokenContext t, int d) {
        return io.longseq.schemas.TokenContext.newBuilder()
                .setSequenceId(t.sequenceId).setBlock(t.block).setStart(t.start).setEnd(t.end)
                .setVectors(floats(t.vectors)).setD(d)
                .build();
    }

    public static io.longseq.schemas.DeadLetter deadLetter(DeadLetter d) {
        return io.longseq.schemas.DeadLetter.newBuilder()
                .setSourceTopic(d.source == null ? "" : d.source)
                .setPartition(d.sourcePartition)
                .setOffset(d.sourceOffset)
                .setSequenceId(d.sequenceId == null ? "" : d.sequenceId)
                .setStage(d.stage == null ? "" : d.stage)
                .setReason(d.reason == null ? "" : d.reason)
                .setPayload(ByteBuffer.wrap(d.payload == null ? new byte[0] : d.payload))
                .build();
    }

    static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    static List<Float> floats(float[] v) {
        List<Float> out = new ArrayList<>(v.length);
        for (float x : v) {
            out.add(x);
        }
        return out;
    }

    static float[] floats(List<Float> v) {
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }
}
