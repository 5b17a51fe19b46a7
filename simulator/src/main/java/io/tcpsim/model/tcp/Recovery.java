package io.tcpsim.model.tcp;

import io.tcpsim.model.tcp.Congestion.CaState;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Loss recovery of a sender on a host with a link: the SACK scoreboard (tcp_sacktag_write_queue), RACK's loss
 * detection (tcp_rack_advance, tcp_rack_detect_loss, tcp_rack_mark_lost, tcp_rack_reo_timeout: a packet is lost once
 * a packet sent after it was delivered and more than the RTT plus the reordering window has passed; the window is 0
 * once tp->reordering (3) packets are SACKed, so a lost packet with three behind it goes on the third duplicate
 * ACK), the state machine of tcp_fastretrans_alert (Open, Disorder, Recovery), tcp_enter_recovery with CUBIC's
 * ssthresh, proportional rate reduction (tcp_cwnd_reduction) and the retransmissions (tcp_xmit_retransmit_queue).
 * The retransmission queue's entries are {@link TcpRetransmit}'s; this class keeps their SACKED bits. Measured in
 * kernel-measurements.md section 31: the first of ten segments lost is retransmitted on the third duplicate ACK,
 * and cwnd is 7 with ssthresh 7 afterwards.
 */
final class Recovery {
    /** TCPCB_SACKED_ACKED, TCPCB_SACKED_RETRANS (retransmitted, not yet ACKed), TCPCB_LOST. */
    static final long S_ACKED = 1, S_RETRANS = 2, LOST = 4;
    /** sysctl tcp_reordering: the duplicate threshold RACK's reordering window honours. */
    static final int REORDERING = 3;

    private final TcpStack stack;

    Recovery(TcpStack stack) {
        this.stack = stack;
    }

    private TcpRetransmit rtx() {
        return stack.rtx;
    }

    private long nowUs() {
        return stack.now() / 1000;
    }

    /** tcp_packets_in_flight: packets out, less those SACKed or lost, plus retransmissions out. */
    static int inFlight(TcpSock sk) {
        Congestion.State c = sk.cc;
        return sk.rtxQueue.size() - (c.sackedOut + c.lostOut) + c.retransOut;
    }

    static boolean inCwndReduction(Congestion.State c) {
        return c.caState == CaState.CWR || c.caState == CaState.RECOVERY;
    }

    /** What one ACK told the scoreboard (tcp_sacktag_write_queue, tcp_clean_rtx_queue). */
    static final class AckState {
        int newlySacked;
        /** The earliest and latest send time of packets newly SACKed never retransmitted, or -1. */
        long firstSackNs = -1, lastSackNs = -1;
    }

    /**
     * tcp_sacktag_write_queue: every queued packet a SACK block covers whole is SACKED (tcp_sacktag_one: it leaves
     * the lost and retransmitted counts, RACK advances to it). D-SACK blocks (below the cumulative ACK, or inside
     * the first block) report a duplicate: nothing to tag.
     */
    AckState sacktag(TcpSock sk, Segment seg) {
        AckState st = new AckState();
        TcpOption.Sack sack = null;
        for (TcpOption o : seg.options()) if (o instanceof TcpOption.Sack s) sack = s;
        if (sack == null || !sk.sackOk) return st;
        Congestion.State c = sk.cc;
        long ack = seg.ack();
        for (int i = 0; i < sack.blocks().size(); i++) {
            long[] b = sack.blocks().get(i);
            long start = b[0], end = b[1];
            if (!Seq.after(end, ack)) continue; // D-SACK below the cumulative ACK
            if (i == 0 && sack.blocks().size() > 1) {
                long[] b1 = sack.blocks().get(1);
                if (!Seq.after(end, b1[1]) && !Seq.before(start, b1[0])) continue; // D-SACK inside the next block
            }
            for (long[] e : sk.rtxQueue) {
                if (Seq.before(e[TcpRetransmit.SEQ], start) || Seq.after(e[TcpRetransmit.END], end)) continue;
                if ((e[TcpRetransmit.SACKED] & S_ACKED) != 0) continue;
                long sacked = e[TcpRetransmit.SACKED];
                if ((sacked & S_RETRANS) != 0) {
                    c.retransOut--;
                } else if (e[TcpRetransmit.RETRANS] == 0) {
                    long sent = e[TcpRetransmit.SENT];
                    if (st.firstSackNs < 0 || sent < st.firstSackNs) st.firstSackNs = sent;
                    st.lastSackNs = Math.max(st.lastSackNs, sent);
                }
                if ((sacked & LOST) != 0) c.lostOut--;
                rackAdvance(sk, e);
                e[TcpRetransmit.SACKED] = (sacked & ~(LOST | S_RETRANS)) | S_ACKED;
                c.sackedOut++;
                st.newlySacked++;
            }
        }
        return st;
    }

