package io.longseq.schemas;

import static org.apache.avro.SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
import static org.apache.avro.SchemaCompatibility.SchemaCompatibilityType.INCOMPATIBLE;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaIncompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compatibility rule of README.md: each schema in src/main/avro against its previous version in
 * src/test/resources/previous, with Avro's SchemaCompatibility in both directions and the rule's own checks; and
 * proof that these checks do fail on the changes the rule forbids.
 */
class SchemaCompatibilityTest {

    static Stream<String> names() {
        return Stream.of("SequenceFragment", "BlockContext", "TokenContext", "DeadLetter");
    }

    static Schema current(String name) throws IOException {
        return new Schema.Parser().parse(Files.readString(Path.of("src/main/avro", name + ".avsc")));
    }

    static Schema previous(String name) throws IOException {
        try (InputStream in = SchemaCompatibilityTest.class.getResourceAsStream("/previous/" + name + ".avsc")) {
            assertThat(in).as("previous/%s.avsc", name).isNotNull();
            return new Schema.Parser().parse(in);
        }
    }

    @SuppressWarnings("unchecked")
    static Class<? extends SpecificRecord> generated(String name) throws ClassNotFoundException {
        return (Class<? extends SpecificRecord>) Class.forName("io.longseq.schemas." + name);
    }

    static SchemaCompatibility.SchemaPairCompatibility check(Schema reader, Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    }

    // ------------------------------------------------------------------ the current schemas

    @ParameterizedTest
    @MethodSource("names")
    void newReaderReadsOldData(String name) throws IOException {
        SchemaCompatibility.SchemaPairCompatibility c = check(current(name), previous(name));
        assertThat(c.getType()).as("%s", c.getResult().getIncompatibilities()).isEqualTo(COMPATIBLE);
    }

    @ParameterizedTest
    @MethodSource("names")
    void oldReaderReadsNewData(String name) throws IOException {
        SchemaCompatibility.SchemaPairCompatibility c = check(previous(name), current(name));
        assertThat(c.getType()).as("%s", c.getResult().getIncompatibilities()).isEqualTo(COMPATIBLE);
    }

