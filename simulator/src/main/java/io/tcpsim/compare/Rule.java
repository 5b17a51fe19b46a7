package io.tcpsim.compare;

/**
 * The equivalence rules: outcomes that Linux chooses by timing races a comparison cannot reproduce, where the model's
 * choice and the observed one are both correct. Check (model against kernel) and replay (model against a capture)
 * apply the same rules and name each one wherever it was used (docs/cross-check.md, "Equivalence rules";
 * docs/replay.md, what diverges). Each rule accepts up to {@link #jiffies()} jiffies more than the
 * {@link Tolerance} ({@link #window}).
 *
 * <p>What needs no rule because the {@link Tolerance} covers it: the ACK of a FIN on a connection without data goes
 * on the next jiffy (0-4 ms on the kernel with HZ=250, inet_csk_schedule_ack + ato 0), a delayed ACK 40-44 ms after
 * the data (TCP_DELACK_MIN rounded up to the next jiffy).
 */
public enum Rule {
    /**
     * A pure ACK on one side that the other did not send, where the next packet from the same endpoint on the same
     * connection carries the same ack number within the tolerance: the ACK timer and the application raced, and on
     * one side the application's data (or FIN) went first and carried the ACK (tcp_send_ack is skipped once
     * tcp_transmit_skb has cleared the pending ACK, inet_csk_clear_xmit_timer ICSK_TIME_DACK). The application acts
     * within ~40 us on the kernel and at once on the model, so either outcome is possible near a timer tick. The
     * next packet may follow up to the tolerance plus one jiffy later (the tick phase; found by the kernel fuzzer).
     * In replay: the model's pure ACK from its tick, where the capture's ACK rode on data or a FIN sent within the
     * tolerance.
     */
    ACK_CARRIED_BY_NEXT_PACKET("ack-carried-by-next-packet", 1),

    /**
     * A packet the model sends from a timer (it leaves exactly on one of the model's jiffy ticks) may leave on the
     * kernel up to one jiffy later than the tolerance allows, never earlier: the timer softirq can run a tick late.
     * Measured: the ACK of a FIN came 0.2-3.96 ms after it in 80 runs on an idle machine (kernel-measurements
     * section 1), but 6.9-7.2 ms in 5 of 42 runs on the same 2-vCPU machine with a load average of 4-6; in replay,
     * traces/captures/loaded-host: the ACK of a FIN 6.42 ms after it, where the model sent it 1.5 ms after it.
     */
    TIMER_TICK_LATE("timer-tick-late", 1),

    /**
     * A packet the model sends from a timer may leave on the kernel up to one jiffy earlier, relative to the events
     * around it, than the tolerance allows: a timer armed for "the next tick" fires 0-4 ms after it was armed, and
     * where in that window depends on the phase of the kernel's jiffies, which the model cannot know (it puts ticks
     * at multiples of 4 ms of its own clock). Measured: in 3 of 20 runs of server-shutdown-then-send the FIN's ACK
     * came 0.05-0.5 ms after the FIN on the kernel, 3.96 ms after it on the model; never before the FIN itself.
     *
     * <p>The phase moves the kernel's tick either way. Check times a timer packet from the packet that armed it, so
     * a later phase stays inside the tolerance and {@link #TIMER_TICK_LATE}'s jiffy. Replay times it from the
     * model's own tick, on a clock that follows the capture's from the flow's first packet: there the phase can put
     * the kernel's tick a jiffy later too, and a tick that also ran late needs both rules (two jiffies).
     */
    TIMER_TICK_PHASE("timer-tick-phase", 1),

    /**
     * A packet the model sends from a timer may leave, on the kernel, before or after up to {@link #REORDER_REACH}
     * neighbouring packets, as long as it stays within one jiffy (plus the tolerance) of them: where a timer's tick
     * falls relative to the calls and packets around it depends on the kernel's tick phase, which the model cannot
     * know; and timers of one wheel bucket run newest-armed first while timers armed in adjacent jiffies run oldest
     * bucket first. Found by the kernel fuzzer: a next-tick FIN ACK of an unaccepted child left before the server's
     * close() FIN in 6 of 10 runs, after it in 4, and two next-tick ACKs on different connections in either order.
     * Check only: replay matches a packet against every prediction of its side, in any order.
     */
    TIMER_PACKET_REORDERED("timer-packet-reordered", 1),

    /**
     * A lone pure ACK on the kernel that left within one jiffy of the segment it acknowledges (a next-tick ACK),
     * where the model's endpoint sends nothing more to that peer: on the model the connection ended (an RST, a
     * close) before its tick, and the end cancelled the timer (tcp_done -> tcp_clear_xmit_timers); on the kernel the
     * tick came first. Found by the kernel fuzzer: a client's ACK of the server's FIN 3 ms after it, just before the
     * server's exit reset the connection (CI's differential seed 20261121, 6 of 10 runs). Check only so far.
     */
    TIMER_ACK_CANCELLED("timer-ack-cancelled", 1),

    /**
     * On a connection where {@link #ACK_CARRIED_BY_NEXT_PACKET} paired the runs, the reasons of a timewait minisock on
     * one side against a full socket's on the other: where the ACK of a FIN went alone, the FIN's sender (an orphan)
     * became a FIN_WAIT2 minisock (tcp_rcv_state_process, FIN_WAIT1: tcp_time_wait) before the peer's next segment
     * came; where that segment carried the ACK, the full socket in FIN_WAIT1 took it. So: a drop with NOT_SPECIFIED
     * (tcp_v4_rcv frees every segment a minisock receives so) on one side only, or against TCP_ABORT_ON_DATA; and an
     * RST with TCP_TIMEWAIT_SOCKET (TCP_TW_RST) against TCP_ABORT_ON_DATA. Measured: three-packet-close,
     * shutdown-syn-sent and time-wait-new-syn in the runs whose close took four packets; found by the kernel fuzzer:
     * data sent 1.5 ms after the peer's close (CI's differential seed 20261121). Check only.
     */
    REASON_AFTER_ACK_RACE("reason-after-ack-race", 0),

