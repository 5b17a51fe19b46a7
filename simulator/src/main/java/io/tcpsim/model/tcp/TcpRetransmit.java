package io.tcpsim.model.tcp;

import io.tcpsim.backend.Cause;
import io.tcpsim.backend.NotModelled;
import io.tcpsim.calls.Errno;
import io.tcpsim.model.WaitQueue;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;

/**
 * The retransmission machinery for data and FIN on a host with a link (a script with {@code hosts:}; on loopback
 * nothing is ever lost and the model keeps none of this): the retransmission queue, RTT sampling
 * (tcp_rtt_estimator), the RTO (tcp_set_rto, 200 ms minimum), the tail loss probe (tcp_schedule_loss_probe,
 * tcp_send_loss_probe), the RTO timer with exponential backoff (tcp_retransmit_timer) and giving up
 * (tcp_write_timeout, retransmits_timed_out, tcp_write_err). docs/model.md, "Two hosts on a link"; measured in
 * kernel-measurements.md sections 24 and 26.
 *
 * <p>What it does not follow yet is refused ({@link NotModelled}) when the run gets there: more segments in flight
 * than the initial congestion window (10: slow start and CUBIC are not modelled), an RTO with more than one segment
 * outstanding (loss recovery), an out-of-order segment at the receiver (no OFO queue, no SACK), a zero window with
 * nothing in flight (the persist timer).
 */
final class TcpRetransmit {
    /** TCP_RTO_MIN (200 ms) and TCP_TIMEOUT_MIN (2 ms), in us. */
    static final long RTO_MIN_US = 200_000, TIMEOUT_MIN_US = 2_000;
    /** TCP_RTO_MAX: 120 s. */
    static final long RTO_MAX_US = 120_000_000;
    /** TCP_INIT_CWND: what the model lets be in flight before it refuses (cwnd is not modelled). */
    static final int INIT_CWND = 10;
    /** Entry fields of {@link TcpSock#rtxQueue}. */
    static final int SEQ = 0, END = 1, SENT = 2, FLAGS = 3, RETRANS = 4;

    private final TcpStack stack;

    TcpRetransmit(TcpStack stack) {
        this.stack = stack;
    }

    /** Whether this host runs the machinery: it has a link (loopback loses nothing; its output stays as it was). */
    boolean on() {
        return stack.hostIp() != 0;
    }

    private long usToJiffies(long us) {
        long j = 1_000_000L / stack.profile.hz();
        return (us + j - 1) / j; // usecs_to_jiffies rounds up
    }

    private long jiffiesToUs(long jiffies) {
        return jiffies * (1_000_000L / stack.profile.hz());
    }

    private long nowUs() {
        return stack.now() / 1000;
    }

    private static NotModelled refuse(String what) {
        return new NotModelled(NotModelled.words(what));
    }

    // ---------------------------------------------------------------- sending

    /**
     * New data or a FIN left (tcp_event_new_data_sent): it joins the retransmission queue. Refused past the initial
     * window: the model has no congestion window yet.
     */
    void newDataSent(TcpSock sk, long seq, long end, int flags) {
        if (sk.rtxQueue.size() >= INIT_CWND)
            throw refuse("more than " + INIT_CWND + " segments in flight (the congestion window: slow start, CUBIC)");
        sk.rtxQueue.add(new long[] {seq, end, stack.now(), flags, 0});
    }

    /**
     * The end of tcp_write_xmit after new data went out: the first segment in flight arms the RTO
     * (tcp_event_new_data_sent: tcp_rearm_rto), then tcp_schedule_loss_probe replaces it with the probe timer.
     */
    void afterWrite(TcpSock sk) {
        if (sk.rtxQueue.isEmpty()) return;
        if (sk.timer(Timer.Kind.RTO) == null && sk.timer(Timer.Kind.LOSS_PROBE) == null) rearmRto(sk);
        scheduleLossProbe(sk, false);
    }

    /** A sender with unsent data, nothing in flight and no window would arm the persist timer: refused. */
    void windowClosed(TcpSock sk) {
        if (sk.rtxQueue.isEmpty()) throw refuse("a zero window with data waiting (the persist timer, tcp_probe_timer)");
    }

    /** How far in the future the RTO is, counted from the head's transmission (tcp_rto_delta_us). */
    private long rtoDeltaUs(TcpSock sk) {
        long[] head = sk.rtxQueue.peek();
        return head[SENT] / 1000 + jiffiesToUs(sk.rtoJiffies) - nowUs();
    }

