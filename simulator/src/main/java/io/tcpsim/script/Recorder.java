package io.tcpsim.script;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Writes observed results into a script as expectations: the text after a call's closing parenthesis becomes
 * {@code  = RESULT}; every other byte of the file (comments, quoting, layout) stays as it was.
 */
public final class Recorder {
    private Recorder() {}

    /** The new text, and the lines of steps that could not be rewritten safely (left as they were). */
    public record Recorded(String text, int changed, List<Integer> skipped) {}

    /**
     * @param results for each call step to rewrite, the expectation texts that state its result, the most
     *                precise first; the first that can be written in the step's scalar style is used
     */
    public static Recorded record(Script script, Map<Step.CallStep, List<String>> results) {
        List<Map.Entry<Step.CallStep, List<String>>> edits = new ArrayList<>(results.entrySet());
        edits.sort(Comparator.comparingInt((Map.Entry<Step.CallStep, List<String>> e) -> e.getKey().source().start()).reversed());
        StringBuilder out = new StringBuilder(script.source());
        List<Integer> skipped = new ArrayList<>();
        int changed = 0;
        for (var e : edits) {
            Step.CallStep step = e.getKey();
            SourceText src = step.source();
            String replacement = null;
            for (String candidate : e.getValue()) {
                replacement = escape(" = " + candidate, src.style());
                if (replacement != null) break;
            }
            int from = src.offsets()[step.callEnd()], to = src.end();
            if (replacement == null || !faithful(script.source(), src)) {
                skipped.add(step.line());
                continue;
            }
            out.replace(from, to, replacement);
            changed++;
        }
        skipped.sort(null);
        return new Recorded(out.toString(), changed, skipped);
    }

    /** Whether the step's characters were found in the file one for one, so that offsets can be trusted. */
    private static boolean faithful(String file, SourceText src) {
        int[] off = src.offsets();
        for (int i = 1; i < off.length; i++) if (off[i] <= off[i - 1]) return false;
        if (src.style() == '"' || src.style() == '\'') return true;
        for (int i = 0; i < src.text().length(); i++) {
            char c = src.text().charAt(i), f = file.charAt(off[i]);
            if (c != f && !(c == ' ' && Character.isWhitespace(f))) return false;
        }
        return true;
    }

    /** The text as it must be written inside a scalar of the style; null when that cannot be done safely. */
    static String escape(String text, char style) {
        return switch (style) {
            case '"' -> text.replace("\\", "\\\\").replace("\"", "\\\"");
            case '\'' -> text.replace("'", "''");
            // A plain scalar ends at " #" (a comment) and turns into a mapping at ": ".
            default -> text.contains(" #") || text.contains(": ") || text.endsWith(":") || text.contains("\t") ? null : text;
        };
    }
}
