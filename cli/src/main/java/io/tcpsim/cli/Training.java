package io.tcpsim.cli;

import io.tcpsim.model.Model;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The training run behind the launcher's class-data archive (AppCDS). {@code ./tcpsim} runs it once per jar and JDK
 * with {@code -XX:DumpLoadedClassList}, then archives the classes it loaded with {@code -Xshare:dump}; later runs map
 * them instead of reading, parsing and verifying them from the jar (docs/benchmarks.md, "Whole process").
 *
 * <p>It does in one JVM what users do most: run a seed scenario as text and as JSON and write its pcap, replay that
 * capture as text, JSON and annotated, and print a command's help. It prints nothing, leaves nothing behind, and
 * exits 1 when a command did not end as it should (the launcher then makes no archive).
 */
final class Training {
    private Training() {}

    /** The seed scenario close-then-send (traces/scenarios/seeds/), so that the jar needs no file of the repository. */
    static final String SCRIPT = """
            name: close-then-send
            seed: 1
            steps:
              - a = socket() = 3
              - setsockopt(a, SO_REUSEADDR, 1) = 0
              - bind(a, 127.0.0.1:4321) = 0
              - listen(a, 1) = 0
              - c = socket() = 4
              - fcntl(c, F_SETFL, O_NONBLOCK) = 0
              - connect(c, 127.0.0.1:4321) = -1 EINPROGRESS
              - fcntl(c, F_SETFL, 0) = 0
              - s = accept(a) = 5
              - poll(c, POLLOUT) = POLLOUT
              - getsockopt(c, SO_ERROR) = 0
              - netstat
              - close(c) = 0
              - send(s, "a", MSG_NOSIGNAL) = 1
              - send(s, "a", MSG_NOSIGNAL) = -1 EPIPE
              - sleep 5s
            """;

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("tcpsim-training");
        boolean ok;
        try {
            Path script = Files.writeString(dir.resolve("close-then-send.yaml"), SCRIPT);
            String s = script.toString(), pcap = dir.resolve("close-then-send.pcap").toString();
            ok = run("run", s) & run("run", s, "--json") & run("run", s, "--pcap", pcap)
                    & run("replay", pcap) & run("replay", pcap, "--json") & run("replay", pcap, "--annotate")
                    & run("run", "--help");
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
        System.exit(ok ? 0 : 1);
    }

    /** One command, as Main runs it, with its output thrown away; true when it exits 0. */
    private static boolean run(String... args) {
        PrintWriter none = new PrintWriter(Writer.nullWriter());
        return Main.run(args, new Main.Env(none, none, new BufferedReader(new StringReader("")), false, Model::new))
                == Main.OK;
    }
}
