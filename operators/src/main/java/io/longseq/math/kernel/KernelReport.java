package io.longseq.math.kernel;

import java.util.Locale;

/**
 * Which kernels a local tier runs, for logs and metrics: the elementwise {@link RowKernels} ({@code vector-512}: the
 * Vector API with 512-bit vectors, 16 float lanes; {@code scalar}: plain Java), the band attention ({@code fused-512},
 * {@code scalar}, or {@code nd4j}'s batched products), and the ND4J native build that actually loaded (the directory
 * of the loaded {@code libnd4jcpu.so}, e.g. {@code linux-x86_64-onednn-avx512}) with its BLAS.
 *
 * <p>Two runs whose reports differ may differ in their outputs' last bits (RowKernels: the scalar and vector kernels
 * agree to float rounding, not bit for bit), so a deployment logs and exports it (issue 21: a TaskManager without
 * {@code --add-modules jdk.incubator.vector} silently ran the scalar kernels).
 *
 * @param rowKernels  {@link RowKernels#name()}
 * @param attention   the band attention's name, or {@code nd4j}
 * @param nd4jBuild   {@link Nd4jRuntime#loadedBuild()}
 * @param blas        the BLAS vendor ND4J reports (OPENBLAS), or "unknown"
 * @param vectorModule whether {@code jdk.incubator.vector} is in the JVM's boot layer
 */
public record KernelReport(String rowKernels, String attention, String nd4jBuild, String blas, boolean vectorModule) {

    /**
     * One compact token, for a metric's label: row kernels, attention, ND4J build, e.g.
     * {@code vector-512/attention-fused-512/linux-x86_64-onednn-avx512}.
     */
    public String label() {
        return rowKernels + "/attention-" + attention + "/" + nd4jBuild.replace(' ', '-');
    }

    /** One line for a log: what runs, and why it matters when it is not the vector kernels. */
    public String describe() {
        String lanes = rowKernels.startsWith("vector-")
                ? " (Vector API, " + Integer.parseInt(rowKernels.substring("vector-".length())) / Float.SIZE
                        + " float lanes)"
                : vectorModule ? " (Vector API disabled by -Dlongseq.vector=false)"
                        : " (plain Java: the JVM runs without --add-modules jdk.incubator.vector)";
        String coretype = System.getenv("OPENBLAS_CORETYPE");
        return String.format(Locale.ROOT, "kernels %s: row kernels %s%s, attention %s, ND4J native build %s, BLAS %s%s",
                label(), rowKernels, lanes, attention, nd4jBuild, blas,
                coretype == null ? "" : " (OPENBLAS_CORETYPE=" + coretype + ")");
    }

    /** The report of kernels an ND4J-backed tier runs with (ND4J must be initialised: {@link Nd4jRuntime#init}). */
    static KernelReport of(RowKernels kernels, BandAttention attention) {
        return new KernelReport(kernels.name(), attention == null ? "nd4j" : attention.name(),
                Nd4jRuntime.loadedBuild(), Nd4jRuntime.blasVendor(),
                ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
    }
}
