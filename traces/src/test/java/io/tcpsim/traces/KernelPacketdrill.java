package io.tcpsim.traces;

import io.tcpsim.packetdrill.SharedTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The real packetdrill on this kernel, as its own runner runs a script (run_all.py, in_netns.sh; restated in
 * tools/packetdrill/build-and-run.sh): built from ../shared, each script in a network namespace of its own with lo
 * up, from the script's folder, with run_all.py's arguments. The scripts run from a copy of gtests/net under target/
 * (the copy in ../shared stores the symlink tcp/common/defaults.sh as a text file holding its target).
 */
final class KernelPacketdrill {
    /** What packetdrill said: exit 0, or the line and the first message of its failure. */
    record Verdict(String verdict, int line, String error, String output) {}

    private final Path tree;

    private KernelPacketdrill(Path tree) {
        this.tree = tree;
    }

    /** Stages gtests/net under {@code dir} (the shared tree's symlinks restored) and tcpsim's own scripts beside it. */
    static KernelPacketdrill staged(Path dir) throws IOException {
        Path net = SharedTree.scripts();
        Path tree = dir.resolve("tree");
        if (Files.exists(tree)) {
            try (Stream<Path> s = Files.walk(tree)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    p.toFile().setWritable(true);
                    Files.delete(p);
                }
            }
        }
        try (Stream<Path> s = Files.walk(net)) {
            for (Path p : s.toList()) {
                Path to = tree.resolve(net.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else if (Files.size(p) < 200 && p.getFileName().toString().equals("defaults.sh")
                        && Files.readString(p).trim().matches("(\\.\\./)+common/defaults\\.sh")) {
                    Files.createSymbolicLink(to, Path.of(Files.readString(p).trim()));
                } else {
                    Files.copy(p, to);
                    to.toFile().setWritable(true);
                }
            }
        }
        Path own = tree.resolve("tcp/tcpsim-own");
        Files.createDirectories(own);
        try (Stream<Path> s = Files.list(ownScripts())) {
            for (Path p : s.filter(f -> f.toString().endsWith(".pkt")).toList()) Files.copy(p, own.resolve(p.getFileName()));
        }
        return new KernelPacketdrill(tree);
    }

    /** traces/packetdrill/own: tcpsim's own scripts. */
    static Path ownScripts() {
        Path p = Path.of("packetdrill/own");
        return Files.isDirectory(p) ? p : Path.of("traces/packetdrill/own");
    }

    /** Where a script of gtests/net (or {@code tcp/tcpsim-own/NAME}) is in the staged tree. */
    Path script(String path) {
        return tree.resolve(path);
    }

    /** Runs the staged script at {@code path} (under the tree), or {@code file} put beside it under {@code name}. */
    Verdict run(Path file, List<String> args) throws IOException, InterruptedException {
        Path bin = PacketdrillAgreesWithTheReaderTest.packetdrill();
        StringBuilder cmd = new StringBuilder("ip link set lo up && exec ").append(bin);
        for (String a : args) cmd.append(" '").append(a).append('\'');
        cmd.append(" '").append(file.getFileName()).append('\'');
        Process p = new ProcessBuilder("unshare", "-n", "sh", "-c", cmd.toString()).directory(file.getParent().toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Verdict("timeout", 0, "", out);
        }
        if (p.exitValue() == 0) return new Verdict("pass", 0, "", out);
        Matcher m = Pattern.compile("^" + Pattern.quote(file.getFileName().toString()) + ":([0-9]+): (.*)$",
                Pattern.MULTILINE).matcher(out);
        if (m.find()) return new Verdict("fail", Integer.parseInt(m.group(1)), m.group(2), out);
        return new Verdict("error", 0, out.isEmpty() ? "exit " + p.exitValue() : out.lines().reduce((a, b) -> b).orElse(""), out);
    }

    static List<String> args(Path script) {
        return new ArrayList<>(SharedTree.runAllArguments(script));
    }
}