    /** A packet ACKed or SACKed: RACK's most recent delivery (tcp_rack_advance), skipping a retransmission ACKed too soon. */
    void rackAdvance(TcpSock sk, long[] e) {
        Congestion.State c = sk.cc;
        long xmit = e[TcpRetransmit.SENT];
        long rttUs = (stack.now() - xmit) / 1000;
        if (e[TcpRetransmit.RETRANS] != 0 && rttUs < c.minRttUs) return; // the ACK may be for the original
        c.rackAdvanced = true;
        c.rackRttUs = rttUs;
        if (sentAfter(xmit, e[TcpRetransmit.END], c.rackXmitNs, c.rackEndSeq)) {
            c.rackXmitNs = xmit;
            c.rackEndSeq = e[TcpRetransmit.END];
        }
    }

    /** tcp_skb_sent_after: later, or at the same instant with a higher sequence. */
    private static boolean sentAfter(long t1, long seq1, long t2, long seq2) {
        return t1 > t2 || (t1 == t2 && Seq.after(seq1, seq2));
    }

    /** A packet the cumulative ACK covers leaves the counts (tcp_clean_rtx_queue). */
    static void unaccount(TcpSock sk, long[] e) {
        Congestion.State c = sk.cc;
        long s = e[TcpRetransmit.SACKED];
        if ((s & S_RETRANS) != 0) c.retransOut--;
        if ((s & S_ACKED) != 0) c.sackedOut--;
        if ((s & LOST) != 0) c.lostOut--;
    }

    /** tcp_rack_reo_wnd: 0 once 3 packets are SACKed or in recovery (no reordering seen), else min_rtt / 4. */
    private static long reoWndUs(TcpSock sk) {
        Congestion.State c = sk.cc;
        if (c.caState == CaState.RECOVERY || c.caState == CaState.LOSS) return 0;
        if (c.sackedOut >= REORDERING) return 0;
        long min = c.minRttUs == Long.MAX_VALUE ? 0 : c.minRttUs;
        return Math.min(min >> 2, sk.srttUs8 >> 3);
    }

    /**
     * tcp_rack_detect_loss: in send order, each packet not delivered, sent before RACK's latest delivery and
     * waiting longer than the RTT plus the reordering window is lost (tcp_mark_skb_lost). Returns the longest wait
     * still to go, in us (0: none).
     */
    private long detectLoss(TcpSock sk) {
        Congestion.State c = sk.cc;
        long reoWnd = reoWndUs(sk);
        long timeout = 0;
        List<long[]> order = new ArrayList<>(sk.rtxQueue.size());
        for (long[] e : sk.rtxQueue) if ((e[TcpRetransmit.SACKED] & S_ACKED) == 0) order.add(e);
        order.sort(Comparator.<long[]>comparingLong(e -> e[TcpRetransmit.SENT])
                .thenComparing((a, b) -> Seq.before(a[TcpRetransmit.END], b[TcpRetransmit.END]) ? -1 : 1));
        for (long[] e : order) {
            long s = e[TcpRetransmit.SACKED];
            if ((s & LOST) != 0 && (s & S_RETRANS) == 0) continue;
            if (!sentAfter(c.rackXmitNs, c.rackEndSeq, e[TcpRetransmit.SENT], e[TcpRetransmit.END])) break;
            long remaining = c.rackRttUs + reoWnd - (stack.now() - e[TcpRetransmit.SENT]) / 1000;
            if (remaining <= 0) markLost(c, e);
            else timeout = Math.max(timeout, remaining);
        }
        return timeout;
    }

