package io.longseq.jobs.kafka;

import io.longseq.math.features.Features;
import io.longseq.math.kernel.Nd4jRuntime;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.ChunkedModel;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.WeightsInit;
import io.longseq.schemas.AvroCodec;
import io.longseq.schemas.FragmentKind;
import io.longseq.schemas.TopEntry;
import io.longseq.stream.StreamSettings;
import io.longseq.stream.global.BlockContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The bad records of {@link BadInputITCase} and what the dead letter of each must say: records the deserializer
 * cannot decode (their raw bytes come back), fragments that break a rule of validate or assemble (their payload comes
 * back, cut to dead-letter-bytes), hostile Avro bodies; and the log corpus whose hostile lines are data.
 */
final class BadRecords {

    /** The stages that refuse a record: the dead letter's {@code stage}. */
    static final String VALIDATE = "validate";
    static final String ASSEMBLE = "assemble";
    /** How a reason starts when the record is no SequenceFragment. */
    static final String NOT_A_FRAGMENT =
            "not a SequenceFragment record: cannot decode io.longseq.schemas.SequenceFragment: ";
    /** How a dead letter says what it cut of a payload over dead-letter-bytes. */
    static final String CUT_REASON = "%d cut (dead-letter-bytes)";

    /** One bad record: what it is, the record, and what its dead letter must say. */
    record Case(String name, ProducerRecord<byte[], byte[]> record, String sequenceId, String stage,
                String exactReason, List<String> reasonParts, byte[] payload) {}

    private BadRecords() {}

