package io.tcpsim.model.tcp;

import io.tcpsim.backend.Cause;
import io.tcpsim.backend.DropReason;
import io.tcpsim.backend.RstReason;
import io.tcpsim.backend.TcpState;
import io.tcpsim.calls.Errno;
import io.tcpsim.model.WaitQueue;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;

/**
 * What arrives: tcp_v4_rcv's lookup, then tcp_rcv_state_process and its helpers for a full socket,
 * tcp_timewait_state_process for a minisock, the LISTEN case and tcp_check_req for a listener, and
 * tcp_v4_send_reset when no socket wants the segment. Each decision names the kernel function it follows.
 */
final class TcpInput {
    private static final int TCP_MIN_MSS = 88;
    private final TcpStack stack;

    TcpInput(TcpStack stack) {
        this.stack = stack;
    }

    private TcpOutput out() {
        return stack.output;
    }

    /** tcp_v4_rcv: established hash (full sockets and timewait), then the listener, else a reset. */
    void receive(Segment seg) {
        Endpoint ep = stack.established.get(new ConnKey(seg.dst(), seg.src()));
        if (ep instanceof TimeWaitSock tw) {
            timewaitStateProcess(tw, seg);
            return;
        }
        if (ep instanceof TcpSock sk) {
            sk.received(seg);
            if (sk.state() == TcpState.SYN_SENT) synSent(sk, seg);
            else stateProcess(sk, seg);
            return;
        }
        TcpSock listener = listenerFor(seg);
        if (listener != null) {
            RequestSock req = listener.synQueue.get(new ConnKey(seg.dst(), seg.src()));
            if (req != null) checkReq(listener, req, seg);
            else listen(listener, seg);
            return;
        }
        // tcp_v4_rcv, no_tcp_socket: an RST answers (not an RST), and the segment is freed with NO_SOCKET.
        out().sendResetReply(seg, RstReason.NO_SOCKET);
        drop(null, seg, DropReason.NO_SOCKET);
    }

    /** kfree_skb_reason: the segment is thrown away (tcp_drop_reason), with the kernel's reason. */
    private void drop(Endpoint ep, Segment seg, DropReason reason) {
        stack.dropped(ep, seg, reason);
    }

    private TcpSock listenerFor(Segment seg) {
        return stack.listenerFor(seg.dst());
    }

    // ---------------------------------------------------------------- LISTEN

    /** tcp_rcv_state_process, case TCP_LISTEN, and tcp_conn_request. */
    private void listen(TcpSock l, Segment seg) {
        if (seg.has(TcpFlags.ACK)) {
            // "if (th->ack) return SKB_DROP_REASON_TCP_FLAGS": tcp_v4_do_rcv resets (sk_rst_convert_drop_reason
            // keeps the name) and discards.
            out().sendResetReply(seg, RstReason.TCP_FLAGS);
            drop(l, seg, DropReason.TCP_FLAGS);
            return;
        }
        if (seg.has(TcpFlags.RST)) {
            drop(l, seg, DropReason.TCP_RESET);
            return;
        }
        if (!seg.has(TcpFlags.SYN) || seg.has(TcpFlags.FIN)) {
            drop(l, seg, DropReason.TCP_FLAGS);
            return;
        }
        // tcp_conn_request: a full accept queue drops the SYN (LISTENOVERFLOWS); measured: the client stays in
        // SYN_SENT and retransmits. The SYN itself is consumed (consume_skb after conn_request), not a kfree_skb drop.
        if (l.acceptQueueFull()) return;
        Options o = Options.parse(seg);
        RequestSock req = new RequestSock(l, seg.dst(), seg.src(), stack.secureSeq(seg.dst(), seg.src()), seg.seq(), o.wscale,
                o.tsVal, stack.tsOffset(), o.mss, seg.window());
        // tcp_openreq_init and tcp_parse_options: what the SYN offers and the host's sysctls allow.
        req.tsOk = o.ts && stack.profile.timestamps();
        req.sackOk = o.sack && stack.profile.sack();
        req.wsOk = o.ws;
        req.rcvNxt = Seq.mask(seg.seq() + 1);
        TcpSock child = tryFastOpen(l, req, seg);
        if (child != null) {
            // tcp_conn_request: the SYN-ACK (acking the SYN's data), then inet_csk_reqsk_queue_add and sk_data_ready.
            out().sendSynAck(req);
            l.acceptQueue.add(child);
            l.waitQueue.wake(WaitQueue.KEY_READABLE);
            return;
        }
        l.synQueue.put(new ConnKey(seg.dst(), seg.src()), req);
        out().sendSynAck(req);
        stack.rtx.synAckSent(req);
        req.foCookie = null; // only the first SYN-ACK carries it (inet_rtx_syn_ack sends no cookie)
    }

    // ---------------------------------------------------------------- TCP Fast Open, the server (tcp_fastopen.c)

    /**
     * The SYN's Fast Open option as tcp_parse_fastopen_option reads it (kind 34, or 254 with the magic 0xF989): null
     * when there is none or it is malformed (foc->len -1), an empty array for a cookie request (len 0), else the
     * cookie (4 to 16 bytes, an even number). The last such option wins; {@code exp[0]} says it was kind 254.
     */
    private static byte[] fastOpenCookie(Segment seg, boolean[] exp) {
        byte[] foc = null;
        for (TcpOption o : seg.options()) {
            if (!(o instanceof TcpOption.Unknown u)) continue;
            byte[] c;
            boolean e;
            if (u.kind() == 34) {
                c = u.data();
                e = false;
            } else if (u.kind() == 254 && u.data().length >= 2 && ((u.data()[0] & 0xff) << 8 | (u.data()[1] & 0xff)) == FastOpen.MAGIC) {
                c = java.util.Arrays.copyOfRange(u.data(), 2, u.data().length);
                e = true;
            } else continue;
            if ((c.length & 1) != 0) continue;
            foc = c.length == 0 || (c.length >= FastOpen.COOKIE_MIN && c.length <= FastOpen.COOKIE_MAX) ? c : null;
            exp[0] = e;
        }
        return foc;
    }

    /**
     * tcp_try_fastopen: with TFO_SERVER_ENABLE and room in the listener's Fast Open queue, a SYN with data and a
     * valid cookie (or with TFO_SERVER_COOKIE_NOT_REQD, any SYN with data), or a data-less SYN with a valid cookie,
     * makes a child at once; the SYN-ACK then carries no cookie. A cookie request, or a wrong cookie, gets the valid
     * cookie in the SYN-ACK and the ordinary handshake. Returns the child, or null.
     */
    private TcpSock tryFastOpen(TcpSock l, RequestSock req, Segment seg) {
        FastOpen fo = stack.fastOpen;
        boolean[] exp = {false};
        byte[] foc = fastOpenCookie(seg, exp);
        boolean synData = seg.length() > 0 || seg.has(TcpFlags.FIN); // end_seq != seq + 1
        if (!(fo.has(FastOpen.TFO_SERVER_ENABLE) && (synData || foc != null) && fastOpenQueueCheck(l))) return null;
        byte[] valid = null;
        boolean create = synData && fo.has(FastOpen.TFO_SERVER_COOKIE_NOT_REQD); // tcp_fastopen_no_cookie
        if (!create && foc != null) {
            // tcp_fastopen_cookie_gen / tcp_fastopen_cookie_gen_check (one key: no backup key is modelled).
            int[] key = l.fastopenKey != null ? l.fastopenKey : stack.fastOpenKey(); // tcp_fastopen_get_ctx
            valid = FastOpen.cookie(key, seg.src().ip(), seg.dst().ip());
            create = foc.length > 0 && java.util.Arrays.equals(foc, valid);
        }
        if (create) {
            if (seg.has(TcpFlags.FIN)) {
                throw new io.tcpsim.backend.NotModelled(io.tcpsim.backend.NotModelled.words("a Fast Open SYN with a FIN"));
            }
            return fastOpenChild(l, req, seg);
        }
        req.foCookie = valid;
        req.foExp = exp[0];
        return null;
    }

