package io.tcpsim.capture;

import io.tcpsim.wire.Packet;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes a captured Ethernet/IPv4/TCP frame into a {@link Packet}, straight from the bytes: all eight flag bits of
 * byte 13, the urgent pointer, every option in header order (unknown or malformed ones byte for byte), the payload.
 * Checksums are not checked: on lo most are wrong by design (CHECKSUM_PARTIAL).
 */
public final class FrameDecoder {
    private static final int ETH_HEADER = 14;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int PROTO_TCP = 6;

    private FrameDecoder() {}

    /** The TCP packet in the frame, or null when it is not IPv4/TCP or is truncated. */
    public static Packet decode(RawFrame frame) {
        return decodeEthernet(frame.data(), frame.timeNanos());
    }

    public static Packet decodeEthernet(byte[] b, long timeNanos) {
        if (b.length < ETH_HEADER + 20 || u16(b, 12) != ETHERTYPE_IPV4) return null;
        return decodeIpv4(b, ETH_HEADER, timeNanos);
    }

    static Packet decodeIpv4(byte[] b, int ip, long timeNanos) {
        if ((b[ip] & 0xf0) != 0x40 || (b[ip + 9] & 0xff) != PROTO_TCP) return null;
        int ihl = (b[ip] & 0x0f) * 4;
        int total = u16(b, ip + 2);
        // A GSO packet bigger than 64 KB (BIG TCP) carries total length 0: the frame length is the truth then.
        int end = total == 0 ? b.length : Math.min(b.length, ip + total);
        int ipId = u16(b, ip + 4);
        var src = (int) u32(b, ip + 12);
        var dst = (int) u32(b, ip + 16);
        int tcp = ip + ihl;
        if (tcp + 20 > end) return null;
        int doff = ((b[tcp + 12] & 0xf0) >>> 4) * 4;
        if (doff < 20 || tcp + doff > end) return null;
        Segment s = new Segment(new SockAddr(src, u16(b, tcp)), new SockAddr(dst, u16(b, tcp + 2)),
                u32(b, tcp + 4), u32(b, tcp + 8), b[tcp + 13] & 0xff, u16(b, tcp + 14), u16(b, tcp + 18),
                options(b, tcp + 20, tcp + doff), Arrays.copyOfRange(b, tcp + doff, end));
        return new Packet(timeNanos, ipId, s);
    }

    /** Options in header order. EOL ends the list (what follows is padding); a bad length keeps the rest raw. */
    static List<TcpOption> options(byte[] b, int from, int to) {
        List<TcpOption> out = new ArrayList<>();
        int i = from;
        while (i < to) {
            int kind = b[i] & 0xff;
            if (kind == 0) {
                out.add(TcpOption.EOL);
                break;
            }
            if (kind == 1) {
                out.add(TcpOption.NOP);
                i++;
                continue;
            }
            int len = i + 1 < to ? b[i + 1] & 0xff : 0;
            if (len < 2 || i + len > to) {
                out.add(new TcpOption.Unknown(kind, Arrays.copyOfRange(b, Math.min(i + 1, to), to)));
                break;
            }
            out.add(option(b, i, kind, len));
            i += len;
        }
        return out;
    }

    private static TcpOption option(byte[] b, int i, int kind, int len) {
        if (kind == 2 && len == 4) return new TcpOption.Mss(u16(b, i + 2));
        if (kind == 3 && len == 3) return new TcpOption.WindowScale(b[i + 2] & 0xff);
        if (kind == 4 && len == 2) return TcpOption.SACK_PERMITTED;
        if (kind == 8 && len == 10) return new TcpOption.Timestamps(u32(b, i + 2), u32(b, i + 6));
        if (kind == 5 && (len - 2) % 8 == 0) {
            List<long[]> blocks = new ArrayList<>();
            for (int j = i + 2; j < i + len; j += 8) blocks.add(new long[] {u32(b, j), u32(b, j + 4)});
            return new TcpOption.Sack(blocks);
        }
        return new TcpOption.Unknown(kind, Arrays.copyOfRange(b, i + 2, i + len));
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    private static long u32(byte[] b, int i) {
        return ((long) u16(b, i) << 16) | u16(b, i + 2);
    }
}
