package io.tcpsim.model.tcp;

import io.tcpsim.backend.TcpState;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The transitions Linux makes, and only those. {@link TcpSock#setState} checks every change against this table;
 * the property tests use the same table. TIME_WAIT and orphaned FIN_WAIT2 are timewait minisocks in Linux: the full
 * socket goes to CLOSE (tcp_time_wait calls tcp_done), and the minisock carries the substate. Both are listed here as
 * the endpoint's transitions, as netstat shows them.
 */
public final class StateTable {
    private static final Map<TcpState, Set<TcpState>> ALLOWED = new EnumMap<>(TcpState.class);

    static {
        // socket() -> CLOSE. listen: CLOSE -> LISTEN. connect: CLOSE -> SYN_SENT.
        allow(TcpState.CLOSE, TcpState.LISTEN, TcpState.SYN_SENT, TcpState.SYN_RECV);
        // (CLOSE -> SYN_RECV: inet_csk_clone_lock makes a listener's child in SYN_RECV.)
        // inet_csk_listen_stop on close / shutdown(SHUT_RD) -> CLOSE
        allow(TcpState.LISTEN, TcpState.CLOSE);
        // SYN-ACK -> ESTABLISHED (tcp_finish_connect); RST, close, shutdown, timeout -> CLOSE
        allow(TcpState.SYN_SENT, TcpState.ESTABLISHED, TcpState.SYN_RECV, TcpState.CLOSE);
        // (SYN_SENT -> SYN_RECV: crossed SYNs, e.g. a connect to itself, tcp_rcv_synsent_state_process.)
        // child: third ACK -> ESTABLISHED; FIN in SYN_RECV -> CLOSE_WAIT; close -> FIN_WAIT1; RST -> CLOSE
        allow(TcpState.SYN_RECV, TcpState.ESTABLISHED, TcpState.CLOSE_WAIT, TcpState.FIN_WAIT1, TcpState.CLOSE);
        allow(TcpState.ESTABLISHED, TcpState.FIN_WAIT1, TcpState.CLOSE_WAIT, TcpState.CLOSE);
        // ACK of FIN -> FIN_WAIT2; simultaneous close -> CLOSING; FIN+ACK in one segment -> TIME_WAIT via FIN_WAIT2
        allow(TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, TcpState.CLOSING, TcpState.TIME_WAIT, TcpState.CLOSE);
        allow(TcpState.FIN_WAIT2, TcpState.TIME_WAIT, TcpState.CLOSE);
        allow(TcpState.CLOSING, TcpState.TIME_WAIT, TcpState.CLOSE);
        allow(TcpState.CLOSE_WAIT, TcpState.LAST_ACK, TcpState.CLOSE);
        allow(TcpState.LAST_ACK, TcpState.CLOSE);
        allow(TcpState.TIME_WAIT, TcpState.CLOSE);
    }

    private StateTable() {}

    private static void allow(TcpState from, TcpState... to) {
        Set<TcpState> s = EnumSet.noneOf(TcpState.class);
        Collections.addAll(s, to);
        ALLOWED.put(from, Collections.unmodifiableSet(s));
    }

    /** The table as a matrix, for the check on every transition. */
    private static final boolean[][] MATRIX = new boolean[TcpState.values().length][TcpState.values().length];

    static {
        for (var e : ALLOWED.entrySet()) for (TcpState to : e.getValue()) MATRIX[e.getKey().ordinal()][to.ordinal()] = true;
    }

    public static boolean allowed(TcpState from, TcpState to) {
        return MATRIX[from.ordinal()][to.ordinal()];
    }
}
