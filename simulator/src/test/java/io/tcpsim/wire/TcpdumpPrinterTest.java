package io.tcpsim.wire;

import static io.tcpsim.wire.TcpFlags.ACK;
import static io.tcpsim.wire.TcpFlags.FIN;
import static io.tcpsim.wire.TcpFlags.PSH;
import static io.tcpsim.wire.TcpFlags.RST;
import static io.tcpsim.wire.TcpFlags.SYN;
import static io.tcpsim.wire.TcpFlags.URG;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Each rule of tcpdump -nn 4.99.3, with real tcpdump lines from the reference machine rebuilt as packets. The same rules
 * are checked against the real tcpdump binary in trace-replay's PcapRoundTripTest.
 */
class TcpdumpPrinterTest {
    static final SockAddr CLIENT = SockAddr.loopback(55688);
    static final SockAddr SERVER = SockAddr.loopback(48001);
    static final long CISN = 4253287871L;
    static final long SISN = 1983831168L;
    static final List<TcpOption> SYN_OPTS_C = List.of(new TcpOption.Mss(65495), TcpOption.SACK_PERMITTED,
            new TcpOption.Timestamps(413859837L, 0), TcpOption.NOP, new TcpOption.WindowScale(10));
    static final List<TcpOption> SYN_OPTS_S = List.of(new TcpOption.Mss(65495), TcpOption.SACK_PERMITTED,
            new TcpOption.Timestamps(3713417029L, 413859837L), TcpOption.NOP, new TcpOption.WindowScale(10));

    /** "HH:MM:SS.uuuuuu" as nanoseconds since the epoch (on 1 January 1970). */
    static long at(String time) {
        String[] p = time.split("[:.]");
        return ((Long.parseLong(p[0]) * 60 + Long.parseLong(p[1])) * 60 + Long.parseLong(p[2])) * 1_000_000_000L
                + Long.parseLong(p[3]) * 1000L;
    }

    static Packet pkt(String time, SockAddr src, SockAddr dst, int flags, long seq, long ack, int win,
                      List<TcpOption> options, String payload) {
        return new Packet(at(time), 0, new Segment(src, dst, seq, ack, flags, win, 0, options,
                payload.getBytes(StandardCharsets.ISO_8859_1)));
    }

    static List<TcpOption> ts(long val, long ecr) {
        return List.of(TcpOption.NOP, TcpOption.NOP, new TcpOption.Timestamps(val, ecr));
    }

    /** Checksum values are checked in Verbose and against tcpdump; elsewhere they would only obscure the rule. */
    static String anyChecksum(String line) {
        return line.replaceAll("cksum 0x[0-9a-f]{4}", "cksum 0xXXXX");
    }

    static void handshake(TcpdumpPrinter p, SockAddr c, SockAddr s, long cisn, long sisn) {
        p.print(pkt("00:00:00.000000", c, s, SYN, cisn, 0, 65495, List.of(), ""));
        p.print(pkt("00:00:00.000001", s, c, SYN | ACK, sisn, cisn + 1, 65483, List.of(), ""));
        p.print(pkt("00:00:00.000002", c, s, ACK, cisn + 1, sisn + 1, 64, List.of(), ""));
    }

    @Test
    void normalCloseFromTheFactSheetPrintsLineForLine() {
        TcpdumpPrinter p = new TcpdumpPrinter();
        assertEquals("01:36:07.021971 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [S], seq 4253287871, win 65495, "
                        + "options [mss 65495,sackOK,TS val 413859837 ecr 0,nop,wscale 10], length 0",
                p.print(pkt("01:36:07.021971", CLIENT, SERVER, SYN, CISN, 0, 65495, SYN_OPTS_C, "")));
        assertEquals("01:36:07.021987 IP 127.0.0.1.48001 > 127.0.0.1.55688: Flags [S.], seq 1983831168, "
                        + "ack 4253287872, win 65483, options [mss 65495,sackOK,TS val 3713417029 ecr 413859837,nop,"
                        + "wscale 10], length 0",
                p.print(pkt("01:36:07.021987", SERVER, CLIENT, SYN | ACK, SISN, CISN + 1, 65483, SYN_OPTS_S, "")));
        assertEquals("01:36:07.022000 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [.], ack 1, win 64, "
                        + "options [nop,nop,TS val 413859838 ecr 3713417029], length 0",
                p.print(pkt("01:36:07.022000", CLIENT, SERVER, ACK, CISN + 1, SISN + 1, 64,
                        ts(413859838L, 3713417029L), "")));
        assertEquals("01:36:07.122320 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [P.], seq 1:6, ack 1, win 64, "
                        + "options [nop,nop,TS val 413859938 ecr 3713417029], length 5",
                p.print(pkt("01:36:07.122320", CLIENT, SERVER, PSH | ACK, CISN + 1, SISN + 1, 64,
                        ts(413859938L, 3713417029L), "hello")));
        assertEquals("01:36:07.524230 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [F.], seq 6, ack 7, win 64, "
                        + "options [nop,nop,TS val 413860340 ecr 3713417330], length 0",
                p.print(pkt("01:36:07.524230", CLIENT, SERVER, FIN | ACK, CISN + 6, SISN + 7, 64,
                        ts(413860340L, 3713417330L), "")));
        assertEquals("01:36:07.568038 IP 127.0.0.1.48001 > 127.0.0.1.55688: Flags [.], ack 7, win 64, "
                        + "options [nop,nop,TS val 3713417575 ecr 413860340], length 0",
                p.print(pkt("01:36:07.568038", SERVER, CLIENT, ACK, SISN + 7, CISN + 7, 64,
                        ts(3713417575L, 413860340L), "")));
        assertEquals("01:36:08.148238 IP 127.0.0.1.48001 > 127.0.0.1.55688: Flags [F.], seq 7, ack 7, win 64, "
                        + "options [nop,nop,TS val 3713418155 ecr 413860340], length 0",
                p.print(pkt("01:36:08.148238", SERVER, CLIENT, FIN | ACK, SISN + 7, CISN + 7, 64,
                        ts(3713418155L, 413860340L), "")));
        assertEquals("01:36:08.148255 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [.], ack 8, win 64, "
                        + "options [nop,nop,TS val 413860964 ecr 3713418155], length 0",
                p.print(pkt("01:36:08.148255", CLIENT, SERVER, ACK, CISN + 7, SISN + 8, 64,
                        ts(413860964L, 3713418155L), "")));
    }