    /**
     * A call that blocks (a connect, an accept, a recv waiting for a packet in flight) may return after a shorter
     * wait on the kernel when it started later there, relative to the step before it, than on the model: the host's
     * time between two steps (the capture sync of both hosts, the JVM) is the model's zero, and what ends the wait
     * (the peer's packet, a timer) does not move with the call's start. So the call's end is compared instead of its
     * duration, from the step before it, within the tolerance; a kernel call that did not wait at all agrees when it
     * started only after the model's had returned (what the model waited for had come already: peer-rebooted-recv's
     * recv() returned ECONNRESET at once on a host that stalled 50 ms before it, where the model's waited 50 ms). Found on two hosts, the kernel against itself:
     * close-both-across-delay's accept() waited 19.2 ms in one run and 26.9 ms in the next (the third ACK arrives one
     * delay after connect() returns; the accept started 7.7 ms later in the first run). Check only.
     */
    BLOCKED_CALL_STARTED_LATE("blocked-call-started-late", 0),

    /**
     * On two hosts, a call that blocks until a packet comes across the link is timed by its end from the last packet
     * both runs have that was sent while it waited (what ended the wait, or the packet it answers), within the
     * tolerance and one jiffy, instead of by its duration: the host can stretch the steps before the call (a poll
     * that woke late moves the next call's start) but not that packet's flight. Found under a load average of 12 on
     * 2 cores, connect-link-up-in-time's accept() waited 18.0 and 16.2 ms where the model's waited 25.0 ms, the
     * client's third ACK being already on its way when the kernel's poll() returned. The same for a packet that
     * answers the other host's packet, when the step before it (its usual anchor) started late: it is timed from the
     * other host's last packet before it. Found: connect-lost-syn's ACK of the client's FIN 12.8 ms after the
     * server's close() on the kernel, 25.0 ms on the model (the close started 12 ms late; the FIN's flight did not).
     * Check only.
     */
    TIMED_FROM_LINK_PACKET("timed-from-link-packet", 1),

    /**
     * On two hosts, a packet that answers the other host's packet (the event before it is that packet) may leave up
     * to one jiffy later on the kernel than the tolerance allows: the kernel's link is a Java forwarder that holds
     * each frame for the delay, and it is late when the JVM or the host's scheduler stops it (measured in
     * docs/kernel-backend.md, "The delay it really gives": 10-60 us typically, p99.9 up to 7.9 ms with G1 on a loaded
     * host). The model's link is exact. The same for a call that blocks until such a packet comes: it may return one
     * jiffy beyond the tolerance later. Found on two hosts: connect-lost-syn's SYN-ACK left the server 29.2 ms after
     * the client's SYN on a 25 ms link (the model: 25.0 ms); close-both-across-delay's accept() waited 31.3 ms for the
     * third ACK (the model: 25.0 ms). Check only; never earlier.
     */
    LINK_HELD_LATE("link-held-late", 1),

    /**
     * A packet the model sends from a retransmission or probe timer may leave on the kernel up to one granularity of
     * the timer wheel's level for that timeout later than the tolerance allows: a timeout of 63 to 503 jiffies
     * (252 ms to 2 s at HZ 250) is put in level 1 and expires on a multiple of 8 jiffies (32 ms), later ones on
     * coarser multiples (calc_wheel_index), so where the expiry falls depends on the tick phase and on the RTO the
     * kernel's own RTT samples gave, which the model cannot know. Found on two hosts, the kernel against itself:
     * etimedout-send-first's RTO retransmission came 256.0 ms after the probe in one run and 288.0 ms in the next;
     * section 26 of kernel-measurements.md measured the same two intervals (cold 256, warm 288). {@link #jiffies()} is 0: the window is
     * {@link #wheelGranularity} of the timeout, not a fixed count.
     */
    TIMER_WHEEL_LEVEL("timer-wheel-level", 0);

    /**
     * The granularity of the timer wheel level a timeout of {@code timeoutJiffies} lands in (kernel/time/timer.c:
     * LVL_CLK_SHIFT 3, 64 buckets a level, level n starting at 63 << 3(n - 1) jiffies): 1, 8, 64, 512, ... jiffies.
     */
    public static long wheelGranularity(long timeoutJiffies) {
        long granularity = 1;
        for (long start = 63; timeoutJiffies >= start && granularity < (1L << 24); start <<= 3) granularity <<= 3;
        return granularity;
    }

    /** How many packets a timer packet may move past under {@link #TIMER_PACKET_REORDERED}. */
    public static final int REORDER_REACH = 4;

    private final String id;
    private final int jiffies;

    Rule(String id, int jiffies) {
        this.id = id;
        this.jiffies = jiffies;
    }

    /** The name the reports print: {@code timer-tick-late}. */
    public String id() {
        return id;
    }

    /** How many jiffies beyond the tolerance the rule accepts. */
    public int jiffies() {
        return jiffies;
    }

    /** The most the rule accepts: the tolerance {@code allowed} (from {@link Tolerance#allowed}) and its jiffies. */
    public long window(long allowed, long jiffyNanos) {
        return allowed + jiffies * jiffyNanos;
    }

    /** How a report marks a packet the rule accepted: {@code rule timer-tick-late (kernel 6.900 ms late)}. */
    public String note(String how) {
        return "rule " + id + " (" + how + ")";
    }
}
