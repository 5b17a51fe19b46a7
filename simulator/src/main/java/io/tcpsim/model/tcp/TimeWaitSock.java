package io.tcpsim.model.tcp;

import io.tcpsim.backend.TcpState;

/**
 * A timewait minisock (struct tcp_timewait_sock): what is left of a connection in TIME_WAIT, or of an orphan in
 * FIN_WAIT2 (tcp_time_wait(sk, TCP_FIN_WAIT2, tmo) from __tcp_close or tcp_rcv_state_process). It answers segments
 * by tcp_timewait_state_process and disappears when its timer fires.
 */
public final class TimeWaitSock extends Endpoint {
    long rcvNxt;
    long sndNxt;
    long rcvWnd;
    int rcvWscale;
    long tsRecent;
    long tsOffset;
    boolean reuseAddr;
    long expiresAt;     // when the timer wheel fires it
    long timerExpires;  // timer->expires as armed, which /proc/net/tcp shows
    int gen;
    long lastOowAck = Long.MIN_VALUE;

    TimeWaitSock(TcpStack stack, TcpState substate) {
        super(stack, substate);
    }

    public long expiresAt() {
        return expiresAt;
    }
}
