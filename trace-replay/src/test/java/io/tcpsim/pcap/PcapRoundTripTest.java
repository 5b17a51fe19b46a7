package io.tcpsim.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.wire.Packet;
import io.tcpsim.wire.TcpdumpPrinter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer and the printer checked against the real tcpdump: write packets with PcapWriter, read them with
 * {@code tcpdump -r}, and require its stdout to equal TcpdumpPrinter's lines for the same packets.
 */
class PcapRoundTripTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void tcpdumpIs499() throws Exception {
        Tcpdump.assertVersion();
    }

    static List<String> printed(List<Packet> packets, boolean absolute, int verbosity) {
        TcpdumpPrinter printer = new TcpdumpPrinter(absolute, verbosity);
        List<String> lines = new ArrayList<>();
        for (Packet p : packets) lines.addAll(List.of(printer.print(p).split("\n")));
        return lines;
    }

    /** Line by line, so that a failure names the first line that differs. */
    static void assertSameLines(List<String> expected, List<String> actual) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            int line = i + 1;
            assertEquals(actual.get(i), expected.get(i), () -> "line " + line + " (tcpdump, then printer)");
        }
        assertEquals(actual.size(), expected.size(), "number of lines (tcpdump, then printer)");
    }

    private Path write(String name, List<Packet> packets) throws Exception {
        Path file = dir.resolve(name);
        PcapWriter.write(file, packets);
        return file;
    }

    @Test
    void tcpdumpPrintsWhatThePrinterPrints() throws Exception {
        List<Packet> packets = Fixtures.everything();
        Path file = write("everything.pcap", packets);
        Tcpdump.Output out = Tcpdump.read(file, "-nn");
        assertSameLines(printed(packets, false, 0), out.stdout());
        assertEquals("reading from file " + file + ", link-type EN10MB (Ethernet), snapshot length 262144\n",
                out.stderr());
    }

    @Test
    void dashSIsAbsolute() throws Exception {
        List<Packet> packets = Fixtures.everything();
        assertSameLines(printed(packets, true, 0), Tcpdump.read(write("s.pcap", packets), "-nn", "-S").stdout());
    }

    @Test
    void dashVAddsTheIpLineTheChecksumAndRstText() throws Exception {
        List<Packet> packets = Fixtures.everything();
        assertSameLines(printed(packets, false, 1), Tcpdump.read(write("v.pcap", packets), "-nn", "-v").stdout());
    }

    @Test
    void dashVvPrintsSeqEverywhere() throws Exception {
        List<Packet> packets = Fixtures.everything();
        assertSameLines(printed(packets, false, 2), Tcpdump.read(write("vv.pcap", packets), "-nn", "-vv").stdout());
    }

    /** tcpdump checks both checksums with -v: the IP one is reported only when bad, the TCP one always. */
    @Test
    void everyChecksumIsCorrect() throws Exception {
        List<Packet> packets = Fixtures.everything();
        List<String> lines = Tcpdump.read(write("cksum.pcap", packets), "-nn", "-vv").stdout();
        long tcpLines = lines.stream().filter(l -> l.startsWith("    ")).count();
        assertEquals(packets.size(), tcpLines);
        for (String line : lines) {
            assertFalse(line.contains("bad cksum"), line);
            if (line.startsWith("    ")) assertTrue(line.matches(".*, cksum 0x[0-9a-f]{4} \\(correct\\),.*"), line);
        }
    }

    @Test
    void nanosecondsSurviveInTheFile() throws Exception {
        List<Packet> packets = Fixtures.everything();
        List<String> lines = Tcpdump.read(write("ns.pcap", packets), "-nn", "--time-stamp-precision=nano").stdout();
        assertTrue(lines.get(0).startsWith("00:00:01.001235566 IP "), lines.get(0));
        assertTrue(printed(packets, false, 0).get(0).startsWith("00:00:01.001235 IP "));
    }

    @Test
    void aRealCloseReadsBackAsItsTcpdumpLines() throws Exception {
        Fixtures.Trace t = new Fixtures.Trace();
        Fixtures.normalClose(t, io.tcpsim.wire.SockAddr.loopback(55688), io.tcpsim.wire.SockAddr.loopback(48001),
                4253287871L, 1983831168L);
        List<String> lines = Tcpdump.read(write("close.pcap", t.packets), "-nn").stdout();
        assertEquals("00:00:01.001235 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [S], seq 4253287871, win 65495, "
                + "options [mss 65495,sackOK,TS val 413859837 ecr 0,nop,wscale 10], length 0", lines.get(0));
        assertEquals("00:00:01.004939 IP 127.0.0.1.55688 > 127.0.0.1.48001: Flags [P.], seq 1:6, ack 1, win 64, "
                + "options [nop,nop,TS val 413859938 ecr 3713417029], length 5", lines.get(3));
        assertEquals("00:00:01.011112 IP 127.0.0.1.48001 > 127.0.0.1.55688: Flags [F.], seq 7, ack 7, win 64, "
                + "options [nop,nop,TS val 3713418155 ecr 413860340], length 0", lines.get(8));
    }

    /** IPv6: the "IP6" lines, and with -v the flow label, hop limit and payload length on the TCP line. */
    @Test
    void ipv6PrintsAsTcpdumpPrintsIt() throws Exception {
        Fixtures.Trace t = new Fixtures.Trace();
        Fixtures.normalClose(t, io.tcpsim.wire.SockAddr.loopback6(55688), io.tcpsim.wire.SockAddr.loopback6(48001),
                4253287871L, 1983831168L);
        Fixtures.normalClose(t, io.tcpsim.wire.SockAddr.parse("[2001:db8::1:0:0:1]:40000"),
                io.tcpsim.wire.SockAddr.parse("[fe80::1]:80"), 1L, 2L);
        t.ipId = 0; // no flow label: tcpdump -v leaves it out
        Fixtures.normalClose(t, io.tcpsim.wire.SockAddr.parse("[2001:db8:0:1:1:1:1:1]:40001"),
                io.tcpsim.wire.SockAddr.parse("[::ffff:10.0.0.1]:8080"), 3L, 4L);
        Path file = write("v6.pcap", t.packets);
        for (int v = 0; v <= 2; v++) {
            String[] args = v == 0 ? new String[] {"-nn"} : new String[] {"-nn", v == 1 ? "-v" : "-vv"};
            assertSameLines(printed(t.packets, false, v), Tcpdump.read(file, args).stdout());
        }
        assertSameLines(printed(t.packets, true, 0), Tcpdump.read(file, "-nn", "-S").stdout());
        List<String> lines = Tcpdump.read(file, "-nn").stdout();
        assertEquals("00:00:01.001235 IP6 ::1.55688 > ::1.48001: Flags [S], seq 4253287871, win 65495, "
                + "options [mss 65495,sackOK,TS val 413859837 ecr 0,nop,wscale 10], length 0", lines.get(0));
    }

    /**
     * A socket connected to itself is one tcp_seq_hash entry with two bases that start apart when the capture begins
     * mid-connection (seq 1000, ack 2000): each direction of the one address pair keeps its own.
     */
    @Test
    void aSocketConnectedToItselfKeepsASeqBaseAndAnAckBase() throws Exception {
        io.tcpsim.wire.SockAddr a = io.tcpsim.wire.SockAddr.loopback(5555);
        List<Packet> packets = new ArrayList<>();
        long[][] seqAck = {{1000, 2000}, {1005, 2005}, {1010, 2010}};
        for (int i = 0; i < seqAck.length; i++) {
            packets.add(new Packet(1_000_000_000L + i * 1000, i, new io.tcpsim.wire.Segment(a, a, seqAck[i][0],
                    seqAck[i][1], io.tcpsim.wire.TcpFlags.PSH | io.tcpsim.wire.TcpFlags.ACK, 512, 0, List.of(),
                    new byte[5])));
        }
        List<String> lines = Tcpdump.read(write("self.pcap", packets), "-nn").stdout();
        assertSameLines(printed(packets, false, 0), lines);
        assertTrue(lines.get(1).endsWith("Flags [P.], seq 5:10, ack 6, win 512, length 5"), lines.get(1));
    }

    @Test
    void textPayloadsPrintAsTcpdumpPrintsThem() throws Exception {
        List<Packet> packets = Fixtures.textPayloads();
        Path file = write("text.pcap", packets);
        assertSameLines(printed(packets, false, 0), Tcpdump.read(file, "-nn").stdout());
        assertSameLines(printed(packets, false, 1), Tcpdump.read(file, "-nn", "-v").stdout());
        assertSameLines(printed(packets, false, 2), Tcpdump.read(file, "-nn", "-vv").stdout());
    }

    /**
     * The decoders tcpsim does not reproduce: the printer's line stops at "length N" and tcpdump's goes on (or, for
     * a payload its decoder ignores, stops there too). Continuation lines (OpenFlow's) belong to the line before.
     */
    @Test
    void otherDecodersOnlyAddToTheLine() throws Exception {
        List<Packet> packets = Fixtures.otherDecoderPayloads();
        List<String> ours = printed(packets, false, 0);
        List<String> theirs = new ArrayList<>();
        for (String line : Tcpdump.read(write("other.pcap", packets), "-nn").stdout()) {
            if (line.startsWith("\t") && !theirs.isEmpty()) theirs.set(theirs.size() - 1, theirs.get(theirs.size() - 1)
                    + "\n" + line);
            else theirs.add(line);
        }
        assertEquals(ours.size(), theirs.size());
        int longer = 0;
        for (int i = 0; i < ours.size(); i++) {
            assertTrue(ours.get(i).endsWith(", length " + packets.get(i).segment().length()), ours.get(i));
            assertTrue(theirs.get(i).startsWith(ours.get(i)), theirs.get(i) + "\n" + ours.get(i));
            if (theirs.get(i).length() > ours.get(i).length()) longer++;
        }
        assertTrue(longer > ours.size() / 2, "most of these lines are longer in tcpdump: " + longer);
    }
}