    /**
     * tcp_rearm_rto: the RTO timer, icsk_rto from now; after a probe or a reordering timer, what is left of the RTO
     * counted from the head's transmission. Nothing in flight: no timer.
     */
    void rearmRto(TcpSock sk) {
        // "Don't rearm the timer if it's a Fast Open child in SYN_RECV": it serves the SYN-ACK there.
        if (sk.fastopenListener != null) return;
        if (sk.rtxQueue.isEmpty()) {
            sk.cancel(Timer.Kind.RTO);
            sk.cancel(Timer.Kind.LOSS_PROBE);
            return;
        }
        long rto = sk.rtoJiffies;
        if (sk.timer(Timer.Kind.LOSS_PROBE) != null) rto = usToJiffies(Math.max(rtoDeltaUs(sk), 1));
        sk.arm(Timer.Kind.RTO, rto);
    }

    /**
     * tcp_schedule_loss_probe: with SACK, in the Open state, a probe 2 x srtt after now, plus TCP_RTO_MIN with one
     * segment out (for the peer's delayed ACK) or TCP_TIMEOUT_MIN with more; TCP_TIMEOUT_INIT without an RTT sample;
     * never later than the RTO (its time left, or a full RTO when {@code advancingRto}). Measured (section 26): the
     * first retransmission of a lone 100-byte segment came at the RTO (252 ms + rounding), as a probe.
     */
    boolean scheduleLossProbe(TcpSock sk, boolean advancingRto) {
        // tcp_schedule_loss_probe: no probe on a Fast Open child before its handshake ends (tp->fastopen_rsk).
        if (sk.fastopenListener != null) return false;
        if (sk.rtxQueue.isEmpty() || !sk.sackOk || sk.lossState) return false;
        long timeout;
        if (sk.srttUs8 != 0) {
            long us = (sk.srttUs8 >> 2) + (sk.rtxQueue.size() == 1 ? RTO_MIN_US : TIMEOUT_MIN_US);
            timeout = usToJiffies(us);
        } else {
            timeout = stack.profile.hz(); // TCP_TIMEOUT_INIT
        }
        long rtoDelta = advancingRto ? jiffiesToUs(sk.rtoJiffies) : rtoDeltaUs(sk);
        if (rtoDelta > 0) timeout = Math.min(timeout, usToJiffies(rtoDelta));
        sk.arm(Timer.Kind.LOSS_PROBE, timeout);
        return true;
    }

    /**
     * tcp_send_loss_probe: one probe at a time (tlp_high_seq); new data if the window lets it go, else the last
     * segment sent again (__tcp_retransmit_skb: not counted as a retransmission, retrans_stamp untouched); then
     * the RTO, in full from now.
     */
    void lossProbeTimer(TcpSock sk) {
        if (sk.rtxQueue.isEmpty()) return;
        if (sk.tlpHighSeq != -1) {
            rearmRtoAfterProbe(sk, false);
            return;
        }
        long dataEnd = sk.writeSeq - (sk.finQueued ? 1 : 0);
        if (Seq.after(dataEnd, sk.sndNxt)) {
            throw refuse("a tail loss probe with new data to send");
        }
        long[] last = sk.rtxQueue.peekLast();
        transmit(sk, last);
        sk.tlpHighSeq = sk.sndNxt;
        rearmRtoAfterProbe(sk, true);
    }

    /** tcp_rearm_rto at the end of tcp_send_loss_probe: after a probe sent, icsk_pending is 0, so a full RTO. */
    private void rearmRtoAfterProbe(TcpSock sk, boolean probeSent) {
        if (probeSent) {
            sk.cancel(Timer.Kind.LOSS_PROBE);
            rearmRto(sk);
        } else {
            long rto = usToJiffies(Math.max(rtoDeltaUs(sk), 1));
            sk.arm(Timer.Kind.RTO, rto);
        }
    }

    /** Sends a queued segment again, as it was (its flags, its bytes), with the current ACK and window. */
    private void transmit(TcpSock sk, long[] e) {
        boolean fin = (e[FLAGS] & TcpFlags.FIN) != 0;
        int len = Seq.diff(e[END], e[SEQ]) - (fin ? 1 : 0);
        byte[] data = len == 0 ? Segment.NO_DATA : sk.sendQueue.peek(Seq.diff(e[SEQ], sk.sndUna), len);
        stack.output.sendSegment(sk, (int) e[FLAGS], e[SEQ], data);
        e[SENT] = stack.now();
    }

