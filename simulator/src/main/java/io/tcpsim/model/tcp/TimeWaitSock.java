package io.tcpsim.model.tcp;

import io.tcpsim.backend.TcpState;

/**
 * A timewait minisock (struct tcp_timewait_sock): what is left of a connection in TIME_WAIT, or of an orphan in
 * FIN_WAIT2 (tcp_time_wait(sk, TCP_FIN_WAIT2, tmo) from __tcp_close or tcp_rcv_state_process). It answers segments
 * by tcp_timewait_state_process and disappears when its timer (tw_timer) fires.
 */
public final class TimeWaitSock extends Endpoint {
    long rcvNxt;
    long sndNxt;
    long rcvWnd;
    int rcvWscale;
    long tsRecent;
    long tsOffset;
    boolean reuseAddr;
    boolean reusePort; // tw_reuseport (inet_twsk_alloc)
    boolean tsOk = true;
    long lastOowAck = Long.MIN_VALUE;

    TimeWaitSock(TcpStack stack, TcpState substate) {
        super(stack, substate);
    }

    /** tw_timer: the FIN_WAIT2 or TIME_WAIT timer, whichever is armed (one always is while the minisock is hashed). */
    Timer twTimer() {
        Timer t = timer(Timer.Kind.TIME_WAIT);
        return t != null ? t : timer(Timer.Kind.FIN_WAIT2);
    }
}
