package io.tcpsim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.model.Model;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.Command;

/**
 * {@code tcpsim X --help} prints X's help and exits 0 for every command, although most of them require an argument
 * (issue 11 item 7: they said "Missing required parameter"); {@code -h} and {@code tcpsim help X} say the same.
 * Nothing runs.
 */
class HelpTest {
    record Outcome(int code, String out, String err) {}

    static Outcome run(AtomicInteger backends, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new Main.Env(new PrintWriter(out), new PrintWriter(err),
                new BufferedReader(new StringReader("")), false, (profile, seed) -> {
                    backends.incrementAndGet();
                    return new Model(profile, seed);
                }, () -> {
                    backends.incrementAndGet();
                    throw new AssertionError("no kernel for --help");
                }));
        return new Outcome(code, out.toString(), err.toString());
    }

    @ParameterizedTest(name = "tcpsim {0} --help")
    @ValueSource(strings = {"run", "step", "capture", "check", "replay", "fuzz"})
    void helpPrintsTheCommandsUsageAndExitsZero(String command) {
        AtomicInteger backends = new AtomicInteger();
        Outcome o = run(backends, command, "--help");
        assertEquals(0, o.code(), o.err());
        assertEquals("", o.err());
        assertTrue(o.out().startsWith("Usage: tcpsim " + command + " [-hV]"), o.out());
        assertTrue(o.out().contains("  -h, --help "), o.out());
        assertEquals(o, run(backends, command, "-h"));
        assertEquals(o, run(backends, "help", command));
        assertEquals(0, backends.get(), "--help runs nothing");
    }

    /**
     * Only the command named first is registered with picocli (a start-up cost); {@code tcpsim help X} registers
     * them all, and the test above finds its output equal to {@code tcpsim X --help}'s.
     */
    @ParameterizedTest(name = "tcpsim {0} ... registers {0} alone")
    @ValueSource(strings = {"run", "step", "capture", "check", "replay", "fuzz"})
    void theCommandNamedFirstIsRegisteredAlone(String command) {
        List<Class<?>> registered = Main.commands(new String[] {command, "x.yaml"});
        assertEquals(1, registered.size());
        assertEquals(command, registered.get(0).getAnnotation(Command.class).name());
    }

    @Test
    void withoutACommandFirstEveryCommandIsRegisteredAndListed() {
        for (String[] args : List.of(new String[] {}, new String[] {"help", "run"}, new String[] {"--help"},
                new String[] {"runx"}, new String[] {"-V", "run"}))
            assertEquals(Main.COMMANDS, Main.commands(args), String.join(" ", args));
        Outcome o = run(new AtomicInteger(), "--help");
        assertEquals(0, o.code(), o.err());
        for (String c : List.of("run", "step", "capture", "check", "replay", "fuzz", "help"))
            assertTrue(o.out().contains("\n  " + c + " "), c + " listed in\n" + o.out());
    }
}
