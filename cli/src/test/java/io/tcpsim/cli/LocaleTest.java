package io.tcpsim.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.model.Model;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19, items 7 and 14: the same seed gives byte-identical text, JSON, pcap, SVG and HTML in every locale and in
 * every JVM. Each locale runs in a JVM of its own ({@code -Duser.language=de -Duser.country=DE}, then en_US), so
 * that what differs from one JVM to the next (Map.of's iteration order, identity hash codes) differs too.
 */
class LocaleTest {
    @TempDir
    Path dir;

    /** The commands each JVM runs, in order; output N goes to N.out, and the files into the JVM's directory. */
    static List<String[]> commands(Path out) {
        String seed = "../traces/scenarios/seeds/close-then-send.yaml", netstat = "../traces/hostile/item14-locale.yaml";
        String capture = "../traces/captures/replay/close-then-send-6.18.44-fc-v669.pcap";
        return List.of(
                new String[] {"run", seed, "--seed", "7"},
                new String[] {"run", seed, "--seed", "7", "--json"},
                new String[] {"run", netstat, "--seed", "7"},
                new String[] {"run", netstat, "--seed", "7", "--json"},
                new String[] {"run", seed, "--seed", "7", "--pcap", out.resolve("run.pcap").toString(),
                        "--svg", out.resolve("run.svg").toString(), "--html", out.resolve("run.html").toString()},
                new String[] {"replay", capture},
                new String[] {"replay", capture, "--json"},
                new String[] {"replay", capture, "--annotate"},
                new String[] {"replay", capture, "--svg", out.resolve("replay.svg").toString(),
                        "--html", out.resolve("replay.html").toString()});
    }

    /** The child JVM: runs {@link #commands} with their outputs in {@code args[0]}. */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        int n = 0;
        for (String[] command : commands(out)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintWriter w = new PrintWriter(new OutputStreamWriter(bytes, StandardCharsets.UTF_8));
            int code = Main.run(command, new Main.Env(w, w, new BufferedReader(new StringReader("")), false, Model::new));
            w.flush();
            Files.write(out.resolve(n++ + ".out"), (code + "\n" + bytes.toString(StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        }
    }

    Path runIn(String language, String country) throws Exception {
        Path out = Files.createDirectories(dir.resolve(language + "_" + country));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.language=" + language, "-Duser.country=" + country, "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), LocaleTest.class.getName(), out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(language + ".log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the " + language + " JVM did not finish");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve(language + ".log")));
        return out;
    }

    @Test
    void theSameSeedGivesTheSameBytesUnderDeDeAndEnUs() throws Exception {
        Path de = runIn("de", "DE"), en = runIn("en", "US");
        List<String> names;
        try (Stream<Path> s = Files.list(en)) {
            names = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertEquals(commands(en).size() + 5, names.size(), names.toString()); // every output, and the 5 files
        try (Stream<Path> s = Files.list(de)) {
            assertEquals(names, s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        for (String name : names) {
            byte[] a = Files.readAllBytes(en.resolve(name)), b = Files.readAllBytes(de.resolve(name));
            assertTrue(a.length > 10, name + " is empty");
            assertArrayEquals(a, b, name + " differs between en_US and de_DE:\n" + firstDifference(a, b));
        }
        // The outputs hold the numbers that a German locale would have written with a comma.
        assertTrue(Files.readString(en.resolve("3.out")).contains("timewait ("), Files.readString(en.resolve("3.out")));
    }

    static String firstDifference(byte[] a, byte[] b) {
        String x = new String(a, StandardCharsets.UTF_8), y = new String(b, StandardCharsets.UTF_8);
        int i = 0;
        while (i < Math.min(x.length(), y.length()) && x.charAt(i) == y.charAt(i)) i++;
        return "en_US: " + x.substring(Math.max(0, i - 40), Math.min(x.length(), i + 40))
                + "\nde_DE: " + y.substring(Math.max(0, i - 40), Math.min(y.length(), i + 40));
    }
}
