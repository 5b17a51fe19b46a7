package io.tcpsim.model.tcp;

import io.tcpsim.wire.SockAddr;

/**
 * A request sock (TCP_NEW_SYN_RECV): the listener's record of a SYN it answered with a SYN-ACK, until the third ACK
 * makes a full child socket (tcp_check_req). netstat lists it as SYN_RECV with empty queues.
 */
final class RequestSock {
    final TcpSock listener;
    final SockAddr local, remote;
    final long iss, irs;
    final int peerWscale;
    final long peerTsVal;
    final long tsOffset;
    final int peerMss;
    final long peerWindow;
    int synackRetransmits;
    /** When the last SYN-ACK left, and how many were sent (tcp_synack_rtt_meas: Karn after the first). */
    long synackSentNanos;
    int synacksSent;
    /**
     * What the SYN offered and this host takes (tcp_openreq_init: tstamp_ok, sack_ok, wscale_ok): an option the peer
     * did not offer is not answered, and not used on the connection.
     */
    boolean tsOk = true, sackOk = true, wsOk = true;
    /** num_timeout: expiries of the SYN-ACK timer so far (the backoff's exponent); num_retrans counts every SYN-ACK resent. */
    int numTimeout, numRetrans;
    /** tcp_rsk(req)->last_oow_ack_time: a duplicate SYN is answered at most once per 500 ms. */
    long lastOowAck = Long.MIN_VALUE;
    /** rsk_timer (SynAckTimer), null when none is pending. */
    SynAckTimer timer;
    /**
     * The Fast Open cookie the SYN-ACK carries (tcp_try_fastopen's foc with len >= 0: one the SYN asked for, or the
     * valid one for a SYN whose cookie was wrong), null for none; {@code foExp}: in the experimental option (254).
     */
    byte[] foCookie;
    boolean foExp;
    /** tcp_rsk(req)->rcv_nxt: what the SYN-ACK acknowledges, past the SYN's data for a Fast Open child. */
    long rcvNxt;

    RequestSock(TcpSock listener, SockAddr local, SockAddr remote, long iss, long irs, int peerWscale, long peerTsVal,
                long tsOffset, int peerMss, long peerWindow) {
        this.listener = listener;
        this.local = local;
        this.remote = remote;
        this.iss = iss;
        this.irs = irs;
        this.peerWscale = peerWscale;
        this.peerTsVal = peerTsVal;
        this.tsOffset = tsOffset;
        this.peerMss = peerMss;
        this.peerWindow = peerWindow;
    }
}
