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
        String l = local.toString();
        String f = foreign.port() == 0 && foreign.ip() == 0 ? "0.0.0.0:*" : foreign.toString();
        StringBuilder b = new StringBuilder(80).append("tcp   ");
        padLeft(b, Long.toString(recvQ), 6).append(' ');
        padLeft(b, Long.toString(sendQ), 6).append(' ');
        padRight(b, l, 23).append(' ');
        padRight(b, f, 23).append(' ');
        return padRight(b, state.netstatName(), 11).toString();
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
