package io.tcpsim.model.tcp;

import io.tcpsim.backend.Cause;
import io.tcpsim.backend.RstReason;
import io.tcpsim.backend.TcpState;
import io.tcpsim.wire.FrameEncoder;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What leaves the host: segments built as tcp_output.c builds them, the delayed-ACK engine (tcp_send_delayed_ack,
 * tcp_delack_timer_handler), Nagle (tcp_nagle_test with Minshall's variant), and the two kinds of RST:
 * {@link #sendActiveReset} (a socket aborting itself, tcp_send_active_reset) and {@link #sendResetReply} (an answer
 * built from the offending segment, tcp_v4_send_reset).
 */
final class TcpOutput {
    /** TCP_ATO_MIN and TCP_DELACK_MIN: HZ/25 jiffies (40 ms). */
    private final long atoMin;
    /** TCP_RTO_MIN: HZ/5 (200 ms), the floor of the retransmission timeout on loopback. */
    private final long rtoMinJiffies;
    private static final int TCP_MAX_QUICKACKS = 16;
    /*
     * SYN retransmissions: the first tcp_syn_linear_timeouts (4 on this kernel, the profile's) keep the 1 s RTO, then
     * it doubles. Measured: SYNs at +1, 2, 3, 4, 5 and 7 s; with tcp_syn_linear_timeouts=0, as kernels before it had,
     * at +1.03, 3.04 and 7.07 s (traces/captures/foreign/sysctl-syn-linear-timeouts-0-6.18.44.pcap). When they stop:
     * retransmitTimer.
     */
    /** TCP_OLEN_TSTAMP_ALIGNED: the timestamp option costs 12 bytes of every segment. */
    static final int TS_LEN = 12;

    private final TcpStack stack;

    TcpOutput(TcpStack stack) {
        this.stack = stack;
        this.atoMin = stack.profile.hz() / 25;
        this.rtoMinJiffies = stack.profile.hz() / 5;
    }

    long atoMin() {
        return atoMin;
    }

    long rtoMinJiffies() {
        return rtoMinJiffies;
    }

    // ------------------------------------------------------------------ options and windows

    /**
     * SYN and SYN-ACK options in the order tcp_options_write puts them: mss, then sackOK+TS (or nop,nop,TS or
     * nop,nop,sackOK), then nop,wscale. Measured: [mss 65495,sackOK,TS val V ecr 0,nop,wscale 10].
     */
    List<TcpOption> synOptions(int mss, long tsVal, long tsEcr, boolean ts, boolean sack) {
        return synOptions(mss, tsVal, tsEcr, ts, sack, true);
    }

    /** As {@link #synOptions(int, long, long, boolean, boolean)}; {@code ws}: with the window scale option. */
    List<TcpOption> synOptions(int mss, long tsVal, long tsEcr, boolean ts, boolean sack, boolean ws) {
        List<TcpOption> o = new ArrayList<>(6);
        o.add(new TcpOption.Mss(mss)); // tcp_advertise_mss
        if (ts) {
            if (sack) o.add(TcpOption.SACK_PERMITTED);
            else { o.add(TcpOption.NOP); o.add(TcpOption.NOP); }
            o.add(new TcpOption.Timestamps(tsVal, tsEcr));
        } else if (sack) {
            o.add(TcpOption.NOP);
            o.add(TcpOption.NOP);
            o.add(TcpOption.SACK_PERMITTED);
        }
        if (ws) {
            o.add(TcpOption.NOP);
            o.add(new TcpOption.WindowScale(stack.profile.windowScale()));
        }
        return o;
    }

    private List<TcpOption> tsOptions(TcpSock sk) {
        TcpOption.Sack sack = sk.ofo == null ? null : sk.ofo.takeOption(sk.tsOk);
        if (sack != null) {
            // tcp_options_write: nop,nop,TS then nop,nop,sack N {...} (measured, section 31).
            if (!sk.tsOk) return List.of(TcpOption.NOP, TcpOption.NOP, sack);
            return List.of(TcpOption.NOP, TcpOption.NOP, new TcpOption.Timestamps(stack.tsNow(sk.tsOffset), sk.tsRecent),
                    TcpOption.NOP, TcpOption.NOP, sack);
        }
        if (!sk.tsOk) return List.of();
        return List.of(TcpOption.NOP, TcpOption.NOP, new TcpOption.Timestamps(stack.tsNow(sk.tsOffset), sk.tsRecent));
    }

    /**
     * The initial receive window: tcp_select_initial_window rounds the space down to a multiple of the MSS it was
     * given. The active side passes advmss (65495), the passive side advmss minus the timestamp option (65483,
     * tcp_openreq_init_rwin). Measured: SYN win 65495, SYN-ACK win 65483; on ::1 (advmss 65476) 65476 and 65464. A route's initrwnd caps it at that many of
     * those segments (init_rcv_wnd); measured with {@code ip route change local 127.0.0.1 ... initrwnd 20 advmss 1460}:
     * SYN win 29200, SYN-ACK 28960 (docs/raw/foreign/route-initrwnd-20-advmss-1460-6.18.44.pcap).
     */
    long initialWindow(int advmss, boolean passive, boolean ts) {
        long win = initialSpace(advmss, passive, ts);
        if (stack.congestionModelled()) win = Math.min(win, 65535);
        if (stack.profile.initRwnd() > 0) win = Math.min(win, (long) stack.profile.initRwnd() * (advmss
                - (passive && ts ? TS_LEN : 0)));
        return win;
    }

    /**
     * tcp_select_initial_window's space, rounded down to the MSS: on the two-host link the full space of the receive
     * buffer (tcp_full_space, half of tcp_rmem[1]), which is also the first rcv_ssthresh, the window offered being at
     * most 65535 (measured with tcp_rmem 4 MB: SYN win 65535, the third ACK win 8190 at scale 8, i.e. 2 MB rounded
     * down to 1460); elsewhere 65535 (loopback's 65536 and packetdrill's buffers, as before).
     */
    long initialSpace(int advmss, boolean passive, boolean ts) {
        int mss = advmss - (passive && ts ? TS_LEN : 0);
        long space = stack.congestionModelled() ? (long) stack.profile.rcvbuf() * 128 >> 8 : 65535;
        return space > mss ? space - space % mss : space;
    }

    /**
     * The MSS the sender uses for data: the peer's MSS less the timestamp option (tcp_current_mss), and at most half
     * the largest window the peer offered (tcp_bound_to_half_wnd). Measured: a bulk send's first segment is 32741
     * bytes, half the SYN-ACK's 65483.
     */
    int sendMss(TcpSock sk) {
        int mss = Math.min(sk.peerMss, advMss(sk)) - (sk.tsOk ? TS_LEN : 0);
        if (sk.maxWindow > 536) {
            long cutoff = sk.maxWindow >> 1;
            if (mss > cutoff) mss = (int) Math.max(cutoff, 68 - 20 - (sk.tsOk ? TS_LEN : 0));
        }
        return mss;
    }

    /**
     * The truesize a received segment costs beyond its bytes. With it, the kernel's own rules below reproduce every
     * advertised window measured on lo (kernel-measurements.md section 3: win 64 for 1, 10 and 100 unread bytes, 69
     * after 1000, 109 after 10000, 93 after 32741, then 67 after 60000); any value from 829 to 848 fits.
     */
    static final int SKB_OVERHEAD = 832;

    /**
     * The truesize of a segment that came across the link: 2304 bytes for every frame up to 1514 bytes, whatever its
     * size (a 2 KiB buffer plus SKB_DATA_ALIGN(sizeof(struct sk_buff)) = 256). Measured on this machine's two-host
     * topology (kernel-measurements.md section 35): four unread segments of 130 to 1448 bytes each, the receiver's
     * ACKs advertise 63 63 63 63 for 130 to 1000 bytes, 62 61 60 59 for 1082, 66 68 67 66 for 1261, 66 69 72 73 for
     * 1400 and 66 69 72 75 for 1448, which tcp_grow_window, tcp_measure_rcv_mss's scaling ratio and the receive
     * buffer's accounting give with 2304 and with no other value tried (loopback's len + 832 gave 66 69 70 70 for 1082
     * and 64 for the small ones; the kmalloc slab of the forwarder's AF_PACKET skb, 1280 below 700 bytes, gave 64).
     * Such an skb takes no other's bytes (skb_try_coalesce refuses a kmalloc'd head), so each segment is charged in
     * full. Larger frames (an MTU above 1500) get the next power of two as their buffer: not measured.
     */
    static int wireTruesize(Segment seg) {
        int frame = FrameEncoder.ETHERNET_HEADER + FrameEncoder.IPV4_HEADER + FrameEncoder.TCP_HEADER
                + FrameEncoder.options(seg.options()).length + seg.length();
        int buffer = frame <= 1514 ? 2048 : Integer.highestOneBit(frame + 16 + 320 - 1) << 1;
        return buffer + 256;
    }

    /** tcp_win_from_space: buffer bytes to window bytes at the socket's scaling ratio. */
    private static long winFromSpace(TcpSock sk, long space) {
        return space * sk.scalingRatio >> 8;
    }

    /** tcp_space(): the window the free receive buffer allows. */
    private long freeSpace(TcpSock sk) {
        return Math.max(0, winFromSpace(sk, stack.profile.rcvbuf() - sk.rmemAlloc));
    }

    /**
     * __tcp_select_window: the free space, capped by rcv_ssthresh and aligned up to the window-scale unit; a buffer
     * less than half free is rounded down, and below 1/16 of the buffer (or one MSS) advertises zero.
     */
    private long newWindow(TcpSock sk) {
        int ws = sk.rcvWscale;
        long free = freeSpace(sk);
        long allowed = winFromSpace(sk, stack.profile.rcvbuf());
        long full = Math.min(sk.windowClamp, allowed);
        if (free < (full >> 1)) {
            sk.quick = 0; // a buffer more than half full ends quickack mode (measured: one quick ACK, then 42 ms)
            free = (free >> ws) << ws;
            if (free < (allowed >> 4) || free < sk.rcvMss) return 0;
        }
        if (free > sk.rcvSsthresh) free = sk.rcvSsthresh;
        return align(free, ws);
    }

    /**
     * tcp_grow_window, for segments of 128 bytes or more (tcp_event_data_recv): rcv_ssthresh grows towards the free
     * space, by two MSS when the segment's truesize is small enough, else by __tcp_grow_window's halving search.
     */
    void growWindow(TcpSock sk, int len, long truesize) {
        long room = Math.min(sk.windowClamp, freeSpace(sk)) - sk.rcvSsthresh;
        if (room <= 0) return;
        long incr;
        int advmss = advMss(sk) - TS_LEN;
        if (winFromSpace(sk, truesize) <= len) {
            incr = 2L * advmss;
        } else {
            long ts = winFromSpace(sk, truesize) >> 1;
            long window = winFromSpace(sk, stack.profile.tcpRmemMax()) >> 1;
            incr = 0;
            while (sk.rcvSsthresh <= window) {
                if (ts <= len) {
                    incr = 2L * sk.rcvMss;
                    break;
                }
                ts >>= 1;
                window >>= 1;
            }
        }
        if (incr > 0) {
            incr = Math.max(incr, 2L * len);
            sk.rcvSsthresh += Math.min(room, incr);
        }
    }

    /**
     * The scaling ratio follows the segments (tcp_measure_rcv_mss: len / truesize, in 256ths), and the window clamp
     * follows the ratio (tcp_set_window_clamp): a smaller clamp lowers rcv_ssthresh to it
     * (__tcp_adjust_rcv_ssthresh, no reserved memory), a larger one raises rcv_ssthresh to the current window if that
     * is higher (min(rcv_wnd, clamp)). Measured on two hosts (section 35): a 1261-byte segment after two of 1082
     * bytes, the ratio going from 120 to 140, gets win 64 where lowering alone gave 63.
     */
    void updateScalingRatio(TcpSock sk, int len, long truesize) {
        int ratio = (int) (((long) len << 8) / truesize);
        if (ratio == 0) ratio = 1;
        if (ratio == sk.scalingRatio) return;
        sk.scalingRatio = ratio;
        long clamp = winFromSpace(sk, stack.profile.rcvbuf());
        if (clamp == sk.windowClamp) return;
        long old = sk.windowClamp;
        sk.windowClamp = clamp;
        if (clamp < old) sk.rcvSsthresh = Math.min(sk.rcvSsthresh, clamp);
        else sk.rcvSsthresh = Math.max(Math.min(sk.rcvWnd, clamp), sk.rcvSsthresh);
    }

    /**
     * tcp_select_window(): the window to advertise now, in bytes, never moving the right edge left (a new window
     * smaller than what remains of the last one is rounded up to it), and aligned to the window-scale unit.
     */
    private int selectWindow(TcpSock sk) {
        int ws = sk.rcvWscale;
        long curWin = Math.max(0, Seq.diff(sk.rcvWup + sk.rcvWnd, sk.rcvNxt));
        long newWin = newWindow(sk);
        if (newWin < curWin) newWin = align(curWin, ws);
        sk.rcvWnd = newWin;
        sk.rcvWup = sk.rcvNxt;
        long raw = newWin >> ws;
        return (int) Math.min(raw, 65535);
    }

    private static long align(long v, int ws) {
        long unit = 1L << ws;
        return (v + unit - 1) / unit * unit;
    }

    /** The raw window field as the socket would advertise it now, without committing it. */
    int peekWindow(TcpSock sk) {
        long saveWnd = sk.rcvWnd, saveWup = sk.rcvWup;
        int raw = selectWindow(sk);
        sk.rcvWnd = saveWnd;
        sk.rcvWup = saveWup;
        return raw;
    }

    // ------------------------------------------------------------------ segments of a full socket

    /** tcp_transmit_skb for an established-side segment: seq, ack, the advertised window, the TS option. */
    private void send(TcpSock sk, int flags, long seq, byte[] payload) {
        send(sk, flags, seq, payload, null);
    }

    private void send(TcpSock sk, int flags, long seq, byte[] payload, RstReason reason) {
        boolean ack = (flags & TcpFlags.ACK) != 0;
        int win = selectWindow(sk);
        Segment seg = new Segment(sk.local, sk.remote, Seq.mask(seq), ack ? Seq.mask(sk.rcvNxt) : 0, flags, win, 0,
                tsOptions(sk), payload);
        sk.sent(seg);
        stack.transmit(seg, sk.ipId++, reason);
        if (ack) ackSent(sk);
        if (payload.length > 0) dataSent(sk);
    }

    /** A segment of a full socket as tcp_transmit_skb sends it: a retransmission (TcpRetransmit). */
    void sendSegment(TcpSock sk, int flags, long seq, byte[] payload) {
        send(sk, flags, seq, payload);
    }

    /** tcp_event_ack_sent: one quick ACK used up, and the delayed-ACK timer is cleared (inet_csk_clear_xmit_timer). */
    private void ackSent(TcpSock sk) {
        if (sk.quick > 0) {
            int pkts = sk.ackScheduled ? 1 : 0;
            if (pkts >= sk.quick) {
                sk.quick = 0;
                sk.atoJiffies = atoMin;
            } else {
                sk.quick -= pkts;
            }
        }
        sk.ackScheduled = false;
        sk.ackPushed = false;
        sk.ackPushed2 = false;
        sk.ackNow = false;
        sk.cancel(Timer.Kind.DELAYED_ACK);
        if (sk.ofo != null) { // tcp_event_ack_sent: the compressed ACKs are sent with this one
            sk.ofo.compressedAck = 0;
            sk.cancel(Timer.Kind.COMPRESSED_ACK);
        }
    }

    /**
     * tcp_event_data_sent: a reply within ato of the last received data counts towards pingpong mode. Kernels 5.1 to
     * 6.1 (commit 4a41f453bedf, reverted by 4d8f24eeedc5) counted only the first data sent after data arrived,
     * before(lsndtime, lrcvtime) in jiffies, so a side that sends in the same jiffy as it receives never counts; no
     * sysctl brings that back (profile key pingpong_first_reply_only). Shown by zeek-echo-connections: the echo
     * client, whose next request and the echo of the last one share a jiffy, ACKs each of 80 echoes at once, while
     * the server delays its ACK from the fourth request on.
     */
    private void dataSent(TcpSock sk) {
        long now = stack.jiffies();
        boolean first = !stack.profile.pingpongFirstReplyOnly() || sk.lsndtimeJiffies < sk.lrcvtime;
        if (sk.lrcvtime != Long.MIN_VALUE && now - sk.lrcvtime < sk.atoJiffies && first && sk.pingpong < 255) {
            sk.pingpong++; // inet_csk_inc_pingpong_cnt
        }
        sk.lsndtimeJiffies = now;
    }

    /** tcp_send_ack: a bare ACK at SND.NXT (tcp_acceptable_seq). */
    void sendAck(TcpSock sk) {
        send(sk, TcpFlags.ACK, sk.sndNxt, Segment.NO_DATA);
    }

    /** tcp_invalid_ratelimit: at most one out-of-window or challenge ACK per 500 ms (tcp_oow_rate_limited). */
    static final long OOW_RATE_LIMIT_NANOS = 500_000_000L;

    /** 3.5 x TCP_RTO_MIN: the least an orphan's FIN_WAIT2 or TIME_WAIT lasts (tcp_fin_time, tcp_time_wait). */
    static final long MIN_TIMEWAIT_NANOS = 700_000_000L;

    /** tcp_oow_rate_limited: true when an ACK went less than 500 ms after {@code last}. */
    static boolean oowRateLimited(long now, long last) {
        return last != Long.MIN_VALUE && now - last < OOW_RATE_LIMIT_NANOS;
    }

    /** tcp_send_challenge_ack, rate-limited per socket. */
    void sendChallengeAck(TcpSock sk) {
        long now = stack.now();
        if (oowRateLimited(now, sk.lastOowAck)) return;
        sk.lastOowAck = now;
        sendAck(sk);
    }

    /**
     * tcp_mss_clamp(tp, dst_metric_advmss): the MSS this socket announces and receives at most, the route's
     * advmss (lo: 65495, ::1: 65476, TcpStack.advmss) or TCP_MAXSEG's user_mss when that is smaller
     * (tcp_connect_init, tcp_openreq_init).
     */
    int advMss(TcpSock sk) {
        return advMss(sk, sk.local);
    }

    /** {@link #advMss(TcpSock)} for a connection from {@code local}: a listener's request (its child's family). */
    int advMss(TcpSock sk, io.tcpsim.wire.SockAddr local) {
        int route = stack.advmss(local);
        return sk.userMss > 0 ? Math.min(sk.userMss, route) : route;
    }

    /** The active open's SYN (tcp_connect), and its retransmission timer. */
    void sendSyn(TcpSock sk) {
        sk.rcvWnd = initialWindow(advMss(sk), false, stack.profile.timestamps());
        sk.rcvSsthresh = stack.congestionModelled() ? initialSpace(advMss(sk), false, stack.profile.timestamps()) : sk.rcvWnd;
        sk.rcvWscale = stack.profile.windowScale();
        Segment seg = new Segment(sk.local, sk.remote, sk.iss, 0, TcpFlags.SYN, (int) sk.rcvWnd, 0,
                synOptions(advMss(sk), stack.tsNow(sk.tsOffset), 0, stack.profile.timestamps(), stack.profile.sack()), null);
        sk.sent(seg);
        stack.transmit(seg, sk.ipId++);
        sk.retransStampMs = stack.now() / 1_000_000L;
        sk.synSentNanos = stack.now();
        armRetransmit(sk);
    }

    void sendSynAck(RequestSock req) {
        req.synackSentNanos = stack.now();
        req.synacksSent++;
        int advmss = advMss(req.listener, req.local);
        long win = initialWindow(advmss, true, req.tsOk);
        List<TcpOption> options = synOptions(advmss, stack.tsNow(req.tsOffset), req.peerTsVal, req.tsOk, req.sackOk, req.wsOk);
        if (req.foCookie != null) {
            // tcp_synack_options and tcp_options_write: the Fast Open cookie last, in the SYN's form: kind 254 with
            // the magic, or kind 34 padded with two NOPs to a multiple of 4.
            options = new ArrayList<>(options);
            if (req.foExp) {
                byte[] d = new byte[2 + req.foCookie.length];
                d[0] = (byte) (FastOpen.MAGIC >> 8);
                d[1] = (byte) FastOpen.MAGIC;
                System.arraycopy(req.foCookie, 0, d, 2, req.foCookie.length);
                options.add(new TcpOption.Unknown(254, d));
                if (((4 + req.foCookie.length) & 3) == 2) { options.add(TcpOption.NOP); options.add(TcpOption.NOP); }
            } else {
                options.add(new TcpOption.Unknown(34, req.foCookie.clone()));
                if (((2 + req.foCookie.length) & 3) == 2) { options.add(TcpOption.NOP); options.add(TcpOption.NOP); }
            }
        }
        Segment seg = new Segment(req.local, req.remote, req.iss, req.rcvNxt, TcpFlags.SYN | TcpFlags.ACK,
                (int) win, 0, options, null);
        // Request socks send with IP id 0 (ip_build_and_send_pkt on a socket-less path).
        stack.transmit(seg, 0);
    }

    /**
     * tcp_write_xmit: sends what the window allows. Full-sized segments go at once; a final small one waits while an
     * earlier small segment is unacknowledged (Nagle with Minshall's rule), unless {@code nagleOff} (tcp_send_fin,
     * tcp_push with TCP_NAGLE_OFF). A FIN queued behind the data rides on the last segment (tcp_send_fin).
     */
    void push(TcpSock sk, boolean nagleOff) {
        push(sk, nagleOff, false);
    }

    /**
     * As {@link #push(TcpSock, boolean)}; {@code cork} is tcp_push's TCP_NAGLE_CORK for a send with MSG_MORE: a last
     * segment smaller than the MSS is held (tcp_nagle_check: partial and corked), and with nothing in flight
     * tcp_check_probe_timer arms the probe timer that sends it if no later push does.
     */
    void push(TcpSock sk, boolean nagleOff, boolean cork) {
        if (!stack.rtx.on()) {
            write(sk, nagleOff, cork, false);
            return;
        }
        int before = sk.rtxQueue.size();
        long sent = sk.sndNxt;
        write(sk, nagleOff, cork, false);
        if (sk.sndNxt != sent || sk.rtxQueue.size() != before) stack.rtx.afterWrite(sk);
    }

    /** tcp_send_loss_probe's new data: one segment, whatever cwnd says (tcp_write_xmit with push_one 2). */
    void pushLossProbe(TcpSock sk) {
        write(sk, true, false, true);
    }

    /**
     * tcp_write_xmit. On a host with a link, also tcp_cwnd_test (no more than cwnd packets in flight; {@code probe}:
     * one segment whatever cwnd says), and the segments go in GSO bursts of {@link Congestion#tsoSegs} (the last of
     * each burst, and of what this call sends, with PSH), then tcp_cwnd_validate.
     */
    private void write(TcpSock sk, boolean nagleOff, boolean cork, boolean probe) {
        // TCP_CORK is in tp->nonagle, which every push but an explicit TCP_NAGLE_OFF/PUSH one (tcp_send_fin,
        // __tcp_sock_set_nodelay) passes on to tcp_nagle_check; it holds a partial segment even with TCP_NODELAY.
        cork |= sk.corked && !nagleOff;
        if (stack.rtx.on() && sk.cc != null) {
            List<long[]> burst = new ArrayList<>();
            boolean cwndLimited = writeLoop(sk, nagleOff, cork, probe, burst);
            int mss = sendMss(sk);
            int tso = stack.congestion.tsoSegs(sk, mss);
            long dataEnd = sk.writeSeq - (sk.finQueued ? 1 : 0);
            for (int i = 0; i < burst.size(); i++) {
                long[] b = burst.get(i);
                int flags = (int) b[2];
                long end = Seq.mask(b[0] + b[1]);
                // Each GSO skb of tso_segs segments ends with PSH; one that cwnd cuts short leaves the PSH to the
                // rest of it, sent later (tso_fragment). Measured: PRR's single segments in recovery go as [.] then
                // [P.], the two halves of one skb (section 32's one-loss transfer).
                if (sk.cc.skbEnd < 0 || !Seq.after(sk.cc.skbEnd, b[0])) sk.cc.skbEnd = Seq.mask(b[0] + (long) tso * mss);
                if (end == sk.cc.skbEnd || end == dataEnd || !Seq.before(end, sk.cc.skbEnd) && i == burst.size() - 1)
                    flags |= TcpFlags.PSH;
                sendData(sk, flags, b[0], (int) b[1], true);
            }
            if (Recovery.inCwndReduction(sk.cc)) sk.cc.prrOut += burst.size(); // PRR counts new data sent too
            cwndLimited |= Recovery.inFlight(sk) >= sk.cc.cwnd;
            if (!burst.isEmpty() || cwndLimited) stack.congestion.validate(sk, cwndLimited, sk.rtxQueue.size());
            return;
        }
        writeLoop(sk, nagleOff, cork, false, null);
    }

    /** Sends a data segment planned by {@link #writeLoop} and queues it for retransmission. */
    private void sendData(TcpSock sk, int flags, long seq, int len, boolean rtx) {
        boolean withFin = (flags & TcpFlags.FIN) != 0;
        byte[] data = sk.sendQueue.peek(Seq.diff(seq, sk.sndUna), len);
        send(sk, flags, seq, data);
        long end = Seq.mask(seq + len + (withFin ? 1 : 0));
        // What a retransmission sends again: PSH only on the end of a write (tcp_push's tcp_mark_push), not the
        // PSH of a GSO burst's last segment (measured: two lost segments of one burst go again as [.] [.]).
        int kept = flags;
        if (sk.cc != null && end != sk.writeSeq) kept &= ~TcpFlags.PSH;
        if (rtx) stack.rtx.newDataSent(sk, seq, end, kept);
    }

    /**
     * The loop of tcp_write_xmit: what the window, Nagle and (with {@code burst}) cwnd let go. Without {@code burst}
     * each segment is sent at once, PSH on the last of the data; with it, each is planned there ({seq, len, flags
     * without PSH}) and sndNxt moves, for the caller to send. Returns whether cwnd stopped it.
     */
    private boolean writeLoop(TcpSock sk, boolean nagleOff, boolean cork, boolean probe, List<long[]> burst) {
        nagleOff |= sk.nodelay; // TCP_NAGLE_OFF: tcp_nagle_check lets a partial segment go
        boolean rtx = stack.rtx.on();
        int mss = sendMss(sk);
        int planned = 0;
        while (true) {
            long dataEnd = sk.writeSeq - (sk.finQueued ? 1 : 0);
            int unsent = Seq.diff(dataEnd, sk.sndNxt);
            boolean finPending = sk.finQueued && Seq.before(sk.sndNxt, sk.writeSeq);
            if (unsent <= 0) {
                if (finPending) {
                    if (burst != null) {
                        if (!probe && Recovery.inFlight(sk) + planned >= sk.cc.cwnd) return true;
                        if (!burst.isEmpty()) { // the FIN rides on the last planned segment (tcp_send_fin)
                            long[] last = burst.get(burst.size() - 1);
                            last[2] |= TcpFlags.FIN;
                        } else {
                            send(sk, TcpFlags.FIN | TcpFlags.ACK, sk.sndNxt, Segment.NO_DATA);
                            stack.rtx.newDataSent(sk, sk.sndNxt, Seq.mask(sk.sndNxt + 1), TcpFlags.FIN | TcpFlags.ACK);
                        }
                        sk.sndNxt = Seq.mask(sk.sndNxt + 1);
                        return false;
                    }
                    send(sk, TcpFlags.FIN | TcpFlags.ACK, sk.sndNxt, Segment.NO_DATA);
                    if (rtx) stack.rtx.newDataSent(sk, sk.sndNxt, Seq.mask(sk.sndNxt + 1), TcpFlags.FIN | TcpFlags.ACK);
                    sk.sndNxt = Seq.mask(sk.sndNxt + 1);
                }
                return false;
            }
            if (burst != null && Recovery.inFlight(sk) + planned >= sk.cc.cwnd && !(probe && planned == 0)) return true;
            if (burst != null && probe && planned > 0) return false;
            long windowRoom = Seq.diff(sk.sndUna + sk.sndWnd, sk.sndNxt);
            int len = (int) Math.min(Math.min(unsent, mss), Math.max(windowRoom, 0));
            if (len <= 0) {
                if (rtx && planned == 0) stack.rtx.windowClosed(sk);
                return false; // zero window: the persist timer is not modelled
            }
            // tcp_tso_should_defer: a segment cut short by the window waits for more window while data is in
            // flight, rather than going out as a runt (measured: no 1-byte segment at the window's edge).
            if (len < Math.min(unsent, mss) && (sk.hasUnacked() || planned > 0)) return false;
            boolean last = len == unsent;
            // On lo a segment of more than one MSS leaves as one GSO packet (tcp_xmit_size_goal: up to half the
            // window); the model cuts at the MSS, which on loopback only a TCP_MAXSEG below the route's makes short.
            if (!last && !rtx && Math.min(sk.peerMss, advMss(sk)) < stack.advmss(sk.local))
                throw new io.tcpsim.backend.NotModelled(io.tcpsim.backend.NotModelled.words(
                        "data of more than one segment with TCP_MAXSEG below the loopback MSS (GSO packets)"));
            if (last && len < mss && cork) {
                if (planned == 0) checkProbeTimer(sk);
                return false;
            }
            if (last && len < mss && !nagleOff && (sk.hasUnacked() || planned > 0) && minshallCheck(sk)) return false;
            boolean withFin = last && finPending;
            if (burst != null) {
                burst.add(new long[] {sk.sndNxt, len, TcpFlags.ACK | (withFin ? TcpFlags.FIN : 0)});
                planned++;
            } else {
                int flags = TcpFlags.ACK | (last ? TcpFlags.PSH : 0);
                if (withFin) flags |= TcpFlags.FIN;
                sendData(sk, flags, sk.sndNxt, len, rtx);
            }
            sk.sndNxt = Seq.mask(sk.sndNxt + len + (withFin ? 1 : 0));
            if (len < mss) sk.sndSml = sk.sndNxt;
            if (withFin) return false;
        }
    }

    /** tcp_minshall_check: a small segment is still unacknowledged. */
    private static boolean minshallCheck(TcpSock sk) {
        return Seq.after(sk.sndSml, sk.sndUna) && !Seq.after(sk.sndSml, sk.sndNxt);
    }

    /**
     * tcp_send_active_reset: [R.] at SND.NXT, ACKing RCV.NXT, with the real window and the TS option. {@code reason}
     * is the sk_rst_reason the caller passes (each caller names the kernel function it follows).
     */
    void sendActiveReset(TcpSock sk, RstReason reason) {
        send(sk, TcpFlags.RST | TcpFlags.ACK, sk.sndNxt, Segment.NO_DATA, reason);
    }

    /**
     * tcp_v4_send_reset: the answer to a segment no socket wants. Never answers an RST. With ACK in the offending
     * segment: [R] seq = SEG.ACK; otherwise [R.] seq 0, ack = SEG.SEQ + SYN + FIN + length. No options, window 0,
     * IP id 0 (ip_send_unicast_reply). Measured for every kind of segment: docs/kernel-measurements.md section 18.
     */
    void sendResetReply(Segment in, RstReason reason) {
        if (in.has(TcpFlags.RST)) return;
        Segment rst;
        if (in.has(TcpFlags.ACK)) {
            rst = new Segment(in.dst(), in.src(), in.ack(), 0, TcpFlags.RST, 0, 0, List.of(), null);
        } else {
            rst = new Segment(in.dst(), in.src(), 0, Seq.mask(in.seq() + in.seqLength()), TcpFlags.RST | TcpFlags.ACK,
                    0, 0, List.of(), null);
        }
        stack.transmit(rst, 0, reason);
    }

    /** tcp_v4_timewait_ack: seq tw_snd_nxt, ack tw_rcv_nxt, the window and TS of the minisock, IP id 0. */
    void sendTimewaitAck(TimeWaitSock tw) {
        List<TcpOption> opts = tw.tsOk
                ? List.of(TcpOption.NOP, TcpOption.NOP, new TcpOption.Timestamps(stack.tsNow(tw.tsOffset), tw.tsRecent))
                : List.of();
        int win = (int) Math.min(tw.rcvWnd >> tw.rcvWscale, 65535);
        stack.transmit(new Segment(tw.local, tw.remote, tw.sndNxt, tw.rcvNxt, TcpFlags.ACK, win, 0, opts, null), 0);
    }

    // ------------------------------------------------------------------ the delayed-ACK engine

    /** tcp_in_quickack_mode: quick ACKs left and not in pingpong mode. */
    boolean inQuickAckMode(TcpSock sk) {
        return sk.quick > 0 && !inPingpongMode(sk);
    }

    /**
     * inet_csk_in_pingpong_mode: at least tcp_pingpong_thresh replies within ato (1 on this kernel; 3 in kernels 5.1
     * to 6.1, commit 4a41f453bedf and its revert; measured with the sysctl at 3: the server of an echo loop ACKs the
     * first three requests at once and the fourth with its reply, traces/captures/foreign/sysctl-pingpong-thresh-3-6.18.44.pcap).
     */
    boolean inPingpongMode(TcpSock sk) {
        return sk.pingpong >= stack.profile.pingpongThresh();
    }

    /** inet_csk_enter_pingpong_mode: the count set to the threshold. */
    void enterPingpongMode(TcpSock sk) {
        sk.pingpong = stack.profile.pingpongThresh();
    }

    /** tcp_incr_quickack: rcv_wnd / (2 * rcv_mss) quick ACKs (16 at most; 2 at least). */
    void incrQuickAck(TcpSock sk, int max) {
        long q = sk.rcvWnd / (2L * sk.rcvMss);
        if (q == 0) q = 2;
        q = Math.min(q, max);
        if (q > sk.quick) sk.quick = (int) q;
    }

    void incrQuickAck(TcpSock sk) {
        incrQuickAck(sk, TCP_MAX_QUICKACKS);
    }

    /** tcp_enter_quickack_mode: quick ACKs again, out of pingpong mode, ato at its minimum. */
    void enterQuickAckMode(TcpSock sk) {
        incrQuickAck(sk);
        sk.pingpong = 0;
        sk.atoJiffies = atoMin;
    }

    /** __tcp_ack_snd_check: ACK now (more than a full frame, quickack mode), or later. */
    void ackSndCheck(TcpSock sk) {
        if (!sk.ackScheduled) return;
        boolean moreThanFrame = Seq.diff(sk.rcvNxt, sk.rcvWup) > sk.rcvMss && newWindowAtLeastCurrent(sk);
        if (moreThanFrame || inQuickAckMode(sk) || sk.ackNow) {
            sendAck(sk);
        } else if (sk.ofo == null || sk.ofo.isEmpty()) {
            sendDelayedAck(sk);
        } else {
            compressSack(sk);
        }
    }

    /** sysctl tcp_comp_sack_nr and tcp_comp_sack_delay_ns: at most 44 ACKs held, for at most 1 ms. */
    private static final int COMP_SACK_NR = 44;
    private static final long COMP_SACK_DELAY_NS = 1_000_000;

    /**
     * __tcp_ack_snd_check with data out of order: the first three duplicate ACKs for one rcv_nxt go at once (the
     * sender's fast retransmit threshold), later ones are held for 5 % of the RTT, at most 1 ms, and sent as one
     * (tcp_compressed_ack_kick). Measured (section 31): 7 ACKs at once (the first 4 while the window grows:
     * tcp_grow_window sets quick ACK), the 8th 1.1 ms later for the last two segments.
     */
    private void compressSack(TcpSock sk) {
        OfoQueue q = sk.ofo;
        if (!sk.sackOk || q.compressedAck >= COMP_SACK_NR) {
            sendAck(sk);
            return;
        }
        if (q.compressedAckRcvNxt != sk.rcvNxt) {
            q.compressedAckRcvNxt = sk.rcvNxt;
            q.dupAckCounter = 0;
        }
        if (q.dupAckCounter < Recovery.REORDERING) {
            q.dupAckCounter++;
            sendAck(sk);
            return;
        }
        q.compressedAck++;
        if (sk.timer(Timer.Kind.COMPRESSED_ACK) != null) return;
        long rtt = sk.rcvRttUs8;
        if (sk.srttUs8 != 0 && sk.srttUs8 < rtt) rtt = sk.srttUs8;
        sk.armNanos(Timer.Kind.COMPRESSED_ACK, Math.min(COMP_SACK_DELAY_NS, rtt * 125 / 20));
    }

    /** tcp_compressed_ack_kick: the held ACK goes. */
    void compressedAckKick(TcpSock sk) {
        if (sk.ofo == null || sk.ofo.compressedAck == 0 || sk.state().unconnected()) return;
        sk.ofo.compressedAck--;
        sendAck(sk);
    }

    private boolean newWindowAtLeastCurrent(TcpSock sk) {
        return newWindow(sk) >= sk.rcvWnd;
    }

    /**
     * tcp_send_delayed_ack: the timer runs for ato, capped at TCP_DELACK_MIN by the loopback's tiny RTT (the rtt
     * bound uses max(srtt, TCP_DELACK_MIN)); an earlier pending timer is kept, and one about to expire means ACK now.
     */
    void sendDelayedAck(TcpSock sk) {
        long ato = sk.atoJiffies;
        if (ato > atoMin) ato = atoMin;
        long j = stack.jiffies();
        long timeout = j + ato;
        Timer pending = sk.timer(Timer.Kind.DELAYED_ACK);
        if (pending != null) {
            if (pending.expires() <= j + (ato >> 2)) {
                sendAck(sk);
                return;
            }
            if (timeout >= pending.expires()) timeout = pending.expires();
        }
        sk.ackScheduled = true;
        sk.arm(Timer.Kind.DELAYED_ACK, timeout - j);
    }

    /** tcp_delack_timer_handler: the ACK goes out; a missed ACK in pingpong mode leaves pingpong mode. */
    void delackTimer(TcpSock sk) {
        if (sk.state().unconnected()) return;
        if (sk.ackScheduled) {
            if (!inPingpongMode(sk)) {
                sk.atoJiffies = Math.min(sk.atoJiffies << 1, rtoMinJiffies);
            } else {
                sk.pingpong = 0;
                sk.atoJiffies = atoMin;
            }
            sendAck(sk);
        }
    }

    // ------------------------------------------------------------------ retransmission (SYN) and other timers

    private void armRetransmit(TcpSock sk) {
        sk.arm(Timer.Kind.RETRANSMIT, sk.rtoNanos * stack.profile.hz() / 1_000_000_000L);
    }

    /**
     * tcp_retransmit_timer for a SYN that got no answer (a full accept queue drops it, or the link lost it): back off
     * and resend, and give up with ETIMEDOUT (tcp_write_timeout, tcp_write_err) once retransmits_timed_out says the
     * connect's time budget is spent: tcp_model_timeout with TCP_TIMEOUT_INIT as the base, (2^(n+1) - 1) s for n =
     * TCP_SYNCNT or tcp_syn_retries, counted from the first SYN and checked when the timer fires (no further SYN).
     * Measured (kernel-measurements.md section 25): -1 ETIMEDOUT at 134.63 s with the default 6 (10
     * retransmissions), 7.14 s with tcp_syn_retries=2 (5), 3.07 s with TCP_SYNCNT=1 (2). The timer is armed only in
     * SYN_SENT: the SYN-ACK answers it, and every way out of SYN_SENT cancels it.
     */
    void retransmitTimer(TcpSock sk) {
        int retries = sk.synRetries > 0 ? sk.synRetries : stack.profile.synRetries();
        // retransmits_timed_out: TCP_USER_TIMEOUT, when set, is the budget instead of tcp_model_timeout's.
        long budget = sk.userTimeoutMs > 0 ? sk.userTimeoutMs : modelTimeoutMs(retries, 1000);
        if (sk.retransmits > 0 && stack.now() / 1_000_000L - sk.retransStampMs >= budget) {
            sk.skErr = io.tcpsim.calls.Errno.ETIMEDOUT;
            stack.input.done(sk, Cause.SYN_RETRIES_EXHAUSTED);
            sk.waitQueue.wake(io.tcpsim.model.WaitQueue.KEY_ERROR);
            return;
        }
        sk.retransmits++;
        if (sk.retransmits > stack.profile.synLinearTimeouts()) sk.rtoNanos *= 2;
        sk.synSentNanos = stack.now();
        Segment seg = new Segment(sk.local, sk.remote, sk.iss, 0, TcpFlags.SYN, (int) sk.rcvWnd, 0,
                synOptions(advMss(sk), stack.tsNow(sk.tsOffset), 0, stack.profile.timestamps(), stack.profile.sack()), null);
        sk.sent(seg);
        stack.transmit(seg, sk.ipId++);
        if (sk.userTimeoutMs == 0) {
            armRetransmit(sk);
            return;
        }
        // tcp_clamp_rto_to_user_timeout: no later than the user timeout after the first SYN (retrans_stamp).
        long rto = sk.rtoNanos * stack.profile.hz() / 1_000_000_000L;
        long remaining = sk.userTimeoutMs - (stack.now() / 1_000_000L - sk.retransStampMs);
        long j = remaining <= 0 ? 1 : (remaining * stack.profile.hz() + 999) / 1000; // msecs_to_jiffies rounds up
        sk.arm(Timer.Kind.RETRANSMIT, Math.min(rto, j));
    }

    /**
     * tcp_check_probe_timer: nothing in flight and no timer pending in the slot, so the probe timer is armed for
     * tcp_probe0_base (the RTO, at least TCP_RTO_MIN). On loopback the RTO is TCP_RTO_MIN plus the RTT, rounded up
     * to a jiffy (__tcp_set_rto, usecs_to_jiffies): 200 ms and a jiffy (measured: the corked tail left 211 ms after
     * the send, under load).
     */
    private void checkProbeTimer(TcpSock sk) {
        if (sk.hasUnacked() || retransmitSlotBusy(sk)) return;
        long jiffy = stack.profile.jiffyNanos();
        long base = (RTO_MIN_NANOS + jiffy - 1) / jiffy + 1;
        if (stack.rtx.on()) base = Math.max(sk.rtoJiffies, rtoMinJiffies); // tcp_probe0_base on a host with a link
        sk.arm(Timer.Kind.PROBE0, base);
    }

    static final long RTO_MIN_NANOS = 200_000_000L;

    /**
     * tcp_probe_timer: with data in flight or nothing to send it stops; else tcp_send_probe0 -> tcp_write_wakeup
     * sends what the window allows of the held data, marked PSH.
     */
    void probeTimer(TcpSock sk) {
        if (sk.hasUnacked() || sk.state() == TcpState.CLOSE) return;
        push(sk, true, false);
    }

    /** icsk_pending: a timer of the retransmission slot (SYN, RTO, loss probe, probe0) is armed. */
    private static boolean retransmitSlotBusy(TcpSock sk) {
        return sk.timer(Timer.Kind.RETRANSMIT) != null || sk.timer(Timer.Kind.RTO) != null
                || sk.timer(Timer.Kind.LOSS_PROBE) != null || sk.timer(Timer.Kind.PROBE0) != null
                || sk.timer(Timer.Kind.REO_TIMEOUT) != null;
    }

    /** TCP_RTO_MAX, 120 s. */
    static final long RTO_MAX_MS = 120_000;

    /**
     * tcp_model_timeout: how long {@code boundary} retransmissions take with exponential backoff from {@code rtoBase}
     * (ms), the backoff capped at TCP_RTO_MAX: (2^(boundary+1) - 1) x rtoBase up to ilog2(TCP_RTO_MAX / rtoBase)
     * retransmissions, TCP_RTO_MAX for each one after.
     */
    static long modelTimeoutMs(int boundary, long rtoBaseMs) {
        int thresh = 63 - Long.numberOfLeadingZeros(RTO_MAX_MS / rtoBaseMs);
        if (boundary <= thresh) return ((2L << boundary) - 1) * rtoBaseMs;
        return ((2L << thresh) - 1) * rtoBaseMs + (boundary - thresh) * RTO_MAX_MS;
    }

    /** inet_csk_clear_xmit_timers: no timer pending, no ACK scheduled. */
    void cancelTimers(TcpSock sk) {
        sk.cancelTimers();
        sk.ackScheduled = false;
    }

    /**
     * netstat -o's timer column for a full socket: get_tcp4_sock shows the retransmission timer (timer_active 1);
     * a pending delayed ACK is not shown.
     */
    String timerColumn(TcpSock sk) {
        if (sk.timer(Timer.Kind.RETRANSMIT) != null || sk.timer(Timer.Kind.RTO) != null
                || sk.timer(Timer.Kind.LOSS_PROBE) != null || sk.timer(Timer.Kind.REO_TIMEOUT) != null) return "on";
        Timer ka = sk.timer(Timer.Kind.KEEPALIVE);
        if (ka != null) { // timer_active 2: sk_timer's expiry, icsk_retransmits, icsk_probes_out (measured, section 28)
            double left = Math.max(0, ka.expires() * stack.profile.jiffyNanos() - stack.now()) / 1e9;
            return String.format(java.util.Locale.ROOT, "keepalive (%.2f/%d/%d)", left, sk.retransmits, sk.probesOut);
        }
        return "off (0.00/0/0)";
    }
}
