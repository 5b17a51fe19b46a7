package io.tcpsim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.model.Model;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tcpsim run FILE.pkt} and {@code tcpsim step FILE.pkt}: the trace, packetdrill's failure, the refusals. */
class PktCommandTest {
    @TempDir
    Path dir;

    record Outcome(int code, String out, String err) {}

    Outcome run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new Main.Env(new PrintWriter(out), new PrintWriter(err),
                new BufferedReader(new StringReader("")), false, Model::new));
        return new Outcome(code, out.toString(), err.toString());
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
             +.01 < P. 1:2001(2000) ack 1 win 257
            """;

    Path pkt(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void aFailurePrintsTheTraceThenPacketdrillsLinesAndExitsOne() throws Exception {
        Path p = pkt("wrong-ack.pkt", SERVER + "   +0 > . 1:1(0) ack 1001\n");
        Outcome o = run("run", p.toString());
        assertEquals(1, o.code(), o.err());
        assertEquals("", o.err());
        assertEquals(String.join("\n",
                "# tcpsim run " + p + " (packetdrill, one-sided: the model is the local host)",
                "00:00:00.000000 [main] socket(..., SOCK_STREAM, IPPROTO_TCP) = 3",
                "00:00:00.000000 [main] setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0",
                "00:00:00.000000 [main] bind(3, ..., ...) = 0",
                "00:00:00.000000 [main] listen(3, 1) = 0",
                "00:00:00.000000 < IP 192.0.2.1.47301 > 192.168.0.1.8080: Flags [S], seq 0, win 32792, options [mss 1000,nop,wscale 7], length 0",
                "00:00:00.000000 > IP 192.168.0.1.8080 > 192.0.2.1.47301: Flags [S.], seq 922058494, ack 1, win 64240, options [mss 1460,nop,wscale 8], length 0",
                "00:00:00.010000 < IP 192.0.2.1.47301 > 192.168.0.1.8080: Flags [.], ack 1, win 257, length 0",
                "00:00:00.010000 [main] accept(3, ..., ...) = 4",
                "00:00:00.020000 < IP 192.0.2.1.47301 > 192.168.0.1.8080: Flags [P.], seq 1:2001, ack 1, win 257, length 2000: HTTP",
                "00:00:00.020000 > IP 192.168.0.1.8080 > 192.0.2.1.47301: Flags [.], ack 2001, win 267, length 0",
                p + ":11: error handling packet: live packet field tcp_ack_seq: expected: 1001 (0x3e9) vs actual: 2001 (0x7d1)",
                "script packet:  0.020000 . 1:1(0) ack 1001 ",
                "actual packet:  0.020000 . 1:1(0) ack 2001 win 267 ", ""), o.out());
    }

    @Test
    void aPassExitsZeroAndStepShowsEachEventWithTheEndpoints() throws Exception {
        Path p = pkt("ok.pkt", SERVER + "   +0 > . 1:1(0) ack 2001\n");
        Outcome o = run("run", p.toString());
        assertEquals(0, o.code(), o.out() + o.err());
        assertTrue(o.out().endsWith("# " + p + ": pass\n"), o.out());
        Outcome s = run("step", p.toString());
        assertEquals(0, s.code(), s.out() + s.err());
        assertTrue(s.out().contains("## event 10/10 (" + p + ":11)\n"), s.out());
        assertTrue(s.out().contains("  192.168.0.1:8080 > 192.0.2.1:47301 [main:4] ESTABLISHED\n"), s.out());
    }

    @Test
    void whatIsNotModelledIsOneLineAndExitsTwo() throws Exception {
        Path p = pkt("nodelay.pkt", SERVER + "   +0 setsockopt(4, SOL_TCP, TCP_NODELAY, [1], 4) = 0\n");
        assertEquals(new Outcome(2, "", "tcpsim: " + p + ":11: not modelled yet: setsockopt TCP_NODELAY; see "
                + "docs/model.md and docs/packetdrill.md\n"), run("run", p.toString()));
        Path bad = pkt("bad.pkt", "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = \n");
        Outcome b = run("run", bad.toString());
        assertEquals(2, b.code());
        assertTrue(b.err().startsWith("tcpsim: " + bad + ":2:1: expected"), b.err());
        assertEquals(2, run("run", "--json", p.toString()).code());
    }
}
