package io.tcpsim.nio;

import io.tcpsim.backend.Event;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.model.Model;
import io.tcpsim.model.Profile;
import io.tcpsim.picture.Ladder;
import io.tcpsim.picture.LadderHtml;
import io.tcpsim.picture.LadderSvg;
import io.tcpsim.picture.RunLadder;
import io.tcpsim.run.LogLine;
import io.tcpsim.run.RunLog;
import io.tcpsim.run.TextOutput;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.TcpdumpPrinter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A simulated network: one Linux host (the model) with loopback, and the {@link SelectorProvider} whose channels run
 * on it. Java code that opens its channels from {@link #provider()} (or through SocketChannel.open() and friends,
 * with {@link TcpsimSelectorProvider} as the JVM's provider and this network {@link #install() installed}) talks
 * Linux-exact TCP in virtual time. Afterwards the network has the run's packets ({@link #tcpdump()}, {@link #pcap()}),
 * the calls the code made with their results ({@link #trace()}, as tcpsim run prints them) and the ladder diagram.
 *
 * <p>Time: the network's clock is the model's, in virtual nanoseconds from 0. It moves only when every thread that
 * has used the network is waiting in it (a blocking read, accept, connect, select, or {@link #sleep}) or is parked
 * or ended; see docs/java-nio.md, "Time".
 */
public final class SimNetwork implements AutoCloseable {
    private static volatile SimNetwork installed;
    private static SimNetwork jvmDefault; // guarded by SimNetwork.class

    private final Kernel kernel;
    private final SimSelectorProvider provider;
    private final Profile profile;
    private final long seed;
    private final String name;

    private SimNetwork(Builder b) {
        this.profile = b.profile;
        this.seed = b.seed;
        this.name = b.name;
        this.kernel = new Kernel(new Model(profile, seed));
        this.provider = new SimSelectorProvider(kernel);
    }

    /** A network on the reference machine (Profile.linux6()) with seed 1. */
    public static SimNetwork create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How a network is made: the seed (ISNs, ports, timestamps), the kernel profile, a name for its outputs. */
    public static final class Builder {
        private long seed = 1;
        private Profile profile = Profile.linux6();
        private String name = "nio";

        private Builder() {}

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder profile(Profile profile) {
            this.profile = Objects.requireNonNull(profile);
            return this;
        }

        /** One profile key, as a script's {@code profile:} header sets it ({@code "tcp_fin_timeout", "30s"}). */
        public Builder profile(String key, String value) {
            this.profile = profile.with(key, value);
            return this;
        }

        public Builder name(String name) {
            this.name = Objects.requireNonNull(name);
            return this;
        }

        public SimNetwork build() {
            return new SimNetwork(this);
        }
    }

    /** The provider whose channels and selectors run on this network (for Netty, Jetty, or direct use). */
    public SelectorProvider provider() {
        return provider;
    }

    public long seed() {
        return seed;
    }

    /**
     * Makes this the network that {@link TcpsimSelectorProvider} (the JVM's provider, by system property) opens on,
     * until the returned handle is closed; then the one before it is back.
     */
    public Installation install() {
        SimNetwork before = installed;
        installed = this;
        return () -> installed = before;
    }

    /** What {@link #install()} returns: closing it uninstalls the network. */
    public interface Installation extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * The installed network, or else the JVM's own, made on first use with the seed of {@code -Dtcpsim.seed} (1 when
     * unset). When {@code -Dtcpsim.trace=FILE} is set the JVM's network writes its trace there at exit ({@code -}:
     * standard error).
     */
    public static SimNetwork current() {
        SimNetwork n = installed;
        if (n != null) return n;
        synchronized (SimNetwork.class) {
            if (jvmDefault == null) {
                long seed = Long.getLong("tcpsim.seed", 1L);
                jvmDefault = builder().seed(seed).name("jvm").build();
                String trace = System.getProperty("tcpsim.trace");
                if (trace != null) Runtime.getRuntime().addShutdownHook(new Thread(() -> jvmDefault.writeTraceAtExit(trace)));
            }
            return jvmDefault;
        }
    }

    private void writeTraceAtExit(String where) {
        List<String> lines = new ArrayList<>();
        lines.add("# tcpsim nio, seed " + seed);
        lines.addAll(trace());
        String text = String.join("\n", lines) + "\n";
        if (where.equals("-")) {
            System.err.print(text);
            return;
        }
        try {
            Files.writeString(Path.of(where), text);
            String pcap = System.getProperty("tcpsim.pcap");
            if (pcap != null) Files.write(Path.of(pcap), pcap());
        } catch (IOException e) {
            System.err.println("tcpsim: cannot write the trace to " + where + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- time

    /** The network's clock: virtual nanoseconds since the network was made. */
    public long nanoTime() {
        return kernel.now();
    }

    /**
     * Lets the calling thread wait {@code d} of virtual time, as if it were blocked in a call: timers fire and packets
     * arrive on the way once every other thread is waiting too. This, not Thread.sleep, is how a test lets time pass.
     */
    public void sleep(Duration d) {
        long nanos = d.toNanos();
        if (nanos < 0) throw new IllegalArgumentException("negative duration: " + d);
        kernel.sleep(nanos);
    }

    /**
     * Null while the network can go on; else who waits on what, at a moment when every thread waited for something
     * that nothing left in the simulation could bring (the run would hang on a real machine too).
     */
    public String stalled() {
        return kernel.stalled();
    }

    // ---------------------------------------------------------------- what came out

    /** The run as tcpsim's own log (calls, packets, signals, state changes), for the outputs below. */
    public RunLog log() {
        return RunRecord.of(name, profile, seed, kernel.calls(), kernel.events());
    }

    /** Every packet so far, in the order lo carried them. */
    public List<Packet> packets() {
        List<Packet> out = new ArrayList<>();
        for (Event e : kernel.events()) if (e instanceof Event.PacketSent p) out.add(p.packet());
        return out;
    }

    /** The packets as {@code tcpdump -nn} prints them. */
    public List<String> tcpdump() {
        TcpdumpPrinter p = new TcpdumpPrinter();
        List<String> out = new ArrayList<>();
        for (Packet packet : packets()) out.add(p.print(packet));
        return out;
    }

    /** The calls the code made with their results, and the packets, as {@code tcpsim run} prints them. */
    public List<String> trace() {
        RunLog log = log();
        return new TextOutput(log.script()).lines(log.lines());
    }

    /** The calls alone, one line each: {@code 00:00:00.000000 [main] connect(4, 127.0.0.1:4321) = 0}. */
    public List<String> calls() {
        RunLog log = log();
        TextOutput t = new TextOutput(log.script());
        List<String> out = new ArrayList<>();
        for (LogLine l : log.lines()) if (l.kind() == LogLine.Kind.CALL) out.addAll(t.format(l));
        return out;
    }

    /** The packets as a pcap file (nanosecond timestamps, Ethernet on lo). */
    public byte[] pcap() {
        return PcapFile.of(packets());
    }

    public void writePcap(Path file) {
        try {
            Files.write(file, pcap());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Ladder ladder() {
        return RunLadder.of(log(), List.of(), "tcpsim nio, seed " + seed);
    }

    /** The ladder diagram as SVG (docs/pictures.md). */
    public String ladderSvg() {
        return LadderSvg.render(ladder());
    }

    public String ladderHtml() {
        return LadderHtml.render(ladder());
    }

    /** The socket table, as netstat -tan lists it. */
    public List<NetstatRow> netstat() {
        return kernel.inspect(Model::netstat);
    }

    Kernel kernel() {
        return kernel;
    }

    /** Stops recording calls and packets (for a benchmark), or starts again. */
    public void recording(boolean on) {
        kernel.recording(on);
    }

    /** Uninstalls the network if installed and wakes every thread still waiting in it. */
    @Override
    public void close() {
        if (installed == this) installed = null;
        kernel.wakeAll();
    }
}
