package io.tcpsim.packetdrill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.packetdrill.Event.CodeEvent;
import io.tcpsim.packetdrill.Event.CommandEvent;
import io.tcpsim.packetdrill.Event.PacketEvent;
import io.tcpsim.packetdrill.Event.SyscallEvent;
import io.tcpsim.packetdrill.Expr.Array;
import io.tcpsim.packetdrill.Expr.Ellipsis;
import io.tcpsim.packetdrill.Expr.Int;
import io.tcpsim.packetdrill.Expr.Word;
import io.tcpsim.packetdrill.Packet.Direction;
import io.tcpsim.packetdrill.Packet.Ecn;
import io.tcpsim.packetdrill.Packet.IpInfo;
import io.tcpsim.wire.TcpOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reader on each construct of the language, one snippet per group (PktSnippets.ACCEPTED; packetdrill's own
 * parser accepts each of them too, PacketdrillAgreesWithTheReaderTest in traces). Every field of what it reads is
 * asserted, lines and columns included.
 */
class PktParserTest {

    static PktScript read(String name) throws PktException {
        return PktParser.parse("t.pkt", PktSnippets.ACCEPTED.get(name), PktSnippets.ARGS);
    }

    static final EventTime ZERO = new EventTime.Absolute(0);
    static final EventTime NOW = new EventTime.Relative(0);

    static Packet.Tcp tcp(Direction d, String flags, int bits, long start, long end, int length, Long ack,
                          Integer window, List<TcpOption> options) {
        return new Packet.Tcp(d, List.of(), null, null, null, null, flags, bits, start, end, length, ack, window, null,
                options);
    }

    static final Direction IN = Direction.INBOUND;
    static final Direction OUT = Direction.OUTBOUND;

    @Test
    void optionLinesGiveTheConfigAndTheCommandLineWins() throws Exception {
        PktScript s = read("options");
        assertEquals(List.of(
                new ScriptOption("tolerance_usecs", "10000", 1, 1),
                new ScriptOption("mss", "1000", 2, 1),
                new ScriptOption("ip_version", "ipv4", 3, 1),
                new ScriptOption("local_ip", "192.168.0.2", 4, 1),
                new ScriptOption("remote_ip", "10.248.0.3", 5, 1),
                new ScriptOption("strict_segments", null, 6, 1),
                new ScriptOption("define", "PROTO=IPPROTO_TCP", 7, 1),
                new ScriptOption("define", "PAYLOAD=\"hello\"", 8, 1)), s.options());
        PktConfig c = s.config();
        assertEquals(10000, c.toleranceUsecs());
        assertEquals(1000, c.mss());
        assertEquals(PktConfig.IpVersion.IPV4, c.ipVersion());
        // run_all.py's --local_ip=192.168.0.1 comes after the script's own and wins (config.c).
        assertEquals("192.168.0.1", c.localIp());
        assertEquals("192.0.2.1", c.remoteIp());
        assertTrue(c.strictSegments());
        assertTrue(c.sendOmitFree());
        assertEquals(12.5, c.tolerancePercent());
        assertEquals(1500, c.mtu());
        assertEquals(Map.of("PROTO", "IPPROTO_TCP", "PAYLOAD", "\"hello\"", "TFO_COOKIE", "3021b9d889017eeb",
                "CODE", "host_unreachable", "CMSG_LEVEL_IP", "SOL_IP", "CMSG_TYPE_RECVERR", "IP_RECVERR"), c.defines());
        // A definition stands for its value where a word is written: a word, and a quoted value a string.
        assertEquals(List.of(
                new SyscallEvent(9, 1, ZERO, null, "socket",
                        List.of(new Ellipsis(9, 10), new Word("SOCK_STREAM", 9, 15), new Word("IPPROTO_TCP", 9, 28)),
                        new Int(3, false, 9, 37), null, null),
                new SyscallEvent(10, 1, NOW, null, "write",
                        List.of(new Int(3, false, 10, 10), new Expr.Str("hello", false, 10, 13), new Int(5, false, 10, 22)),
                        new Int(5, false, 10, 27), null, null)), s.events());

        PktConfig own = PktParser.parse("t.pkt", PktSnippets.ACCEPTED.get("options"), List.of("--tolerance_usecs", "5000"))
                .config();
        assertEquals(5000, own.toleranceUsecs());
        assertEquals("192.168.0.2", own.localIp());
        assertNull(PktConfig.defaults().ipVersion());
        assertEquals(4000, PktConfig.defaults().toleranceUsecs());
    }

