package io.tcpsim.model.tcp;

import io.tcpsim.backend.Cause;
import io.tcpsim.backend.NotModelled;
import io.tcpsim.backend.TcpState;
import io.tcpsim.calls.Errno;
import io.tcpsim.model.WaitQueue;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;

/**
 * The retransmission machinery for data and FIN on a host with a link (a script with {@code hosts:}; on loopback
 * nothing is ever lost and the model keeps none of this): the retransmission queue, RTT sampling
 * (tcp_rtt_estimator), the RTO (tcp_set_rto, 200 ms minimum), the tail loss probe (tcp_schedule_loss_probe,
 * tcp_send_loss_probe), the RTO timer with exponential backoff (tcp_retransmit_timer) and giving up
 * (tcp_write_timeout, retransmits_timed_out, tcp_write_err). docs/model.md, "Two hosts on a link"; measured in
 * kernel-measurements.md sections 24 and 26.
 *
 * <p>The congestion window is {@link Congestion}'s, loss recovery {@link Recovery}'s (SACK, RACK, PRR), the
 * receiver's out-of-order queue {@link OfoQueue}'s. What it does not follow yet is refused ({@link NotModelled}) when
 * the run gets there: an RTO with more than one segment outstanding (tcp_enter_loss with F-RTO), a zero window with
 * nothing in flight (the persist timer).
 */
final class TcpRetransmit {
    /** TCP_RTO_MIN (200 ms) and TCP_TIMEOUT_MIN (2 ms), in us. */
    static final long RTO_MIN_US = 200_000, TIMEOUT_MIN_US = 2_000;
    /** TCP_RTO_MAX: 120 s. */
    static final long RTO_MAX_US = 120_000_000;
    /** Entry fields of {@link TcpSock#rtxQueue}: RETRANS is TCPCB_EVER_RETRANS, SACKED {@link Recovery}'s bits. */
    static final int SEQ = 0, END = 1, SENT = 2, FLAGS = 3, RETRANS = 4, SACKED = 5;

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

    /** TCP_INIT_CWND: what a host without the congestion window (packetdrill's) lets be in flight before it refuses. */
    static final int INIT_CWND = 10;

    /**
     * New data or a FIN left (tcp_event_new_data_sent): it joins the retransmission queue. Without the congestion
     * window (packetdrill's one-sided host) refused past the initial window.
     */
    void newDataSent(TcpSock sk, long seq, long end, int flags) {
        if (sk.cc == null && sk.rtxQueue.size() >= INIT_CWND)
            throw refuse("more than " + INIT_CWND + " segments in flight (the congestion window: slow start, CUBIC)");
        sk.rtxQueue.add(new long[] {seq, end, stack.now(), flags, 0, 0});
    }

