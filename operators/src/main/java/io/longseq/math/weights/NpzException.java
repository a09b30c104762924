package io.longseq.math.weights;

/**
 * An {@code .npz} file (or the weights in it) cannot be used. The message is one line that names the file, the
 * array where there is one, and what is wrong, e.g.
 * {@code weights model.npz: array 'layer0.wq' has shape (1900000000,) but d-model 128 needs (128, 128)}; a
 * command prints it as its refusal.
 *
 * <p>Checked on purpose: every problem of a file, from "not a zip" to a NaN in an array, reaches the caller as
 * this exception, never as an unchecked exception or an {@link Error}. Text taken from the file (entry names,
 * header text, dtype strings) enters the message only through {@link #clip}, so a hostile file cannot make the
 * message long or span lines.
 */
public final class NpzException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Characters of file-supplied text kept in a message. */
    private static final int CLIP = 80;

    public NpzException(String message) {
        super(message);
    }

    public NpzException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Text from the file made safe for a one-line message: control characters and other non-printing characters
     * escaped as {@code \xNN} / {@code \}{@code uNNNN}, and at most 80 characters kept, with how many were cut.
     */
    public static String clip(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        int n = Math.min(s.length(), CLIP);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f || c >= 0xa0 && !Character.isISOControl(c) && !Character.isSurrogate(c)
                    && Character.getType(c) != Character.LINE_SEPARATOR
                    && Character.getType(c) != Character.PARAGRAPH_SEPARATOR
                    && Character.getType(c) != Character.FORMAT) {
                b.append(c);
            } else if (c < 0x100) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        if (s.length() > n) {
            b.append("...(").append(String.format(java.util.Locale.ROOT, "%,d", s.length())).append(" chars)");
        }
        return b.toString();
    }
}
