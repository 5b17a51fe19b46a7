package io.tcpsim.wire;

import java.util.List;

/**
 * Turns a {@link Packet} into the bytes Linux puts on {@code lo}: an Ethernet II header with zero MAC addresses and
 * EtherType 0x0800, an IPv4 header without options, and the TCP header, options and payload; for an IPv6 segment
 * EtherType 0x86dd and the fixed IPv6 header (its flow label from the packet's {@code ipId}).
 *
 * <p>The IPv4 header is what Linux sends for a connected TCP socket on loopback: version 4, IHL 5, tos 0, the
 * packet's {@code ipId}, DF set (ip_queue_xmit: PMTU discovery is on by default), ttl 64 (net.ipv4.ip_default_ttl),
 * protocol 6. Both checksums are correct; the real {@code lo} capture shows the locally sent ones as "incorrect"
 * because of checksum offload (the -v traces of docs/kernel-measurements.md section 21), which is an artefact we do
 * not reproduce.
 *
 * <p>Options are encoded in list order. Linux's own layouts are multiples of four bytes; anything else is padded
 * with zero bytes, which tcpdump prints as a trailing {@code eol}. Pure functions; the printer uses the option
 * bytes and the TCP checksum, the pcap writer and the capture code use the whole frame.
 */
public final class FrameEncoder {
    public static final int ETHERNET_HEADER = 14;
    public static final int IPV4_HEADER = 20;
    public static final int TCP_HEADER = 20;
    /** A TCP data offset is four bits of 32-bit words: 60 bytes of header at most, so 40 bytes of options. */
    public static final int MAX_OPTION_BYTES = 40;
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_IPV6 = 0x86dd;
    public static final int IPV6_HEADER = 40;
    /** net.ipv6.conf.*.hop_limit, 64 as IPv4's ttl; measured on ::1 (docs/kernel-measurements.md section 34). */
    public static final int HOP_LIMIT = 64;
    public static final int PROTO_TCP = 6;
    public static final int TTL = 64;
    public static final int IP_FLAG_DF = 0x4000;

    private FrameEncoder() {}

    /** The whole Ethernet frame: 14 + 20 + TCP header + payload bytes, no trailer padding (lo frames are not padded). */
    public static byte[] frame(Packet packet) {
        Segment s = packet.segment();
        byte[] options = options(s.options());
        int tcpLength = TCP_HEADER + options.length + s.length();
        if (s.src().isV6()) {
            if (tcpLength > 0xffff) {
                throw new IllegalArgumentException("IPv6 payload length " + tcpLength + " exceeds 65535 (payload "
                        + s.length() + " bytes)");
            }
            byte[] f = new byte[ETHERNET_HEADER + IPV6_HEADER + tcpLength];
            put16(f, 12, ETHERTYPE_IPV6);
            writeIpv6Header(f, ETHERNET_HEADER, packet.ipId(), tcpLength, s.src(), s.dst());
            writeTcp(f, ETHERNET_HEADER + IPV6_HEADER, s, options);
            return f;
        }
        int ipLength = IPV4_HEADER + tcpLength;
        if (ipLength > 0xffff) {
            throw new IllegalArgumentException("IPv4 total length " + ipLength + " exceeds 65535 (payload "
                    + s.length() + " bytes)");
        }
        byte[] f = new byte[ETHERNET_HEADER + ipLength];
        // Destination and source MAC stay zero, as on lo.
        put16(f, 12, ETHERTYPE_IPV4);
        writeIpv4Header(f, ETHERNET_HEADER, packet.ipId(), ipLength, s.src().ip(), s.dst().ip());
        writeTcp(f, ETHERNET_HEADER + IPV4_HEADER, s, options);
        return f;
    }

    /** The TCP header, options and payload with a correct checksum, as the IP payload. */
    public static byte[] tcpSegment(Segment s) {
        byte[] options = options(s.options());
        byte[] t = new byte[TCP_HEADER + options.length + s.length()];
        writeTcp(t, 0, s, options);
        return t;
    }

    /** The encoded options, padded with zero bytes to a multiple of four. */
    public static byte[] options(List<TcpOption> options) {
        int raw = 0;
        for (TcpOption o : options) raw += TcpOption.encodedLength(o);
        int padded = (raw + 3) & ~3;
        if (padded > MAX_OPTION_BYTES) {
            throw new IllegalArgumentException("TCP options take " + raw + " bytes, more than the "
                    + MAX_OPTION_BYTES + " a header can hold: " + options);
        }
        byte[] b = new byte[padded];
        int at = 0;
        for (TcpOption o : options) at = encodeOption(o, b, at);
        return b;
    }

