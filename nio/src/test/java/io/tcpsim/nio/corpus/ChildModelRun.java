package io.tcpsim.nio.corpus;

import io.tcpsim.pcap.CaptureRecords;
import io.tcpsim.wire.Packet;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A program on the model in a JVM of its own, started with
 * {@code -Djava.nio.channels.spi.SelectorProvider=io.tcpsim.nio.TcpsimSelectorProvider}: for code that opens its
 * channels through SelectorProvider.provider() (the JDK's HttpClient, com.sun.net.httpserver), which the test JVM
 * cannot point at the model (the provider is the JVM's, and this JVM's is the JDK's, for the kernel runs). The child
 * ({@link #main}) runs the program as {@link ModelRun} does, on a network it installs, and writes what came of it to
 * a folder: the operations ({@code ops.bin}), the packets as a pcap ({@code packets.pcap}, read back here with
 * trace-replay's reader: nanosecond times, so nothing is lost) and the trace ({@code trace.txt}, for a report).
 */
public final class ChildModelRun {
    public record Outcome(List<Ops.Op> ops, List<Packet> packets, List<String> trace) {}

    /** The child JVM must end within this (its program's own bound is KernelRun's 60 s, so this is never near). */
    private static final long TIMEOUT_SECONDS = 60;

    /**
     * HttpClient hands its caller the answer from its selector thread (an unpark, which the model cannot see), and a
     * thread just unparked reads WAITING until it gets a CPU: under load that took longer than the 2 ms the provider
     * waits by default before it takes a parked thread for idle, and the clock moved under it (Kernel).
     */
    static final int PARKED_CONFIRM_MILLIS = 100;

    private ChildModelRun() {}

    /** Runs {@code program} (one of {@link HttpKeepAlive#ALL}, found by name in the child) on the model, seed 1. */
    public static Outcome run(Program program) throws Exception {
        Path dir = Files.createTempDirectory("tcpsim-nio-child");
        try {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Path log = dir.resolve("child.log");
            Process child = new ProcessBuilder(java.toString(),
                    "-Djava.nio.channels.spi.SelectorProvider=io.tcpsim.nio.TcpsimSelectorProvider",
                    "-Dtcpsim.parkedConfirmMillis=" + PARKED_CONFIRM_MILLIS,
                    "-cp", System.getProperty("java.class.path"), ChildModelRun.class.getName(), program.name(),
                    dir.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!child.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                throw new IllegalStateException(program.name() + ": the model's JVM did not end in " + TIMEOUT_SECONDS
                        + " s:\n" + Files.readString(log));
            }
            if (child.exitValue() != 0)
                throw new IllegalStateException(program.name() + ": the model's JVM exited with " + child.exitValue()
                        + ":\n" + Files.readString(log));
            return new Outcome(readOps(dir.resolve("ops.bin")), CaptureRecords.readPackets(dir.resolve("packets.pcap")),
                    Files.readAllLines(dir.resolve("trace.txt")));
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        }
    }

    /** The child: {@code PROGRAM DIR}. */
    public static void main(String[] args) throws Exception {
        Program p = HttpKeepAlive.named(args[0]);
        Path dir = Path.of(args[1]);
        ModelRun.Outcome o = ModelRun.run(p, 1, true);
        writeOps(dir.resolve("ops.bin"), o.ops());
        o.network().writePcap(dir.resolve("packets.pcap"));
        Files.write(dir.resolve("trace.txt"), o.network().trace(), StandardCharsets.UTF_8);
        // HttpClient's selector thread and httpserver's timer are still there; the run is over.
        System.exit(0);
    }

    private static void writeOps(Path file, List<Ops.Op> ops) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            for (Ops.Op op : ops) {
                out.writeLong(op.start());
                out.writeLong(op.end());
                out.writeUTF(op.thread());
                out.writeUTF(op.what());
                out.writeUTF(op.outcome());
            }
        }
    }

    private static List<Ops.Op> readOps(Path file) throws IOException {
        List<Ops.Op> ops = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            while (true) {
                long start;
                try {
                    start = in.readLong();
                } catch (EOFException end) {
                    return ops;
                }
                ops.add(new Ops.Op(start, in.readLong(), in.readUTF(), in.readUTF(), in.readUTF()));
            }
        }
    }
}
