package io.tcpsim.traces;

import io.tcpsim.model.Model;
import io.tcpsim.run.RunLog;
import io.tcpsim.run.Runner;
import io.tcpsim.run.TextOutput;
import io.tcpsim.script.Script;
import io.tcpsim.script.ScriptException;
import io.tcpsim.script.ScriptParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Every scenario under traces/scenarios, run on the model as {@code tcpsim run FILE --seed N} would. */
final class Scenarios {
    /** The seed expected outputs are made with, unless the script names its own. */
    static final long DEFAULT_SEED = 1;

    /** The traces module directory (surefire runs tests there). */
    static final Path MODULE = Path.of("").toAbsolutePath();
    static final Path ROOT = MODULE.getParent();
    static final Path SCENARIOS = MODULE.resolve("scenarios");
    static final Path EXPECTED = MODULE.resolve("expected");

    private Scenarios() {}

    /** Where the model's known disagreements with Linux are kept, each with what Linux does (RegressionsTest). */
    static final Path REGRESSIONS = SCENARIOS.resolve("regressions");

    /**
     * The two-host scenarios (scripts with {@code hosts:}, issue 12): run on the model and on a two-host kernel by
     * NetworkScenariosTest, with their own coverage table (network/README.md); not part of {@link #all()}.
     */
    static final Path NETWORK = SCENARIOS.resolve("network");

    /** Every loopback scenario the model runs as Linux does: all but the open regressions and the network ones. */
    static List<Path> all() {
        try (Stream<Path> s = Files.walk(SCENARIOS)) {
            List<Path> out = new ArrayList<>(s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".json"))
                    .filter(p -> !p.startsWith(REGRESSIONS) && !p.startsWith(NETWORK)).sorted().toList());
            if (out.isEmpty()) throw new IllegalStateException("no scenarios under " + SCENARIOS);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The scenarios of {@link #NETWORK}, sorted. */
    static List<Path> network() {
        try (Stream<Path> s = Files.list(NETWORK)) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> regressions() {
        if (!Files.isDirectory(REGRESSIONS)) return List.of();
        try (Stream<Path> s = Files.list(REGRESSIONS)) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The path as the README's commands name it, from the repository root: traces/scenarios/... */
    static String display(Path scenario) {
        return ROOT.relativize(scenario).toString();
    }

    /** traces/expected/<path under scenarios>.txt */
    static Path expectedFor(Path scenario) {
        String rel = SCENARIOS.relativize(scenario).toString().replaceAll("\\.(yaml|json)$", ".txt");
        return EXPECTED.resolve(rel);
    }

    static Script parse(Path scenario) throws IOException, ScriptException {
        return ScriptParser.parse(display(scenario), Files.readString(scenario, StandardCharsets.UTF_8));
    }

    record Run(Script script, long seed, RunLog log, List<String> text) {}

    static Run run(Path scenario) throws IOException, ScriptException {
        Script script = parse(scenario);
        long seed = script.seed() != null ? script.seed() : DEFAULT_SEED;
        RunLog log = Runner.run(script, new Model(script.profile(), seed));
        TextOutput t = new TextOutput(script);
        List<String> lines = new ArrayList<>();
        lines.add(TextOutput.header("run", display(scenario), seed));
        lines.addAll(t.lines(log.lines()));
        if (!log.ok()) lines.add(t.summary(log));
        return new Run(script, seed, log, lines);
    }

    /** A tcpdump packet line: time of day, then "IP " (or "IP6 "). */
    static boolean isPacketLine(String line) {
        return line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{6} IP6? .*");
    }
}
