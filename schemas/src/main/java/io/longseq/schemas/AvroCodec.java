package io.longseq.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Bytes and JSON for the Kafka records of this module, without a schema registry.
 *
 * <h2>Framed binary (the default: {@link #encode}, {@link #decode})</h2>
 * Avro's <em>single-object encoding</em>: the marker {@code C3 01}, the writer schema's 8-byte CRC-64-AVRO
 * fingerprint of its parsing canonical form ({@link SchemaNormalization#parsingFingerprint64}, little-endian), then
 * the plain Avro binary body. {@link #encode} writes it with Avro's own {@link BinaryMessageEncoder}, so the bytes
 * are exactly what the generated {@code toByteBuffer()} writes and what {@code fromByteBuffer()} /
 * {@code org.apache.avro.message.BinaryMessageDecoder} read. Plain Avro binary has no magic and no type tag: bytes
 * of another schema, or garbage, may decode without error into a wrong record (AvroCodecTest shows one). The frame
 * makes that detectable: random bytes fail the marker check (all but 1 in 65,536) and bytes of another schema fail
 * the fingerprint check.
 *
 * <p>{@link #decode} reads the frame itself rather than through {@code BinaryMessageDecoder}, because that one reads
 * the body with a {@code DirectBinaryDecoder}, which does not know how many bytes are left, so a corrupt length or
 * item count could make it allocate up to 2 GiB. Here the body is read from the byte array, where Avro (1.12.2)
 * checks every declared length and collection size against the bytes that remain, and bytes left over after the
 * record are an error too.
 *
 * <h2>Writer schemas a reader accepts</h2>
 * A type's current schema, plus every older version found on the class path as
 * {@code io/longseq/schemas/history/<SimpleName>.v<N>.avsc} (N = 1, 2, ... without gaps), plus any added by
 * {@link #addWriterSchema}. Records written with an older version are resolved to the current one (new fields
 * take their defaults). A fingerprint that is none of these is refused with a {@link DecodeException}: a consumer
 * must be upgraded before the producers that write a newer version (see README.md).
 *
 * <h2>Unframed binary ({@link #encodeRaw}, {@link #decodeRaw})</h2>
 * The bare Avro binary body, for when both sides know the writer schema by other means. It cannot tell a foreign
 * schema from its own; truncated and trailing bytes are still detected.
 *
 * <h2>JSON ({@link #toJson}, {@link #fromJson})</h2>
 * Avro's JSON encoding of the current schema, for console use: {@code bytes} fields are strings of ISO-8859-1
 * characters (one per byte), NaN and infinities are the strings {@code "NaN"}, {@code "Infinity"},
 * {@code "-Infinity"}. It carries no fingerprint; decoding assumes the current schema.
 *
 * <p>All methods are thread-safe.
 */
public final class AvroCodec {

    /** The single-object encoding's marker, the first two bytes of every framed record. */
    public static final byte MARKER_0 = (byte) 0xC3;
    public static final byte MARKER_1 = (byte) 0x01;
    /** Marker plus fingerprint. */
    public static final int HEADER_LENGTH = 10;

    /** The record types of this module, so that a foreign fingerprint can be named. */
    private static final List<Schema> KNOWN = List.of(SequenceFragment.getClassSchema(), BlockContext.getClassSchema(),
            TokenContext.getClassSchema(), DeadLetter.getClassSchema());

    /** The generated classes of this module; Avro 1.12.2 loads only trusted classes by name. */
    private static final List<Class<?>> GENERATED = List.of(SequenceFragment.class, FragmentKind.class,
            BlockContext.class, TopEntry.class, TokenContext.class, DeadLetter.class);

    static {
        trustGeneratedClasses();
    }

    private static final Map<Class<?>, Format<?>> FORMATS = new ConcurrentHashMap<>();
    private static final ThreadLocal<BinaryDecoder> DECODER = new ThreadLocal<>();
    private static final ThreadLocal<BinaryEncoder> ENCODER = new ThreadLocal<>();

    private AvroCodec() {}

    /**
     * Adds the generated classes of this module to Avro's global {@link ClassSecurityValidator}. Since 1.12.2 Avro
     * refuses to load any class by name that is not trusted, its users' own generated SpecificRecord classes
     * included (a regression of 1.12.2, reported against AVRO-4189): without this, every decode fails with
     * {@code SecurityException: Forbidden io.longseq.schemas.SequenceFragment!}. Runs when AvroCodec is loaded;
     * code that uses the generated classes' own {@code fromByteBuffer} or a {@code SpecificDatumReader} without
     * going through AvroCodec first calls it itself (or starts the JVM with
     * {@code -Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.longseq.schemas}). Trusts exactly the six classes of this
     * module, nothing else. Idempotent.
     */
    public static synchronized void trustGeneratedClasses() {
        ClassSecurityValidator.ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        if (GENERATED.stream().allMatch(current::isTrusted)) {
            return;
        }
        ClassSecurityValidator.Builder ours = ClassSecurityValidator.builder();
        GENERATED.forEach(ours::add);
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(current, ours.build()));
    }

    /** Decoding failed: the message names the schema read with and says why; the cause is Avro's exception. */
    public static final class DecodeException extends IOException {
        private static final long serialVersionUID = 1L;
        private final String schemaName;

        DecodeException(String schemaName, String why, Throwable cause) {
            super("cannot decode " + schemaName + ": " + why, cause);
            this.schemaName = schemaName;
        }

        /** Full name of the schema the bytes were to be read with, e.g. {@code io.longseq.schemas.BlockContext}. */
        public String schemaName() {
            return schemaName;
        }
    }

    // ---------------------------------------------------------------- framed binary

    /** Single-object encoding of {@code record}: marker, fingerprint, binary body. */
    public static <T extends SpecificRecord> byte[] encode(T record) {
        Format<T> f = format(record);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try {
            f.messageEncoder.encode(record, out);
        } catch (IOException | RuntimeException e) {
            throw encodeFailure(f, e);
        }
        return out.toByteArray();
    }

    /**
     * Reads a framed record as {@code type}, resolving an older writer version to the current schema.
     *
     * @throws DecodeException if the bytes are short, do not start with the marker, carry a fingerprint of an
     *                         unknown schema, do not hold a valid record, or go on after it
     */
    public static <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) throws DecodeException {
        Format<T> f = format(type);
        if (bytes == null) {
            throw new DecodeException(f.name, "no bytes (null)", null);
        }
        if (bytes.length < HEADER_LENGTH) {
            throw new DecodeException(f.name, "only " + bytes.length + " bytes, shorter than the " + HEADER_LENGTH
                    + "-byte header (marker C3 01 and schema fingerprint)", null);
        }
        if (bytes[0] != MARKER_0 || bytes[1] != MARKER_1) {
            throw new DecodeException(f.name, String.format(
                    "no Avro single-object marker: starts with %02X %02X, not C3 01 (not a framed Avro record)",
                    bytes[0] & 0xFF, bytes[1] & 0xFF), null);
        }
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        DatumReader<T> reader = f.readers.get(fingerprint);
        if (reader == null) {
            throw new DecodeException(f.name, unknownFingerprint(f, fingerprint), null);
        }
        return read(f, reader, bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH);
    }

    /**
     * Accepts records written with {@code writer}, an older (or newer) version of {@code type}'s schema, from now on.
     *
     * @throws IllegalArgumentException if the current schema cannot read data written with {@code writer}
     */
    public static <T extends SpecificRecord> void addWriterSchema(Class<T> type, Schema writer) {
        Format<T> f = format(type);
        f.addWriter(writer);
    }

    /** The fingerprint that framed records of {@code type} carry today. */
    public static long fingerprint(Class<? extends SpecificRecord> type) {
        return format(type).fingerprint;
    }

    /** Fingerprints of the writer schemas {@link #decode} accepts for {@code type} (the current one among them). */
    public static Set<Long> acceptedWriterFingerprints(Class<? extends SpecificRecord> type) {
        return Set.copyOf(format(type).readers.keySet());
    }

    // ---------------------------------------------------------------- unframed binary

    /** Plain Avro binary of {@code record}, no header: the reader must know the writer schema. */
    public static <T extends SpecificRecord> byte[] encodeRaw(T record) {
        Format<T> f = format(record);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, ENCODER.get());
        ENCODER.set(encoder);
        try {
            f.writer.write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw encodeFailure(f, e);
        }
        return out.toByteArray();
    }

    /**
     * Reads plain Avro binary written with {@code type}'s current schema. Truncated and trailing bytes are detected;
     * bytes of another schema may not be (they can decode into a wrong record).
     */
    public static <T extends SpecificRecord> T decodeRaw(byte[] bytes, Class<T> type) throws DecodeException {
        Format<T> f = format(type);
        if (bytes == null) {
            throw new DecodeException(f.name, "no bytes (null)", null);
        }
        return read(f, f.readers.get(f.fingerprint), bytes, 0, bytes.length);
    }

    // ---------------------------------------------------------------- JSON

    /** Avro's JSON encoding of {@code record}, on one line. */
    public static <T extends SpecificRecord> String toJson(T record) {
        return toJson(record, false);
    }

    /** Avro's JSON encoding of {@code record}, indented when {@code pretty}. */
    public static <T extends SpecificRecord> String toJson(T record, boolean pretty) {
        Format<T> f = format(record);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try {
            JsonEncoder encoder = EncoderFactory.get().jsonEncoder(f.schema, out, pretty);
            f.writer.write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw encodeFailure(f, e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Reads Avro's JSON encoding of {@code type}'s current schema. */
    public static <T extends SpecificRecord> T fromJson(String json, Class<T> type) throws DecodeException {
        Format<T> f = format(type);
        if (json == null) {
            throw new DecodeException(f.name, "no JSON (null)", null);
        }
        try {
            return f.jsonReader.read(null, DecoderFactory.get().jsonDecoder(f.schema, json));
        } catch (IOException | RuntimeException e) {
            throw new DecodeException(f.name, "not valid JSON of this schema: " + describe(e), e);
        }
    }

    // ---------------------------------------------------------------- internals

    private static <T extends SpecificRecord> T read(Format<T> f, DatumReader<T> reader, byte[] bytes, int off, int len)
            throws DecodeException {
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, off, len, DECODER.get());
        DECODER.set(decoder);
        T record;
        try {
            record = reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new DecodeException(f.name, "the " + len + "-byte body is not a valid record: " + describe(e), e);
        }
        int left = decoder.remainingBytes();
        if (left != 0) {
            throw new DecodeException(f.name, left + " of the " + len
                    + " body bytes are left over after the record (wrong schema or garbage appended)", null);
        }
        return record;
    }

    private static String describe(Throwable e) {
        String why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
        if (e instanceof java.io.EOFException) {
            why = "truncated, the bytes end inside the record: " + why;
        }
        return why;
    }

    private static String unknownFingerprint(Format<?> f, long fingerprint) {
        String which = KNOWN.stream().filter(s -> SchemaNormalization.parsingFingerprint64(s) == fingerprint)
                .map(Schema::getFullName).findFirst()
                .map(n -> "they hold a " + n + ", not a " + f.name)
                .orElse("no known version of " + f.name + " has it");
        return String.format("written with schema fingerprint %016x: %s (current version %016x, %d version(s) known)",
                fingerprint, which, f.fingerprint, f.readers.size());
    }

    private static IllegalArgumentException encodeFailure(Format<?> f, Exception e) {
        return new IllegalArgumentException("cannot encode " + f.name + ": " + describe(e), e);
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> Format<T> format(T record) {
        if (record == null) {
            throw new IllegalArgumentException("cannot encode a null record");
        }
        return format((Class<T>) record.getClass());
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> Format<T> format(Class<T> type) {
        return (Format<T>) FORMATS.computeIfAbsent(type, t -> new Format<>(type));
    }

    /** Everything needed to read and write one record type; immutable but for the set of accepted writers. */
    private static final class Format<T extends SpecificRecord> {
        final SpecificData model;
        final Schema schema;
        final String name;
        final long fingerprint;
        final DatumWriter<T> writer;
        final BinaryMessageEncoder<T> messageEncoder;
        final DatumReader<T> jsonReader;
        /** Writer fingerprint -> a reader resolving that writer schema to the current one. */
        final Map<Long, DatumReader<T>> readers = new ConcurrentHashMap<>();

        Format(Class<T> type) {
            this.model = SpecificData.getForClass(type);
            this.schema = model.getSchema(type);
            this.name = schema.getFullName();
            this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
            this.writer = new SpecificDatumWriter<>(schema, model);
            this.messageEncoder = new BinaryMessageEncoder<>(model, schema);
            this.jsonReader = new SpecificDatumReader<>(schema, schema, model);
            readers.put(fingerprint, new SpecificDatumReader<>(schema, schema, model));
            for (int v = 1; ; v++) {
                Optional<Schema> old = history(type, v);
                if (old.isEmpty()) {
                    break;
                }
                addWriter(old.get());
            }
        }

        void addWriter(Schema writerSchema) {
            SchemaCompatibility.SchemaPairCompatibility c =
                    SchemaCompatibility.checkReaderWriterCompatibility(schema, writerSchema);
            if (c.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                throw new IllegalArgumentException("the current " + name + " cannot read data written with "
                        + writerSchema.getFullName() + " " + Long.toHexString(SchemaNormalization.parsingFingerprint64(
                        writerSchema)) + ": " + c.getResult().getIncompatibilities());
            }
            readers.putIfAbsent(SchemaNormalization.parsingFingerprint64(writerSchema),
                    new SpecificDatumReader<>(writerSchema, schema, model));
        }

        private static Optional<Schema> history(Class<?> type, int version) {
            String resource = "history/" + type.getSimpleName() + ".v" + version + ".avsc";
            try (InputStream in = type.getResourceAsStream(resource)) {
                return in == null ? Optional.empty() : Optional.of(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + resource, e);
            }
        }
    }
}
