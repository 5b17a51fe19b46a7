package io.tcpsim.pktrun;

import io.tcpsim.compare.Difference;
import io.tcpsim.packetdrill.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;
import java.util.List;

/**
 * An outbound packet the model sent, already in the script's sequence space, against the one the script expects:
 * packetdrill's checks in its order and words (run_packet.c: verify_outbound_live_headers, verify_tcp,
 * verify_outbound_live_tcp_options), restated. The IPv4 header first (the total length, which differs when the
 * options do), then the TCP flags, sequence and ACK numbers, the window when the script gives one, the urgent
 * pointer, the options kind by kind with their values (never a timestamp's, unless {@code --tcp_ts_tick_usecs}
 * says how). The payload length was checked when the segments were gathered; the payload bytes are zeros on both
 * sides.
 */
final class OutboundCheck {
    private OutboundCheck() {}

    /** The first difference in packetdrill's words, or null when the packet is the script's. */
    static String verify(Packet.Tcp script, Segment actual, boolean strict, long tsTolerance, int tsTickUsecs,
                         long scriptTsVal) {
        int scriptOptions = script.options() == null ? optionBytes(actual.options()) : optionBytes(script.options());
        int actualOptions = optionBytes(actual.options());
        String d = field("ipv4_total_length", 40 + scriptOptions + script.length(), 40 + actualOptions + actual.length());
        if (d != null) return d;
        int sb = script.bits(), ab = actual.flags();
        if ((d = field("tcp_data_offset", 5 + scriptOptions / 4, 5 + actualOptions / 4)) != null) return d;
        if (strict && (d = bit("tcp_fin", sb, ab, TcpFlags.FIN)) != null) return d;
        if ((d = bit("tcp_syn", sb, ab, TcpFlags.SYN)) != null) return d;
        if ((d = bit("tcp_rst", sb, ab, TcpFlags.RST)) != null) return d;
        if (strict && (d = bit("tcp_psh", sb, ab, TcpFlags.PSH)) != null) return d;
        if ((d = bit("tcp_ack", sb, ab, TcpFlags.ACK)) != null) return d;
        if ((d = bit("tcp_urg", sb, ab, TcpFlags.URG)) != null) return d;
        if ((d = bit("tcp_ece", sb, ab, TcpFlags.ECE)) != null) return d;
        if (strict && (d = bit("tcp_cwr", sb, ab, TcpFlags.CWR)) != null) return d;
        if ((d = field("tcp_ae", (sb >> 8) & 1, 0)) != null) return d;
        if ((d = field("tcp_seq", strict ? script.start() : script.start() + script.length(),
                strict ? actual.seq() : (actual.seq() + actual.length()) & 0xffffffffL)) != null) return d;
        long scriptAck = script.ack() == null ? 0 : script.ack();
        long actualAck = actual.has(TcpFlags.ACK) ? actual.ack() : 0;
        if ((d = field("tcp_ack_seq", scriptAck, actualAck)) != null) return d;
        if (script.window() != null && (d = field("tcp_window", script.window(), actual.window() & 0xffff)) != null)
            return d;
        int urg = script.urgent() == null ? 0 : script.urgent();
        if ((d = field("tcp_urg_ptr", urg, actual.has(TcpFlags.URG) ? actual.urgent() & 0xffff : 0)) != null) return d;
        if (script.options() == null) return null;
        List<TcpOption> s = script.options(), a = actual.options();
        for (int i = 0; i < Math.max(s.size(), a.size()); i++) {
            if (i >= s.size() || i >= a.size() || s.get(i).kind() != a.get(i).kind()) return "bad outbound TCP options";
            TcpOption so = s.get(i), ao = a.get(i);
            if (ao instanceof TcpOption.Timestamps ts) {
                if (tsTickUsecs != 0 && Math.abs((int) (ts.val() - scriptTsVal)) * (long) tsTickUsecs > tsTolerance)
                    return "bad outbound TCP timestamp value, tolerance " + tsTolerance;
                continue;
            }
            if (so.kind() <= 1) continue;
            String ss = option(so), as = option(ao);
            if (!ss.equals(as)) {
                String err = encoded(so) != encoded(ao) ? "bad length" : "bad value";
                return err + " in outbound TCP option (kind=" + so.kind() + "): expected: " + ss + " actual: " + as;
            }
        }
        return null;
    }

