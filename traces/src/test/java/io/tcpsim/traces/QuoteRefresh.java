package io.tcpsim.traces;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * With {@code -Dtcpsim.refreshQuotes=true}, {@link QuotedOutputTest} writes the fresh output into every quote that
 * no longer matches, keeping the block's trimming: each run of lines between two {@code ...} is replaced by the
 * fresh output from the line most like the run's first to the line most like its last (the same line with other
 * numbers, then the most words in common), in order, so that lines the output gained or lost come with it. The
 * result is a proposal: read the diff, the prose around it and the numbers it cites (docs/architecture.md,
 * "Writing docs").
 */
final class QuoteRefresh {
    private QuoteRefresh() {}

    static final boolean ON = Boolean.getBoolean("tcpsim.refreshQuotes");

    /** Fresh block bodies by file, then by the block's first line (1-based), written at the end of the test class. */
    private static final Map<String, Map<Integer, List<String>>> PENDING = new TreeMap<>();

    static synchronized void propose(Quotes.Quote q, List<String> fresh) {
        PENDING.computeIfAbsent(q.file(), f -> new TreeMap<>()).put(q.line() + 1, refreshed(q.lines(), fresh));
    }

    /** The block's lines with each run between {@code ...} replaced by the fresh lines that resemble it most. */
    static List<String> refreshed(List<String> block, List<String> fresh) {
        List<String> out = new ArrayList<>();
        int from = 0;
        int i = 0;
        while (i < block.size()) {
            String l = block.get(i);
            if (l.strip().equals(QuoteMatch.SKIP) || l.startsWith("$ ")) {
                out.add(l);
                i++;
                continue;
            }
            int j = i;
            while (j < block.size() && !block.get(j).strip().equals(QuoteMatch.SKIP) && !block.get(j).startsWith("$ ")) j++;
            List<String> run = block.subList(i, j);
            // The fresh run starts at the line most like the run's first, and ends at the line most like its last:
            // lines the output gained or lost in between (a new line for each drop, say) come with it.
            int start = bestMatch(run.get(0), fresh, from, fresh.size() - 1, from);
            if (start < 0) {
                out.addAll(run);    // the output is shorter than the block: leave it for a person
            } else {
                int end = run.size() == 1 ? start
                        : bestMatch(run.get(run.size() - 1), fresh, start, Math.min(fresh.size() - 1,
                                start + 2 * run.size() + 20), start + run.size() - 1);
                if (end < start) end = Math.min(fresh.size() - 1, start + run.size() - 1);
                out.addAll(fresh.subList(start, end + 1));
                from = end + 1;
            }
            i = j;
        }
        return out;
    }

    /**
     * The index in [lo, hi] of the fresh line that resembles {@code line} most, the one nearest {@code near} among
     * equals; -1 when the range is empty.
     */
    static int bestMatch(String line, List<String> fresh, int lo, int hi, int near) {
        int best = -1;
        double bestScore = -1;
        for (int s = lo; s <= hi; s++) {
            double score = resemblance(line, fresh.get(s));
            if (score > bestScore + 1e-9 || Math.abs(score - bestScore) <= 1e-9 && Math.abs(s - near) < Math.abs(best - near)) {
                bestScore = score;
                best = s;
            }
        }
        return best;
    }

    /** 1 for the same line, 0.9 for the same line with other numbers, else the share of words in common (at most 0.5). */
    static double resemblance(String a, String b) {
        if (a.stripTrailing().equals(b.stripTrailing())) return 1;
        String ma = a.replaceAll("\\d+", "0").stripTrailing(), mb = b.replaceAll("\\d+", "0").stripTrailing();
        if (ma.equals(mb)) return 0.9;
        Set<String> wa = new HashSet<>(Arrays.asList(ma.split("\\s+"))), wb = new HashSet<>(Arrays.asList(mb.split("\\s+")));
        Set<String> both = new HashSet<>(wa);
        both.retainAll(wb);
        wa.addAll(wb);
        return wa.isEmpty() ? 0 : 0.5 * both.size() / wa.size();
    }

    /** Writes the proposals into the pages: each block's body replaced, its fence's indentation kept. */
    static synchronized void write(List<Quotes.Quote> quotes) throws IOException {
        for (var file : PENDING.entrySet()) {
            Path path = Scenarios.ROOT.resolve(file.getKey());
            List<String> lines = new ArrayList<>(Files.readAllLines(path, StandardCharsets.UTF_8));
            List<Integer> starts = new ArrayList<>(file.getValue().keySet());
            for (int n = starts.size() - 1; n >= 0; n--) {    // from the bottom, so that line numbers above hold
                int start = starts.get(n);
                Quotes.Quote q = quotes.stream().filter(x -> x.file().equals(file.getKey()) && x.line() + 1 == start)
                        .findFirst().orElseThrow();
                String indent = " ".repeat(q.indent());
                List<String> body = file.getValue().get(start).stream().map(l -> l.isEmpty() ? l : indent + l).toList();
                for (int k = 0; k < q.lines().size(); k++) lines.remove(start - 1);
                lines.addAll(start - 1, body);
            }
            Files.writeString(path, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        }
        PENDING.clear();
    }
}
