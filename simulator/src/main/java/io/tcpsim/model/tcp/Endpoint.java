package io.tcpsim.model.tcp;

import io.tcpsim.backend.Cause;
import io.tcpsim.backend.TcpState;
import io.tcpsim.wire.SockAddr;

/**
 * What netstat lists: a full socket ({@link TcpSock}) or a timewait minisock ({@link TimeWaitSock}). The state field
 * is private to this class and {@link #setState} is the only place that changes it: every change is checked against
 * {@link StateTable} and reported to the stack, which logs it and keeps the hash tables in step.
 */
public abstract sealed class Endpoint permits TcpSock, TimeWaitSock {
    final TcpStack stack;
    private TcpState state;
    SockAddr local;
    SockAddr remote;

    Endpoint(TcpStack stack, TcpState initial) {
        this.stack = stack;
        this.state = initial;
    }

    public final TcpState state() {
        return state;
    }

    public final SockAddr local() {
        return local;
    }

    public final SockAddr remote() {
        return remote;
    }

    /** Changes the state. {@code cause} names the Linux function or event that made the change. */
    final void setState(TcpState to, Cause cause) {
        setState(to, cause, null);
    }

    /** As {@link #setState(TcpState, Cause)}, with the detail the cause's description takes. */
    final void setState(TcpState to, Cause cause, String detail) {
        TcpState from = state;
        if (from == to) return;
        if (!StateTable.allowed(from, to)) {
            throw new IllegalStateException("transition " + from + " -> " + to + " is not one Linux makes ("
                    + cause.describe(detail) + ")");
        }
        state = to;
        stack.stateChanged(this, from, to, cause, detail);
    }

    private String name;
    private SockAddr namedLocal, namedRemote;

    /** "127.0.0.1:40000 > 127.0.0.1:4321", or just the local address for a listener. Kept until the addresses change. */
    public String name() {
        if (name == null || namedLocal != local || namedRemote != remote) {
            String l = local == null ? "*:*" : local.toString();
            name = remote == null || remote.port() == 0 ? l : l + " > " + remote;
            namedLocal = local;
            namedRemote = remote;
        }
        return name;
    }
}
