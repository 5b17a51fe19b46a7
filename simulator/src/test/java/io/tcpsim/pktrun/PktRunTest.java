package io.tcpsim.pktrun;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.packetdrill.PktParser;
import io.tcpsim.packetdrill.PktScript;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * packetdrill scripts one-sided on the model. The scripts in traces/packetdrill/own are tcpsim's own; each has the
 * verdict here that packetdrill gave on Linux 6.18.44 (PacketdrillOnTheKernelTest runs them there again).
 */
class PktRunTest {
    static final List<String> ARGS = List.of("--ip_version=ipv4", "--local_ip=192.168.0.1", "--gateway_ip=192.168.0.1",
            "--netmask_ip=255.255.0.0", "--remote_ip=192.0.2.1", "--send_omit_free");

    static Path own(String name) {
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (; p != null; p = p.getParent()) {
            Path f = p.resolve("traces/packetdrill/own").resolve(name);
            if (Files.isRegularFile(f)) return f;
        }
        throw new AssertionError("traces/packetdrill/own/" + name + " not found above " + System.getProperty("user.dir"));
    }

    static PktRun.Outcome run(String name) throws Exception {
        return PktRun.run(PktParser.parse(name, Files.readString(own(name)), ARGS));
    }

    static PktRun.Outcome runText(String text) throws Exception {
        return PktRun.run(parse(text));
    }

    static PktScript parse(String text) throws Exception {
        return PktParser.parse("t.pkt", text, ARGS);
    }

    static final String SERVER = """
            `../common/defaults.sh`
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
               +0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
               +0 bind(3, ..., ...) = 0
               +0 listen(3, 1) = 0
               +0 < S 0:0(0) win 32792 <mss 1000,nop,wscale 7>
               +0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 8>
             +.01 < . 1:1(0) ack 1 win 257
               +0 accept(3, ..., ...) = 4
            """;

    @Test
    void aClientConnectsWritesAndClosesAsTheKernelDoes() throws Exception {
        PktRun.Outcome o = run("client-write-close.pkt");
        assertTrue(o.verdict().passed(), () -> String.join("\n", o.lines()));
        assertEquals(List.of(
                "00:00:00.000000 [main] socket(..., SOCK_STREAM, IPPROTO_TCP) = 3",
                "00:00:00.000000 [main] fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0",
                "00:00:00.000000 [main] connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)",
                "00:00:00.000000 > IP 192.168.0.1.60004 > 192.0.2.1.8080: Flags [S], seq 48309805, win 64240, options [mss 1460,sackOK,TS val 3220065313 ecr 0,nop,wscale 8], length 0",
                "00:00:00.010000 < IP 192.0.2.1.8080 > 192.168.0.1.60004: Flags [S.], seq 0, ack 48309806, win 65535, options [mss 1460,nop,wscale 7], length 0",
                "00:00:00.010000 > IP 192.168.0.1.60004 > 192.0.2.1.8080: Flags [.], ack 1, win 251, length 0",
                "00:00:00.010000 [main] write(3, ..., 1000) = 1000",
                "00:00:00.010000 > IP 192.168.0.1.60004 > 192.0.2.1.8080: Flags [P.], seq 1:1001, ack 1, win 251, length 1000: HTTP",
                "00:00:00.020000 < IP 192.0.2.1.8080 > 192.168.0.1.60004: Flags [.], ack 1001, win 500, length 0",
                "00:00:00.020000 [main] close(3) = 0",
                "00:00:00.020000 > IP 192.168.0.1.60004 > 192.0.2.1.8080: Flags [F.], seq 1001, ack 1, win 251, length 0",
                "00:00:00.030000 < IP 192.0.2.1.8080 > 192.168.0.1.60004: Flags [F.], seq 1, ack 1002, win 500, length 0",
                "00:00:00.030000 > IP 192.168.0.1.60004 > 192.0.2.1.8080: Flags [.], ack 2, win 251, length 0"),
                o.lines());
    }

    @Test
    void aBlockingAcceptWaitsWhileTheHandshakeArrives() throws Exception {
        PktRun.Outcome o = run("server-read-ack.pkt");
        assertTrue(o.verdict().passed(), () -> String.join("\n", o.lines()));
        assertEquals("00:00:00.000000 [main] accept(3, ..., ...) = 4 <returned at 00:00:00.020000>", o.lines().get(4));
    }

    /** packetdrill on the kernel: the same line, the same words, the same two packets but for the jitter. */
    @Test
    void aWrongAckFailsAsPacketdrillSaysIt() throws Exception {
        PktVerdict v = run("wrong-ack.pkt").verdict();
        assertEquals("wrong-ack.pkt:13: error handling packet: live packet field tcp_ack_seq: expected: 1001 (0x3e9) "
                + "vs actual: 2001 (0x7d1)", v.text("wrong-ack.pkt"));
        assertEquals(List.of("script packet:  0.020000 . 1:1(0) ack 1001 ",
                "actual packet:  0.020000 . 1:1(0) ack 2001 win 267 "), v.dumps());
        assertEquals("tcp_ack_seq", v.field());
    }

    @Test
    void aPacketAtAnotherTimeIsATimingError() throws Exception {
        PktVerdict v = runText(SERVER + """
                 +.01 close(4) = 0
                  +.1 > F. 1:1(0) ack 1
                """).verdict();
        assertEquals("t.pkt:11: error handling packet: timing error: expected outbound packet at 0.120000 sec but "
                + "happened at 0.020000 sec; tolerance 0.012500 sec", v.text("t.pkt"));
        assertEquals("timing", v.field());
    }

