package io.tcpsim.traces;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Whether a quoted block is in a command's output: the block's lines appear in the output in order and one after
 * the other, a line {@code ...} skipping any number of lines (the block may start and end anywhere); trailing spaces
 * do not count. A kernel quote is compared for its shape: on the kernel's side of check's output (the right of
 * {@code |}, a {@code kernel:} line) times, {@code <blocked X ms>} and rule notes are masked, and in a summary line
 * the kernel run's duration and the rules used; the model's lines are compared as they are. A Java example's other
 * threads are compared apart ({@link #findThreads}).
 */
final class QuoteMatch {
    private QuoteMatch() {}

    /** Null when the block matches; else which line of the block does not, and why. */
    record Miss(int blockLine, String why) {}

    static final String SKIP = "...";

    static Miss find(List<String> block, List<String> output, boolean kernel) {
        List<List<Integer>> segments = new ArrayList<>();    // indices into block, between the ... lines
        List<Integer> cur = new ArrayList<>();
        for (int i = 0; i < block.size(); i++) {
            if (block.get(i).strip().equals(SKIP)) {
                if (!cur.isEmpty()) segments.add(cur);
                cur = new ArrayList<>();
            } else {
                cur.add(i);
            }
        }
        if (!cur.isEmpty()) segments.add(cur);
        List<String> out = output.stream().map(l -> normal(l, kernel)).toList();
        int from = 0;
        for (List<Integer> seg : segments) {
            int best = -1, bestLen = -1;
            for (int start = from; start < out.size(); start++) {
                int n = 0;
                while (n < seg.size() && start + n < out.size()
                        && out.get(start + n).equals(normal(block.get(seg.get(n)), kernel))) n++;
                if (n == seg.size()) {
                    best = start;
                    bestLen = n;
                    break;
                }
                if (n > bestLen) {
                    bestLen = n;
                    best = start;
                }
            }
            if (bestLen == seg.size()) {
                from = best + seg.size();
                continue;
            }
            int failing = seg.get(Math.max(bestLen, 0));
            if (bestLen <= 0) {
                return new Miss(failing, from == 0 ? "not in the output" : "not in the output after the lines before it");
            }
            if (best + bestLen >= output.size()) return new Miss(failing, "the output ends before it");
            return new Miss(failing, "the output has instead: " + output.get(best + bestLen).stripTrailing());
        }
        return null;
    }

    /** A call line of a thread other than main: {@code 00:00:00.000030 [server] accept(3) = 5}. */
    private static final Pattern OTHER_THREAD = Pattern.compile("\\d\\d:\\d\\d:\\d\\d\\.\\d{6} \\[(?!main\\])[A-Za-z_][\\w-]*\\] .*");

    /**
     * A Java example's trace: its main thread's lines and the packets as {@link #find}, and the lines of its other
     * threads (a server thread) in their own order without their times, since when a real thread starts its call is
     * the scheduler's (docs/java-nio.md).
     */
    static Miss findThreads(List<String> block, List<String> output) {
        List<Integer> mainAt = new ArrayList<>(), otherAt = new ArrayList<>();
        for (int i = 0; i < block.size(); i++) (OTHER_THREAD.matcher(block.get(i)).matches() ? otherAt : mainAt).add(i);
        List<String> mainOut = output.stream().filter(l -> !OTHER_THREAD.matcher(l).matches()).toList();
        List<String> otherOut = output.stream().filter(l -> OTHER_THREAD.matcher(l).matches()).map(l -> l.substring(16)).toList();
        Miss m = find(mainAt.stream().map(block::get).toList(), mainOut, false);
        if (m != null) return new Miss(mainAt.get(m.blockLine()), m.why());
        m = find(otherAt.stream().map(i -> block.get(i).substring(16)).toList(), otherOut, false);
        if (m != null) return new Miss(otherAt.get(m.blockLine()), m.why() + " (another thread's calls, times not compared)");
        return null;
    }

    private static final Pattern TIME = Pattern.compile("\\d\\d:\\d\\d:\\d\\d\\.\\d{6}");
    private static final Pattern BLOCKED = Pattern.compile(" <blocked [0-9.]+ ms>");
    private static final Pattern RULE_NOTE = Pattern.compile(" *\\(rule [^)]*\\)");
    private static final Pattern KERNEL_RUN = Pattern.compile("kernel run [0-9.]+ ms");
    private static final Pattern RULES_USED = Pattern.compile("rules used: [^;)]*");

    static String normal(String line, boolean kernel) {
        String s = line.stripTrailing();
        if (!kernel) return s;
        int bar = s.indexOf(" | ");
        if (bar >= 0) return s.substring(0, bar).stripTrailing() + " | " + kernelSide(s.substring(bar + 3));
        if (s.strip().startsWith("kernel:")) return kernelSide(s);
        s = KERNEL_RUN.matcher(s).replaceAll("kernel run N ms");
        return RULES_USED.matcher(s).replaceAll("rules used: ...");
    }

    private static String kernelSide(String s) {
        s = TIME.matcher(s).replaceAll("HH:MM:SS.uuuuuu");
        s = BLOCKED.matcher(s).replaceAll("");
        return RULE_NOTE.matcher(s).replaceAll("").stripTrailing();
    }
}
