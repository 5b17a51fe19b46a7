package io.tcpsim.model.tcp;

import io.tcpsim.backend.TcpState;
import io.tcpsim.calls.Errno;
import io.tcpsim.model.ByteQueue;
import io.tcpsim.model.WaitQueue;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A full TCP socket: struct tcp_sock with the fields the model needs. Sequence numbers are unsigned 32-bit values
 * kept in longs and always masked; compare them with {@link Seq}.
 */
public final class TcpSock extends Endpoint {
    /** sk_shutdown bits (include/net/sock.h). */
    public static final int RCV_SHUTDOWN = 1, SEND_SHUTDOWN = 2, SHUTDOWN_MASK = 3;

    /** struct socket's state (SS_*), which connect() and shutdown() consult besides the TCP state. */
    enum SocketState { UNCONNECTED, CONNECTING, CONNECTED, DISCONNECTING }

    public final WaitQueue waitQueue = new WaitQueue();

    // struct sock
    Errno skErr;
    int shutdown;
    boolean done;          // SOCK_DONE: a FIN was received (tcp_fin)
    boolean dead;          // SOCK_DEAD: orphaned by close()
    boolean reuseAddr;     // SO_REUSEADDR
    boolean reusePort;     // SO_REUSEPORT (sk_reuseport)
    boolean oobInline;     // SO_OOBINLINE (SOCK_URGINLINE): urgent data cannot arrive in a script (MSG_OOB is refused)
    boolean linger;        // SOCK_LINGER
    long lingerJiffies;    // sk_lingertime: MAX_SCHEDULE_TIMEOUT (Long.MAX_VALUE) for ever
    boolean bound;         // has a local port (bind, or autobind by connect/listen)
    boolean portLocked;    // SOCK_BINDPORT_LOCK: bind() named the port, so CLOSE keeps it
    boolean noSpace;       // SOCK_NOSPACE: a writer found the send buffer full
    SocketState ss = SocketState.UNCONNECTED;
    /** sk_family == AF_INET6 (socket(AF_INET6), or a child of such a listener). */
    boolean v6;
    /** The IPv4 identification of the next packet (an IPv6 packet carries a flow label instead: TcpStack#flowLabel). */
    int ipId;

    // sequence space (tcp_sock)
    long iss, irs;
    long sndUna, sndNxt, writeSeq;
    long rcvNxt, copiedSeq, rcvWup;
    long sndWnd;            // peer's window in bytes (scaled)
    int sndWscale, rcvWscale;
    long rcvWnd;            // the window last advertised, in bytes
    long rcvSsthresh;
    long windowClamp = 65536;  // tcp_full_space at the default scaling ratio
    int scalingRatio = 128;    // TCP_DEFAULT_SCALING_RATIO: window bytes per 256 bytes of buffer
    long rmemAlloc;            // sk_rmem_alloc: truesize of the queued segments
    // {bytes left, length, pieces} per queued skb; small at first (here and the accept queue): replay makes a model,
    // so three sockets, per flow, and an empty ArrayDeque's default 16 slots were a tenth of its allocation.
    final java.util.ArrayDeque<int[]> rxSkbs = new java.util.ArrayDeque<>(2);
    long maxWindow;
    long bytesAcked;        // tp->bytes_acked: sequence space the peer's ACKs moved snd_una over (tcp_snd_una_update)
    boolean finQueued;      // our FIN is in the write queue (counted in writeSeq)
    long sndSml;            // end of the last small segment sent (Nagle, tcp_minshall_update)
    int peerMss;

    // timestamps (RFC 7323)
    long tsOffset;
    long tsRecent;

    // data
    final ByteQueue sendQueue = new ByteQueue();    // bytes from sndUna to writeSeq (FIN not included)
    final ByteQueue recvQueue = new ByteQueue();    // bytes from copiedSeq to rcvNxt (FIN not included)
    boolean finInRecvQueue;                          // the peer's FIN is queued behind the data