    /**
     * tcp_fastopen_queue_check: the listener has a Fast Open queue (max_qlen), and room in it; a request held since
     * its child was reset (rskq_rst_head) makes room once its 60 s are over.
     */
    private boolean fastOpenQueueCheck(TcpSock l) {
        if (l.fastopenMaxQlen == 0) return false;
        if (l.fastopenQlen >= l.fastopenMaxQlen) {
            Long held = l.fastopenRst.peek();
            if (held == null || held > stack.jiffies()) return false; // LINUX_MIB_TCPFASTOPENLISTENOVERFLOW
            l.fastopenRst.poll();
            l.fastopenQlen--;
        }
        return true;
    }

    /**
     * tcp_create_openreq_child (with sk_clone_lock): what a child socket takes from its listener and its request,
     * for the third ACK's child and a Fast Open child alike. The caller sets what differs: the send window, the
     * timestamp to echo, rcv_ssthresh, then hashes it.
     */
    private TcpSock openreqChild(TcpSock l, RequestSock req) {
        TcpSock child = stack.newSock(l.v6);
        child.local = req.local;
        child.remote = req.remote;
        child.iss = req.iss;
        child.irs = req.irs;
        child.sndUna = child.sndNxt = child.writeSeq = Seq.mask(req.iss + 1);
        child.rcvNxt = child.copiedSeq = child.rcvWup = Seq.mask(req.irs + 1);
        child.rcvWnd = out().initialWindow(out().advMss(l, req.local), true, req.tsOk);
        child.userMss = l.userMss; // sk_clone_lock copies rx_opt.user_mss
        child.congestion = l.congestion; // tcp_ca_openreq_child keeps a listener's own (icsk_ca_setsockopt)
        child.rcvWscale = req.wsOk ? stack.profile.windowScale() : 0;
        child.sndWscale = req.wsOk ? req.peerWscale : 0;
        child.wscaleOk = req.wsOk;
        child.optionsKnown = true;
        child.wsOk = req.wsOk;
        child.sackNegotiated = req.sackOk;
        child.synced = true;
        child.segsIn = 1; // the SYN
        child.tsOk = req.tsOk;
        child.tsOffset = req.tsOffset;
        child.peerMss = req.peerMss;
        child.reuseAddr = l.reuseAddr;
        child.reusePort = l.reusePort;
        child.linger = l.linger;
        child.lingerJiffies = l.lingerJiffies;
        child.bound = true;
        if (!child.local.isV6()) child.ipId = stack.ipId();
        child.lsndtimeJiffies = stack.jiffies();
        child.parent = l;
        child.ss = TcpSock.SocketState.CONNECTED;
        return child;
    }

    /**
     * tcp_fastopen_create_child: a full child in SYN_RECV from the SYN alone (tcp_v4_syn_recv_sock), its send
     * window the SYN's unscaled one, the SYN-ACK retransmission timer armed (TCP_TIMEOUT_INIT), and the SYN's data
     * queued to be read (tcp_fastopen_add_skb: syn_data_acked).
     */
    private TcpSock fastOpenChild(TcpSock l, RequestSock req, Segment seg) {
        TcpSock child = openreqChild(l, req);
        child.rcvSsthresh = child.rcvWnd;
        child.sndWnd = seg.window(); // "The window in SYN & SYN/ACK segments is never scaled"
        child.maxWindow = child.sndWnd;
        child.tsRecent = req.peerTsVal;
        child.sackOk = req.sackOk;
        child.fastopenListener = l;
        child.fastopenRequest = req;
        child.synFastopenChild = true;
        l.fastopenQlen++;
        stack.bound.add(child);
        child.setState(TcpState.SYN_RECV, Cause.CHILD_CREATED);
        stack.hash(child);
        child.arm(Timer.Kind.FASTOPEN_SYNACK, stack.profile.hz()); // TCP_TIMEOUT_INIT
        int len = seg.length();
        if (len > 0) {
            child.recvQueue.add(seg.payload(), 0, len);
            child.chargeRx(len, TcpOutput.SKB_OVERHEAD, true);
            child.rcvNxt = child.rcvWup = Seq.mask(child.rcvNxt + len);
            child.synDataAcked = true;
        }
        req.rcvNxt = child.rcvNxt;
        return child;
    }

    /**
     * reqsk_fastopen_remove: the child no longer holds a place in its listener's Fast Open queue, unless it was reset
     * after accept() took it from a listener still listening: then its request holds the place for 60 s more
     * (rskq_rst_head, against spoofed resets).
     */
    /**
     * tcp_check_req with fastopen set, which tcp_rcv_state_process runs first for a Fast Open child: a SYN at the
     * initial sequence number loses its SYN bit; an RST resets the child (its request held, reqsk_fastopen_remove
     * with reset), another SYN is answered with an RST; a segment without ACK is dropped. Whether the segment lies in
     * the window of the SYN-ACK (tcp_in_window, and PAWS) is not checked: such a segment is refused. Returns whether
     * tcp_rcv_state_process goes on with it.
     */
    private boolean fastOpenCheckReq(TcpSock sk, Segment seg) {
        long seq = seg.seq(), endSeq = Seq.mask(seq + seg.seqLength());
        RequestSock req = sk.fastopenRequest;
        TcpOption.Timestamps ts = seg.timestamps();
        boolean paws = sk.tsOk && ts != null && Seq.before(ts.val(), sk.tsRecent);
        if (paws || !inWindow(seq, endSeq, req.rcvNxt, req.rcvNxt + sk.rcvWnd)) {
            // "Out of window: send ACK and drop" (tcp_v4_reqsk_send_ack), or PAWS: not followed yet.
            throw new io.tcpsim.backend.NotModelled(io.tcpsim.backend.NotModelled.words(
                    "a segment outside the SYN-ACK's window (or failing PAWS) to a Fast Open child (tcp_check_req)"));
        }
        int flags = seg.flags();
        if (seq == sk.irs) flags &= ~TcpFlags.SYN; // "Truncate SYN, it is out of window starting at rcv_isn + 1"
        if ((flags & TcpFlags.RST) != 0) {
            fastOpenRemove(sk, true);
            reset(sk);
            drop(sk, seg, DropReason.TCP_FASTOPEN);
            return false;
        }
        if ((flags & TcpFlags.SYN) != 0) {
            out().sendResetReply(seg, RstReason.INVALID_SYN);
            drop(sk, seg, DropReason.TCP_FASTOPEN);
            return false;
        }
        if ((flags & TcpFlags.ACK) == 0) {
            drop(sk, seg, DropReason.TCP_FASTOPEN);
            return false;
        }
        return true;
    }

