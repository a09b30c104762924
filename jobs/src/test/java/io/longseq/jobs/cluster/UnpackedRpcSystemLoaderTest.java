package io.longseq.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.rpc.RpcService;
import org.apache.flink.runtime.rpc.RpcSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnpackedRpcSystemLoaderTest {

    @TempDir
    Path dir;

    @Test
    void declinesWithoutTheProperty() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> UnpackedRpcSystemLoader.usable(null, null));
        assertTrue(e.getMessage().contains(UnpackedRpcSystemLoader.PROPERTY), e.getMessage());
    }

    @Test
    void declinesAMissingFile() {
        assertThrows(IllegalStateException.class,
                () -> UnpackedRpcSystemLoader.usable(dir.resolve("absent.jar").toString(), null));
    }

    @Test
    void takesAFileOfTheInnerJarsSizeOnly() throws Exception {
        URL inner = innerJar(1234);
        Path same = Files.write(dir.resolve("same.jar"), new byte[1234]);
        Path other = Files.write(dir.resolve("other.jar"), new byte[1235]);
        assertEquals(same, UnpackedRpcSystemLoader.usable(same.toString(), inner));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> UnpackedRpcSystemLoader.usable(other.toString(), inner));
        assertTrue(e.getMessage().contains("1235") && e.getMessage().contains("1234"), e.getMessage());
    }

    /** The real thing: Flink's RPC system loads from the unpacked jar, and its services come from that file. */
    @Test
    void flinksRpcSystemLoadsFromTheUnpackedJar() throws Exception {
        URL resource = RpcSystem.class.getClassLoader().getResource(UnpackedRpcSystemLoader.INNER_JAR);
        assertNotNull(resource, "flink-rpc-akka-loader is on the test class path");
        Path jar = dir.resolve("flink-rpc-akka.jar");
        try (InputStream in = resource.openStream()) {
            Files.copy(in, jar);
        }
        String before = System.getProperty(UnpackedRpcSystemLoader.PROPERTY);
        System.setProperty(UnpackedRpcSystemLoader.PROPERTY, jar.toString());
        try (RpcSystem rpc = RpcSystem.load(new Configuration())) {
            RpcService service = rpc.localServiceBuilder(new Configuration()).createAndStart();
            try {
                ClassLoader loader = service.getClass().getClassLoader();
                assertTrue(loader instanceof URLClassLoader, String.valueOf(loader));
                assertEquals(Arrays.asList(jar.toUri().toURL()), Arrays.asList(((URLClassLoader) loader).getURLs()));
            } finally {
                service.closeAsync().get();
            }
        } finally {
            if (before == null) {
                System.clearProperty(UnpackedRpcSystemLoader.PROPERTY);
            } else {
                System.setProperty(UnpackedRpcSystemLoader.PROPERTY, before);
            }
        }
        assertTrue(Files.isRegularFile(jar), "the unpacked jar stays (it is the build's, not a temporary copy)");
    }

    // a jar holding flink-rpc-akka.jar of `size` bytes, as the loader jar does; the URL of that entry
    private URL innerJar(int size) throws Exception {
        Path outer = dir.resolve("loader.jar");
        try (OutputStream f = Files.newOutputStream(outer); JarOutputStream j = new JarOutputStream(f)) {
            j.putNextEntry(new JarEntry(UnpackedRpcSystemLoader.INNER_JAR));
            j.write(new byte[size]);
            j.closeEntry();
        }
        return new URL("jar:" + outer.toUri() + "!/" + UnpackedRpcSystemLoader.INNER_JAR);
    }
}
