package io.tcpsim.kernel.net;

import io.tcpsim.backend.LinkCommand;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.kernel.LibC;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpFlags;
import io.tcpsim.wire.TcpOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The two-host topology on this kernel: it comes up as specified and goes away, TCP runs across it with cubic, and
 * the link delays, drops and goes down as told. Needs root (under CI=true it always runs).
 */
class NetworkTest {
    static final HostSpec CLIENT = HostSpec.parse("client", "10.0.1.1/24");
    static final HostSpec SERVER = HostSpec.parse("server", "10.0.1.2/24");

    @BeforeEach
    void privileged() {
        Privilege.assumeNetworkCanBeBuilt();
    }

    static NetSpec spec() {
        return NetSpec.of(CLIENT, SERVER);
    }

    @Test
    void theTopologyComesUpAsSpecifiedAndGoesAway() throws Exception {
        List<Integer> probes = new ArrayList<>();
        String rootLinks = ip("-o", "link");
        String childEhash = Host.readProc(Path.of("/proc/sys/net/ipv4/tcp_child_ehash_entries"));
        try (Network n = Network.open(spec().withMtu(1400).withSysctls(Map.of("net.ipv4.tcp_syn_retries", "2")))) {
            for (Host h : List.of(n.a(), n.b())) {
                String addr = h.run("ip", "-o", "-4", "addr", "show", "dev", Host.DEVICE);
                assertTrue(addr.contains("inet " + h.spec().address() + "/24"), addr);
                assertEquals("", h.run("ip", "-o", "-6", "addr"), "IPv6 is off in the hosts");
                assertTrue(h.run("ip", "-o", "link", "show", Host.DEVICE).contains("mtu 1400"));
                assertTrue(h.run("ip", "route").contains("10.0.1.0/24 dev eth0 scope link src " + h.spec().address()
                        + " congctl cubic"), h.run("ip", "route"));
                String peer = h == n.a() ? n.b().spec().address() : n.a().spec().address();
                assertTrue(h.run("ip", "neigh").contains(peer + " dev eth0 lladdr "), h.run("ip", "neigh"));
                assertOffloadsOff(h.run("ethtool", "-k", Host.DEVICE));
                assertEquals("2", h.sysctl("net.ipv4.tcp_syn_retries"));
                // Each host has an established hash of its own (positive; the machine's shared one reads negative).
                assertEquals(Integer.toString(Network.HOST_EHASH_ENTRIES), h.sysctl("net.ipv4.tcp_ehash_entries"));
                // ... with the limits a namespace on the machine's shared hash has (tcp_set_hashinfo derives them).
                int shared = Math.abs(Integer.parseInt(n.runInWire("cat", "/proc/sys/net/ipv4/tcp_ehash_entries").strip()));
                assertEquals(Integer.toString(shared / 2), h.sysctl("net.ipv4.tcp_max_tw_buckets"));
                assertEquals(Integer.toString(Math.max(128, shared / 128)), h.sysctl("net.ipv4.tcp_max_syn_backlog"));
                probes.add(openNamespace(h.netnsPath()));
            }
            for (String dev : List.of(Network.WIRE_A, Network.WIRE_B)) {
                assertTrue(n.runInWire("ip", "-o", "link", "show", dev).contains("mtu 1400"));
                assertOffloadsOff(n.runInWire("ethtool", "-k", dev));
            }
            probes.add(openNamespace(n.wireNetnsPath()));
            // Nothing in the machine's namespace: no new link, its sysctl untouched.
            assertEquals(rootLinks, ip("-o", "link"));
            assertEquals("6", Host.readProc(Path.of("/proc/sys/net/ipv4/tcp_syn_retries")));
            assertEquals(childEhash, Host.readProc(Path.of("/proc/sys/net/ipv4/tcp_child_ehash_entries")));
        }
        // Each namespace is now held only by our probe: no interface but lo, no packet or TCP socket left in it.
        try {
            for (int fd : probes) {
                List<String> inside = inNamespace(fd, () -> List.of(read("/proc/thread-self/net/dev"),
                        read("/proc/thread-self/net/packet"), read("/proc/thread-self/net/tcp")));
                List<String> devices = inside.get(0).lines().skip(2).map(l -> l.strip().split(":")[0]).toList();
                assertEquals(List.of("lo"), devices);
                assertEquals(1, inside.get(1).lines().count(), inside.get(1));
                assertEquals(1, inside.get(2).lines().count(), inside.get(2));
            }
        } finally {
            for (int fd : probes) LibC.C.close(fd);
        }
    }

