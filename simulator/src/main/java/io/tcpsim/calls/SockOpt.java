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
    SO_REUSEPORT(15, 1, true),
    SO_OOBINLINE(10, 1, true),
    /** Read here; setting it is not modelled (the model refuses it when the step runs). */
    TCP_WINDOW_CLAMP(10, 1, true),
    SO_KEEPALIVE(9, 1, true),
    SO_SNDBUF(7, 1, false),
    SO_RCVBUF(8, 1, false),
    SO_RCVTIMEO(20, 1, true),
    SO_SNDTIMEO(21, 1, true),
    TCP_NODELAY(1, 1, true),
    TCP_CORK(3, 1, true),
    TCP_KEEPIDLE(4, 1, true),
    TCP_KEEPINTVL(5, 1, true),
    TCP_KEEPCNT(6, 1, true),
    TCP_SYNCNT(7, 1, true),
    TCP_LINGER2(8, 1, true),
    TCP_USER_TIMEOUT(18, 1, true),
    /** The listener's Fast Open queue length (TCP_FASTOPEN): fastopen_queue_tune. */
    TCP_FASTOPEN(23, 1, true),
    /**
     * The listener's own Fast Open key (TCP_FASTOPEN_KEY, tcp_fastopen_reset_cipher with the socket): 16 bytes, as
     * four ints in the host's (little-endian) order.
     */
    TCP_FASTOPEN_KEY(33, 4, true),
    TCP_MAXSEG(2, 1, true),
    /** A name (TCP_CA_NAME_MAX, 16 bytes): carried as four ints of its bytes, NUL-padded ({@link #name(int[])}). */
    TCP_CONGESTION(13, 4, true),
    TCP_QUICKACK(12, 1, true),
    /** recvmsg's TCP_INQ control message on (tp->recvmsg_inq). */
    TCP_INQ(36, 1, true),
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

    /** TCP_CONGESTION's name as the kernel takes it: its bytes, NUL-padded to 16, as four little-endian ints. */
    public static int[] packName(String name) {
        byte[] b = java.util.Arrays.copyOf(name.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 16);
        int[] v = new int[4];
        for (int i = 0; i < 16; i++) v[i / 4] |= (b[i] & 0xff) << (8 * (i % 4));
        return v;
    }

    /** The name in four ints, up to the first NUL. */
    public static String name(int[] v) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; v != null && i < 4 * v.length; i++) {
            int c = v[i / 4] >>> (8 * (i % 4)) & 0xff;
            if (c == 0) break;
            s.append((char) c);
        }
        return s.toString();
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
