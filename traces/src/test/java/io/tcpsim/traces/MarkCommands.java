package io.tcpsim.traces;

import io.tcpsim.backend.Backend;
import io.tcpsim.cli.InProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The source of a quote, run: commands separated by {@code ;}, each a tcpsim command ({@code run FILE --seed 1},
 * with or without {@code tcpsim} before it; {@code > /dev/null} drops its standard output) or one of the shell
 * commands a reader types to make a variant of a seed: {@code cp FROM /tmp/NAME}, {@code sed -i 's/RE/TEXT/' /tmp/NAME}
 * (one substitution, sed's basic regular expressions, {@code \n} in TEXT, per line as sed does),
 * {@code diff A B} (files of equal length, as {@code --record} leaves them) and {@code cat FILE} (a script the page
 * shows); or {@code java CLASS}, a Java example on a network of its own ({@link JavaExample}). Relative paths are the repository's;
 * {@code /tmp/} is a directory of the test's own, printed back as {@code /tmp/}; nothing is written into the
 * repository (an output file named by a relative path goes to that directory; a device such as {@code /dev/full} is
 * itself). The output is what the commands printed, in order, each one's standard output and then its standard
 * error.
 */
final class MarkCommands {
    private final Path tmp;
    private final UnaryOperator<Backend> model;
    private final Supplier<Backend> kernel;

    /** Commands run on the model wrapped in {@code model}, and on {@code kernel} for capture and check. */
    MarkCommands(Path tmp, UnaryOperator<Backend> model, Supplier<Backend> kernel) {
        this.tmp = tmp;
        this.model = model;
        this.kernel = kernel;
    }

    /** Where the mark's text is wrong: one line for the test's message. */
    static final class BadMark extends Exception {
        BadMark(String message) {
            super(message);
        }
    }

    /** What the commands printed, and the tcpsim commands as written (for a block's {@code $ ...} line). */
    record Output(List<String> lines, List<String> commands) {}

    private static final Set<String> OUTPUT_OPTIONS = Set.of("--svg", "--html", "--pcap", "-o", "--output");

    Output run(String source) throws BadMark, IOException {
        List<String> out = new ArrayList<>(), commands = new ArrayList<>();
        for (String command : split(source)) {
            commands.add(command);
            List<String> words = words(command);
            if (words.isEmpty()) throw new BadMark("an empty command in '" + source + "'");
            switch (words.get(0)) {
                case "cp" -> {
                    if (words.size() != 3) throw new BadMark("expected cp FROM /tmp/NAME, got '" + command + "'");
                    Files.copy(read(words.get(1)), written(words.get(2)), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                case "sed" -> {
                    if (words.size() != 4 || !words.get(1).equals("-i")) {
                        throw new BadMark("expected sed -i 's/RE/TEXT/' /tmp/NAME, got '" + command + "'");
                    }
                    Path f = written(words.get(3));
                    Files.writeString(f, sed(words.get(2), Files.readString(f, StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
                }
                case "java" -> {
                    if (words.size() != 2) throw new BadMark("expected java CLASS, got '" + command + "'");
                    out.addAll(JavaExample.trace(words.get(1)));
                }
                case "cat" -> {
                    if (words.size() != 2) throw new BadMark("expected cat FILE, got '" + command + "'");
                    out.addAll(Files.readAllLines(read(words.get(1))));
                }
                case "diff" -> {
                    if (words.size() != 3) throw new BadMark("expected diff A B, got '" + command + "'");
                    out.addAll(diff(Files.readAllLines(read(words.get(1))), Files.readAllLines(read(words.get(2)))));
                }
                default -> out.addAll(tcpsim(words));
            }
        }
        return new Output(out, commands);
    }

    private List<String> tcpsim(List<String> words) throws BadMark {
        List<String> args = new ArrayList<>(words);
        if (args.get(0).equals("tcpsim") || args.get(0).equals("./tcpsim")) args.remove(0);
        boolean quiet = false;
        int redirect = args.indexOf(">");
        if (redirect >= 0) {
            if (redirect != args.size() - 2 || !args.get(redirect + 1).equals("/dev/null")) {
                throw new BadMark("the only redirection a mark may use is '> /dev/null' at the end");
            }
            quiet = true;
            args = new ArrayList<>(args.subList(0, redirect));
        }
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (i > 0 && OUTPUT_OPTIONS.contains(args.get(i - 1)) && !a.equals("-") && !a.startsWith("/dev/")) {
                args.set(i, (a.startsWith("/tmp/") ? tmp.resolve(a.substring(5)) : tmp.resolve(Path.of(a).getFileName())).toString());
            } else if (a.equals("--record") && args.stream().noneMatch(x -> x.startsWith("/tmp/"))) {
                throw new BadMark("--record rewrites its script: copy it to /tmp first");
            } else if (a.startsWith("/tmp/")) {
                args.set(i, tmp.resolve(a.substring(5)).toString());
            } else if (!a.startsWith("-") && Files.exists(Scenarios.ROOT.resolve(a))) {
                args.set(i, Scenarios.ROOT.resolve(a).toString());
            }
        }
        InProcess.Outcome o = InProcess.run(model, kernel, args.toArray(String[]::new));
        List<String> out = new ArrayList<>();
        if (!quiet) out.addAll(o.out().lines().map(this::unmap).toList());
        out.addAll(o.err().lines().map(this::unmap).toList());
        return out;
    }

    /** Paths as the reader typed them: the repository's relative, the test's directory as /tmp. */
    String unmap(String text) {
        return text.replace(tmp + "/", "/tmp/").replace(Scenarios.ROOT + "/", "");
    }

    private Path read(String name) throws BadMark {
        Path p = name.startsWith("/tmp/") ? tmp.resolve(name.substring(5)) : Scenarios.ROOT.resolve(name);
        if (!Files.isRegularFile(p)) throw new BadMark("no such file: " + name);
        return p;
    }

    private Path written(String name) throws BadMark {
        if (!name.startsWith("/tmp/")) throw new BadMark("a mark writes only under /tmp/, not " + name);
        return tmp.resolve(name.substring(5));
    }

    /** The commands of a mark: split at each ; outside quotes. */
    static List<String> split(String source) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        for (char c : source.toCharArray()) {
            if (quote != 0) {
                if (c == quote) quote = 0;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == ';') {
                out.add(cur.toString().strip());
                cur.setLength(0);
                continue;
            }
            cur.append(c);
        }
        if (!cur.toString().isBlank()) out.add(cur.toString().strip());
        return out;
    }

    /** Words as a shell splits them: at spaces, '...' and "..." each one word without the quotes. */
    static List<String> words(String command) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean in = false;
        char quote = 0;
        for (char c : command.toCharArray()) {
            if (quote != 0) {
                if (c == quote) quote = 0;
                else cur.append(c);
            } else if (c == '\'' || c == '"') {
                quote = c;
                in = true;
            } else if (c == ' ') {
                if (in) out.add(cur.toString());
                cur.setLength(0);
                in = false;
            } else {
                cur.append(c);
                in = true;
            }
        }
        if (in) out.add(cur.toString());
        return out;
    }

    private static final Pattern SUBSTITUTE = Pattern.compile("s/((?:[^/\\\\]|\\\\.)*)/((?:[^/\\\\]|\\\\.)*)/(g?)");

    /** sed's {@code s/RE/TEXT/[g]}, line by line. */
    static String sed(String expression, String text) throws BadMark {
        Matcher m = SUBSTITUTE.matcher(expression);
        if (!m.matches()) throw new BadMark("sed: expected s/RE/TEXT/ or s/RE/TEXT/g, got '" + expression + "'");
        Pattern re = Pattern.compile(basicRegex(m.group(1)));
        String replacement = replacement(m.group(2));
        boolean global = !m.group(3).isEmpty();
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            Matcher l = re.matcher(line);
            out.add(global ? l.replaceAll(replacement) : l.replaceFirst(replacement));
        }
        return String.join("\n", out);
    }

    /** A POSIX basic regular expression as a Java one: \( \) \{ \} group and count, bare ( ) { } + ? | are literal. */
    static String basicRegex(String bre) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < bre.length(); i++) {
            char c = bre.charAt(i);
            if (c == '\\' && i + 1 < bre.length()) {
                char n = bre.charAt(++i);
                if ("(){}".indexOf(n) >= 0) out.append(n);
                else if (n == 'n') out.append("\\n");
                else if (n == '/') out.append('/');
                else out.append('\\').append(n);
            } else if ("(){}+?|".indexOf(c) >= 0) {
                out.append('\\').append(c);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** sed's replacement text as Java's: & the match, \1 a group, \n a newline, other characters as they are. */
    static String replacement(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                char n = text.charAt(++i);
                if (n == 'n') out.append('\n');
                else if (Character.isDigit(n)) out.append('$').append(n);
                else out.append(Matcher.quoteReplacement(String.valueOf(n)));
            } else if (c == '&') {
                out.append("$0");
            } else {
                out.append(Matcher.quoteReplacement(String.valueOf(c)));
            }
        }
        return out.toString();
    }

    /** diff's normal output for two files of the same length: a {@code NcN} hunk for each run of changed lines. */
    static List<String> diff(List<String> a, List<String> b) throws BadMark {
        if (a.size() != b.size()) throw new BadMark("diff in a mark compares files of the same length only");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).equals(b.get(i))) continue;
            int j = i;
            while (j + 1 < a.size() && !a.get(j + 1).equals(b.get(j + 1))) j++;
            String range = i == j ? String.valueOf(i + 1) : (i + 1) + "," + (j + 1);
            out.add(range + "c" + range);
            for (int k = i; k <= j; k++) out.add("< " + a.get(k));
            out.add("---");
            for (int k = i; k <= j; k++) out.add("> " + b.get(k));
            i = j;
        }
        return out;
    }
}