    @Test
    void aCallThatReturnsSomethingElseIsARuntimeError() throws Exception {
        PktVerdict v = runText(SERVER + """
                   +0 read(4, ..., 1000) = -1 EAGAIN (Resource temporarily unavailable)
                """).verdict();
        // The socket blocks, and nothing the script gives can wake it.
        assertEquals(10, v.line());
        assertEquals("runtime error in read call", v.kind());
        PktVerdict w = runText(SERVER + """
                   +0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0
                   +0 read(4, ..., 1000) = 1000
                """).verdict();
        assertEquals("t.pkt:11: runtime error in read call: Expected result 1000 but got -1 with errno 11 (Resource "
                + "temporarily unavailable)", w.text("t.pkt"));
    }

    @Test
    void whatTheModelDoesNotModelIsRefusedNamingIt() {
        assertEquals("t.pkt:10: not modelled yet: setsockopt TCP_NODELAY; see docs/model.md and docs/packetdrill.md",
                assertThrows(NotModelled.class, () -> runText(SERVER
                        + "   +0 setsockopt(4, SOL_TCP, TCP_NODELAY, [1], 4) = 0\n")).getMessage());
        assertEquals("%{ }% Python: the TCP_INFO field tcpi_rto (the model does not report it yet)",
                assertThrows(NotModelled.class, () -> runText(SERVER + "   +0 %{ assert tcpi_rto == 200000 }%\n")).feature());
        assertEquals("%{ }% Python: a statement other than assert or NAME = EXPR", assertThrows(NotModelled.class,
                () -> runText(SERVER + "   +0 %{ print(tcpi_state) }%\n")).feature());
        assertEquals("the sysctl net.ipv4.tcp_ecn=1", assertThrows(NotModelled.class, () -> runText(
                "`../common/defaults.sh\n ../common/set_sysctls.py /proc/sys/net/ipv4/tcp_ecn=1`\n"
                        + SERVER.substring(SERVER.indexOf('\n') + 1))).feature());
        assertEquals("TCP MD5 signatures (option 19)", assertThrows(NotModelled.class, () -> runText(SERVER
                + "   +0 < . 1:1(0) ack 1 win 257 <md5 000102030405060708090a0b0c0d0e0f,nop,nop>\n")).feature());
        assertEquals("a host without defaults.sh's settings (no init command)", assertThrows(NotModelled.class,
                () -> runText(SERVER.substring(SERVER.indexOf('\n') + 1))).feature());
    }

    @Test
    void ownScriptsThatPacketdrillPassesOnTheKernelPassOnTheModel() throws Exception {
        for (String name : List.of("script-isns.pkt", "connect-refused.pkt", "reset-while-reading.pkt",
                "linger-zero-reset.pkt", "timestamps-echo.pkt", "epoll-readable.pkt")) {
            PktRun.Outcome o = run(name);
            assertTrue(o.verdict().passed(), () -> name + ": " + o.verdict().text(name) + "\n" + String.join("\n", o.lines()));
        }
    }

    /** packetdrill stops at the first failure; a feature the model lacks after it does not change the verdict. */
    @Test
    void aFailureBeforeWhatIsNotModelledIsTheVerdict() throws Exception {
        PktVerdict v = runText(SERVER + """
                 +.01 < P. 1:2001(2000) ack 1 win 257
                   +0 > . 1:1(0) ack 1001
                   +0 setsockopt(4, SOL_TCP, TCP_NODELAY, [1], 4) = 0
                """).verdict();
        assertEquals(11, v.line());
        assertEquals("tcp_ack_seq", v.field());
        NotModelled dry = assertThrows(NotModelled.class, () -> PktRun.check(parse(SERVER + """
                 +.01 < P. 1:2001(2000) ack 1 win 257
                   +0 > . 1:1(0) ack 1001
                   +0 setsockopt(4, SOL_TCP, TCP_NODELAY, [1], 4) = 0
                """)));
        assertEquals(12, dry.line());
    }

    /**
     * The host on its link retransmits from its timers: here 214 ms after the data, as on Linux 6.18.44 (packetdrill
     * there: "expected outbound packet at 0.310549 sec but happened at 0.223766 sec"). A SYN-ACK sent again is not
     * modelled, nor more data in flight than Linux's cwnd allows: both refused where the run meets them.
     */
    @Test
    void retransmissionsAreTimedAndWhatIsNotModelledIsRefusedWhereTheRunMeetsIt() {
        PktVerdict v = assertDoesNotThrow(() -> runText(SERVER + """
                   +0 write(4, ..., 1000) = 1000
                   +0 > P. 1:1001(1000) ack 1
                  +.3 > P. 1:1001(1000) ack 1
                """)).verdict();
        assertEquals("t.pkt:12: error handling packet: timing error: expected outbound packet at 0.310000 sec but "
                + "happened at 0.224000 sec; tolerance 0.037500 sec", v.text("t.pkt"));
        NotModelled r = assertThrows(NotModelled.class, () -> runText("""
                `../common/defaults.sh`
                    0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                   +0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
                   +0 bind(3, ..., ...) = 0
                   +0 listen(3, 1) = 0
                   +0 < S 0:0(0) win 32792 <mss 1000,nop,wscale 7>
                   +0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 8>
                   +1 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 8>
                """));
        assertEquals(8, r.line());
        assertEquals("a SYN or SYN-ACK sent again (the SYN-ACK timer, tcp_synack_retries)", r.feature());
        NotModelled c = assertThrows(NotModelled.class, () -> runText(SERVER + """
                   +0 write(4, ..., 11000) = 11000
                   +0 > . 1:10001(10000) ack 1
                """));
        assertEquals(10, c.line());
        assertEquals("more than 10 segments in flight (the congestion window: slow start, CUBIC)", c.feature());
    }
}