    // delayed-ACK engine (inet_connection_sock icsk_ack)
    int quick;
    int pingpong;
    long atoJiffies;
    long lrcvtime = Long.MIN_VALUE;
    /** Timestamps negotiated (tp->rx_opt.tstamp_ok): both SYNs carried the option. */
    boolean tsOk;
    /** tp->lsndtime: the jiffy this socket last sent data (tcp_event_data_sent). */
    long lsndtimeJiffies = Long.MIN_VALUE;
    boolean ackScheduled;   // ICSK_ACK_SCHED (ICSK_ACK_TIMER is the armed DELAYED_ACK timer)
    boolean ackPushed, ackPushed2;
    int rcvMss = 536;       // TCP_MSS_DEFAULT until tcp_measure_rcv_mss learns better
    int lastSegSize;

    // retransmission (SYN only on loopback)
    int retransmits;
    /** TCP_SYNCNT (icsk_syn_retries): 0 when unset, then tcp_syn_retries counts. */
    int synRetries;
    /** retrans_stamp: when the first SYN left, in ms (tcp_connect), the start of the connect's time budget. */
    long retransStampMs;
    long rtoNanos = 1_000_000_000L;   // TCP_TIMEOUT_INIT
    /** When the (last) SYN left, for the handshake's RTT sample. */
    long synSentNanos;

    // retransmission of data and FIN, on a host with a link (TcpRetransmit): {seq, end, sent, flags, retransmitted}
    final ArrayDeque<long[]> rtxQueue = new ArrayDeque<>(2);
    long srttUs8, mdevUs, mdevMaxUs, rttvarUs, rttSeq;
    /** icsk_rto in jiffies: TCP_TIMEOUT_INIT until the first RTT sample. */
    long rtoJiffies;
    int backoff;
    /** tlp_high_seq, or -1 when no probe is outstanding. */
    long tlpHighSeq = -1;
    /** icsk_ca_state is Loss (after an RTO), until everything outstanding is ACKed. */
    boolean lossState;
    /** SACK negotiated (tp->rx_opt.sack_ok). */
    boolean sackOk;
    /** TCP_NODELAY (tp->nonagle & TCP_NAGLE_OFF): no Nagle. */
    boolean nodelay;
    /** TCP_INQ (tp->recvmsg_inq): recvmsg returns the bytes left as a control message. */
    boolean recvmsgInq;
    /** TCP_CONGESTION set by a setsockopt (icsk_ca_setsockopt), or null: the host's default. */
    String congestion;

    /** TCP_CORK (tp->nonagle & TCP_NAGLE_CORK): a partial last segment waits for more, or the probe timer. */
    boolean corked;
    /** TCP_MAXSEG (rx_opt.user_mss); 0: unset. */
    int userMss;
    /** TCP_NOTSENT_LOWAT (tp->notsent_lowat, unsigned); 0: the sysctl's, UINT_MAX. */
    int notsentLowat;
    /** SO_RCVLOWAT (sk_rcvlowat): what a read waits for and poll's POLLIN needs. */
    int rcvLowat = 1;
    /** TCP_USER_TIMEOUT (icsk_user_timeout), ms; 0: tcp_retries2 decides. */
    int userTimeoutMs;
    long lastOowAck = Long.MIN_VALUE;

    /** sk_rcvtimeo and sk_sndtimeo (SO_RCVTIMEO, SO_SNDTIMEO) in jiffies: MAX_SCHEDULE_TIMEOUT waits for ever. */
    public long rcvTimeoJiffies = Long.MAX_VALUE, sndTimeoJiffies = Long.MAX_VALUE;

    // keepalive and the orphan's FIN_WAIT2 (TcpKeepalive)
    /** SOCK_KEEPOPEN: SO_KEEPALIVE is on. */
    boolean keepOpen;
    /** tp->keepalive_time, keepalive_intvl (jiffies) and keepalive_probes; 0: the sysctl's. */
    long keepaliveTimeJiffies, keepaliveIntvlJiffies;
    int keepaliveProbes;
    /** icsk_probes_out: keepalive probes sent and not answered. */
    int probesOut;
    /** tp->rcv_tstamp: the jiffy of the last ACK tcp_ack took (keepalive_time_elapsed). */
    long rcvTstampJiffies = Long.MIN_VALUE;
    /** tp->linger2 (TCP_LINGER2) in jiffies: 0 unset (tcp_fin_timeout), -1 for a negative value (abort). */
    long linger2Jiffies;

