package io.tcpsim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.backend.Backend;
import io.tcpsim.backend.Event;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path dir;

    /** What a command printed and returned. */
    record Outcome(int code, String out, String err) {}

    /** Answers every call with success: descriptors count up from 3; recv returns "hi"; 5 us per call. */
    static final class EchoBackend implements Backend {
        long now;
        int fd = 3;
        long seed;
        final List<String> calls = new ArrayList<>();

        EchoBackend(long seed) {
            this.seed = seed;
        }

        public String name() { return "echo"; }
        public long now() { return now; }
        public Result call(String process, Call call) {
            calls.add(call.name());
            now += 5_000;
            if (call instanceof Call.Socket || call instanceof Call.Accept) return Result.ok(fd++);
            if (call instanceof Call.Recv) return Result.data("hi".getBytes(StandardCharsets.UTF_8));
            if (call instanceof Call.Connect) return Result.error(Errno.ECONNREFUSED);
            return Result.ok(0);
        }
        public void sleep(long nanos) { now += nanos; }
        public void exit(String process) {}
        public List<NetstatRow> netstat() { return List.of(); }
        public List<Event> drainEvents() { return List.of(); }
    }

    final List<EchoBackend> backends = new ArrayList<>();

    Outcome run(String... args) {
        return run("", false, args);
    }

    Outcome run(String input, boolean terminal, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new Main.Env(new PrintWriter(out), new PrintWriter(err),
                new BufferedReader(new StringReader(input)), terminal, (profile, seed) -> {
                    EchoBackend b = new EchoBackend(seed);
                    backends.add(b);
                    return b;
                }));
        return new Outcome(code, out.toString(), err.toString());
    }

    Path script(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void versionComesFromThePom() {
        Outcome o = run("--version");
        assertEquals(new Outcome(0, "tcpsim 0.1.0\n", ""), o);
    }

    @Test
    void helpListsEveryCommand() {
        Outcome o = run("--help");
        assertEquals(0, o.code());
        for (String command : List.of("run", "step", "capture", "check", "replay", "help")) {
            assertTrue(o.out().matches("(?s).*\\n  " + command + " +\\S.*"), command + " missing from:\n" + o.out());
        }
        assertEquals("", o.err());
    }

    @Test
    void aRunWhoseExpectationsHoldExitsZero() throws IOException {
        Path p = script("ok.yaml", "name: ok\nseed: 7\nsteps:\n  - c = socket()\n  - recv(c, 10) = 2 \"hi\"\n  - sleep 1ms\n");
        Outcome o = run("run", p.toString());
        assertEquals(new Outcome(0, String.join("\n",
                "# tcpsim run " + p + " --seed 7",
                "00:00:00.000000 [main] c = socket() = 3",
                "00:00:00.000005 [main] recv(c, 10) = 2 \"hi\"",
                "00:00:00.000010 -- sleep 1ms", ""), ""), o);
        assertEquals(7, backends.get(0).seed);
    }

    @Test
    void theSeedOptionWinsOverTheScriptsSeed() throws IOException {
        Path p = script("seed.yaml", "name: s\nseed: 7\nsteps:\n  - c = socket()\n");
        Outcome o = run("run", p.toString(), "--seed", "99");
        assertEquals("# tcpsim run " + p + " --seed 99\n00:00:00.000000 [main] c = socket() = 3\n", o.out());
        assertEquals(99, backends.get(0).seed);
    }

    @Test
    void aFailedExpectationExitsOne() throws IOException {
        Path p = script("bad.yaml", "name: b\nseed: 1\nsteps:\n  - c = socket()\n  - connect(c, 127.0.0.1:9) = 0\n");
        Outcome o = run("run", p.toString());
        assertEquals(new Outcome(1, String.join("\n",
                "# tcpsim run " + p + " --seed 1",
                "00:00:00.000000 [main] c = socket() = 3",
                "00:00:00.000005 [main] connect(c, 127.0.0.1:9) = -1 ECONNREFUSED (Connection refused)",
                "    ^ expected: 0 (" + p + ":5)",
                "# 1 expectation failed", ""), ""), o);
    }

    @Test
    void aBadScriptIsOneLineOnStderrAndNothingOnStdout() throws IOException {
        Path p = script("typo.yaml", "name: t\nsteps:\n  - c = socket()\n  - sned(c, \"a\")\n");
        Outcome o = run("run", p.toString());
        assertEquals(new Outcome(2, "", "tcpsim: " + p + ":4:5: unknown call 'sned'; known calls: accept, accept4, bind, close, connect, dup, dup2, epoll_create, epoll_create1, epoll_ctl, epoll_wait, fcntl, fork, getpeername, getsockname, getsockopt, ioctl, listen, pipe, poll, read, readv, recv, recvfrom, recvmsg, select, send, sendmsg, sendto, setsockopt, shutdown, signal, socket, socketpair, write, writev\n"), o);
        assertTrue(backends.isEmpty());
    }

    @Test
    void aMissingFileIsExitTwo() {
        Path p = dir.resolve("nope.yaml");
        assertEquals(new Outcome(2, "", "tcpsim: cannot read " + p + ": No such file or directory\n"), run("run", p.toString()));
    }

    @Test
    void badUsageIsOneLineAndExitTwo() {
        assertEquals(new Outcome(2, "", "tcpsim: Unknown option: '--bogus' (see tcpsim run --help)\n"), run("run", "--bogus", "x.yaml"));
        assertEquals(new Outcome(2, "", "tcpsim: Missing required parameter: 'SCRIPT' (see tcpsim run --help)\n"), run("run"));
        assertEquals(new Outcome(2, "", "tcpsim: Invalid value for option '--seed': 'x' is not a long (see tcpsim run --help)\n"),
                run("run", "--seed", "x", "a.yaml"));
        assertEquals(new Outcome(2, "", "tcpsim: Unknown option: '--bogus' (see tcpsim --help)\n"), run("--bogus"));
        assertEquals(new Outcome(2, "", "tcpsim: a command is missing; commands: run, step, capture, check, replay, fuzz, help (see tcpsim --help)\n"), run());
    }

    @Test
    void aBackendThatBreaksIsAnInternalErrorWithoutAStackTrace() throws IOException {
        Path p = script("x.yaml", "name: x\nsteps:\n  - c = socket()\n");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new String[] {"run", p.toString()}, new Main.Env(new PrintWriter(out), new PrintWriter(err),
                new BufferedReader(new StringReader("")), false, (profile, seed) -> {
                    throw new UnsupportedOperationException("the model is a stub");
                }));
        assertEquals(new Outcome(3, "", "tcpsim: internal error (a bug in tcpsim): the model is a stub\n"),
                new Outcome(code, out.toString(), err.toString()));
    }

    @Test
    void dryRunOnlyParses() throws IOException {
        Path p = script("d.yaml", "name: d\nsteps:\n  - c = socket()\n  - server: s = socket()\n");
        assertEquals(new Outcome(0, "# tcpsim run " + p + " --dry-run: 2 steps, processes main, server: ok\n", ""),
                run("run", p.toString(), "--dry-run"));
        assertTrue(backends.isEmpty());
    }

    @Test
    void recordWritesResultsAndKeepsEverythingElse() throws IOException {
        String before = "# a comment\nname: r   # trailing\nseed: 3\nsteps:\n  - c = socket()   # made here\n"
                + "  - 'recv(c, 10) = 5'\n  - \"connect(c, 127.0.0.1:9)\"\n  - close(c) = 0\n";
        Path p = script("r.yaml", before);
        Outcome o = run("run", p.toString(), "--record");
        assertEquals(0, o.code());
        assertEquals("tcpsim: recorded 3 results in " + p + "\n", o.err());
        assertEquals("# a comment\nname: r   # trailing\nseed: 3\nsteps:\n  - c = socket() = 3   # made here\n"
                + "  - 'recv(c, 10) = 2 \"hi\"'\n  - \"connect(c, 127.0.0.1:9) = -1 ECONNREFUSED\"\n  - close(c) = 0\n",
                Files.readString(p));
        Outcome again = run("run", p.toString());
        assertEquals(0, again.code(), again.out());
        try (var files = Files.list(dir)) {
            assertEquals(List.of("r.yaml"), files.map(f -> f.getFileName().toString()).toList());
        }
    }

    @Test
    void stepPrintsEachStepWithoutATerminal() throws IOException {
        Path p = script("s.yaml", "name: s\nseed: 5\nsteps:\n  - c = socket()\n  - close(c)\n");
        Outcome o = run("step", p.toString());
        assertEquals(new Outcome(0, String.join("\n",
                "# tcpsim step " + p + " --seed 5",
                "## step 1/2 (" + p + ":4): c = socket()",
                "00:00:00.000000 [main] c = socket() = 3",
                "## step 2/2 (" + p + ":5): close(c)",
                "00:00:00.000005 [main] close(c) = 0", ""), ""), o);
    }

    @Test
    void stepOnATerminalWaitsForEnterAndQQuits() throws IOException {
        Path p = script("q.yaml", "name: q\nseed: 5\nsteps:\n  - c = socket()\n  - close(c)\n");
        Outcome o = run("q\n", true, "step", p.toString());
        assertEquals(new Outcome(0, String.join("\n",
                "# tcpsim step " + p + " --seed 5",
                "## step 1/2 (" + p + ":4): c = socket()",
                "00:00:00.000000 [main] c = socket() = 3", ""), "-- Enter: next step, q: quit -- "), o);
        assertEquals(List.of("socket"), backends.get(0).calls);
    }

    @Test
    void theShippedExampleParses() {
        Path p = Path.of("..", "examples", "close-then-send.yaml");
        assertEquals(new Outcome(0, "# tcpsim run " + p + " --dry-run: 18 steps, processes main: ok\n", ""),
                run("run", p.toString(), "--dry-run"));
    }

    @Test
    void picturesAreWrittenBesideAnUnchangedTrace() throws IOException {
        Path p = script("pic.yaml", "name: pic\nseed: 7\nsteps:\n  - c = socket()\n  - connect(c, 127.0.0.1:9)\n  - sleep 5s\n");
        Path svg = dir.resolve("pic.svg"), html = dir.resolve("pic.html");
        Outcome plain = run("run", p.toString());
        Outcome drawn = run("run", p.toString(), "--svg", svg.toString(), "--html", html.toString());
        assertEquals(plain, drawn);
        String picture = Files.readString(svg);
        assertTrue(picture.startsWith("<?xml") && picture.contains("<svg") && picture.contains("connect(c, 127.0.0.1:9) = -1 ECONNREFUSED"), picture);
        assertTrue(picture.contains(">\u2026 5 s \u2026</text>"), picture);
        String page = Files.readString(html);
        assertTrue(page.startsWith("<!DOCTYPE html>") && page.contains("<svg") && page.contains("const STEPS"), page);
    }

    @Test
    void theHtmlPageCarriesTheEndpointsAfterEachStep() throws IOException {
        Path html = dir.resolve("c.html");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new String[] {"run", Path.of("..", "examples", "close-then-send.yaml").toString(), "--html", html.toString()},
                new Main.Env(new PrintWriter(out), new PrintWriter(err), new BufferedReader(new StringReader("")), false,
                        io.tcpsim.model.Model::new));
        assertEquals(0, code, err.toString());
        String page = Files.readString(html);
        assertTrue(page.contains("after step 13/18"), page);
        assertTrue(page.contains("FIN_WAIT2 (orphan)") || page.contains("[timewait minisock] FIN_WAIT2"), page);
    }

    @Test
    void aPictureThatCannotBeWrittenIsExitTwo() throws IOException {
        Path p = script("w.yaml", "name: w\nsteps:\n  - c = socket()\n");
        Outcome o = run("run", p.toString(), "--svg", dir.resolve("no/such/dir/x.svg").toString());
        assertEquals(2, o.code());
        assertEquals("tcpsim: cannot write " + dir.resolve("no/such/dir/x.svg") + ": No such file or directory\n", o.err());
        assertEquals("", o.out());
    }
}
