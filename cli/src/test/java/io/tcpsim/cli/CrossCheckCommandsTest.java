package io.tcpsim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import io.tcpsim.kernel.KernelBackend;
import io.tcpsim.kernel.KernelUnavailableException;
import io.tcpsim.model.Model;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tcpsim capture and tcpsim check on the real kernel (root and libpcap needed: these fail, never skip). */
class CrossCheckCommandsTest {
    static final Path EXAMPLE = Path.of("../examples/close-then-send.yaml");

    @TempDir
    Path dir;

    record Outcome(int code, String out, String err) {}

    static Outcome run(Main.Env env, StringWriter out, StringWriter err, String... args) {
        int code = Main.run(args, env);
        return new Outcome(code, out.toString(), err.toString());
    }

    static Outcome run(java.util.function.BiFunction<io.tcpsim.model.Profile, Long, io.tcpsim.backend.Backend> model,
                       java.util.function.Supplier<io.tcpsim.backend.Backend> kernel, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        Main.Env env = new Main.Env(new PrintWriter(out), new PrintWriter(err), new BufferedReader(new StringReader("")),
                false, model, kernel);
        return run(env, out, err, args);
    }

    static Outcome real(String... args) {
        return run(Model::new, KernelBackend::new, args);
    }

    @Test
    void captureWritesThePcapTcpdumpReadsAndPrintsTcpdumpsLines() throws Exception {
        Path pcap = dir.resolve("run.pcap");
        Outcome o = real("capture", EXAMPLE.toString(), "-o", pcap.toString(), "--seed", "1");
        assertEquals(0, o.code(), o.err());
        assertEquals("", o.err());
        List<String> lines = List.of(o.out().split("\n"));
        assertEquals("# tcpsim capture ../examples/close-then-send.yaml --seed 1", lines.get(0));
        List<String> printed = lines.stream().filter(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{6} IP .*")).toList();
        assertEquals(7, printed.size(), o.out());
        // The RST carries the kernel's own reason (tcp_send_reset), which tcpdump does not print: the orphan's
        // timewait minisock answered the data (the model gives the same, check compares them).
        assertTrue(printed.get(6).endsWith(", reason TCP_TIMEWAIT_SOCKET"), printed.get(6));
        List<String> packets = printed.stream().map(l -> l.replaceFirst(", reason [A-Z0-9_]+$", "")).toList();
        assertEquals(tcpdump(pcap), packets);
        assertTrue(lines.contains(lines.stream().filter(l -> l.contains("send(s, \"a\", MSG_NOSIGNAL) = -1 EPIPE")).findFirst()
                .orElseThrow()));
    }

    @Test
    void captureRelativeStartsAtMidnightAndKeepsTheRealTimesInTheFile() throws Exception {
        Path pcap = dir.resolve("rel.pcap");
        Outcome o = real("capture", EXAMPLE.toString(), "-o", pcap.toString(), "--relative");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().split("\n")[1].startsWith("00:00:00.000000 [main] a = socket() = 3"), o.out());
        List<String> file = tcpdump(pcap);
        assertEquals(7, file.size());
        // The file has the real times of day; the printed lines have the same packets, times aside.
        List<String> printed = Arrays.stream(o.out().split("\n")).filter(l -> l.contains(" IP 127."))
                .map(l -> l.replaceFirst(", reason [A-Z0-9_]+$", "")).toList();
        for (int i = 0; i < 7; i++) assertEquals(file.get(i).substring(15), printed.get(i).substring(15));
    }

    /** One line that names the command and what it needs, exit 2, and nothing on stdout (check's header neither). */
    @Test
    void withoutTheKernelCaptureAndCheckSayWhatIsNeededAndExit2() {
        for (String need : List.of(KernelUnavailableException.NEEDS_PRIVILEGE, KernelUnavailableException.NEEDS_LIBPCAP)) {
            java.util.function.Supplier<io.tcpsim.backend.Backend> none = () -> {
                throw new KernelUnavailableException(need);
            };
            assertEquals(new Outcome(2, "", "tcpsim: capture " + need + "\n"),
                    run(Model::new, none, "capture", EXAMPLE.toString(), "-o", dir.resolve("x.pcap").toString()));
            assertEquals(new Outcome(2, "", "tcpsim: check " + need + "\n"), run(Model::new, none, "check", EXAMPLE.toString()));
            assertEquals(new Outcome(2, "", "tcpsim: check " + need + "\n"),
                    run(Model::new, none, "check", EXAMPLE.toString(), "--json", "--svg", dir.resolve("x.svg").toString()));
        }
        assertEquals("needs root or CAP_SYS_ADMIN+CAP_NET_ADMIN+CAP_NET_RAW (to unshare a network namespace, bring lo "
                + "up and capture on it)", KernelUnavailableException.NEEDS_PRIVILEGE);
        assertFalse(Files.exists(dir.resolve("x.pcap")) || Files.exists(dir.resolve("x.svg")));
    }

