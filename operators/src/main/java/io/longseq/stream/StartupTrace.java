package io.longseq.stream;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a run's start-up goes: with the environment variable {@value #ENV} set (to anything but "" or "0"), each
 * phase's first {@link #mark} prints one line on stderr,
 * {@code startup: 2.345 s  first-block  (classes 11,204, CPU 4.1 s, epoch 1765100002.345)}: seconds since
 * {@code ./longseq} started (the launcher passes the moment in {@value #LAUNCHED_AT}; without it, since the JVM
 * started), the classes loaded so far, the process's CPU time and the wall clock (which lines up the marks of a
 * cluster's TaskManagers with the command that submitted the job). Off (the default) a mark costs one static read. docs/benchmarks.md, "Start-up", has the phases of
 * {@code longseq run} and their seconds.
 */
public final class StartupTrace {

    /** The environment variable that turns the trace on. */
    public static final String ENV = "LONGSEQ_TRACE_STARTUP";
    /** Set by the launcher when the trace is on: when the command started (bash's {@code $EPOCHREALTIME}). */
    static final String LAUNCHED_AT = "LONGSEQ_LAUNCHED_AT";

    private static final boolean ON = on(System.getenv(ENV));
    private static final Set<String> SEEN = ConcurrentHashMap.newKeySet();
    private static final long ZERO = ON ? processStart() : 0;  // epoch millis

    private StartupTrace() {}

    /** Whether the trace is on. */
    public static boolean enabled() {
        return ON;
    }

    /** Prints {@code phase} with the time since the process started, the first time it is marked in this JVM. */
    public static void mark(String phase) {
        if (!ON || !SEEN.add(phase)) {
            return;
        }
        long now = System.currentTimeMillis();
        print(System.err, phase, now);
    }

    static boolean on(String value) {
        return value != null && !value.isEmpty() && !value.equals("0");
    }

    private static void print(PrintStream err, String phase, long now) {
        long classes = ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount();
        double cpu = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toMillis() / 1e3).orElse(-1.0);
        err.println(String.format(Locale.ROOT, "startup: %6.3f s  %-22s (classes %,d, CPU %.1f s, epoch %.3f)",
                (now - ZERO) / 1e3, phase, classes, cpu, now / 1e3));
        err.flush();
    }

    // when ./longseq started ({@value #LAUNCHED_AT}), else the JVM's own start
    private static long processStart() {
        long jvm = ManagementFactory.getRuntimeMXBean().getStartTime();
        long launched = launchedAt(System.getenv(LAUNCHED_AT));
        long zero = launched > 0 && launched <= jvm ? launched : jvm;
        SEEN.add("jvm");
        System.err.println(String.format(Locale.ROOT, "startup: %6.3f s  %-22s (%s)", (jvm - zero) / 1e3, "jvm",
                zero == jvm ? "no " + LAUNCHED_AT + ": times from the JVM's start" : "the launcher's share before it"));
        return zero;
    }

    /** Epoch milliseconds of bash's {@code $EPOCHREALTIME} ("1765100000.123456", or with a comma); -1 if none. */
    static long launchedAt(String epochSeconds) {
        if (epochSeconds == null || epochSeconds.isEmpty()) {
            return -1;
        }
        try {
            return Math.round(Double.parseDouble(epochSeconds.replace(',', '.')) * 1e3);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