    private static int encodeOption(TcpOption o, byte[] b, int at) {
        if (o instanceof TcpOption.EndOfList) {
            b[at] = 0;
            return at + 1;
        }
        if (o instanceof TcpOption.Nop) {
            b[at] = 1;
            return at + 1;
        }
        int len = TcpOption.encodedLength(o);
        b[at] = (byte) o.kind();
        b[at + 1] = (byte) len;
        int d = at + 2;
        if (o instanceof TcpOption.Mss m) {
            put16(b, d, m.mss());
        } else if (o instanceof TcpOption.WindowScale w) {
            b[d] = (byte) w.shift();
        } else if (o instanceof TcpOption.SackPermitted) {
            // kind and length only
        } else if (o instanceof TcpOption.Sack sack) {
            for (long[] block : sack.blocks()) {
                put32(b, d, block[0]);
                put32(b, d + 4, block[1]);
                d += 8;
            }
        } else if (o instanceof TcpOption.Timestamps ts) {
            put32(b, d, ts.val());
            put32(b, d + 4, ts.ecr());
        } else if (o instanceof TcpOption.Unknown u) {
            if (u.kind() == 0 || u.kind() == 1 || u.kind() < 0 || u.kind() > 255) {
                throw new IllegalArgumentException("option kind " + u.kind()
                        + " cannot be encoded with a length byte; use EndOfList or Nop");
            }
            System.arraycopy(u.data(), 0, b, d, u.data().length);
        }
        return at + len;
    }

    private static void writeIpv4Header(byte[] f, int at, int ipId, int totalLength, int src, int dst) {
        f[at] = 0x45;
        f[at + 1] = 0;
        put16(f, at + 2, totalLength);
        put16(f, at + 4, ipId & 0xffff);
        put16(f, at + 6, IP_FLAG_DF);
        f[at + 8] = (byte) TTL;
        f[at + 9] = (byte) PROTO_TCP;
        put32(f, at + 12, src & 0xffffffffL);
        put32(f, at + 16, dst & 0xffffffffL);
        put16(f, at + 10, ~sum(f, at, IPV4_HEADER, 0) & 0xffff);
    }

    /**
     * The fixed IPv6 header Linux sends for TCP on lo (ip6_xmit): version 6, traffic class 0, the flow label, the
     * payload length, next header 6 (TCP, no extension headers), hop limit 64, the addresses.
     */
    private static void writeIpv6Header(byte[] f, int at, int flowLabel, int payloadLength, SockAddr src, SockAddr dst) {
        put32(f, at, 0x60000000L | (flowLabel & 0xfffff));
        put16(f, at + 4, payloadLength);
        f[at + 6] = (byte) PROTO_TCP;
        f[at + 7] = (byte) HOP_LIMIT;
        System.arraycopy(src.ip6().bytes(), 0, f, at + 8, 16);
        System.arraycopy(dst.ip6().bytes(), 0, f, at + 24, 16);
    }

    private static void writeTcp(byte[] b, int at, Segment s, byte[] options) {
        put16(b, at, s.src().port());
        put16(b, at + 2, s.dst().port());
        put32(b, at + 4, s.seq());
        put32(b, at + 8, s.ack());
        b[at + 12] = (byte) (((TCP_HEADER + options.length) / 4) << 4);
        b[at + 13] = (byte) s.flags();
        put16(b, at + 14, s.window() & 0xffff);
        put16(b, at + 18, s.urgent() & 0xffff);
        System.arraycopy(options, 0, b, at + TCP_HEADER, options.length);
        System.arraycopy(s.payload(), 0, b, at + TCP_HEADER + options.length, s.length());
        int length = TCP_HEADER + options.length + s.length();
        int sum = s.src().isV6() ? tcpChecksum6(s.src().ip6(), s.dst().ip6(), b, at, length)
                : tcpChecksum(s.src().ip(), s.dst().ip(), b, at, length);
        put16(b, at + 16, sum);
    }

    /** {@link #tcpChecksum} with the IPv6 pseudo-header (RFC 8200 section 8.1): addresses, length, next header. */
    public static int tcpChecksum6(SockAddr.Ip6 src, SockAddr.Ip6 dst, byte[] b, int at, int length) {
        long pseudo = PROTO_TCP + length;
        for (int i = 0; i < 8; i++) pseudo += src.word(i) + dst.word(i);
        return ~sum(b, at, length, pseudo) & 0xffff;
    }

    /**
     * The TCP checksum (RFC 793 pseudo-header: addresses, zero, protocol, TCP length) over {@code length} bytes of
     * segment starting at {@code at}, with the checksum field itself counted as it stands. Returns the value to
     * store when the field is zero; over a segment whose field is already filled in, a correct segment gives 0.
     */
    public static int tcpChecksum(int srcIp, int dstIp, byte[] b, int at, int length) {
        long pseudo = ((srcIp >>> 16) & 0xffff) + (srcIp & 0xffff) + ((dstIp >>> 16) & 0xffff) + (dstIp & 0xffff)
                + PROTO_TCP + length;
        return ~sum(b, at, length, pseudo) & 0xffff;
    }

    /** The IPv4 header checksum over {@code length} bytes; 0 over a correct header. */
    public static int ipChecksum(byte[] b, int at, int length) {
        return ~sum(b, at, length, 0) & 0xffff;
    }

    /** RFC 1071 ones'-complement sum, folded to 16 bits. */
    private static int sum(byte[] b, int at, int length, long start) {
        long acc = start;
        int end = at + length;
        int i = at;
        for (; i + 1 < end; i += 2) acc += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        if (i < end) acc += (b[i] & 0xff) << 8;
        while ((acc >>> 16) != 0) acc = (acc & 0xffff) + (acc >>> 16);
        return (int) acc;
    }

    static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    static void put32(byte[] b, int at, long v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