    /**
     * check_field: the comparison core's {@link Difference} in packetdrill's words ({@code live packet field
     * tcp_ack_seq: expected: 1001 (0x3e9) vs actual: 1 (0x1)}), or null when the values agree.
     */
    static String field(String name, long expected, long actual) {
        if ((expected & 0xffffffffL) == (actual & 0xffffffffL)) return null;
        return Difference.packetdrill(name, expected, actual).packetdrillText();
    }

    private static String bit(String name, int script, int actual, int bit) {
        return field(name, (script & bit) != 0 ? 1 : 0, (actual & bit) != 0 ? 1 : 0);
    }

    /** The options' length on the wire, padded to 4 bytes as the header's data offset counts it. */
    static int optionBytes(List<TcpOption> options) {
        int n = 0;
        for (TcpOption o : options) n += encoded(o);
        return (n + 3) & ~3;
    }

    private static int encoded(TcpOption o) {
        if (o instanceof TcpOption.Sack s) return 2 + 8 * s.blocks().size();
        if (o instanceof TcpOption.Unknown u) return 2 + u.data().length;
        return switch (o.kind()) {
            case 0, 1 -> 1;
            case 2 -> 4;
            case 3 -> 3;
            case 4 -> 2;
            default -> 10;
        };
    }

    /** An option as packetdrill prints it (tcp_options_to_string.c): {@code mss 1460}, {@code TS val 1 ecr 0}. */
    static String option(TcpOption o) {
        if (o instanceof TcpOption.Mss m) return "mss " + m.mss();
        if (o instanceof TcpOption.WindowScale w) return "wscale " + w.shift();
        if (o instanceof TcpOption.SackPermitted) return "sackOK";
        if (o instanceof TcpOption.Nop) return "nop";
        if (o instanceof TcpOption.EndOfList) return "eol";
        if (o instanceof TcpOption.Timestamps t) return "TS val " + t.val() + " ecr " + t.ecr();
        if (o instanceof TcpOption.Sack s) {
            StringBuilder b = new StringBuilder("sack");
            for (long[] blk : s.blocks()) b.append(' ').append(blk[0]).append(':').append(blk[1]);
            return b.toString();
        }
        if (o instanceof TcpOption.Unknown u && u.kind() == 34) return fastOpen("FO", u.data(), 0);
        if (o instanceof TcpOption.Unknown u && u.kind() == 254 && u.data().length >= 2
                && (u.data()[0] & 0xff) == 0xf9 && (u.data()[1] & 0xff) == 0x89) return fastOpen("FOEXP", u.data(), 2);
        if (o instanceof TcpOption.Unknown u) {
            StringBuilder b = new StringBuilder("kind " + u.kind());
            for (byte x : u.data()) b.append(String.format(" %02x", x));
            return b.toString();
        }
        return "kind " + o.kind();
    }

    /** A Fast Open option as tcp_options_to_string prints it: {@code FO 3021b9d889017eeb}, {@code FOEXP}, ... */
    private static String fastOpen(String name, byte[] data, int from) {
        StringBuilder b = new StringBuilder(name);
        if (data.length > from) b.append(' ');
        for (int i = from; i < data.length; i++) b.append(String.format("%02x", data[i]));
        return b.toString();
    }

    /**
     * A packet as packetdrill's short dump prints it: {@code P. 1:1001(1000) ack 1 win 256 <nop,nop,TS val 1 ecr 2>};
     * {@code window} null leaves the window out (a script packet that does not check it).
     */
    static String dump(int flags, long seq, int length, Long ack, Integer window, List<TcpOption> options) {
        StringBuilder b = new StringBuilder();
        if ((flags & TcpFlags.FIN) != 0) b.append('F');
        if ((flags & TcpFlags.SYN) != 0) b.append('S');
        if ((flags & TcpFlags.RST) != 0) b.append('R');
        if ((flags & TcpFlags.PSH) != 0) b.append('P');
        if ((flags & TcpFlags.ACK) != 0) b.append('.');
        if ((flags & TcpFlags.URG) != 0) b.append('U');
        if ((flags & TcpFlags.ECE) != 0) b.append('E');
        if ((flags & TcpFlags.CWR) != 0) b.append('W');
        b.append(' ').append(seq).append(':').append((seq + length) & 0xffffffffL).append('(').append(length).append(") ");
        if ((flags & TcpFlags.ACK) != 0 && ack != null) b.append("ack ").append(ack).append(' ');
        if (window != null) b.append("win ").append(window).append(' ');
        if (options != null && !options.isEmpty()) {
            b.append('<');
            for (int i = 0; i < options.size(); i++) b.append(i == 0 ? "" : ",").append(option(options.get(i)));
            b.append('>');
        }
        return b.toString();
    }
}