    @Test
    void checkAgreesOnTheExample() {
        Outcome o = real("check", EXAMPLE.toString(), "--seed", "1", "--runs", "2");
        assertEquals(0, o.code(), o.out() + o.err());
        List<String> lines = List.of(o.out().split("\n"));
        assertEquals("# tcpsim check ../examples/close-then-send.yaml --seed 1 --runs 2", lines.get(0));
        // Which timing rules a run needed depends on how busy the machine was (a loaded CI machine wakes the
        // kernel's 5 s sleep a tick late: timer-tick-late); that it agreed, and on what, does not.
        assertTrue(lines.get(1).matches("# run 1/2: agree \\(7 packets, 14 calls, 3 netstat tables; rules used: "
                + "(none|[a-z-]+ x\\d+(, [a-z-]+ x\\d+)*); kernel run [0-9.]+ ms\\)"), lines.get(1));
        assertEquals("# agree on 2 of 2 runs", lines.get(lines.size() - 1));
    }

    @Test
    void checkWithAFlippedModelRuleExits1AndMarksTheCall() {
        // Test-only: the model with ECONNRESET where tcp_reset sets EPIPE (an RST in CLOSE_WAIT).
        Outcome o = run((profile, seed) -> new FlippedModel(new Model(profile, seed)), KernelBackend::new,
                "check", EXAMPLE.toString(), "--seed", "1");
        assertEquals(1, o.code(), o.out() + o.err());
        String expected = "call at line 22 (send(s, \"a\", MSG_NOSIGNAL)) field errno: expected ECONNRESET vs actual EPIPE";
        List<String> lines = List.of(o.out().split("\n"));
        assertEquals("# run 1/1: differ: " + expected, lines.get(1).substring(0, lines.get(1).indexOf(" (7 packets")));
        assertTrue(lines.contains(expected), o.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(">>> 00:00:00.030060 [main] send(s, \"a\", MSG_NOSIGNAL) = -1 ECONNRESET")), o.out());
        assertEquals("# differ on 1 of 1 runs", lines.get(lines.size() - 1));
    }

    @Test
    void checkDrawsTheModelAndTheKernelSideBySideWithTheDivergenceMarked() throws Exception {
        Path svg = dir.resolve("check.svg");
        Outcome o = run((profile, seed) -> new FlippedModel(new Model(profile, seed)), KernelBackend::new,
                "check", EXAMPLE.toString(), "--seed", "1", "--svg", svg.toString());
        assertEquals(1, o.code(), o.out() + o.err());
        String picture = Files.readString(svg);
        assertTrue(picture.contains(">model</text>") && picture.contains(">kernel</text>"), picture);
        assertTrue(picture.contains("first divergence: call at line 22"), picture);
        assertTrue(picture.contains("send(s, &quot;a&quot;, MSG_NOSIGNAL) = -1 ECONNRESET")
                && picture.contains("send(s, &quot;a&quot;, MSG_NOSIGNAL) = -1 EPIPE"), picture);
    }

    /** Rewrites one result of the model: a send failing with EPIPE fails with ECONNRESET instead. */
    static final class FlippedModel implements io.tcpsim.backend.Backend {
        final io.tcpsim.backend.Backend model;

        FlippedModel(io.tcpsim.backend.Backend model) { this.model = model; }

        public String name() { return model.name(); }
        public long now() { return model.now(); }
        public Result call(String process, Call call) {
            Result r = model.call(process, call);
            return call instanceof Call.Send && r.errno() == Errno.EPIPE ? Result.error(Errno.ECONNRESET) : r;
        }
        public void sleep(long nanos) { model.sleep(nanos); }
        public void exit(String process) { model.exit(process); }
        public List<io.tcpsim.backend.NetstatRow> netstat() { return model.netstat(); }
        public List<io.tcpsim.backend.Event> drainEvents() { return model.drainEvents(); }
        public void close() { model.close(); }
    }

    static List<String> tcpdump(Path pcap) throws Exception {
        Path bin = Path.of("/usr/bin/tcpdump");
        if (!Files.isExecutable(bin)) fail("tcpdump not found at " + bin + ": install it (apt-get install tcpdump)");
        ProcessBuilder pb = new ProcessBuilder(bin.toString(), "-nn", "-r", pcap.toString()).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("TZ", "UTC");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }
}
