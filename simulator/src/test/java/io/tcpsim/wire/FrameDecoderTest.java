package io.tcpsim.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Frames as the capture on lo hands them over (the cases the capture decoder covered before it was merged here; the
 * pcap file cases are in trace-replay's CaptureRecordsTest).
 */
class FrameDecoderTest {

    /** Ethernet (zero MACs, as on lo) + IPv4 + TCP 53746 -> 4321, with {@code trailer} after the IP packet. */
    static byte[] frame(int flags, int urgent, byte[] options, byte[] payload, byte[] trailer, boolean zeroTotal) {
        var b = new ByteArrayOutputStream();
        b.writeBytes(new byte[12]);
        b.writeBytes(new byte[] {0x08, 0x00});
        int tcpLen = 20 + options.length;
        int total = zeroTotal ? 0 : 20 + tcpLen + payload.length;
        b.writeBytes(new byte[] {0x45, 0, (byte) (total >> 8), (byte) total, (byte) 0xbe, (byte) 0xef, 0x40, 0,
            64, 6, 0, 0, 127, 0, 0, 1, 127, 0, 0, 2});
        b.writeBytes(new byte[] {(byte) 0xd1, (byte) 0xf2, 0x10, (byte) 0xe1,
            (byte) 0xfe, (byte) 0xdc, (byte) 0xba, (byte) 0x98, 0, 0, 0, 7,
            (byte) ((tcpLen / 4) << 4), (byte) flags, (byte) 0xff, (byte) 0xd7, 0x12, 0x34,
            (byte) (urgent >> 8), (byte) urgent});
        b.writeBytes(options);
        b.writeBytes(payload);
        b.writeBytes(trailer);
        return b.toByteArray();
    }

    static Packet tcp(byte[] frame, long time) {
        return assertInstanceOf(FrameDecoder.Tcp.class, FrameDecoder.ethernet(frame, time)).packet();
    }

    @Test
    void keepsEveryFlagBitTheUrgentPointerOptionOrderAndPayload() {
        byte[] options = {2, 4, (byte) 0xff, (byte) 0xd7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 3, 3, 10,
            (byte) 253, 4, (byte) 0xab, (byte) 0xcd, 5, 10, 0, 0, 0, 5, 0, 0, 0, 9, 0, 0};
        byte[] payload = {'h', 'e', 'l', 'l', 'o'};
        int all = 0xff;
        Packet p = tcp(frame(all, 0x0102, options, payload, new byte[] {9, 9}, false), 42);
        Segment s = p.segment();
        assertEquals(42, p.timeNanos());
        assertEquals(0xbeef, p.ipId());
        assertEquals(new SockAddr(0x7f000001, 53746), s.src());
        assertEquals(new SockAddr(0x7f000002, 4321), s.dst());
        assertEquals(0xfedcba98L, s.seq());
        assertEquals(7, s.ack());
        assertEquals(all, s.flags());
        assertEquals("FSRP.UEW", TcpFlags.tcpdump(s.flags()));
        assertEquals(65495, s.window());
        assertEquals(0x0102, s.urgent());
        assertArrayEquals(payload, s.payload()); // the trailer past the IP length is not payload
        List<TcpOption> o = s.options();
        assertEquals(new TcpOption.Mss(65495), o.get(0));
        assertEquals(TcpOption.SACK_PERMITTED, o.get(1));
        assertEquals(new TcpOption.Timestamps(1, 2), o.get(2));
        assertEquals(TcpOption.NOP, o.get(3));
        assertEquals(new TcpOption.WindowScale(10), o.get(4));
        assertEquals(new TcpOption.Unknown(253, new byte[] {(byte) 0xab, (byte) 0xcd}), o.get(5));
        TcpOption.Sack sack = (TcpOption.Sack) o.get(6);
        assertArrayEquals(new long[] {5, 9}, sack.blocks().get(0));
        // The two zeros after the SACK start off a word boundary: padding, not an eol.
        assertEquals(7, o.size());
    }

    @Test
    void aBadOptionLengthIsMalformedAtTheLengthByte() {
        byte[] options = {1, 8, 1, 0};
        var r = FrameDecoder.ethernet(frame(TcpFlags.ACK, 0, options, new byte[0], new byte[0], false), 0);
        var m = assertInstanceOf(FrameDecoder.Malformed.class, r);
        assertEquals(14 + 20 + 20 + 2, m.offset());
        assertEquals("TCP option kind 8 has length 1 but 3 option bytes remain", m.why());
    }

    @Test
    void notTcpIsSkipped() {
        byte[] f = frame(0, 0, new byte[0], new byte[0], new byte[0], false);
        f[14 + 9] = 17; // UDP
        assertEquals(new FrameDecoder.Skipped("IP protocol 17"), FrameDecoder.ethernet(f, 0));
    }

    @Test
    void aZeroTotalLengthIsABigTcpFrameWhoseLengthIsTheFrames() {
        byte[] payload = new byte[100];
        payload[99] = 'z';
        Packet p = tcp(frame(TcpFlags.ACK, 0, new byte[0], payload, new byte[0], true), 0);
        assertArrayEquals(payload, p.segment().payload());
    }

    @Test
    void anIpv6SegmentRoundTripsWithItsFlowLabel() {
        Segment s = new Segment(SockAddr.loopback6(53746), new SockAddr(SockAddr.Ip6.parse("2001:db8::2"), 4321),
                0xfedcba98L, 7, TcpFlags.PSH | TcpFlags.ACK, 512, 0,
                List.of(TcpOption.NOP, TcpOption.NOP, new TcpOption.Timestamps(1, 2)), new byte[] {'h', 'i'});
        Packet p = new Packet(5_000, 0x56a13, s);
        byte[] f = FrameEncoder.frame(p);
        assertEquals(14 + 40 + 32 + 2, f.length);
        assertEquals(0x86, f[12] & 0xff);
        assertEquals(64, f[14 + 7]); // hop limit
        FrameDecoder.Tcp t = assertInstanceOf(FrameDecoder.Tcp.class, FrameDecoder.ethernet(f, 5_000));
        assertEquals(p, t.packet());
        assertEquals(64, t.ttl());
        int at = 14 + 40;
        assertEquals(0, FrameEncoder.tcpChecksum6(s.src().ip6(), s.dst().ip6(), f, at, f.length - at));
    }

    @Test
    void anIpv6FragmentIsSkippedAndUdpIsNotTcp() {
        Segment s = new Segment(SockAddr.loopback6(1), SockAddr.loopback6(2), 0, 0, TcpFlags.SYN, 0, 0, List.of(), null);
        byte[] f = FrameEncoder.frame(new Packet(0, 0, s));
        f[14 + 6] = 17;
        assertEquals(new FrameDecoder.Skipped("IPv6 next header 17"), FrameDecoder.ethernet(f, 0));
        f[14 + 6] = 44;
        assertEquals(new FrameDecoder.Skipped("IPv6 fragment"), FrameDecoder.ethernet(f, 0));
    }
}
