package io.tcpsim.kernel;

import io.tcpsim.backend.NetstatRow;
import io.tcpsim.backend.TcpState;
import io.tcpsim.wire.SockAddr;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns /proc/net/tcp into the rows {@code netstat -tano} prints, as net-tools netstat.c (tcp_do_one) does.
 *
 * <p>The kernel writes each line in get_tcp4_sock (or get_timewait4_sock / get_openreq4):
 * {@code sl local rem st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...}, addresses as the raw
 * __be32 printed with %08X (so 127.0.0.1 reads 0100007F on x86), ports in host order, tm->when in clock ticks
 * (USER_HZ = 100). netstat reads them with
 * {@code "%d: %64[0-9A-Fa-f]:%X %64[0-9A-Fa-f]:%X %X %lX:%lX %X:%lX %lX %d %d %lu"}, prints rx_queue as Recv-Q and
 * tx_queue as Send-Q, and with -o the timer as {@code off (0.00/%ld/%d)}, {@code on (%2.2f/%ld/%d)},
 * {@code keepalive (...)}, {@code timewait (...)}, {@code probe (...)} from (tr, when/HZ, retrnsmt, timeout).
 */
public final class ProcNetTcp {
    private static final double HZ = 100.0;

    private ProcNetTcp() {}

    /** Every socket line of the file (the header skipped), in file order. */
    public static List<NetstatRow> parse(List<String> lines) {
        List<NetstatRow> rows = new ArrayList<>();
        for (String line : lines) {
            String t = line.trim();
            if (t.isEmpty() || t.startsWith("sl")) continue;
            rows.add(parseLine(t));
        }
        return rows;
    }

    static NetstatRow parseLine(String line) {
        String[] f = line.split("\\s+");
        // f[0] "0:", f[1] local, f[2] remote, f[3] st, f[4] tx:rx, f[5] tr:when, f[6] retrnsmt, f[7] uid,
        // f[8] timeout, f[9] inode
        SockAddr local = address(f[1]);
        SockAddr remote = address(f[2]);
        int st = Integer.parseInt(f[3], 16);
        String[] q = f[4].split(":");
        long tx = Long.parseLong(q[0], 16);
        long rx = Long.parseLong(q[1], 16);
        String[] tm = f[5].split(":");
        int timerRun = Integer.parseInt(tm[0], 16);
        long when = Long.parseUnsignedLong(tm[1], 16);
        long retr = Long.parseLong(f[6], 16);
        int timeout = Integer.parseInt(f[8]);
        long inode = Long.parseLong(f[9]);
        return new NetstatRow(rx, tx, local, remote, TcpState.ofCode(st), timer(timerRun, when, retr, timeout), inode == 0);
    }

    static String timer(int timerRun, long when, long retr, int timeout) {
        double secs = when / HZ;
        return switch (timerRun) {
            case 0 -> String.format(Locale.ROOT, "off (0.00/%d/%d)", retr, timeout);
            case 1 -> String.format(Locale.ROOT, "on (%2.2f/%d/%d)", secs, retr, timeout);
            case 2 -> String.format(Locale.ROOT, "keepalive (%2.2f/%d/%d)", secs, retr, timeout);
            case 3 -> String.format(Locale.ROOT, "timewait (%2.2f/%d/%d)", secs, retr, timeout);
            case 4 -> String.format(Locale.ROOT, "probe (%2.2f/%d/%d)", secs, retr, timeout);
            default -> String.format(Locale.ROOT, "unkn-%d (%2.2f/%d/%d)", timerRun, secs, retr, timeout);
        };
    }

    /**
     * {@code 0100007F:1F90} to 127.0.0.1:8080: the address is the __be32 printed as a little-endian int; in
     * /proc/net/tcp6 (get_tcp6_sock) the four __be32 words of the IPv6 address, each so:
     * {@code 00000000000000000000000001000000:10E1} is [::1]:4321.
     */
    static SockAddr address(String text) {
        int colon = text.indexOf(':');
        if (colon == 32) {
            byte[] b = new byte[16];
            for (int w = 0; w < 4; w++) {
                int raw = Integer.reverseBytes((int) Long.parseLong(text.substring(8 * w, 8 * w + 8), 16));
                b[4 * w] = (byte) (raw >>> 24);
                b[4 * w + 1] = (byte) (raw >>> 16);
                b[4 * w + 2] = (byte) (raw >>> 8);
                b[4 * w + 3] = (byte) raw;
            }
            return new SockAddr(SockAddr.Ip6.of(b, 0), Integer.parseInt(text.substring(colon + 1), 16));
        }
        int raw = (int) Long.parseLong(text.substring(0, colon), 16);
        return new SockAddr(Integer.reverseBytes(raw), Integer.parseInt(text.substring(colon + 1), 16));
    }
}
