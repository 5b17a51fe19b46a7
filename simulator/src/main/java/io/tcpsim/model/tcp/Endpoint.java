package io.tcpsim.model.tcp;

import io.tcpsim.backend.Cause;
import io.tcpsim.backend.TcpState;
import io.tcpsim.wire.SockAddr;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * What netstat lists: a full socket ({@link TcpSock}) or a timewait minisock ({@link TimeWaitSock}). The state field
 * is private to this class and {@link #setState} is the only place that changes it: every change is checked against
 * {@link StateTable} and reported to the stack, which logs it and keeps the hash tables in step. The endpoint's armed
 * timers are values here too ({@link Timer}), one per slot.
 */
public abstract sealed class Endpoint permits TcpSock, TimeWaitSock {
    final TcpStack stack;
    private TcpState state;
    SockAddr local;
    SockAddr remote;
    private static final int SLOTS = Timer.Slot.values().length;
    private final Timer[] timers = new Timer[SLOTS];

    /** Whether the endpoint lives on this stack (its host's). */
    public boolean onStack(TcpStack s) {
        return stack == s;
    }

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

    /** The armed timer of this kind, or null. */
    final Timer timer(Timer.Kind kind) {
        Timer t = timers[kind.slot.ordinal()];
        return t != null && t.kind() == kind ? t : null;
    }

    /**
     * Arms a timer of this kind {@code delayJiffies} from now (sk_reset_timer, mod_timer), in place of whatever its
     * slot held.
     */
    final Timer arm(Timer.Kind kind, long delayJiffies) {
        Timer t = new Timer(kind, stack.jiffies() + delayJiffies, stack.timerFiresAt(delayJiffies), this);
        timers[kind.slot.ordinal()] = t;
        stack.clock.arm(t.fires(), t);
        return t;
    }

    /** Arms a high-resolution timer (hrtimer_start: no wheel rounding) {@code delayNanos} from now. */
    final Timer armNanos(Timer.Kind kind, long delayNanos) {
        long at = stack.clock.now() + delayNanos;
        Timer t = new Timer(kind, at / stack.profile.jiffyNanos(), at, this);
        timers[kind.slot.ordinal()] = t;
        stack.clock.arm(t.fires(), t);
        return t;
    }

    /** The timer of this kind is no longer pending, if it was (inet_csk_clear_xmit_timer). */
    final void cancel(Timer.Kind kind) {
        if (timer(kind) != null) timers[kind.slot.ordinal()] = null;
    }

    /** No timer is pending any more (inet_csk_clear_xmit_timers). */
    final void cancelTimers() {
        Arrays.fill(timers, null);
    }

    /** The armed timers, in slot order. */
    public final List<Timer> timers() {
        List<Timer> out = new ArrayList<>(SLOTS);
        for (Timer t : timers) if (t != null) out.add(t);
        return out;
    }

    /** When this endpoint's next timer fires (virtual nanoseconds), or nothing when none is armed. */
    public final OptionalLong nextDeadline() {
        long next = Long.MAX_VALUE;
        for (Timer t : timers) if (t != null) next = Math.min(next, t.fires());
        return next == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(next);
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