    /**
     * tcp_retransmit_timer for a synchronized socket: give up if tcp_write_timeout says so; else enter loss,
     * retransmit the head (tcp_retransmit_skb: TCPCB_RETRANS, retrans_stamp set at the first), back off (icsk_rto
     * doubled, at most TCP_RTO_MAX) and re-arm. Measured (section 26, tcp_retries2=4, cold): the probe at 278 ms, RTO
     * retransmissions at 534, 1050, 2070, 4118 ms, the death at 8375 ms.
     */
    void rtoTimer(TcpSock sk) {
        if (sk.rtxQueue.isEmpty()) return;
        if (writeTimeout(sk)) return;
        if (sk.rtxQueue.size() > 1)
            throw refuse("an RTO with more than one segment in flight (loss recovery: tcp_xmit_retransmit_queue, cwnd)");
        sk.lossState = true; // tcp_enter_loss
        sk.retransmits++;
        long[] head = sk.rtxQueue.peek();
        transmit(sk, head);
        head[RETRANS] = 1;
        if (sk.retransStampMs == 0) sk.retransStampMs = Math.max(1, stack.now() / 1_000_000L);
        sk.backoff++;
        sk.rtoJiffies = Math.min(sk.rtoJiffies << 1, usToJiffies(RTO_MAX_US));
        sk.arm(Timer.Kind.RTO, clampRtoToUserTimeout(sk));
    }

    /**
     * tcp_clamp_rto_to_user_timeout: with TCP_USER_TIMEOUT the timer fires no later than the user timeout after
     * retrans_stamp (at once when it has passed). Measured (section 26, TCP_USER_TIMEOUT=3000): the last interval
     * 1408 ms instead of 2048.
     */
    private long clampRtoToUserTimeout(TcpSock sk) {
        if (sk.userTimeoutMs == 0) return sk.rtoJiffies;
        long remaining = sk.userTimeoutMs - (stack.now() / 1_000_000L - sk.retransStampMs);
        if (remaining <= 0) return 1;
        long j = (remaining * stack.profile.hz() + 999) / 1000; // msecs_to_jiffies rounds up
        return Math.min(sk.rtoJiffies, j);
    }

    /**
     * tcp_write_timeout for a synchronized socket: retransmits_timed_out with tcp_retries2 (an orphan:
     * tcp_orphan_retries, where 0 means 8 while the RTO is below TCP_RTO_MAX), TCP_RTO_MIN as the base, from
     * retrans_stamp; then tcp_write_err: ETIMEDOUT, the queues purged, tcp_done, and no RST.
     */
    private boolean writeTimeout(TcpSock sk) {
        if (sk.retransmits == 0) return false;
        int retries = stack.profile.retries2();
        if (sk.dead) {
            boolean alive = jiffiesToUs(sk.rtoJiffies) < RTO_MAX_US;
            retries = stack.profile.orphanRetries();
            if (retries == 0 && alive) retries = 8;
        }
        // retransmits_timed_out: TCP_USER_TIMEOUT, when set, is the budget instead of the retries' model.
        long budget = sk.userTimeoutMs > 0 ? sk.userTimeoutMs : TcpOutput.modelTimeoutMs(retries, RTO_MIN_US / 1000);
        if (stack.now() / 1_000_000L - sk.retransStampMs < budget) return false;
        sk.skErr = Errno.ETIMEDOUT;
        sk.sendQueue.clear();
        sk.rtxQueue.clear();
        boolean dead = sk.dead;
        stack.input.done(sk, Cause.RETRANSMITS_TIMED_OUT);
        if (!dead) sk.waitQueue.wake(WaitQueue.KEY_ERROR); // sk_error_report
        return true;
    }

    // ---------------------------------------------------------------- receiving ACKs

    /**
     * tcp_ack / tcp_clean_rtx_queue for an ACK that moved snd_una: the segments it covers leave the queue; an RTT
     * sample from the first of them never retransmitted by an RTO (Karn), else from the timestamp echo
     * (tcp_ack_update_rtt: tcp_rtt_tsopt_us); icsk_retransmits and the backoff reset; then the timers
     * (tcp_set_xmit_timer: a probe, else the RTO; nothing left in flight: none).
     */
    void acked(TcpSock sk, long ack, long tsEcr) {
        long firstSent = -1;
        boolean acked = false;
        while (!sk.rtxQueue.isEmpty()) {
            long[] e = sk.rtxQueue.peek();
            if (Seq.after(e[END], ack)) {
                if (Seq.after(ack, e[SEQ])) e[SEQ] = ack; // tcp_trim_head: the rest stays queued
                break;
            }
            sk.rtxQueue.poll();
            acked = true;
            if (e[RETRANS] == 0 && firstSent < 0) firstSent = e[SENT];
        }
        sk.retransmits = 0;
        long rttUs = -1;
        if (firstSent >= 0) rttUs = Math.max(1, (stack.now() - firstSent) / 1000);
        else if (acked && sk.tsOk && tsEcr != 0) rttUs = tsRttUs(sk, tsEcr);
        if (rttUs > 0) {
            rttSample(sk, rttUs);
            sk.backoff = 0;
        }
        if (sk.tlpHighSeq != -1 && !Seq.before(ack, sk.tlpHighSeq)) sk.tlpHighSeq = -1; // tcp_process_tlp_ack
        if (sk.rtxQueue.isEmpty()) {
            sk.lossState = false;
            sk.retransStampMs = 0;
            sk.cancel(Timer.Kind.RTO);
            sk.cancel(Timer.Kind.LOSS_PROBE);
            return;
        }
        if (!scheduleLossProbe(sk, true)) rearmRto(sk);
    }

