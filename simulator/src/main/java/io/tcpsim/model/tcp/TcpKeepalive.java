package io.tcpsim.model.tcp;

import io.tcpsim.backend.Cause;
import io.tcpsim.backend.RstReason;
import io.tcpsim.backend.TcpState;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.SockOpt;
import io.tcpsim.calls.Result;
import io.tcpsim.model.Outcome;
import io.tcpsim.model.WaitQueue;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;

/**
 * The timers of a quiet connection, on a full socket's sk_timer (net/ipv4/tcp_timer.c tcp_keepalive_timer):
 * keepalive (SO_KEEPALIVE with TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT, or the sysctls tcp_keepalive_time,
 * tcp_keepalive_intvl and tcp_keepalive_probes), and an orphan's FIN_WAIT2 (TCP_LINGER2 or tcp_fin_timeout: tcp_fin_time;
 * a wait longer than TCP_TIMEWAIT_LEN starts on this timer, the rest on a minisock). The options themselves
 * (tcp_setsockopt, do_tcp_getsockopt, sk_setsockopt) are here too. Measured in kernel-measurements.md sections 28
 * and 29; docs/model.md, "Keepalive" and "An orphan's FIN_WAIT2".
 *
 * <p>Runs on loopback as on two hosts: nothing here happens unless a script turns keepalive on or sets TCP_LINGER2,
 * so a loopback script without them keeps its output.
 */
final class TcpKeepalive {
    /** MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL (seconds) and MAX_TCP_KEEPCNT (include/net/tcp.h). */
    static final int MAX_KEEPIDLE = 32767, MAX_KEEPINTVL = 32767, MAX_KEEPCNT = 127;
    /** TCP_FIN_TIMEOUT_MAX: what TCP_LINGER2 is capped at, seconds. */
    static final int FIN_TIMEOUT_MAX_S = 120;

    private final TcpStack stack;

    TcpKeepalive(TcpStack stack) {
        this.stack = stack;
    }

    private int hz() {
        return stack.profile.hz();
    }

    /** keepalive_time_when: the socket's TCP_KEEPIDLE, else tcp_keepalive_time. */
    long timeWhen(TcpSock sk) {
        return sk.keepaliveTimeJiffies != 0 ? sk.keepaliveTimeJiffies : (long) stack.profile.keepaliveTime() * hz();
    }

    /** keepalive_intvl_when: TCP_KEEPINTVL, else tcp_keepalive_intvl. */
    long intvlWhen(TcpSock sk) {
        return sk.keepaliveIntvlJiffies != 0 ? sk.keepaliveIntvlJiffies : (long) stack.profile.keepaliveIntvl() * hz();
    }

    /** keepalive_probes: TCP_KEEPCNT, else tcp_keepalive_probes. */
    int probes(TcpSock sk) {
        return sk.keepaliveProbes != 0 ? sk.keepaliveProbes : stack.profile.keepaliveProbes();
    }

    /**
     * keepalive_time_elapsed: jiffies since the last segment that carried data (icsk_ack.lrcvtime) or the last ACK
     * taken (rcv_tstamp), whichever is later.
     */
    long elapsed(TcpSock sk) {
        long last = Math.max(sk.rcvTstampJiffies, sk.lrcvtime);
        return last == Long.MIN_VALUE ? 0 : stack.jiffies() - last;
    }

    // ---------------------------------------------------------------- events that feed the timer

    /**
     * The connection is established (tcp_finish_connect for a connect, tcp_create_openreq_child for a listener's
     * child, which inherits the listener's options as sk_clone_lock copies them): the handshake's ACK counts as the
     * last one received, and with SO_KEEPALIVE the timer starts at keepalive_time_when.
     */
    void established(TcpSock sk, TcpSock listener) {
        if (listener != null) {
            sk.keepOpen = listener.keepOpen;
            sk.keepaliveTimeJiffies = listener.keepaliveTimeJiffies;
            sk.keepaliveIntvlJiffies = listener.keepaliveIntvlJiffies;
            sk.keepaliveProbes = listener.keepaliveProbes;
            sk.linger2Jiffies = listener.linger2Jiffies;
        }
        sk.rcvTstampJiffies = stack.jiffies();
        if (sk.keepOpen) sk.arm(Timer.Kind.KEEPALIVE, timeWhen(sk));
    }

    /** tcp_ack took an ACK (not an old one): no probe is outstanding any more, and the connection was heard from. */
    void ackReceived(TcpSock sk) {
        sk.probesOut = 0;
        sk.rcvTstampJiffies = stack.jiffies();
    }

    // ---------------------------------------------------------------- the timer

