package io.tcpsim.calls;

/**
 * The socket options a script can name, with their numbers (SOL_SOCKET's, or IPPROTO_TCP's for the TCP_* ones) and
 * how many int values they carry. SO_RCVTIMEO and SO_SNDTIMEO are a struct timeval in the kernel and milliseconds
 * in a script; TCP_USER_TIMEOUT is milliseconds in both. {@link #modelled} says whether the model runs the option;
 * a script that uses one it does not is refused as "not modelled yet" (docs/model.md).
 */
public enum SockOpt {
    SO_REUSEADDR(2, 1, true),
    SO_ERROR(4, 1, true),
    SO_LINGER(13, 2, true),
    SO_KEEPALIVE(9, 1, false),
    SO_SNDBUF(7, 1, false),
    SO_RCVBUF(8, 1, false),
    SO_RCVTIMEO(20, 1, false),
    SO_SNDTIMEO(21, 1, false),
    TCP_NODELAY(1, 1, true),
    TCP_CORK(3, 1, false),
    TCP_KEEPIDLE(4, 1, false),
    TCP_KEEPINTVL(5, 1, false),
    TCP_KEEPCNT(6, 1, false),
    TCP_SYNCNT(7, 1, true),
    TCP_LINGER2(8, 1, false),
    TCP_USER_TIMEOUT(18, 1, true),
    /** The listener's Fast Open queue length (TCP_FASTOPEN): fastopen_queue_tune. */
    TCP_FASTOPEN(23, 1, true),
    /**
     * The listener's own Fast Open key (TCP_FASTOPEN_KEY, tcp_fastopen_reset_cipher with the socket): 16 bytes, as
     * four ints in the host's (little-endian) order.
     */
    TCP_FASTOPEN_KEY(33, 4, true),
    TCP_MAXSEG(2, 1, true),
    TCP_QUICKACK(12, 1, true),
    TCP_NOTSENT_LOWAT(25, 1, true),
    SO_RCVLOWAT(18, 1, true),
    /** struct tcp_info, read-only: {@link TcpInfo}. */
    TCP_INFO(11, TcpInfo.WORDS, true),
    SO_TYPE(3, 1, true),
    SO_ACCEPTCONN(30, 1, true),
    SO_PROTOCOL(38, 1, true),
    SO_DOMAIN(39, 1, true);

    public final int number;
    /** SO_LINGER carries {onoff, seconds}, TCP_INFO a struct tcp_info; the others one int. */
    public final int arity;
    /** Whether the model runs the option (the kernel backend runs them all). */
    public final boolean modelled;

    SockOpt(int number, int arity, boolean modelled) {
        this.number = number;
        this.arity = arity;
        this.modelled = modelled;
    }

    /** IPPROTO_TCP's options (tcp_setsockopt); the others are SOL_SOCKET's (sk_setsockopt). */
    public boolean tcpLevel() {
        return name().startsWith("TCP_");
    }

    /** Options sk_setsockopt has no case for, that only getsockopt reads: setting one is ENOPROTOOPT. */
    public boolean readOnly() {
        return this == SO_ERROR || this == TCP_INFO || this == SO_TYPE || this == SO_ACCEPTCONN || this == SO_PROTOCOL || this == SO_DOMAIN;
    }
}
