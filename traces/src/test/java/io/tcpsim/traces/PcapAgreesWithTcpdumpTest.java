package io.tcpsim.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.pcap.PcapWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * For every scenario, the packets written as pcap ({@code tcpsim run --pcap}) read back through the real
 * {@code tcpdump -nn -r} print exactly the packet lines of the text output (less an RST's {@code , reason ...}). tcpdump must be installed: without it
 * this test fails (it never skips).
 */
class PcapAgreesWithTcpdumpTest {
    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> tcpdumpPrintsThePacketLinesByteForByte() {
        return Scenarios.all().stream().map(p -> DynamicTest.dynamicTest(Scenarios.display(p), () -> {
            Scenarios.Run run = Scenarios.run(p);
            Path pcap = tmp.resolve(p.getFileName() + ".pcap");
            PcapWriter.write(pcap, run.log().packets());
            // An RST's line ends with the kernel's reason, which is tcpsim's, not tcpdump's (docs/output-format.md).
            List<String> ours = run.text().stream().filter(Scenarios::isPacketLine)
                    .map(l -> l.replaceFirst(", reason [A-Z0-9_]+$", "")).toList();
            assertTrue(!ours.isEmpty() || run.log().packets().isEmpty());
            assertEquals(String.join("\n", ours), String.join("\n", tcpdump(pcap)));
        }));
    }

    static List<String> tcpdump(Path pcap) throws IOException, InterruptedException {
        Path bin = Path.of("/usr/bin/tcpdump");
        if (!Files.isExecutable(bin)) bin = Path.of("/usr/sbin/tcpdump");
        assertTrue(Files.isExecutable(bin), "tcpdump is not installed: apt-get install -y tcpdump (.ci/run does this)");
        ProcessBuilder pb = new ProcessBuilder(bin.toString(), "-nn", "-r", pcap.toString());
        pb.environment().put("TZ", "UTC");
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process proc = pb.start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(proc.waitFor(30, TimeUnit.SECONDS), "tcpdump did not finish");
        assertEquals(0, proc.exitValue(), "tcpdump failed on " + pcap);
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }
}