    /** tcp_mark_skb_lost: counted lost; a retransmission lost again no longer counts as out. */
    private static void markLost(Congestion.State c, long[] e) {
        long s = e[TcpRetransmit.SACKED];
        if ((s & LOST) == 0) c.lostOut++;
        if ((s & S_RETRANS) != 0) c.retransOut--;
        e[TcpRetransmit.SACKED] = (s | LOST) & ~S_RETRANS;
    }

    /**
     * tcp_rack_mark_lost: after RACK advanced, detect losses; packets not yet due arm the reordering timer
     * (ICSK_TIME_REO_TIMEOUT) for the longest wait plus TCP_TIMEOUT_MIN (2 jiffies). Returns whether it armed it.
     */
    boolean rackMarkLost(TcpSock sk) {
        Congestion.State c = sk.cc;
        if (!c.rackAdvanced) return false;
        c.rackAdvanced = false;
        long timeout = detectLoss(sk);
        if (timeout > 0) {
            long j = 1_000_000L / stack.profile.hz();
            sk.arm(Timer.Kind.REO_TIMEOUT, Math.min((timeout + j - 1) / j + 2, sk.rtoJiffies));
            return true;
        }
        return false;
    }

    /** tcp_rack_reo_timeout: losses found on the timer start recovery and go again; then the RTO. */
    void reoTimeout(TcpSock sk) {
        Congestion.State c = sk.cc;
        if (sk.rtxQueue.isEmpty()) return;
        int priorInflight = inFlight(sk);
        int lostBefore = c.lostOut;
        detectLoss(sk);
        if (priorInflight != inFlight(sk)) {
            if (c.caState != CaState.RECOVERY) {
                enterRecovery(sk);
                cwndReduction(sk, 1, c.lostOut - lostBefore, false);
            }
            xmitRetransmitQueue(sk);
        }
        if (sk.timer(Timer.Kind.RTO) == null) rtx().rearmRto(sk);
    }

    /**
     * tcp_fastretrans_alert for a dubious ACK (duplicate, SACK news, or outside Open): leave Recovery once high_seq
     * is ACKed (tcp_try_undo_recovery, tcp_end_cwnd_reduction: cwnd = ssthresh); detect losses (RACK); with none,
     * Open or Disorder (tcp_try_keep_open), else enter Recovery. Returns whether the lost packets are to go again
     * (REXMIT_LOST) and, in {@code timerArmed}[0], whether RACK armed its timer.
     */
    boolean fastretransAlert(TcpSock sk, boolean[] timerArmed) {
        Congestion.State c = sk.cc;
        if (sk.rtxQueue.isEmpty() && c.sackedOut > 0) c.sackedOut = 0;
        if (c.caState == CaState.RECOVERY && !Seq.before(sk.sndUna, c.highSeq)) {
            // tcp_try_undo_recovery finds nothing to undo (the retransmission was needed): Open, then cwnd = ssthresh.
            c.caState = CaState.OPEN;
            c.cwnd = c.ssthresh;
        }
        if (c.caState == CaState.RECOVERY) {
            timerArmed[0] = rackMarkLost(sk);
            return true;
        }
        timerArmed[0] = rackMarkLost(sk);
        if (c.lostOut == 0) { // tcp_time_to_recover: RACK marked nothing lost
            tryKeepOpen(sk);
            return false;
        }
        enterRecovery(sk);
        return true;
    }

