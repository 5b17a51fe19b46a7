package io.tcpsim.nio.corpus;

import io.tcpsim.nio.SimNetwork;
import io.tcpsim.wire.Packet;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.List;

/** A program on a simulated network of its own. */
public final class ModelRun {
    public record Outcome(List<Ops.Op> ops, List<Packet> packets, SimNetwork network) {}

    private ModelRun() {}

    public static Outcome run(Program p, long seed) throws Exception {
        return run(p, seed, false);
    }

    /**
     * As {@link #run(Program, long)}; with {@code install} the network is also the one SelectorProvider.provider()
     * opens on, for a JVM started with tcpsim's provider as its own (ChildModelRun).
     */
    public static Outcome run(Program p, long seed, boolean install) throws Exception {
        SimNetwork net = SimNetwork.builder().seed(seed).name(p.name()).build();
        SimNetwork.Installation installed = install ? net.install() : null;
        Ops ops = new Ops(net::nanoTime);
        Env env = new Env() {
            public SelectorProvider provider() { return net.provider(); }
            public void sleep(Duration d) { net.sleep(d); }
            public long now() { return net.nanoTime(); }
            public Ops ops() { return ops; }
        };
        Throwable[] failed = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                p.run(env);
                net.sleep(KernelRun.SETTLE);
            } catch (Throwable e) {
                failed[0] = e;
            }
        }, KernelRun.threadName(p));
        t.start();
        t.join();
        if (installed != null) installed.close();
        if (failed[0] != null) throw new IllegalStateException("program failed on the model", failed[0]);
        return new Outcome(ops.list(), net.packets(), net);
    }
}
