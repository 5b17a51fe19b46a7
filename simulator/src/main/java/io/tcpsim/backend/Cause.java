package io.tcpsim.backend;

/**
 * Why an endpoint changed state: the kernel function that made the change, as the model follows it. Each constant's
 * {@link #text} is the description the outputs print ({@code --json}'s "why", the ladder's hover text); a constant
 * with a {@code %s} takes a detail (the errno an RST left, the number of unread bytes).
 *
 * <p>{@link #origin} says what set the function running: a call, an arriving segment, a timer, or (tcp_time_wait)
 * either a call or a segment, which the instant decides. The property tests use it to name a transition's event.
 */
public enum Cause {
    // ---- calls
    LISTEN_START(Origin.CALL, "inet_csk_listen_start"),
    CONNECT(Origin.CALL, "tcp_v4_connect"),
    TIME_WAIT_REUSED_BY_CONNECT(Origin.CALL, "tcp_twsk_unique: TIME_WAIT reused by connect"),
    DISCONNECT(Origin.CALL, "tcp_disconnect"),
    SHUTDOWN_SEND(Origin.CALL, "tcp_shutdown(SEND_SHUTDOWN)"),
    CLOSE(Origin.CALL, "__tcp_close"),
    CLOSE_LISTENER(Origin.CALL, "__tcp_close: listener closed"),
    CLOSE_WITH_UNREAD_DATA(Origin.CALL, "__tcp_close: %s unread byte(s), abort"),
    CLOSE_ABORT_ON_LINGER(Origin.CALL, "__tcp_close: FIN_WAIT2 with TCP_LINGER2 < 0, abort"),

    // ---- segments
    CHILD_CREATED(Origin.SEGMENT, "tcp_v4_syn_recv_sock: a listener's child"),
    THIRD_ACK(Origin.SEGMENT, "tcp_rcv_state_process: third ACK of the handshake"),
    SYN_ACK_RECEIVED(Origin.SEGMENT, "tcp_finish_connect: SYN-ACK received"),
    CROSSED_SYNS(Origin.SEGMENT, "tcp_rcv_synsent_state_process: crossed SYNs"),
    SYN_ACK_ACKED(Origin.SEGMENT, "tcp_rcv_state_process: ACK of our SYN-ACK"),
    FIN_ACKED(Origin.SEGMENT, "tcp_rcv_state_process: our FIN was ACKed"),
    ORPHAN_RECEIVED_DATA(Origin.SEGMENT, "tcp_rcv_state_process: orphan in FIN_WAIT1 received data"),
    ORPHAN_LINGER2_ABORT(Origin.SEGMENT, "tcp_rcv_state_process: orphan's FIN ACKed with TCP_LINGER2 < 0, abort"),
    LAST_ACK_ACKED(Origin.SEGMENT, "tcp_rcv_state_process: ACK of our FIN in LAST_ACK"),
    PEER_FIN(Origin.SEGMENT, "tcp_fin: the peer's FIN"),
    SIMULTANEOUS_CLOSE(Origin.SEGMENT, "tcp_fin: FIN while our FIN is unacknowledged"),
    RESET_RECEIVED(Origin.SEGMENT, "tcp_reset: RST received, sk_err=%s"),
    TIMEWAIT_RST_IN_FIN_WAIT2(Origin.SEGMENT, "tcp_timewait_state_process: RST in FIN_WAIT2"),
    TIMEWAIT_FIN_RECEIVED(Origin.SEGMENT, "tcp_timewait_state_process: FIN received, TIME_WAIT for 60 s"),
    TIMEWAIT_KILLED_BY_RST(Origin.SEGMENT, "tcp_timewait_state_process: RST kills TIME_WAIT (tcp_rfc1337=0)"),
    TIMEWAIT_NEW_SYN(Origin.SEGMENT, "tcp_v4_rcv: TCP_TW_SYN, a new SYN reuses the 4-tuple"),
    TIMEWAIT_RESET(Origin.SEGMENT, "tcp_v4_rcv: TCP_TW_RST"),

    // ---- timers
    TIMEWAIT_EXPIRED(Origin.TIMER, "tw_timer_handler: the timewait timer expired"),
    SYN_RETRIES_EXHAUSTED(Origin.TIMER, "tcp_write_err: SYN retries exhausted"),
    RETRANSMITS_TIMED_OUT(Origin.TIMER, "tcp_write_err: retransmissions timed out (tcp_retries2)"),
    KEEPALIVE_TIMED_OUT(Origin.TIMER, "tcp_write_err: keepalive probes unanswered (tcp_keepalive_timer)"),

    // ---- tcp_time_wait, from close() or from the receive path
    TIME_WAIT_START(Origin.CALL_OR_SEGMENT, "tcp_time_wait: TIME_WAIT for 60 s"),
    ORPHAN_FIN_WAIT2_START(Origin.CALL_OR_SEGMENT, "tcp_time_wait: orphan in FIN_WAIT2 for tcp_fin_timeout"),
    /** The full socket goes to CLOSE as its minisock takes over: on the wire and in netstat, no change at all. */
    TIMEWAIT_HANDOVER(Origin.CALL_OR_SEGMENT, "tcp_time_wait: a timewait minisock takes over");

    /** What set the kernel function running. */
    public enum Origin { CALL, SEGMENT, TIMER, CALL_OR_SEGMENT }

    public final Origin origin;
    /** The description, with {@code %s} where a detail goes. */
    public final String text;

    Cause(Origin origin, String text) {
        this.origin = origin;
        this.text = text;
    }

    /** The description with its detail filled in (a constant without {@code %s} ignores the detail). */
    public String describe(String detail) {
        int at = text.indexOf("%s");
        return at < 0 ? text : text.substring(0, at) + detail + text.substring(at + 2);
    }

    /** The minisock side of tcp_time_wait: a birth, or the full socket's handover. */
    public boolean timeWait() {
        return this == TIME_WAIT_START || this == ORPHAN_FIN_WAIT2_START || this == TIMEWAIT_HANDOVER;
    }
}
