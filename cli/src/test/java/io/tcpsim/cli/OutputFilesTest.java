package io.tcpsim.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.model.Model;
import io.tcpsim.model.Profile;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file the command line writes goes through one helper (io.tcpsim.output.OutputFile, tested on its own in
 * trace-replay): here each option is checked once on the kind of target issue 19 found replaced. A device made with
 * mknod stays a device, a link stays a link, {@code -} is the standard output, a full disk (a 16 KiB tmpfs) is one
 * line and exit 2 with the old file untouched. Root is needed for mknod and mount (this fails, never skips).
 */
class OutputFilesTest {
    static final Path EXAMPLE = Path.of("../examples/close-then-send.yaml");

    @TempDir
    Path dir;

    record Outcome(int code, String out, String err, byte[] stdout) {
        /** What a failure must look like: the code, one line on stderr, and nothing on stdout, as text or bytes. */
        void failed(int expectedCode, String line) {
            assertEquals(List.of(expectedCode, "", line + "\n", 0), List.of(code, out, err, stdout.length));
        }
    }

    /** The model behind run, and behind capture too (the file handling is the same; the kernel is not needed). */
    static Outcome run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int code = Main.run(args, new Main.Env(new PrintWriter(out), new PrintWriter(err),
                new BufferedReader(new StringReader("")), false, Model::new, () -> new Model(Profile.linux6(), 1), stdout));
        return new Outcome(code, out.toString(), err.toString(), stdout.toByteArray());
    }

    static void sh(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
    }

    static boolean isDevice(Path p) throws IOException {
        return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()
                && ((Number) Files.getAttribute(p, "unix:rdev")).intValue() != 0;
    }

    List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void everyOutputOptionWritesThroughADeviceAndLeavesItADevice() throws Exception {
        Path nul = dir.resolve("null");
        sh("mknod", nul.toString(), "c", "1", "3");
        for (List<String> args : List.of(
                List.of("run", EXAMPLE.toString(), "--seed", "1", "--pcap", nul.toString()),
                List.of("run", EXAMPLE.toString(), "--seed", "1", "--svg", nul.toString(), "--html", nul.toString()),
                List.of("capture", EXAMPLE.toString(), "-o", nul.toString()),
                List.of("replay", "../traces/captures/replay/close-then-send-6.18.44-fc-v669.pcap", "--svg", nul.toString()))) {
            Outcome o = run(args.toArray(String[]::new));
            assertEquals(0, o.code(), args + ": " + o.err());
            assertTrue(isDevice(nul), args + ": /dev/null made with mknod must still be a character device");
        }
        assertEquals(List.of("null"), names(dir));
    }

    @Test
    void aFullDeviceIsOneLineExitTwoAndNothingOnStdout() throws Exception {
        Path full = dir.resolve("full");
        sh("mknod", full.toString(), "c", "1", "7");
        for (String option : List.of("--pcap", "--svg", "--html")) {
            run("run", EXAMPLE.toString(), "--seed", "1", option, full.toString())
                    .failed(2, "tcpsim: cannot write " + full + ": No space left on device");
            assertTrue(isDevice(full));
        }
        run("capture", EXAMPLE.toString(), "-o", full.toString()).failed(2, "tcpsim: cannot write " + full + ": No space left on device");
        assertTrue(isDevice(full));
    }

    @Test
    void aSymbolicLinkIsFollowedAndTheFileIsTheSameAsWrittenDirectly() throws Exception {
        Path direct = dir.resolve("direct.pcap"), target = dir.resolve("target.pcap");
        Path link = Files.createSymbolicLink(dir.resolve("link.pcap"), target.getFileName());
        assertEquals(0, run("run", EXAMPLE.toString(), "--seed", "1", "--pcap", direct.toString()).code());
        assertEquals(0, run("run", EXAMPLE.toString(), "--seed", "1", "--pcap", link.toString()).code());
        assertTrue(Files.isSymbolicLink(link));
        assertArrayEquals(Files.readAllBytes(direct), Files.readAllBytes(target));
        assertEquals(List.of("direct.pcap", "link.pcap", "target.pcap"), names(dir));
    }

    @Test
    void dashIsTheStandardOutputInPlaceOfTheText() throws Exception {
        Path file = dir.resolve("run.pcap");
        Outcome toFile = run("run", EXAMPLE.toString(), "--seed", "1", "--pcap", file.toString());
        Outcome toStdout = run("run", EXAMPLE.toString(), "--seed", "1", "--pcap", "-");
        assertEquals(0, toStdout.code(), toStdout.err());
        assertEquals("", toStdout.out(), "the trace gives way to the capture");
        assertArrayEquals(Files.readAllBytes(file), toStdout.stdout());
        assertTrue(toFile.out().startsWith("# tcpsim run "));
        Outcome svg = run("run", EXAMPLE.toString(), "--seed", "1", "--svg", "-");
        assertTrue(new String(svg.stdout(), StandardCharsets.UTF_8).startsWith("<?xml"));
        run("run", EXAMPLE.toString(), "--pcap", "-", "--svg", "-")
                .failed(2, "tcpsim: only one output can be '-' (the standard output), got --pcap and --svg");
        run("run", EXAMPLE.toString(), "--pcap", "").failed(2, "tcpsim: --pcap needs a file name, got an empty one");
    }

    @Test
    void aFullDiskLeavesTheOldFileAndNoTemporary() throws Exception {
        Path small = Files.createDirectory(dir.resolve("small"));
        sh("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", small.toString());
        try {
            for (String option : List.of("--svg", "--html")) {
                Path file = Files.writeString(small.resolve("picture"), "old");
                run("run", EXAMPLE.toString(), "--seed", "1", option, file.toString())
                        .failed(2, "tcpsim: cannot write " + file + ": No space left on device");
                assertEquals("old", Files.readString(file), "the old file is untouched");
                assertEquals(List.of("picture"), names(small), "no temporary file is left");
            }
        } finally {
            sh("umount", small.toString());
        }
    }

    @Test
    void recordKeepsTheScriptsModeAndFollowsItsLink() throws Exception {
        Path real = dir.resolve("scripts/r.yaml");
        Files.createDirectories(real.getParent());
        Files.writeString(real, "name: r\nseed: 3\nsteps:\n  - c = socket()\n  - close(c)\n");
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwxr-x---"));
        Path link = Files.createSymbolicLink(dir.resolve("r.yaml"), Path.of("scripts/r.yaml"));
        Outcome o = run("run", link.toString(), "--record");
        assertEquals(0, o.code(), o.err());
        assertEquals("tcpsim: recorded 2 results in " + link + "\n", o.err());
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("name: r\nseed: 3\nsteps:\n  - c = socket() = 3\n  - close(c) = 0\n", Files.readString(real));
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(real)));
        assertEquals(List.of("r.yaml"), names(real.getParent()));
    }

    /**
     * The text output is checked like a file: main() writes it through the file descriptor, not System.out (which
     * swallows errors). Run as a separate process with its stdout on a full device made with mknod.
     */
    @Test
    void textOnAFullStandardOutputIsOneLineAndExitTwo() throws Exception {
        Path full = dir.resolve("full");
        sh("mknod", full.toString(), "c", "1", "7");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"), "io.tcpsim.cli.Main",
                "run", EXAMPLE.toString(), "--seed", "1").redirectOutput(full.toFile()).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(List.of(2, "tcpsim: cannot write the standard output: No space left on device\n"), List.of(p.exitValue(), err));
        assertTrue(isDevice(full));
    }

    @Test
    void recordRefusesAScriptThatIsNotARegularFileBeforeRunning() throws Exception {
        Path fifo = dir.resolve("script.fifo");
        sh("mkfifo", fifo.toString());
        Thread writer = new Thread(() -> {
            try {
                Files.writeString(fifo, "name: f\nsteps:\n  - c = socket()\n");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        Outcome o = run("run", fifo.toString(), "--record");
        writer.join(30_000);
        o.failed(2, "tcpsim: --record writes the results into the script, and " + fifo + " is not a regular file");
        assertTrue(Files.readAttributes(fifo, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther());
    }
}
