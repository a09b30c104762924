package io.longseq.schemas;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;

/** Seeded sample records of the four types, with the awkward values (empty, unicode, NaN, extremes) among them. */
final class Samples {

    private Samples() {}

    static List<SpecificRecord> all() {
        List<SpecificRecord> all = new ArrayList<>();
        all.add(fragmentDna());
        all.add(fragmentTokens());
        all.add(fragmentLogLastEmpty());
        all.add(blockContext(new Random(1), 16, 5));
        all.add(blockContext(new Random(2), 1, 0));
        all.add(tokenContext(new Random(3), 8, 4));
        all.add(tokenContext(new Random(4), 0, 128));
        all.add(deadLetter());
        return all;
    }

    static SequenceFragment fragmentDna() {
        return SequenceFragment.newBuilder().setSequenceId("chr1").setOffset(1L << 40).setKind(FragmentKind.DNA)
                .setPayload(ByteBuffer.wrap("ACGTNacgtnRYSWKMBDHV".getBytes(StandardCharsets.US_ASCII)))
                .setLast(false).setEventTime(1_700_000_000_123L).build();
    }

    static SequenceFragment fragmentTokens() {
        ByteBuffer payload = ByteBuffer.allocate(4 * 5);
        for (int id : new int[] {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            payload.putInt(id);
        }
        payload.flip();
        return SequenceFragment.newBuilder().setSequenceId("doc-\u00e9\u4e2d\uD83D\uDE00").setOffset(0L)
                .setKind(FragmentKind.TOKENS).setPayload(payload).setLast(true).setEventTime(-1L).build();
    }

    static SequenceFragment fragmentLogLastEmpty() {
        return SequenceFragment.newBuilder().setSequenceId("").setOffset(Long.MAX_VALUE).setKind(FragmentKind.LOG)
                .setPayload(ByteBuffer.allocate(0)).setLast(true).setEventTime(Long.MIN_VALUE).build();
    }

    static SequenceFragment fragmentLog(String text) {
        return SequenceFragment.newBuilder().setSequenceId("log-7").setOffset(42L).setKind(FragmentKind.LOG)
                .setPayload(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))).setLast(false)
                .setEventTime(1L).build();
    }

    static BlockContext blockContext(Random r, int d, int k) {
        List<TopEntry> top = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            String strand = i % 3 == 2 ? "-" : null;   // a --strand both entry now and then
            top.add(new TopEntry(1 + r.nextInt(4), (long) i * 8, (long) i * 8 + 7, r.nextFloat(), strand));
        }
        return BlockContext.newBuilder().setSequenceId("seq-" + r.nextInt(1000)).setBlock(r.nextInt(1 << 20))
                .setStart(4096L).setEnd(4160L).setSummary(floats(r, d)).setContext(floats(r, d)).setTop(top)
                .setSelfWeight(r.nextFloat()).setEntropy(d == 1 ? Float.NaN : r.nextFloat() * 3).build();
    }

    static TokenContext tokenContext(Random r, int rows, int d) {
        List<Float> v = floats(r, rows * d);
        if (!v.isEmpty()) {
            v.set(0, Float.POSITIVE_INFINITY);
            v.set(v.size() - 1, -0.0f);
        }
        return TokenContext.newBuilder().setSequenceId("t").setBlock(3L).setStart(192L).setEnd(192L + rows)
                .setVectors(v).setD(d).build();
    }

    static DeadLetter deadLetter() {
        return DeadLetter.newBuilder().setSourceTopic("longseq.fragments").setPartition(3).setOffset(123_456_789L)
                .setSequenceId("").setStage("deserialize").setReason("cannot decode: \"quoted\"\n second line")
                .setPayload(ByteBuffer.wrap(new byte[] {(byte) 0xC3, 0x01, 0, (byte) 0xFF, 0x7F, (byte) 0x80}))
                .build();
    }

    static List<Float> floats(Random r, int n) {
        List<Float> v = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            v.add((float) r.nextGaussian());
        }
        return v;
    }
}
