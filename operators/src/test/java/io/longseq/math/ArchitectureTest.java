package io.longseq.math;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.longseq.math.kernel.LocalTier;
import io.longseq.math.kernel.Rope;
import io.longseq.math.kernel.RowKernels;
import io.longseq.math.memory.BlockPooling;
import io.longseq.math.memory.GlobalTier;
import org.junit.jupiter.api.Test;

/**
 * The layers of docs/design.md 6: the math stays pure (no Flink), so it can be tested and benchmarked without a
 * cluster; the Flink layer ({@code io.longseq.stream}) names its classes by role.
 */
class ArchitectureTest {

    private static final JavaClasses STREAM = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.longseq.stream");

    @Test
    void flinkFunctionsAreNamedFunctionAndOperatorsOperator() {
        classes().that().resideInAPackage("io.longseq.stream..").and().haveSimpleNameEndingWith("Function")
                .should().beAssignableTo(org.apache.flink.api.common.functions.Function.class)
                .because("*Function names a Flink function")
                .check(STREAM);
        classes().that().resideInAPackage("io.longseq.stream..").and().haveSimpleNameEndingWith("Operator")
                .should().beAssignableTo(org.apache.flink.streaming.api.operators.AbstractStreamOperator.class)
                .allowEmptyShould(true)
                .because("*Operator is kept for AbstractStreamOperator subclasses")
                .check(STREAM);
        classes().that().resideInAPackage("io.longseq.stream..")
                .and().areAssignableTo(org.apache.flink.api.common.functions.Function.class)
                .should().haveSimpleNameEndingWith("Function")
                .because("a Flink function says so in its name")
                .check(STREAM);
    }

    private static final JavaClasses MATH = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.longseq.math");

    @Test
    void mathHasNoFlinkImports() {
        noClasses().that().resideInAPackage("io.longseq.math..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.flink..")
                .because("the math layer (docs/design.md 6) must not depend on Flink")
                .check(MATH);
    }

    @Test
    void referenceSharesNoKernelWithTheFastPath() {
        noClasses().that().resideInAPackage("io.longseq.math.reference..")
                .should().dependOnClassesThat().resideInAPackage("org.nd4j..")
                .orShould().dependOnClassesThat().haveSimpleNameStartingWith("LocalTier")
                .orShould().dependOnClassesThat().haveSimpleNameStartingWith("GlobalTier")
                .orShould().dependOnClassesThat().haveSimpleNameStartingWith("BlockPooling")
                .orShould().dependOnClassesThat().haveSimpleNameEndingWith("Memory")
                .orShould().dependOnClassesThat().haveSimpleNameEndingWith("RowKernels")
                .orShould().dependOnClassesThat().haveSimpleName("Rope")
                .because("the reference must be independent of the code it checks")
                .check(MATH);
    }

    // A cluster's TaskManagers load io.longseq.math parent-first (jobs' ClusterLayout), so one copy of these classes
    // serves every job the TaskManager runs: a static field that could be written would carry state from one job into
    // the next. Nd4jRuntime's choice of native build is the JVM's, made once.
    @Test
    void mathKeepsNoStateBetweenJobs() {
        com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields()
                .that().areDeclaredInClassesThat().resideInAPackage("io.longseq.math..")
                .and().areStatic()
                .and().areNotDeclaredIn(io.longseq.math.kernel.Nd4jRuntime.class)
                .should().beFinal()
                .because("the math classes are shared by every job of a cluster's TaskManager")
                .check(MATH);
    }

    private static final JavaClasses ALL = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.longseq");

    // Vector API code in one JVM must use one shape per element type. The JDK's vector classes share their code (and
    // C2's type profiles) between shapes: with a 256-bit FloatVector next to the 512-bit ones, C2 sometimes compiled
    // the fused attention with boxed vectors, 2–3× slower for a whole job (docs/benchmarks.md, "Profile pollution").
    @Test
    void everyVectorUsesThePreferredShape() {
        DescribedPredicate<JavaAccess<?>> fixedShape = DescribedPredicate.describe(
                "a vector species or shape other than the preferred one",
                access -> access.getTargetOwner().getPackageName().equals("jdk.incubator.vector")
                        && (access.getName().matches("SPECIES_(64|128|256|512|MAX)")
                        || access.getName().matches("S_(64|128|256|512|Max)_BIT")
                        || access.getName().equals("forBitSize") || access.getName().equals("ofLargestShape")
                        || access.getTargetOwner().getSimpleName().equals("VectorSpecies")
                        && access.getName().equals("of")));
        noClasses().that().resideInAPackage("io.longseq..")
                .should().accessTargetWhere(fixedShape)
                .because("one shape per element type keeps C2's vector intrinsics reliable (SPECIES_PREFERRED and"
                        + " species derived from it only)")
                .check(ALL);
    }
}