    /** The sequence id a dead letter keeps of an over-long one: its first max-id-bytes, whole characters only. */
    static String idPrefix(String id, int maxIdBytes) {
        int end = 0;
        int bytes = 0;
        while (end < id.length()) {
            int cp = id.codePointAt(end);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > maxIdBytes) {
                break;
            }
            bytes += n;
            end += Character.charCount(cp);
        }
        return id.substring(0, end);
    }

    /** A record the deserializer cannot decode: the dead letter holds the raw value, the reason starts with parts[0]. */
    static Case undecodable(String name, String topic, String key, byte[] value, List<String> reasonParts) {
        return new Case(name, new ProducerRecord<>(topic, utf8(key), value), key, VALIDATE, null, reasonParts,
                value);
    }

    /** A decodable fragment that breaks a rule: the dead letter holds its payload. */
    static Case decoded(String name, String topic, String id, long offset, FragmentKind kind, byte[] payload,
                        String stage, String reason) {
        io.longseq.schemas.SequenceFragment f = KafkaPipelineFixture.avroFragment(id, offset, kind, payload, false);
        return new Case(name, new ProducerRecord<>(topic, utf8(id), AvroCodec.encode(f)), id, stage, reason,
                List.of(), payload.clone());
    }

    /** A decodable fragment that breaks a rule, whose reason holds all of {@code parts}. */
    static Case decodedLike(String name, String topic, String id, long offset, FragmentKind kind,
                            byte[] payload, String stage, List<String> parts) {
        Case c = decoded(name, topic, id, offset, kind, payload, stage, null);
        return new Case(name, c.record(), id, stage, null, parts, c.payload());
    }

    /** The case of a payload longer than dead-letter-bytes: its dead letter keeps a prefix and says what it cut. */
    static Case cut(Case c, int deadLetterBytes) {
        int kept = deadLetterBytes;
        List<String> parts = new ArrayList<>(c.reasonParts());
        if (c.exactReason() != null) {
            parts.add(c.exactReason() + "; ");
        }
        parts.add(CUT_REASON.formatted(c.payload().length - kept));
        return new Case(c.name(), c.record(), c.sequenceId(), c.stage(), null, parts,
                Arrays.copyOf(c.payload(), kept));
    }

    /** A fragment whose sequence id is over max-id-bytes: its dead letter keeps a bounded prefix of the id. */
    static Case longId(String name, String topic, String id, FragmentKind kind, byte[] payload, int maxIdBytes) {
        io.longseq.schemas.SequenceFragment f = KafkaPipelineFixture.avroFragment(id, 0, kind, payload, false);
        int bytes = utf8(id).length;
        return new Case(name, new ProducerRecord<>(topic, null, AvroCodec.encode(f)), idPrefix(id, maxIdBytes),
                VALIDATE, null, List.of("sequence id of " + bytes + " bytes", "(max-id-bytes)"), payload.clone());
    }

    /**
     * Framed records with the right marker and fingerprint whose Avro body lies about its sizes: a payload or a
     * sequence id declaring 2 GiB or a negative length, an enum index past the symbols. Decoding must refuse them
     * without allocating what they declare.
     */
    static List<Case> hostileAvro(String topic) {
        byte[] header = Arrays.copyOf(AvroCodec.encode(KafkaPipelineFixture.avroFragment("h", 0, FragmentKind.DNA,
                new byte[0], false)), 10);
        List<Case> out = new ArrayList<>();
        byte[] id = concat(zigzag(5), utf8("bad-a"));
        out.add(undecodable("an Avro payload declaring 2 GiB", topic, "bad-avro-2gib",
                concat(header, concat(id, concat(zigzag(0), concat(zigzag(0), zigzag(Integer.MAX_VALUE - 8))))),
                List.of(NOT_A_FRAGMENT, "body is not a valid record")));
        out.add(undecodable("an Avro payload declaring a negative length", topic, "bad-avro-negative",
                concat(header, concat(id, concat(zigzag(0), concat(zigzag(0), zigzag(-7))))),
                List.of(NOT_A_FRAGMENT, "body is not a valid record")));
        out.add(undecodable("an Avro sequence id declaring 1 GiB", topic, "bad-avro-id",
                concat(header, zigzag(1 << 30)), List.of(NOT_A_FRAGMENT, "body is not a valid record")));
        out.add(undecodable("an Avro kind index past the enum's symbols", topic, "bad-avro-enum",
                concat(header, concat(id, concat(zigzag(0), concat(zigzag(9), concat(zigzag(0), new byte[] {0, 0}))))),
                List.of(NOT_A_FRAGMENT, "body is not a valid record")));
        byte[] unknown = header.clone();
        unknown[9] ^= 0x55;
        out.add(undecodable("a fingerprint of no known schema", topic, "bad-avro-fingerprint",
                concat(unknown, new byte[20]), List.of(NOT_A_FRAGMENT, "no known version of"
                        + " io.longseq.schemas.SequenceFragment has it")));
        out.add(undecodable("the marker and half a fingerprint", topic, "bad-avro-short-header",
                Arrays.copyOf(header, 6), List.of(NOT_A_FRAGMENT, "only 6 bytes, shorter than the 10-byte header")));
        return out;
    }

    /** Avro's zig-zag varint of a long. */
    static byte[] zigzag(long v) {
        long z = (v << 1) ^ (v >> 63);
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        while ((z & ~0x7FL) != 0) {
            b.write((int) ((z & 0x7F) | 0x80));
            z >>>= 7;
        }
        b.write((int) z);
        return b.toByteArray();
    }

    /** One log sequence: a line per position. */
    record LogSequence(String id, List<String> lines) {

        int fragments(int size) {
            return (lines.size() + size - 1) / size;
        }

        io.longseq.schemas.SequenceFragment fragment(int j, int size, String lineEnd) {
            int from = j * size;
            int to = Math.min(lines.size(), from + size);
            StringBuilder b = new StringBuilder();
            for (String line : lines.subList(from, to)) {
                b.append(line).append(lineEnd);
            }
            return KafkaPipelineFixture.avroFragment(id, from, FragmentKind.LOG, utf8(b.toString()),
                    to == lines.size());
        }
    }

    /** A made-up log line in the shapes of HDFS and sshd logs. */
    static String syntheticLine(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> String.format(Locale.ROOT, "081109 %06d %d INFO dfs.DataNode$PacketResponder: Received block"
                    + " blk_%d of size %d from /10.250.%d.%d", r.nextInt(235959), r.nextInt(999),
                    r.nextLong(), r.nextInt(1 << 26), r.nextInt(256), r.nextInt(256));
            case 1 -> String.format(Locale.ROOT, "Dec 10 %02d:%02d:%02d LabSZ sshd[%d]: Failed password for invalid"
                    + " user admin from 183.62.%d.%d port %d ssh2", r.nextInt(24), r.nextInt(60), r.nextInt(60),
                    r.nextInt(30_000), r.nextInt(256), r.nextInt(256), r.nextInt(65_536));
            case 2 -> String.format(Locale.ROOT, "worker %d finished task 0x%08x in %d ms, wrote /var/spool/job-%d.out",
                    r.nextInt(64), r.nextInt(), r.nextInt(10_000), r.nextInt(1_000));
            default -> "connection reset by peer";
        };
    }

    /** The block contexts of each log sequence, from {@link ChunkedModel} on the whole sequence, offline. */
    static Map<String, List<BlockContext>> offlineLogs(List<LogSequence> corpus, StreamSettings settings) {
        ModelConfig cfg = settings.model();
        Nd4jRuntime.init(1);
        Map<String, List<BlockContext>> out = new TreeMap<>();
        try (ChunkedModel m = new ChunkedModel(cfg, WeightsInit.defaults(cfg, settings.seed()))) {
            for (LogSequence s : corpus) {
                List<BlockContext> blocks = new ArrayList<>();
                for (BlockResult b : m.run(Features.logLines(s.lines(), cfg), s.lines().size(), false).blocks()) {
                    blocks.add(BlockContext.of(s.id(), b));
                }
                out.put(s.id(), blocks);
            }
        }
        return out;
    }

    static io.longseq.schemas.BlockContext blockContext(String id) {
        return io.longseq.schemas.BlockContext.newBuilder().setSequenceId(id).setBlock(3).setStart(192).setEnd(256)
                .setSummary(List.of(0.5f, -1f)).setContext(List.of(0.25f, 2f))
                .setTop(List.of(new TopEntry(1, 0L, 1L, 0.75f, null))).setSelfWeight(0.25f).setEntropy(0.5f).build();
    }

    static byte[] bases(Random r, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) "ACGT".charAt(r.nextInt(4));
        }
        return b;
    }

    static byte other(byte base) {
        return (byte) (base == 'A' ? 'C' : 'A');
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
