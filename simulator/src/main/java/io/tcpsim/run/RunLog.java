package io.tcpsim.run;

import io.tcpsim.script.Script;
import io.tcpsim.script.Step;
import io.tcpsim.wire.Packet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything a run produced, in time order. {@link #ok()} when every expectation held. */
public record RunLog(Script script, String backend, List<LogLine> lines) {
    public RunLog { lines = List.copyOf(lines); }

    /** The steps that failed: a call whose expectation did not hold, or a step with one that was not reached. */
    public int failures() {
        int n = 0;
        for (LogLine l : lines) {
            if (l instanceof LogLine.CallLine c && c.failed()) n++;
            if (l instanceof LogLine.NotReachedLine r && r.failed()) n++;
        }
        return n;
    }

    public boolean ok() { return failures() == 0; }

    public List<Packet> packets() {
        return lines.stream().filter(l -> l instanceof LogLine.PacketLine).map(l -> ((LogLine.PacketLine) l).packet()).toList();
    }

    /**
     * The same log with every time moved back by {@code origin}: with the start of the first line as origin, a
     * kernel run prints from 00:00:00.000000 as the model's does (tcpsim capture --relative, tcpsim check).
     */
    public RunLog relativeTo(long origin) {
        List<LogLine> out = new java.util.ArrayList<>(lines.size());
        for (LogLine l : lines) out.add(shift(l, origin));
        return new RunLog(script, backend, out);
    }

    /** The time of the first line (0 for an empty log). */
    public long start() {
        return lines.isEmpty() ? 0 : lines.get(0).time();
    }

    private static LogLine shift(LogLine l, long by) {
        return switch (l.kind()) {
            case PACKET -> {
                LogLine.PacketLine pl = (LogLine.PacketLine) l;
                Packet p = pl.packet();
                yield new LogLine.PacketLine(new Packet(p.timeNanos() - by, p.ipId(), p.segment()), pl.rstReason());
            }
            case CALL -> {
                LogLine.CallLine c = (LogLine.CallLine) l;
                yield new LogLine.CallLine(c.time() - by, c.endTime() - by, c.step(), c.result(), c.resultText(),
                        c.recorded(), c.holds());
            }
            case SIGNAL -> {
                LogLine.SignalLine s = (LogLine.SignalLine) l;
                yield new LogLine.SignalLine(s.time() - by, s.process(), s.signo(), s.how());
            }
            case PROCESS_END -> {
                LogLine.ProcessEndLine e = (LogLine.ProcessEndLine) l;
                yield new LogLine.ProcessEndLine(e.time() - by, e.process(), e.end());
            }
            case STATE -> {
                LogLine.StateLine s = (LogLine.StateLine) l;
                yield new LogLine.StateLine(s.time() - by, s.endpoint(), s.from(), s.to(), s.cause(), s.detail());
            }
            case DROP -> {
                LogLine.DropLine d = (LogLine.DropLine) l;
                yield new LogLine.DropLine(d.time() - by, d.endpoint(), d.segment(), d.reason());
            }
            case SLEEP -> new LogLine.SleepLine(l.time() - by, ((LogLine.SleepLine) l).step());
            case NETSTAT -> {
                LogLine.NetstatLine n = (LogLine.NetstatLine) l;
                yield new LogLine.NetstatLine(n.time() - by, n.step(), n.rows(), n.host());
            }
            case NOT_REACHED -> {
                LogLine.NotReachedLine r = (LogLine.NotReachedLine) l;
                yield new LogLine.NotReachedLine(r.time() - by, r.step(), r.why());
            }
            case LINK -> new LogLine.LinkLine(l.time() - by, ((LogLine.LinkLine) l).step());
            case LOST -> new LogLine.LostLine(l.time() - by, ((LogLine.LostLine) l).segment());
        };
    }

    /** The call lines by step, for --record. */
    public Map<Step.CallStep, LogLine.CallLine> calls() {
        Map<Step.CallStep, LogLine.CallLine> m = new LinkedHashMap<>();
        for (LogLine l : lines) if (l instanceof LogLine.CallLine c) m.put(c.step(), c);
        return m;
    }
}
