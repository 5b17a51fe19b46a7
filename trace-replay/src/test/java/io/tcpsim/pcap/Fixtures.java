package io.tcpsim.pcap;

import static io.tcpsim.wire.TcpFlags.ACK;
import static io.tcpsim.wire.TcpFlags.CWR;
import static io.tcpsim.wire.TcpFlags.ECE;
import static io.tcpsim.wire.TcpFlags.FIN;
import static io.tcpsim.wire.TcpFlags.PSH;
import static io.tcpsim.wire.TcpFlags.RST;
import static io.tcpsim.wire.TcpFlags.SYN;
import static io.tcpsim.wire.TcpFlags.URG;

import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Packet sequences that exercise every printing rule; the clock steps by an odd number of nanoseconds. */
final class Fixtures {
    private Fixtures() {}

    static final class Trace {
        final List<Packet> packets = new ArrayList<>();
        long now = 1_000_000_999L; // 00:00:01.000000999: the 999 ns must be cut, not rounded
        int ipId = 1;

        Trace add(SockAddr src, SockAddr dst, int flags, long seq, long ack, int win, int urgent,
                  List<TcpOption> options, byte[] payload) {
            now += 1_234_567L;
            packets.add(new Packet(now, ipId++ & 0xffff, new Segment(src, dst, seq & 0xffffffffL, ack & 0xffffffffL,
                    flags, win, urgent, options, payload)));
            return this;
        }