    @Test
    void timePrefixes() throws Exception {
        List<Event> e = read("times").events();
        assertEquals(List.of(ZERO, new EventTime.Absolute(100_000), new EventTime.Relative(250_000),
                new EventTime.Relative(100_000), new EventTime.Any(), new EventTime.AbsoluteRange(500_000, 600_000),
                new EventTime.RelativeRange(4_000, 8_000), NOW, new EventTime.Absolute(1_000_000)),
                e.stream().map(Event::time).toList());
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9), e.stream().map(Event::line).toList());
        assertEquals(new SyscallEvent(8, 1, NOW, 200_000L, "accept",
                List.of(new Int(3, false, 8, 19), new Ellipsis(8, 22), new Ellipsis(8, 27)), new Int(4, false, 8, 34),
                null, null), e.get(7));
        assertEquals(new PacketEvent(7, 1, new EventTime.RelativeRange(4_000, 8_000),
                tcp(OUT, "P.", 0x18, 1, 401, 400, 1L, null, List.of())), e.get(6));
    }

    @Test
    void systemCallsWithStructsPointersFlagsAndErrno() throws Exception {
        List<Event> e = read("calls").events();
        assertEquals(new SyscallEvent(1, 1, ZERO, null, "setsockopt", List.of(new Int(3, false, 1, 14),
                new Word("SOL_SOCKET", 1, 17), new Word("SO_LINGER", 1, 29), new Expr.Linger(1, 0, 1, 40),
                new Int(8, false, 1, 61)), new Int(0, false, 1, 66), null, null), e.get(0));
        assertEquals(List.of(new Array(List.of(new Int(0, false, 2, 41)), 2, 40),
                new Array(List.of(new Int(4, false, 2, 46)), 2, 45)),
                ((SyscallEvent) e.get(1)).arguments().subList(3, 5));
        assertEquals(new Expr.Or(List.of(new Word("O_RDWR", 3, 22), new Word("O_NONBLOCK", 3, 29)), 3, 22),
                ((SyscallEvent) e.get(2)).arguments().get(2));
        assertEquals(new SyscallEvent(4, 1, NOW, null, "connect",
                List.of(new Int(3, false, 4, 12), new Ellipsis(4, 15), new Ellipsis(4, 20)), new Int(-1, false, 4, 27),
                "EINPROGRESS", "Operation now in progress"), e.get(3));
        assertEquals(new Array(List.of(
                new Expr.PollFd(new Int(3, false, 5, 14),
                        new Expr.Or(List.of(new Word("POLLIN", 5, 24), new Word("POLLOUT", 5, 31)), 5, 24),
                        new Word("POLLOUT", 5, 48), 5, 10),
                new Expr.PollFd(new Int(4, false, 5, 62), new Word("POLLIN", 5, 72), null, 5, 58)), 5, 9),
                ((SyscallEvent) e.get(4)).arguments().get(0));
        assertEquals(new Expr.EpollEvent(new Expr.Or(List.of(new Word("EPOLLOUT", 6, 43), new Word("EPOLLET", 6, 52)), 6, 43),
                Expr.EpollEvent.DataField.FD, new Int(4, false, 6, 64), 6, 35), ((SyscallEvent) e.get(5)).arguments().get(3));
        assertEquals(new Expr.EpollEvent(new Int(0, false, 7, 26), Expr.EpollEvent.DataField.PTR, new Int(0, false, 7, 33),
                7, 18), ((SyscallEvent) e.get(6)).arguments().get(1));
        assertEquals(new Expr.Str("helloworld", false, 8, 13), ((SyscallEvent) e.get(7)).arguments().get(1));
        assertEquals(new Expr.Str("abc", true, 9, 12), ((SyscallEvent) e.get(8)).arguments().get(1));
        assertEquals(new Int(0x541b, true, 10, 13), ((SyscallEvent) e.get(9)).arguments().get(1));
        assertEquals(new Expr.SockAddr("AF_INET", 8080, "192.168.0.1", 11, 12), ((SyscallEvent) e.get(10)).arguments().get(1));
        SyscallEvent info = (SyscallEvent) e.get(11);
        assertEquals(new Expr.Fields(List.of(
                new Expr.Assign("tcpi_state", new Word("TCP_ESTABLISHED", 12, 49), 12, 38),
                new Expr.Assign("tcpi_rto", new Int(200000, false, 12, 75), 12, 66)), 12, 37), info.arguments().get(3));
        assertEquals(new Array(List.of(new Ellipsis(12, 85)), 12, 84), info.arguments().get(4));
        assertNull(info.errno());
        assertEquals("ok", info.note());
        assertEquals("EAGAIN", ((SyscallEvent) e.get(12)).errno());
        assertEquals("Resource temporarily unavailable", ((SyscallEvent) e.get(12)).note());
        assertEquals(new SyscallEvent(15, 1, NOW, null, "getpid", List.of(), new Ellipsis(15, 15), null, null), e.get(14));
    }

    @Test
    void messageHeadersIovecsAndControlMessages() throws Exception {
        List<Event> e = read("messages").events();
        assertEquals(new Expr.MsgHdr(1, new Array(List.of(new Expr.IoVec(1000, 1, 46)), 1, 45), new Int(0, false, 1, 70),
                new Array(List.of(), 1, 14), 1, 14), ((SyscallEvent) e.get(0)).arguments().get(1));
        // The -D symbols of run_all.py stand in for CMSG_LEVEL_IP and CMSG_TYPE_RECVERR.
        assertEquals(new Expr.MsgHdr(1, new Array(List.of(new Expr.IoVec(0, 3, 28)), 3, 27),
                new Word("MSG_ERRQUEUE", 4, 26),
                new Array(List.of(new Expr.Cmsg(new Word("SOL_IP", 6, 30), new Word("IP_RECVERR", 7, 29),
                        new Expr.SockExtendedErr(new Int(0, false, 8, 39), new Word("SO_EE_ORIGIN_ZEROCOPY", 9, 40),
                                new Int(0, false, 10, 38), new Word("SO_EE_CODE_ZEROCOPY_COPIED", 11, 38),
                                new Int(4, false, 12, 38), new Int(4, false, 13, 38), 8, 29), 6, 18)), 5, 28),
                2, 15), ((SyscallEvent) e.get(1)).arguments().get(1));
        Expr.MsgHdr ts = (Expr.MsgHdr) ((SyscallEvent) e.get(2)).arguments().get(1);
        assertEquals(new Expr.ScmTimestamping(0, 0, 17, 40), ((Expr.Cmsg) ts.control().items().get(0)).data());
        assertEquals(List.of(1, 2, 15), e.stream().map(Event::line).toList());
    }

    @Test
    void tcpPackets() throws Exception {
        PktScript s = read("packets");
        assertEquals(1000, s.config().pspUdpPort());
        List<Event> e = s.events();
        List<Packet> p = e.stream().map(ev -> ((PacketEvent) ev).packet()).toList();
        assertEquals(tcp(OUT, "S", 0x02, 0, 0, 0, null, null, null), p.get(0));
        assertEquals(tcp(IN, "S.", 0x12, 0, 0, 0, 1L, 32000,
                List.of(new TcpOption.Mss(1460), TcpOption.NOP, new TcpOption.WindowScale(7))), p.get(1));
        assertEquals(tcp(OUT, ".", 0x10, 1, 1, 0, 1L, null, List.of(TcpOption.NOP, TcpOption.NOP,
                new TcpOption.Timestamps(100, 200))), p.get(2));
        assertEquals(tcp(IN, "P.", 0x18, 1, 1001, 1000, 1L, 257, List.of(TcpOption.NOP, TcpOption.NOP,
                new TcpOption.Sack(List.of(new long[] {1001, 2001}, new long[] {3001, 4001})))), p.get(3));
        assertEquals(new Packet.Tcp(IN, List.of(), null, null, null, null, "F.", 0x11, 1001, 1001, 0, 1L, 257, 5,
                List.of()), p.get(4));
        assertEquals(tcp(IN, "R", 0x04, 1, 1, 0, null, 0, List.of()), p.get(5));
        assertEquals(tcp(IN, "", 0, 1, 1, 0, null, 100, List.of()), p.get(6));
        assertEquals(tcp(OUT, "SEW", 0xc2, 0, 0, 0, null, null, null), p.get(7));
        // ACE 5 = 0b101: AE (0x100) and ECE (tcp_packet.c new_tcp_packet).
        assertEquals(tcp(OUT, "S.5", 0x152, 0, 0, 0, 1L, null, null), p.get(8));
        assertEquals(new IpInfo(Ecn.ECT0, null, null, null), p.get(9).ip());
        assertEquals(new IpInfo(null, 0x10, null, null), p.get(10).ip());
        assertEquals(new IpInfo(Ecn.ECT01, null, null, null), p.get(11).ip());
        assertEquals(new IpInfo(Ecn.CE, null, 0x12345, null), p.get(12).ip());
        assertEquals(7L, ((Packet.Tcp) p.get(13)).psp());
        assertEquals(List.of(8080, 9090), List.of(((Packet.Tcp) p.get(14)).sourcePort(), ((Packet.Tcp) p.get(14)).destinationPort()));
        assertEquals(List.of(new Packet.IpHeader(4, "192.0.2.2", "192.168.0.1", null)), p.get(15).outer());
        assertEquals(List.of(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17), e.stream().map(Event::line).toList());
    }

    @Test
    void tcpOptionsIntoWireOptions() throws Exception {
        List<List<TcpOption>> o = read("tcp options").events().stream()
                .map(ev -> ((Packet.Tcp) ((PacketEvent) ev).packet()).options()).toList();
        byte[] cookie = {0x30, 0x21, (byte) 0xb9, (byte) 0xd8, (byte) 0x89, 0x01, 0x7e, (byte) 0xeb};
        assertEquals(List.of(new TcpOption.Mss(1460), new TcpOption.Unknown(34, cookie), TcpOption.NOP, TcpOption.NOP), o.get(0));
        assertEquals(List.of(new TcpOption.Mss(1460), new TcpOption.Unknown(34, new byte[0]), TcpOption.NOP, TcpOption.NOP), o.get(1));
        byte[] exp = new byte[10];
        exp[0] = (byte) 0xf9;
        exp[1] = (byte) 0x89;
        System.arraycopy(cookie, 0, exp, 2, 8);
        assertEquals(List.of(new TcpOption.Mss(1460), new TcpOption.Unknown(254, exp)), o.get(2));
        byte[] md5 = new byte[16];
        for (int i = 0; i < 16; i++) md5[i] = (byte) i;
        assertEquals(List.of(new TcpOption.Unknown(19, md5), TcpOption.NOP, TcpOption.NOP), o.get(3));
        // Order 1 (e1b first): kind 174, the counters 24 bits each in the order written.
        assertEquals(List.of(new TcpOption.Unknown(174, new byte[] {0, 0, 1, 0, 0, 0, 0, 0, 1}), TcpOption.NOP), o.get(4));
        assertEquals(List.of(TcpOption.EOL, TcpOption.EOL, TcpOption.EOL, TcpOption.EOL), o.get(5));
    }

    @Test
    void udpAndIcmpPackets() throws Exception {
        List<Packet> p = read("udp and icmp").events().stream().map(ev -> ((PacketEvent) ev).packet()).toList();
        assertEquals(new Packet.Udp(IN, List.of(), null, null, null, 100), p.get(0));
        assertEquals(new Packet.Udp(IN, List.of(), null, 53, 4000, 100), p.get(1));
        assertEquals(new Packet.Icmp(IN, List.of(), null, "unreachable", "frag_needed", 800, null,
                new Packet.Echoed("tcp", 0, 1000)), p.get(2));
        // CODE is run_all.py's -D CODE=host_unreachable.
        assertEquals(new Packet.Icmp(IN, List.of(), null, "unreachable", "host_unreachable", null, null, null), p.get(3));
        assertEquals(new Packet.Icmp(IN, List.of(), null, "echo_reply", null, null, 7, new Packet.Echoed("udp", 0, 20)), p.get(4));
    }

    @Test
    void commandsAndCodeKeepTheirTextAndLines() throws Exception {
        PktScript s = read("commands and code");
        assertEquals(new Command("../common/defaults.sh\nsysctl -q net.ipv4.tcp_sack=0", 1, 1, 2), s.init());
        assertEquals(List.of(
                new CommandEvent(5, 1, ZERO, new Command("sysctl -q net.ipv4.tcp_timestamps=0", 5, 3, 5)),
                new CodeEvent(6, 1, NOW, "assert tcpi_rto == 200000, tcpi_rto", 6),
                new CodeEvent(7, 1, NOW, "\nprint(tcpi_snd_cwnd)\n", 9)), s.events());
        assertEquals(new Command("echo done", 10, 1, 10), s.cleanup());
    }

    @Test
    void timesAreMicrosecondsAsPacketdrillTruncatesThem() throws Exception {
        // parser.y time: (s64)(secs * 1.0e6). 0.000249 * 1e6 is 248.99999999999997 in binary floating point.
        Event e = PktParser.parse("t.pkt", "0.000249 close(3) = 0\n+2 close(3) = 0\n").events().get(0);
        assertEquals(new EventTime.Absolute(248), e.time());
        assertEquals(new EventTime.Relative(2_000_000),
                PktParser.parse("t.pkt", "0.000249 close(3) = 0\n+2 close(3) = 0\n").events().get(1).time());
    }

    @Test
    void theLexerTakesTheLongestMatchAndKeywordsOnTies() throws Exception {
        assertEquals(List.of("IPV4 192.0.2.1", "FLOAT 1.5", "CHAR +", "FLOAT .1", "KEYWORD ack", "WORD acks",
                "WORD 3021b9d8", "HEX 255", "KEYWORD sequence#", "WORD sequence", "ELLIPSIS ...", "IPV6 fd3d::1",
                "OPTION mss", "INTEGER -1", "CHAR -", "CHAR /", "CODE x }", "STRING a\\\"b", "END "),
                lex("192.0.2.1 1.5 +.1 ack acks 3021b9d8 0xff sequence# sequence ... fd3d::1 --mss -1 - / // c\n"
                        + "/* c */ %{ x } }% \"a\\\"b\""));
        // A definition of a word stands for its value: a number strtol reads whole becomes an integer.
        PktLexer l = new PktLexer("t.pkt", "N M W", Map.of("N", "0x10", "M", "010", "W", "12abc"));
        assertEquals("INTEGER 16", describe(l.next()));
        assertEquals("INTEGER 8", describe(l.next()));
        assertEquals("WORD 12abc", describe(l.next()));
    }

    @Test
    void aCommentNeedsItsNewlineAndDoubleStarDoesNotCloseOne() throws Exception {
        // lexer.l: cpp_comment is //[^\n]*\n, and in c_comment the pair "**" is consumed before "/" can close.
        assertEquals(List.of("CHAR /", "CHAR /", "WORD x", "END "), lex("//x"));
        assertEquals(List.of("WORD b", "END "), lex("/* a **/ still */ b"));
    }

    static List<String> lex(String text) throws PktException {
        PktLexer l = new PktLexer("t.pkt", text, Map.of());
        List<String> out = new java.util.ArrayList<>();
        while (true) {
            Token t = l.next();
            out.add(describe(t));
            if (t.kind() == Token.Kind.END) return out;
        }
    }

    static String describe(Token t) {
        return t.kind() + " " + t.text();
    }

    @Test
    void strtolWholeIsBaseZero() {
        assertEquals(255L, PktLexer.strtolWhole("0xff"));
        assertEquals(8L, PktLexer.strtolWhole("010"));
        assertEquals(-5L, PktLexer.strtolWhole(" -5"));
        assertNull(PktLexer.strtolWhole("5 "));
        assertNull(PktLexer.strtolWhole("0x"));
        assertNull(PktLexer.strtolWhole("9223372036854775807"));
        assertArrayEquals(new boolean[] {true, true, true, false, false, true, false},
                new boolean[] {PktLexer.isIpv6("::"), PktLexer.isIpv6("fd3d:a0b:17d6::1"), PktLexer.isIpv6("1:2:3:4:5:6:7:8"),
                        PktLexer.isIpv6("1:1001"), PktLexer.isIpv6("1::2::3"), PktLexer.isIpv6("::ffff:192.0.2.1"),
                        PktLexer.isIpv6("12345::")});
    }
}
