package io.tcpsim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.model.Model;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every kind of bad script, through {@code tcpsim run} on the real model: exit code 2, exactly one line on stderr
 * that names FILE:LINE:COL and what was expected, nothing on stdout, and no backend ever made (nothing half-run).
 * Each script is valid up to its bad line, so a runner that started early would have printed something.
 */
class BadScriptTest {
    @TempDir
    Path dir;

    private static final String GOOD = "name: t\\nsteps:\\n  - a = socket()\\n  - bind(a, 127.0.0.1:4321)\\n";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            YAML syntax           | '[r, w] = pipe()' unquoted    | 5 | 'YAML syntax'
            unknown call          | sned(a, "x")                  | 5 | 'unknown call ''sned''; known calls: accept'
            wrong argument count  | bind(a)                       | 5 | 'wrong number of arguments to bind: expected bind(fd, A.B.C.D:PORT), got 1'
            unknown name          | close(b)                      | 5 | 'unknown descriptor ''b'''
            bad address           | connect(a, 127.0.0.256:80)    | 5 | 'address'
            bad expectation       | close(a) = banana             | 5 | 'bad expectation ''banana'''
            use after close       | close(a)\\n  - close(a)       | 6 | 'descriptor ''a'' is closed (close at line 5)'
            """)
    void aBadScriptIsOneLocatedLineAndNothingRuns(String kind, String step, int line, String says) throws IOException {
        String stepText = step.equals("'[r, w] = pipe()' unquoted") ? "[r, w] = pipe()" : step;
        String text = (GOOD + "  - " + stepText + "\\n  - send(a, \"never\")\\n").replace("\\n", "\n");
        Path p = dir.resolve("bad.yaml");
        Files.writeString(p, text);

        StringWriter out = new StringWriter(), err = new StringWriter();
        AtomicInteger backends = new AtomicInteger();
        int code = Main.run(new String[] {"run", p.toString(), "--seed", "1"}, new Main.Env(new PrintWriter(out),
                new PrintWriter(err), new BufferedReader(new StringReader("")), false, (profile, seed) -> {
                    backends.incrementAndGet();
                    return new Model(profile, seed);
                }));

        assertEquals(2, code, kind);
        assertEquals("", out.toString(), kind + ": nothing may be printed on stdout");
        assertEquals(0, backends.get(), kind + ": nothing may run");
        String e = err.toString();
        assertEquals(1, e.lines().count(), kind + ": one line: " + e);
        assertTrue(e.startsWith("tcpsim: " + p + ":" + line + ":"), kind + ": names the line: " + e);
        assertTrue(e.matches("tcpsim: \\S+:" + line + ":\\d+: .*\\n"), kind + ": and a column: " + e);
        assertTrue(e.contains(says), kind + ": says what was expected: " + e);
    }

    /** What the model does not run yet is refused before the first step (not modelled yet): exit 2, one line, nothing run. */
    @org.junit.jupiter.api.Test
    void aSysctlTheModelDoesNotKnowIsRefusedBeforeAnythingRuns() throws IOException {
        Path p = dir.resolve("hosts.yaml");
        Files.writeString(p, "name: t\nhosts:\n  client: 10.0.1.1\n  server: 10.0.1.2\nsysctl:\n  net.ipv4.tcp_ecn: 1\n"
                + "steps:\n  - 'server: a = socket()'\n  - 'client: c = socket()'\n  - link down\n");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new String[] {"run", p.toString(), "--seed", "1"}, new Main.Env(new PrintWriter(out),
                new PrintWriter(err), new BufferedReader(new StringReader("")), false, Model::new));
        assertEquals(2, code);
        assertEquals("", out.toString());
        assertEquals("tcpsim: " + p + ":6:3: sysctl net.ipv4.tcp_ecn is not modelled yet (docs/model.md, \"What is not "
                + "modelled yet\")\n", err.toString().replace("\r", ""));
    }

    /** A flag the model does not run on a socketpair is refused where the run reaches it, not taken as a plain recv. */
    @org.junit.jupiter.api.Test
    void aSocketpairRecvWithWaitallIsRefusedAtItsStep() throws IOException {
        Path p = dir.resolve("pair.yaml");
        Files.writeString(p, "name: t\nsteps:\n  - '[a, b] = socketpair()'\n  - 'send(a, \"xy\")'\n"
                + "  - 'recv(b, 2, MSG_WAITALL)'\n");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new String[] {"run", p.toString(), "--seed", "1"}, new Main.Env(new PrintWriter(out),
                new PrintWriter(err), new BufferedReader(new StringReader("")), false, Model::new));
        assertEquals(2, code);
        assertEquals("", out.toString());
        assertEquals("tcpsim: " + p + ":5:6: MSG_WAITALL on a socketpair is not modelled yet (docs/model.md, \"What is "
                + "not modelled yet\")\n", err.toString().replace("\r", ""));
    }
}