    /**
     * The handshake's RTT sample (tcp_ack_update_rtt from tcp_clean_rtx_queue on the SYN, tcp_synack_rtt_meas on the
     * SYN-ACK): the time since the SYN or SYN-ACK left if it was sent once, else (Karn) the timestamp echo.
     */
    void handshakeSample(TcpSock sk, long sentNanos, boolean once, long tsEcr) {
        long rtt = once ? Math.max(1, (stack.now() - sentNanos) / 1000) : sk.tsOk && tsEcr != 0 ? tsRttUs(sk, tsEcr) : -1;
        if (rtt > 0) rttSample(sk, rtt);
    }

    /** tcp_rtt_tsopt_us: now less the echoed timestamp, in ms, as us (1 us for 0). */
    private long tsRttUs(TcpSock sk, long tsEcr) {
        long delta = Seq.mask(stack.tsNow(sk.tsOffset) - tsEcr);
        if (delta > Integer.MAX_VALUE / 1000) return -1;
        return delta == 0 ? 1 : delta * 1000;
    }

    /**
     * tcp_rtt_estimator then tcp_set_rto: srtt (x8) and mdev (x4) in us, rttvar at least TCP_RTO_MIN, and the RTO
     * srtt + rttvar rounded up to jiffies, at most TCP_RTO_MAX. One sample of 50 ms gives 250 ms, 63 jiffies: the
     * measured rto:252 (section 24).
     */
    void rttSample(TcpSock sk, long m) {
        long srtt = sk.srttUs8;
        if (srtt != 0) {
            m -= srtt >> 3;
            srtt += m;
            if (m < 0) {
                m = -m;
                m -= sk.mdevUs >> 2;
                if (m > 0) m >>= 3;
            } else {
                m -= sk.mdevUs >> 2;
            }
            sk.mdevUs += m;
            if (sk.mdevUs > sk.mdevMaxUs) {
                sk.mdevMaxUs = sk.mdevUs;
                if (sk.mdevMaxUs > sk.rttvarUs) sk.rttvarUs = sk.mdevMaxUs;
            }
            if (Seq.after(sk.sndUna, sk.rttSeq)) {
                if (sk.mdevMaxUs < sk.rttvarUs) sk.rttvarUs -= (sk.rttvarUs - sk.mdevMaxUs) >> 2;
                sk.rttSeq = sk.sndNxt;
                sk.mdevMaxUs = RTO_MIN_US;
            }
        } else {
            srtt = m << 3;
            sk.mdevUs = m << 1;
            sk.rttvarUs = Math.max(sk.mdevUs, RTO_MIN_US);
            sk.mdevMaxUs = sk.rttvarUs;
            sk.rttSeq = sk.sndNxt;
        }
        sk.srttUs8 = Math.max(1, srtt);
        sk.rtoJiffies = Math.min(usToJiffies((sk.srttUs8 >> 3) + sk.rttvarUs), usToJiffies(RTO_MAX_US));
    }

    // ---------------------------------------------------------------- the receiver

    /** An out-of-order segment on a host with a link: the OFO queue and SACK are not modelled yet. */
    void outOfOrder() {
        throw refuse("an out-of-order segment (the out-of-order queue, SACK blocks)");
    }

    /** What tcpsim step shows of the machinery: srtt, rto, backoff, in flight. */
    String describe(TcpSock sk) {
        return String.format("srtt %.1f ms rto %d ms backoff %d in flight %d", sk.srttUs8 / 8000.0,
                jiffiesToUs(sk.rtoJiffies) / 1000, sk.backoff, sk.rtxQueue.size());
    }
}
