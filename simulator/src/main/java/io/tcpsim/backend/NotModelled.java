package io.tcpsim.backend;

/**
 * A backend cannot run this script: something in it is not modelled yet (the model) or cannot be set up (a kernel
 * without what it needs). Thrown by {@link Backend#prepare} before the first step runs, so that nothing is
 * half-done. The message is the one line a user sees, {@code FILE:LINE:COL: what}; the command exits 2.
 */
public final class NotModelled extends RuntimeException {
    public NotModelled(String message) {
        super(message, null, false, false);
    }
}
