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
        int somaxconn,           // net.core.somaxconn caps listen()'s backlog
        int synLinearTimeouts,   // net.ipv4.tcp_syn_linear_timeouts: SYN retransmissions before the backoff doubles
        int initRwnd,            // the route's initrwnd (ip route ... initrwnd N): the SYN's window in segments; 0 unset
        int pingpongThresh,      // net.ipv4.tcp_pingpong_thresh: replies within ato before ACKs are delayed (1; 3 in 5.1-6.1)
        boolean pingpongFirstReplyOnly, // no sysctl: kernels 5.1-6.1 count only a side's first reply (see TcpOutput)
        int synRetries,          // net.ipv4.tcp_syn_retries: the connect's time budget (tcp_write_timeout)
        int retries2,            // net.ipv4.tcp_retries2: an established connection's budget (two hosts)
        int orphanRetries,       // net.ipv4.tcp_orphan_retries: an orphan's (0: 8 while alive)
        int keepaliveTime,       // net.ipv4.tcp_keepalive_time, s: idle time before the first keepalive probe
        int keepaliveIntvl,      // net.ipv4.tcp_keepalive_intvl, s: between unanswered probes
        int keepaliveProbes,     // net.ipv4.tcp_keepalive_probes: unanswered probes before the connection is dropped
        int synackRetries) {     // net.ipv4.tcp_synack_retries: a request's SYN-ACK retransmissions (two hosts)

    public static Profile linux6() {
        // sndbuf: tcp_sndbuf_expand grows a connected socket's SO_SNDBUF to 3939840 (measured). Measured too: a
        // non-blocking send to a peer that never reads accepts 3919467 bytes, then EAGAIN. The model counts data
        // bytes, unacknowledged or unsent, against this limit.
        return new Profile(65495, 33554432, 4194304, 131072, 3919467, 250, 60_000_000_000L, 60_000_000_000L,
                10_000L, true, true, 32768, 60999, 4096, 4, 0, 1, false, 6, 15, 0, 7200, 75, 9, 5);
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
        m.put("tcp_syn_linear_timeouts", "" + synLinearTimeouts);
        m.put("initrwnd", "" + initRwnd);
        m.put("tcp_pingpong_thresh", "" + pingpongThresh);
        m.put("pingpong_first_reply_only", pingpongFirstReplyOnly ? "1" : "0");
        m.put("tcp_syn_retries", "" + synRetries);
        m.put("tcp_retries2", "" + retries2);
        m.put("tcp_orphan_retries", "" + orphanRetries);
        m.put("tcp_keepalive_time", "" + keepaliveTime);
        m.put("tcp_keepalive_intvl", "" + keepaliveIntvl);
        m.put("tcp_keepalive_probes", "" + keepaliveProbes);
        m.put("tcp_synack_retries", "" + synackRetries);
        return m;
    }

    /**
     * This profile with one key changed. Throws IllegalArgumentException with a one-line message naming the valid
     * keys or the expected value form; the script layer turns it into a located error.
     */
    public Profile with(String key, String value) {
        try {
            Fields f = new Fields(this);
            switch (key) {
                case "mss" -> f.mss = intIn(value, 88, 65495);
                case "tcp_rmem_max" -> f.tcpRmemMax = intIn(value, 4096, Integer.MAX_VALUE);
                case "rmem_max" -> f.rmemMax = intIn(value, 4096, Integer.MAX_VALUE);
                case "rcvbuf" -> f.rcvbuf = intIn(value, 2048, Integer.MAX_VALUE);
                case "sndbuf" -> f.sndbuf = intIn(value, 2048, Integer.MAX_VALUE);
                case "hz" -> f.hz = oneOf(value, 100, 250, 300, 1000);
                case "tcp_fin_timeout" -> f.finTimeoutNanos = seconds(value);
                case "loopback_delay" -> f.loopbackDelayNanos = micros(value);
                case "tcp_timestamps" -> f.timestamps = bool(value);
                case "tcp_sack" -> f.sack = bool(value);
                case "ip_local_port_range" -> {
                    String[] p = value.trim().split("[-\\s]+");
                    if (p.length != 2) throw new IllegalArgumentException("expected LOW-HIGH, e.g. 32768-60999");
                    f.ephemeralLow = intIn(p[0], 1024, 65535);
                    f.ephemeralHigh = intIn(p[1], f.ephemeralLow + 1, 65535);
                }
                case "somaxconn" -> f.somaxconn = intIn(value, 0, 65535);
                case "tcp_syn_linear_timeouts" -> f.synLinearTimeouts = intIn(value, 0, 10);
                case "initrwnd" -> f.initRwnd = intIn(value, 0, 1024);
                case "tcp_pingpong_thresh" -> f.pingpongThresh = intIn(value, 1, 255);
                case "pingpong_first_reply_only" -> f.pingpongFirstReplyOnly = bool(value);
                case "tcp_syn_retries" -> f.synRetries = intIn(value, 1, 127);
                case "tcp_retries2" -> f.retries2 = intIn(value, 0, 255);
                case "tcp_orphan_retries" -> f.orphanRetries = intIn(value, 0, 255);
                // The ranges TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT accept (tcp_setsockopt).
                case "tcp_keepalive_time" -> f.keepaliveTime = intIn(value, 1, 32767);
                case "tcp_keepalive_intvl" -> f.keepaliveIntvl = intIn(value, 1, 32767);
                case "tcp_keepalive_probes" -> f.keepaliveProbes = intIn(value, 1, 127);
                case "tcp_synack_retries" -> f.synackRetries = intIn(value, 1, 255);
                default -> throw new IllegalArgumentException("unknown profile key '" + key + "'; known keys: "
                        + String.join(", ", keys().keySet()));
            }
            return f.profile();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("profile key '" + key + "': expected a number, got '" + value + "'");
        }
    }

    /** A profile's fields, to change one and make the new profile. */
    private static final class Fields {
        int mss, tcpRmemMax, rmemMax, rcvbuf, sndbuf, hz, ephemeralLow, ephemeralHigh, somaxconn, synLinearTimeouts,
                initRwnd, pingpongThresh, synRetries, retries2, orphanRetries, keepaliveTime, keepaliveIntvl,
                keepaliveProbes, synackRetries;
        long finTimeoutNanos, timeWaitNanos, loopbackDelayNanos;
        boolean timestamps, sack, pingpongFirstReplyOnly;

        Fields(Profile p) {
            mss = p.mss; tcpRmemMax = p.tcpRmemMax; rmemMax = p.rmemMax; rcvbuf = p.rcvbuf; sndbuf = p.sndbuf;
            hz = p.hz; finTimeoutNanos = p.finTimeoutNanos; timeWaitNanos = p.timeWaitNanos;
            loopbackDelayNanos = p.loopbackDelayNanos; timestamps = p.timestamps; sack = p.sack;
            ephemeralLow = p.ephemeralLow; ephemeralHigh = p.ephemeralHigh; somaxconn = p.somaxconn;
            synLinearTimeouts = p.synLinearTimeouts; initRwnd = p.initRwnd; pingpongThresh = p.pingpongThresh;
            pingpongFirstReplyOnly = p.pingpongFirstReplyOnly; synRetries = p.synRetries;
            retries2 = p.retries2; orphanRetries = p.orphanRetries;
            keepaliveTime = p.keepaliveTime; keepaliveIntvl = p.keepaliveIntvl; keepaliveProbes = p.keepaliveProbes;
            synackRetries = p.synackRetries;
        }

        Profile profile() {
            return new Profile(mss, tcpRmemMax, rmemMax, rcvbuf, sndbuf, hz, finTimeoutNanos, timeWaitNanos,
                    loopbackDelayNanos, timestamps, sack, ephemeralLow, ephemeralHigh, somaxconn, synLinearTimeouts,
                    initRwnd, pingpongThresh, pingpongFirstReplyOnly, synRetries, retries2, orphanRetries, keepaliveTime,
                    keepaliveIntvl, keepaliveProbes, synackRetries);
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
