package io.tcpsim.cli;

import io.tcpsim.kernel.KernelUnavailableException;
import io.tcpsim.model.Model;
import io.tcpsim.packetdrill.PktException;
import io.tcpsim.packetdrill.PktParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The fuzz targets' bodies (issue 19), shared by the Jazzer tests ({@link HostileFuzzTest}) and the regression
 * corpus ({@link HostileCorpusTest}, traces/hostile/fuzz/TARGET/). Each runs one input through the cli in-process,
 * as {@code tcpsim} would, and fails when the invariant does not hold: exit 0, 1 or 2 only (3 is a bug or no
 * memory), nothing but one line on stderr, and at most {@link #SECONDS} seconds.
 */
final class FuzzTargets {
    private FuzzTargets() {}

    /** The time one input may take, each command included. */
    static final long SECONDS = 10;

    private static Path dir;

    static synchronized Path dir() {
        if (dir == null) {
            try {
                dir = Files.createTempDirectory("tcpsim-fuzz");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            dir.toFile().deleteOnExit();
        }
        return dir;
    }

    /** A capture (pcap or pcapng) replayed as text, as --json and as --summary. */
    static void replay(byte[] capture) {
        Path file = write("capture.pcap", capture);
        timed("replay", capture, () -> {
            check("replay", capture, "replay", file.toString());
            check("replay", capture, "replay", file.toString(), "--json");
            check("replay", capture, "replay", file.toString(), "--annotate");
            check("replay", capture, "replay", file.toString(), "--summary");
        });
    }

    /** A script (YAML) run as text with --json, and drawn. */
    static void script(byte[] script) {
        Path file = write("script.yaml", script);
        timed("script", script, () -> {
            check("script", script, "run", file.toString(), "--seed", "1", "--json");
            check("script", script, "run", file.toString(), "--seed", "1", "--svg", dir().resolve("out.svg").toString(),
                    "--html", dir().resolve("out.html").toString());
        });
    }

    /** A packetdrill script: read, or refused with a PktException. */
    static void pkt(byte[] text) {
        timed("pkt", text, () -> {
            try {
                PktParser.parse("fuzz.pkt", new String(text, StandardCharsets.UTF_8), List.of());
            } catch (PktException e) {
                String m = e.getMessage();
                if (m == null || m.isBlank() || m.contains("\n") || namesJava(m, text))
                    throw new AssertionError("pkt: not one clear line: " + m);
            }
        });
    }

    private static Path write(String name, byte[] bytes) {
        try {
            return Files.write(dir().resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final java.util.regex.Pattern JAVA =
            java.util.regex.Pattern.compile("\\w*(Exception|Error)\\b|\\bjava\\.\\w+|org\\.yaml|com\\.fasterxml|\\tat ");

    /**
     * A stack trace, or a Java type or package in the message that the input did not hold itself (a message quotes
     * the user's text, which may say anything).
     */
    static boolean namesJava(String err, byte[] input) {
        String latin = new String(input, StandardCharsets.ISO_8859_1), utf8 = new String(input, StandardCharsets.UTF_8);
        // As the input is, and as a message shows it (control characters escaped: \x00Error).
        String in = latin + "\n" + utf8 + "\n" + io.tcpsim.script.CText.printable(utf8) + "\n"
                + io.tcpsim.script.CText.printable(latin);
        java.util.regex.Matcher m = JAVA.matcher(err);
        while (m.find()) if (!in.contains(m.group().strip())) return true;
        return false;
    }

    private static void check(String target, byte[] input, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new Main.Env(new PrintWriter(out), new PrintWriter(err),
                new BufferedReader(new StringReader("")), false, Model::new, () -> {
                    throw new KernelUnavailableException(KernelUnavailableException.NEEDS_PRIVILEGE);
                }));
        String e = err.toString();
        if (code < 0 || code > 2)
            throw new AssertionError(target + ": exit " + code + " for tcpsim " + String.join(" ", args) + ": " + e.strip());
        if (code == 2 && e.lines().count() != 1)
            throw new AssertionError(target + ": exit 2 with " + e.lines().count() + " lines on stderr: " + e);
        if (namesJava(e, input)) throw new AssertionError(target + ": stderr names Java: " + e);
    }

    /**
     * Runs the body, and once more when it took longer than {@link #SECONDS}: the first inputs of a fresh JVM pay
     * for loading, instrumenting and compiling every class, which is not the input's cost.
     */
    private static void timed(String target, byte[] input, Runnable body) {
        long ms = 0;
        for (int run = 0; run < 2; run++) {
            long start = System.nanoTime();
            body.run();
            ms = (System.nanoTime() - start) / 1_000_000;
            if (ms <= SECONDS * 1000) return;
        }
        throw new AssertionError(target + ": " + ms + " ms for one input of " + input.length + " bytes, twice");
    }
}
