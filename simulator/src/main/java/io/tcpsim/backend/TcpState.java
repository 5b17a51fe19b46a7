package io.tcpsim.backend;

/**
 * The eleven TCP states, with Linux's codes (include/net/tcp_states.h) and the names netstat and ss print
 * (net-tools netstat.c tcp_state[], iproute2 ss sstate_name[]). Capabilities live here so that code asks the state
 * ("can this socket still send a FIN?") instead of listing states in many places.
 */
public enum TcpState {
    ESTABLISHED(1, "ESTAB"),
    SYN_SENT(2, "SYN-SENT"),
    SYN_RECV(3, "SYN-RECV"),
    FIN_WAIT1(4, "FIN-WAIT-1"),
    FIN_WAIT2(5, "FIN-WAIT-2"),
    TIME_WAIT(6, "TIME-WAIT"),
    CLOSE(7, "UNCONN"),
    CLOSE_WAIT(8, "CLOSE-WAIT"),
    LAST_ACK(9, "LAST-ACK"),
    LISTEN(10, "LISTEN"),
    CLOSING(11, "CLOSING");

    /** The st column of /proc/net/tcp. */
    public final int code;
    public final String ssName;

    TcpState(int code, String ssName) {
        this.code = code;
        this.ssName = ssName;
    }

    /** The name netstat prints (the enum name: ESTABLISHED, FIN_WAIT2, ...). */
    public String netstatName() {
        return name();
    }

    /** The state with this /proc/net/tcp code (include/net/tcp_states.h); TCP_NEW_SYN_RECV (12) is printed as SYN_RECV. */
    public static TcpState ofCode(int code) {
        if (code == 12) return SYN_RECV;
        for (TcpState s : values()) if (s.code == code) return s;
        throw new IllegalArgumentException("no TCP state has code " + code);
    }

    /** The handshake is under way: connect() and send() wait, poll reports neither POLLIN nor POLLOUT (tcp_poll). */
    public boolean connecting() {
        return this == SYN_SENT || this == SYN_RECV;
    }

    /** The peer's FIN has arrived: CLOSE_WAIT, LAST_ACK, CLOSING (and TIME_WAIT). */
    public boolean peerFinReceived() {
        return this == CLOSE_WAIT || this == LAST_ACK || this == CLOSING || this == TIME_WAIT;
    }

    /**
     * No connection to a peer: CLOSE or LISTEN. listen() may be called only here (inet_listen), and a delayed ACK
     * that comes due here has nothing to acknowledge (tcp_delack_timer_handler).
     */
    public boolean unconnected() {
        return this == CLOSE || this == LISTEN;
    }

    /** A segment from the peer has been seen: the sequence spaces are synchronised (RFC 793 3.4). */
    public boolean isSynchronized() {
        return this != CLOSE && this != LISTEN && this != SYN_SENT;
    }

    /** tcp_sendmsg_locked sends without waiting only in these two (tcp.c). */
    public boolean canSendData() {
        return this == ESTABLISHED || this == CLOSE_WAIT;
    }

    /** close() waits in sk_stream_wait_close while the state is one of these (net/core/stream.c closing()). */
    public boolean lingerWaits() {
        return this == FIN_WAIT1 || this == CLOSING || this == LAST_ACK;
    }

    /** tcp_need_reset() (tcp.c): tcp_disconnect sends an RST from these. */
    public boolean needsResetOnAbort() {
        return this == ESTABLISHED || this == CLOSE_WAIT || this == FIN_WAIT1 || this == FIN_WAIT2 || this == SYN_RECV;
    }

    /** tcp_shutdown() sends a FIN only from these (tcp.c). */
    public boolean shutdownSendsFin() {
        return this == ESTABLISHED || this == SYN_SENT || this == SYN_RECV || this == CLOSE_WAIT;
    }

    /** In the established hash, so a lookup finds it and netstat lists it (CLOSE is unhashed, tcp_set_state). */
    public boolean hashed() {
        return this != CLOSE;
    }
}