    /** tcp_try_keep_open: Disorder while packets are SACKed, lost or retransmitted, else Open. */
    void tryKeepOpen(TcpSock sk) {
        Congestion.State c = sk.cc;
        CaState state = c.sackedOut + c.lostOut > 0 || c.retransOut > 0 ? CaState.DISORDER : CaState.OPEN;
        if (c.caState != state) {
            c.caState = state;
            c.highSeq = sk.sndNxt;
        }
    }

    /** tcp_enter_recovery with tcp_init_cwnd_reduction: high_seq, prior_cwnd, PRR from zero, CUBIC's ssthresh. */
    void enterRecovery(TcpSock sk) {
        Congestion.State c = sk.cc;
        c.highSeq = sk.sndNxt;
        sk.tlpHighSeq = -1;
        c.cwndCnt = 0;
        c.priorCwnd = c.cwnd;
        c.prrDelivered = 0;
        c.prrOut = 0;
        c.ssthresh = stack.congestion.ssthresh(sk);
        c.caState = CaState.RECOVERY;
    }

    /**
     * tcp_cwnd_reduction (proportional rate reduction, RFC 6937): while more is in flight than ssthresh, send in
     * proportion to what is delivered (ssthresh / prior_cwnd); below it, catch up at most to ssthresh; and at least one
     * packet when recovery starts (the fast retransmit).
     */
    void cwndReduction(TcpSock sk, int newlyAckedSacked, int newlyLost, boolean unaAdvanced) {
        Congestion.State c = sk.cc;
        if (newlyAckedSacked <= 0 || c.priorCwnd == 0) return;
        int delta = c.ssthresh - inFlight(sk);
        c.prrDelivered += newlyAckedSacked;
        int sndcnt;
        if (delta < 0) {
            long dividend = (long) c.ssthresh * c.prrDelivered + c.priorCwnd - 1;
            sndcnt = (int) (dividend / c.priorCwnd) - c.prrOut;
        } else {
            sndcnt = Math.max(c.prrDelivered - c.prrOut, newlyAckedSacked);
            if (unaAdvanced && newlyLost == 0) sndcnt++;
            sndcnt = Math.min(delta, sndcnt);
        }
        sndcnt = Math.max(sndcnt, c.prrOut > 0 ? 0 : 1);
        c.cwnd = inFlight(sk) + sndcnt;
    }

    /**
     * tcp_xmit_retransmit_queue: the lost packets, in sequence order, while cwnd has room and fewer are out again
     * than are lost; retransmitting the head re-arms the RTO unless RACK's timer is pending.
     */
    void xmitRetransmitQueue(TcpSock sk) {
        Congestion.State c = sk.cc;
        boolean rearm = false;
        long[] head = sk.rtxQueue.peek();
        for (long[] e : sk.rtxQueue) {
            if (c.cwnd - inFlight(sk) <= 0) break;
            if (c.retransOut >= c.lostOut) break;
            long s = e[TcpRetransmit.SACKED];
            if ((s & LOST) == 0) continue;
            if ((s & (S_ACKED | S_RETRANS)) != 0) continue;
            rtx().retransmit(sk, e);
            e[TcpRetransmit.SACKED] |= S_RETRANS;
            c.retransOut++;
            if (inCwndReduction(c)) c.prrOut++;
            if (e == head && sk.timer(Timer.Kind.REO_TIMEOUT) == null) rearm = true;
        }
        if (rearm) sk.arm(Timer.Kind.RTO, sk.rtoJiffies);
    }

