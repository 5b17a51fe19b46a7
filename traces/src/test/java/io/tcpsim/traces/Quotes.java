package io.tcpsim.traces;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The quoted outputs of README.md and docs/*.md: each fenced block that an HTML comment right before it marks with
 * its source (docs/architecture.md, "Writing docs"):
 *
 * <pre>
 * &lt;!-- output: run traces/scenarios/seeds/close-then-send.yaml --seed 1 --&gt;
 * &lt;!-- kernel output: check examples/close-then-send.yaml --seed 1 --runs 3 --&gt;
 * &lt;!-- kernel output (model: RstInCloseWaitGivesEconnreset): check docs/examples/check-close-then-send.yaml --seed 1 --&gt;
 * &lt;!-- output (kernel: unprivileged): check examples/close-then-send.yaml --&gt;
 * </pre>
 *
 * and the block of commands that makes the pictures in docs/img, marked {@code <!-- pictures -->}.
 */
final class Quotes {
    private Quotes() {}

    /** Where a quote's output comes from: the model alone, or also the real kernel (checked for its shape only). */
    enum Kind { MODEL, KERNEL }

    /**
     * One marked block: its file (from the repository root), the line of its opening fence, the mark's source (the
     * commands, {@code ;} between them), the test-only stand-in it names ({@code model: NAME} or {@code kernel:
     * NAME}, or null), the fence's indentation, and the block's lines with that indentation removed.
     */
    record Quote(String file, int line, int indent, Kind kind, String standIn, String source, List<String> lines) {
        String where() {
            return file + ":" + line;
        }
    }

    /** A mark that is not followed by a block, or a block that looks like tcpsim's output and has no mark. */
    record Problem(String where, String what) {}

    record Docs(List<Quote> quotes, List<Quote> pictures, List<Problem> problems) {}

    static final Pattern MARK = Pattern.compile(
            "<!--\\s*(kernel )?output(?:\\s*\\(((?:model|kernel): [\\w-]+)\\))?:\\s*(.*?)\\s*-->");
    static final Pattern PICTURES = Pattern.compile("<!--\\s*pictures\\b.*-->");
    static final Pattern FENCE = Pattern.compile("^(\\s*)(```+|~~~+)(.*)$");

    /**
     * Lines only tcpsim prints: a call line ({@code 00:00:00.000030 [main] close(c) = 0}), the first line of
     * {@code run}, {@code step} and {@code check} ({@code # tcpsim ...}), a line of replay's {@code --annotate}.
     */
    static final Pattern LOOKS_LIKE_OUTPUT = Pattern.compile(
            "\\d\\d:\\d\\d:\\d\\d\\.\\d{6} \\[[A-Za-z_]\\w*\\] .*|# tcpsim .*|\\[flow \\d+\\] .*");

    /**
     * Files whose blocks are measurements of the real kernel (tcpdump's and ss's own output, kept as the record of
     * what was measured), not tcpsim's output.
     */
    static final List<String> MEASUREMENTS = List.of("docs/kernel-measurements.md");

    /** README.md and docs/*.md, from the repository root. */
    static List<Path> files() {
        List<Path> out = new ArrayList<>();
        out.add(Scenarios.ROOT.resolve("README.md"));
        try (Stream<Path> s = Files.list(Scenarios.ROOT.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static Docs read() {
        List<Quote> quotes = new ArrayList<>(), pictures = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (Path p : files()) read(p, quotes, pictures, problems);
        return new Docs(quotes, pictures, problems);
    }

    static void read(Path path, List<Quote> quotes, List<Quote> pictures, List<Problem> problems) {
        String file = Scenarios.ROOT.relativize(path).toString();
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String pending = null;    // the mark waiting for its block, and where it is
        int pendingLine = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher fence = FENCE.matcher(line);
            if (fence.matches()) {
                int end = closing(lines, i, fence.group(2));
                int indent = fence.group(1).length();
                List<String> body = new ArrayList<>();
                for (int j = i + 1; j < end; j++) body.add(unindent(lines.get(j), indent));
                int at = i + 1;
                if (pending != null) {
                    Matcher m = MARK.matcher(pending);
                    if (m.find()) {
                        quotes.add(new Quote(file, at, indent, m.group(1) != null ? Kind.KERNEL : Kind.MODEL, m.group(2),
                                m.group(3), body));
                    } else {
                        pictures.add(new Quote(file, at, indent, Kind.MODEL, null, "pictures", body));
                    }
                } else if (!MEASUREMENTS.contains(file)
                        && body.stream().anyMatch(l -> LOOKS_LIKE_OUTPUT.matcher(l.strip()).matches())) {
                    problems.add(new Problem(file + ":" + at, "this block looks like tcpsim's output and has no "
                            + "<!-- output: ... --> mark before it (docs/architecture.md, \"Writing docs\")"));
                }
                pending = null;
                i = end;
                continue;
            }
            if (pending != null && !line.isBlank()) {
                problems.add(new Problem(file + ":" + pendingLine, "the mark is not followed by a fenced block"));
                pending = null;
            }
            String s = line.strip();
            if (s.startsWith("<!--") && (MARK.matcher(s + (s.contains("-->") ? "" : " -->")).lookingAt()
                    || PICTURES.matcher(s + (s.contains("-->") ? "" : " -->")).lookingAt())) {
                pendingLine = i + 1;
                StringBuilder mark = new StringBuilder(s);
                while (!mark.toString().contains("-->") && i + 1 < lines.size()) mark.append(' ').append(lines.get(++i).strip());
                pending = mark.toString();
            }
        }
        if (pending != null) problems.add(new Problem(file + ":" + pendingLine, "the mark is not followed by a fenced block"));
    }

    /** The line of the fence that closes the block opened at {@code open} (the file's end if none). */
    private static int closing(List<String> lines, int open, String fence) {
        for (int j = open + 1; j < lines.size(); j++) {
            String s = lines.get(j).strip();
            if (s.startsWith(fence) && s.substring(fence.length()).isBlank()) return j;
        }
        return lines.size();
    }

    private static String unindent(String line, int indent) {
        int n = 0;
        while (n < indent && n < line.length() && line.charAt(n) == ' ') n++;
        return line.substring(n);
    }
}
