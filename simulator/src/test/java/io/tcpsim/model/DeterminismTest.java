package io.tcpsim.model;

import static io.tcpsim.model.Harness.SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.calls.Call;
import io.tcpsim.wire.Packet;
import io.tcpsim.wire.SockAddr;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The model's randomness is seeded: same seed, same packets. The shapes come from the kernel: ISNs look random
 * (secure_tcp_seq [SRC]; a reused 4-tuple's new ISN is higher, [M§21]), connect() picks even ports and bind(0) odd ones in 32768-60999 (exp8,
 * __inet_hash_connect / inet_csk_find_open_port).
 */
class DeterminismTest {

    private static List<Packet> run(long seed) {
        Harness h = new Harness(Profile.linux6(), seed);
        h.listener();
        int c = (int) h.ok(new Call.Socket(0));
        h.ok(new Call.Connect(c, SERVER));
        h.ok(Harness.send(c, "hello", 0));
        h.ok(new Call.Close(c));
        h.sleepMs(100);
        return h.raw();
    }

    /** Same seed -> identical packets, byte for byte and time for time. */
    @Test
    void sameSeedSamePackets() {
        List<Packet> a = run(7), b = run(7);
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).segment(), b.get(i).segment());
            assertEquals(a.get(i).timeNanos(), b.get(i).timeNanos());
        }
    }

    /** Different seeds -> different ISNs and ports. */
    @Test
    void differentSeedDifferentIsnAndPort() {
        List<Packet> a = run(1), b = run(2);
        assertNotEquals(a.get(0).segment().seq(), b.get(0).segment().seq());
        assertNotEquals(a.get(1).segment().seq(), b.get(1).segment().seq());
        assertNotEquals(a.get(0).segment().src().port(), b.get(0).segment().src().port());
    }

    /** exp8: connect() without bind chooses even ports (20/20), in ip_local_port_range. */
    @Test
    void connectPortsAreEven() {
        for (long seed = 1; seed <= 20; seed++) {
            int port = run(seed).get(0).segment().src().port();
            assertEquals(0, port % 2, "port " + port);
            assertTrue(port >= 32768 && port <= 60999, "port " + port);
        }
        Harness h = new Harness();
        h.listener();
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int c = (int) h.ok(new Call.Socket(0));
            h.ok(new Call.Connect(c, SERVER));
            h.ok(new Call.Accept(0 + 3, 0));
        }
        for (Packet p : h.raw()) if (p.segment().dst().port() == SERVER.port()) ports.add(p.segment().src().port());
        for (int p : ports) assertEquals(0, p % 2, "port " + p);
    }

    /** exp8: bind(127.0.0.1:0) and bind(0.0.0.0:0) choose odd ports (20/20). */
    @Test
    void bindZeroPortsAreOdd() {
        for (long seed = 1; seed <= 20; seed++) {
            for (SockAddr any : new SockAddr[] {SockAddr.loopback(0), new SockAddr(0, 0)}) {
                Harness h = new Harness(Profile.linux6(), seed);
                int s = (int) h.ok(new Call.Socket(0));
                h.ok(new Call.Bind(s, any));
                h.ok(new Call.Listen(s, 1));
                int port = h.netstat().get(0).local().port();
                assertEquals(1, port % 2, "port " + port);
                assertTrue(port >= 32768 && port <= 60999, "port " + port);
            }
        }
    }
}
