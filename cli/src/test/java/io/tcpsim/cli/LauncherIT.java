package io.tcpsim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.model.Model;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher {@code ./tcpsim} and its class-data archive, run as a user runs them: a copy of the launcher and of
 * the shaded jar in a directory of their own (the launcher finds the jar beside itself, in cli/target/). Runs after
 * {@code package} (the {@code launcher} execution in cli/pom.xml), when the jar exists; {@code mvn verify} runs it.
 *
 * <p>The first run makes the archive and says so on stderr; later runs map the classes from it; an archive that the
 * JVM cannot use (cut short, emptied) changes nothing a user sees; one that cannot be made is tried once; a rebuilt
 * jar gets a new archive and the old one goes; {@code TCPSIM_CDS=off} makes none. The output is the same bytes every time, and the same as Main's own.
 */
class LauncherIT {
    static final Path JAR = Path.of("target/tcpsim.jar");
    static final String SCRIPT = "../traces/scenarios/seeds/close-then-send.yaml";
    static final String MAKING = "tcpsim: making the start-up archive for this jar and JDK (once)...\n";

    @TempDir
    Path root;

    Path launcher, jar, target;
    String expected;

    record Outcome(int code, String out, String err) {}

    @BeforeEach
    void copyTheLauncherAndTheJar() throws IOException {
        assertTrue(Files.isRegularFile(JAR), JAR.toAbsolutePath() + " is missing: this test runs after mvn package");
        target = Files.createDirectories(root.resolve("cli/target"));
        launcher = Files.copy(Path.of("../tcpsim"), root.resolve("tcpsim"), StandardCopyOption.COPY_ATTRIBUTES);
        jar = Files.copy(JAR, target.resolve("tcpsim.jar"));
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new String[] {"run", SCRIPT, "--seed", "1"}, new Main.Env(new PrintWriter(out),
                new PrintWriter(err), new BufferedReader(new StringReader("")), false, Model::new));
        assertEquals(0, code, err.toString());
        expected = out.toString();
    }

    Outcome launch(Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of(launcher.toString()), Stream.of(args)).toList());
        pb.environment().remove("TCPSIM_CDS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        return new Outcome(code, out, new String(err.get(), StandardCharsets.UTF_8));
    }

    Outcome run(Map<String, String> env) throws Exception {
        return launch(env, "run", SCRIPT, "--seed", "1");
    }

    List<Path> archives() throws IOException {
        try (Stream<Path> s = Files.list(target)) {
            return s.filter(p -> p.getFileName().toString().matches("tcpsim-.*\\.jsa")).sorted().toList();
        }
    }

    List<Path> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(target)) {
            return s.filter(p -> p.getFileName().toString().startsWith(".tcpsim-cds")).toList();
        }
    }

    /** Where the JVM took io.tcpsim.cli.RunCommand from: "shared objects file" (the archive) or the jar. */
    String sourceOfRunCommand(Map<String, String> env) throws Exception {
        Path log = root.resolve("classes.log");
        Files.deleteIfExists(log);
        var all = new java.util.HashMap<>(env);
        all.put("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + log);
        Outcome o = run(all);
        assertEquals(expected, o.out());
        for (String line : Files.readAllLines(log))
            if (line.contains(" io.tcpsim.cli.RunCommand source: ")) return line.contains("shared objects file") ? "archive" : "jar";
        throw new AssertionError("RunCommand was not loaded");
    }

    @Test
    void theFirstRunMakesTheArchiveAndLaterRunsUseIt() throws Exception {
        Outcome first = run(Map.of());
        assertEquals(new Outcome(0, expected, MAKING), first);
        assertEquals(1, archives().size(), archives().toString());
        assertEquals(List.of(), leftovers());
        assertEquals(new Outcome(0, expected, ""), run(Map.of()));
        assertEquals("archive", sourceOfRunCommand(Map.of()));
        assertEquals(1, archives().size());
    }

    @Test
    void anArchiveTheJvmCannotUseChangesNothingAUserSees() throws Exception {
        run(Map.of());
        Path archive = archives().get(0);
        byte[] whole = Files.readAllBytes(archive);
        archive.toFile().setWritable(true);
        for (byte[] bad : List.of(java.util.Arrays.copyOf(whole, whole.length / 3), new byte[0])) {
            Files.write(archive, bad);
            assertEquals(new Outcome(0, expected, ""), run(Map.of()));
            assertEquals("jar", sourceOfRunCommand(Map.of()));
        }
    }

    @Test
    void aRebuiltJarGetsANewArchiveAndTheOldOneGoes() throws Exception {
        run(Map.of());
        Path old = archives().get(0);
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(old).toMillis() + 2_000));
        assertEquals(new Outcome(0, expected, MAKING), run(Map.of()));
        List<Path> now = archives();
        assertEquals(1, now.size(), now.toString());
        assertFalse(now.contains(old), "the archive of the old jar is still there");
        assertEquals("archive", sourceOfRunCommand(Map.of()));
    }

    @Test
    void anArchiveThatCannotBeMadeIsTriedOnceAndTheRunGoesOn() throws Exception {
        // The training run's temporary directory cannot be made: it fails, and so does the archive.
        Map<String, String> noTmp = Map.of("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + root.resolve("missing"));
        Outcome first = run(noTmp);
        assertEquals(0, first.code(), first.err());
        assertEquals(expected, first.out());
        assertTrue(first.err().contains(MAKING), first.err());
        assertEquals(List.of(), archives());
        assertEquals(List.of(), leftovers());
        Outcome second = run(noTmp);
        assertEquals(expected, second.out());
        assertFalse(second.err().contains("making"), second.err());
        assertEquals("jar", sourceOfRunCommand(Map.of()));
    }

    @Test
    void withTcpsimCdsOffThereIsNoArchive() throws Exception {
        assertEquals(new Outcome(0, expected, ""), run(Map.of("TCPSIM_CDS", "off")));
        assertEquals(List.of(), archives());
        assertEquals("jar", sourceOfRunCommand(Map.of("TCPSIM_CDS", "off")));
    }

    @Test
    void aBadScriptIsStillOneLineAndExitTwo() throws Exception {
        Path bad = Files.writeString(root.resolve("bad.yaml"), "name: x\nsteps:\n  - frobnicate(c)\n");
        Outcome o = launch(Map.of("TCPSIM_CDS", "off"), "run", bad.toString());
        assertEquals(2, o.code());
        assertEquals("", o.out());
        assertEquals(1, o.err().lines().count(), o.err());
        assertTrue(o.err().startsWith("tcpsim: " + bad + ":3:"), o.err());
    }
}
