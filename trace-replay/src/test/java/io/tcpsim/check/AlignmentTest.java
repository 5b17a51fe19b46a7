package io.tcpsim.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tcpsim.model.Model;
import io.tcpsim.run.LogLine;
import io.tcpsim.run.RunLog;
import io.tcpsim.run.Runner;
import io.tcpsim.script.Script;
import io.tcpsim.script.ScriptParser;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The comparison without a kernel: a model run against an edited copy of itself. */
class AlignmentTest {
    static final String THREE_PACKET_CLOSE = """
            name: three-packet-close
            steps:
              - a = socket()
              - bind(a, 127.0.0.1:4321)
              - listen(a, 1)
              - c = socket()
              - connect(c, 127.0.0.1:4321) = 0
              - s = accept(a)
              - close(c) = 0
              - close(s) = 0
              - netstat
            """;

    static RunLog model() throws Exception {
        Script s = ScriptParser.parse("t.yaml", THREE_PACKET_CLOSE);
        return Runner.run(s, new Model(s.profile(), 1));
    }

    /** The log with packet {@code n} (1-based) replaced. */
    static RunLog edit(RunLog log, int n, UnaryOperator<Packet> f) {
        List<LogLine> out = new ArrayList<>();
        int seen = 0;
        for (LogLine l : log.lines()) {
            if (l instanceof LogLine.PacketLine p && ++seen == n) out.add(new LogLine.PacketLine(f.apply(p.packet())));
            else out.add(l);
        }
        return new RunLog(log.script(), "kernel", out);
    }

    static Segment with(Segment s, long ack, int flags) {
        return new Segment(s.src(), s.dst(), s.seq(), ack, flags, s.window(), s.urgent(), s.options(), s.payload());
    }

    @Test
    void aRunAgreesWithItself() throws Exception {
        RunLog m = model();
        Verdict v = Check.compare(m, m);
        assertEquals(List.of(), v.divergences());
        assertEquals("6 packets, 8 calls, 1 netstat tables", v.counts());
    }

    @Test
    void aDifferentAckIsNamedWithBothValuesRelative() throws Exception {
        RunLog m = model();
        RunLog k = edit(m, 4, p -> new Packet(p.timeNanos(), p.ipId(), with(p.segment(), p.segment().ack() + 1, p.segment().flags())));
        Verdict v = Check.compare(m, k);
        assertEquals("packet 4 field ack: expected 1 vs actual 2", v.divergences().get(0).text());
        assertEquals(1, v.report().stream().filter(l -> l.startsWith(">>> ") && l.contains("[F.] seq 1 ack 1")).count());
    }

    @Test
    void aLatePacketIsNamedWithTheAllowance() throws Exception {
        RunLog m = model();
        RunLog k = edit(m, 6, p -> new Packet(p.timeNanos() + 5_000_000, p.ipId(), p.segment()));
        assertEquals("packet 6 field time: expected 0.010 ms after packet 5 vs actual 5.010 ms (allowed ±4.000 ms)",
                Check.compare(m, k).divergences().get(0).text());
        RunLog near = edit(m, 6, p -> new Packet(p.timeNanos() + 3_900_000, p.ipId(), p.segment()));
        assertEquals(List.of(), Check.compare(m, near).divergences());
    }

    @Test
    void aTimerPacketMayBeOneJiffyLateOrEarly() throws Exception {
        // Packet 5 of close-then-send is the ACK of the FIN, on the model's 4 ms tick (from the timer).
        Script s = ScriptParser.parse("t.yaml", CheckKernelTest.CLOSE_THEN_SEND);
        RunLog cts = Runner.run(s, new Model(s.profile(), 1));
        RunLog late = edit(cts, 5, p -> new Packet(p.timeNanos() + 7_000_000, p.ipId(), p.segment()));
        Verdict v = Check.compare(cts, late);
        assertEquals(List.of(), v.divergences());
        assertEquals("timer-tick-late x1", v.rulesText());
        RunLog tooLate = edit(cts, 5, p -> new Packet(p.timeNanos() + 8_100_000, p.ipId(), p.segment()));
        assertEquals("packet 5 field time: expected 3.970 ms after packet 4 vs actual 12.070 ms (allowed ±4.000 ms)",
                Check.compare(cts, tooLate).divergences().get(0).text());
        RunLog early = edit(cts, 5, p -> new Packet(p.timeNanos() - 8_000_000 + 4_100_000, p.ipId(), p.segment()));
        assertEquals(List.of(), Check.compare(cts, early).divergences()); // 0.07 ms after the FIN: within 4 ms
        // The kernel's tick phase differs from the model's: up to one jiffy earlier than the tolerance is accepted.
        RunLog phase = edit(cts, 5, p -> new Packet(p.timeNanos() - 4_500_000, p.ipId(), p.segment()));
        Verdict pv = Check.compare(cts, phase);
        assertEquals(List.of(), pv.divergences());
        assertEquals("timer-tick-phase x1", pv.rulesText());
        RunLog tooEarly = edit(cts, 5, p -> new Packet(p.timeNanos() - 8_100_000, p.ipId(), p.segment()));
        assertEquals(1, Check.compare(cts, tooEarly).divergences().size());
    }

    @Test
    void anExtraPureAckCarriedByTheNextPacketIsAcceptedAndNamed() throws Exception {
        RunLog m = model();
        // The kernel's ACK timer beat the application: a pure ACK just before the server's FIN, same ack number.
        List<LogLine> lines = new ArrayList<>();
        int seen = 0;
        for (LogLine l : m.lines()) {
            if (l instanceof LogLine.PacketLine p && ++seen == 5) {
                Packet fin = p.packet();
                lines.add(new LogLine.PacketLine(new Packet(fin.timeNanos() - 1000, fin.ipId(),
                        with(fin.segment(), fin.segment().ack(), TcpFlags.ACK))));
            }
            lines.add(l);
        }
        Verdict v = Check.compare(m, new RunLog(m.script(), "kernel", lines));
        assertEquals(List.of(), v.divergences());
        assertEquals(Map.of("ack-carried-by-next-packet", 1), v.rulesUsed());
        assertEquals("ack-carried-by-next-packet x1", v.rulesText());
    }

    @Test
    void aPureAckNotCarriedByTheNextPacketIsADifference() throws Exception {
        RunLog m = model();
        RunLog k = edit(m, 5, p -> new Packet(p.timeNanos(), p.ipId(), with(p.segment(), p.segment().ack(), TcpFlags.ACK)));
        assertEquals("packet 5 field flags: expected [F.] vs actual [.]", Check.compare(m, k).divergences().get(0).text());
    }
}