    @Nested
    class Resets {
        @Test
        void abortWithUnreadDataIsRelative() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            SockAddr c = SockAddr.loopback(50312);
            SockAddr s = SockAddr.loopback(48020);
            handshake(p, c, s, 883000000L, 1268000000L);
            assertEquals("01:36:39.122864 IP 127.0.0.1.48020 > 127.0.0.1.50312: Flags [R.], seq 1, ack 6, win 64, "
                            + "options [nop,nop,TS val 1268045759 ecr 883687921], length 0",
                    p.print(pkt("01:36:39.122864", s, c, RST | ACK, 1268000001L, 883000006L, 64,
                            ts(1268045759L, 883687921L), "")));
        }

        @Test
        void refusedConnectionPrintsSeqZeroAndAbsoluteAck() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            SockAddr c = SockAddr.loopback(34722);
            SockAddr s = SockAddr.loopback(48060);
            assertEquals("01:37:03.244310 IP 127.0.0.1.34722 > 127.0.0.1.48060: Flags [S], seq 1922760716, "
                            + "win 65495, length 0",
                    p.print(pkt("01:37:03.244310", c, s, SYN, 1922760716L, 0, 65495, List.of(), "")));
            assertEquals("01:37:03.244327 IP 127.0.0.1.48060 > 127.0.0.1.34722: Flags [R.], seq 0, ack 1922760717, "
                            + "win 0, length 0",
                    p.print(pkt("01:37:03.244327", s, c, RST | ACK, 0, 1922760717L, 0, List.of(), "")));
        }

        @Test
        void rstWithoutAckIsAbsoluteEvenInsideAKnownConnection() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            SockAddr c = SockAddr.loopback(45162);
            SockAddr s = SockAddr.loopback(48031);
            handshake(p, c, s, 1444421000L, 77L);
            assertEquals("01:36:47.563441 IP 127.0.0.1.45162 > 127.0.0.1.48031: Flags [R], seq 1444421942, win 0, "
                            + "length 0",
                    p.print(pkt("01:36:47.563441", c, s, RST, 1444421942L, 0, 0, List.of(), "")));
        }

        @Test
        void rstPayloadIsJustALengthWithoutV() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            String text = "connection reset by simulator!!!!!!!!!";
            assertEquals("00:00:00.000000 IP 127.0.0.1.48988 > 127.0.0.1.48001: Flags [R], seq 5000:5038, "
                            + "win 1000, length 38",
                    p.print(pkt("00:00:00.000000", SockAddr.loopback(48988), SERVER, RST, 5000, 0, 1000,
                            List.of(), text)));
        }

        @Test
        void rstPayloadWithVShowsThirtyCharactersAndAPlus() {
            TcpdumpPrinter p = new TcpdumpPrinter(false, 1);
            String text = "reset\u0000\u007f\u00ff is here and more than thirty";
            String line = p.print(pkt("00:00:00.000000", SockAddr.loopback(48988), SERVER, RST, 5000, 0, 1000,
                    List.of(), text));
            assertEquals("00:00:00.000000 IP (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto TCP (6), length 77)\n"
                    + "    127.0.0.1.48988 > 127.0.0.1.48001: Flags [R], cksum 0xXXXX (correct), seq 5000:5037, "
                    + "win 1000, length 37 [RST+ reset^@^?M-^? is here and more than]", anyChecksum(line));
        }
    }

    @Nested
    class SequenceNumbers {
        @Test
        void pureAckHasNoSeqAndPacketsWithoutAckHaveNoAck() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            handshake(p, CLIENT, SERVER, CISN, SISN);
            assertEquals("00:00:01.000000 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [.], ack 1, win 64, length 0",
                    p.print(pkt("00:00:01.000000", CLIENT, SERVER, ACK, CISN + 1, SISN + 1, 64, List.of(), "")));
            assertEquals("00:00:01.000000 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [P], seq 4253287872:4253287875, "
                            + "win 64, length 3",
                    p.print(pkt("00:00:01.000000", CLIENT, SERVER, PSH, CISN + 1, SISN + 1, 64, List.of(), "abc")));
        }

        @Test
        void firstAckBearingPacketRecordsTheBaseWhenTheHandshakeWasNotSeen() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            assertEquals("00:00:00.000000 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [P.], seq 1000:1005, ack 2000, "
                            + "win 64, length 5",
                    p.print(pkt("00:00:00.000000", CLIENT, SERVER, PSH | ACK, 1000, 2000, 64, List.of(), "hello")));
            // The base is the recording packet's seq itself, and its ack minus one.
            assertEquals("00:00:00.000000 IP 127.0.0.1.48001 > 127.0.0.1.55688: Flags [P.], seq 1:4, ack 5, win 64, "
                            + "length 3",
                    p.print(pkt("00:00:00.000000", SERVER, CLIENT, PSH | ACK, 2000, 1005, 64, List.of(), "abc")));
        }

        @Test
        void aNewSynAckReplacesTheBase() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            handshake(p, CLIENT, SERVER, CISN, SISN);
            handshake(p, CLIENT, SERVER, 10, 20);
            assertEquals("00:00:00.000000 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [P.], seq 1:2, ack 1, win 64, "
                            + "length 1",
                    p.print(pkt("00:00:00.000000", CLIENT, SERVER, PSH | ACK, 11, 21, 64, List.of(), "x")));
        }

        @Test
        void relativeNumbersWrapModulo2To32() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            handshake(p, CLIENT, SERVER, 0xfffffffeL, 0xffffffffL);
            assertEquals("00:00:00.000000 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [P.], seq 1:4, ack 1, win 64, "
                            + "length 3",
                    p.print(pkt("00:00:00.000000", CLIENT, SERVER, PSH | ACK, 0xffffffffL, 0, 64, List.of(), "abc")));
        }

        @Test
        void equalPortsAreOrderedByAddress() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            SockAddr a = new SockAddr(0x7f000002, 5000);
            SockAddr b = new SockAddr(0x7f000001, 5000);
            handshake(p, a, b, 100, 900);
            assertEquals("00:00:00.000000 IP 127.0.0.2.5000 > 127.0.0.1.5000: Flags [.], seq 1:3, ack 1, win 64, "
                            + "length 2",
                    p.print(pkt("00:00:00.000000", a, b, ACK, 101, 901, 64, List.of(), "ab")));
        }

        @Test
        void twoConnectionsKeepTheirOwnBases() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            SockAddr c2 = SockAddr.loopback(55690);
            handshake(p, CLIENT, SERVER, CISN, SISN);
            handshake(p, c2, SERVER, 5, 7);
            assertEquals("00:00:00.000000 IP 127.0.0.1.55690 > 127.0.0.1.48001: Flags [F.], seq 1, ack 1, win 64, "
                            + "length 0",
                    p.print(pkt("00:00:00.000000", c2, SERVER, FIN | ACK, 6, 8, 64, List.of(), "")));
            assertEquals("00:00:00.000000 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [F.], seq 1, ack 1, win 64, "
                            + "length 0",
                    p.print(pkt("00:00:00.000000", CLIENT, SERVER, FIN | ACK, CISN + 1, SISN + 1, 64, List.of(), "")));
        }

        @Test
        void dashSPrintsAbsoluteNumbers() {
            TcpdumpPrinter p = new TcpdumpPrinter(true, 0);
            handshake(p, CLIENT, SERVER, CISN, SISN);
            assertEquals("00:00:00.000000 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [P.], seq 4253287872:4253287877, "
                            + "ack 1983831169, win 64, length 5",
                    p.print(pkt("00:00:00.000000", CLIENT, SERVER, PSH | ACK, CISN + 1, SISN + 1, 64, List.of(),
                            "hello")));
        }

        @Test
        void finIsNotCountedInTheRange() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            handshake(p, CLIENT, SERVER, CISN, SISN);
            assertEquals("00:00:00.000000 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [FP.], seq 1:6, ack 1, win 64, "
                            + "length 5",
                    p.print(pkt("00:00:00.000000", CLIENT, SERVER, FIN | PSH | ACK, CISN + 1, SISN + 1, 64, List.of(),
                            "hello")));
        }
    }

    @Nested
    class OddFlags {
        @Test
        void noFlagsPrintsNoneAndNoSeqWithoutPayload() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            assertEquals("00:00:00.000000 IP 127.0.0.1.48988 > 127.0.0.1.48001: Flags [none], win 512, length 0",
                    p.print(pkt("00:00:00.000000", SockAddr.loopback(48988), SERVER, 0, 8000, 0, 512, List.of(), "")));
            assertEquals("00:00:00.000000 IP 127.0.0.1.48988 > 127.0.0.1.48001: Flags [none], seq 8000:8002, "
                            + "win 512, length 2",
                    p.print(pkt("00:00:00.000000", SockAddr.loopback(48988), SERVER, 0, 8000, 0, 512, List.of(), "hi")));
        }

        @Test
        void synFinIsAbsoluteWithWindowAndOptions() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            assertEquals("00:00:00.000000 IP 127.0.0.1.48988 > 127.0.0.1.48001: Flags [FS], seq 4000, win 65495, "
                            + "options [mss 65495], length 0",
                    p.print(pkt("00:00:00.000000", SockAddr.loopback(48988), SERVER, SYN | FIN, 4000, 0, 65495,
                            List.of(new TcpOption.Mss(65495)), "")));
        }

        @Test
        void urgentPointerFollowsTheWindow() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            handshake(p, CLIENT, SERVER, CISN, SISN);
            Packet urg = new Packet(0, 0, new Segment(CLIENT, SERVER, CISN + 1, SISN + 1, URG | PSH | ACK, 64, 1,
                    List.of(), new byte[] {'!'}));
            assertEquals("00:00:00.000000 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [P.U], seq 1:2, ack 1, win 64, "
                    + "urg 1, length 1", p.print(urg));
        }

        @Test
        void eceAndCwrAreEAndW() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            assertEquals("00:00:00.000000 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [SEW], seq 1, win 65495, "
                            + "length 0",
                    p.print(pkt("00:00:00.000000", CLIENT, SERVER, SYN | TcpFlags.ECE | TcpFlags.CWR, 1, 0, 65495,
                            List.of(), "")));
        }
    }

    @Nested
    class Options {
        @Test
        void sackBlocksAreRelativeToThePeersBase() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            handshake(p, CLIENT, SERVER, CISN, SISN);
            List<TcpOption> opts = List.of(TcpOption.NOP, TcpOption.NOP, new TcpOption.Timestamps(1, 2), TcpOption.NOP,
                    TcpOption.NOP, new TcpOption.Sack(List.of(new long[] {SISN + 1001, SISN + 2001})));
            assertEquals("00:00:00.000000 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [.], ack 1, win 64, "
                            + "options [nop,nop,TS val 1 ecr 2,nop,nop,sack 1 {1001:2001}], length 0",
                    p.print(pkt("00:00:00.000000", CLIENT, SERVER, ACK, CISN + 1, SISN + 1, 64, opts, "")));
            List<TcpOption> back = List.of(TcpOption.NOP, TcpOption.NOP,
                    new TcpOption.Sack(List.of(new long[] {CISN + 11, CISN + 21}, new long[] {CISN + 31, CISN + 41})));
            assertEquals("00:00:00.000000 IP 127.0.0.1.48001 > 127.0.0.1.55688: Flags [.], ack 1, win 64, "
                            + "options [nop,nop,sack 2 {11:21}{31:41}], length 0",
                    p.print(pkt("00:00:00.000000", SERVER, CLIENT, ACK, SISN + 1, CISN + 1, 64, back, "")));
        }

        @Test
        void sackWithoutAckIsAbsolute() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            List<TcpOption> opts = List.of(TcpOption.NOP, TcpOption.NOP,
                    new TcpOption.Sack(List.of(new long[] {100, 200})));
            assertEquals("00:00:00.000000 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [none], win 64, "
                            + "options [nop,nop,sack 1 {100:200}], length 0",
                    p.print(pkt("00:00:00.000000", CLIENT, SERVER, 0, 1, 0, 64, opts, "")));
        }

        @Test
        void unknownOptionsPrintKindAndHexAndPaddingPrintsEol() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            List<TcpOption> opts = List.of(new TcpOption.Unknown(253, new byte[] {(byte) 0xde, (byte) 0xad}),
                    new TcpOption.Unknown(99, new byte[] {1}));
            assertEquals("00:00:00.000000 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [S], seq 1, win 1, "
                            + "options [unknown-253 0xdead,unknown-99 0x01,eol], length 0",
                    p.print(pkt("00:00:00.000000", CLIENT, SERVER, SYN, 1, 0, 1, opts, "")));
        }

        @Test
        void lengthThatDisagreesWithTheKindPrintsLen() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            // tcpdump reads two bytes for an mss and walks on from there: the third byte is taken as a nop.
            List<TcpOption> opts = List.of(new TcpOption.Unknown(2, new byte[] {1, 2, 1}), TcpOption.NOP);
            assertEquals("00:00:00.000000 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [S], seq 1, win 1, "
                            + "options [mss 258[len 5],nop,nop,eol], length 0",
                    p.print(pkt("00:00:00.000000", CLIENT, SERVER, SYN, 1, 0, 1, opts, "")));
        }

        @Test
        void anOptionReadingPastTheAreaEndsTheLineWithBadOpt() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            List<TcpOption> opts = List.of(TcpOption.NOP, new TcpOption.Unknown(8, new byte[] {1}));
            assertEquals("00:00:00.000000 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [S], seq 1, win 1, "
                            + "options [nop,TS[bad opt]]",
                    p.print(pkt("00:00:00.000000", CLIENT, SERVER, SYN, 1, 0, 1, opts, "")));
            List<TcpOption> wscaleWithNopLength = List.of(new TcpOption.Unknown(2, new byte[] {1, 2, 3}), TcpOption.NOP);
            assertEquals("00:00:00.000000 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [S], seq 1, win 1, "
                            + "options [mss 258[len 5],[bad opt]]",
                    p.print(pkt("00:00:00.000000", CLIENT, SERVER, SYN, 1, 0, 1, wscaleWithNopLength, "")));
        }

        @Test
        void fastOpenAndUserTimeoutWhich4993DoesNotKnow() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            List<TcpOption> opts = List.of(new TcpOption.Unknown(34, new byte[0]), new TcpOption.Unknown(27,
                    new byte[] {0, (byte) 0x85}));
            assertEquals("00:00:00.000000 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [S], seq 1, win 1, "
                            + "options [tfo  cookiereq,unknown-27 0x0085,eol], length 0",
                    p.print(pkt("00:00:00.000000", CLIENT, SERVER, SYN, 1, 0, 1, opts, "")));
        }
    }

    @Nested
    class Time {
        @Test
        void nanosecondsAreTruncatedToMicroseconds() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            Packet packet = new Packet(1_234_567_999L, 0, new Segment(CLIENT, SERVER, 1, 0, SYN, 1, 0, List.of(), null));
            assertEquals("00:00:01.234567 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [S], seq 1, win 1, length 0",
                    p.print(packet));
        }

        @Test
        void timeOfDayIsUtcOfTheEpochTime() {
            TcpdumpPrinter p = new TcpdumpPrinter();
            // a real -tt stamp from the reference machine: 1795225044.648145; 1795225044 mod 86400 = 5844 s
            Packet packet = new Packet(1_795_225_044_648_145_123L, 0,
                    new Segment(CLIENT, SERVER, 1, 0, SYN, 1, 0, List.of(), null));
            assertEquals("01:37:24.648145 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [S], seq 1, win 1, length 0",
                    p.print(packet));
        }
    }

    @Nested
    class Verbose {
        /** The checksums are the ones tcpdump computed for real kernel packets ("incorrect -> 0x898b" on lo). */
        @Test
        void checksumsMatchARealKernelCapture() {
            TcpdumpPrinter p = new TcpdumpPrinter(false, 1);
            SockAddr c = SockAddr.loopback(36076);
            SockAddr s = SockAddr.loopback(48555);
            Packet syn = new Packet(at("02:07:42.944385"), 15015, new Segment(c, s, 697814724L, 0, SYN, 65495, 0,
                    List.of(new TcpOption.Mss(65495), TcpOption.SACK_PERMITTED, new TcpOption.Timestamps(2675696643L, 0),
                            TcpOption.NOP, new TcpOption.WindowScale(10)), null));
            assertEquals("02:07:42.944385 IP (tos 0x0, ttl 64, id 15015, offset 0, flags [DF], proto TCP (6), length 60)\n"
                    + "    127.0.0.1.36076 > 127.0.0.1.48555: Flags [S], cksum 0x898b (correct), seq 697814724, "
                    + "win 65495, options [mss 65495,sackOK,TS val 2675696643 ecr 0,nop,wscale 10], length 0",
                    p.print(syn));
            Packet synAck = new Packet(at("02:07:42.944403"), 0, new Segment(s, c, 1460220604L, 697814725L, SYN | ACK,
                    65483, 0, List.of(new TcpOption.Mss(65495), TcpOption.SACK_PERMITTED,
                    new TcpOption.Timestamps(1323881161L, 2675696643L), TcpOption.NOP, new TcpOption.WindowScale(10)),
                    null));
            assertEquals("02:07:42.944403 IP (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto TCP (6), length 60)\n"
                    + "    127.0.0.1.48555 > 127.0.0.1.36076: Flags [S.], cksum 0xde0e (correct), seq 1460220604, "
                    + "ack 697814725, win 65483, options [mss 65495,sackOK,TS val 1323881161 ecr 2675696643,nop,"
                    + "wscale 10], length 0", p.print(synAck));
            Packet data = new Packet(at("02:07:42.944614"), 15017, new Segment(c, s, 697814725L, 1460220605L,
                    PSH | ACK, 64, 0, ts(2675696643L, 1323881161L), new byte[] {'h', 'i', 0, 0x7f, (byte) 0xff}));
            assertEquals("02:07:42.944614 IP (tos 0x0, ttl 64, id 15017, offset 0, flags [DF], proto TCP (6), length 57)\n"
                    + "    127.0.0.1.36076 > 127.0.0.1.48555: Flags [P.], cksum 0x9e97 (correct), seq 1:6, ack 1, "
                    + "win 64, options [nop,nop,TS val 2675696643 ecr 1323881161], length 5", p.print(data));
        }

        @Test
        void veryVerbosePrintsSeqOnPureAcks() {
            TcpdumpPrinter p = new TcpdumpPrinter(false, 2);
            handshake(p, CLIENT, SERVER, CISN, SISN);
            String line = p.print(pkt("00:00:00.000000", CLIENT, SERVER, ACK, CISN + 1, SISN + 1, 64, List.of(), ""));
            assertEquals("    127.0.0.1.55688 > 127.0.0.1.48001: Flags [.], cksum 0xXXXX (correct), seq 1, ack 1, win 64, "
                    + "length 0", anyChecksum(line.substring(line.indexOf('\n') + 1)));
        }
    }

    /**
     * Payload text after "length N" (TcpdumpPayload). Every expected line is the real tcpdump 4.99.3's output for the
     * same packet, written to a pcap on its own (one packet, so seq and ack are absolute) and read with -nn or -nn -v.
     */
    @Nested
    class Payload {
        static final String PREFIX = "00:00:01.000001 IP 127.0.0.1.";

        /** One packet, id 1, seq 1000, ack 2000, win 64, at 00:00:01.000001, through a fresh printer. */
        String line(int verbosity, int sport, int dport, int flags, String payload) {
            Packet p = new Packet(at("00:00:01.000001"), 1, new Segment(SockAddr.loopback(sport),
                    SockAddr.loopback(dport), 1000, 2000, flags, 64, 0, List.of(),
                    payload.getBytes(StandardCharsets.ISO_8859_1)));
            return new TcpdumpPrinter(false, verbosity).print(p);
        }

        String line(int sport, int dport, String payload) {
            return line(0, sport, dport, PSH | ACK, payload);
        }

        @Test
        void httpRequestPrintsItsFirstLine() {
            assertEquals(PREFIX + "40000 > 127.0.0.1.8080: Flags [P.], seq 1000:1027, ack 2000, win 64, length 27: "
                    + "HTTP: GET / HTTP/1.1", line(40000, 8080, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        }

        @Test
        void httpResponsePrintsItsStatusLine() {
            assertEquals(PREFIX + "8080 > 127.0.0.1.40000: Flags [P.], seq 1000:1043, ack 2000, win 64, length 43: "
                    + "HTTP: HTTP/1.1 200 OK",
                    line(8080, 40000, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"));
        }

        @Test
        void bodyContinuationPrintsOnlyTheProtocolName() {
            assertEquals(PREFIX + "40000 > 127.0.0.1.80: Flags [P.], seq 1000:1018, ack 2000, win 64, length 18: HTTP",
                    line(40000, 80, "more of the body\r\n"));
        }

        @Test
        void lineWithoutLineEndingIsMarkedTruncated() {
            assertEquals(PREFIX + "40000 > 127.0.0.1.80: Flags [P.], seq 1000:1014, ack 2000, win 64, length 14: "
                    + "HTTP: GET / HTTP/1.1 [|http]", line(40000, 80, "GET / HTTP/1.1"));
            assertEquals(PREFIX + "40000 > 127.0.0.1.80: Flags [P.], seq 1000:1012, ack 2000, win 64, length 12: "
                    + "HTTP: HTTP/1.1 200 [|http]", line(40000, 80, "HTTP/1.1 200"));
        }

        @Test
        void binaryPayloadPrintsOnlyTheProtocolName() {
            assertEquals(PREFIX + "80 > 127.0.0.1.40000: Flags [P.], seq 1000:1005, ack 2000, win 64, length 5: HTTP",
                    line(80, 40000, "\u001f\u008b\u0008\u0000\u00ff"));
            // A request whose line holds a non-ASCII byte: recognised, but the line is not printed.
            assertEquals(PREFIX + "40000 > 127.0.0.1.80: Flags [P.], seq 1000:1012, ack 2000, win 64, length 12: HTTP",
                    line(40000, 80, "GET / caf\u00e9\r\n"));
        }

        @Test
        void crNotFollowedByLfPrintsNoLine() {
            assertEquals(PREFIX + "40000 > 127.0.0.1.80: Flags [P.], seq 1000:1009, ack 2000, win 64, length 9: HTTP",
                    line(40000, 80, "GET /\rX\r\n"));
            // A CR as the last byte: the LF may be in the next packet, so nothing, and no [|http] either.
            assertEquals(PREFIX + "40000 > 127.0.0.1.80: Flags [P.], seq 1000:1015, ack 2000, win 64, length 15: HTTP",
                    line(40000, 80, "GET / HTTP/1.1\r"));
        }

        @Test
        void methodsAreMatchedIgnoringCase() {
            assertEquals(PREFIX + "40000 > 127.0.0.1.80: Flags [P.], seq 1000:1016, ack 2000, win 64, length 16: "
                    + "HTTP: get / HTTP/1.1", line(40000, 80, "get / HTTP/1.1\r\n"));
        }

        @Test
        void leadingSpacesMeanNoToken() {
            assertEquals(PREFIX + "40000 > 127.0.0.1.80: Flags [P.], seq 1000:1018, ack 2000, win 64, length 18: HTTP",
                    line(40000, 80, "  GET / HTTP/1.1\r\n"));
        }

        @Test
        void emptyLine() {
            // HTTP: no token, so not a request. FTP prints every first line, the empty one too.
            assertEquals(PREFIX + "40000 > 127.0.0.1.80: Flags [P.], seq 1000:1002, ack 2000, win 64, length 2: HTTP",
                    line(40000, 80, "\r\n"));
            assertEquals(PREFIX + "40000 > 127.0.0.1.21: Flags [P.], seq 1000:1002, ack 2000, win 64, length 2: FTP: ",
                    line(40000, 21, "\r\n"));
        }

        @Test
        void onlyListedMethodsAndThreeDigitSecondTokensCount() {
            assertEquals(PREFIX + "40000 > 127.0.0.1.80: Flags [P.], seq 1000:1019, ack 2000, win 64, length 19: HTTP",
                    line(40000, 80, "PATCH /x HTTP/1.1\r\n"));
            assertEquals(PREFIX + "40000 > 127.0.0.1.80: Flags [P.], seq 1000:1018, ack 2000, win 64, length 18: HTTP",
                    line(40000, 80, "HTTP/1.1 2000 OK\r\n"));
            // After the first token only spaces are skipped; a tab ends the search.
            assertEquals(PREFIX + "40000 > 127.0.0.1.80: Flags [P.], seq 1000:1018, ack 2000, win 64, length 18: HTTP",
                    line(40000, 80, "HTTP/1.1 \t200 OK\r\n"));
        }

        @Test
        void ftp() {
            assertEquals(PREFIX + "40000 > 127.0.0.1.21: Flags [P.], seq 1000:1016, ack 2000, win 64, length 16: "
                    + "FTP: USER anonymous", line(40000, 21, "USER anonymous\r\n"));
            assertEquals(PREFIX + "21 > 127.0.0.1.40000: Flags [P.], seq 1000:1020, ack 2000, win 64, length 20: "
                    + "FTP: 220 (vsFTPd 3.0.5)", line(21, 40000, "220 (vsFTPd 3.0.5)\r\n"));
        }

        @Test
        void smtp() {
            assertEquals(PREFIX + "40000 > 127.0.0.1.25: Flags [P.], seq 1000:1021, ack 2000, win 64, length 21: "
                    + "SMTP: EHLO client.example", line(40000, 25, "EHLO client.example\r\n"));
            assertEquals(PREFIX + "25 > 127.0.0.1.40000: Flags [P.], seq 1000:1033, ack 2000, win 64, length 33: "
                    + "SMTP: 250-mail.example", line(25, 40000, "250-mail.example\r\n250 SIZE 1000\r\n"));
        }

        @Test
        void whois() {
            assertEquals(PREFIX + "40000 > 127.0.0.1.43: Flags [P.], seq 1000:1013, ack 2000, win 64, length 13: "
                    + "WHOIS: example.com", line(40000, 43, "example.com\r\n"));
        }

        @Test
        void rtsp() {
            assertEquals(PREFIX + "40000 > 127.0.0.1.554: Flags [P.], seq 1000:1041, ack 2000, win 64, length 41: "
                    + "RTSP: DESCRIBE rtsp://h/s RTSP/1.0",
                    line(40000, 554, "DESCRIBE rtsp://h/s RTSP/1.0\r\nCSeq: 2\r\n\r\n"));
            assertEquals(PREFIX + "8554 > 127.0.0.1.40000: Flags [P.], seq 1000:1017, ack 2000, win 64, length 17: "
                    + "RTSP: RTSP/1.0 200 OK", line(8554, 40000, "RTSP/1.0 200 OK\r\n"));
            assertEquals(PREFIX + "40000 > 127.0.0.1.8554: Flags [P.], seq 1000:1016, ack 2000, win 64, length 16: RTSP",
                    line(40000, 8554, "GET / HTTP/1.1\r\n"));
        }

        @Test
        void theFirstDecoderInTcpdumpsOrderWins() {
            assertEquals(PREFIX + "25 > 127.0.0.1.80: Flags [P.], seq 1000:1016, ack 2000, win 64, length 16: "
                    + "SMTP: GET / HTTP/1.1", line(25, 80, "GET / HTTP/1.1\r\n"));
            assertEquals(PREFIX + "53 > 127.0.0.1.80: Flags [P.], seq 1000:1016, ack 2000, win 64, length 16: "
                    + "HTTP: GET / HTTP/1.1", line(53, 80, "GET / HTTP/1.1\r\n"));
            // No SMB decoder in this build: 139 does not hide HTTP.
            assertEquals(PREFIX + "139 > 127.0.0.1.80: Flags [P.], seq 1000:1016, ack 2000, win 64, length 16: "
                    + "HTTP: GET / HTTP/1.1", line(139, 80, "GET / HTTP/1.1\r\n"));
            // SSH wins over HTTP; ssh_print prints nothing for this payload (its decoder is not reproduced in general).
            assertEquals(PREFIX + "22 > 127.0.0.1.80: Flags [P.], seq 1000:1016, ack 2000, win 64, length 16",
                    line(22, 80, "GET / HTTP/1.1\r\n"));
            assertEquals(false, TcpdumpPrinter.payloadReproduced(22, 80));
            assertEquals(true, TcpdumpPrinter.payloadReproduced(25, 22));
            assertEquals(true, TcpdumpPrinter.payloadReproduced(40000, 48001));
            assertEquals(List.of(22, 23, 53, 179, 323, 639, 646, 1723, 2049, 6379, 6633, 6653, 10288),
                    TcpdumpPayload.NOT_REPRODUCED_PORTS);
        }

        @Test
        void resetDataGoesToTheDecoderWithoutDashV() {
            assertEquals(PREFIX + "40000 > 127.0.0.1.80: Flags [R], seq 1000:1016, win 64, length 16: "
                    + "HTTP: GET / HTTP/1.1", line(0, 40000, 80, RST, "GET / HTTP/1.1\r\n"));
            assertEquals("00:00:01.000001 IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 56)\n"
                    + "    127.0.0.1.40000 > 127.0.0.1.80: Flags [R], cksum 0x37af (correct), seq 1000:1016, win 64, "
                    + "length 16 [RST GET / HTTP/1.1^M^J]", line(1, 40000, 80, RST, "GET / HTTP/1.1\r\n"));
        }

        @Test
        void dashVPrintsEveryLine() {
            assertEquals("00:00:01.000001 IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 67)\n"
                    + "    127.0.0.1.40000 > 127.0.0.1.8080: Flags [P.], cksum 0x9631 (correct), seq 1000:1027, "
                    + "ack 2000, win 64, length 27: HTTP, length: 27\n\tGET / HTTP/1.1\n\tHost: x\n\t",
                    line(1, 40000, 8080, PSH | ACK, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
            assertEquals("00:00:01.000001 IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 83)\n"
                    + "    127.0.0.1.8080 > 127.0.0.1.40000: Flags [P.], cksum 0xf700 (correct), seq 1000:1043, "
                    + "ack 2000, win 64, length 43: HTTP, length: 43\n\tHTTP/1.1 200 OK\n\tContent-Length: 5\n\t\n"
                    + "\thello [|http]",
                    line(1, 8080, 40000, PSH | ACK, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"));
            assertEquals("00:00:01.000001 IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 63)\n"
                    + "    127.0.0.1.8080 > 127.0.0.1.40000: Flags [P.], cksum 0x8840 (correct), seq 1000:1023, "
                    + "ack 2000, win 64, length 23: HTTP, length: 23\n\tHTTP/1.1 200 OK\n\t",
                    line(1, 8080, 40000, PSH | ACK, "HTTP/1.1 200 OK\r\n\r\n\u0089PNG"));
            assertEquals("00:00:01.000001 IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 58)\n"
                    + "    127.0.0.1.40000 > 127.0.0.1.80: Flags [P.], cksum 0xf54f (correct), seq 1000:1018, "
                    + "ack 2000, win 64, length 18: HTTP", line(1, 40000, 80, PSH | ACK, "more of the body\r\n"));
            assertEquals("00:00:01.000001 IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 70)\n"
                    + "    127.0.0.1.40000 > 127.0.0.1.25: Flags [P.], cksum 0x2b38 (correct), seq 1000:1030, "
                    + "ack 2000, win 64, length 30: SMTP, length: 30\n\tMAIL FROM:<a@b>\n\tRCPT TO:<c@d>",
                    line(1, 40000, 25, PSH | ACK, "MAIL FROM:<a@b>\nRCPT TO:<c@d>\n"));
            assertEquals("00:00:01.000001 IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 55)\n"
                    + "    127.0.0.1.40000 > 127.0.0.1.80: Flags [P.], cksum 0x37a6 (correct), seq 1000:1015, "
                    + "ack 2000, win 64, length 15: HTTP, length: 15",
                    line(1, 40000, 80, PSH | ACK, "GET / HTTP/1.1\r"));
        }
    }
}