    /**
     * tcp_rcv_synrecv_state_fastopen: the ACK of a Fast Open child's SYN-ACK. The request goes, and the
     * retransmission timer now serves the data sent meanwhile (tcp_rearm_rto); tcp_synack_rtt_meas gives the first
     * RTT sample.
     */
    private void synRecvStateFastOpen(TcpSock sk, Segment seg) {
        RequestSock req = sk.fastopenRequest;
        fastOpenRemove(sk, false);
        sk.cancel(Timer.Kind.FASTOPEN_SYNACK);
        if (stack.rtx.on()) {
            TcpOption.Timestamps ts = seg.timestamps();
            stack.rtx.handshakeSample(sk, req.synackSentNanos, req.synacksSent == 1, ts == null ? 0 : ts.ecr());
            stack.rtx.rearmRto(sk);
        }
    }

    void fastOpenRemove(TcpSock child, boolean reset) {
        TcpSock l = child.fastopenListener;
        if (l == null) return;
        child.fastopenListener = null;
        l.fastopenQlen--;
        if (child.parent != null || !reset || l.state() != TcpState.LISTEN) return;
        l.fastopenRst.add(stack.jiffies() + 60L * stack.profile.hz());
        l.fastopenQlen++;
    }

    /** tcp_check_req: the third ACK makes the child (tcp_v4_syn_recv_sock) and queues it for accept(). */
    private void checkReq(TcpSock l, RequestSock req, Segment seg) {
        ConnKey key = new ConnKey(seg.dst(), seg.src());
        if (seg.has(TcpFlags.SYN) && !seg.has(TcpFlags.ACK) && seg.seq() == req.irs) {
            // A retransmitted SYN: answer again (on a link, rate-limited, the SYN-ACK timer re-armed; on loopback no
            // request sees a second SYN: the handshake is over in microseconds).
            if (stack.rtx.on()) stack.rtx.duplicateSyn(req);
            else out().sendSynAck(req);
            // tcp_check_req returns NULL: tcp_v4_rcv's discard_and_relse frees the SYN with no reason set (measured:
            // network/all-syn-acks-lost, a NOT_SPECIFIED drop after each SYN-ACK that answers a SYN).
            drop(l, seg, DropReason.NOT_SPECIFIED);
            return;
        }
        if (seg.has(TcpFlags.RST)) {
            l.synQueue.remove(key); // embryonic_reset
            drop(l, seg, DropReason.TCP_RESET);
            return;
        }
        if (!seg.has(TcpFlags.ACK)) {
            drop(l, seg, DropReason.TCP_FLAGS);
            return;
        }
        if (seg.ack() != Seq.mask(req.iss + 1)) {
            out().sendResetReply(seg, RstReason.TCP_INVALID_ACK_SEQUENCE);
            drop(l, seg, DropReason.TCP_INVALID_ACK_SEQUENCE);
            return;
        }
        // inet_csk_complete_hashdance -> listen_overflow: with tcp_abort_on_overflow=0 the ACK is dropped.
        if (l.acceptQueueFull()) {
            drop(l, seg, DropReason.TCP_LISTEN_OVERFLOW);
            return;
        }
        l.synQueue.remove(key);
        TcpSock child = openreqChild(l, req);
        child.rcvSsthresh = stack.congestionModelled() ? out().initialSpace(out().advMss(l), true, req.tsOk) : child.rcvWnd;
        child.received(seg); // the ACK that completes it
        child.delivered = 1;  // tcp_rcv_state_process, SYN_RECV: "SYN-ACK delivery isn't tracked in tcp_ack"
        child.sndWnd = (long) seg.window() << child.sndWscale;
        child.maxWindow = child.sndWnd;
        TcpOption.Timestamps ts = seg.timestamps();
        child.tsRecent = ts != null ? ts.val() : 0;
        stack.bound.add(child);
        child.setState(TcpState.SYN_RECV, Cause.CHILD_CREATED);
        stack.hash(child);
        child.setState(TcpState.ESTABLISHED, Cause.THIRD_ACK);
        stack.keepalive.established(child, l); // tcp_create_openreq_child
        if (stack.rtx.on()) {
            child.sackOk = req.sackOk;
            stack.rtx.handshakeSample(child, req.synackSentNanos, req.synacksSent == 1, ts == null ? 0 : ts.ecr());
            stack.rtx.established(child);
        }
        l.acceptQueue.add(child);
        l.waitQueue.wake(WaitQueue.KEY_READABLE); // sk_data_ready on the listener
        if (seg.length() > 0 || seg.has(TcpFlags.FIN)) stateProcess(child, seg);
    }

    // ---------------------------------------------------------------- SYN_SENT

