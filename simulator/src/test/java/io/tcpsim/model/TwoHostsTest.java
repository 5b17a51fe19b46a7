package io.tcpsim.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.backend.NotModelled;
import io.tcpsim.run.LogLine;
import io.tcpsim.run.RunLog;
import io.tcpsim.run.Runner;
import io.tcpsim.run.TextOutput;
import io.tcpsim.script.Script;
import io.tcpsim.script.ScriptParser;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two hosts on a link (issue 12, docs/model.md "Two hosts on a link"), against what the kernel did on veth
 * (docs/kernel-measurements.md section 24: ExpA_Handshake, identical in its 3 runs).
 */
class TwoHostsTest {

    static final String HEAD = """
            name: t
            hosts:
              client: 10.0.1.1
              server: 10.0.1.2
            link:
              delay: 25ms
            """;

    static final String CONNECT = """
              - 'server: a = socket()'
              - 'server: bind(a, 10.0.1.2:5001)'
              - 'server: listen(a, 1)'
              - 'client: c = socket()'
              - 'client: connect(c, 10.0.1.2:5001) = 0'
              - 'server: s = accept(a)'
            """;

    static RunLog run(String text, long seed) throws Exception {
        Script s = ScriptParser.parse("t.yaml", text);
        return Runner.run(s, new Model(s.profile(), seed));
    }

    /** Each packet: time in us, direction, flags, relative length, window, and the SYN options. */
    static List<String> brief(RunLog log) {
        List<String> out = new ArrayList<>();
        for (Packet p : log.packets()) {
            Segment s = p.segment();
            String dir = s.src().toString().startsWith("10.0.1.1") ? "C>S" : "S>C";
            String opts = s.has(TcpFlags.SYN) ? " " + options(s.options()) : "";
            out.add(p.timeNanos() / 1000 + " " + dir + " [" + TcpFlags.tcpdump(s.flags()) + "] len " + s.length() + " win "
                    + s.window() + opts);
        }
        return out;
    }

    static String options(List<TcpOption> os) {
        List<String> out = new ArrayList<>();
        for (TcpOption o : os) {
            if (o instanceof TcpOption.Mss m) out.add("mss " + m.mss());
            else if (o instanceof TcpOption.WindowScale w) out.add("wscale " + w.shift());
            else if (o instanceof TcpOption.Timestamps) out.add("TS");
            else if (o == TcpOption.SACK_PERMITTED) out.add("sackOK");
            else if (o == TcpOption.NOP) out.add("nop");
            else out.add("?");
        }
        return String.join(",", out);
    }

    @Test
    void theHandshakeAndSegmentSizesOfAVethRoute() throws Exception {
        RunLog log = run(HEAD + "steps:\n" + CONNECT + """
                  - 'client: send(c, 5000) = 5000'
                  - 'server: recv(s, 5000) = 5000'
                """, 1);
        assertTrue(log.ok(), () -> String.join("\n", new TextOutput(log.script()).lines(log.lines())));
        assertEquals(List.of(
                // SYN: mss 1460 (MTU - 40), window 44 x 1460; SYN-ACK: 45 x 1448; wscale 10 as on loopback.
                "0 C>S [S] len 0 win 64240 mss 1460,sackOK,TS,nop,wscale 10",
                "25000 S>C [S.] len 0 win 65160 mss 1460,sackOK,TS,nop,wscale 10",
                "50000 C>S [.] len 0 win 63",
                // 5000 bytes: 1448 1448 1448 656, each ACKed at once (quick ACKs), the window growing 67 70 73 75.
                "75000 C>S [.] len 1448 win 63",
                "75000 C>S [.] len 1448 win 63",
                "75000 C>S [.] len 1448 win 63",
                "75000 C>S [P.] len 656 win 63",
                "100000 S>C [.] len 0 win 67",
                "100000 S>C [.] len 0 win 70",
                "100000 S>C [.] len 0 win 73",
                "100000 S>C [.] len 0 win 75"), brief(log));
        // connect() returns after one RTT, accept() when the third ACK has crossed the link.
        List<String> calls = new ArrayList<>();
        for (LogLine l : log.lines())
            if (l instanceof LogLine.CallLine c) calls.add(c.step().call().text() + " " + (c.endTime() - c.time()) / 1000);
        assertEquals(List.of("socket() 0", "bind(a, 10.0.1.2:5001) 0", "listen(a, 1) 0", "socket() 0",
                "connect(c, 10.0.1.2:5001) 50000", "accept(a) 25000", "send(c, 5000) 0", "recv(s, 5000) 25000"), calls);
    }