    @Test
    void aJvmKilledWithSigkillLeavesNothingBehind() throws Exception {
        String rootLinks = ip("-o", "link");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (Runtime.version().feature() >= 24) cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), OpenAndWait.class.getName()));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String line;
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream()))) {
            do {
                line = out.readLine();
            } while (line != null && !line.startsWith("ready "));
            assertTrue(line != null, "the child did not open its network");
            List<String> ids = List.of(line.substring(6).split(" "));
            assertEquals(3, ids.size(), line);
            assertEquals(ids, namespacesHeld(ids, child.pid()), "the child's threads are in its three namespaces");
            child.destroyForcibly(); // SIGKILL: no close(), no shutdown hook
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        } finally {
            child.destroyForcibly();
        }
        // No task anywhere is in those namespaces any more, so the kernel frees them (and their veths); nothing of
        // the run was ever in the machine's namespace.
        List<String> ids = List.of(line.substring(6).split(" "));
        assertEquals(List.of(), namespacesHeld(ids, -1));
        assertEquals(rootLinks, ip("-o", "link"));
    }

    /** Those of {@code ids} that some task (of process {@code pid}, or of any process when -1) is in. */
    private static List<String> namespacesHeld(List<String> ids, long pid) throws IOException {
        java.util.Set<String> held = new java.util.TreeSet<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
                if (pid >= 0 && !p.getFileName().toString().equals(Long.toString(pid))) continue;
                try (var tasks = Files.list(p.resolve("task"))) {
                    for (Path t : tasks.toList()) {
                        try {
                            String id = Files.readSymbolicLink(t.resolve("ns/net")).toString();
                            if (ids.contains(id)) held.add(id);
                        } catch (IOException gone) {
                            // the task ended meanwhile
                        }
                    }
                } catch (IOException | java.io.UncheckedIOException gone) {
                    // the process ended meanwhile
                }
            }
        }
        return ids.stream().filter(held::contains).toList();
    }

    private static void assertOffloadsOff(String features) {
        for (String f : List.of("rx-checksumming", "tx-checksumming", "tcp-segmentation-offload",
                "generic-segmentation-offload", "generic-receive-offload", "large-receive-offload")) {
            assertTrue(features.contains(f + ": off"), f + " in\n" + features);
        }
    }

    @Test
    void aBadSysctlIsOneLineAndLeavesNothing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Network.open(spec().withSysctls(Map.of("net.ipv4.tcp_no_such_thing", "1"))));
        assertEquals("sysctl net.ipv4.tcp_no_such_thing: this kernel has no such setting", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Network.open(spec().withSysctls(Map.of("net.ipv4.tcp_syn_retries", "300"))));
        assertTrue(e.getMessage().startsWith("sysctl net.ipv4.tcp_syn_retries: the kernel refused \"300\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> spec().withSysctls(Map.of("net.core.somaxconn", "1")));
        assertEquals("sysctl net.core.somaxconn: only net.ipv4.* settings are set per host", e.getMessage());
    }

    @Test
    void tcpConnectsAcrossTheLinkAndRunsCubicOnBothEnds() {
        try (Network n = Network.open(spec())) {
            Connection c = Connection.open(n);
            assertEquals("cubic", n.a().call(() -> Sockets.congestionControl(c.client)));
            assertEquals("cubic", n.b().call(() -> Sockets.congestionControl(c.server)));
            assertTrue(n.a().run("ss", "-tin").contains("\n\t cubic "), n.a().run("ss", "-tin"));
            assertTrue(n.b().run("ss", "-tin").contains("\n\t cubic "), n.b().run("ss", "-tin"));
            assertTrue(n.sync());
            // Both hosts saw the handshake, and nothing else: no ARP, no IPv6 (packets() fails on anything not TCP).
            for (Host h : List.of(n.a(), n.b())) {
                assertEquals(List.of("S", "S.", "."), flags(Connection.packets(h)), h.toString());
            }
            // netstat per host: each sees its own end (and B its listener).
            assertEquals(List.of("ESTABLISHED 10.0.1.1:" + port(n, c) + " 10.0.1.2:5001"), rows(n.a()));
            assertEquals(List.of("LISTEN 10.0.1.2:5001 0.0.0.0:0", "ESTABLISHED 10.0.1.2:5001 10.0.1.1:" + port(n, c)),
                    rows(n.b()));
            assertEquals(0, n.link().overflowDrops());
            c.close();
        }
    }

    private static int port(Network n, Connection c) {
        return Connection.packets(n.a()).get(0).segment().src().port();
    }

    private static List<String> rows(Host h) {
        return h.netstat().stream().map(r -> r.state() + " " + r.local() + " " + r.foreign())
                .collect(Collectors.toList());
    }

    @Test
    void mtu1500GivesMss1460InTheSynAndDataSegmentsOf1448WithTimestamps() {
        try (Network n = Network.open(spec())) {
            Connection c = Connection.open(n);
            assertEquals(10_000, c.send(new byte[10_000]));
            sleep(100);
            assertTrue(n.sync());
            List<Packet> sent = Connection.from(n.a(), n.a());
            assertEquals(List.of(new TcpOption.Mss(1460)), sent.get(0).segment().options().stream()
                    .filter(o -> o instanceof TcpOption.Mss).toList());
            List<Integer> sizes = sent.stream().map(p -> p.segment().length()).filter(l -> l > 0).toList();
            assertEquals(List.of(1448, 1448, 1448, 1448, 1448, 1448, 10_000 - 6 * 1448), sizes);
            for (Packet p : sent) {
                if (p.segment().length() > 0) assertTrue(p.segment().timestamps() != null, p.segment().toString());
            }
            c.close();
        }
        try (Network n = Network.open(spec().withMtu(1000))) {
            Connection c = Connection.open(n);
            assertEquals(3000, c.send(new byte[3000]));
            sleep(100);
            assertTrue(n.sync());
            List<Packet> sent = Connection.from(n.a(), n.a());
            assertTrue(sent.get(0).segment().options().contains(new TcpOption.Mss(960)));
            assertEquals(List.of(948, 948, 948, 3000 - 3 * 948), sent.stream().map(p -> p.segment().length())
                    .filter(l -> l > 0).toList());
            c.close();
        }
    }

    @Test
    void everyFrameTakesTheDelayAndNoFrameIsEarly() {
        long delay = 25_000_000;
        try (Network n = Network.open(spec().withLink(LinkSpec.symmetric(delay)))) {
            long t0 = System.nanoTime();
            Connection c = Connection.open(n);
            long handshake = System.nanoTime() - t0;
            n.a().call(() -> {
                Sockets.setInt(c.client, Sockets.IPPROTO_TCP, Sockets.TCP_NODELAY, 1);
                return null;
            });
            assertTrue(handshake >= 2 * delay, "connect returned after " + handshake + " ns");
            for (int i = 0; i < 8; i++) { // 8 segments: all within the initial window of 10
                c.send(new byte[] {(byte) i});
                sleep(2);
            }
            sleep(200);
            assertTrue(n.sync());
            List<Long> excess = new ArrayList<>();
            for (LinkRecord r : n.link().records()) {
                assertFalse(r.lost());
                excess.add(r.heldNanos() - delay);
            }
            long[] e = excess.stream().mapToLong(Long::longValue).sorted().toArray();
            assertTrue(e.length >= 3 + 8 + 1, Arrays.toString(e)); // the handshake, 8 segments, their ACKs
            // The bound this test states (docs/kernel-backend.md has the measured distribution): never early; the
            // median less than 0.3 ms late; every frame less than 20 ms late (a G1 pause stalls the wire up to ~9 ms).
            assertTrue(e[0] >= 0, "a frame left the wire early: " + Arrays.toString(e));
            assertTrue(e[e.length / 2] < 300_000, "median excess " + e[e.length / 2] + " ns");
            assertTrue(e[e.length - 1] < 20_000_000, "max excess " + e[e.length - 1] + " ns");
            // And what the hosts captured agrees: B saw each of A's frames the delay after A did.
            long[] seen = captureDelays(n.a(), n.b());
            assertEquals(2 + 8, seen.length, Arrays.toString(seen)); // SYN, ACK, 8 segments
            assertCapturesAgreeWithTheLink(n);
            for (long d : seen) assertTrue(d >= delay && d < delay + 20_000_000, "capture delay " + d);
            c.close();
        }
    }

    /** Capture time on {@code to} minus capture time on {@code from}, for every frame {@code from} sent. */
    static long[] captureDelays(Host from, Host to) {
        var at = new java.util.HashMap<java.nio.ByteBuffer, Long>();
        for (var f : to.capture().frames()) at.put(java.nio.ByteBuffer.wrap(f.data()), f.timeNanos());
        List<Long> d = new ArrayList<>();
        for (var f : from.capture().frames()) {
            Packet p = io.tcpsim.kernel.KernelBackend.decode(f);
            if (p.segment().src().ip() != from.ip()) continue;
            Long t = at.get(java.nio.ByteBuffer.wrap(f.data()));
            if (t != null) d.add(t - f.timeNanos());
        }
        return d.stream().mapToLong(Long::longValue).toArray();
    }

    @Test
    void dropOneClientToServerDataLosesExactlyTheFirstDataSegment() {
        try (Network n = Network.open(spec())) {
            Connection c = Connection.open(n);
            n.link().drop(Direction.A_TO_B, LinkCommand.Kind.DATA, 1);
            assertEquals(1, n.link().pendingDrops(Direction.A_TO_B));
            assertEquals(1, c.send(new byte[] {'x'}));
            sleep(500); // the RTO is 200 ms and more: the retransmission is in
            assertTrue(n.sync());
            List<Packet> sentByA = data(Connection.from(n.a(), n.a()));
            List<Packet> receivedByB = data(Connection.from(n.b(), n.a()));
            assertEquals(2, sentByA.size(), "the segment and its retransmission");
            assertEquals(sentByA.get(0).segment().seq(), sentByA.get(1).segment().seq());
            long rto = sentByA.get(1).timeNanos() - sentByA.get(0).timeNanos();
            assertTrue(rto >= 200_000_000 && rto < 300_000_000, "retransmitted after " + rto + " ns");
            assertEquals(1, receivedByB.size(), "only the retransmission reached B");
            assertEquals(sentByA.get(1).segment(), receivedByB.get(0).segment());
            List<LinkRecord> lost = n.link().records().stream().filter(LinkRecord::lost).toList();
            assertEquals(1, lost.size());
            assertEquals("drop 1 a>b data", lost.get(0).why());
            assertEquals(0, n.link().pendingDrops(Direction.A_TO_B));
            // B acknowledged the retransmission, and A saw that ACK.
            Segment ack = Connection.from(n.a(), n.b()).get(Connection.from(n.a(), n.b()).size() - 1).segment();
            assertEquals(sentByA.get(0).segment().seq() + 1, ack.ack());
            assertCapturesAgreeWithTheLink(n);
            c.close();
        }
    }

    @Test
    void dropRulesMatchTheirKindOnlyAndCountExactly() {
        try (Network n = Network.open(spec())) {
            // Lose B's first SYN-ACK and A's first pure ACK (the third ACK of the handshake, once the SYN-ACK
            // comes again): connect() still returns, after the retransmissions.
            n.link().drop(Direction.B_TO_A, LinkCommand.Kind.SYN_ACK, 1);
            n.link().drop(Direction.A_TO_B, LinkCommand.Kind.ACK, 1);
            Connection c = Connection.connectOnly(n);
            assertEquals(0, n.a().call(() -> Sockets.connect(c.client, new SockAddr(n.b().ip(), Connection.PORT))));
            sleep(100);
            assertTrue(n.sync());
            List<LinkRecord> lost = n.link().records().stream().filter(LinkRecord::lost).toList();
            assertEquals(List.of("drop 1 b>a syn-ack", "drop 1 a>b ack"), lost.stream().map(LinkRecord::why).toList());
            Packet firstSynAck = Connection.from(n.b(), n.b()).get(0);
            assertEquals("S.", TcpFlags.tcpdump(firstSynAck.segment().flags()));
            assertEquals(firstSynAck.segment(), decode(lost.get(0)).segment());
            Packet firstAck = Connection.from(n.a(), n.a()).stream().filter(p -> flags(List.of(p)).equals(List.of(".")))
                    .findFirst().orElseThrow();
            assertEquals(firstAck.segment(), decode(lost.get(1)).segment());
            assertEquals(0, n.link().pendingDrops(Direction.A_TO_B) + n.link().pendingDrops(Direction.B_TO_A));
            assertCapturesAgreeWithTheLink(n);
            c.close();
        }
    }

    @Test
    void linkDownLosesEverythingBothWaysUntilLinkUp() {
        try (Network n = Network.open(spec())) {
            Connection c = Connection.open(n);
            n.link().down();
            assertFalse(n.link().isUp());
            assertEquals(1, c.send(new byte[] {'x'}));
            n.b().call(() -> Sockets.send(c.server, new byte[] {'y'}));
            sleep(500); // the original and the first retransmission (after ~200 ms), on both sides
            n.link().up();
            sleep(700); // the second retransmission (~400 ms after the first) goes through
            assertTrue(n.sync());
            List<Packet> aData = data(Connection.from(n.a(), n.a()));
            List<Packet> bData = data(Connection.from(n.b(), n.b()));
            assertTrue(aData.size() >= 3 && bData.size() >= 3, aData + " / " + bData);
            assertEquals(List.of(aData.get(aData.size() - 1).segment()),
                    data(Connection.from(n.b(), n.a())).stream().map(Packet::segment).toList(),
                    "B received only A's retransmission after link up");
            assertEquals(List.of(bData.get(bData.size() - 1).segment()),
                    data(Connection.from(n.a(), n.b())).stream().map(Packet::segment).toList());
            List<LinkRecord> lost = n.link().records().stream().filter(LinkRecord::lost).toList();
            assertEquals(aData.size() - 1 + bData.size() - 1, lost.size());
            for (LinkRecord r : lost) assertEquals("link down", r.why());
            assertCapturesAgreeWithTheLink(n);
            c.close();
        }
    }

    // ---- helpers ----

    /**
     * The link's records and both captures tell one story: every frame a host sent is either in the other host's
     * capture or lost on the link, and nothing else arrived.
     */
    static void assertCapturesAgreeWithTheLink(Network n) {
        for (Direction d : Direction.values()) {
            Host from = d == Direction.A_TO_B ? n.a() : n.b();
            Host to = d == Direction.A_TO_B ? n.b() : n.a();
            List<String> sent = frames(from, from);
            List<String> lostFrames = n.link().records().stream().filter(r -> r.direction() == d && r.lost())
                    .map(r -> hex(r.frame())).toList();
            List<String> expected = new ArrayList<>(sent);
            for (String f : lostFrames) assertTrue(expected.remove(f), "a lost frame the sender did not capture");
            assertEquals(expected, frames(to, from), d + ": the receiver's capture is the sender's minus the lost");
        }
    }

    private static List<String> frames(Host capturedOn, Host sentBy) {
        List<String> out = new ArrayList<>();
        for (var f : capturedOn.capture().frames()) {
            if (io.tcpsim.kernel.KernelBackend.decode(f).segment().src().ip() == sentBy.ip()) out.add(hex(f.data()));
        }
        return out;
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }

    private static Packet decode(LinkRecord r) {
        return io.tcpsim.kernel.KernelBackend.decode(new io.tcpsim.capture.RawFrame(r.enteredNanos(), r.frame(),
                r.frame().length));
    }

    static List<Packet> data(List<Packet> ps) {
        return ps.stream().filter(p -> p.segment().length() > 0).toList();
    }

    static List<String> flags(List<Packet> ps) {
        return ps.stream().map(p -> TcpFlags.tcpdump(p.segment().flags())).toList();
    }

    private static String ip(String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("/usr/sbin/ip"));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(5, TimeUnit.SECONDS));
        return out;
    }

    private static int openNamespace(String path) {
        int fd = NetLibC.C.open(path, NetLibC.O_RDONLY | NetLibC.O_CLOEXEC);
        assertTrue(fd >= 0, "open " + path + ": errno " + LibC.errno());
        return fd;
    }

    private static <T> T inNamespace(int fd, java.util.function.Supplier<T> work) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            if (NetLibC.C.setns(fd, NetLibC.CLONE_NEWNET) != 0) {
                f.completeExceptionally(new AssertionError("setns: errno " + LibC.errno()));
                return;
            }
            try {
                f.complete(work.get());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        t.start();
        return f.get(5, TimeUnit.SECONDS);
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
