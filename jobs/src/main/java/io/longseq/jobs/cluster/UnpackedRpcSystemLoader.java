package io.longseq.jobs.cluster;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.ServiceLoader;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.classloading.SubmoduleClassLoader;
import org.apache.flink.runtime.rpc.CleanupOnCloseRpcSystem;
import org.apache.flink.runtime.rpc.RpcSystem;
import org.apache.flink.runtime.rpc.RpcSystemLoader;

/**
 * Flink's RPC system (Pekko) from the jar the build unpacked once, instead of from a copy that Flink unpacks to /tmp
 * at every start.
 *
 * <p>Why: Flink keeps Pekko and its Scala in {@code flink-rpc-akka.jar}, a 21 MB jar inside
 * {@code flink-rpc-akka-loader}, and its own loader inflates it into a new temporary file each time an RPC system
 * starts, ~0.17 s of the embedded run's start-up on the critical path (docs/benchmarks.md, "Start-up"). The build
 * unpacks it to {@code jobs/target/flink-rpc/flink-rpc-akka.jar}; the launcher names it in the system property
 * {@value #PROPERTY}. This loader comes first (priority −1, Flink's is 0) and loads the same jar with the same kind of
 * class loader Flink uses ({@link SubmoduleClassLoader}), so the RPC system is Flink's own; only the file differs.
 * It declines (Flink then uses its own loader) when the property is unset, or the file is missing or is not the size
 * of the jar inside the loader on the class path (another Flink version).
 */
public final class UnpackedRpcSystemLoader implements RpcSystemLoader {

    /** The system property naming the unpacked {@code flink-rpc-akka.jar}. */
    public static final String PROPERTY = "longseq.flink-rpc-jar";
    /** The jar's name inside {@code flink-rpc-akka-loader}. */
    static final String INNER_JAR = "flink-rpc-akka.jar";

    @Override
    public int getLoadPriority() {
        return -1;
    }

    @Override
    public RpcSystem loadRpcSystem(Configuration config) {
        ClassLoader flink = RpcSystem.class.getClassLoader();
        Path jar = usable(System.getProperty(PROPERTY), flink.getResource(INNER_JAR));
        try {
            SubmoduleClassLoader loader = new SubmoduleClassLoader(new URL[] {jar.toUri().toURL()}, flink);
            Iterator<RpcSystem> systems = ServiceLoader.load(RpcSystem.class, loader).iterator();
            if (!systems.hasNext()) {
                loader.close();
                throw new IllegalStateException("no RPC system in " + jar);
            }
            return new CleanupOnCloseRpcSystem(systems.next(), loader, null); // null: the file stays
        } catch (IOException e) {
            throw new IllegalStateException("cannot load the RPC system from " + jar + ": " + e, e);
        }
    }

    /**
     * The unpacked jar named by {@code property}, if it is a file of the size of {@code inner}, the jar inside the
     * loader on the class path.
     *
     * @throws IllegalStateException why not (Flink then tries its own loader)
     */
    static Path usable(String property, URL inner) {
        if (property == null || property.isEmpty()) {
            throw new IllegalStateException(PROPERTY + " is not set");
        }
        Path jar = Path.of(property);
        try {
            long size = Files.size(jar);
            long expected = innerSize(inner);
            if (size != expected) {
                throw new IllegalStateException(jar + " has " + size + " bytes, the " + INNER_JAR + " of this Flink "
                        + expected);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot use " + jar + ": " + e, e);
        }
        return jar;
    }

    // the uncompressed size of the jar entry `inner` (jar:file:...!/flink-rpc-akka.jar); -1 if unknown
    private static long innerSize(URL inner) throws IOException {
        if (inner == null) {
            return -1;
        }
        URLConnection c = inner.openConnection();
        if (c instanceof JarURLConnection j) {
            j.setUseCaches(false);
            try (var file = j.getJarFile()) {
                var entry = file.getJarEntry(j.getEntryName());
                return entry == null ? -1 : entry.getSize();
            }
        }
        return c.getContentLengthLong();
    }
}
