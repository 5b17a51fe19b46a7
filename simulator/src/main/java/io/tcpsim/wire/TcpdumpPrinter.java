package io.tcpsim.wire;

import io.tcpsim.compare.SequenceSpace;

/**
 * Prints packets exactly as {@code tcpdump -nn} 4.99.3 prints an Ethernet/IPv4/TCP frame read from a pcap file with
 * {@code TZ=UTC}: {@code HH:MM:SS.uuuuuu IP a.b.c.d.P > e.f.g.h.Q: Flags [..], seq S[:E], ack A, win W[, urg U][,
 * options [...]], length N}; an IPv6 one as {@code IP6 ::1.P > ::1.Q: Flags ...}. The rules come from print-tcp.c (tcp_print) and were checked line for line against the
 * installed tcpdump by PcapRoundTripTest in trace-replay; docs/kernel-measurements.md quotes real lines (sections 13-22).
 *
 * <p>Stateful: tcpdump's relative sequence numbers depend on the packets seen before, so use one printer per trace,
 * in packet order. The state is print-tcp.c's tcp_seq_hash, one entry per address/port pair holding a base for each
 * direction, here a {@link SequenceSpace}. Only ACK-bearing packets look at it. The first ACK-bearing packet of a
 * pair, or any ACK-bearing SYN, records both bases (its seq for its sender, its ack−1 for its receiver) and prints
 * absolute numbers; later ACK-bearing packets print seq and ack minus their bases, modulo 2^32. Packets without ACK
 * always print absolute numbers and leave the state alone, which is why a SYN prints absolute, the SYN-ACK records
 * the base, and the refused-connection RST prints {@code seq 0, ack ISN+1}.
 *
 * <p>Payload text after {@code length N}: tcpdump's text-protocol decoders (FTP 21, SMTP 25, WHOIS 43, HTTP 80/8080,
 * RTSP 554/8554) are reproduced, with and without -v; see {@link TcpdumpPayload}. Not reproduced: the other payload
 * decoders ({@link TcpdumpPayload#NOT_REPRODUCED_PORTS}, {@link #payloadReproduced}), on whose ports a data segment's
 * line stops at {@code length N}; the MPTCP option decoder (see TcpdumpOptions).
 */
public final class TcpdumpPrinter {
    private final boolean absolute;
    private final int verbosity;
    private final SequenceSpace bases = new SequenceSpace();
    /**
     * A socket connected to itself has one tcp_seq_hash entry like any pair, with its two bases apart (the one for
     * seq, the one for ack), although both are one socket's numbers: its acks get their own space.
     */
    private final SequenceSpace selfAcks = new SequenceSpace();

    /** {@code tcpdump -nn}. */
    public TcpdumpPrinter() {
        this(false, 0);
    }

    /**
     * @param absolute  {@code -S}: print absolute sequence numbers everywhere
     * @param verbosity 0, or 1 for {@code -v} / 2 for {@code -vv}: an IP line first (then the TCP line on a second line,
     *                  indented by four spaces), the TCP checksum, RST payload text, and all the lines
     *                  of a text-protocol payload (see TcpdumpPayload); at 2, {@code seq} on every packet
     */
    public TcpdumpPrinter(boolean absolute, int verbosity) {
        if (verbosity < 0 || verbosity > 2) throw new IllegalArgumentException("verbosity " + verbosity + " not in 0..2");
        this.absolute = absolute;
        this.verbosity = verbosity;
    }

    /** Forgets every relative-number base, as a fresh tcpdump process would. */
    public void reset() {
        bases.clear();
        selfAcks.clear();
    }