    /**
     * tcp_enter_loss, when the RTO fires: the ssthresh from CUBIC (once per loss episode), every packet not SACKed
     * marked lost except those sent too recently for RACK to call them lost (tcp_timeout_mark_lost), cwnd what is in
     * flight plus one, high_seq, and F-RTO armed (tcp_frto 2). The caller retransmits the head.
     */
    void enterLoss(TcpSock sk) {
        Congestion.State c = sk.cc;
        boolean newRecovery = c.caState.ordinal() < CaState.RECOVERY.ordinal();
        if (c.caState.ordinal() <= CaState.DISORDER.ordinal() || !Seq.after(c.highSeq, sk.sndUna)
                || (c.caState == CaState.LOSS && sk.retransmits == 0)) {
            c.priorSsthresh = Congestion.currentSsthresh(c);
            c.priorCwnd = c.cwnd;
            c.ssthresh = stack.congestion.ssthresh(sk);
        }
        long[] head = sk.rtxQueue.peek();
        for (long[] e : sk.rtxQueue) {
            if ((e[TcpRetransmit.SACKED] & S_ACKED) != 0) continue;
            if (e != head && c.rackXmitNs >= 0 && c.rackRttUs - (stack.now() - e[TcpRetransmit.SENT]) / 1000 > 0) continue;
            markLost(c, e);
        }
        c.cwnd = inFlight(sk) + 1;
        c.cwndCnt = 0;
        c.caState = CaState.LOSS;
        c.highSeq = sk.sndNxt;
        sk.tlpHighSeq = -1;
        c.frto = newRecovery || sk.retransmits > 0;
    }

    /**
     * tcp_process_loss, for an ACK in Loss: F-RTO (RFC 5682 with SACK): never-retransmitted data ACKed or SACKed
     * means the timeout was spurious (tcp_try_undo_loss: cwnd and ssthresh back, Open); the first ACK that moves
     * snd_una sends new data rather than retransmitting (REXMIT_NEW); SACKs after that show the loss was real.
     * Everything up to high_seq ACKed ends Loss (Open). Returns 0 (nothing to send), 1 (the lost packets) or 2 (new
     * data first).
     */
    int processLoss(TcpSock sk, boolean unaAdvanced, boolean dataSacked, boolean origAcked) {
        Congestion.State c = sk.cc;
        boolean recovered = !Seq.before(sk.sndUna, c.highSeq);
        if (c.frto) {
            if (origAcked) { // tcp_try_undo_loss(sk, true): a spurious timeout
                c.cwnd = Math.max(c.cwnd, c.priorCwnd);
                c.ssthresh = Math.max(c.ssthresh, c.priorSsthresh);
                for (long[] e : sk.rtxQueue) {
                    if ((e[TcpRetransmit.SACKED] & LOST) != 0) {
                        e[TcpRetransmit.SACKED] &= ~LOST;
                        c.lostOut--;
                    }
                }
                sk.retransmits = 0;
                c.caState = CaState.OPEN;
                return 0;
            }
            if (Seq.after(sk.sndNxt, c.highSeq)) {
                if (dataSacked) c.frto = false; // step 3.a: the loss was real
            } else if (unaAdvanced && !recovered) {
                c.highSeq = sk.sndNxt;
                long dataEnd = sk.writeSeq - (sk.finQueued ? 1 : 0);
                if (Seq.after(dataEnd, sk.sndNxt) && Seq.after(sk.sndUna + sk.sndWnd, sk.sndNxt)) return 2;
                c.frto = false;
            }
        }
        if (recovered) { // tcp_try_undo_recovery finds nothing to undo
            c.caState = CaState.OPEN;
            return 0;
        }
        return 1;
    }

    /** The SACK scoreboard as tcpsim step shows it: the SACKed ranges, then those lost, relative to the ISN. */
    static String describe(TcpSock sk) {
        StringBuilder sacked = new StringBuilder(), lost = new StringBuilder();
        for (long[] e : sk.rtxQueue) {
            long s = e[TcpRetransmit.SACKED];
            StringBuilder to = (s & S_ACKED) != 0 ? sacked : (s & LOST) != 0 ? lost : null;
            if (to == null) continue;
            if (to.length() > 0) to.append(' ');
            to.append(Seq.mask(e[TcpRetransmit.SEQ] - sk.iss)).append(':').append(Seq.mask(e[TcpRetransmit.END] - sk.iss));
        }
        Congestion.State c = sk.cc;
        return "sacked [" + sacked + "] lost [" + lost + "] retrans out " + c.retransOut;
    }
}
