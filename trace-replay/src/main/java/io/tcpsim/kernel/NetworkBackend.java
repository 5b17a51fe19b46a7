package io.tcpsim.kernel;

import io.tcpsim.backend.Backend;
import io.tcpsim.backend.Event;
import io.tcpsim.backend.LinkCommand;
import io.tcpsim.backend.NotModelled;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.backend.ProcessEnd;
import io.tcpsim.backend.RstReason;
import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.Result;
import io.tcpsim.capture.RawFrame;
import io.tcpsim.kernel.net.Host;
import io.tcpsim.kernel.net.HostSpec;
import io.tcpsim.kernel.net.Lane;
import io.tcpsim.kernel.net.LinkSpec;
import io.tcpsim.kernel.net.LinkRecord;
import io.tcpsim.kernel.net.NetSpec;
import io.tcpsim.kernel.net.Network;
import io.tcpsim.kernel.trace.KernelReasons;
import io.tcpsim.kernel.trace.ReasonTracer;
import io.tcpsim.script.Script;
import io.tcpsim.script.SourceText;
import io.tcpsim.script.Topology;
import io.tcpsim.wire.Packet;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The real kernel on two hosts joined by a link (a script with {@code hosts:}, issue 12): a {@link Network} of two
 * network namespaces and the wire between them (docs/kernel-backend.md, "Two hosts on a link"). Each script
 * process runs on the host of its name: its calls run on that host's thread, inside the host's namespace, with the
 * loopback backend's libc calls, descriptor numbers and SIGPIPE handling ({@link KernelBackend}).
 *
 * <ul>
 *   <li><b>Capture on both ends.</b> Each host's eth0 is captured; {@link #captured()} has every packet as each end
 *       saw it, in time order, tagged with the host and whether the host sent it or received it. A packet the link
 *       lost is in the sender's capture only, marked {@code lostOnLink} (the wire's own record says so: {@link
 *       io.tcpsim.kernel.net.Link#records()}).</li>
 *   <li><b>Events.</b> {@link #drainEvents()} gives each packet once, as its sender's capture saw it (the moment it
 *       left), followed by an {@link Event.LostOnLink} when the link lost it, with both hosts' drops and RST reasons
 *       (one eBPF tracer per host namespace), signals and process ends, in time order.</li>
 *   <li><b>The link.</b> {@link #linkDown()}, {@link #linkUp()} and {@link #drop} drive the wire's {@link
 *       io.tcpsim.kernel.net.Link} exactly: "the next N that match" are the first N matching frames that enter the
 *       wire after the call.</li>
 *   <li>Congestion control is pinned to cubic by each host's route, offloads are off and the sysctls are set in both
 *       hosts: {@link Network#open}.</li>
 * </ul>
 */
public final class NetworkBackend implements Backend {

    /**
     * The blocked-call limit of a two-host run: longer than the loopback's 2 s, since a call on a lossy path
     * legitimately waits for retransmissions (a connect with TCP_SYNCNT 1 returns ETIMEDOUT after 3 s, a recv on a
     * dead link after tcp_retries2's budget).
     */
    public static final Duration DEFAULT_BLOCK_LIMIT = Duration.ofSeconds(30);
    private static final long SYNC_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);

    /**
     * One packet as one host's capture saw it: {@code sent} when the host sent it, else it received it;
     * {@code lostOnLink} for a sent packet the link lost (it is in no other capture).
     */
    public record Captured(String host, Packet packet, boolean sent, boolean lostOnLink, RstReason rstReason) {}

    /** One host of the run: its processes, its tracer and what its capture has shown so far. */
    private static final class HostRun {
        final Host host;
        final Map<String, EmulatedProcess> processes = new HashMap<>(); // used on the host's thread only
        final ReasonTracer tracer;
        final KernelReasons reasons;

        HostRun(Host host, ReasonTracer tracer, KernelReasons reasons) {
            this.host = host;
            this.tracer = tracer;
            this.reasons = reasons;
        }
    }

    private final long blockLimitNanos;
    private Network network;
    private final List<HostRun> hosts = new ArrayList<>();
    private final List<Event> events = new ArrayList<>(); // guarded by itself
    private final List<Captured> captured = new ArrayList<>();
    private final Set<ByteBuffer> lostFrames = new HashSet<>();
    private final List<RawFrame> frames = new ArrayList<>();
    private boolean closed;
    /** Set by a host's thread for the call being made (see {@link #lastCallSpan}). */
    private volatile long[] lastSpan;

    /**
     * A backend for a script with {@code hosts:}: the network is built by {@link #prepare}, from the script's
     * topology. Fails here, before any script runs, when the machine cannot build one.
     *
     * @throws KernelUnavailableException when a tool, libpcap or a privilege is missing
     */
    public NetworkBackend() {
        this.blockLimitNanos = DEFAULT_BLOCK_LIMIT.toNanos();
        Network.checkCanOpen();
    }

    /** Builds the network now, with the default blocked-call limit (30 s). */
    public NetworkBackend(NetSpec spec) {
        this(spec, DEFAULT_BLOCK_LIMIT);
    }

    /**
     * Builds the network now and starts both captures and both tracers.
     *
     * @throws KernelUnavailableException when a tool, libpcap, BPF or a privilege is missing
     * @throws IllegalArgumentException   when the kernel refuses a sysctl of the spec
     */
    public NetworkBackend(NetSpec spec, Duration blockLimit) {
        this.blockLimitNanos = blockLimit.toNanos();
        open(spec);
    }

    /** The topology of a script's {@code hosts:}, {@code link:} and {@code sysctl:}: host A is the first host. */
    public static NetSpec spec(Topology t) {
        List<String> names = t.names();
        HostSpec a = new HostSpec(names.get(0), t.hosts().get(names.get(0)), 24);
        HostSpec b = new HostSpec(names.get(1), t.hosts().get(names.get(1)), 24);
        LinkSpec link = new LinkSpec(Lane.delay(t.link().delayNanos()), Lane.delay(t.link().reverseDelayNanos()), 0);
        return new NetSpec(a, b, t.link().mtu(), link, t.sysctls());
    }

    /**
     * Builds the script's network (the constructor without a spec), or checks that the network built already is the
     * script's. A sysctl the kernel refuses is the script's error: one line at the sysctl, nothing run.
     */
    @Override
    public void prepare(Script script) {
        Topology t = script.topology();
        if (t == null) {
            throw new NotModelled(script.file() + ": the two-host kernel backend runs scripts with hosts: only");
        }
        if (network != null) {
            if (!network.a().name().equals(t.names().get(0)) || !network.b().name().equals(t.names().get(1))) {
                throw new IllegalArgumentException("the network's hosts are " + network.a().name() + " and "
                        + network.b().name() + ", the script's " + t.names());
            }
            return;
        }
        try {
            open(spec(t));
        } catch (IllegalArgumentException e) {
            String m = String.valueOf(e.getMessage());
            String key = m.startsWith("sysctl ") && m.indexOf(':') > 0 ? m.substring(7, m.indexOf(':')) : null;
            SourceText at = key == null ? t.source() : t.at(key);
            throw new NotModelled(script.file() + ":" + at.line(0) + ":" + at.column(0) + ": " + m);
        }
    }

    private void open(NetSpec spec) {
        network = Network.open(spec);
        try {
            for (Host h : List.of(network.a(), network.b())) {
                ReasonTracer t;
                try {
                    t = new ReasonTracer(h.call(NamespaceThread::netnsInode));
                } catch (RuntimeException e) {
                    throw new KernelUnavailableException(KernelUnavailableException.NEEDS_BPF + ": " + e.getMessage(), e);
                }
                hosts.add(new HostRun(h, t, new KernelReasons(t, realMinusMonotonic())));
            }
        } catch (RuntimeException e) {
            for (HostRun h : hosts) h.tracer.close();
            network.close();
            throw e;
        }
    }

    /** CLOCK_REALTIME minus CLOCK_MONOTONIC, read as {@link KernelBackend} reads it (the closest of eight). */
    private static long realMinusMonotonic() {
        long best = 0, bestGap = Long.MAX_VALUE;
        for (int i = 0; i < 8; i++) {
            long m0 = System.nanoTime();
            long real = realtime();
            long m1 = System.nanoTime();
            if (m1 - m0 < bestGap) {
                bestGap = m1 - m0;
                best = real - (m0 + (m1 - m0) / 2);
            }
        }
        return best;
    }

    private static long realtime() {
        java.time.Instant now = java.time.Instant.now(); // clock_gettime(CLOCK_REALTIME): the capture's clock
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** The network underneath (its hosts, its link's records). */
    public Network network() {
        return network;
    }

    @Override
    public String name() {
        return "kernel";
    }

    @Override
    public long now() {
        return realtime();
    }

    private HostRun hostOf(String process) {
        for (HostRun h : hosts) if (h.host.name().equals(process)) return h;
        throw new IllegalArgumentException("process " + process + " has no host in this network (hosts: "
                + network.a().name() + ", " + network.b().name() + ")");
    }

    /** As {@link KernelBackend#lastCallSpan}: measured on the host's thread; a call that never slept took its CPU time. */
    @Override
    public long[] lastCallSpan() {
        return lastSpan;
    }

    @Override
    public Result call(String process, Call call) {
        lastSpan = null;
        HostRun h = hostOf(process);
        long limit = blockLimitNanos + TimeUnit.MILLISECONDS.toNanos(KernelBackend.ownTimeoutMs(call));
        NamespaceThread.Outcome<Result> o = h.host.callBounded(() -> execute(h, process, call), limit);
        Result r = o.value();
        if (o.signalled() && r.errno() == Errno.EINTR) return Result.blocked();
        return r;
    }

    @Override
    public void sleep(long nanos) {
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = deadline - System.nanoTime()) LockSupport.parkNanos(left);
    }

    @Override
    public void exit(String process) {
        HostRun h = hostOf(process);
        h.host.call(() -> {
            EmulatedProcess p = h.processes.remove(process);
            if (p != null) KernelBackend.closeAll(p);
            emit(new Event.ProcessEnded(now(), process, ProcessEnd.EXITED));
            return null;
        });
    }

    /** Both hosts' tables, host A's rows first. */
    @Override
    public List<NetstatRow> netstat() {
        List<NetstatRow> out = new ArrayList<>();
        for (HostRun h : hosts) out.addAll(h.host.netstat());
        return out;
    }

    /** One host's table, as netstat on that host lists it. */
    @Override
    public List<NetstatRow> netstat(String host) {
        return hostOf(host).host.netstat();
    }

    /** A script's {@code link} step, at this instant. */
    @Override
    public void link(LinkCommand command) {
        if (command instanceof LinkCommand.Down) linkDown();
        else if (command instanceof LinkCommand.Up) linkUp();
        else if (command instanceof LinkCommand.Drop d) drop(d.from(), d.kind(), d.count());
        else throw new IllegalArgumentException("link command " + command.text());
    }

    /** {@code link down}: every frame that enters the link from now on is lost, both ways. */
    public void linkDown() {
        network.link().down();
    }

    /** {@code link up}. */
    public void linkUp() {
        network.link().up();
    }

    /** {@code link drop N FROM>TO KIND}: the next {@code count} frames from that host that match are lost. */
    public void drop(String from, LinkCommand.Kind kind, int count) {
        network.link().drop(network.direction(from), kind, count);
    }

    @Override
    public List<Event> drainEvents() {
        if (network == null) return List.of();
        if (!closed) network.sync();
        for (LinkRecord r : network.link().drainRecords()) if (r.lost()) lostFrames.add(ByteBuffer.wrap(r.frame()));
        List<Event> out = new ArrayList<>();
        List<Captured> fresh = new ArrayList<>();
        for (HostRun h : hosts) {
            List<Packet> packets = new ArrayList<>();
            List<Boolean> lost = new ArrayList<>();
            for (RawFrame f : h.host.capture().drain()) {
                Packet p = KernelBackend.decode(f);
                if (p == null) continue;
                frames.add(f);
                packets.add(p);
                lost.add(p.segment().src().ip() == h.host.ip() && lostFrames.remove(ByteBuffer.wrap(f.data())));
            }
            int n = 0;
            for (Event e : h.reasons.events(packets, closed)) {
                if (!(e instanceof Event.PacketSent ps)) {
                    out.add(e);
                    continue;
                }
                boolean sent = ps.packet().segment().src().ip() == h.host.ip(), lostOnLink = lost.get(n++);
                fresh.add(new Captured(h.host.name(), ps.packet(), sent, lostOnLink, ps.rstReason()));
                if (sent) out.add(ps);
                // Right after its packet (the sort is stable): the packet left its host, the link lost it.
                if (lostOnLink) out.add(new Event.LostOnLink(ps.packet().timeNanos(), ps.packet().segment()));
            }
        }
        fresh.sort(Comparator.comparingLong(c -> c.packet().timeNanos()));
        captured.addAll(fresh);
        synchronized (events) {
            out.addAll(events);
            events.clear();
        }
        out.sort(Comparator.comparingLong(Event::timeNanos));
        return out;
    }

    /** Every packet each host's capture saw so far (drained by {@link #drainEvents()}), in time order. */
    public List<Captured> captured() {
        List<Captured> all = new ArrayList<>(captured);
        all.sort(Comparator.comparingLong(c -> c.packet().timeNanos()));
        return all;
    }

    /** Every captured frame of both hosts, in time order (a packet that crossed the link is in it twice). */
    public List<RawFrame> rawFrames() {
        List<RawFrame> all = new ArrayList<>(frames);
        all.sort(Comparator.comparingLong(RawFrame::timeNanos));
        return all;
    }

    /**
     * Settles, then takes the network down: both captures stop (their frames stay readable: drain once more after
     * this), the veths go, and what the processes still hold is closed (unseen, as on loopback).
     */
    @Override
    public void close() {
        if (closed) return;
        if (network == null) { // never prepared: nothing was built
            closed = true;
            return;
        }
        sleep(KernelBackend.CLOSE_SETTLE.toNanos());
        network.sync();
        closed = true;
        try {
            for (HostRun h : hosts) {
                // The tracer's last records wait in reasons for the frames drained after this.
                h.reasons.events(List.of(), false).forEach(this::emit);
                h.tracer.close();
            }
        } finally {
            network.close();
            for (HostRun h : hosts) {
                for (EmulatedProcess p : h.processes.values()) {
                    for (var d : p.descriptors()) LibC.C.close(d.getValue());
                }
                h.processes.clear();
            }
        }
    }

    // ---- on a host's thread ----

    private Result execute(HostRun h, String processName, Call call) {
        EmulatedProcess p = h.processes.computeIfAbsent(processName, EmulatedProcess::new);
        long switches = KernelBackend.voluntarySwitches(), cpu = KernelBackend.threadCpuNanos(), start = now();
        Result r = call.accept(KernelBackend.LIBC_CALLS, p);
        long end = now();
        // As KernelBackend.execute: a call that never slept took only its CPU time.
        if (KernelBackend.voluntarySwitches() == switches) end = Math.min(end, start + KernelBackend.threadCpuNanos() - cpu);
        lastSpan = new long[] {start, end};
        if (NamespaceThread.takePendingSigpipe()) {
            r = r.withSigpipe();
            KernelBackend.deliverSigpipe(p, h.processes, this::now, this::emit);
        }
        return r;
    }

    private void emit(Event e) {
        synchronized (events) {
            events.add(e);
        }
    }
}
