package io.tcpsim.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.backend.Event;
import io.tcpsim.backend.NetstatRow;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Result;
import io.tcpsim.kernel.net.HostSpec;
import io.tcpsim.kernel.net.LinkSpec;
import io.tcpsim.kernel.net.NetSpec;
import io.tcpsim.backend.LinkCommand;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.SockAddr;
import io.tcpsim.wire.TcpFlags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The kernel backend on two hosts: processes on their hosts, the link driven exactly, both captures, netstat per
 * host. Needs root (under CI=true it always runs).
 */
class NetworkBackendTest {
    static final int CLIENT_IP = SockAddr.parseIp("10.0.1.1"), SERVER_IP = SockAddr.parseIp("10.0.1.2");

    @BeforeEach
    void privileged() {
        if ("true".equals(System.getenv("CI"))) return;
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "the two-host kernel backend needs root");
    }

    static NetSpec spec(long delayNanos) {
        return NetSpec.of(HostSpec.parse("client", "10.0.1.1/24"), HostSpec.parse("server", "10.0.1.2/24"))
                .withLink(LinkSpec.symmetric(delayNanos)).withSysctls(Map.of("net.ipv4.tcp_retries2", "3"));
    }

    /** server: listen on 5001; client: connect; server: accept. Returns {client fd, accepted fd}. */
    static int[] connect(NetworkBackend k) {
        int a = (int) k.call("server", new Call.Socket(0)).value();
        assertEquals(0, k.call("server", new Call.Bind(a, new SockAddr(0, 5001))).value());
        assertEquals(0, k.call("server", new Call.Listen(a, 8)).value());
        int c = (int) k.call("client", new Call.Socket(0)).value();
        Result r = k.call("client", new Call.Connect(c, new SockAddr(SERVER_IP, 5001)));
        assertEquals(0, r.value(), r.toString());
        int s = (int) k.call("server", new Call.Accept(a, 0)).value();
        return new int[] {c, s};
    }

    static List<Segment> sent(List<Event> events) {
        List<Segment> out = new ArrayList<>();
        for (Event e : events) if (e instanceof Event.PacketSent p) out.add(p.packet().segment());
        return out;
    }

    @Test
    void processesRunOnTheirHostsAndEachEndIsCaptured() {
        List<Event> events = new ArrayList<>();
        List<NetworkBackend.Captured> captured;
        long delay = 10_000_000L;
        try (NetworkBackend k = new NetworkBackend(spec(delay))) {
            int[] fds = connect(k);
            assertEquals(3, fds[0], "the client's first descriptor");
            assertEquals(4, fds[1], "the server's listener is 3, the accepted socket 4");
            assertEquals(5, k.call("client", new Call.Send(fds[0], "hello".getBytes(), 0, false)).value());
            Result r = k.call("server", new Call.Recv(fds[1], 100, 0, false));
            assertEquals("hello", new String(r.data()));
            List<NetstatRow> client = k.netstat("client"), server = k.netstat("server");
            assertEquals(1, client.size(), client.toString());
            assertEquals("ESTABLISHED", client.get(0).state().toString());
            assertEquals(CLIENT_IP, client.get(0).local().ip());
            assertEquals(2, server.size(), "the listener and the accepted socket: " + server);
            assertEquals(3, k.netstat().size());
            events.addAll(k.drainEvents());
            k.close();
            events.addAll(k.drainEvents());
            captured = k.captured();
        }
        List<Segment> sent = sent(events);
        assertTrue(sent.get(0).has(TcpFlags.SYN) && !sent.get(0).has(TcpFlags.ACK), sent.toString());
        assertTrue(sent.get(1).has(TcpFlags.SYN) && sent.get(1).has(TcpFlags.ACK), sent.toString());
        // Each packet once in the events; twice in the captures, once per end, the receiver's a delay later.
        assertEquals(2 * sent.size(), captured.size(), captured.toString());
        for (NetworkBackend.Captured c : captured) {
            if (!c.sent()) continue;
            NetworkBackend.Captured there = captured.stream().filter(x -> !x.sent()
                    && x.packet().segment().equals(c.packet().segment())).findFirst().orElseThrow();
            long held = there.packet().timeNanos() - c.packet().timeNanos();
            assertTrue(held >= delay && held < delay + 5_000_000L, "one-way " + held + " ns");
            assertEquals(c.packet().segment().src().ip() == CLIENT_IP ? "client" : "server", c.host());
        }
    }

    @Test
    void aPacketTheLinkLosesIsOnlyInTheSendersCapture() {
        List<Event> events = new ArrayList<>();
        List<NetworkBackend.Captured> captured;
        try (NetworkBackend k = new NetworkBackend(spec(0))) {
            int[] fds = connect(k);
            k.drop("client", LinkCommand.Kind.DATA, 1);
            assertEquals(1, k.call("client", new Call.Send(fds[0], "x".getBytes(), 0, false)).value());
            // The tail loss probe retransmits it at the RTO (kernel-measurements section 31): ~200-300 ms.
            Result r = k.call("server", new Call.Recv(fds[1], 100, 0, false));
            assertEquals("x", new String(r.data()));
            k.close();
            events.addAll(k.drainEvents());
            captured = k.captured();
        }
        List<NetworkBackend.Captured> data = captured.stream()
                .filter(c -> c.packet().segment().payload() != null && c.packet().segment().payload().length > 0).toList();
        assertEquals(3, data.size(), "sent and lost, sent again, received: " + data);
        assertTrue(data.get(0).sent() && data.get(0).lostOnLink() && data.get(0).host().equals("client"));
        assertTrue(data.get(1).sent() && !data.get(1).lostOnLink());
        assertTrue(!data.get(2).sent() && data.get(2).host().equals("server"));
        long rtx = data.get(1).packet().timeNanos() - data.get(0).packet().timeNanos();
        assertTrue(rtx > 200_000_000L && rtx < 400_000_000L, "retransmitted after " + rtx + " ns");
        // The events: the lost segment's packet, then its LostOnLink, at the same instant.
        List<Event> lostEvents = events.stream().filter(e -> e instanceof Event.LostOnLink).toList();
        assertEquals(1, lostEvents.size(), events.toString());
        int at = events.indexOf(lostEvents.get(0));
        assertTrue(events.get(at - 1) instanceof Event.PacketSent p
                && p.packet().segment().equals(((Event.LostOnLink) lostEvents.get(0)).segment()), events.toString());
    }

    @Test
    void linkDownLosesEverythingUntilUp() {
        List<NetworkBackend.Captured> captured;
        try (NetworkBackend k = new NetworkBackend(spec(0))) {
            int[] fds = connect(k);
            k.linkDown();
            assertEquals(1, k.call("client", new Call.Send(fds[0], "y".getBytes(), 0, false)).value());
            k.sleep(300_000_000L);
            k.linkUp();
            Result r = k.call("server", new Call.Recv(fds[1], 100, 0, false));
            assertEquals("y", new String(r.data()));
            k.close();
            k.drainEvents();
            captured = k.captured();
        }
        long lost = captured.stream().filter(NetworkBackend.Captured::lostOnLink).count();
        assertTrue(lost >= 1, captured.toString());
        for (NetworkBackend.Captured c : captured) {
            if (!c.lostOnLink()) continue;
            assertTrue(captured.stream().noneMatch(x -> !x.sent() && x.packet().equals(c.packet())));
        }
    }
}
