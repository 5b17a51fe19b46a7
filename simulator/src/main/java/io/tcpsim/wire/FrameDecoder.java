package io.tcpsim.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * The inverse of {@link FrameEncoder}: Ethernet II / IPv4 or IPv6 / TCP bytes back into a {@link Packet}. Bad input is a
 * value, not an exception: the result says whether the frame was TCP, something else to skip, or malformed (with the
 * offset inside the frame, so a file reader can point at the byte).
 *
 * <p>Option decoding keeps the bytes: an option whose length does not fit its kind (an MSS of length 3, say) becomes
 * {@link TcpOption.Unknown} with that kind, which the encoder writes back byte for byte. Decoding stops at the first
 * {@code eol}. Zero bytes from an unaligned position to the end are taken as padding and not kept (the encoder puts
 * them back), so an explicit {@code eol} in that position is lost; non-zero bytes after an {@code eol}
 * are lost, which Linux never sends.
 */
public final class FrameDecoder {
    private FrameDecoder() {}

    public sealed interface Result {}

    /**
     * An IPv4/TCP frame. {@code truncatedBy} is how many payload bytes the capture left out (zero-filled here);
     * {@code ttl} is the IP header's time to live, {@code tos} its TOS byte (DSCP and ECN) and {@code df} its Don't
     * Fragment bit, which replay reads to tell a sender's system apart.
     */
    public record Tcp(Packet packet, int truncatedBy, int ttl, int tos, boolean df) implements Result {}

    /** A well-formed frame that is not unfragmented IPv4 or IPv6 TCP (ARP, UDP, a fragment): nothing to replay. */
    public record Skipped(String why) implements Result {}

    /** Headers that cannot be read. {@code offset} counts from the first byte of the frame. */
    public record Malformed(int offset, String why) implements Result {}

    /**
     * @param frame     the captured bytes ({@code incl_len} of them)
     * @param timeNanos the record's time since the epoch
     */
    public static Result ethernet(byte[] frame, long timeNanos) {
        if (frame.length < FrameEncoder.ETHERNET_HEADER) {
            return new Malformed(0, "frame of " + frame.length + " bytes is shorter than an Ethernet header");
        }
        int type = u16(frame, 12);
        if (type == FrameEncoder.ETHERTYPE_IPV6) return ipv6(frame, FrameEncoder.ETHERNET_HEADER, frame.length, timeNanos);
        if (type != FrameEncoder.ETHERTYPE_IPV4) return new Skipped(String.format(java.util.Locale.ROOT, "EtherType 0x%04x", type));
        return ipv4(frame, FrameEncoder.ETHERNET_HEADER, timeNanos);
    }

    /** Decodes the IPv4 datagram that starts at {@code at}. */
    public static Result ipv4(byte[] b, int at, long timeNanos) {
        return ipv4(b, at, b.length, timeNanos);
    }

    /**
     * Decodes the IPv4 datagram in {@code b[at..end)}, so that a reader can decode straight from its buffer. An IPv4
     * total length of 0 (a GSO packet over 64 KiB, "BIG TCP") is taken to mean "up to the end of the frame".
     */
    public static Result ipv4(byte[] b, int at, int end, long timeNanos) {
        if (end - at < FrameEncoder.IPV4_HEADER) {
            return new Malformed(at, "IPv4 header truncated: " + (end - at) + " of 20 bytes");
        }
        int version = (b[at] & 0xff) >>> 4;
        if (version == 6) return ipv6(b, at, end, timeNanos);
        if (version != 4) return new Skipped("IP version " + version);
        int ihl = (b[at] & 0x0f) * 4;
        if (ihl < FrameEncoder.IPV4_HEADER) return new Malformed(at, "IPv4 header length " + ihl + " < 20");
        int total = u16(b, at + 2);
        // A GSO packet over 64 KB (IPv4 BIG TCP, Linux 6.3+) is captured with total length 0: the frame is the truth.
        if (total == 0) total = end - at;
        if (total < ihl) return new Malformed(at + 2, "IPv4 total length " + total + " < header length " + ihl);
        int fragment = u16(b, at + 6);
        if ((fragment & 0x3fff) != 0) return new Skipped("IPv4 fragment");
        int proto = b[at + 9] & 0xff;
        if (proto != FrameEncoder.PROTO_TCP) return new Skipped("IP protocol " + proto);
        if (end - at < ihl) return new Malformed(at, "IPv4 options truncated");
        int ipId = u16(b, at + 4);
        return tcp(b, at + ihl, total - ihl, end, timeNanos, (int) u32(b, at + 12), (int) u32(b, at + 16), null, null, ipId, b[at + 8] & 0xff, b[at + 1] & 0xff, (fragment & 0x4000) != 0);
    }

