package io.longseq.math.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses which ND4J native build loads, before ND4J's first class initialisation, and pins its threads.
 *
 * <p>The project ships three libnd4j builds for linux-x86_64 (see {@code docs/natives.md}): oneDNN with
 * AVX-512, oneDNN with AVX2, and the generic build. JavaCPP would otherwise load the first one it finds,
 * whatever the CPU; an AVX-512 library on a CPU without it fails at the first instruction. So we read the
 * CPU flags and set {@code org.bytedeco.javacpp.platform.extension} unless the user already set it
 * (the system property, or the environment variable {@code LONGSEQ_ND4J_EXTENSION}).
 */
public final class Nd4jRuntime {

    /** The JavaCPP system property that names the native build's classifier suffix. */
    public static final String EXTENSION_PROPERTY = "org.bytedeco.javacpp.platform.extension";

    private static final Logger LOG = LoggerFactory.getLogger(Nd4jRuntime.class);
    private static volatile String chosen;

    private Nd4jRuntime() {}

    /**
     * Picks the native build (idempotent). Call before anything touches {@code org.nd4j}; later calls only
     * return the choice. Returns the extension in force ("" is the generic build).
     */
    public static synchronized String selectNatives() {
        if (chosen != null) {
            return chosen;
        }
        String ext = System.getProperty(EXTENSION_PROPERTY);
        String source = "system property " + EXTENSION_PROPERTY;
        if (ext == null) {
            ext = System.getenv("LONGSEQ_ND4J_EXTENSION");
            source = "environment LONGSEQ_ND4J_EXTENSION";
        }
        if (ext == null) {
            ext = extensionFor(cpuFlags());
            source = "CPU flags";
        }
        System.setProperty(EXTENSION_PROPERTY, ext);
        chosen = ext;
        LOG.info("ND4J native build: linux-x86_64{} (chosen by {})", ext, source);
        return ext;
    }

    /** The classifier suffix for a CPU with these /proc/cpuinfo flags. */
    static String extensionFor(String flags) {
        String f = " " + flags.toLowerCase(Locale.ROOT) + " ";
        if (f.contains(" avx512f ") && f.contains(" avx512bw ") && f.contains(" avx512vl ")) {
            return "-onednn-avx512";
        }
        if (f.contains(" avx2 ") && f.contains(" fma ")) {
            return "-onednn-avx2";
        }
        return "";
    }

    private static String cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("flags")) {
                    return line.substring(line.indexOf(':') + 1);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot read /proc/cpuinfo ({}); using the generic ND4J build", e.toString());
        }
        return "";
    }

    /**
     * The native build that actually loaded: the directory of the loaded {@code libnd4jcpu.so} (e.g.
     * {@code linux-x86_64-onednn-avx512}), or, when JavaCPP does not list it, the chosen one followed by
     * "(chosen, not confirmed)". Loads ND4J if it is not loaded yet.
     */
    public static String loadedBuild() {
        org.nd4j.linalg.factory.Nd4j.getBackend(); // loads the natives
        String path = org.bytedeco.javacpp.Loader.getLoadedLibraries().get("nd4jcpu");
        if (path != null) {
            Path dir = Path.of(path).getParent();
            if (dir != null && dir.getFileName() != null) {
                return dir.getFileName().toString();
            }
        }
        return "linux-x86_64" + selectNatives() + " (chosen, not confirmed)";
    }

    /** The BLAS vendor ND4J reports (OPENBLAS), or "unknown". */
    public static String blasVendor() {
        try {
            return String.valueOf(org.nd4j.linalg.factory.Nd4j.factory().blas().getBlasVendor());
        } catch (RuntimeException e) {
            return "unknown";
        }
    }

    /**
     * Selects the natives and limits ND4J (OpenMP and BLAS) to {@code threads} threads in this JVM.
     * A Flink subtask uses one: parallelism comes from subtasks, not from threads inside one.
     */
    public static void init(int threads) {
        selectNatives();
        org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(threads);
        org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxMasterThreads(threads);
        org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
    }
}
