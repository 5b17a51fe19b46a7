package io.tcpsim.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real tcpdump on a file. The tests that use it are the proof that the printer and the writer are right,
 * so a missing tcpdump is a failure, never a skip.
 */
final class Tcpdump {
    static final Path BINARY = Path.of("/usr/bin/tcpdump");

    private Tcpdump() {}

    record Output(List<String> stdout, String stderr) {}

    static Output read(Path pcap, String... flags) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            fail("tcpdump not found at " + BINARY + ": these tests compare tcpsim's output with tcpdump 4.99; "
                    + "install it (apt-get install tcpdump) instead of skipping them");
        }
        List<String> command = new ArrayList<>(List.of(BINARY.toString()));
        command.addAll(Arrays.asList(flags));
        command.addAll(List.of("-r", pcap.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("TZ", "UTC");
        Process p = pb.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> slurp(p.getErrorStream()));
        String out = slurp(p.getInputStream());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("tcpdump did not finish within 60 s: " + command);
        }
        String stderr = err.join();
        assertEquals(0, p.exitValue(), () -> command + " failed: " + stderr);
        List<String> lines = out.isEmpty() ? List.of() : List.of(out.split("\n", -1));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) lines = lines.subList(0, lines.size() - 1);
        return new Output(lines, stderr);
    }

    /** The printer emulates 4.99.3; another version may print differently, so say which one ran. */
    static void assertVersion() throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) fail("tcpdump not found at " + BINARY);
        Process p = new ProcessBuilder(BINARY.toString(), "--version").redirectErrorStream(true).start();
        String out = slurp(p.getInputStream());
        p.waitFor(30, TimeUnit.SECONDS);
        assertTrue(out.startsWith("tcpdump version 4.99."), () -> "expected tcpdump 4.99.x, found: " + out);
    }

    private static String slurp(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
