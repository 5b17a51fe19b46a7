package io.tcpsim.output;

import io.tcpsim.script.CText;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes every file tcpsim makes (pcap captures, pictures, a recorded script), the same way for each:
 * <ul>
 *   <li>{@code -} is the standard output, written through;
 *   <li>a symbolic link is followed (up to 40 links, as the kernel's ELOOP limit) and the file it names is written;
 *       the link stays a link;
 *   <li>a regular file, or a name that does not exist yet, is written atomically: a temporary file in the same
 *       directory is fully written, flushed and fsync'ed, given the old file's permission bits (and owner, when the
 *       process may set it), then renamed over the target. A reader never sees half a file; on any failure the
 *       temporary is removed and the old file is untouched;
 *   <li>anything else that exists (a character or block device such as /dev/null, a FIFO) is opened for writing
 *       and written through, never replaced;
 *   <li>a directory is refused.
 * </ul>
 * Every failure is a {@link Failure} whose message is one line: {@code cannot write FILE: REASON}, with the
 * reason as strerror words ("No space left on device") and never the temporary file's name.
 */
public final class OutputFile {
    private OutputFile() {}

    /** The name that means the standard output. */
    public static final String STDOUT = "-";

    /** Links followed before giving up, as Linux's MAXSYMLINKS. */
    private static final int MAX_LINKS = 40;

    /** What goes into the file. It may close the stream it is given; the file is flushed and closed afterwards. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /** A file that could not be written: {@code cannot write FILE: REASON}. */
    public static final class Failure extends IOException {
        private final String file;
        private final String reason;

        public Failure(String file, String reason) {
            super("cannot write " + CText.printable(file) + ": " + reason);
            this.file = file;
            this.reason = reason;
        }

        /** The name as the user gave it. */
        public String file() {
            return file;
        }

        /** Why, as strerror would say it. */
        public String reason() {
            return reason;
        }
    }

    /** True when {@code file} names the standard output. */
    public static boolean isStdout(Path file) {
        return file.toString().equals(STDOUT);
    }

    /** Writes {@code file} as the class comment says; {@code -} goes to {@code stdout}, which is flushed, not closed. */
    public static void write(Path file, OutputStream stdout, Body body) throws Failure {
        String name = file.toString();
        if (name.isEmpty()) throw new Failure(name, "the file name is empty");
        if (name.equals(STDOUT)) {
            try {
                OutputStream out = new KeepOpen(stdout);
                body.writeTo(out);
                out.flush();
            } catch (IOException e) {
                throw new Failure("the standard output", reason(e));
            }
            return;
        }
        try {
            Path target = followLinks(file);
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException missing) {
                a = null;
            }
            if (a == null || a.isRegularFile()) replace(target, a != null, body);
            else if (a.isDirectory()) throw new Failure(name, "Is a directory");
            else writeThrough(target, body);
        } catch (Failure f) {
            throw f;
        } catch (IOException e) {
            throw new Failure(name, reason(e));
        }
    }

    /** The file a chain of symbolic links ends at (which need not exist yet). */
    static Path followLinks(Path file) throws IOException {
        Path p = file.toAbsolutePath();
        for (int i = 0; i < MAX_LINKS; i++) {
            if (!Files.isSymbolicLink(p)) return p;
            p = p.resolveSibling(Files.readSymbolicLink(p));
        }
        throw new FileSystemLoopException(file.toString());
    }

    /** A device or a FIFO: written in place, as a shell's {@code >} would, without creating or replacing anything. */
    private static void writeThrough(Path target, Body body) throws IOException {
        try (OutputStream raw = openForWriting(target);
             OutputStream out = new BufferedOutputStream(raw, 1 << 16)) {
            body.writeTo(new KeepOpen(out));
            out.flush();
        }
    }

    /** How long a FIFO may wait for a program to open it for reading (issue 19, item 8; docs/limits.md). */
    public static final long FIFO_WAIT_MILLIS = 2000;

    /**
     * Opens a device or FIFO for writing. Opening a FIFO blocks until a program opens it for reading: that is done
     * on a thread of its own, and a FIFO nobody reads within {@link #FIFO_WAIT_MILLIS} is refused, not waited for.
     */
    private static OutputStream openForWriting(Path target) throws IOException {
        java.util.concurrent.CompletableFuture<OutputStream> opened = new java.util.concurrent.CompletableFuture<>();
        Thread opener = new Thread(() -> {
            try {
                opened.complete(Files.newOutputStream(target, StandardOpenOption.WRITE));
            } catch (Throwable t) {
                opened.completeExceptionally(t);
            }
        }, "tcpsim-open-output");
        opener.setDaemon(true);
        opener.start();
        try {
            return opened.get(FIFO_WAIT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // Release the opener still blocked in open(2): opening the FIFO for reading pairs with it at once.
            try (var r = Files.newInputStream(target)) {
                // nothing read
            } catch (IOException ignored) {
                // the opener then stays blocked; it is a daemon and ends with the process
            }
            opened.thenAccept(o -> {
                try {
                    o.close();
                } catch (IOException ignored) {
                    // nothing was written
                }
            });
            throw new IOException("a FIFO that no program opened for reading within " + FIFO_WAIT_MILLIS / 1000 + " s");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening");
        }
    }

    private static void replace(Path target, boolean exists, Body body) throws IOException {
        Path dir = target.getParent();
        String base = "." + target.getFileName() + ".";
        Path tmp = null;
        FileChannel channel = null;
        // CREATE_NEW with the default mode: the process's umask applies, as for any file it creates.
        for (int tries = 0; channel == null; tries++) {
            tmp = dir.resolve(base + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16) + ".tcpsim-tmp");
            try {
                channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException taken) {
                if (tries == 100) throw taken;
            }
        }
        boolean done = false;
        try {
            try (FileChannel ch = channel; OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                if (exists) keepModeAndOwner(target, tmp);
                body.writeTo(new KeepOpen(out));
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            done = true;
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // The original failure is what the user needs to hear about.
                }
            }
        }
    }

    /** The replacement keeps the old file's permission bits, and its owner and group where the process may set them. */
    private static void keepModeAndOwner(Path target, Path tmp) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
        if (view == null) return;
        PosixFileAttributes old = Files.readAttributes(target, PosixFileAttributes.class);
        PosixFileAttributes now = view.readAttributes();
        try {
            if (!old.owner().equals(now.owner())) view.setOwner(old.owner());
            if (!old.group().equals(now.group())) view.setGroup(old.group());
        } catch (FileSystemException notAllowed) {
            // Only root (CAP_CHOWN) may give a file away: the new file is then the writer's, as any rewritten file is.
        }
        view.setPermissions(old.permissions());
    }

    /**
     * What went wrong with a file, in the words strerror uses ("No such file or directory"), without any file name
     * (the temporary's least of all) or Java type: for files written here and files read elsewhere.
     */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) return "No such file or directory";
        if (e instanceof AccessDeniedException) return "Permission denied";
        if (e instanceof NotDirectoryException) return "Not a directory";
        if (e instanceof FileSystemLoopException) return "Too many levels of symbolic links";
        if (e instanceof FileAlreadyExistsException) return "File exists";
        if (e instanceof FileSystemException f) return f.getReason() == null ? "Input/output error" : CText.printable(f.getReason());
        String m = e.getMessage();
        return m == null || m.isBlank() ? "Input/output error" : CText.printable(m.strip().split("\\R", 2)[0]);
    }

    /** Passes writes through; close() only flushes, so that the writer can flush, fsync and close the file itself. */
    private static final class KeepOpen extends FilterOutputStream {
        KeepOpen(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
