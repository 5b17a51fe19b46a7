package io.tcpsim.kernel.net;

import io.tcpsim.capture.LoopbackCapture;
import io.tcpsim.kernel.NamespaceThread;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two hosts on a real link, on this kernel: host A and host B each in a network namespace of its own, joined through
 * a third namespace, the wire, in which a {@link Forwarder} moves frames between two veth pairs and delays or loses
 * them as the {@link Link} says. See docs/kernel-backend.md, "Two hosts on a link".
 *
 * <pre>
 *   host A                 wire                      host B
 *   eth0 (10.0.1.1) ==== w-a  [forwarder]  w-b ==== eth0 (10.0.1.2)
 * </pre>
 *
 * <ul>
 *   <li>The three namespaces are anonymous: each is held by one {@link NamespaceThread} of this JVM and the sockets
 *       in it, and nothing is created in the machine's namespace (the veths are made inside the wire namespace and
 *       their host ends inside the hosts'). When the JVM dies the kernel removes all of it, so no run can leave
 *       anything behind for the next one to clean.</li>
 *   <li>Every veth end: the spec's MTU, checksum offload and every segmentation offload off (tx, rx, tso, gso, gro,
 *       lro), so that both hosts and the wire see wire-sized frames with real checksums. IPv6 is disabled in all
 *       three namespaces, and each host knows the other's MAC as a permanent neighbour: no ARP, no neighbour
 *       discovery, nothing on the link but the hosts' IPv4.</li>
 *   <li>Congestion control: this kernel's default is bbr, which a child namespace inherits and may not change
 *       (writing net.ipv4.tcp_congestion_control there gives EPERM); each host's route to the other carries
 *       {@code congctl cubic}, which tcp_init_congestion_control / tcp_ca_openreq_child apply to both active and
 *       passive sockets (a socket's own TCP_CONGESTION still overrides it).</li>
 *   <li>Every command is bounded (5 s); a failure is one line.</li>
 * </ul>
 */
public final class Network implements AutoCloseable {
    /** The congestion control every route carries. */
    public static final String CONGESTION_CONTROL = "cubic";
    static final String WIRE_A = "w-a", WIRE_B = "w-b";
    private static final long SYNC_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final NetSpec spec;
    private final NamespaceThread wireThread;
    private final String wireNetns;
    private final Host[] hosts = new Host[2];
    private final Link link;
    private Forwarder forwarder;
    private final List<PacketSocket> wireSockets = new ArrayList<>();
    private boolean closed;

    private Network(NetSpec spec, NamespaceThread wireThread, String wireNetns) {
        this.spec = spec;
        this.wireThread = wireThread;
        this.wireNetns = wireNetns;
        this.link = new Link(spec.link());
    }

    /**
     * Builds the topology and starts the wire and both captures; everything is live when this returns.
     *
     * @throws io.tcpsim.kernel.KernelUnavailableException when a tool, libpcap or a privilege is missing
     * @throws IllegalArgumentException when the kernel refuses a sysctl of the spec
     */
    public static Network open(NetSpec spec) {
        Commands.checkTools();
        LoopbackCapture.checkLibpcap();
        String run = "tcpsim-net-" + RUNS.incrementAndGet();
        NamespaceThread w = NamespaceThread.start(run + "-wire");
        Network n;
        try {
            n = new Network(spec, w, taskDir(w) + "/ns/net");
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
        try {
            w.call(() -> {
                Host.writeProcSys("net.ipv4.tcp_child_ehash_entries", Integer.toString(HOST_EHASH_ENTRIES));
                return null;
            });
            n.hosts[0] = n.startHost(0, spec.a(), run);
            n.hosts[1] = n.startHost(1, spec.b(), run);
            n.build();
        } catch (RuntimeException | Error e) {
            try {
                n.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return n;
    }

    /**
     * Throws {@link io.tcpsim.kernel.KernelUnavailableException} when {@link #open} could not work here: a tool,
     * libpcap or the privilege to make a namespace is missing. Cheap (one thread unshares and ends).
     */
    public static void checkCanOpen() {
        Commands.checkTools();
        LoopbackCapture.checkLibpcap();
        NamespaceThread.start("tcpsim-net-probe").close();
    }

    /**
     * Buckets of each host's own established-socket hash. A namespace shares the machine's hash (262144 buckets
     * here) unless its creator's {@code net.ipv4.tcp_child_ehash_entries} says otherwise (tcp_set_hashinfo reads the
     * creating task's namespace), and /proc/net/tcp walks every bucket of the hash its namespace uses: reading a host's
     * table took 6 ms on the shared hash, 40 ms under load, well under 1 ms on its own. So the wire's namespace sets
     * it (the machine's value stays 0) and the hosts' namespaces are made from the wire's thread. tcp_set_hashinfo also
     * derives two limits from the hash's size, {@code tcp_max_tw_buckets} (half of it) and {@code tcp_max_syn_backlog}
     * (a 128th, at least 128): each host gets the values a namespace on the shared hash has (before the script's own
     * sysctls), so that nothing but the speed of /proc/net/tcp changes.
     */
    static final int HOST_EHASH_ENTRIES = 1024;

    private Host startHost(int index, HostSpec h, String run) {
        // Started from the wire's thread, the host's thread begins in the wire's namespace and unshares from there.
        NamespaceThread t = wireThread.call(() -> NamespaceThread.start(run + "-" + h.name()));
        try {
            return new Host(index, h, t, taskDir(t));
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** {@code /proc/PID/task/TID} of a namespace thread: its ns/net, and its net/ (the namespace's /proc/net). */
    private static String taskDir(NamespaceThread t) {
        int tid = t.call(() -> NetLibC.C.gettid());
        return "/proc/" + ProcessHandle.current().pid() + "/task/" + tid;
    }

    private void build() {
        // IPv6 off before any interface exists, so no veth ever gets a link-local address or sends a solicitation.
        for (NamespaceThread t : List.of(wireThread, hosts[0].thread, hosts[1].thread)) {
            t.call(() -> {
                Host.writeProcSys("net.ipv6.conf.all.disable_ipv6", "1");
                Host.writeProcSys("net.ipv6.conf.default.disable_ipv6", "1");
                return null;
            });
        }
        byte[][] wireMac = {Frames.mac(1, spec.a().ip()), Frames.mac(1, spec.b().ip())};
        String[] wireDev = {WIRE_A, WIRE_B};
        String mtu = Integer.toString(spec.mtu());
        for (int i = 0; i < 2; i++) {
            Host h = hosts[i];
            Commands.run(wireNetns, null, "ip", "link", "add", wireDev[i], "mtu", mtu, "address",
                    Frames.macText(wireMac[i]), "type", "veth", "peer", "name", Host.DEVICE, "mtu", mtu, "address",
                    h.mac(), "netns", h.netnsPath());
            offloadsOff(wireNetns, wireDev[i]);
            offloadsOff(h.netnsPath(), Host.DEVICE);
            Commands.run(wireNetns, null, "ip", "link", "set", wireDev[i], "up");
        }
        for (int i = 0; i < 2; i++) configureHost(hosts[i], hosts[1 - i]);
        int shared = wireThread.call(() -> {
            try {
                return Math.abs(Integer.parseInt(Host.readProc(Host.sysctlPath("net.ipv4.tcp_ehash_entries"))));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        for (Host h : hosts) {
            h.writeSysctl("net.ipv4.tcp_max_tw_buckets", Integer.toString(shared / 2));
            h.writeSysctl("net.ipv4.tcp_max_syn_backlog", Integer.toString(Math.max(128, shared / 128)));
        }
        for (var e : spec.sysctls().entrySet()) {
            for (Host h : hosts) h.writeSysctl(e.getKey(), e.getValue());
        }
        PacketSocket a = wireThread.call(() -> PacketSocket.receiving(WIRE_A));
        wireSockets.add(a);
        PacketSocket b = wireThread.call(() -> PacketSocket.receiving(WIRE_B));
        wireSockets.add(b);
        forwarder = new Forwarder(link, a, b, new byte[][] {hosts[0].mac, hosts[1].mac}, wireMac);
        forwarder.start();
        for (int i = 0; i < 2; i++) {
            Host h = hosts[i];
            byte[] towards = wireMac[i];
            HostCapture c = h.thread.call(() -> HostCapture.openHere(Host.DEVICE, h.mac, towards));
            h.attach(c);
            int index = i;
            c.incomingMarkersFrom(number -> link.sendMarker(index, number));
        }
        // The first frame through a new capture pays for JNA's callback setup: pay it here, not in the run.
        for (Host h : hosts) {
            if (!h.capture().sync(TimeUnit.SECONDS.toNanos(5))) {
                throw new IllegalStateException("capture on " + h + " saw no marker: " + h.capture().failure()
                        + (forwarder.failure() == null ? "" : "; wire: " + forwarder.failure()));
            }
        }
    }

    /** tx/rx checksum offload and every segmentation offload off (lro is fixed off on veth; asking is harmless). */
    private static void offloadsOff(String netns, String dev) {
        Commands.run(netns, null, "ethtool", "-K", dev, "tx", "off", "rx", "off", "tso", "off", "gso", "off", "gro",
                "off", "lro", "off");
    }

    private static void configureHost(Host h, Host peer) {
        HostSpec s = h.spec();
        String dev = Host.DEVICE;
        StringBuilder batch = new StringBuilder();
        batch.append("link set ").append(dev).append(" up\n");
        batch.append("addr add ").append(s.address()).append('/').append(s.prefixLength()).append(" dev ").append(dev)
                .append(" noprefixroute\n");
        batch.append("route add ").append(s.network()).append(" dev ").append(dev).append(" scope link src ")
                .append(s.address()).append(" congctl ").append(CONGESTION_CONTROL).append('\n');
        if (!s.covers(peer.ip())) {
            batch.append("route add ").append(peer.spec().address()).append("/32 dev ").append(dev)
                    .append(" scope link src ").append(s.address()).append(" congctl ").append(CONGESTION_CONTROL)
                    .append('\n');
        }
        batch.append("neigh replace ").append(peer.spec().address()).append(" lladdr ").append(peer.mac())
                .append(" dev ").append(dev).append(" nud permanent\n");
        Commands.run(h.netnsPath(), batch.toString(), "ip", "-batch", "-");
    }

    public NetSpec spec() {
        return spec;
    }

    /** Host A (index 0) or B (index 1). */
    public Host a() {
        return hosts[0];
    }

    public Host b() {
        return hosts[1];
    }

    /** The host with that name, or null. */
    public Host host(String name) {
        for (Host h : hosts) if (h != null && h.name().equals(name)) return h;
        return null;
    }

    /** The direction from the host named {@code from} to the other one. */
    public Direction direction(String from) {
        Host h = host(from);
        if (h == null) throw new IllegalArgumentException("no host named " + from);
        return Direction.fromHost(h.index);
    }

    public Link link() {
        return link;
    }

    /** {@code /proc/PID/task/TID/ns/net} of the wire's namespace. */
    public String wireNetnsPath() {
        return wireNetns;
    }

    /** Runs a command inside the wire's namespace; returns its stdout. */
    public String runInWire(String... command) {
        return Commands.run(wireNetns, null, command);
    }

    /** Syncs both captures (see {@link HostCapture#sync}); false when one timed out. */
    public boolean sync() {
        boolean ok = true;
        for (Host h : hosts) ok &= h.capture().sync(SYNC_TIMEOUT_NANOS);
        return ok;
    }

    /** Why the wire stopped, or null while it runs. */
    public Throwable wireFailure() {
        return forwarder == null ? null : forwarder.failure();
    }

    /**
     * Stops both captures (their frames stay readable), the wire, deletes both veth pairs (which takes their host
     * ends with them, whatever sockets are still open) and ends the three threads. Sockets the caller still holds
     * keep their (now empty) namespace until they are closed.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        List<RuntimeException> failures = new ArrayList<>();
        for (Host h : hosts) {
            if (h == null || h.capture() == null) continue;
            h.capture().sync(SYNC_TIMEOUT_NANOS);
            h.capture().close();
        }
        if (forwarder != null) forwarder.close();
        for (PacketSocket s : wireSockets) s.close();
        for (String dev : new String[] {WIRE_A, WIRE_B}) {
            try {
                Commands.run(wireNetns, null, "ip", "link", "del", dev);
            } catch (IllegalStateException e) {
                if (!e.getMessage().contains("Cannot find device")) failures.add(e);
            }
        }
        for (Host h : hosts) if (h != null) h.thread.close();
        wireThread.close();
        if (!failures.isEmpty()) throw failures.get(0);
    }
}
