package io.tcpsim.fuzz;

import java.util.Map;

/**
 * Why an edge of StateTable may stay uncovered by generated scripts (docs/model.md, "Transition coverage"). Keys are
 * {@code FROM->TO} in TcpState names.
 */
public final class Gaps {
    private Gaps() {}

    public static final Map<String, String> EXPLAINED = Map.of(
            "SYN_SENT->SYN_RECV", "crossed SYNs (simultaneous open, e.g. a socket bound and connected to itself, "
                    + "tcp_rcv_synsent_state_process): generated clients only connect to the listener, which answers "
                    + "with a SYN-ACK",
            "SYN_RECV->FIN_WAIT1", "Linux holds a half-open connection as a request sock, not a full socket; the child "
                    + "is made by the third ACK and leaves SYN_RECV in the same tcp_rcv_state_process call, so no call "
                    + "can reach it there (a full socket stays in SYN_RECV only with TCP Fast Open, not modelled, or "
                    + "after crossed SYNs)",
            "SYN_RECV->CLOSE", "as SYN_RECV->FIN_WAIT1: an RST for a request sock (tcp_check_req) removes the request, "
                    + "no full socket changes state",
            "SYN_RECV->CLOSE_WAIT", "as SYN_RECV->FIN_WAIT1: the client's third ACK never carries a FIN (connect returns "
                    + "before the application can close)",
            "FIN_WAIT1->TIME_WAIT", "Linux takes it in two steps: an ACK+FIN in FIN_WAIT1 is FIN_WAIT1->FIN_WAIT2 "
                    + "(tcp_rcv_state_process), then FIN_WAIT2->TIME_WAIT (tcp_fin); both are covered",
            "CLOSING->TIME_WAIT", "needs a simultaneous close whose FINs cross; on loopback each call settles before the "
                    + "next, so the first FIN is ACKed before the peer closes, unless a zero window holds it back");
}
