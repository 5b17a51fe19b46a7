package io.tcpsim.nio.corpus;

import io.tcpsim.capture.LoopbackCapture;
import io.tcpsim.capture.RawFrame;
import io.tcpsim.kernel.KernelBackend;
import io.tcpsim.kernel.NamespaceThread;
import io.tcpsim.wire.Packet;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A program on the real JDK provider, on a thread that has a network namespace of its own (threads it starts share
 * it), with a capture on that namespace's lo.
 */
public final class KernelRun {
    public record Outcome(List<Ops.Op> ops, List<Packet> packets) {}

    /** Both runs go on this long after the program returns, for the packets its timers send. */
    static final Duration SETTLE = Duration.ofMillis(200);

    private KernelRun() {}

    /** The program's main thread has this name on both sides. */
    static String threadName(Program p) {
        return "prog-" + p.name();
    }

    static long realtime() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** As {@link #run}; without the privilege or libpcap the test is skipped, except under CI=true, where it fails. */
    public static Outcome runOrSkip(Program p) throws Exception {
        try {
            return run(p);
        } catch (io.tcpsim.kernel.KernelUnavailableException e) {
            if ("true".equals(System.getenv("CI"))) throw e;
            org.junit.jupiter.api.Assumptions.abort("no kernel here: " + e.getMessage());
            throw e;
        }
    }

    public static Outcome run(Program p) throws Exception {
        Ops ops = new Ops(KernelRun::realtime);
        // The JDK's own provider: this test JVM does not set java.nio.channels.spi.SelectorProvider.
        SelectorProvider jdk = SelectorProvider.provider();
        if (jdk.getClass().getName().startsWith("io.tcpsim")) throw new IllegalStateException("not the JDK's provider");
        Env env = new Env() {
            public SelectorProvider provider() { return jdk; }
            public void sleep(Duration d) throws InterruptedException { Thread.sleep(d.toMillis()); }
            public long now() { return realtime(); }
            public Ops ops() { return ops; }
        };
        try (NamespaceThread ns = NamespaceThread.start(threadName(p))) {
            LoopbackCapture cap = ns.call(LoopbackCapture::openHere);
            try {
                NamespaceThread.Outcome<Throwable> o = ns.callBounded(() -> {
                    try {
                        p.run(env);
                        return null;
                    } catch (Throwable t) {
                        return t;
                    }
                }, TimeUnit.SECONDS.toNanos(60));
                if (o.value() != null) throw new IllegalStateException("program failed on the kernel", o.value());
                Thread.sleep(SETTLE.toMillis()); // what timers send after the last call (a delayed ACK)
                ns.call(() -> cap.sync(TimeUnit.SECONDS.toNanos(2)));
                List<Packet> packets = new ArrayList<>();
                for (RawFrame f : cap.frames()) {
                    Packet packet = KernelBackend.decode(f);
                    if (packet != null) packets.add(packet);
                }
                return new Outcome(ops.list(), packets);
            } finally {
                cap.close();
            }
        }
    }
}
