package io.tcpsim.check;

import io.tcpsim.compare.Divergence;
import io.tcpsim.run.Clock;
import io.tcpsim.run.LogLine;
import io.tcpsim.run.TextOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What check found: agreement, or the differences in log order, with the report a person reads: the first
 * difference named ({@code packet 5 field ack: expected 1 vs actual 2}, expected being the model), both lines printed
 * as run prints them, then model and kernel side by side with {@code >>>} on the row of the first difference.
 */
public final class Verdict {
    /** The side-by-side column is cut here; the lines under the first difference are printed whole. */
    static final int MAX_COLUMN = 110;

    private final Alignment a;

    Verdict(Alignment a) {
        this.a = a;
    }

    public boolean agrees() {
        return a.found().isEmpty();
    }

    public List<Divergence> divergences() {
        return a.found().stream().map(Alignment.Found::divergence).toList();
    }

    /** The model's line a divergence concerns, or null (the model has nothing there). */
    public LogLine modelLine(Divergence d) {
        for (Alignment.Found f : a.found()) if (f.divergence() == d) return f.model();
        return null;
    }

    /** The kernel's line a divergence concerns, or null (the kernel has nothing there). */
    public LogLine kernelLine(Divergence d) {
        for (Alignment.Found f : a.found()) if (f.divergence() == d) return f.kernel();
        return null;
    }

    /** Rule id to how often it was used. */
    public Map<String, Integer> rulesUsed() {
        return a.rulesUsed();
    }

    /** {@code 11 packets, 12 calls, 3 netstat tables}. */
    public String counts() {
        var s = a.model();
        long calls = s.steps.values().stream().filter(l -> l.kind() == LogLine.Kind.CALL).count();
        long tables = s.tables.values().stream().mapToLong(List::size).sum(); // one per host on two hosts
        return s.packets.size() + " packets, " + calls + " calls, " + tables + " netstat tables";
    }

    /** {@code ack-carried-by-next-packet x1}, or {@code none}. */
    public String rulesText() {
        if (a.rulesUsed().isEmpty()) return "none";
        List<String> out = new ArrayList<>();
        a.rulesUsed().forEach((k, v) -> out.add(k + " x" + v));
        return String.join(", ", out);
    }

    /** The difference report: empty when the runs agree. */
    public List<String> report() {
        List<String> out = new ArrayList<>();
        if (agrees()) return out;
        Alignment.Found first = a.found().get(0);
        Divergence d = first.divergence();
        out.add(d.text());
        out.add("  model:  " + (d.expected() == null ? "(nothing)" : d.expected()));
        out.add("  kernel: " + (d.actual() == null ? "(nothing)" : d.actual()));
        for (int n = 1; n < a.found().size(); n++) out.add("  then: " + a.found().get(n).divergence().text());
        out.add("");

        List<String[]> cells = new ArrayList<>();
        List<Boolean> marks = new ArrayList<>();
        for (Alignment.Row r : a.rows()) {
            boolean mark = r.model() != null && r.model() == first.model() && (first.model() != null)
                    || r.kernel() != null && r.kernel() == first.kernel() && first.model() == null;
            List<String> left = cell(a.model(), r.model()), right = cell(a.kernel(), r.kernel());
            for (int n = 0; n < Math.max(left.size(), right.size()); n++) {
                String l = n < left.size() ? left.get(n) : "", k = n < right.size() ? right.get(n) : "";
                if (n == 0 && r.note() != null) k = k + (k.isEmpty() ? "" : "  ") + "(" + r.note() + ")";
                cells.add(new String[] {l, k});
                marks.add(mark && n == 0);
            }
        }
        int width = 5;
        for (String[] c : cells) width = Math.max(width, Math.min(MAX_COLUMN, c[0].length()));
        out.add("    " + pad("model", width) + " | kernel");
        for (int n = 0; n < cells.size(); n++) {
            String l = cells.get(n)[0];
            if (l.length() > width) l = l.substring(0, width - 3) + "...";
            out.add((marks.get(n) ? ">>> " : "    ") + pad(l, width) + " | " + cells.get(n)[1]);
        }
        return out;
    }

    /** A line in the view: time and what happened, ports by role; a netstat table is several. */
    private static List<String> cell(Alignment.Side side, LogLine l) {
        if (l == null) return List.of();
        String t = Clock.format(l.time()) + " ";
        return switch (l.kind()) {
            case PACKET -> List.of(t + side.views.get(l).text());
            case NETSTAT -> {
                List<String> out = new ArrayList<>();
                io.tcpsim.script.Step.Netstat st = ((LogLine.NetstatLine) l).step();
                out.add(t + (st.ss() ? "ss -tin" : "netstat " + (st.all() ? "-tan" : "-tn")));
                for (String r : Alignment.netstatRows(side, (LogLine.NetstatLine) l)) out.add("    " + r);
                yield out;
            }
            case SIGNAL, PROCESS_END -> List.of(t + Alignment.eventText(l));
            case DROP -> {
                // Ports by role, as the packets beside it: the kernel's ephemeral ports change from run to run.
                LogLine.DropLine d = (LogLine.DropLine) l;
                var seg = d.segment();
                yield List.of(t + "[drop] " + side.roles.addr(seg.src()) + " > " + side.roles.addr(seg.dst()) + " ["
                        + io.tcpsim.wire.TcpFlags.tcpdump(seg.flags()) + "] len " + seg.length() + " reason "
                        + d.reason().name());
            }
            default -> List.of(new TextOutput(side.log.script()).format(l).get(0));
        };
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