    // the receiver's out-of-order queue and SACK blocks, on a host with a link (OfoQueue); null until one arrives
    OfoQueue ofo;
    /** rcv_rtt_est.rtt_us (x8), from the timestamp echo of full-sized segments (tcp_rcv_rtt_measure_ts); 0: none. */
    long rcvRttUs8;
    long rcvRttLastTsecr = -1;
    /** ICSK_ACK_NOW: the next ACK check sends at once (the hole in the sequence filled). */
    boolean ackNow;
    // the sender's congestion window and loss recovery, on a host with a link (Congestion, Recovery)
    Congestion.State cc;
    // tcp_get_info's counters: __tcp_transmit_skb (segs_out, data_segs_out, bytes_sent), tcp_segs_in (segs_in,
    // data_segs_in), tcp_rcv_nxt_update (bytes_received), tcp_clean_rtx_queue (delivered, packets_out)
    long segsOut, segsIn, dataSegsOut, dataSegsIn, bytesSent, bytesReceived, bytesRetrans, delivered, totalRetrans;
    /** The end of each sent segment not yet wholly ACKed, in order: tp->packets_out (each skb of one segment). */
    final ArrayDeque<Long> unackedEnds = new ArrayDeque<>(2);
    /** The end of the highest segment sent; a segment ending at or below it again is a retransmission. */
    long sentHigh;
    boolean sentAny;
    /** Window scaling negotiated (rx_opt.wscale_ok), SACK negotiated (tcp_is_sack). */
    boolean wsOk, sackNegotiated;
    /** The handshake's options were learnt (tcp_rcv_synsent_state_process, tcp_create_openreq_child). */
    boolean synced;

    // listener
    int backlog;
    final ArrayDeque<TcpSock> acceptQueue = new ArrayDeque<>(2);
    final Map<ConnKey, RequestSock> synQueue = new LinkedHashMap<>();
    TcpSock parent;          // the listener, while this child waits in its accept queue
    /** fastopenq.max_qlen (TCP_FASTOPEN, or listen()'s backlog under TFO_SERVER_WO_SOCKOPT1): 0, no Fast Open. */
    int fastopenMaxQlen;
    /** fastopenq.ctx: the key TCP_FASTOPEN_KEY set on this socket, else null (the namespace's, tcp_fastopen_get_ctx). */
    int[] fastopenKey;
    /** fastopenq.qlen: Fast Open children still in SYN_RECV (tcp_fastopen_create_child, reqsk_fastopen_remove). */
    int fastopenQlen;
    /** fastopenq.rskq_rst_head: when each reset child's request stops counting in the queue (jiffies). */
    final ArrayDeque<Long> fastopenRst = new ArrayDeque<>(1);
    /** tp->fastopen_rsk: a passive Fast Open child that has not left SYN_RECV; the listener that made it. */
    TcpSock fastopenListener;
    RequestSock fastopenRequest;
    /** tp->syn_data_acked: the SYN's data was taken (tcp_fastopen_add_skb), TCPI_OPT_SYN_DATA. */
    boolean synDataAcked;
    /** tp->syn_fastopen_child: made by tcp_try_fastopen (TCPI_OPT_TFO_CHILD). */
    boolean synFastopenChild;
    /** tp->rx_opt.wscale_ok: both SYNs carried the window scale option (TCPI_OPT_WSCALE). */
    boolean wscaleOk;
    /** A handshake set tp->rx_opt (tcpi_options); tcp_disconnect clears it. */
    boolean optionsKnown;

    TcpSock(TcpStack stack) {
        super(stack, TcpState.CLOSE);
        tsOk = stack.profile.timestamps();
        rtoJiffies = stack.profile.hz();
    }

    /** sk_lingertime in jiffies; {@link Long#MAX_VALUE} (MAX_SCHEDULE_TIMEOUT) waits without a deadline. */
    public long lingerJiffies() {
        return lingerJiffies;
    }

    /** sock_error(): returns the pending error and clears it (xchg). */
    Errno takeError() {
        Errno e = skErr;
        skErr = null;
        return e;
    }

