package io.longseq.jobs;

import java.io.PrintWriter;

/**
 * How the commands say that something was refused or failed: exactly one line on stderr (line breaks in a message
 * become spaces, a message is cut at {@value #MAX_CHARS} characters), and the stack trace after it only with
 * {@code --verbose}.
 */
public final class Refusals {

    static final int MAX_CHARS = 2000;
    public static final String VERBOSE = "--verbose";

    private Refusals() {}

    /** The message on one line, at most {@value #MAX_CHARS} characters. */
    public static String oneLine(String message) {
        if (message == null) {
            return "";
        }
        String s = message.strip().replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
        return s.length() <= MAX_CHARS ? s : s.substring(0, MAX_CHARS) + "...";
    }

    /** Prints {@code line} (made one line) and, if {@code verbose}, the stack trace of {@code cause}. */
    public static void print(PrintWriter err, String line, Throwable cause, boolean verbose) {
        err.println(oneLine(line));
        if (verbose && cause != null) {
            cause.printStackTrace(err);
        }
        err.flush();
    }

    /** "ExceptionName: message", for an exception whose message alone may not say what happened. */
    public static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    /** {@link #describe} of the exception and, if it has one, of its innermost cause. */
    public static String describeWithCause(Throwable t) {
        Throwable root = root(t);
        return root == t ? describe(t) : describe(t) + " (cause: " + describe(root) + ")";
    }

    /** The innermost cause. */
    public static Throwable root(Throwable t) {
        Throwable r = t;
        for (int i = 0; i < 100 && r.getCause() != null && r.getCause() != r; i++) {
            r = r.getCause();
        }
        return r;
    }

    /** True if the arguments hold {@value #VERBOSE} (also usable when they could not be parsed). */
    public static boolean verbose(String[] args) {
        if (args == null) {
            return false;
        }
        for (String a : args) {
            if (VERBOSE.equals(a)) {
                return true;
            }
        }
        return false;
    }
}
