package io.tcpsim.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Opening a file the user names as input (a script, a capture) so that no input hangs the command or fills the
 * memory (issue 19, item 8; docs/limits.md). A regular file opens as usual. Anything else (a FIFO, a device, a
 * process substitution's pipe) is opened on a thread of its own: opening a FIFO blocks until a program opens it for
 * writing, and one that nobody writes to is refused after {@link #OPEN_WAIT_MILLIS} instead of waiting forever.
 */
final class InputFile {
    private InputFile() {}

    /** How long a FIFO may wait for a writer to open it. */
    static final long OPEN_WAIT_MILLIS = 2000;

    /** Nothing opened the FIFO for writing in time. */
    static final class NoWriter extends IOException {
        NoWriter() {
            super("a FIFO that no program opened for writing within " + OPEN_WAIT_MILLIS / 1000 + " s");
        }
    }

    static InputStream open(Path file) throws IOException {
        if (Files.isRegularFile(file)) return Files.newInputStream(file);
        CompletableFuture<InputStream> opened = new CompletableFuture<>();
        Thread opener = new Thread(() -> {
            try {
                opened.complete(Files.newInputStream(file));
            } catch (Throwable t) {
                opened.completeExceptionally(t);
            }
        }, "tcpsim-open-input");
        opener.setDaemon(true);
        opener.start();
        try {
            return opened.get(OPEN_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // Release the thread still blocked in open(2): opening the FIFO for writing pairs with it, at once,
            // and closing it again is an end of file for that reader, which is then closed.
            try (var w = Files.newOutputStream(file, StandardOpenOption.WRITE)) {
                // nothing written
            } catch (IOException ignored) {
                // the opener then stays blocked; it is a daemon and ends with the process
            }
            opened.thenAccept(in -> {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // nothing of it was read
                }
            });
            throw new NoWriter();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening");
        }
    }

    /** The file's bytes, or {@link TooLarge} past {@code limit} bytes: /dev/zero is refused, not read to its end. */
    static byte[] read(Path file, int limit) throws IOException {
        try (InputStream in = open(file)) {
            byte[] b = in.readNBytes(limit + 1);
            if (b.length > limit) throw new TooLarge(limit);
            return b;
        }
    }

    static final class TooLarge extends IOException {
        TooLarge(int limit) {
            super("larger than " + (limit >> 20) + " MiB, the limit for a script (docs/limits.md)");
        }
    }
}
