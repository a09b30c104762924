package io.longseq.jobs;

/**
 * The command line cannot be run as given (a bad option value, an unknown input kind, unusable weights).
 * The command prints the message, without a stack trace, and exits with code 2, like picocli's own usage errors.
 */
public final class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