    /** tcp_rcv_synsent_state_process. */
    private void synSent(TcpSock sk, Segment seg) {
        if (seg.has(TcpFlags.ACK)) {
            if (!Seq.after(seg.ack(), sk.sndUna) || Seq.after(seg.ack(), sk.sndNxt)) {
                out().sendResetReply(seg, RstReason.TCP_INVALID_ACK_SEQUENCE); // reset_and_undo
                drop(sk, seg, DropReason.TCP_INVALID_ACK_SEQUENCE);
                return;
            }
            if (seg.has(TcpFlags.RST)) {
                // SYN_SENT -> ECONNREFUSED; the RST is consumed (__kfree_skb, no kfree_skb reason: measured).
                reset(sk);
                return;
            }
            if (!seg.has(TcpFlags.SYN)) {
                drop(sk, seg, DropReason.TCP_FLAGS); // discard_and_undo
                return;
            }
            Options o = Options.parse(seg);
            sk.irs = seg.seq();
            sk.rcvNxt = sk.rcvWup = sk.copiedSeq = Seq.mask(seg.seq() + 1);
            sk.sndUna = seg.ack();
            sk.bytesAcked = 1; // tcp_ack on the SYN-ACK moves snd_una over the SYN (a child starts past it: 0)
            sk.ackedTo(sk.sndUna);
            sk.wsOk = o.ws;
            sk.sackNegotiated = o.sack && stack.profile.sack();
            sk.synced = true;
            // tcp_rcv_synsent_state_process: without the peer's wscale neither side scales; without its TS no TS.
            sk.sndWscale = o.ws ? o.wscale : 0;
            sk.wscaleOk = o.ws;
            sk.optionsKnown = true;
            if (!o.ws) sk.rcvWscale = 0;
            sk.tsOk = o.ts && stack.profile.timestamps();
            sk.sndWnd = seg.window(); // the window of a SYN-ACK is never scaled (RFC 7323)
            sk.maxWindow = sk.sndWnd;
            sk.peerMss = o.mss;
            sk.tsRecent = o.tsVal;
            sk.cancel(Timer.Kind.RETRANSMIT); // tcp_ack: the SYN is acknowledged
            if (stack.rtx.on()) {
                sk.sackOk = o.sack && stack.profile.sack();
                TcpOption.Timestamps ts = seg.timestamps();
                stack.rtx.handshakeSample(sk, sk.synSentNanos, sk.retransmits == 0, ts == null ? 0 : ts.ecr());
                stack.rtx.established(sk);
                sk.retransmits = 0; // tcp_ack: snd_una moved
                sk.retransStampMs = 0;
            }
            sk.lsndtimeJiffies = stack.jiffies(); // tcp_finish_connect: "prevent spurious tcp_cwnd_restart()"
            sk.setState(TcpState.ESTABLISHED, Cause.SYN_ACK_RECEIVED);
            stack.keepalive.established(sk, null); // tcp_finish_connect
            sk.waitQueue.wake(WaitQueue.KEY_ANY);
            // The third ACK goes at once (measured) unless in pingpong mode or a writer waits.
            out().sendAck(sk);
            return;
        }
        if (seg.has(TcpFlags.RST)) {
            drop(sk, seg, DropReason.TCP_RESET);
            return;
        }
        if (!seg.has(TcpFlags.SYN)) {
            drop(sk, seg, DropReason.TCP_FLAGS);
            return;
        }
        // Crossed SYNs (simultaneous open, or a connect to itself).
        Options o = Options.parse(seg);
        sk.irs = seg.seq();
        sk.rcvNxt = sk.rcvWup = sk.copiedSeq = Seq.mask(seg.seq() + 1);
        sk.sndWscale = o.wscale;
        sk.sndWnd = seg.window();
        sk.peerMss = o.mss;
        sk.tsRecent = o.tsVal;
        // Linux keeps the timer to retransmit the SYN-ACK; SYN-ACK retransmission is not modelled (docs/model.md).
        sk.cancel(Timer.Kind.RETRANSMIT);
        sk.setState(TcpState.SYN_RECV, Cause.CROSSED_SYNS);
        Segment synAck = new Segment(sk.local, sk.remote, sk.iss, sk.rcvNxt, TcpFlags.SYN | TcpFlags.ACK,
                (int) sk.rcvWnd, 0, out().synOptions(out().advMss(sk), stack.tsNow(sk.tsOffset), sk.tsRecent,
                stack.profile.timestamps(), stack.profile.sack()), null);
        sk.sent(synAck);
        stack.transmit(synAck, sk.ipId++);
    }

    // ---------------------------------------------------------------- synchronized states

    /** tcp_rcv_state_process (and tcp_rcv_established's slow path, which takes the same decisions on loopback). */
    private void stateProcess(TcpSock sk, Segment seg) {
        if (sk.fastopenListener != null && !fastOpenCheckReq(sk, seg)) return;
        if (!seg.has(TcpFlags.ACK) && !seg.has(TcpFlags.RST) && !seg.has(TcpFlags.SYN)) {
            drop(sk, seg, DropReason.TCP_FLAGS);
            return;
        }
        if (!validate(sk, seg)) return;

        // step 5: the ACK field (tcp_ack)
        int ack = ack(sk, seg);
        if (ack < 0) {
            if (sk.state() == TcpState.SYN_RECV) out().sendResetReply(seg, rstOf(unacceptableAck(sk, seg)));
            // tcp_ack answers an ACK of unsent data, or one too old, with a challenge ACK (Linux 6.18: in
            // tcp_rcv_established too, which calls it without FLAG_NO_CHALLENGE_ACK; tcp_rcv_state_process sends it
            // itself). Measured: packetdrill's ts_recent/invalid_ack.pkt on 6.18.44, an ACK with ack 1 and the old TS
            // echo after an F. that acknowledged 9999 (docs/packetdrill.md).
            else out().sendChallengeAck(sk);
            drop(sk, seg, unacceptableAck(sk, seg));
            return;
        }
        boolean finAcked = sk.finQueued && sk.sndUna == sk.writeSeq;
        switch (sk.state()) {
            case SYN_RECV -> {
                if (sk.fastopenListener != null) synRecvStateFastOpen(sk, seg);
                sk.setState(TcpState.ESTABLISHED, Cause.SYN_ACK_ACKED);
                sk.waitQueue.wake(WaitQueue.KEY_ANY);
            }
            case FIN_WAIT1 -> {
                // A Fast Open child closed before its handshake ended is still waiting for the SYN-ACK's ACK.
                if (sk.fastopenListener != null) synRecvStateFastOpen(sk, seg);
                if (finAcked) {
                    sk.setState(TcpState.FIN_WAIT2, Cause.FIN_ACKED);
                    sk.shutdown |= TcpSock.SEND_SHUTDOWN;
                    if (!sk.dead) {
                        sk.waitQueue.wake(WaitQueue.KEY_ANY); // wakes a lingering close()
                    } else {
                        long endSeq = seg.seq() + seg.seqLength();
                        if (seg.seqLength() != 0 && Seq.after(endSeq - (seg.has(TcpFlags.FIN) ? 1 : 0), sk.rcvNxt)) {
                            // An orphan got new data: tcp_done and "return 1" -> tcp_v4_send_reset (abort on data).
                            // tcp_v4_do_rcv's reset: then discard, with the reason it was given.
                            done(sk, Cause.ORPHAN_RECEIVED_DATA);
                            out().sendResetReply(seg, RstReason.TCP_ABORT_ON_DATA);
                            drop(sk, seg, DropReason.TCP_ABORT_ON_DATA);
                            return;
                        }
                        if (sk.linger2Jiffies < 0) {
                            // TCP_LINGER2 < 0: tcp_done, and the reason returned makes tcp_v4_do_rcv reset.
                            done(sk, Cause.ORPHAN_LINGER2_ABORT);
                            out().sendResetReply(seg, RstReason.TCP_ABORT_ON_DATA);
                            drop(sk, seg, DropReason.TCP_ABORT_ON_DATA);
                            return;
                        }
                        if (!seg.has(TcpFlags.FIN)) {
                            if (stack.keepalive.orphanFinWait2(sk)) return;
                        }
                        // With a FIN in the same segment the full socket stays (keepalive timer) and tcp_fin below
                        // moves it to TIME_WAIT.
                    }
                }
            }
            case CLOSING -> {
                if (finAcked) {
                    timeWait(sk, TcpState.TIME_WAIT, 0);
                    return;
                }
            }
            case LAST_ACK -> {
                if (finAcked) {
                    done(sk, Cause.LAST_ACK_ACKED);
                    return;
                }
            }
            default -> { }
        }

        // step 7: the segment text
        boolean queued = true;
        switch (sk.state()) {
            case CLOSE_WAIT, CLOSING, LAST_ACK -> {
                if (!Seq.before(seg.seq(), sk.rcvNxt)) { // the peer already sent its FIN: ignore
                    queued = false;
                    break;
                }
                dataQueue(sk, seg);
            }
            case FIN_WAIT1, FIN_WAIT2 -> {
                long endSeq = seg.seq() + seg.seqLength();
                if ((sk.shutdown & TcpSock.RCV_SHUTDOWN) != 0 && seg.seqLength() != 0
                        && Seq.after(endSeq - (seg.has(TcpFlags.FIN) ? 1 : 0), sk.rcvNxt)) {
                    // RFC 1122: data for a socket that will never read it. tcp_reset plus tcp_v4_send_reset.
                    reset(sk);
                    out().sendResetReply(seg, RstReason.TCP_ABORT_ON_DATA);
                    drop(sk, seg, DropReason.TCP_ABORT_ON_DATA);
                    return;
                }
                dataQueue(sk, seg);
            }
            case ESTABLISHED -> dataQueue(sk, seg);
            default -> { }
        }
        if (sk.state() != TcpState.CLOSE) {
            out().push(sk, false);     // tcp_data_snd_check
            out().ackSndCheck(sk);     // tcp_ack_snd_check
        }
        // "if (!queued) discard: tcp_drop_reason(sk, skb, reason)" with reason still NOT_SPECIFIED: a segment that
        // neither tcp_data_queue took nor a state change consumed (measured: the ACK of data sent in CLOSE_WAIT).
        if (!queued) drop(sk, seg, DropReason.NOT_SPECIFIED);
    }

