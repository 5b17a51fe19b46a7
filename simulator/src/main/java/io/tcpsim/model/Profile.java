package io.tcpsim.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The kernel and wire parameters of the simulated host. {@link #linux6()} is the reference machine of
 * docs/model.md (Linux 6.18, loopback, default sysctls). Every field can be changed from a script's
 * {@code profile:} header; {@link #with(String, String)} names the keys.
 */
public record Profile(
        int mss,                 // loopback MTU 65536 - 40: measured 65495 both ways
        int tcpRmemMax,          // net.ipv4.tcp_rmem[2]; with rmem_max it fixes the window scale
        int rmemMax,             // net.core.rmem_max
        int rcvbuf,              // tcp_rmem[1]: the initial receive buffer, bytes
        int sndbuf,              // data a connected socket's send queue holds (see linux6())
        int hz,                  // CONFIG_HZ: timers fire on jiffy ticks
        long finTimeoutNanos,    // net.ipv4.tcp_fin_timeout (orphaned FIN_WAIT2)
        long timeWaitNanos,      // TCP_TIMEWAIT_LEN, a compile-time constant of 60 s
        long loopbackDelayNanos, // from transmit to receive on lo
        boolean timestamps,      // net.ipv4.tcp_timestamps
        boolean sack,            // net.ipv4.tcp_sack
        int ephemeralLow,        // net.ipv4.ip_local_port_range
        int ephemeralHigh,
        int somaxconn) {         // net.core.somaxconn caps listen()'s backlog

    public static Profile linux6() {
        // sndbuf: tcp_sndbuf_expand grows a connected socket's SO_SNDBUF to 3939840 (measured). Measured too: a
        // non-blocking send to a peer that never reads accepts 3919467 bytes, then EAGAIN. The model counts data
        // bytes, unacknowledged or unsent, against this limit.
        return new Profile(65495, 33554432, 4194304, 131072, 3919467, 250, 60_000_000_000L, 60_000_000_000L,
                10_000L, true, true, 32768, 60999, 4096);
    }

    /**
     * Window scale Linux offers: tcp_select_initial_window scales for max(tcp_rmem[2], rmem_max) and caps at 14.
     * With 32 MiB that is 10 (measured: wscale 10 on the reference machine).
     */
    public int windowScale() {
        long space = Math.max(tcpRmemMax, rmemMax);
        int ws = 0;
        while (space > 65535 && ws < 14) {
            space >>= 1;
            ws++;
        }
        return ws;
    }

    public long jiffyNanos() {
        return 1_000_000_000L / hz;
    }

    /** The profile keys a script may set, with their current values. */
    public Map<String, String> keys() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("mss", "" + mss);
        m.put("tcp_rmem_max", "" + tcpRmemMax);
        m.put("rmem_max", "" + rmemMax);
        m.put("rcvbuf", "" + rcvbuf);
        m.put("sndbuf", "" + sndbuf);
        m.put("hz", "" + hz);
        m.put("tcp_fin_timeout", finTimeoutNanos / 1_000_000_000L + "s");
        m.put("loopback_delay", loopbackDelayNanos / 1000 + "us");
        m.put("tcp_timestamps", timestamps ? "1" : "0");
        m.put("tcp_sack", sack ? "1" : "0");
        m.put("ip_local_port_range", ephemeralLow + "-" + ephemeralHigh);
        m.put("somaxconn", "" + somaxconn);
        return m;
    }

    /**
     * This profile with one key changed. Throws IllegalArgumentException with a one-line message naming the valid
     * keys or the expected value form; the script layer turns it into a located error.
     */
    public Profile with(String key, String value) {
        try {
            return switch (key) {
                case "mss" -> new Profile(intIn(value, 88, 65495), tcpRmemMax, rmemMax, rcvbuf, sndbuf, hz, finTimeoutNanos, timeWaitNanos, loopbackDelayNanos, timestamps, sack, ephemeralLow, ephemeralHigh, somaxconn);
                case "tcp_rmem_max" -> new Profile(mss, intIn(value, 4096, Integer.MAX_VALUE), rmemMax, rcvbuf, sndbuf, hz, finTimeoutNanos, timeWaitNanos, loopbackDelayNanos, timestamps, sack, ephemeralLow, ephemeralHigh, somaxconn);
                case "rmem_max" -> new Profile(mss, tcpRmemMax, intIn(value, 4096, Integer.MAX_VALUE), rcvbuf, sndbuf, hz, finTimeoutNanos, timeWaitNanos, loopbackDelayNanos, timestamps, sack, ephemeralLow, ephemeralHigh, somaxconn);
                case "rcvbuf" -> new Profile(mss, tcpRmemMax, rmemMax, intIn(value, 2048, Integer.MAX_VALUE), sndbuf, hz, finTimeoutNanos, timeWaitNanos, loopbackDelayNanos, timestamps, sack, ephemeralLow, ephemeralHigh, somaxconn);
                case "sndbuf" -> new Profile(mss, tcpRmemMax, rmemMax, rcvbuf, intIn(value, 2048, Integer.MAX_VALUE), hz, finTimeoutNanos, timeWaitNanos, loopbackDelayNanos, timestamps, sack, ephemeralLow, ephemeralHigh, somaxconn);
                case "hz" -> new Profile(mss, tcpRmemMax, rmemMax, rcvbuf, sndbuf, oneOf(value, 100, 250, 300, 1000), finTimeoutNanos, timeWaitNanos, loopbackDelayNanos, timestamps, sack, ephemeralLow, ephemeralHigh, somaxconn);
                case "tcp_fin_timeout" -> new Profile(mss, tcpRmemMax, rmemMax, rcvbuf, sndbuf, hz, seconds(value), timeWaitNanos, loopbackDelayNanos, timestamps, sack, ephemeralLow, ephemeralHigh, somaxconn);
                case "loopback_delay" -> new Profile(mss, tcpRmemMax, rmemMax, rcvbuf, sndbuf, hz, finTimeoutNanos, timeWaitNanos, micros(value), timestamps, sack, ephemeralLow, ephemeralHigh, somaxconn);
                case "tcp_timestamps" -> new Profile(mss, tcpRmemMax, rmemMax, rcvbuf, sndbuf, hz, finTimeoutNanos, timeWaitNanos, loopbackDelayNanos, bool(value), sack, ephemeralLow, ephemeralHigh, somaxconn);
                case "tcp_sack" -> new Profile(mss, tcpRmemMax, rmemMax, rcvbuf, sndbuf, hz, finTimeoutNanos, timeWaitNanos, loopbackDelayNanos, timestamps, bool(value), ephemeralLow, ephemeralHigh, somaxconn);
                case "ip_local_port_range" -> {
                    String[] p = value.trim().split("[-\\s]+");
                    if (p.length != 2) throw new IllegalArgumentException("expected LOW-HIGH, e.g. 32768-60999");
                    int lo = intIn(p[0], 1024, 65535), hi = intIn(p[1], lo + 1, 65535);
                    yield new Profile(mss, tcpRmemMax, rmemMax, rcvbuf, sndbuf, hz, finTimeoutNanos, timeWaitNanos, loopbackDelayNanos, timestamps, sack, lo, hi, somaxconn);
                }
                case "somaxconn" -> new Profile(mss, tcpRmemMax, rmemMax, rcvbuf, sndbuf, hz, finTimeoutNanos, timeWaitNanos, loopbackDelayNanos, timestamps, sack, ephemeralLow, ephemeralHigh, intIn(value, 0, 65535));
                default -> throw new IllegalArgumentException("unknown profile key '" + key + "'; known keys: "
                        + String.join(", ", keys().keySet()));
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("profile key '" + key + "': expected a number, got '" + value + "'");
        }
    }

    private static int intIn(String v, int lo, int hi) {
        long n = Long.parseLong(v.trim());
        if (n < lo || n > hi) throw new IllegalArgumentException("expected a number from " + lo + " to " + hi + ", got " + v);
        return (int) n;
    }

    private static int oneOf(String v, int... allowed) {
        int n = Integer.parseInt(v.trim());
        for (int a : allowed) if (a == n) return n;
        throw new IllegalArgumentException("expected one of 100, 250, 300, 1000, got " + v);
    }

    private static boolean bool(String v) {
        return switch (v.trim()) {
            case "1", "true" -> true;
            case "0", "false" -> false;
            default -> throw new IllegalArgumentException("expected 0 or 1, got " + v);
        };
    }

    private static long seconds(String v) {
        String t = v.trim();
        if (t.endsWith("s")) t = t.substring(0, t.length() - 1);
        return intIn(t, 1, 86400) * 1_000_000_000L;
    }

    private static long micros(String v) {
        String t = v.trim();
        if (t.endsWith("us")) t = t.substring(0, t.length() - 2);
        return intIn(t, 0, 1_000_000) * 1000L;
    }
}
