package io.longseq.math;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The layers of DESIGN.md 6: the math stays pure (no Flink), so it can be tested and benchmarked without a
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
                .because("the math layer (DESIGN.md 6) must not depend on Flink")
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
}
