package io.longseq.stream.assemble;

import io.longseq.stream.StreamSettings;
import io.longseq.stream.StreamTypes;
import io.longseq.stream.input.TokenFragment;
import java.io.IOException;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * {@code assemble}'s keyed state in Flink: the four states of a sequence, by the names and types savepoints hold
 * ({@code cursor}, {@code tail}, {@code sink-prefix}, {@code pending}), and the plain views of them that the
 * {@link Assembler} works on ({@link AssembleState}).
 */
final class AssembleStates {

    private AssembleStates() {}

    /** The cursor's state, also read by {@link AssembleOperator} for every key. */
    static ValueStateDescriptor<AssembleCursor> cursor() {
        return new ValueStateDescriptor<>("cursor", Types.POJO(AssembleCursor.class));
    }

    /** An assembler over the states of the key in context. */
    static Assembler assembler(RuntimeContext rc, StreamSettings settings) {
        return new Assembler(settings, value(rc.getState(ints("tail"))), value(rc.getState(ints("sink-prefix"))),
                fragments(rc.getMapState(new MapStateDescriptor<>("pending", Types.LONG, StreamTypes.TOKEN_FRAGMENT))));
    }

    private static ValueStateDescriptor<int[]> ints(String name) {
        return new ValueStateDescriptor<>(name, PrimitiveArrayTypeInfo.INT_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    private static AssembleState.Value<int[]> value(ValueState<int[]> state) {
        return new AssembleState.Value<>() {
            @Override
            public int[] value() throws IOException {
                return state.value();
            }

            @Override
            public void update(int[] v) throws IOException {
                state.update(v);
            }

            @Override
            public void clear() {
                state.clear();
            }
        };
    }

    private static AssembleState.Fragments fragments(MapState<Long, TokenFragment> state) {
        return new AssembleState.Fragments() {
            @Override
            public TokenFragment get(long offset) throws Exception {
                return state.get(offset);
            }

            @Override
            public void put(long offset, TokenFragment f) throws Exception {
                state.put(offset, f);
            }

            @Override
            public void remove(long offset) throws Exception {
                state.remove(offset);
            }

            @Override
            public Iterable<Long> offsets() throws Exception {
                return state.keys();
            }

            @Override
            public Iterable<TokenFragment> all() throws Exception {
                return state.values();
            }

            @Override
            public void clear() {
                state.clear();
            }
        };
    }
}
