package io.tcpsim.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.packetdrill.PktException;
import io.tcpsim.packetdrill.PktParser;
import io.tcpsim.packetdrill.PktSnippets;
import io.tcpsim.packetdrill.SharedTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real packetdrill's parser ({@code --dry_run}: parse and configure, run nothing) is the reference for tcpsim's
 * .pkt reader. It accepts every snippet the reader accepts, refuses every snippet the reader refuses and, where its
 * message names a line, names the same line; the few the reader refuses and packetdrill takes are listed here and
 * checked to be so. On the published scripts both accept and refuse the same ones. packetdrill is built from
 * ../shared with its build.sh (gcc, make, flex, bison: .ci/run installs them); without them this test fails.
 */
class PacketdrillAgreesWithTheReaderTest {

    /** Refused by the reader, read by packetdrill: it sockaddr-s any family and saturates any number (parser.y). */
    static final Set<String> STRICTER = Set.of("bad family", "number too large");

    /** Forms packetdrill reads that tcpsim's reader does not support yet. */
    static final Set<String> NOT_SUPPORTED = Set.of("gre", "mpls stack");

    static final List<String> WIRE_CLIENT = List.of("--wire_client", "--wire_client_dev=lo", "--wire_server_ip=127.0.0.1");

    static Path binary;

    @TempDir
    Path tmp;

    static synchronized Path packetdrill() throws IOException, InterruptedException {
        if (binary != null) return binary;
        Path out = Path.of("target/packetdrill-bin").toAbsolutePath();
        Path bin = out.resolve("packetdrill");
        if (!Files.isExecutable(bin)) {
            Path build = SharedTree.locate().resolve("packetdrill/build.sh");
            Process p = new ProcessBuilder(build.toString(), out.toString()).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), "build.sh did not finish");
            assertEquals(0, p.exitValue(), () -> "building packetdrill failed (.ci/run installs gcc make flex bison):\n" + log);
        }
        return binary = bin;
    }

    /** packetdrill's exit code and output for {@code --dry_run ARGS FILE}, run in {@code dir}. */
    record DryRun(int exit, String output) {
        static final Pattern LINE = Pattern.compile("^([^:\\n]+\\.pkt):([0-9]+): ", Pattern.MULTILINE);

        /** The line packetdrill's message names, or -1 when it names none. */
        int line() {
            Matcher m = LINE.matcher(output);
            return m.find() ? Integer.parseInt(m.group(2)) : -1;
        }
    }

    static DryRun dryRun(Path dir, String file, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(packetdrill().toString(), "--dry_run"));
        cmd.addAll(args);
        cmd.add(file);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "packetdrill --dry_run did not finish on " + file);
        return new DryRun(p.exitValue(), out);
    }

    @TestFactory
    Stream<DynamicTest> packetdrillReadsWhatTheReaderReads() {
        return PktSnippets.ACCEPTED.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            Files.writeString(tmp.resolve("t.pkt"), e.getValue());
            List<String> args = new ArrayList<>(PktSnippets.ARGS);
            // config.c finalize_psp_config: packetdrill runs PSP only as a wire client or server, which the reader
            // has no notion of (a mode of running, not of the language).
            if (e.getValue().contains("--psp_udp_port")) args.addAll(WIRE_CLIENT);
            DryRun r = dryRun(tmp, "t.pkt", args);
            assertEquals(0, r.exit(), r.output());
        }));
    }

    @TestFactory
    Stream<DynamicTest> packetdrillRefusesWhatTheReaderRefusesAtTheSameLine() {
        return PktSnippets.REFUSED.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            Files.writeString(tmp.resolve("t.pkt"), e.getValue().text());
            DryRun r = dryRun(tmp, "t.pkt", PktSnippets.ARGS);
            if (STRICTER.contains(e.getKey()) || NOT_SUPPORTED.contains(e.getKey())) {
                assertEquals(0, r.exit(), "listed as read by packetdrill, but: " + r.output());
                return;
            }
            assertTrue(r.exit() != 0, "packetdrill reads what the reader refuses (" + e.getValue().message() + ")");
            if (r.line() >= 0) assertEquals(e.getValue().line(), r.line(), r.output());
        }));
    }

    /**
     * With run_all.py's arguments both refuse the 10 PSP scripts (packetdrill: "PSP requires wireserver mode"; the
     * reader: their undefined MSS) and read the 165 others; with the symbol and a wire client, both read all 175.
     */
    @Test
    void onThePublishedScriptsBothReadTheSameOnes() throws Exception {
        Path base = SharedTree.locate().resolve("packetdrill");
        Map<String, Boolean> ours = new TreeMap<>(), theirs = new TreeMap<>();
        Map<String, Boolean> oursAll = new TreeMap<>(), theirsAll = new TreeMap<>();
        for (Path p : SharedTree.allScripts()) {
            String rel = base.relativize(p).toString();
            List<String> args = SharedTree.runAllArguments(p);
            List<String> wider = new ArrayList<>(args);
            wider.addAll(List.of("-D", "MSS=1000"));
            wider.addAll(WIRE_CLIENT);
            String text = Files.readString(p);
            ours.put(rel, reads(rel, text, args));
            oursAll.put(rel, reads(rel, text, wider));
            theirs.put(rel, dryRun(p.getParent(), p.getFileName().toString(), args).exit() == 0);
            theirsAll.put(rel, dryRun(p.getParent(), p.getFileName().toString(), wider).exit() == 0);
        }
        assertEquals(theirs, ours);
        assertEquals(theirsAll, oursAll);
        assertEquals(165, ours.values().stream().filter(b -> b).count());
        assertEquals(175, oursAll.values().stream().filter(b -> b).count());
    }

    static boolean reads(String rel, String text, List<String> args) {
        try {
            PktParser.parse(rel, text, args);
            return true;
        } catch (PktException e) {
            return false;
        }
    }
}