    @ParameterizedTest
    @MethodSource("names")
    void followsTheEvolutionRule(String name) throws IOException {
        assertThat(EvolutionRules.violations(previous(name), current(name))).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("names")
    void generatedClassIsTheAvscFile(String name) throws Exception {
        Class<? extends SpecificRecord> type = generated(name);
        Schema generated = SpecificData.get().getSchema(type);
        assertThat(generated.getFullName()).isEqualTo("io.longseq.schemas." + name);
        assertThat(AvroCodec.fingerprint(type)).isEqualTo(SchemaNormalization.parsingFingerprint64(current(name)));
        assertThat(generated.getDoc()).isEqualTo(current(name).getDoc());
    }

    /** Records already in a topic were written with the previous version: the framed decoder must accept it. */
    @ParameterizedTest
    @MethodSource("names")
    void decoderAcceptsThePreviousVersion(String name) throws Exception {
        assertThat(AvroCodec.acceptedWriterFingerprints(generated(name)))
                .as("previous %s is neither the current version nor in src/main/resources/io/longseq/schemas/history",
                        name)
                .contains(SchemaNormalization.parsingFingerprint64(previous(name)));
    }

    // ------------------------------------------------------------------ the checks can fail

    @Test
    void aNewRequiredFieldIsIncompatible() throws IOException {
        Schema old = current("SequenceFragment");
        Schema added = withFields(old, fs -> {
            fs.add(new Schema.Field("producer", Schema.create(Schema.Type.STRING), "who made it"));
            return fs;
        });
        SchemaCompatibility.SchemaPairCompatibility c = check(added, old);
        assertThat(c.getType()).isEqualTo(INCOMPATIBLE);
        assertThat(c.getResult().getIncompatibilities()).singleElement()
                .satisfies(i -> assertThat(i.getType()).isEqualTo(SchemaIncompatibilityType.READER_FIELD_MISSING_DEFAULT_VALUE))
                .satisfies(i -> assertThat(i.getMessage()).isEqualTo("producer"));
        assertThat(check(old, added).getType()).as("old reader ignores the new field").isEqualTo(COMPATIBLE);
        assertThat(EvolutionRules.violations(old, added))
                .containsExactly("io.longseq.schemas.SequenceFragment.producer: new field has no default");
    }

    @Test
    void aNewOptionalFieldWithDefaultAndAnAppendedSymbolAreCompatible() throws IOException {
        Schema old = current("SequenceFragment");
        Schema kind = old.getField("kind").schema();
        List<String> symbols = new ArrayList<>(kind.getEnumSymbols());
        symbols.add("PROTEIN");
        Schema newKind = Schema.createEnum(kind.getName(), kind.getDoc(), kind.getNamespace(), symbols,
                kind.getEnumDefault());
        Schema evolved = withFields(old, fs -> {
            fs.replaceAll(f -> f.name().equals("kind") ? new Schema.Field(f.name(), newKind, f.doc()) : f);
            fs.add(new Schema.Field("producer",
                    Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
                    "who made it, if known", Schema.Field.NULL_DEFAULT_VALUE));
            return fs;
        });
        assertThat(check(evolved, old).getType()).isEqualTo(COMPATIBLE);
        assertThat(check(old, evolved).getType()).isEqualTo(COMPATIBLE);
        assertThat(EvolutionRules.violations(old, evolved)).isEmpty();
    }

    @Test
    void aRemovedFieldIsIncompatibleForOldReaders() throws IOException {
        Schema old = current("BlockContext");
        Schema removed = withFields(old, fs -> {
            fs.removeIf(f -> f.name().equals("entropy"));
            return fs;
        });
        assertThat(check(old, removed).getType()).isEqualTo(INCOMPATIBLE);
        assertThat(EvolutionRules.violations(old, removed))
                .containsExactly("io.longseq.schemas.BlockContext.entropy: field removed or renamed");
    }

    @Test
    void aRenamedFieldIsIncompatibleBothWays() throws IOException {
        Schema old = current("DeadLetter");
        Schema renamed = withFields(old, fs -> {
            fs.replaceAll(f -> f.name().equals("offset")
                    ? new Schema.Field("sourceOffset", f.schema(), f.doc()) : f);
            return fs;
        });
        assertThat(check(renamed, old).getType()).isEqualTo(INCOMPATIBLE);
        assertThat(check(old, renamed).getType()).isEqualTo(INCOMPATIBLE);
        assertThat(EvolutionRules.violations(old, renamed)).contains(
                "io.longseq.schemas.DeadLetter.offset: field removed or renamed",
                "io.longseq.schemas.DeadLetter.sourceOffset: new field has no default");
    }

    @Test
    void aChangedFieldTypeIsIncompatible() throws IOException {
        Schema old = current("TokenContext");
        Schema changed = withFields(old, fs -> {
            fs.replaceAll(f -> f.name().equals("block")
                    ? new Schema.Field(f.name(), Schema.create(Schema.Type.STRING), f.doc()) : f);
            return fs;
        });
        assertThat(check(changed, old).getType()).isEqualTo(INCOMPATIBLE);
        assertThat(check(old, changed).getType()).isEqualTo(INCOMPATIBLE);
    }

    @Test
    void enumSymbolsMayOnlyBeAppendedAndNeedADefault() throws IOException {
        Schema old = current("SequenceFragment");
        Schema kind = old.getField("kind").schema();
        // reordered: Avro resolves symbols by name and calls it compatible, the rule does not
        List<String> reordered = new ArrayList<>(kind.getEnumSymbols());
        java.util.Collections.swap(reordered, 0, 1);
        Schema swapped = withKind(old, Schema.createEnum(kind.getName(), kind.getDoc(), kind.getNamespace(),
                reordered, kind.getEnumDefault()));
        assertThat(check(swapped, old).getType()).isEqualTo(COMPATIBLE);
        assertThat(EvolutionRules.violations(old, swapped)).singleElement().asString()
                .contains("symbols may only be appended");
        // without a default an old reader cannot read an appended symbol
        Schema noDefault = withKind(old, Schema.createEnum(kind.getName(), kind.getDoc(), kind.getNamespace(),
                kind.getEnumSymbols()));
        List<String> more = new ArrayList<>(kind.getEnumSymbols());
        more.add("PROTEIN");
        Schema appended = withKind(old, Schema.createEnum(kind.getName(), kind.getDoc(), kind.getNamespace(), more));
        assertThat(check(noDefault, appended).getType()).isEqualTo(INCOMPATIBLE);
        assertThat(EvolutionRules.violations(noDefault, appended)).singleElement().asString()
                .contains("has no default");
    }

    @Test
    void anUndocumentedFieldBreaksTheRule() throws IOException {
        Schema old = current("TokenContext");
        Schema bare = withFields(old, fs -> {
            fs.replaceAll(f -> f.name().equals("d") ? new Schema.Field(f.name(), f.schema(), null) : f);
            return fs;
        });
        assertThat(EvolutionRules.violations(old, bare)).containsExactly("io.longseq.schemas.TokenContext.d: field has no doc");
    }

    // ------------------------------------------------------------------ helpers

    /** A copy of record {@code s} with its fields edited (fields are copied, so they may be reused). */
    static Schema withFields(Schema s, UnaryOperator<List<Schema.Field>> edit) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : s.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        List<Schema.Field> edited = new ArrayList<>();
        for (Schema.Field f : edit.apply(fields)) {
            edited.add(f.pos() >= 0 ? new Schema.Field(f, f.schema()) : f);
        }
        return Schema.createRecord(s.getName(), s.getDoc(), s.getNamespace(), false, edited);
    }

    static Schema withKind(Schema fragment, Schema kind) {
        return withFields(fragment, fs -> {
            fs.replaceAll(f -> f.name().equals("kind") ? new Schema.Field(f.name(), kind, f.doc()) : f);
            return fs;
        });
    }
}