    /**
     * tcp_keepalive_timer. An orphan in FIN_WAIT2 whose wait was longer than TCP_TIMEWAIT_LEN goes to a minisock for
     * what is left of it. Otherwise, with SO_KEEPALIVE, in a state other than CLOSE and SYN_SENT: data in flight or
     * queued means the connection is alive (the timer waits keepalive_time_when again); after keepalive_time_when of
     * silence a probe goes (tcp_write_wakeup: tcp_xmit_probe_skb, seq snd_una - 1, no data) and the next check is
     * keepalive_intvl_when later; when keepalive_probes probes are unanswered (or, with TCP_USER_TIMEOUT, the user
     * timeout has passed with one unanswered), tcp_send_active_reset with TCP_KEEPALIVE_TIMEOUT and tcp_write_err.
     * Measured (section 28, TCP_KEEPIDLE 2, TCP_KEEPINTVL 1, TCP_KEEPCNT 3, the link down): probes at 2.017, 3.041,
     * 4.065 s, then at 5.089 s `[R.] seq 1, ack 1` and recv -1 ETIMEDOUT; the peer alive: each probe answered by a
     * duplicate ACK, the next probe 2.030 s after the answer.
     */
    void timer(TcpSock sk) {
        TcpState state = sk.state();
        if (state == TcpState.LISTEN) return;
        if (state == TcpState.FIN_WAIT2 && sk.dead) {
            long tmo = finTimeJiffies(sk) - timewaitLenJiffies();
            if (sk.linger2Jiffies >= 0 && tmo > 0) {
                stack.input.timeWait(sk, TcpState.FIN_WAIT2, tmo * stack.profile.jiffyNanos());
                return;
            }
            // The kernel resets here (tcp_send_active_reset, then tcp_done). No script gets here: an orphan's
            // TCP_LINGER2 cannot change after close(), nor its RTO (tcp_fin_time's floor) while it waits. The reason
            // is not measured; TCP_STATE is the one its patch series gave the timer's other resets.
            stack.output.sendActiveReset(sk, RstReason.TCP_STATE);
            stack.input.done(sk, Cause.TIMEWAIT_EXPIRED);
            return;
        }
        if (!sk.keepOpen || state == TcpState.CLOSE || state == TcpState.SYN_SENT) return;
        long when = timeWhen(sk);
        if (Seq.after(sk.writeSeq, sk.sndUna)) { // "It is alive without keepalive": packets_out or a write queue
            sk.arm(Timer.Kind.KEEPALIVE, when);
            return;
        }
        long elapsed = elapsed(sk);
        long next;
        if (elapsed >= when) {
            long userTimeout = ((long) sk.userTimeoutMs * hz() + 999) / 1000; // msecs_to_jiffies rounds up
            if (sk.userTimeoutMs != 0 && elapsed >= userTimeout && sk.probesOut > 0
                    || sk.userTimeoutMs == 0 && sk.probesOut >= probes(sk)) {
                stack.output.sendActiveReset(sk, RstReason.TCP_KEEPALIVE_TIMEOUT);
                writeErr(sk);
                return;
            }
            writeWakeup(sk);
            sk.probesOut++;
            next = intvlWhen(sk);
        } else {
            next = when - elapsed;
        }
        sk.arm(Timer.Kind.KEEPALIVE, next);
    }

    /** tcp_write_wakeup with nothing to send: tcp_xmit_probe_skb(sk, 0), a bare ACK one below snd_una. */
    private void writeWakeup(TcpSock sk) {
        stack.output.sendSegment(sk, TcpFlags.ACK, Seq.mask(sk.sndUna - 1), Segment.NO_DATA);
    }

    /** tcp_write_err: ETIMEDOUT (no soft error is modelled), sk_error_report, the write queue purged, tcp_done. */
    private void writeErr(TcpSock sk) {
        sk.skErr = Errno.ETIMEDOUT;
        sk.sendQueue.clear();
        sk.rtxQueue.clear();
        boolean dead = sk.dead;
        stack.input.done(sk, Cause.KEEPALIVE_TIMED_OUT);
        if (!dead) sk.waitQueue.wake(WaitQueue.KEY_ERROR);
    }

    // ---------------------------------------------------------------- an orphan's FIN_WAIT2

    private long timewaitLenJiffies() {
        return stack.profile.timeWaitNanos() / stack.profile.jiffyNanos();
    }