    /**
     * One line, without a trailing newline, e.g. {@code 00:00:00.000123 IP 127.0.0.1.53746 > 127.0.0.1.4321: Flags
     * [F.], ...}; with -v two lines separated by {@code \n}.
     */
    public String print(Packet packet) {
        Segment s = packet.segment();
        byte[] options = FrameEncoder.options(s.options());
        StringBuilder out = new StringBuilder(160);
        timeOfDay(out, packet.timeNanos());
        if (s.src().isV6()) {
            // print-ip6.c ip6_print: "IP6 ", and with -v "(flowlabel 0x%05x, hlim %u, next-header TCP (6) payload
            // length: %u) " on the same line (no traffic class: it is 0).
            out.append(" IP6 ");
            if (verbosity > 0) {
                int label = packet.ipId() & 0xfffff;
                out.append('(');
                if (label != 0) out.append("flowlabel 0x").append(hex(label, 5)).append(", ");
                out.append("hlim ").append(FrameEncoder.HOP_LIMIT).append(", next-header TCP (6) payload length: ")
                        .append(FrameEncoder.TCP_HEADER + options.length + s.length()).append(") ");
            }
        } else {
            out.append(" IP ");
        }
        if (verbosity > 0 && !s.src().isV6()) {
            int ipLength = FrameEncoder.IPV4_HEADER + FrameEncoder.TCP_HEADER + options.length + s.length();
            out.append("(tos 0x0, ttl ").append(FrameEncoder.TTL).append(", id ").append(packet.ipId() & 0xffff)
                    .append(", offset 0, flags [DF], proto TCP (6), length ").append(ipLength).append(")\n    ");
        }
        out.append(s.src().tcpdumpString()).append(" > ").append(s.dst().tcpdumpString()).append(": Flags [")
                .append(TcpFlags.tcpdump(s.flags())).append(']');

        long seq = s.seq();
        long ack = s.ack();
        long sackBase = 0;
        if (!absolute && s.has(TcpFlags.ACK)) {
            SequenceSpace.Direction sender = bases.of(s.src(), s.dst());
            SequenceSpace.Direction receiver = s.src().equals(s.dst()) ? selfAcks.of(s.src(), s.dst())
                    : bases.of(s.dst(), s.src());
            if (!sender.known() || s.has(TcpFlags.SYN)) {
                sender.learn(seq);
                receiver.learn(ack - 1);
            } else {
                seq = sender.relative(seq);
                ack = receiver.relative(ack);
            }
            sackBase = receiver.isn();
        }

        if (verbosity > 0) {
            int sum = FrameDecoder.u16(FrameEncoder.tcpSegment(s), 16);
            out.append(", cksum 0x").append(hex4(sum)).append(" (correct)");
        }
        int length = s.length();
        if (verbosity > 1 || length > 0 || s.has(TcpFlags.SYN | TcpFlags.FIN | TcpFlags.RST)) {
            out.append(", seq ").append(seq);
            if (length > 0) out.append(':').append((seq + length) & 0xffffffffL);
        }
        if (s.has(TcpFlags.ACK)) out.append(", ack ").append(ack);
        out.append(", win ").append(s.window() & 0xffff);
        if (s.has(TcpFlags.URG)) out.append(", urg ").append(s.urgent() & 0xffff);
        if (options.length > 0 && !TcpdumpOptions.append(out, options, sackBase)) return out.toString();
        out.append(", length ").append(length);
        if (length > 0 && verbosity > 0 && s.has(TcpFlags.RST)) {
            rstData(out, s.payload());
        } else if (length > 0) {
            TcpdumpPayload.append(out, s.src().port(), s.dst().port(), s.payload(), verbosity > 0);
        }
        return out.toString();
    }

    /**
     * The ports on which tcpdump 4.99.3 (the Debian build, without SMB) hands a segment's payload to a protocol
     * decoder (print-tcp.c, after "length"). The text decoders among them are reproduced (see {@link TcpdumpPayload});
     * for the others ({@link TcpdumpPayload#NOT_REPRODUCED_PORTS}) a data-carrying segment's line is shorter than
     * tcpdump's.
     */
    public static boolean portHasPayloadDecoder(int port) {
        for (TcpdumpPayload.Decoder d : TcpdumpPayload.Decoder.values()) if (d.ports().contains(port)) return true;
        return false;
    }

    /**
     * Whether this printer's line for a segment between these ports is tcpdump's line whatever the payload: false
     * when tcpdump would hand the payload to a decoder that is not reproduced ({@link
     * TcpdumpPayload#NOT_REPRODUCED_PORTS}, taking print-tcp.c's order into account: {@code 25 > 22} is SMTP,
     * reproduced; {@code 22 > 80} is SSH, not reproduced).
     */
    public static boolean payloadReproduced(int sport, int dport) {
        TcpdumpPayload.Decoder d = TcpdumpPayload.decoder(sport, dport);
        return d == null || d.reproduced();
    }

    /**
     * HH:MM:SS.uuuuuu of the UTC day. A pcap with nanosecond stamps read without --time-stamp-precision is scaled to
     * microseconds by libpcap, which truncates.
     */
    static void timeOfDay(StringBuilder out, long timeNanos) {
        long micros = Math.floorDiv(timeNanos, 1000L);
        long secondOfDay = Math.floorMod(Math.floorDiv(micros, 1_000_000L), 86_400L);
        int usec = (int) Math.floorMod(micros, 1_000_000L);
        pad(out, (int) (secondOfDay / 3600), 2).append(':');
        pad(out, (int) (secondOfDay / 60 % 60), 2).append(':');
        pad(out, (int) (secondOfDay % 60), 2).append('.');
        pad(out, usec, 6);
    }

    private static StringBuilder pad(StringBuilder out, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) out.append('0');
        return out.append(digits);
    }

    /** print_tcp_rst_data: at most 30 bytes (a "+" says there were more), each as fn_print_char shows it. */
    private static void rstData(StringBuilder out, byte[] payload) {
        out.append(" [RST");
        int n = payload.length;
        if (n > 30) {
            n = 30;
            out.append('+');
        }
        out.append(' ');
        for (int i = 0; i < n; i++) {
            int c = payload[i] & 0xff;
            if (c > 0x7f) {
                c &= 0x7f;
                out.append("M-");
            }
            if (c < 0x20 || c == 0x7f) {
                c ^= 0x40;
                out.append('^');
            }
            out.append((char) c);
        }
        out.append(']');
    }

    private static String hex4(int v) {
        return hex(v, 4);
    }

    private static String hex(int v, int width) {
        String h = Integer.toHexString(v);
        return "0".repeat(Math.max(0, width - h.length())) + h;
    }
}
