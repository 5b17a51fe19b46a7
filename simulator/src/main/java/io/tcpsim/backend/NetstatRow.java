package io.tcpsim.backend;

import io.tcpsim.wire.SockAddr;

/**
 * One line of {@code netstat -tn}: the values get_tcp4_sock puts in /proc/net/tcp. {@code state} prints as
 * netstat names it (ESTABLISHED, FIN_WAIT2, ...). {@code timer} is netstat -o's column ("off (0.00/0/0)", "timewait (59.94/0/0)")
 * and {@code orphan} is true when no descriptor refers to the socket (inode 0).
 */
public record NetstatRow(long recvQ, long sendQ, SockAddr local, SockAddr foreign, TcpState state, String timer,
                         boolean orphan, int[] info) {

    /** A row of netstat: no tcp_info. */
    public NetstatRow(long recvQ, long sendQ, SockAddr local, SockAddr foreign, TcpState state, String timer, boolean orphan) {
        this(recvQ, sendQ, local, foreign, state, timer, orphan, null);
    }

    /** The same row with the socket's struct tcp_info ({@link io.tcpsim.calls.TcpInfo}), for {@code ss -tin}. */
    public NetstatRow withInfo(int[] words) {
        return new NetstatRow(recvQ, sendQ, local, foreign, state, timer, orphan, words);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetstatRow r && r.recvQ == recvQ && r.sendQ == sendQ && r.local.equals(local)
                && r.foreign.equals(foreign) && r.state == state && java.util.Objects.equals(r.timer, timer)
                && r.orphan == orphan && java.util.Arrays.equals(r.info, info);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(recvQ, sendQ, local, foreign, state, timer, orphan, java.util.Arrays.hashCode(info));
    }

    /** The header {@code ss -tin} prints (iproute2 6.1 ss, not a terminal), as this view lays it out. */
    public static final String SS_HEADER = "State      Recv-Q Send-Q Local Address:Port  Peer Address:Port";

    /** The socket's line as {@code ss -tin} prints it: the state, the queues, the addresses. */
    public String formatSs() {
        StringBuilder b = new StringBuilder(80);
        padRight(b, state.ssName, 10).append(' ');
        padRight(b, Long.toString(recvQ), 6).append(' ');
        padRight(b, Long.toString(sendQ), 6).append(' ');
        padLeft(b, local.toString(), 18).append(' ');
        padLeft(b, foreign.toString(), 18);
        return b.toString();
    }

    /** The netstat -tn header (net-tools netstat.c), trailing spaces included. */
    public static final String HEADER =
            "Proto Recv-Q Send-Q Local Address           Foreign Address         State      ";

    /** The line as netstat -tn prints it: {@code printf("%-4s  %6ld %6ld %-*s %-*s %-11s")} with width 23. */
    public String format() {
        String l = column(local);
        String f = column(foreign);
        // /proc/net/tcp6's rows are netstat's "tcp6" (tcp_info in netstat.c: the proto name of the file it read).
        StringBuilder b = new StringBuilder(80).append(local.isV6() ? "tcp6  " : "tcp   ");
        padLeft(b, Long.toString(recvQ), 6).append(' ');
        padLeft(b, Long.toString(sendQ), 6).append(' ');
        padRight(b, l, 23).append(' ');
        padRight(b, f, 23).append(' ');
        return padRight(b, state.netstatName(), 11).toString();
    }

    /**
     * netstat.c tcp_do_one: the address, cut so that address and port fit 22 characters (without -W), a colon,
     * the port; port 0 is {@code *}. IPv6 addresses have no brackets: {@code ::1:4321}, {@code :::*}.
     */
    private static String column(SockAddr a) {
        String port = a.port() == 0 ? "*" : Integer.toString(a.port());
        // measured: netstat prints a v4-mapped address of /proc/net/tcp6 as the IPv4 one (127.0.0.1:4332)
        String ip = a.isV6() && a.ip6().isV4Mapped() ? new SockAddr((int) a.ip6().lo(), 0).ipString() : a.ipString();
        if (ip.length() + port.length() > 22) ip = ip.substring(0, 22 - port.length());
        return ip + ":" + port;
    }

    private static StringBuilder padLeft(StringBuilder b, String s, int w) {
        for (int i = s.length(); i < w; i++) b.append(' ');
        return b.append(s);
    }

    private static StringBuilder padRight(StringBuilder b, String s, int w) {
        b.append(s);
        for (int i = s.length(); i < w; i++) b.append(' ');
        return b;
    }

    public boolean listening() {
        return state == TcpState.LISTEN;
    }
}