    /**
     * The sender's congestion state, made when the connection is established on a host whose link models it
     * (tcp_init_transfer: cubictcp_init, the pacing rate).
     */
    void established(TcpSock sk) {
        if (sk.cc != null || !stack.congestionModelled()) return;
        sk.cc = new Congestion.State();
        stack.congestion.init(sk);
        if (sk.srttUs8 != 0) sk.cc.minRttUs = Math.max(1, sk.srttUs8 >> 3); // the handshake's sample
        stack.congestion.updatePacingRate(sk, stack.output.sendMss(sk), 0);
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
        if (sk.timer(Timer.Kind.LOSS_PROBE) != null || sk.timer(Timer.Kind.REO_TIMEOUT) != null)
            rto = usToJiffies(Math.max(rtoDeltaUs(sk), 1));
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
        if (sk.cc != null && sk.cc.caState != Congestion.CaState.OPEN && sk.cc.caState != Congestion.CaState.CWR)
            return false;
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
        if (Seq.after(dataEnd, sk.sndNxt) && Seq.diff(sk.sndUna + sk.sndWnd, sk.sndNxt) >= Math.min(
                stack.output.sendMss(sk), Seq.diff(dataEnd, sk.sndNxt))) {
            // New data the window allows: one segment, cwnd or not (tcp_write_xmit with push_one 2).
            int before = sk.rtxQueue.size();
            stack.output.pushLossProbe(sk);
            if (sk.rtxQueue.size() > before) {
                sk.tlpHighSeq = sk.sndNxt;
                rearmRtoAfterProbe(sk, true);
            } else {
                rearmRtoAfterProbe(sk, false);
            }
            return;
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

    /**
     * tcp_retransmit_skb from recovery (tcp_xmit_retransmit_queue): counted (retrans_stamp at the first) and
     * marked, so that Karn's rule keeps it out of the RTT samples.
     */
    void retransmit(TcpSock sk, long[] e) {
        if (collapsible(sk, e) != null)
            throw refuse("a short retransmission in recovery that would take in the segment after it "
                    + "(tcp_retrans_try_collapse)");
        transmit(sk, e);
        e[RETRANS] = 1;
        if (sk.retransStampMs == 0) sk.retransStampMs = Math.max(1, stack.now() / 1_000_000L);
    }

    /**
     * tcp_retrans_try_collapse, from __tcp_retransmit_skb (sysctl tcp_retrans_collapse, 1 by default): a segment
     * shorter than an MSS and than what the window leaves from its start takes in the segments queued after it while
     * they fit, their bytes and their flags (a FIN queued behind the data goes with it), none of them SACKed
     * (tcp_can_collapse), none ending past the window (tcp_wnd_end), the space counted from the first
     * (tcp_collapse_retrans merges each into it, tcp_adjust_pcount takes it out of the counts). Found by the two-host
     * differential fuzzer: 958 bytes and then the FIN of a close, both lost on a link that was down, come back from
     * the RTO as one [FP.] of 958 bytes.
     */
    private void collapse(TcpSock sk, long[] to) {
        long[] next;
        while ((next = collapsible(sk, to)) != null) {
            to[END] = next[END];
            to[FLAGS] |= next[FLAGS];
            to[RETRANS] |= next[RETRANS];
            if (sk.cc != null) Recovery.unaccount(sk, next);
            sk.rtxQueue.remove(next);
        }
    }

    /** The segment after {@code to} that tcp_retrans_try_collapse would merge into it now, or null. */
    private long[] collapsible(TcpSock sk, long[] to) {
        if ((to[FLAGS] & (TcpFlags.SYN | TcpFlags.FIN)) != 0) return null;
        long wndEnd = Seq.mask(sk.sndUna + sk.sndWnd);
        int avail = Math.min(Seq.diff(wndEnd, to[SEQ]), stack.output.sendMss(sk));
        int len = Seq.diff(to[END], to[SEQ]);
        if (len >= avail) return null;
        long[] next = null;
        for (java.util.Iterator<long[]> it = sk.rtxQueue.iterator(); it.hasNext(); ) {
            if (it.next() == to) {
                next = it.hasNext() ? it.next() : null;
                break;
            }
        }
        if (next == null || (next[SACKED] & Recovery.S_ACKED) != 0) return null;
        boolean nextFin = (next[FLAGS] & TcpFlags.FIN) != 0;
        int nextLen = Seq.diff(next[END], next[SEQ]) - (nextFin ? 1 : 0);
        if (len + nextLen > avail || Seq.after(next[END], wndEnd)) return null;
        return next;
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
        if (sk.cc == null && sk.rtxQueue.size() > 1)
            throw refuse("an RTO with more than one segment in flight (loss recovery: tcp_xmit_retransmit_queue, cwnd)");
        sk.lossState = true;
        if (sk.cc != null) stack.recovery.enterLoss(sk);
        sk.retransmits++;
        long[] head = sk.rtxQueue.peek();
        collapse(sk, head);
        transmit(sk, head);
        head[RETRANS] = 1;
        if (sk.cc != null && (head[SACKED] & Recovery.S_RETRANS) == 0) {
            head[SACKED] |= Recovery.S_RETRANS;
            sk.cc.retransOut++;
        }
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
     * tcp_ack for a valid ACK, one that moved snd_una or a duplicate ({@code priorUna} is snd_una before it). The
     * SACK blocks tag the queue (Recovery.sacktag); the segments the ACK covers leave it (tcp_clean_rtx_queue), RACK
     * advancing to each; an RTT sample from the first of them never retransmitted (Karn), else from the first newly
     * SACKed, else (snd_una moved) from the timestamp echo (tcp_ack_update_rtt: tcp_rtt_tsopt_us), which resets the
     * backoff; icsk_retransmits resets when snd_una moved. A dubious ACK (a duplicate, SACK news, or outside Open) goes
     * to tcp_fastretrans_alert. Then the timers (tcp_set_xmit_timer: a probe, else the RTO; nothing in flight: none)
     * unless RACK armed its own, the window (tcp_cong_control: PRR in recovery, else slow start or CUBIC) and the
     * retransmissions (tcp_xmit_recovery).
     */
    void ack(TcpSock sk, Segment seg, long priorUna) {
        long ack = seg.ack();
        TcpOption.Timestamps ts = seg.timestamps();
        long tsEcr = ts == null ? 0 : ts.ecr();
        Congestion.State c = sk.cc;
        boolean advanced = Seq.after(ack, priorUna);
        Recovery.AckState st = c == null ? new Recovery.AckState() : stack.recovery.sacktag(sk, seg);
        long firstSent = -1, lastSent = -1;
        boolean dataAcked = false, origAcked = false;
        int newlyAcked = 0;
        while (!sk.rtxQueue.isEmpty()) {
            long[] e = sk.rtxQueue.peek();
            if (Seq.after(e[END], ack)) {
                if (Seq.after(ack, e[SEQ])) e[SEQ] = ack; // tcp_trim_head: the rest stays queued
                break;
            }
            sk.rtxQueue.poll();
            dataAcked = true;
            boolean wasSacked = (e[SACKED] & Recovery.S_ACKED) != 0;
            if (e[RETRANS] == 0 && !wasSacked) {
                if (firstSent < 0) firstSent = e[SENT];
                lastSent = e[SENT];
                origAcked = true; // FLAG_ORIG_SACK_ACKED
            }
            if (c != null) {
                Recovery.unaccount(sk, e);
                if (!wasSacked) {
                    newlyAcked++;
                    stack.recovery.rackAdvance(sk, e);
                }
            }
        }
        if (advanced) sk.retransmits = 0;
        long rttUs = -1, caRttUs = -1;
        if (firstSent >= 0) {
            rttUs = Math.max(1, (stack.now() - firstSent) / 1000);
            caRttUs = Math.max(1, (stack.now() - lastSent) / 1000);
        } else if (st.firstSackNs >= 0) {
            rttUs = Math.max(1, (stack.now() - st.firstSackNs) / 1000);
            caRttUs = Math.max(1, (stack.now() - st.lastSackNs) / 1000);
        } else if (dataAcked && sk.tsOk && tsEcr != 0) {
            rttUs = tsRttUs(sk, tsEcr);
        }
        if (rttUs > 0) {
            if (c != null && caRttUs > 0) c.minRttUs = Math.min(c.minRttUs, caRttUs);
            rttSample(sk, rttUs);
            sk.backoff = 0;
        }
        if (c != null && dataAcked) stack.congestion.acked(sk, caRttUs); // cubictcp_acked (HyStart)
        if (sk.tlpHighSeq != -1 && !Seq.before(ack, sk.tlpHighSeq)) sk.tlpHighSeq = -1; // tcp_process_tlp_ack
        if (c == null) {
            if (advanced) setXmitTimer(sk);
            return;
        }
        // tcp_ack_is_dubious: a pure duplicate, SACK news, or not Open.
        boolean dubious = !advanced && seg.length() == 0 || st.newlySacked > 0 || c.caState != Congestion.CaState.OPEN;
        boolean rexmit = false;
        boolean[] timerArmed = {false};
        int lostBefore = c.lostOut;
        int rexmitNew = 0;
        if (c.caState == Congestion.CaState.LOSS) {
            rexmitNew = stack.recovery.processLoss(sk, advanced, st.newlySacked > 0, origAcked || st.firstSackNs >= 0);
            rexmit = rexmitNew != 0;
            if (c.caState != Congestion.CaState.LOSS) sk.lossState = false;
            else timerArmed[0] = stack.recovery.rackMarkLost(sk);
        } else if (dubious) {
            rexmit = stack.recovery.fastretransAlert(sk, timerArmed);
        }
        if (sk.rtxQueue.isEmpty()) {
            sk.lossState = false;
            sk.retransStampMs = 0;
            sk.cancel(Timer.Kind.RTO);
            sk.cancel(Timer.Kind.LOSS_PROBE);
            sk.cancel(Timer.Kind.REO_TIMEOUT);
        } else if (advanced && !timerArmed[0]) {
            setXmitTimer(sk);
        }
        int delivered = newlyAcked + st.newlySacked;
        if (Recovery.inCwndReduction(c)) {
            stack.recovery.cwndReduction(sk, delivered, c.lostOut - lostBefore, advanced);
        } else if (dataAcked) {
            stack.congestion.congAvoid(sk, delivered);
        }

        stack.congestion.updatePacingRate(sk, stack.output.sendMss(sk), sk.rtxQueue.size());
        // tcp_xmit_recovery: F-RTO's new data first (REXMIT_NEW), then the lost packets.
        if (rexmitNew == 2) {
            stack.output.push(sk, true);
            if (Seq.after(sk.sndNxt, c.highSeq)) return;
            c.frto = false;
        }
        if (rexmit) stack.recovery.xmitRetransmitQueue(sk);
    }

    /** tcp_set_xmit_timer: the loss probe if it may be scheduled, else the RTO; nothing in flight: none. */
    private void setXmitTimer(TcpSock sk) {
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

    // ---------------------------------------------------------------- a request's SYN-ACK

    /**
     * reqsk_timeout: the request's timeout (TCP_TIMEOUT_INIT, 1 s: tcp_timeout_init) doubled for each expiry so
     * far, at most TCP_RTO_MAX.
     */
    private long reqskTimeoutJiffies(RequestSock req) {
        long max = usToJiffies(RTO_MAX_US);
        long t = (long) stack.profile.hz() << Math.min(req.numTimeout, 30);
        return Math.min(t, max);
    }

    private void armSynAck(RequestSock req, long delayJiffies) {
        SynAckTimer t = new SynAckTimer(req, stack.jiffies() + delayJiffies, stack.timerFiresAt(delayJiffies));
        req.timer = t;
        stack.clock.arm(t.fires(), t);
    }

    /** tcp_conn_request -> inet_csk_reqsk_queue_hash_add: the SYN-ACK timer starts at req->timeout (1 s). */
    void synAckSent(RequestSock req) {
        if (on()) armSynAck(req, reqskTimeoutJiffies(req));
    }

    /**
     * reqsk_timer_handler: the listener's TCP_SYNCNT, else tcp_synack_retries (5), is how many expiries a request
     * lives (fewer when the queue is more than half full of old requests: the young/old pruning); until then each
     * expiry sends the SYN-ACK again (tcp_rtx_synack) and re-arms for the doubled timeout, and after the last the
     * request is dropped silently (inet_csk_reqsk_queue_drop_and_put). Measured (section 27, every SYN-ACK lost):
     * timer SYN-ACKs 1.03, 2.02, 4.13-4.22, 8.19-8.20 and 16.12-16.13 s after the previous one, then none.
     */
    void synackTimer(RequestSock req) {
        TcpSock l = req.listener;
        if (l.state() != TcpState.LISTEN) return;
        int max = l.synRetries > 0 ? l.synRetries : stack.profile.synackRetries();
        int qlen = l.synQueue.size();
        if ((qlen << 1) > Math.max(8, l.backlog)) {
            int young = 0;
            for (RequestSock r : l.synQueue.values()) if (r.numTimeout == 0) young++;
            young <<= 1;
            while (max > 2) {
                if (qlen < young) break;
                max--;
                young <<= 1;
            }
        }
        if (req.numTimeout >= max) { // syn_ack_recalc: expire
            l.synQueue.remove(new ConnKey(req.local, req.remote));
            return;
        }
        stack.output.sendSynAck(req); // inet_rtx_syn_ack
        req.numRetrans++;
        req.numTimeout++;
        armSynAck(req, reqskTimeoutJiffies(req));
    }

    /**
     * tcp_check_req, a pure retransmitted SYN: the SYN-ACK again unless one went for an out-of-window segment less
     * than 500 ms ago (tcp_oow_rate_limited), and the pending timer re-armed from now (mod_timer_pending), its count
     * unchanged. Measured (section 27): the SYN-ACK 0.02 ms after the duplicate SYN, and no timer SYN-ACK after it.
     */
    void duplicateSyn(RequestSock req) {
        if (TcpOutput.oowRateLimited(stack.now(), req.lastOowAck)) return;
        req.lastOowAck = stack.now();
        stack.output.sendSynAck(req);
        req.numRetrans++;
        if (req.timer != null && req.timer.armed()) armSynAck(req, reqskTimeoutJiffies(req));
    }

    // ---------------------------------------------------------------- the receiver

    /** An out-of-order segment on a host without the out-of-order queue (packetdrill's): refused. */
    void outOfOrder() {
        throw refuse("an out-of-order segment (the out-of-order queue, SACK blocks)");
    }

    /** What tcpsim step shows of the machinery: srtt, rto, backoff, in flight, cwnd, ssthresh, the scoreboard. */
    String describe(TcpSock sk) {
        String s = String.format(java.util.Locale.ROOT, "srtt %.1f ms rto %d ms backoff %d", sk.srttUs8 / 8000.0,
                jiffiesToUs(sk.rtoJiffies) / 1000, sk.backoff);
        if (sk.cc == null) return s;
        return s + " | " + Congestion.describe(sk.cc) + " in flight " + Recovery.inFlight(sk) + " of "
                + sk.rtxQueue.size() + " | " + Recovery.describe(sk);
    }
}