        Trace add(SockAddr src, SockAddr dst, int flags, long seq, long ack, int win, List<TcpOption> options,
                  String payload) {
            return add(src, dst, flags, seq, ack, win, 0, options, payload.getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    static List<TcpOption> syn(long val, long ecr) {
        return List.of(new TcpOption.Mss(65495), TcpOption.SACK_PERMITTED, new TcpOption.Timestamps(val, ecr),
                TcpOption.NOP, new TcpOption.WindowScale(10));
    }

    static List<TcpOption> ts(long val, long ecr) {
        return List.of(TcpOption.NOP, TcpOption.NOP, new TcpOption.Timestamps(val, ecr));
    }

    static TcpOption unknown(int kind, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) b[i] = (byte) bytes[i];
        return new TcpOption.Unknown(kind, b);
    }

    /** Handshake, data both ways, FIN close (a real close on the reference machine, its tcpdump lines 1-8, with the server's 6 bytes). */
    static void normalClose(Trace t, SockAddr c, SockAddr s, long ci, long si) {
        t.add(c, s, SYN, ci, 0, 65495, syn(413859837L, 0), "");
        t.add(s, c, SYN | ACK, si, ci + 1, 65483, syn(3713417029L, 413859837L), "");
        t.add(c, s, ACK, ci + 1, si + 1, 64, ts(413859838L, 3713417029L), "");
        t.add(c, s, PSH | ACK, ci + 1, si + 1, 64, ts(413859938L, 3713417029L), "hello");
        t.add(s, c, ACK, si + 1, ci + 6, 64, ts(3713417129L, 413859938L), "");
        t.add(s, c, PSH | ACK, si + 1, ci + 6, 64, ts(3713417330L, 413859938L), "world!");
        t.add(c, s, FIN | ACK, ci + 6, si + 7, 64, ts(413860340L, 3713417330L), "");
        t.add(s, c, ACK, si + 7, ci + 7, 64, ts(3713417575L, 413860340L), "");
        t.add(s, c, FIN | ACK, si + 7, ci + 7, 64, ts(3713418155L, 413860340L), "");
        t.add(c, s, ACK, ci + 7, si + 8, 64, ts(413860964L, 3713418155L), "");
    }

    /** Every rule of the printer at least once. */
    static List<Packet> everything() {
        Trace t = new Trace();
        SockAddr c = SockAddr.loopback(55688);
        SockAddr s = SockAddr.loopback(48001);
        normalClose(t, c, s, 4253287871L, 1983831168L);

        // Two connections interleaved, one of them wrapping around 2^32.
        SockAddr c1 = SockAddr.loopback(40000);
        SockAddr c2 = SockAddr.loopback(60000);
        SockAddr srv = SockAddr.loopback(4321);
        t.add(c1, srv, SYN, 100, 0, 65495, syn(1, 0), "");
        t.add(c2, srv, SYN, 0xfffffff0L, 0, 65495, syn(2, 0), "");
        t.add(srv, c1, SYN | ACK, 9000, 101, 65483, syn(3, 1), "");
        t.add(srv, c2, SYN | ACK, 0xffffffffL, 0xfffffff1L, 65483, syn(4, 2), "");
        t.add(c2, srv, ACK, 0xfffffff1L, 0, 64, ts(5, 4), "");
        t.add(c1, srv, ACK, 101, 9001, 64, ts(6, 3), "");
        t.add(c2, srv, PSH | ACK, 0xfffffff1L, 0, 64, ts(7, 4), "0123456789abcdefXYZ");
        t.add(c1, srv, PSH | ACK, 101, 9001, 64, ts(8, 3), "abc");
        t.add(srv, c2, ACK, 0, 0x100000004L, 64, ts(9, 7), "");
        // SACK: relative in the ACK-bearing packet, both directions, and absolute without ACK.
        t.add(srv, c1, ACK, 9001, 101, 64, List.of(TcpOption.NOP, TcpOption.NOP, new TcpOption.Timestamps(10, 8),
                TcpOption.NOP, TcpOption.NOP, new TcpOption.Sack(List.of(new long[] {104, 110}))), "");
        t.add(c1, srv, ACK, 104, 9001, 64, List.of(TcpOption.NOP, TcpOption.NOP, new TcpOption.Sack(List.of(
                new long[] {9101, 9201}, new long[] {9301, 9401}, new long[] {9501, 9601}))), "");
        t.add(c1, srv, 0, 104, 0, 64, List.of(TcpOption.NOP, TcpOption.NOP, new TcpOption.Sack(List.of(
                new long[] {9101, 9201}))), "");
        // URG, ECE/CWR, FIN+PSH with data, payload with every kind of byte.
        t.add(c1, srv, URG | PSH | ACK, 104, 9001, 64, 1, ts(11, 10), new byte[] {'!'});
        t.add(c1, srv, ECE | CWR | ACK, 105, 9001, 64, List.of(), "");
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) binary[i] = (byte) i;
        t.add(srv, c1, PSH | ACK, 9001, 105, 64, 0, ts(12, 11), binary);
        t.add(srv, c1, FIN | PSH | ACK, 9257, 105, 64, ts(13, 11), "bye");

        // RSTs of every form: abort with unread data, refused SYN, orphan [R], RST with payload, RST+ACK with payload.
        t.add(c, s, SYN, 1000, 0, 65495, syn(20, 0), "");
        t.add(s, c, SYN | ACK, 2000, 1001, 65483, syn(21, 20), "");
        t.add(c, s, PSH | ACK, 1001, 2001, 64, ts(22, 21), "hello");
        t.add(s, c, RST | ACK, 2001, 1006, 64, ts(1268045759L, 883687921L), "");
        SockAddr closed = SockAddr.loopback(48060);
        SockAddr refused = SockAddr.loopback(34722);
        t.add(refused, closed, SYN, 1922760716L, 0, 65495, syn(30, 0), "");
        t.add(closed, refused, RST | ACK, 0, 1922760717L, 0, List.of(), "");
        t.add(SockAddr.loopback(45162), SockAddr.loopback(48031), RST, 1444421942L, 0, 0, List.of(), "");
        SockAddr injector = SockAddr.loopback(48988);
        t.add(injector, s, RST, 5000, 0, 1000, List.of(), "injected reset with text: \u0000\u0001\u007f\u00e9!");
        t.add(injector, s, RST | ACK, 5000, 77, 1000, List.of(), "short");
        t.add(injector, s, RST, 5100, 0, 1000, List.of(), "");

        // Packets without ACK, odd flag sets.
        t.add(injector, s, PSH, 1000, 0, 512, List.of(), "0123456789");
        t.add(injector, s, FIN, 2000, 0, 512, List.of(), "");
        t.add(injector, s, SYN | FIN, 4000, 0, 65495, List.of(new TcpOption.Mss(1460)), "xy");
        t.add(injector, s, 0, 8000, 0, 512, List.of(), "");
        t.add(injector, s, 0, 8000, 0, 512, List.of(), "data");
        t.add(injector, s, 0xff, 9000, 9100, 512, 7, List.of(), new byte[] {1, 2, 3});
        // Equal ports: ordered by address. Other addresses than loopback.
        SockAddr a = new SockAddr(0x0a000002, 7000);
        SockAddr b = new SockAddr(0x0a000001, 7000);
        t.add(a, b, SYN | ACK, 500, 600, 1000, List.of(), "");
        t.add(b, a, ACK, 600, 501, 1000, List.of(), "x");
        t.add(a, b, ACK, 501, 602, 1000, List.of(), "");

        // Options tcpdump knows by name but the model keeps as Unknown, and ones it does not know.
        SockAddr o = SockAddr.loopback(47001);
        t.add(o, s, SYN, 1, 0, 1, List.of(unknown(253, 0xde, 0xad), unknown(99, 1)), "");
        t.add(o, s, SYN, 2, 0, 1, List.of(unknown(6, 0, 0, 1, 0), unknown(7, 0, 0, 0, 9),
                unknown(11, 1, 2, 3, 4), unknown(12, 0, 0, 0, 1), unknown(13, 0, 0, 0, 2)), "");
        t.add(o, s, SYN, 3, 0, 1, List.of(unknown(19, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                TcpOption.NOP, TcpOption.NOP), "");
        t.add(o, s, SYN, 4, 0, 1, List.of(unknown(20, 0xab, 7), unknown(27, 0, 0x85), unknown(27, 0, 0x84),
                unknown(29, 1, 2, 0xaa, 0xbb), unknown(29)), "");
        t.add(o, s, SYN, 5, 0, 1, List.of(unknown(34), unknown(34, 1, 2, 3, 4), unknown(34, 1, 2, 3),
                unknown(254, 0xf9, 0x89), unknown(254, 0x12, 0x34, 5)), "");
        t.add(o, s, SYN, 6, 0, 1, List.of(unknown(254, 0xf9, 0x89, 1, 2, 3, 4, 5, 6), TcpOption.EOL), "");
        t.add(o, s, SYN, 7, 0, 1, List.of(unknown(2, 1, 2, 1), TcpOption.NOP), "");
        t.add(o, s, SYN, 8, 0, 1, List.of(unknown(2, 1, 2, 3), TcpOption.NOP), "");
        t.add(o, s, SYN, 9, 0, 1, List.of(TcpOption.NOP, unknown(8, 1)), "");
        t.add(o, s, SYN, 10, 0, 1, List.of(unknown(5, 1, 2, 3), unknown(3), unknown(4, 9), unknown(254, 1)), "");
        t.add(o, s, SYN, 11, 0, 1, List.of(new TcpOption.Mss(536), TcpOption.EOL, TcpOption.NOP), "");
        return t.packets;
    }

    /** A client on port 40000 sending {@code payload} to {@code port} and the reply coming back, both PSH+ACK. */
    private static void exchange(Trace t, int port, String request, String reply) {
        SockAddr c = SockAddr.loopback(40000);
        SockAddr s = SockAddr.loopback(port);
        t.add(c, s, PSH | ACK, 1000, 2000, 64, List.of(), request);
        t.add(s, c, PSH | ACK, 2000, 1000 + request.length(), 64, List.of(), reply);
    }

    static final int[] TEXT_PORTS = {21, 25, 43, 80, 8080, 554, 8554};

    /** Ports with a decoder that tcpsim does not reproduce (TcpdumpPayload.NOT_REPRODUCED_PORTS). */
    static final int[] OTHER_DECODER_PORTS = {22, 23, 53, 179, 323, 639, 646, 1723, 2049, 6379, 6633, 6653, 10288};

    /** Data segments whose payload tcpdump decodes as text, with every rule of txtproto_print at least once. */
    static List<Packet> textPayloads() {
        Trace t = new Trace();
        String long128 = "a".repeat(128);
        exchange(t, 8080, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        exchange(t, 80, "POST /f HTTP/1.1\r\nContent-Length: 30\r\n\r\nfirst part of a body\r\n",
                "more of the body\r\n");
        exchange(t, 80, "GET / HTTP/1.1", "HTTP/1.1 200");                    // no line ending: [|http]
        exchange(t, 80, "\u001f\u008b\u0008\u0000\u00ff", "GET / caf\u00e9\r\n"); // binary; non-ASCII in the line
        exchange(t, 80, "GET /\rX\r\n", "GET / HTTP/1.1\r");                  // CR without LF; CR last
        exchange(t, 80, "get / HTTP/1.1\r\n", "gEt\n");                       // case; LF alone
        exchange(t, 80, "  GET / HTTP/1.1\r\n", "\tGET / HTTP/1.1\r\n");      // leading white space: no token
        exchange(t, 80, "\r\n", " \r\n");                                     // empty token
        exchange(t, 80, "PATCH /x HTTP/1.1\r\n", "HTTP/1.1 2000 OK\r\n");     // not a method; four digits
        exchange(t, 80, "HTTP/1.1 \t200 OK\r\n", "HTTP/1.1    404 x\r\n");    // tab stops the skip; spaces do not
        exchange(t, 80, "X 200\u0001\r\n", "X\u0001 200\r\n");                // control bytes in tokens
        exchange(t, 80, long128 + " 200 ok\r\n", long128 + "a 200 ok\r\n"); // 128 characters fit, 129 do not
        exchange(t, 80, "GET\t/\r\nA:\tb\r\n", "HTTP/1.1 200 OK\r\nX: 1\r\n\r\n\u0089PNG\r\n");
        exchange(t, 80, "version-Control x\r\n", "CCM_POST x\r\n");
        exchange(t, 80, "GET / HTTP/1.1\r\n\u007f", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\npartial");
        exchange(t, 21, "USER anonymous\r\n", "220 (vsFTPd 3.0.5)\r\n");
        exchange(t, 21, "\r\n", "\u0080binary");
        exchange(t, 21, "a\tb\r\nsecond\r\n", "no line ending");
        exchange(t, 25, "EHLO client.example\r\n", "250-mail.example\r\n250 SIZE 1000\r\n");
        exchange(t, 25, "MAIL FROM:<a@b>\nRCPT TO:<c@d>\n", "\n\n");
        exchange(t, 43, "example.com\r\n", "Domain Name: EXAMPLE.COM\r\n\r\n% note\r\n");
        exchange(t, 554, "DESCRIBE rtsp://h/s RTSP/1.0\r\nCSeq: 2\r\n\r\n", "RTSP/1.0 200 OK\r\nCSeq: 2\r\n\r\n");
        exchange(t, 8554, "GET / HTTP/1.1\r\n", "teardown rtsp://h/s RTSP/1.0\r\n");
        // RST with data: decoded without -v, [RST ...] with it.
        t.add(SockAddr.loopback(40001), SockAddr.loopback(80), RST, 5000, 0, 0, List.of(), "GET / HTTP/1.1\r\n");
        t.add(SockAddr.loopback(40001), SockAddr.loopback(80), RST | ACK, 5000, 7, 0, List.of(), "HTTP/1.1 200 OK\r\n");
        // Which decoder wins when both ports have one: print-tcp.c's order, text ports against each other and
        // against the ports of decoders that come after them (or that this tcpdump does not have: SMB).
        int[] after = {53, 139, 323, 445, 639, 646, 2049};
        for (int a : TEXT_PORTS) {
            for (int b : TEXT_PORTS) {
                if (a != b) t.add(SockAddr.loopback(a), SockAddr.loopback(b), PSH | ACK, 1, 1, 64, List.of(),
                        "OPTIONS / HTTP/1.1\r\n");
            }
            for (int b : after) t.add(SockAddr.loopback(b), SockAddr.loopback(a), PSH | ACK, 1, 1, 64, List.of(),
                    "OPTIONS / HTTP/1.1\r\n");
        }
        return t.packets;
    }

    /** Data segments that go to a decoder tcpsim does not reproduce, alone and against each text port. */
    static List<Packet> otherDecoderPayloads() {
        Trace t = new Trace();
        for (int a : OTHER_DECODER_PORTS) {
            t.add(SockAddr.loopback(40000), SockAddr.loopback(a), PSH | ACK, 1, 1, 64, List.of(), "hello world\r\n");
            for (int b : TEXT_PORTS) {
                // Text protocols tried before this decoder win (SMTP and WHOIS before SSH): not in this list.
                if (io.tcpsim.wire.TcpdumpPrinter.payloadReproduced(a, b)) continue;
                t.add(SockAddr.loopback(a), SockAddr.loopback(b), PSH | ACK, 1, 1, 64, List.of(),
                        "OPTIONS / HTTP/1.1\r\n");
            }
        }
        return t.packets;
    }
}
