package io.longseq.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.junit.jupiter.api.Test;

/** {@link KernelClaim}: the planning JVM's kernels travel with the job; a task on other kernels is refused loudly. */
class KernelClaimTest {

    @Test
    void theClaimIsThisJvmsKernelsBesideOtherJobParameters() {
        Configuration c = new Configuration();
        c.set(PipelineOptions.GLOBAL_JOB_PARAMETERS, Map.of("mine", "1"));
        KernelClaim.claim(c);
        assertThat(c.get(PipelineOptions.GLOBAL_JOB_PARAMETERS)).containsEntry("mine", "1")
                .containsEntry(KernelClaim.PARAMETER, KernelClaim.thisJvm());
        // tests run with the vector module (test.jvm.args)
        assertThat(KernelClaim.thisJvm()).startsWith("vector-");
    }

    @Test
    void aMismatchIsOneLineNamingTheTaskTheKernelsAndTheFlag() {
        assertThat(KernelClaim.problem("vector-512", "vector-512", "t")).isNull();
        String p = KernelClaim.problem("vector-512", "scalar", "local-attention (1/2)");
        assertThat(p).doesNotContain("\n").contains("local-attention (1/2)", "vector-512", "scalar",
                "--add-modules jdk.incubator.vector", "pid " + ProcessHandle.current().pid());
        assertThat(KernelClaim.problem("scalar", "vector-512", "t")).contains("vector-512", "scalar");
    }
}