    @Test
    void eachHostHasItsTableAndItsAddresses() throws Exception {
        RunLog log = run(HEAD + "steps:\n" + CONNECT + """
                  - 'client: send(c, 10) = 10'
                  - sleep 50ms
                  - netstat -a
                  - 'client: bind(c, 10.0.1.2:1) = -1 EINVAL'
                  - 'client: x = socket()'
                  - 'client: bind(x, 10.0.1.2:7) = -1 EADDRNOTAVAIL'
                  - 'client: bind(x, 10.0.1.1:7) = 0'
                  - 'client: y = socket()'
                  - 'client: connect(y, 10.9.9.9:80) = -1 ENETUNREACH'
                """, 1);
        assertTrue(log.ok(), () -> String.join("\n", new TextOutput(log.script()).lines(log.lines())));
        List<String> tables = new ArrayList<>();
        for (LogLine l : log.lines())
            if (l instanceof LogLine.NetstatLine n)
                for (var r : n.rows()) tables.add(n.host() + ": " + r.format().replaceAll(":\\d{5} ", ":P ").strip());
        assertEquals(List.of(
                "client: tcp        0      0 10.0.1.1:P          10.0.1.2:5001           ESTABLISHED",
                "server: tcp        0      0 10.0.1.2:5001           0.0.0.0:*               LISTEN",
                "server: tcp       10      0 10.0.1.2:5001           10.0.1.1:P          ESTABLISHED"), tables);
    }

    @Test
    void aLostSynIsRetransmittedAndShownLostAtItsSender() throws Exception {
        RunLog log = run(HEAD + "steps:\n" + """
                  - 'server: a = socket()'
                  - 'server: bind(a, 10.0.1.2:5001)'
                  - 'server: listen(a, 1)'
                  - link drop 1 client>server syn
                  - 'client: c = socket()'
                  - 'client: connect(c, 10.0.1.2:5001) = 0'
                """, 1);
        assertTrue(log.ok());
        List<String> b = brief(log);
        assertEquals("0 C>S [S] len 0 win 64240 mss 1460,sackOK,TS,nop,wscale 10", b.get(0));
        // The retransmission: TCP_TIMEOUT_INIT (1 s) on the timer wheel (level 1: +32 ms at most).
        assertTrue(b.get(1).matches("10(0[0-9]|1[0-9]|2[0-9]|3[0-2])\\d{3} C>S \\[S\\] len 0 .*"), b.get(1));
        List<String> lost = new ArrayList<>();
        for (LogLine l : log.lines()) if (l instanceof LogLine.LostLine x) lost.add(TextOutput.lost(x));
        assertEquals(1, lost.size());
        assertTrue(lost.get(0).matches("00:00:00.000000 \\[lost\\] 10.0.1.1.\\d+ > 10.0.1.2.5001: Flags \\[S\\], length 0, on the link"),
                lost.get(0));
        assertEquals(4, b.size(), String.join("\n", b)); // SYN (lost), SYN, SYN-ACK, ACK, and no more
    }

    @Test
    void whileTheLinkIsDownEverySynIsLost() throws Exception {
        RunLog log = run(HEAD + "steps:\n" + """
                  - 'server: a = socket()'
                  - 'server: bind(a, 10.0.1.2:5001)'
                  - 'server: listen(a, 1)'
                  - link down
                  - 'client: c = socket(SOCK_NONBLOCK)'
                  - 'client: connect(c, 10.0.1.2:5001) = -1 EINPROGRESS'
                  - sleep 2500ms
                  - link up
                  - sleep 2s
                  - 'client: getsockopt(c, SO_ERROR) = 0'
                  - 'server: s = accept(a)'
                """, 1);
        assertTrue(log.ok(), () -> String.join("\n", new TextOutput(log.script()).lines(log.lines())));
        long lost = log.lines().stream().filter(l -> l instanceof LogLine.LostLine).count();
        assertEquals(3, lost); // the SYNs at 0, 1 and 2 s; the one at 3 s gets through
    }

    @Test
    void whatTheModelCannotFollowYetIsRefused() throws Exception {
        NotModelled lostData = assertThrows(NotModelled.class, () -> run(HEAD + "steps:\n" + CONNECT + """
                  - link drop 1 client>server data
                  - 'client: send(c, 10) = 10'
                """, 1));
        assertEquals("t.yaml:14:5: a lost data segment (its retransmission: RTO, TLP, fast retransmit) is not modelled yet "
                + "(docs/model.md, \"What is not modelled yet\")", lostData.getMessage());
        NotModelled sysctl = assertThrows(NotModelled.class, () -> run(HEAD + "sysctl:\n  net.ipv4.tcp_ecn: 1\nsteps:\n" + CONNECT, 1));
        assertEquals("t.yaml:8:3: sysctl net.ipv4.tcp_ecn is not modelled yet (docs/model.md, \"What is not modelled yet\")",
                sysctl.getMessage());
        NotModelled opt = assertThrows(NotModelled.class, () -> run(HEAD + "steps:\n" + CONNECT
                + "  - 'client: setsockopt(c, TCP_CORK, 1) = 0'\n", 1));
        assertEquals("t.yaml:14:6: TCP_CORK is not modelled yet (docs/model.md, \"What is not modelled yet\")", opt.getMessage());
    }
}