    /**
     * A received segment of {@code len} bytes joins the receive queue. Behind unread data it is coalesced into the
     * tail segment (tcp_try_coalesce, up to MAX_SKB_FRAGS pieces), which charges only its bytes; otherwise it is a
     * segment of its own, charged at its truesize. (Measured: without coalescing the window after 207 + 2102 unread
     * bytes would be win 89; Linux says win 90.) {@code mayCoalesce} false: the segment's skb neither takes another's
     * bytes nor gives its own (a frame from the link: its head was kmalloc'd, so skb_try_coalesce refuses it), and
     * each is charged at its own truesize.
     */
    void chargeRx(int len, int overhead, boolean mayCoalesce) {
        int[] tail = rxSkbs.peekLast();
        if (mayCoalesce && tail != null && tail[2] < OfoQueue.MAX_PIECES) {
            tail[0] += len;
            tail[1] += len;
            tail[2]++;
            rmemAlloc += len;
            return;
        }
        // [bytes left to read, bytes, pieces (MAX_PIECES: takes no more), truesize beyond the bytes]
        rxSkbs.add(new int[] {len, len, mayCoalesce ? 1 : OfoQueue.MAX_PIECES, overhead});
        rmemAlloc += len + overhead;
    }

    /**
     * An skb of coalesced segments from the out-of-order queue joins the receive queue (tcp_ofo_queue): an skb of
     * its own that keeps its truesize, {@code overhead} beyond its bytes.
     */
    void chargeRxSkb(int len, long overhead) {
        rxSkbs.add(new int[] {len, len, OfoQueue.MAX_PIECES, (int) overhead});
        rmemAlloc += len + overhead;
    }

    /** The reader consumed {@code n} bytes: segments read to their end are freed (tcp_eat_recv_skb). */
    void uncharge(int n) {
        while (n > 0 && !rxSkbs.isEmpty()) {
            int[] skb = rxSkbs.peek();
            int take = Math.min(n, skb[0]);
            skb[0] -= take;
            n -= take;
            if (skb[0] == 0) {
                rxSkbs.poll();
                rmemAlloc -= skb[1] + skb[3];
            }
        }
    }

    void purgeRx() {
        recvQueue.clear();
        rxSkbs.clear();
        rmemAlloc = 0;
        finInRecvQueue = false;
        if (ofo != null) ofo.clear();
    }

    /** __tcp_transmit_skb's counters for a segment this socket sends (not a request sock's SYN-ACK). */
    void sent(io.tcpsim.wire.Segment seg) {
        segsOut++;
        int len = seg.length();
        if (len > 0) {
            dataSegsOut++;
            bytesSent += len;
        }
        int space = len + (seg.has(io.tcpsim.wire.TcpFlags.SYN) ? 1 : 0) + (seg.has(io.tcpsim.wire.TcpFlags.FIN) ? 1 : 0);
        if (space == 0) return;
        long end = Seq.mask(seg.seq() + space);
        if (sentAny && !Seq.after(end, sentHigh)) {
            totalRetrans++; // tcp_retransmit_skb
            bytesRetrans += len;
            return;
        }
        unackedEnds.add(end);
        sentHigh = end;
        sentAny = true;
    }

    /** tcp_segs_in: a segment the socket received. */
    void received(io.tcpsim.wire.Segment seg) {
        segsIn++;
        if (seg.length() > 0) dataSegsIn++;
    }

    /** tcp_clean_rtx_queue: segments wholly ACKed leave packets_out and count as delivered. */
    void ackedTo(long ack) {
        while (!unackedEnds.isEmpty() && !Seq.after(unackedEnds.peek(), ack)) {
            unackedEnds.poll();
            delivered++;
        }
    }

    /** tcp_packets_in_flight() != 0, in sequence terms. */
    boolean hasUnacked() {
        return Seq.after(sndNxt, sndUna);
    }

    int acceptBacklog() {
        return acceptQueue.size();
    }

    /** sk_acceptq_is_full(): the queue is full when it holds MORE than the backlog (so listen(0) admits one). */
    boolean acceptQueueFull() {
        return acceptQueue.size() > backlog;
    }
}
