package io.longseq.jobs.cli;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;

/**
 * The run that makes the class-data archive's second layer ({@code ./longseq cds}): the {@code longseq} command as
 * {@link LongseqCli#main}, then a wait until the JIT's queues are empty before the JVM exits and writes the layer.
 *
 * <p>Why the wait: JDK 17 writes each archived method's "queued for compilation" flag into a layer made with
 * {@code -XX:ArchiveClassesAtExit} (JDK-8306460, fixed in JDK 21), and a method that was queued at the moment of the
 * exit is then never compiled again in any run that maps the layer. It happened: RETRIEVAL's exemplar weighted sum
 * stayed interpreted and a 5 Mbp run took 87–135 s of CPU instead of 25. Once the queues have drained, no method
 * carries the flag. If they do not drain within {@link #SETTLE_MILLIS}, the run fails and the script keeps no layer.
 */
public final class CdsTrainingRun {
    /** How long the queues may take to drain after the command (a C2 compile takes well under a second). */
    static final long SETTLE_MILLIS = 30_000;

    private CdsTrainingRun() {}

    public static void main(String[] args) throws Exception {
        int code = LongseqCli.execute(args);
        if (code == 0 && !awaitEmptyCompileQueues(SETTLE_MILLIS)) {
            System.err.println("longseq cds: the JIT's queues did not drain in " + SETTLE_MILLIS / 1000
                    + " s; no second layer is written (a queued method would never be compiled in runs using it)");
            code = 1;
        }
        // the JVM writes the layer during this exit whatever the code; the script keeps it only after a 0
        System.exit(code);
    }

    /** True once two readings 200 ms apart show no compile running and both queues empty. */
    static boolean awaitEmptyCompileQueues(long timeoutMillis) throws Exception {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        int quiet = 0;
        while (System.nanoTime() < deadline) {
            quiet = isIdle(compilerQueue()) ? quiet + 1 : 0;
            if (quiet == 2) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    /** The {@code Compiler.queue} diagnostic command's text (as {@code jcmd PID Compiler.queue} prints it). */
    private static String compilerQueue() throws Exception {
        return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerQueue",
                new Object[] {null}, new String[] {String[].class.getName()});
    }

    /**
     * Whether {@code Compiler.queue}'s text lists no task: only its headings ("Current compiles:", "C1 compile
     * queue:", "C2 compile queue:"), "Empty" and blank lines; any other line is a compile running or queued.
     */
    static boolean isIdle(String queueText) {
        for (String line : queueText.split("\n")) {
            String l = line.strip();
            if (!(l.isEmpty() || l.equals("Empty") || l.equals("Current compiles:") || l.endsWith("compile queue:"))) {
                return false;
            }
        }
        return true;
    }
}
