package io.tcpsim.kernel.net;

import io.tcpsim.kernel.KernelUnavailableException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs iproute2 and ethtool inside one of the topology's namespaces: {@code nsenter --net=PATH cmd ...}, where PATH
 * is {@code /proc/PID/task/TID/ns/net} of the namespace's thread. Every command is bounded (5 s) and a failure is one
 * line naming the command, its exit status and the first line it printed on stderr.
 */
final class Commands {
    static final long TIMEOUT_MILLIS = 5000;
    static final String NEEDS_TOOLS = "tcpsim's two-host topology needs iproute2, ethtool and util-linux's nsenter "
            + "(apt-get install -y iproute2 ethtool util-linux)";
    private static final String[] SEARCH = {"/usr/sbin", "/usr/bin", "/sbin", "/bin"};

    private Commands() {}

    /** The full path of a tool, or the one-line "install ..." failure. */
    static String tool(String name) {
        for (String dir : SEARCH) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return p.toString();
        }
        throw new KernelUnavailableException(NEEDS_TOOLS + ": " + name + " not found");
    }

    /** Checks that every tool is there, so that a missing one fails before anything is built. */
    static void checkTools() {
        for (String t : new String[] {"nsenter", "ip", "ethtool"}) tool(t);
    }

    /** Runs the command in the namespace at {@code netns}; returns its stdout. */
    static String run(String netns, String stdin, String... command) {
        List<String> argv = new ArrayList<>();
        argv.add(tool("nsenter"));
        argv.add("--net=" + netns);
        argv.add(command[0].startsWith("/") ? command[0] : tool(command[0]));
        for (int i = 1; i < command.length; i++) argv.add(command[i]);
        String shown = String.join(" ", command);
        Process p;
        try {
            p = new ProcessBuilder(argv).start();
        } catch (IOException e) {
            throw new KernelUnavailableException(NEEDS_TOOLS + ": " + e.getMessage(), e);
        }
        CompletableFuture<byte[]> out = slurp(p.getInputStream());
        CompletableFuture<byte[]> err = slurp(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the command ended without reading its input: its exit status says why
        }
        try {
            if (!p.waitFor(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(shown + ": no answer in " + TIMEOUT_MILLIS + " ms");
            }
            String stdout = new String(out.get(1, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                String stderr = new String(err.get(1, TimeUnit.SECONDS), StandardCharsets.UTF_8).strip();
                String first = stderr.isEmpty() ? "(nothing on stderr)" : stderr.lines().findFirst().orElse("");
                throw new IllegalStateException(shown + ": exit " + p.exitValue() + ": " + first);
            }
            return stdout;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(shown + ": interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(shown + ": cannot read its output: " + e, e);
        }
    }

    private static CompletableFuture<byte[]> slurp(InputStream s) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (s) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                s.transferTo(b);
                f.complete(b.toByteArray());
            } catch (IOException e) {
                f.completeExceptionally(new UncheckedIOException(e));
            }
        }, "tcpsim-net-cmd");
        t.setDaemon(true);
        t.start();
        return f;
    }
}
