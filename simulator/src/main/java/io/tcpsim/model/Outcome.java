package io.tcpsim.model;

import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;

/**
 * What one attempt at a call came to inside the model: it returned, or it must wait. A waiting call is tried again
 * after the next event, as the kernel's wait loops go back to their checks (sk_wait_event, inet_wait_for_connect,
 * pipe_wait_readable...); {@link Model} runs that loop.
 */
public sealed interface Outcome {
    /** The call returned: a value or an errno, the call's outputs, and whether it raised SIGPIPE. */
    record Done(Result result) implements Outcome {}

    /**
     * The call must wait for something to change. {@code copied} is what a write already put in the buffer before it
     * had to wait (tcp_sendmsg_locked's {@code copied}): the next attempt goes on from there.
     */
    record WouldBlock(int copied) implements Outcome {}

    static Outcome ok(long value) {
        return new Done(Result.ok(value));
    }

    /** A read or recv returned these bytes (none: the end of the stream, or a read of 0 bytes). */
    static Outcome received(byte[] bytes) {
        return new Done(Result.data(bytes));
    }

    static Outcome fail(Errno e) {
        return new Done(Result.error(e));
    }

    static Outcome wouldBlock(int copied) {
        return new WouldBlock(copied);
    }
}
