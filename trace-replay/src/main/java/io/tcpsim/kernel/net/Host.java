package io.tcpsim.kernel.net;

import io.tcpsim.backend.NetstatRow;
import io.tcpsim.kernel.NamespaceThread;
import io.tcpsim.kernel.ProcNetTcp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * One host of a {@link Network}: a network namespace of its own with one veth ({@link #DEVICE}) towards the wire,
 * and the thread that lives in it. Every socket a script process on this host opens must be created by work run
 * through {@link #call} or {@link #callBounded} (a socket belongs to the namespace of the thread that creates it);
 * afterwards its syscalls may run anywhere, but running them here keeps one thread per host, as the kernel backend
 * does.
 */
public final class Host {
    /** The name of the host's interface inside its namespace. */
    public static final String DEVICE = "eth0";

    final int index;
    private final HostSpec spec;
    final NamespaceThread thread;
    final String netns;
    final byte[] mac;
    private final Path procNetTcp;
    private HostCapture capture;

    Host(int index, HostSpec spec, NamespaceThread thread, String taskDir) {
        this.index = index;
        this.spec = spec;
        this.thread = thread;
        this.netns = taskDir + "/ns/net";
        this.procNetTcp = Path.of(taskDir, "net", "tcp");
        this.mac = Frames.mac(0, spec.ip());
    }

    void attach(HostCapture c) {
        capture = c;
    }

    public String name() {
        return spec.name();
    }

    public HostSpec spec() {
        return spec;
    }

    /** The host's IPv4 address in {@code SockAddr} form. */
    public int ip() {
        return spec.ip();
    }

    /** {@code /proc/PID/task/TID/ns/net}: for {@code nsenter --net=...} while the network is open. */
    public String netnsPath() {
        return netns;
    }

    public String mac() {
        return Frames.macText(mac);
    }

    /** Runs work on the host's thread (inside its namespace) and waits for it; for work that cannot block. */
    public <T> T call(Supplier<T> work) {
        return thread.call(work);
    }

    /** Runs work on the host's thread; interrupts its syscall with SIGUSR1 when it is still running after the limit. */
    public <T> NamespaceThread.Outcome<T> callBounded(Supplier<T> work, long limitNanos) {
        return thread.callBounded(work, limitNanos);
    }

    /** The host's socket table, as {@code netstat -tano} would print it on the host. */
    public List<NetstatRow> netstat() {
        return ProcNetTcp.parse(procNetTcp());
    }

    /**
     * The raw lines of the host's /proc/net/tcp. Read as {@code /proc/PID/task/TID/net/tcp} of the host's thread, which
     * shows that task's namespace whoever reads it: so a netstat does not wait behind a call blocked on the host's
     * thread (an accept, a connect that is retrying its SYN).
     */
    public List<String> procNetTcp() {
        try {
            return Files.readAllLines(procNetTcp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public HostCapture capture() {
        return capture;
    }

    /** Runs a command inside the host's namespace ({@code ss -tin}, {@code ip route}); returns its stdout. */
    public String run(String... command) {
        return Commands.run(netns, null, command);
    }

    /** A sysctl of the host's namespace, read on its thread ({@code net.ipv4.tcp_syn_retries}). */
    public String sysctl(String name) {
        return thread.call(() -> {
            try {
                return readProc(sysctlPath(name));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * A /proc file's text. Not {@code Files.readString}: procfs reports a size of 0, and readString then returned only
     * the first byte of a sysctl ("4" for 4096); a reader reads until the end.
     */
    static String readProc(Path p) throws IOException {
        return String.join("\n", Files.readAllLines(p)).strip();
    }

    /** Writes a sysctl in the host's namespace; a name the kernel lacks or a value it refuses is one clear line. */
    void writeSysctl(String name, String value) {
        thread.call(() -> {
            writeProcSys(name, value);
            return null;
        });
    }

    static void writeProcSys(String name, String value) {
        Path p = sysctlPath(name);
        try {
            Files.writeString(p, value + "\n");
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("sysctl " + name + ": this kernel has no such setting");
        } catch (IOException e) {
            throw new IllegalArgumentException("sysctl " + name + ": the kernel refused \"" + value + "\" ("
                    + e.getMessage() + ")");
        }
    }

    static Path sysctlPath(String name) {
        return Path.of("/proc/sys", name.replace('.', '/'));
    }

    @Override
    public String toString() {
        return spec.name() + " (" + spec.address() + ")";
    }
}