    /**
     * Decodes the IPv6 datagram in {@code b[at..end)}: the fixed header, then hop-by-hop, routing and destination
     * options headers are stepped over to TCP; a fragment header makes it {@link Skipped}, like an IPv4 fragment. The
     * packet's {@code ipId} is the flow label, {@code ttl} the hop limit, {@code tos} the traffic class; {@code df} is
     * true, IPv6 routers never fragmenting. A payload length of 0 (IPv6 BIG TCP, whose jumbo option the capture
     * does not show) means "up to the end of the frame".
     */
    public static Result ipv6(byte[] b, int at, int end, long timeNanos) {
        if (end - at < FrameEncoder.IPV6_HEADER) {
            return new Malformed(at, "IPv6 header truncated: " + (end - at) + " of 40 bytes");
        }
        int version = (b[at] & 0xff) >>> 4;
        if (version != 6) return new Skipped("IP version " + version);
        long first = u32(b, at);
        int payload = u16(b, at + 4);
        if (payload == 0) payload = end - at - FrameEncoder.IPV6_HEADER;
        int next = b[at + 6] & 0xff;
        int h = at + FrameEncoder.IPV6_HEADER;
        int payloadEnd = h + payload;
        while (next == 0 || next == 43 || next == 60) {
            if (end - h < 8) return new Malformed(h, "IPv6 extension header truncated");
            int len = ((b[h + 1] & 0xff) + 1) * 8;
            next = b[h] & 0xff;
            h += len;
            if (h > payloadEnd) return new Malformed(h - len + 1, "IPv6 extension header of " + len
                    + " bytes runs past the payload length " + payload);
        }
        if (next == 44) return new Skipped("IPv6 fragment");
        if (next != FrameEncoder.PROTO_TCP) return new Skipped("IPv6 next header " + next);
        return tcp(b, h, payloadEnd - h, end, timeNanos, 0, 0, SockAddr.Ip6.of(b, at + 8), SockAddr.Ip6.of(b, at + 24),
                (int) (first & 0xfffff), b[at + 7] & 0xff,
                (int) (first >>> 20) & 0xff, true);
    }