    /**
     * tcp_fin_time: TCP_LINGER2 if set, else tcp_fin_timeout, but at least 3.5 RTO ((rto << 2) - (rto >> 1)). On
     * loopback the RTO is TCP_RTO_MIN (the model keeps no RTT there): 700 ms.
     */
    long finTimeJiffies(TcpSock sk) {
        long fin = sk.linger2Jiffies > 0 ? sk.linger2Jiffies : stack.profile.finTimeoutNanos() / stack.profile.jiffyNanos();
        long rto = stack.rtx.on() ? sk.rtoJiffies : stack.output.rtoMinJiffies();
        return Math.max(fin, (rto << 2) - (rto >> 1));
    }

    /**
     * Where an orphan goes whose FIN was just ACKed, or which is closed in FIN_WAIT2 (tcp_rcv_state_process in
     * FIN_WAIT1, __tcp_close): a wait longer than TCP_TIMEWAIT_LEN starts on the keepalive timer, the full socket
     * staying (returns false); a shorter one is a FIN_WAIT2 minisock at once (returns true).
     */
    boolean orphanFinWait2(TcpSock sk) {
        long tmo = finTimeJiffies(sk);
        if (tmo > timewaitLenJiffies()) {
            sk.arm(Timer.Kind.KEEPALIVE, tmo - timewaitLenJiffies());
            return false;
        }
        stack.input.timeWait(sk, TcpState.FIN_WAIT2, tmo * stack.profile.jiffyNanos());
        return true;
    }

    // ---------------------------------------------------------------- options

    /** Whether this class answers the option. */
    static boolean owns(SockOpt opt) {
        return switch (opt) {
            case SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT, TCP_LINGER2 -> true;
            default -> false;
        };
    }

    /**
     * sk_setsockopt's SO_KEEPALIVE (tcp_set_keepalive: the timer starts, or stops, unless in CLOSE or LISTEN) and
     * tcp_setsockopt's TCP_KEEPIDLE (tcp_sock_set_keepidle_locked: re-armed for what is left of the idle time),
     * TCP_KEEPINTVL, TCP_KEEPCNT (each EINVAL out of its range) and TCP_LINGER2 (negative: -1; capped at
     * TCP_FIN_TIMEOUT_MAX).
     */
    Outcome setsockopt(TcpSock sk, SockOpt opt, int v) {
        boolean timerState = sk.state() != TcpState.CLOSE && sk.state() != TcpState.LISTEN;
        switch (opt) {
            case SO_KEEPALIVE -> {
                boolean on = v != 0;
                if (timerState) {
                    if (on && !sk.keepOpen) sk.arm(Timer.Kind.KEEPALIVE, timeWhen(sk));
                    else if (!on) sk.cancel(Timer.Kind.KEEPALIVE);
                }
                sk.keepOpen = on;
            }
            case TCP_KEEPIDLE -> {
                if (v < 1 || v > MAX_KEEPIDLE) return Outcome.fail(Errno.EINVAL);
                sk.keepaliveTimeJiffies = (long) v * hz();
                if (sk.keepOpen && timerState) {
                    long elapsed = elapsed(sk);
                    sk.arm(Timer.Kind.KEEPALIVE, Math.max(0, sk.keepaliveTimeJiffies - elapsed));
                }
            }
            case TCP_KEEPINTVL -> {
                if (v < 1 || v > MAX_KEEPINTVL) return Outcome.fail(Errno.EINVAL);
                sk.keepaliveIntvlJiffies = (long) v * hz();
            }
            case TCP_KEEPCNT -> {
                if (v < 1 || v > MAX_KEEPCNT) return Outcome.fail(Errno.EINVAL);
                sk.keepaliveProbes = v;
            }
            case TCP_LINGER2 -> sk.linger2Jiffies = v < 0 ? -1 : (long) Math.min(v, FIN_TIMEOUT_MAX_S) * hz();
            default -> throw new IllegalArgumentException(opt.name());
        }
        return Outcome.ok(0);
    }

    /** sk_getsockopt's SO_KEEPALIVE and do_tcp_getsockopt's: seconds, the sysctl's value when unset. */
    Result getsockopt(TcpSock sk, SockOpt opt) {
        int v = switch (opt) {
            case SO_KEEPALIVE -> sk.keepOpen ? 1 : 0;
            case TCP_KEEPIDLE -> (int) (timeWhen(sk) / hz());
            case TCP_KEEPINTVL -> (int) (intvlWhen(sk) / hz());
            case TCP_KEEPCNT -> probes(sk);
            case TCP_LINGER2 -> sk.linger2Jiffies < 0 ? -1 : (int) ((sk.linger2Jiffies != 0 ? sk.linger2Jiffies
                    : stack.profile.finTimeoutNanos() / stack.profile.jiffyNanos()) / hz());
            default -> throw new IllegalArgumentException(opt.name());
        };
        return Result.option(v);
    }
}
