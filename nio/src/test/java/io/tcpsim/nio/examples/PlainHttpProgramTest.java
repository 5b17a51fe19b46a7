package io.tcpsim.nio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** An unmodified program (PlainHttp) on the model, by system property alone, in a JVM of its own. */
class PlainHttpProgramTest {
    @Test
    void theSystemPropertyPutsAnUnmodifiedProgramOnTheModel() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(),
                "-Djava.nio.channels.spi.SelectorProvider=io.tcpsim.nio.TcpsimSelectorProvider",
                "-Dtcpsim.trace=-", "-cp", System.getProperty("java.class.path"), PlainHttp.class.getName())
                .start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the program did not end");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        List<String> err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals("client got: HTTP/1.0 200 OK\n", out, () -> String.join("\n", err));
        assertEquals(0, p.exitValue());
        assertEquals("# tcpsim nio, seed 1", err.get(0));
        // The trace: the handshake on 8080, the request, the answer and the server's close, as tcpsim run prints them.
        assertTrue(err.contains("00:00:00.000000 IP 127.0.0.1.60004 > 127.0.0.1.8080: Flags [S], seq 3822200633, win 65495, "
                + "options [mss 65495,sackOK,TS val 3220065313 ecr 0,nop,wscale 10], length 0"), () -> String.join("\n", err));
        assertTrue(err.stream().anyMatch(l -> l.contains("127.0.0.1.8080 > 127.0.0.1.60004: Flags [P.], seq 1:41")
                && l.endsWith("length 40: HTTP: HTTP/1.0 200 OK")), () -> String.join("\n", err));
        assertTrue(err.stream().anyMatch(l -> l.matches("\\S+ \\[server\\] accept\\(3\\) = \\d+")), () -> String.join("\n", err));
    }
}
