package io.longseq.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longseq.stream.StreamTypes;
import io.longseq.stream.input.TokenFragment;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Kryo guard (docs/platform-notes.md: a record type that falls back to Kryo can lose records silently): an environment from
 * {@link LongseqJob#environment} refuses a job whose stream type would need Kryo, and the same job runs when
 * generic types are allowed, so it is the guard that stops it. Every record type of {@link StreamTypes} is a POJO
 * type whose serializer round-trips a record with every field set.
 */
class KryoGuardITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(4)
            .build());

    /** Not a POJO: no default constructor, a private final field without accessors. Flink can only use Kryo. */
    static final class Opaque {
        private final long value;

        Opaque(long value) {
            this.value = value;
        }

        long value() {
            return value;
        }
    }

    /** The job: ints -> Opaque (across a rebalance, so the type is serialised) -> the values back. */
    private static List<Long> runOpaqueJob(StreamExecutionEnvironment env) throws Exception {
        env.setParallelism(2);
        TypeInformation<Opaque> opaque = TypeInformation.of(Opaque.class);
        assertThat(opaque).isInstanceOf(GenericTypeInfo.class); // what Flink makes of it: a generic (Kryo) type
        List<Long> out = env.fromData(Types.LONG, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L)
                .map(v -> new Opaque(v * 3), opaque)
                .rebalance()
                .map(o -> o.value(), Types.LONG)
                .executeAndCollect(100);
        return out;
    }

    @Test
    void theJobEnvironmentRefusesAStreamTypeThatNeedsKryo() {
        StreamExecutionEnvironment env = LongseqJob.environment(new Configuration());
        assertThatThrownBy(() -> runOpaqueJob(env))
                .hasStackTraceContaining("Generic types have been disabled")
                .hasStackTraceContaining(Opaque.class.getName());
    }

    @Test
    void theGuardIsWhatStopsIt_withGenericTypesAllowedTheSameJobRuns() throws Exception {
        Configuration allow = new Configuration();
        allow.set(PipelineOptions.GENERIC_TYPES, true);
        List<Long> out = runOpaqueJob(StreamExecutionEnvironment.getExecutionEnvironment(allow));
        assertThat(out).containsExactlyInAnyOrder(3L, 6L, 9L, 12L, 15L, 18L, 21L, 24L, 27L, 30L);
    }

    @Test
    void theGuardStaysOnWhateverTheConfigurationSays() {
        Configuration allow = new Configuration();
        allow.set(PipelineOptions.GENERIC_TYPES, true);
        StreamExecutionEnvironment env = LongseqJob.environment(allow);
        assertThat(env.getConfig().getSerializerConfig().hasGenericTypesDisabled()).isTrue();
        assertThatThrownBy(() -> runOpaqueJob(env)).hasStackTraceContaining("Generic types have been disabled");
    }

    @Test
    void everyRecordTypeIsAPojoWhoseSerializerRoundTripsEveryField() throws Exception {
        Map<String, TypeInformation<?>> types = recordTypes();
        assertThat(types.keySet()).as("record types in StreamTypes")
                .contains("FRAGMENT", "TOKEN_FRAGMENT", "CHUNK", "CHUNK_SUMMARY", "BLOCK_CONTEXT", "TOKEN_CONTEXT",
                        "DEAD_LETTER", "NOTICE");
        SerializerConfigImpl noKryo = new SerializerConfigImpl();
        noKryo.setGenericTypes(false);
        for (Map.Entry<String, TypeInformation<?>> e : types.entrySet()) {
            TypeInformation<?> t = e.getValue();
            assertThat(t).as(e.getKey()).isInstanceOf(PojoTypeInfo.class);
            PojoTypeInfo<?> pojo = (PojoTypeInfo<?>) t;
            List<Field> fields = instanceFields(t.getTypeClass());
            assertThat(pojo.getArity()).as(e.getKey() + ": POJO fields = the class's instance fields")
                    .isEqualTo(fields.size());
            for (int i = 0; i < pojo.getArity(); i++) {
                assertThat(pojo.getTypeAt(i)).as(e.getKey() + " field " + pojo.getPojoFieldAt(i).getField().getName())
                        .isNotInstanceOf(GenericTypeInfo.class);
            }
            roundTrip(e.getKey(), t, noKryo);
        }
    }

    private static <T> void roundTrip(String name, TypeInformation<T> t, SerializerConfigImpl config) throws Exception {
        T sample = sample(t.getTypeClass(), 1);
        TypeSerializer<T> serializer = t.createSerializer(config);
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(sample, out);
        T copy = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(copy).as(name + " after a serializer round trip").isNotSameAs(sample)
                .usingRecursiveComparison().isEqualTo(sample);
        assertThat(copy).as(name + ".equals after a round trip").isEqualTo(sample);
        // and a default record (nulls, empty) survives too
        T empty = t.getTypeClass().getDeclaredConstructor().newInstance();
        out.clear();
        serializer.serialize(empty, out);
        T emptyCopy = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(emptyCopy).as(name + " default record").usingRecursiveComparison().isEqualTo(empty);
        // the copy has really every field set (so the comparison above compared something)
        for (Field f : instanceFields(t.getTypeClass())) {
            assertThat(f.get(copy)).as(name + "." + f.getName()).isNotNull().isNotEqualTo(defaultValue(f.getType()));
        }
        // duplicate serializers agree (Flink duplicates them per task)
        assertThat(serializer.duplicate().copy(sample)).usingRecursiveComparison().isEqualTo(sample);
    }

    private static Map<String, TypeInformation<?>> recordTypes() throws IllegalAccessException {
        Map<String, TypeInformation<?>> m = new LinkedHashMap<>();
        for (Field f : StreamTypes.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && TypeInformation.class.isAssignableFrom(f.getType())) {
                m.put(f.getName(), (TypeInformation<?>) f.get(null));
            }
        }
        return m;
    }

    private static List<Field> instanceFields(Class<?> c) {
        List<Field> l = new ArrayList<>();
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                int mod = f.getModifiers();
                if (!Modifier.isStatic(mod) && !Modifier.isTransient(mod)) {
                    f.setAccessible(true);
                    l.add(f);
                }
            }
        }
        return l;
    }

    /** An instance with every field set to a value other than its default ({@code seed} varies them). */
    private static <T> T sample(Class<T> c, int seed) throws Exception {
        T o = c.getDeclaredConstructor().newInstance();
        int i = seed;
        for (Field f : instanceFields(c)) {
            f.set(o, value(f.getType(), f.getName(), i++));
        }
        return o;
    }

    private static Object value(Class<?> type, String name, int i) throws Exception {
        if (type == String.class) {
            return name + "-" + i + "-ü";
        }
        if (type == long.class || type == Long.class) {
            return 1_000_000_007L * i;
        }
        if (type == int.class || type == Integer.class) {
            return 31 * i + 1;
        }
        if (type == boolean.class || type == Boolean.class) {
            return true;
        }
        if (type == byte.class || type == Byte.class) {
            return (byte) ('A' + i % 26);
        }
        if (type == short.class || type == Short.class) {
            return (short) (7 * i + 1);
        }
        if (type == char.class || type == Character.class) {
            return (char) ('a' + i % 26);
        }
        if (type == float.class || type == Float.class) {
            return 0.1f * i + 0.5f;
        }
        if (type == double.class || type == Double.class) {
            return 0.1 * i + 0.5;
        }
        if (type.isEnum()) {
            Object[] constants = type.getEnumConstants();
            return constants[constants.length - 1]; // not the first: a default-looking value would hide a loss
        }
        if (type.isArray()) {
            Object a = Array.newInstance(type.getComponentType(), 3);
            for (int k = 0; k < 3; k++) {
                Array.set(a, k, value(type.getComponentType(), name, i + k));
            }
            return a;
        }
        // a nested record type (e.g. TokenFragment.original)
        return sample(type, i + 100);
    }

    private static Object defaultValue(Class<?> type) {
        if (type == long.class) {
            return 0L;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == boolean.class) {
            return false;
        }
        if (type == float.class) {
            return 0f;
        }
        if (type == double.class) {
            return 0d;
        }
        if (type == byte.class) {
            return (byte) 0;
        }
        if (type == short.class) {
            return (short) 0;
        }
        if (type == char.class) {
            return (char) 0;
        }
        return new Object(); // never equal
    }
}
