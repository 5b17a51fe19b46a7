package io.tcpsim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tcpsim capture and tcpsim check of a script with {@code hosts:}: the two-host kernel backend (root, libpcap,
 * iproute2, ethtool: these fail, never skip).
 */
class TwoHostCommandsTest {
    static final String SCRIPT = """
            name: lost-data
            hosts:
              client: 10.0.1.1
              server: 10.0.1.2
            link:
              delay: 5ms
            steps:
              - 'server: a = socket() = 3'
              - 'server: bind(a, 10.0.1.2:5001) = 0'
              - 'server: listen(a, 8) = 0'
              - 'client: c = socket() = 3'
              - 'client: connect(c, 10.0.1.2:5001) = 0'
              - 'server: s = accept(a) = 4'
              - link drop 1 client>server data
              - 'client: send(c, "hello") = 5'
              - 'server: recv(s, 100) = 5 "hello"'
              - netstat
            """;

    @TempDir
    Path dir;

    @Test
    void captureRunsOnTwoHostsAndTheFileHoldsBothEnds() throws Exception {
        Path script = Files.writeString(dir.resolve("lost-data.yaml"), SCRIPT);
        Path pcap = dir.resolve("run.pcap");
        var o = CrossCheckCommandsTest.real("capture", script.toString(), "-o", pcap.toString(), "--relative");
        assertEquals(0, o.code(), o.err() + o.out());
        List<String> lines = List.of(o.out().split("\n"));
        List<String> data = lines.stream().filter(l -> l.contains("IP 10.0.1.1.") && l.endsWith("length 5")).toList();
        assertEquals(2, data.size(), "the lost segment and its retransmission, each once: " + o.out());
        assertTrue(lines.stream().anyMatch(l -> l.endsWith(" netstat -tn on client (10.0.1.1)")), o.out());
        assertTrue(lines.stream().anyMatch(l -> l.endsWith(" netstat -tn on server (10.0.1.2)")), o.out());
        assertTrue(lines.stream().anyMatch(l -> l.endsWith(" -- link drop 1 client>server data")), o.out());
        // The file has both captures: every packet twice but the lost one, which only its sender's capture has.
        List<String> file = CrossCheckCommandsTest.tcpdump(pcap);
        long printed = lines.stream().filter(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{6} IP .*")).count();
        assertEquals(2 * printed - 1, file.size(), String.join("\n", file));
    }

    @Test
    void checkOfATwoHostScriptSaysWhatTheModelCannotRunYet() throws Exception {
        Path script = Files.writeString(dir.resolve("lost-data.yaml"), SCRIPT);
        var o = CrossCheckCommandsTest.real("check", script.toString());
        if (o.code() == Main.BAD_INPUT) {
            // The model refuses two hosts until it models them (docs/model.md): one line, nothing on stdout.
            assertEquals("", o.out());
            assertTrue(o.err().startsWith("tcpsim: " + script + ":") && o.err().contains("not modelled yet"), o.err());
        } else {
            assertTrue(o.out().contains("# run 1/1: "), o.out());
        }
    }
}
