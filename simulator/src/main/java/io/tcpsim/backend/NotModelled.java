package io.tcpsim.backend;

/**
 * A backend cannot run this script: something in it is not modelled yet (the model) or cannot be set up (a kernel
 * without what it needs). Thrown by {@link Backend#prepare} before the first step runs, so that nothing is
 * half-done. The message is the one line a user sees, {@code FILE:LINE:COL: what}; the command exits 2.
 */
public final class NotModelled extends RuntimeException {
    /** Where every refusal points: the one wording, for the script reader, the model and the kernel backends. */
    public static final String DOCS = "(docs/model.md, \"What is not modelled yet\")";

    /** {@code what is not modelled yet (docs/model.md, "What is not modelled yet")}. */
    public static String words(String what) {
        return what + " is not modelled yet " + DOCS;
    }

    public NotModelled(String message) {
        super(message, null, false, false);
    }
}
