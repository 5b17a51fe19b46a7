package io.tcpsim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.backend.Backend;
import io.tcpsim.kernel.KernelUnavailableException;
import io.tcpsim.model.Model;
import io.tcpsim.model.Profile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19's reproducers (traces/hostile/README.md says which file is which item): each gives exit 0, 1 or 2 with
 * one clear line, within {@link #SECONDS} s of CPU, in a JVM of its own with a 256 MB heap ({@code -Xmx256m}): the cases
 * run one after the other through the cli's {@code Main} in that child JVM, each timed there. No device, FIFO or
 * symbolic link given as an output is replaced. The fuzzer's regression corpus is {@link HostileFuzzTest}'s.
 */
class HostileCorpusTest {
    static final long SECONDS = 5;
    /**
     * The wall-clock bound: the machine's two cores are shared (CI, other builds), so the 5 s are counted in the
     * case's own CPU time, and the wall clock only catches a wait (a FIFO, a sleep) that costs no CPU.
     */
    static final long WALL_SECONDS = 20;
    static final Path CORPUS = Path.of("../traces/hostile");
    static final String SEED = "../traces/scenarios/seeds/close-then-send.yaml";

    @TempDir
    static Path dir;

    /**
     * One reproducer: the command, the exit code, and the one line on stderr (a regular expression; null: stderr
     * empty). A first argument {@code @kernel=NAME} picks the kernel stand-in for check.
     */
    record Case(String item, List<String> args, int code, String err) {
        static Case of(String item, int code, String err, String... args) {
            return new Case(item, List.of(args), code, err);
        }
    }

    static List<Case> cases;
    static List<String[]> results = new ArrayList<>();

    static Path fifo(String name) throws Exception {
        Path f = dir.resolve(name);
        assertEquals(0, new ProcessBuilder("mkfifo", f.toString()).inheritIO().start().waitFor());
        return f;
    }

    static String p(Path file) {
        return file.toString();
    }

    static String h(String name) {
        return CORPUS.resolve(name).toString();
    }

    @BeforeAll
    static void runAll() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path target = Files.writeString(dir.resolve("target.pcap"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.pcap"), target);
        Path script = Files.copy(Path.of(SEED), dir.resolve("script.yaml"));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r-----"));
        Path scriptLink = Files.createSymbolicLink(dir.resolve("script-link.yaml"), script);
        Path outFifo = fifo("out.fifo"), inFifo = fifo("in.fifo");
        Path open = dir.resolve("open-flows.pcap");
        HostileCaptures.openFlows(open, io.tcpsim.replay.Replay.MAX_OPEN_FLOWS + 1000);
        Path longLine = dir.resolve("long-line.yaml"), tooLong = dir.resolve("too-long.yaml");
        Files.writeString(longLine, "name: a\nsteps:\n  - close(" + "a".repeat(ScriptFile.MAX_BYTES - 40) + ")\n");
        Files.writeString(tooLong, "name: a\nsteps:\n  - close(" + "a".repeat(8 << 20) + ")\n");
        String exitTwoLine = "tcpsim: [^\n]+";
        cases = List.of(
                Case.of("1", 0, null, "run", SEED, "--seed", "1", "--pcap", "/dev/null", "--svg", "/dev/null"),
                Case.of("1", 2, "tcpsim: cannot write /dev/full: No space left on device", "run", SEED, "--pcap", "/dev/full"),
                Case.of("1", 0, null, "run", SEED, "--seed", "1", "--pcap", p(link)),
                Case.of("1", 2, "tcpsim: cannot write " + Pattern.quote(p(outFifo)) + ": a FIFO that no program opened for reading within 2 s",
                        "run", SEED, "--pcap", p(outFifo)),
                Case.of("1", 0, "tcpsim: recorded 0 results in " + Pattern.quote(p(scriptLink)), "run", p(scriptLink), "--seed", "1", "--record"),
                Case.of("2", 1, null, "replay", h("item02-syn-all-flags.pcap"), "--json"),
                Case.of("2", 1, null, "replay", h("item02-self-connect.pcap"), "--json"),
                Case.of("2", 1, null, "replay", h("item02-negative-gap.pcap")),
                Case.of("3", 1, null, "replay", h("item03-gibibyte-ahead.pcap")),
                Case.of("4", 1, null, "replay", h("item04-time-jump.pcap")),
                Case.of("5", 1, null, "@kernel=slow-lo", "check", SEED, "--seed", "1", "--json"),
                Case.of("5", 1, null, "replay", h("item05-rst-30ms-late.pcap"), "--json"),
                Case.of("6", 1, null, "replay", p(open), "--summary"),
                Case.of("8", 2, "tcpsim: /dev/zero: larger than 1 MiB, the limit for a script \\(docs/limits.md\\)", "run", "/dev/zero"),
                Case.of("8", 2, "tcpsim: /dev/urandom: larger than 1 MiB, the limit for a script \\(docs/limits.md\\)", "run", "/dev/urandom"),
                Case.of("8", 2, "tcpsim: " + Pattern.quote(p(inFifo)) + ": a FIFO that no program opened for writing within 2 s", "run", p(inFifo)),
                Case.of("8", 2, "tcpsim: " + Pattern.quote(p(inFifo)) + ": a FIFO that no program opened for writing within 2 s", "replay", p(inFifo)),
                Case.of("9", 0, null, "run", h("item09-byte-count-sends.yaml"), "--seed", "1"),
                Case.of("10", 2, "tcpsim: cannot draw " + Pattern.quote(p(out.resolve("many.html"))) + ": the picture would be too large: .*",
                        "run", h("item10-many-connections.yaml"), "--seed", "1", "--html", p(out.resolve("many.html"))),
                Case.of("11", 2, "tcpsim: \\S+item11-yaml-alias.yaml:4:5: YAML aliases \\(\\*netstat\\) are not read: write the value out where it is used",
                        "run", h("item11-yaml-alias.yaml")),
                Case.of("13", 0, null, "run", h("item13-close-ebadf.yaml"), "--seed", "1", "--svg", p(out.resolve("ebadf.svg"))),
                Case.of("15", 2, "tcpsim: \\S+long-line.yaml:3:11: unknown descriptor 'a{80}\\.\\.\\. \\(\\d+ characters\\)'.*",
                        "run", p(longLine)),
                Case.of("15", 2, "tcpsim: \\S+too-long.yaml: larger than 1 MiB, the limit for a script \\(docs/limits.md\\)", "run", p(tooLong)),
                Case.of("16", 2, "tcpsim: \\S+item16-sleeps-overflow.yaml:4:5: the sleeps add up to more than 2305843009 s, .*",
                        "run", h("item16-sleeps-overflow.yaml")),
                Case.of("17", 2, "tcpsim: \\S+item17-cr-only.yaml:4:5: unknown call 'sned'.*", "run", h("item17-cr-only.yaml")),
                Case.of("18", 2, "tcpsim: the script's file name is empty", "run", ""),
                Case.of("18", 2, "tcpsim: --flow must be at least 1 .*", "replay", h("item02-self-connect.pcap"), "--flow", "-1"),
                Case.of("19", 2, "tcpsim: check " + Pattern.quote(KernelUnavailableException.NEEDS_PRIVILEGE), "check", SEED));
        Path list = dir.resolve("cases.txt");
        Files.write(list, cases.stream().map(c -> String.join("\u0001", c.args())).toList(), StandardCharsets.UTF_8);
        Path results = dir.resolve("results");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), HostileCorpusTest.class.getName(), p(list), p(results));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        assertTrue(child.waitFor(10, TimeUnit.MINUTES), "the child JVM did not finish");
        assertEquals(0, child.exitValue(), Files.readString(dir.resolve("child.log")));
        HostileCorpusTest.results.clear();
        for (int i = 0; i < cases.size(); i++)
            HostileCorpusTest.results.add(Files.readString(results.resolve(i + ".txt")).split("\u0001", -1));
    }

    /** The child JVM: runs each case of {@code args[0]} and writes code, milliseconds, stdout and stderr. */
    public static void main(String[] args) throws IOException {
        List<String> lines = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
        Path results = Files.createDirectories(Path.of(args[1]));
        for (int i = 0; i < lines.size(); i++) {
            List<String> a = new ArrayList<>(List.of(lines.get(i).split("\u0001", -1)));
            Supplier<Backend> kernel = () -> {
                throw new KernelUnavailableException(KernelUnavailableException.NEEDS_PRIVILEGE);
            };
            if (a.get(0).equals("@kernel=slow-lo")) { // a kernel stand-in whose loopback takes 20 ms: timing differs
                a.remove(0);
                kernel = () -> new Model(Profile.linux6().with("loopback_delay", "20000us"), 1);
            }
            StringWriter out = new StringWriter(), err = new StringWriter();
            java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
            long start = System.nanoTime(), startCpu = cpu.getCurrentThreadCpuTime();
            int code = Main.run(a.toArray(String[]::new), new Main.Env(new PrintWriter(out), new PrintWriter(err),
                    new BufferedReader(new StringReader("")), false, Model::new, kernel));
            long ms = (System.nanoTime() - start) / 1_000_000, cpuMs = (cpu.getCurrentThreadCpuTime() - startCpu) / 1_000_000;
            Files.writeString(results.resolve(i + ".txt"), code + "\u0001" + cpuMs + "\u0001" + out + "\u0001" + err
                    + "\u0001" + ms);
        }
    }

    @Test
    void everyReproducerExitsZeroOneOrTwoWithOneLineInTime() {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            String[] r = results.get(i);
            int code = Integer.parseInt(r[0]);
            long ms = Long.parseLong(r[1]), wall = Long.parseLong(r[4]);
            String err = r[3];
            String what = "item " + c.item() + " (tcpsim " + String.join(" ", c.args()) + ")";
            if (code != c.code()) failures.add(what + ": exit " + code + ", expected " + c.code() + ": " + err.strip());
            if (ms > SECONDS * 1000) failures.add(what + ": " + ms + " ms of CPU");
            if (wall > WALL_SECONDS * 1000) failures.add(what + ": " + wall + " ms");
            if (c.err() == null ? !err.isEmpty() : !err.matches(c.err() + "\n"))
                failures.add(what + ": stderr " + (err.isEmpty() ? "empty" : "'" + err.strip() + "'") + ", expected " + c.err());
            if (code == 2 && !r[2].isEmpty() && !c.args().contains("replay"))
                failures.add(what + ": printed on stdout before failing: " + r[2].lines().findFirst().orElse(""));
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void noDeviceFifoOrLinkIsReplaced() throws IOException {
        assertTrue(Files.isSymbolicLink(dir.resolve("link.pcap")), "the link stays a link");
        assertTrue(Files.size(dir.resolve("target.pcap")) > 24, "the link's target was written");
        assertTrue(Files.isSymbolicLink(dir.resolve("script-link.yaml")), "--record keeps the script's link");
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("script.yaml"))),
                "--record keeps the script's mode");
        for (String fifo : List.of("out.fifo", "in.fifo"))
            assertTrue(Files.readAttributes(dir.resolve(fifo), java.nio.file.attribute.PosixFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).isOther(), fifo + " is still a FIFO");
        for (String device : List.of("/dev/null", "/dev/full"))
            assertTrue(Files.readAttributes(Path.of(device), java.nio.file.attribute.PosixFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).isOther(), device + " is still a device");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.filter(f -> f.getFileName().toString().endsWith(".tcpsim-tmp")).toList(), "no temporary left");
        }
    }

    @Test
    void evictionIsReportedAndTheCheckReportsTheTiming() {
        String replay = results.get(indexOf("6"))[2];
        assertTrue(replay.contains("1000 flow(s) evicted: more than " + io.tcpsim.replay.Replay.MAX_OPEN_FLOWS + " open at once"),
                replay.lines().reduce((a, b) -> b).orElse(""));
        String check = results.get(indexOf("5"))[2];
        assertTrue(check.startsWith("{\"type\":\"check\""), check);
        assertTrue(check.contains("\"agree\":false"), check);
    }

    static int indexOf(String item) {
        for (int i = 0; i < cases.size(); i++) if (cases.get(i).item().equals(item)) return i;
        throw new AssertionError(item);
    }
}