    /** tcp_ack's verdict on an ACK it refuses: of data never sent, or older than the window allows. */
    private static DropReason unacceptableAck(TcpSock sk, Segment seg) {
        return Seq.after(seg.ack(), sk.sndNxt) ? DropReason.TCP_ACK_UNSENT_DATA : DropReason.TCP_TOO_OLD_ACK;
    }

    /** sk_rst_convert_drop_reason: a drop reason that is also an RST reason keeps its name, else NOT_SPECIFIED. */
    static RstReason rstOf(DropReason d) {
        try {
            return RstReason.valueOf(d.name());
        } catch (IllegalArgumentException e) {
            return RstReason.NOT_SPECIFIED;
        }
    }

    /** tcp_validate_incoming: sequence check, then RST (RFC 5961 3.2), then SYN (RFC 5961 4.2). */
    private boolean validate(TcpSock sk, Segment seg) {
        long seq = seg.seq();
        long endSeq = Seq.mask(seq + seg.seqLength());
        boolean rst = seg.has(TcpFlags.RST);
        DropReason outside = inSequence(sk, seq, endSeq);
        if (outside != null) {
            if (!rst) {
                if (seg.has(TcpFlags.SYN)) {
                    out().sendChallengeAck(sk);
                } else {
                    // tcp_send_dupack: a retransmission re-enters quickack mode, and the ACK goes at once.
                    if (seg.seqLength() != 0 && Seq.before(seq, sk.rcvNxt)) out().enterQuickAckMode(sk);
                    out().sendChallengeAck(sk);
                }
            } else if (resetCheck(sk, seq)) {
                reset(sk); // "goto reset": tcp_reset, then __kfree_skb (measured: no kfree_skb for an RST taken)
                return false;
            }
            drop(sk, seg, outside);
            return false;
        }
        if (rst) {
            if (seq == sk.rcvNxt || resetCheck(sk, seq)) {
                reset(sk); // as above: the RST is consumed, not dropped
                return false;
            }
            out().sendChallengeAck(sk);
            drop(sk, seg, DropReason.TCP_RESET);
            return false;
        }
        if (seg.has(TcpFlags.SYN)) {
            out().sendChallengeAck(sk); // syn_challenge
            drop(sk, seg, DropReason.TCP_INVALID_SYN);
            return false;
        }
        // RFC 7323: remember the peer's TS if this segment starts at or before the last ACK we sent.
        TcpOption.Timestamps ts = seg.timestamps();
        if (ts != null && !Seq.after(seq, sk.rcvWup)) sk.tsRecent = ts.val();
        return true;
    }

    /** tcp_sequence: null when the segment is in the window, else the reason it is not. */
    private DropReason inSequence(TcpSock sk, long seq, long endSeq) {
        long win = Math.max(0, Seq.diff(sk.rcvWup + sk.rcvWnd, sk.rcvNxt));
        if (Seq.before(endSeq, sk.rcvWup)) return DropReason.TCP_OLD_SEQUENCE;
        long right = sk.rcvNxt + win;
        if (Seq.after(endSeq, right)) {
            if (Seq.after(seq, right)) return DropReason.TCP_INVALID_SEQUENCE;
            return sk.recvQueue.isEmpty() && !sk.finInRecvQueue ? null : DropReason.TCP_INVALID_END_SEQUENCE;
        }
        return null;
    }

    /** tcp_reset_check: RCV.NXT-1 is acceptable after the peer's FIN (CLOSE_WAIT, LAST_ACK, CLOSING). */
    private static boolean resetCheck(TcpSock sk, long seq) {
        TcpState s = sk.state();
        return seq == Seq.mask(sk.rcvNxt - 1) && s.peerFinReceived();
    }

    /** tcp_ack: 1 = new data ACKed, 0 = old or duplicate ACK (ignored), -1 = invalid (ACK of unsent data, too old). */
    private int ack(TcpSock sk, Segment seg) {
        long ack = seg.ack();
        if (Seq.before(ack, sk.sndUna)) {
            // An ACK older than the window is refused: max_window = min(max_window, bytes_acked), so on a connection
            // whose peer acknowledged nothing yet any older ACK is (measured: traces/packetdrill/own/old-ack.pkt,
            // a challenge ACK and the data dropped on 6.18.44).
            if (Seq.before(ack, sk.sndUna - Math.min(sk.maxWindow, sk.bytesAcked))) return -1;
            return 0;
        }
        if (Seq.after(ack, sk.sndNxt)) return -1;
        stack.keepalive.ackReceived(sk);
        long win = (long) seg.window() << sk.sndWscale;
        sk.sndWnd = win;
        sk.maxWindow = Math.max(sk.maxWindow, win);
        int acked = Seq.diff(ack, sk.sndUna);
        if (acked == 0 && stack.rtx.on()) stack.rtx.ack(sk, seg, sk.sndUna); // a duplicate: SACK news, RACK
        if (acked > 0) {
            int dataAcked = Math.min(acked, sk.sendQueue.size());
            sk.sendQueue.drop(dataAcked);
            sk.bytesAcked += acked;
            long priorUna = sk.sndUna;
            sk.sndUna = ack;
            sk.ackedTo(ack);
            if (stack.rtx.on()) stack.rtx.ack(sk, seg, priorUna);
            // tcp_check_space: sk_write_space only for a writer that ran out of room (measured: an EPOLLOUT|EPOLLET
            // registration sees no event for ACKs of its own small sends).
            if (sk.noSpace && !sk.dead && stack.calls.writeable(sk)) {
                sk.noSpace = false;
                sk.waitQueue.wake(WaitQueue.KEY_WRITABLE);
            }
            return 1;
        }
        return 0;
    }

