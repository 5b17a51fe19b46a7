package io.tcpsim.wire;

/**
 * The eight TCP flag bits as they sit in byte 13 of the header. A plain int so that every combination a capture
 * can hold (SYN+FIN, no flags at all) is representable.
 */
public final class TcpFlags {
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    private TcpFlags() {}

    public static boolean has(int flags, int bit) {
        return (flags & bit) != 0;
    }

    /**
     * The flag string tcpdump prints between the brackets: F S R P . U E W, in that order (print-tcp.c
     * tcp_flag_values), or {@code none} when no bit is set.
     */
    public static String tcpdump(int flags) {
        if ((flags & 0xff) == 0) return "none";
        StringBuilder b = new StringBuilder(8);
        if (has(flags, FIN)) b.append('F');
        if (has(flags, SYN)) b.append('S');
        if (has(flags, RST)) b.append('R');
        if (has(flags, PSH)) b.append('P');
        if (has(flags, ACK)) b.append('.');
        if (has(flags, URG)) b.append('U');
        if (has(flags, ECE)) b.append('E');
        if (has(flags, CWR)) b.append('W');
        return b.toString();
    }
}
