package io.longseq.jobs;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The jobs module's packages follow the data's path (docs/design.md 6): readers ({@code input}), the wiring
 * ({@link LongseqJob}), sinks and run outputs ({@code output}), the whole-sequence engines ({@code offline}),
 * Kafka ({@code kafka}) and the report ({@code report}) are usable without the command line; only {@code cli} and
 * {@code cluster} (the commands and the processes they start) parse flags. The report does not use Flink at all.
 */
class PackagesTest {

    private static final JavaClasses JOBS = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.longseq.jobs");

    @Test
    void theWiringAndTheDataPathDoNotDependOnTheCommandLine() {
        noClasses().that().resideInAnyPackage("io.longseq.jobs", "io.longseq.jobs.input..", "io.longseq.jobs.output..",
                        "io.longseq.jobs.offline..", "io.longseq.jobs.kafka..", "io.longseq.jobs.report..")
                .should().dependOnClassesThat().resideInAnyPackage("io.longseq.jobs.cli..", "io.longseq.jobs.cluster..")
                .orShould().dependOnClassesThat().resideInAPackage("picocli..")
                .because("a job is built from a DataStream and options, not from a command line")
                .check(JOBS);
    }

    @Test
    void theReportIsPlainRendering() {
        noClasses().that().resideInAPackage("io.longseq.jobs.report..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.flink..", "io.longseq.stream..")
                .because("longseq report reads a finished run's files; it starts no job (docs/report.md)")
                .check(JOBS);
    }
}
