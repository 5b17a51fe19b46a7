package io.tcpsim.nio.corpus;

import io.tcpsim.check.Check;
import io.tcpsim.check.Verdict;
import io.tcpsim.compare.Tolerance;
import io.tcpsim.model.Profile;
import io.tcpsim.run.LogLine;
import io.tcpsim.run.RunLog;
import io.tcpsim.script.Script;
import io.tcpsim.script.SourceText;
import io.tcpsim.script.Step;
import io.tcpsim.wire.Packet;
import java.util.ArrayList;
import java.util.List;

/**
 * A program's kernel run against its model run. The operations must agree exactly, one for one (what each returned,
 * or the exception's class and message). The packets go through check's comparison (io.tcpsim.check: the same
 * pairing, field comparison, timing tolerance and equivalence rules as tcpsim check), with each operation as the
 * step a packet is timed from: the log of each side is written as a script whose steps are the operations.
 */
public final class CrossCheck {
    public record Result(List<String> opDifferences, Verdict packets) {
        public boolean agrees() {
            return opDifferences.isEmpty() && packets.agrees();
        }

        public String report() {
            List<String> out = new ArrayList<>(opDifferences);
            if (packets != null) out.addAll(packets.report());
            return String.join("\n", out);
        }
    }

    private CrossCheck() {}

    public static Result compare(String name, List<Ops.Op> model, List<Packet> modelPackets, List<Ops.Op> kernel,
                                 List<Packet> kernelPackets) {
        return compare(name, model, modelPackets, kernel, kernelPackets, Tolerance.DEFAULT);
    }

    /** As above, with the packets timed under {@code tolerance} instead of check's default. */
    public static Result compare(String name, List<Ops.Op> model, List<Packet> modelPackets, List<Ops.Op> kernel,
                                 List<Packet> kernelPackets, Tolerance tolerance) {
        // Threads are real: the order between two threads' operations is a race, the order within one is not.
        // Each thread's operations are compared in order, and paired by (thread, index).
        List<String> diffs = new ArrayList<>();
        java.util.Map<String, List<Ops.Op>> mt = byThread(model), kt = byThread(kernel);
        java.util.Set<String> threads = new java.util.LinkedHashSet<>(mt.keySet());
        threads.addAll(kt.keySet());
        for (String t : threads) {
            List<Ops.Op> a = mt.getOrDefault(t, List.of()), b = kt.getOrDefault(t, List.of());
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                String m = i < a.size() ? a.get(i).text() : "(nothing)";
                String k = i < b.size() ? b.get(i).text() : "(nothing)";
                if (!m.equals(k)) diffs.add("thread " + t + ", operation " + (i + 1) + ": model " + m + "\n             kernel " + k);
            }
        }
        if (!diffs.isEmpty()) return new Result(diffs, null);
        // The steps: one sleep step per operation, so that packets are timed from the operation before them.
        StringBuilder source = new StringBuilder();
        List<Step> steps = new ArrayList<>();
        for (Ops.Op op : model) {
            String text = op.text();
            int start = source.length();
            source.append(text).append('\n');
            int[] offsets = new int[text.length() + 1];
            for (int j = 0; j <= text.length(); j++) offsets[j] = start + j;
            steps.add(new Step.Sleep(0, text, new SourceText(text, offsets, ' ', null)));
        }
        SourceText.Lines lines = new SourceText.Lines(source.toString());
        List<Step> located = new ArrayList<>();
        for (Step s : steps) {
            Step.Sleep sl = (Step.Sleep) s;
            SourceText t = sl.source();
            located.add(new Step.Sleep(0, sl.duration(), new SourceText(t.text(), t.offsets(), ' ', lines)));
        }
        Script script = new Script(name, source.toString(), name, "", 0L, Profile.linux6(), located);
        RunLog m = log(script, "model", model, modelPackets);
        List<Ops.Op> paired = new ArrayList<>();
        java.util.Map<String, Integer> next = new java.util.HashMap<>();
        for (Ops.Op op : model) {
            int i = next.merge(op.thread(), 1, Integer::sum) - 1;
            paired.add(kt.get(op.thread()).get(i));
        }
        RunLog k = log(script, "kernel", paired, kernelPackets);
        return new Result(diffs, Check.compare(m, k, tolerance));
    }

    private static java.util.Map<String, List<Ops.Op>> byThread(List<Ops.Op> ops) {
        java.util.Map<String, List<Ops.Op>> out = new java.util.LinkedHashMap<>();
        for (Ops.Op op : ops) out.computeIfAbsent(op.thread(), t -> new ArrayList<>()).add(op);
        return out;
    }

    private static RunLog log(Script script, String backend, List<Ops.Op> ops, List<Packet> packets) {
        List<LogLine> lines = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) lines.add(new LogLine.SleepLine(ops.get(i).start(), (Step.Sleep) script.steps().get(i)));
        for (Packet p : packets) lines.add(new LogLine.PacketLine(p));
        lines.sort(java.util.Comparator.comparingLong(LogLine::time));
        return new RunLog(script, backend, lines);
    }
}
