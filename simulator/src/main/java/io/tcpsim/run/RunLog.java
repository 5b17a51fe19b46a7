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

    /** The call lines by step, for --record. */
    public Map<Step.CallStep, LogLine.CallLine> calls() {
        Map<Step.CallStep, LogLine.CallLine> m = new LinkedHashMap<>();
        for (LogLine l : lines) if (l instanceof LogLine.CallLine c) m.put(c.step(), c);
        return m;
    }
}