    /** tcp_data_queue: in-order data and FIN are queued; anything else is answered with an immediate ACK. */
    private void dataQueue(TcpSock sk, Segment seg) {
        int len = seg.length();
        boolean fin = seg.has(TcpFlags.FIN);
        if (len == 0 && !fin) return;
        long seq = seg.seq();
        int skip = 0;
        boolean link = stack.rtx.on() && stack.congestionModelled();
        if (link) rcvRttMeasureTs(sk, seg, len);
        if (seq != sk.rcvNxt) {
            long endSeq = seq + len + (fin ? 1 : 0);
            if (!Seq.after(endSeq, sk.rcvNxt)) {
                // A retransmission of what we have: quickack mode and a duplicate ACK (tcp_data_queue out_of_window),
                // which reports it (tcp_dsack_set) on a host with a link.
                if (link) ofo(sk).setDsack(seq, Seq.mask(endSeq), sk.sackOk);
                out().enterQuickAckMode(sk);
                sk.ackScheduled = true;
                drop(sk, seg, DropReason.TCP_OLD_DATA);
                return;
            }
            if (Seq.after(seq, sk.rcvNxt) && link) {
                dataQueueOfo(sk, seg, len, fin);
                return;
            }
            if (Seq.after(seq, sk.rcvNxt)) {
                if (stack.rtx.on()) stack.rtx.outOfOrder();
                // Out of order: the model keeps no OFO queue (loopback never reorders); ACK at once for a replay.
                // A departure: Linux queues it (tcp_data_queue_ofo); the model drops it (docs/model.md).
                sk.ackScheduled = true;
                out().enterQuickAckMode(sk);
                drop(sk, seg, DropReason.TCP_OFO_DROP);
                return;
            }
            skip = Seq.diff(sk.rcvNxt, seq); // partial overlap: keep the new part
            if (link) ofo(sk).setDsack(seq, sk.rcvNxt, sk.sackOk); // its old part reported (tcp_dsack_set)
        }
        if (Seq.diff(sk.rcvWup + sk.rcvWnd, sk.rcvNxt) <= 0 && len > 0) {
            // Zero window: drop, and ACK at once.
            out().enterQuickAckMode(sk);
            sk.ackScheduled = true;
            drop(sk, seg, DropReason.TCP_ZEROWINDOW);
            return;
        }
        int n = len - skip;
        if (n > 0) {
            sk.recvQueue.add(seg.payload(), skip, n);
            boolean linked = fromLink(seg);
            int overhead = linked ? TcpOutput.wireTruesize(seg) - len : TcpOutput.SKB_OVERHEAD;
            sk.chargeRx(n, overhead, !linked);
            sk.rcvNxt = Seq.mask(sk.rcvNxt + n);
            sk.bytesReceived += n; // tcp_rcv_nxt_update
            eventDataRecv(sk, seg, n, n + overhead);
        }
        if (fin) {
            sk.rcvNxt = Seq.mask(sk.rcvNxt + 1);
            sk.bytesReceived++; // tcp_rcv_nxt_update counts the FIN's sequence number too
            sk.finInRecvQueue = true;
            finReceived(sk);
        } else if (sk.ofo != null && !sk.ofo.isEmpty()) {
            ofoQueue(sk);
            // RFC 5681 4.2: an ACK at once when the hole is filled (ICSK_ACK_NOW).
            if (sk.ofo.isEmpty()) sk.ackNow = true;
        }
        if (sk.ofo != null && sk.ofo.numSacks > 0) sk.ofo.sackRemove(sk.rcvNxt);
        if (!sk.dead && sk.state() != TcpState.CLOSE) sk.waitQueue.wake(WaitQueue.KEY_READABLE); // tcp_data_ready
    }

    private static OfoQueue ofo(TcpSock sk) {
        if (sk.ofo == null) sk.ofo = new OfoQueue();
        return sk.ofo;
    }

    /**
     * tcp_data_queue_ofo: a segment beyond rcv_nxt within the window is queued (its truesize charged), the SACK
     * blocks updated, the ACK scheduled, and the window grown as for in-order data (tcp_grow_window, which sets quick
     * ACK when it grows). Beyond the window: dropped, and an ACK at once.
     */
    private void dataQueueOfo(TcpSock sk, Segment seg, int len, boolean fin) {
        long seq = seg.seq();
        long win = Math.max(0, Seq.diff(sk.rcvWup + sk.rcvWnd, sk.rcvNxt));
        if (!Seq.before(seq, sk.rcvNxt + win)) {
            out().enterQuickAckMode(sk);
            sk.ackScheduled = true;
            drop(sk, seg, DropReason.TCP_OVERWINDOW);
            return;
        }
        sk.ackScheduled = true; // inet_csk_schedule_ack
        long end = Seq.mask(seq + len + (fin ? 1 : 0));
        int overhead = fromLink(seg) ? TcpOutput.wireTruesize(seg) - len : TcpOutput.SKB_OVERHEAD;
        long cost = ofo(sk).insert(seq, end, seg.payload(), fin, sk.sackOk, overhead);
        sk.rmemAlloc += cost;
        // The receiver's MSS and scaling ratio follow out-of-order segments too (measured: the windows of the
        // duplicate ACKs grow 67, 70, 73, 75 as those of in-order data do, section 31).
        if (cost > 0) measureRcvMss(sk, seg, len, len + overhead);
        if (cost > 0 && sk.sackOk && len >= 128) {
            long before = sk.rcvSsthresh;
            out().growWindow(sk, len, len + overhead);
            if (sk.rcvSsthresh != before) sk.quick |= 1; // tcp_grow_window: icsk_ack.quick |= 1
        }
    }

    /** tcp_ofo_queue: the skbs rcv_nxt has reached join the receive queue (a FIN among them is tcp_fin). */
    private void ofoQueue(TcpSock sk) {
        OfoQueue.Skb skb;
        while ((skb = sk.ofo.pollInOrder(sk.rcvNxt)) != null) {
            long truesize = skb.charged;
            sk.rmemAlloc -= truesize;
            if (!Seq.after(skb.end, sk.rcvNxt)) continue; // all of it already here (TCP_OFO_DROP)
            if (Seq.before(skb.seq, sk.rcvNxt)) sk.ofo.setDsack(skb.seq, sk.rcvNxt, sk.sackOk);
            int skip = Seq.diff(sk.rcvNxt, skb.seq);
            int n = skb.len() - skip;
            if (n > 0) {
                sk.recvQueue.add(skb.data, skip, n);
                sk.chargeRxSkb(n, truesize - n);
                sk.rcvNxt = Seq.mask(sk.rcvNxt + n);
                sk.bytesReceived += n; // tcp_rcv_nxt_update
            }
            if (skb.fin) {
                sk.rcvNxt = Seq.mask(sk.rcvNxt + 1);
                sk.finInRecvQueue = true;
                sk.ofo.clear(); // tcp_fin purges the out-of-order queue
                finReceived(sk);
                return;
            }
        }
    }