    /**
     * The TCP segment of {@code tcpLength} bytes at {@code t}, of which {@code b[t..end)} were captured; between the
     * IPv4 addresses {@code src4} and {@code dst4}, or the IPv6 ones when {@code src6} is not null.
     */
    private static Result tcp(byte[] b, int t, int tcpLength, int end, long timeNanos, int src4, int dst4,
                              SockAddr.Ip6 src6, SockAddr.Ip6 dst6, int ipId, int ttl, int tos, boolean df) {
        if (tcpLength < FrameEncoder.TCP_HEADER) {
            return new Malformed(t, "TCP segment of " + tcpLength + " bytes is shorter than a TCP header");
        }
        if (end - t < FrameEncoder.TCP_HEADER) {
            return new Malformed(t, "TCP header truncated: " + (end - t) + " of 20 bytes captured");
        }
        int hlen = ((b[t + 12] & 0xff) >>> 4) * 4;
        if (hlen < FrameEncoder.TCP_HEADER) return new Malformed(t + 12, "TCP data offset " + hlen + " < 20");
        if (hlen > tcpLength) {
            return new Malformed(t + 12, "TCP data offset " + hlen + " > segment length " + tcpLength);
        }
        if (end - t < hlen) {
            return new Malformed(t + 20, "TCP options truncated: " + (end - t) + " of " + hlen + " bytes captured");
        }
        List<TcpOption> options = new ArrayList<>();
        Malformed bad = options(b, t + FrameEncoder.TCP_HEADER, hlen - FrameEncoder.TCP_HEADER, options);
        if (bad != null) return bad;

        int payloadLength = tcpLength - hlen;
        int captured = Math.max(0, Math.min(payloadLength, end - t - hlen));
        byte[] payload = payloadLength == 0 ? Segment.NO_DATA : new byte[payloadLength];
        System.arraycopy(b, t + hlen, payload, 0, captured);

        SockAddr src = src6 == null ? new SockAddr(src4, u16(b, t)) : new SockAddr(src6, u16(b, t));
        SockAddr dst = dst6 == null ? new SockAddr(dst4, u16(b, t + 2)) : new SockAddr(dst6, u16(b, t + 2));
        Segment s = new Segment(src, dst,
                u32(b, t + 4), u32(b, t + 8), b[t + 13] & 0xff, u16(b, t + 14), u16(b, t + 18), options, payload);
        return new Tcp(new Packet(timeNanos, ipId, s), payloadLength - captured, ttl, tos, df);
    }

    /** Decodes {@code length} option bytes at {@code at} into {@code out}; returns null or why they are unreadable. */
    static Malformed options(byte[] b, int at, int length, List<TcpOption> out) {
        int end = at + length;
        int i = at;
        while (i < end) {
            int kind = b[i] & 0xff;
            if (kind == 0) {
                // Zeros from an unaligned position to the end are the encoder's padding, not an option; an eol on
                // a 4-byte boundary cannot be padding, so it was sent as one.
                boolean padding = (i - at) % 4 != 0;
                for (int j = i; j < end && padding; j++) padding = b[j] == 0;
                if (!padding) out.add(TcpOption.EOL);
                return null;
            }
            if (kind == 1) {
                out.add(TcpOption.NOP);
                i++;
                continue;
            }
            if (i + 1 >= end) return new Malformed(i, "TCP option kind " + kind + " has no length byte");
            int len = b[i + 1] & 0xff;
            if (len < 2 || i + len > end) {
                return new Malformed(i + 1, "TCP option kind " + kind + " has length " + len + " but "
                        + (end - i) + " option bytes remain");
            }
            out.add(option(kind, b, i + 2, len - 2));
            i += len;
        }
        return null;
    }

    private static TcpOption option(int kind, byte[] b, int at, int dataLength) {
        switch (kind) {
            case 2:
                if (dataLength == 2) return new TcpOption.Mss(u16(b, at));
                break;
            case 3:
                if (dataLength == 1) return new TcpOption.WindowScale(b[at] & 0xff);
                break;
            case 4:
                if (dataLength == 0) return TcpOption.SACK_PERMITTED;
                break;
            case 5:
                if (dataLength % 8 == 0) {
                    List<long[]> blocks = new ArrayList<>();
                    for (int i = 0; i < dataLength; i += 8) blocks.add(new long[] {u32(b, at + i), u32(b, at + i + 4)});
                    return new TcpOption.Sack(blocks);
                }
                break;
            case 8:
                if (dataLength == 8) return new TcpOption.Timestamps(u32(b, at), u32(b, at + 4));
                break;
            default:
                break;
        }
        byte[] data = new byte[dataLength];
        System.arraycopy(b, at, data, 0, dataLength);
        return new TcpOption.Unknown(kind, data);
    }

    static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    static long u32(byte[] b, int at) {
        return ((long) (b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }
}
