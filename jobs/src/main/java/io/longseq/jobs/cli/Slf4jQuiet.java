package io.longseq.jobs.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Keeps SLF4J's "no binding, defaulting to NOP" notice off the terminal of a command-line run.
 *
 * <p>Why: the jar deliberately holds no logging binding (on a Flink cluster the runtime provides one, and a
 * second binding in the jar would clash), so from a plain {@code java -jar} every run would start with three
 * lines of SLF4J warnings about a missing StaticLoggerBinder that mean nothing to a user. When, and only when, no
 * binding is on the class path, SLF4J is initialised once with stderr captured, and every captured line that is
 * not one of SLF4J's own {@code "SLF4J: "} notices is passed on. With a binding present this does nothing, so
 * SLF4J's other warnings (e.g. several bindings) are never hidden.
 */
final class Slf4jQuiet {

    private Slf4jQuiet() {}

    static void init() {
        ClassLoader cl = Slf4jQuiet.class.getClassLoader();
        if (present("org.slf4j.impl.StaticLoggerBinder", cl) || !present("org.slf4j.LoggerFactory", cl)) {
            return;
        }
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        synchronized (System.class) {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                Class.forName("org.slf4j.LoggerFactory", true, cl).getMethod("getILoggerFactory").invoke(null);
            } catch (ReflectiveOperationException | LinkageError e) {
                // Logging stays unconfigured; nothing the user needs to see.
            } finally {
                System.setErr(original);
            }
        }
        for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty() && !line.startsWith("SLF4J: ")) {
                original.println(line);
            }
        }
    }

    private static boolean present(String className, ClassLoader cl) {
        try {
            Class.forName(className, false, cl);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