    /**
     * tcp_rcv_rtt_measure_ts: the receiver's RTT (rcv_rtt_est) from the timestamp echo of a full-sized segment,
     * once per echoed value; the least sample is kept (tcp_rcv_rtt_update with win_dep). It sizes the SACK
     * compression delay.
     */
    private void rcvRttMeasureTs(TcpSock sk, Segment seg, int len) {
        TcpOption.Timestamps ts = seg.timestamps();
        if (ts == null || ts.ecr() == 0 || ts.ecr() == sk.rcvRttLastTsecr) return;
        sk.rcvRttLastTsecr = ts.ecr();
        if (len < sk.rcvMss) return;
        long delta = Seq.mask(stack.tsNow(sk.tsOffset) - ts.ecr());
        if (delta > Integer.MAX_VALUE / 1000) return;
        long us8 = Math.max(1, delta * 1000) << 3;
        if (sk.rcvRttUs8 == 0 || us8 < sk.rcvRttUs8) sk.rcvRttUs8 = us8;
    }

    /** tcp_event_data_recv: schedules the ACK and drives the quickack/ato engine. */
    private void eventDataRecv(TcpSock sk, Segment seg, int len, int truesize) {
        sk.ackScheduled = true;
        measureRcvMss(sk, seg, len, truesize);
        long now = stack.jiffies();
        long atoMin = out().atoMin();
        if (sk.atoJiffies == 0) {
            // The first data packet: TCP_MAX_QUICKACKS quick ACKs (measured: data gets an ACK within ~10 us).
            out().incrQuickAck(sk);
            sk.atoJiffies = atoMin;
        } else {
            long m = now - sk.lrcvtime;
            if (m <= atoMin / 2) {
                sk.atoJiffies = (sk.atoJiffies >> 1) + atoMin / 2;
            } else if (m < sk.atoJiffies) {
                // icsk_rto caps ato: on loopback's tiny RTT the RTO is its floor, TCP_RTO_MIN.
                sk.atoJiffies = Math.min((sk.atoJiffies >> 1) + m, out().rtoMinJiffies());
            } else if (m > out().rtoMinJiffies()) {
                out().incrQuickAck(sk); // a long gap: the sender restarted, ACK quickly again
            }
        }
        sk.lrcvtime = now;
        if (len >= 128) {
            long before = sk.rcvSsthresh;
            out().growWindow(sk, len, truesize);
            // tcp_grow_window sets quick ACK when the window grows (icsk_ack.quick |= 1): on the link, where the
            // measured ACKs of a growing window stay one per segment past the 16 quick ACKs (section 32's capture).
            if (sk.rcvSsthresh != before && stack.congestionModelled()) sk.quick |= 1;
        }
    }

    /**
     * Whether the segment came across the link from the other host (a host with {@code hosts:}), not over the
     * host's own loopback: its skb is then the one the link's sender allocated (TcpOutput.wireTruesize).
     */
    private boolean fromLink(Segment seg) {
        int own = stack.hostIp(), src = seg.src().ip();
        return own != 0 && src != own && (src >>> 24) != 127;
    }

    /** tcp_measure_rcv_mss: learns the peer's segment size; small pushed segments set ICSK_ACK_PUSHED(2). */
    private void measureRcvMss(TcpSock sk, Segment seg, int len, int truesize) {
        if (len >= sk.rcvMss) {
            if (len != sk.rcvMss) out().updateScalingRatio(sk, len, truesize);
            sk.rcvMss = Math.min(len, out().advMss(sk) - TcpOutput.TS_LEN);
            return;
        }
        int hdr = 20 + (sk.tsOk ? TcpOutput.TS_LEN : 0);
        int withHdr = len + hdr;
        boolean remnant = (seg.flags() & (TcpFlags.FIN | TcpFlags.URG | TcpFlags.SYN | TcpFlags.PSH)) != 0;
        if (withHdr >= 536 + 20 || (withHdr >= TCP_MIN_MSS + 20 && !remnant)) {
            int lss = sk.lastSegSize;
            sk.lastSegSize = len;
            if (len == lss) {
                sk.rcvMss = len;
                return;
            }
        }
        if (sk.ackPushed) sk.ackPushed2 = true;
        sk.ackPushed = true;
    }

    /** tcp_fin. */
    private void finReceived(TcpSock sk) {
        sk.ackScheduled = true;
        sk.shutdown |= TcpSock.RCV_SHUTDOWN;
        sk.done = true;
        switch (sk.state()) {
            case SYN_RECV, ESTABLISHED -> {
                sk.setState(TcpState.CLOSE_WAIT, Cause.PEER_FIN);
                out().enterPingpongMode(sk); // the FIN's ACK is delayed
            }
            case FIN_WAIT1 -> {
                // Simultaneous close: ACK the FIN, enter CLOSING.
                out().sendAck(sk);
                sk.setState(TcpState.CLOSING, Cause.SIMULTANEOUS_CLOSE);
            }
            case FIN_WAIT2 -> {
                out().sendAck(sk); // measured: immediate ACK, then TIME_WAIT
                timeWait(sk, TcpState.TIME_WAIT, 0);
                return;
            }
            default -> { }
        }
        if (!sk.dead) sk.waitQueue.wake(WaitQueue.KEY_ANY);
    }

    // ---------------------------------------------------------------- endings

    /**
     * tcp_reset: an acceptable RST. The error depends on the state (SYN_SENT: ECONNREFUSED, CLOSE_WAIT: EPIPE,
     * otherwise ECONNRESET; nothing in CLOSE); the write queue is purged, the receive queue is kept (measured: data
     * queued before the RST is still read first).
     */
    void reset(TcpSock sk) {
        Errno err;
        switch (sk.state()) {
            case SYN_SENT -> err = Errno.ECONNREFUSED;
            case CLOSE_WAIT -> err = Errno.EPIPE;
            case CLOSE -> { return; }
            default -> err = Errno.ECONNRESET;
        }
        sk.skErr = err;
        sk.sendQueue.clear();
        done(sk, Cause.RESET_RECEIVED, err.name());
        if (!sk.dead) sk.waitQueue.wake(WaitQueue.KEY_ERROR); // sk_error_report
    }

    /** tcp_done: CLOSE, timers stopped, both directions shut; an orphan is destroyed. */
    void done(TcpSock sk, Cause why) {
        done(sk, why, null);
    }

    void done(TcpSock sk, Cause why, String detail) {
        if (sk.fastopenListener != null) fastOpenRemove(sk, false); // tcp_done: a Fast Open child's request goes
        sk.setState(TcpState.CLOSE, why, detail);
        out().cancelTimers(sk);
        sk.shutdown = TcpSock.SHUTDOWN_MASK;
        if (!sk.dead) sk.waitQueue.wake(WaitQueue.KEY_ANY);
        else stack.destroy(sk);
    }

