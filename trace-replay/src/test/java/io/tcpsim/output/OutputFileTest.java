package io.tcpsim.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OutputFile} on every kind of target: a new name, a regular file, a symbolic link (relative, absolute,
 * dangling, a loop), a character device made with mknod (null and full), a FIFO, {@code -}, a directory, a full
 * file system (a 16 KiB tmpfs mounted for the test: root needed, as for the kernel tests; this fails, never skips).
 */
class OutputFileTest {
    @TempDir
    Path dir;

    static final byte[] DATA = "new contents\n".getBytes(StandardCharsets.UTF_8);

    static OutputFile.Body data() {
        return out -> out.write(DATA);
    }

    static void sh(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
    }

    /** The names in the directory: a temporary file left behind would show here. */
    List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static BasicFileAttributes lstat(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void aNewFileGetsTheModeAnyNewFileGets() throws Exception {
        Path file = dir.resolve("new.pcap");
        OutputFile.write(file, System.out, data());
        assertArrayEquals(DATA, Files.readAllBytes(file));
        Path plain = Files.createFile(dir.resolve("plain")); // 0666 less the umask, as open(2) gives
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(file));
        assertEquals(List.of("new.pcap", "plain"), names());
    }

    @Test
    void aRegularFileIsReplacedWholeAndKeepsItsMode() throws Exception {
        Path file = dir.resolve("script.yaml");
        Files.writeString(file, "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-x---"));
        Object inode = Files.getAttribute(file, "unix:ino");
        OutputFile.write(file, System.out, data());
        assertArrayEquals(DATA, Files.readAllBytes(file));
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        // A rename, not a rewrite in place: a reader holding the old file keeps reading the old bytes.
        assertFalse(inode.equals(Files.getAttribute(file, "unix:ino")));
        assertEquals(List.of("script.yaml"), names());
    }

    @Test
    void aFailingBodyLeavesTheOldFileAndNoTemporary() throws Exception {
        Path file = dir.resolve("out.svg");
        Files.writeString(file, "old");
        IOException boom = new IOException("the picture could not be made");
        OutputFile.Failure f = assertThrows(OutputFile.Failure.class, () -> OutputFile.write(file, System.out, out -> {
            out.write(DATA);
            throw boom;
        }));
        assertEquals("cannot write " + file + ": the picture could not be made", f.getMessage());
        IllegalStateException bug = new IllegalStateException("a bug");
        assertEquals(bug, assertThrows(IllegalStateException.class, () -> OutputFile.write(file, System.out, out -> {
            out.write(DATA);
            throw bug;
        })));
        assertEquals("old", Files.readString(file));
        assertEquals(List.of("out.svg"), names());
    }

    @Test
    void aSymbolicLinkIsFollowedAndStaysALink() throws Exception {
        Files.createDirectory(dir.resolve("sub"));
        Path target = Files.writeString(dir.resolve("sub/target.pcap"), "old");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
        Path relative = Files.createSymbolicLink(dir.resolve("rel.pcap"), Path.of("sub/target.pcap"));
        Path chain = Files.createSymbolicLink(dir.resolve("chain.pcap"), relative.toAbsolutePath());
        OutputFile.write(chain, System.out, data());
        assertTrue(lstat(chain).isSymbolicLink() && lstat(relative).isSymbolicLink());
        assertEquals(Path.of("sub/target.pcap"), Files.readSymbolicLink(relative));
        assertArrayEquals(DATA, Files.readAllBytes(target));
        assertTrue(lstat(target).isRegularFile());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        try (Stream<Path> s = Files.list(dir.resolve("sub"))) {
            assertEquals(List.of(target), s.toList());
        }
    }

    @Test
    void aDanglingLinkCreatesItsTargetAndALoopIsRefused() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("dangling"), Path.of("made.html"));
        OutputFile.write(link, System.out, data());
        assertArrayEquals(DATA, Files.readAllBytes(dir.resolve("made.html")));
        assertTrue(lstat(link).isSymbolicLink());
        Path a = dir.resolve("a"), b = dir.resolve("b");
        Files.createSymbolicLink(a, b);
        Files.createSymbolicLink(b, a);
        assertEquals("cannot write " + a + ": Too many levels of symbolic links",
                assertThrows(OutputFile.Failure.class, () -> OutputFile.write(a, System.out, data())).getMessage());
    }

    @Test
    void aCharacterDeviceIsWrittenThroughNeverReplaced() throws Exception {
        Path nul = dir.resolve("null"), full = dir.resolve("full");
        sh("mknod", nul.toString(), "c", "1", "3");
        sh("mknod", full.toString(), "c", "1", "7");
        OutputFile.write(nul, System.out, data());
        assertTrue(lstat(nul).isOther(), "still a device");
        assertEquals((1 << 8) | 3, ((Number) Files.getAttribute(nul, "unix:rdev")).intValue());
        OutputFile.Failure f = assertThrows(OutputFile.Failure.class, () -> OutputFile.write(full, System.out, data()));
        assertEquals("cannot write " + full + ": No space left on device", f.getMessage());
        assertTrue(lstat(full).isOther(), "still a device");
        assertEquals((1 << 8) | 7, ((Number) Files.getAttribute(full, "unix:rdev")).intValue());
        // Through a link too.
        Path link = Files.createSymbolicLink(dir.resolve("to-null"), nul);
        OutputFile.write(link, System.out, data());
        assertTrue(lstat(nul).isOther() && lstat(link).isSymbolicLink());
        assertEquals(List.of("full", "null", "to-null"), names());
    }

    @Test
    void aFifoIsWrittenThrough() throws Exception {
        Path fifo = dir.resolve("fifo");
        sh("mkfifo", fifo.toString());
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.readAllBytes(fifo);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        OutputFile.write(fifo, System.out, data());
        assertArrayEquals(DATA, read.get(30, TimeUnit.SECONDS));
        assertTrue(lstat(fifo).isOther(), "still a FIFO");
        assertEquals(List.of("fifo"), names());
    }

    @Test
    void dashIsTheStandardOutputWhichStaysOpen() throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream() {
            @Override
            public void close() {
                throw new AssertionError("the standard output must not be closed");
            }
        };
        OutputFile.write(Path.of("-"), stdout, out -> {
            out.write(DATA);
            out.close();
        });
        assertArrayEquals(DATA, stdout.toByteArray());
        assertEquals(List.of(), names());
    }

    @Test
    void aDirectoryAMissingDirectoryAndAnEmptyNameAreOneLine() {
        assertEquals("cannot write " + dir + ": Is a directory",
                assertThrows(OutputFile.Failure.class, () -> OutputFile.write(dir, System.out, data())).getMessage());
        Path missing = dir.resolve("no/such/x.pcap");
        assertEquals("cannot write " + missing + ": No such file or directory",
                assertThrows(OutputFile.Failure.class, () -> OutputFile.write(missing, System.out, data())).getMessage());
        assertEquals("cannot write : the file name is empty",
                assertThrows(OutputFile.Failure.class, () -> OutputFile.write(Path.of(""), System.out, data())).getMessage());
    }

    @Test
    void aFullFileSystemLeavesTheOldFileAndNoTemporary() throws Exception {
        Path small = Files.createDirectory(dir.resolve("small"));
        sh("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", small.toString());
        try {
            Path file = Files.writeString(small.resolve("picture.svg"), "old");
            OutputFile.Failure f = assertThrows(OutputFile.Failure.class, () -> OutputFile.write(file, System.out,
                    out -> out.write(new byte[64 << 10])));
            assertEquals("cannot write " + file + ": No space left on device", f.getMessage());
            assertEquals("old", Files.readString(file));
            try (Stream<Path> s = Files.list(small)) {
                assertEquals(List.of(file), s.toList());
            }
        } finally {
            sh("umount", small.toString());
        }
    }
}