    /**
     * tcp_time_wait: a timewait minisock takes over the 4-tuple (substate FIN_WAIT2 for an orphan whose FIN was
     * ACKed, TIME_WAIT otherwise), and the full socket is done. TIME_WAIT always lasts TCP_TIMEWAIT_LEN (60 s).
     */
    void timeWait(TcpSock sk, TcpState substate, long timeoNanos) {
        TimeWaitSock tw = new TimeWaitSock(stack, substate);
        tw.local = sk.local;
        tw.remote = sk.remote;
        tw.rcvNxt = sk.rcvNxt;
        tw.sndNxt = sk.sndNxt;
        tw.rcvWnd = Math.max(0, Seq.diff(sk.rcvWup + sk.rcvWnd, sk.rcvNxt));
        tw.rcvWscale = sk.rcvWscale;
        tw.tsRecent = sk.tsRecent;
        tw.tsOffset = sk.tsOffset;
        tw.reuseAddr = sk.reuseAddr;
        tw.reusePort = sk.reusePort;
        tw.v6 = sk.v6;
        tw.tsOk = sk.tsOk;
        long timeo = substate == TcpState.TIME_WAIT ? stack.profile.timeWaitNanos() : Math.max(timeoNanos, TcpOutput.MIN_TIMEWAIT_NANOS);
        stack.established.put(new ConnKey(tw.local, tw.remote), tw);
        stack.bound.add(tw);
        stack.logBirth(tw, substate == TcpState.TIME_WAIT ? Cause.TIME_WAIT_START : Cause.ORPHAN_FIN_WAIT2_START);
        armTimewait(tw, timeo);
        done(sk, Cause.TIMEWAIT_HANDOVER);
    }

    /** inet_twsk_schedule / inet_twsk_reschedule: tw_timer, for the substate the minisock is in now. */
    private void armTimewait(TimeWaitSock tw, long timeoNanos) {
        Timer.Kind kind = tw.state() == TcpState.TIME_WAIT ? Timer.Kind.TIME_WAIT : Timer.Kind.FIN_WAIT2;
        tw.arm(kind, timeoNanos / stack.profile.jiffyNanos());
    }

    /** inet_twsk_deschedule_put, or tw_timer_handler when the timer fired: the minisock leaves the hashes. */
    void timewaitKill(TimeWaitSock tw, Cause why) {
        tw.cancelTimers();
        ConnKey k = new ConnKey(tw.local, tw.remote);
        if (stack.established.get(k) == tw) stack.established.remove(k);
        stack.releasePort(tw);
        tw.setState(TcpState.CLOSE, why);
    }

    /**
     * tcp_v4_rcv's do_time_wait: tcp_timewait_state_process's verdict, then "goto discard_it", which frees the
     * segment with kfree_skb_reason(skb, NOT_SPECIFIED) whatever the verdict (an ACK answered, an RST sent, nothing),
     * except a new SYN that a listener takes (measured: every segment a timewait minisock receives is a drop).
     */
    private void timewaitStateProcess(TimeWaitSock tw, Segment seg) {
        if (!timewaitVerdict(tw, seg)) drop(tw, seg, DropReason.NOT_SPECIFIED);
    }

    /** tcp_timewait_state_process and its verdict's action; true when a listener took the segment (TCP_TW_SYN). */
    private boolean timewaitVerdict(TimeWaitSock tw, Segment seg) {
        long seq = seg.seq();
        long endSeq = Seq.mask(seq + seg.seqLength());
        boolean rst = seg.has(TcpFlags.RST), syn = seg.has(TcpFlags.SYN), ack = seg.has(TcpFlags.ACK);
        if (tw.state() == TcpState.FIN_WAIT2) {
            if (!inWindow(seq, endSeq, tw.rcvNxt, tw.rcvNxt + tw.rcvWnd)) {
                timewaitOowAck(tw);
                return false;
            }
            if (rst) {
                timewaitKill(tw, Cause.TIMEWAIT_RST_IN_FIN_WAIT2);
                return false;
            }
            if (syn && !Seq.before(seq, tw.rcvNxt)) {
                twReset(tw, seg);
                return false;
            }
            if (!ack || !Seq.after(endSeq, tw.rcvNxt) || endSeq == seq) return false; // a duplicate ACK
            if (!seg.has(TcpFlags.FIN) || endSeq != Seq.mask(tw.rcvNxt + 1)) {
                // New data after a half-duplex close: reset (TCP_TW_RST). Measured as "abort on data".
                twReset(tw, seg);
                return false;
            }
            tw.rcvNxt = endSeq;
            TcpOption.Timestamps ts = seg.timestamps();
            if (ts != null) tw.tsRecent = ts.val();
            tw.setState(TcpState.TIME_WAIT, Cause.TIMEWAIT_FIN_RECEIVED);
            armTimewait(tw, stack.profile.timeWaitNanos());
            out().sendTimewaitAck(tw);
            return false;
        }
        // The real TIME_WAIT.
        if (seq == tw.rcvNxt && (seq == endSeq || rst)) {
            if (rst) {
                timewaitKill(tw, Cause.TIMEWAIT_KILLED_BY_RST);
            } else {
                armTimewait(tw, stack.profile.timeWaitNanos());
            }
            return false;
        }
        if (syn && !rst && !ack && Seq.after(seq, tw.rcvNxt)) {
            // TCP_TW_SYN: a new connection on the old 4-tuple goes to the listener, if there is one.
            TcpSock l = listenerFor(seg);
            if (l != null) {
                timewaitKill(tw, Cause.TIMEWAIT_NEW_SYN);
                listen(l, seg);
                return true;
            }
        }
        if (!rst) {
            if (ack) armTimewait(tw, stack.profile.timeWaitNanos());
            timewaitOowAck(tw);
        }
        return false;
    }

    private void twReset(TimeWaitSock tw, Segment seg) {
        out().sendResetReply(seg, RstReason.TCP_TIMEWAIT_SOCKET);
        timewaitKill(tw, Cause.TIMEWAIT_RESET);
    }

    /** tcp_timewait_check_oow_rate_limit, then TCP_TW_ACK. */
    private void timewaitOowAck(TimeWaitSock tw) {
        long now = stack.now();
        if (TcpOutput.oowRateLimited(now, tw.lastOowAck)) return;
        tw.lastOowAck = now;
        out().sendTimewaitAck(tw);
    }

    /** tcp_in_window. */
    private static boolean inWindow(long seq, long endSeq, long sWin, long eWin) {
        if (seq == Seq.mask(sWin)) return true;
        if (Seq.after(endSeq, sWin) && Seq.before(seq, eWin)) return true;
        return seq == Seq.mask(eWin) && seq == endSeq;
    }

    /** The options of a SYN or SYN-ACK that the model uses, and which were there (tcp_parse_options). */
    private record Options(int mss, int wscale, long tsVal, boolean ws, boolean ts, boolean sack) {
        static Options parse(Segment seg) {
            int mss = 536, wscale = 0;
            long tsVal = 0;
            boolean ws = false, ts = false, sack = false;
            for (TcpOption o : seg.options()) {
                if (o instanceof TcpOption.Mss m) mss = m.mss();
                else if (o instanceof TcpOption.WindowScale w) {
                    wscale = Math.min(w.shift(), 14);
                    ws = true;
                } else if (o instanceof TcpOption.Timestamps t) {
                    tsVal = t.val();
                    ts = true;
                } else if (o == TcpOption.SACK_PERMITTED) sack = true;
            }
            return new Options(mss, wscale, tsVal, ws, ts, sack);
        }
    }
}
