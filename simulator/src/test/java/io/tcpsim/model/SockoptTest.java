package io.tcpsim.model;

import static io.tcpsim.model.Harness.SERVER;
import static io.tcpsim.model.Harness.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpsim.calls.Bits;
import io.tcpsim.calls.Call;
import io.tcpsim.calls.Errno;
import io.tcpsim.calls.SockOpt;
import io.tcpsim.wire.SockAddr;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SO_REUSEADDR (inet_csk_bind_conflict), SO_LINGER (__tcp_close, sk_stream_wait_close), SO_ERROR (sock.c). */
class SockoptTest {

    private static int sock(Harness h, boolean reuse) {
        int s = (int) h.ok(new Call.Socket(0));
        h.ok(new Call.SetSockOpt(s, SockOpt.SO_REUSEADDR, new int[] {reuse ? 1 : 0}));
        return s;
    }

    /** exp10 10.8: binding the port of a listener fails with EADDRINUSE whatever SO_REUSEADDR says on either side. */
    @Test
    void bindToListenersPortIsAlwaysEaddrinuse() {
        for (boolean l : new boolean[] {false, true}) {
            for (boolean n : new boolean[] {false, true}) {
                Harness h = new Harness();
                int a = sock(h, l);
                h.ok(new Call.Bind(a, SERVER));
                h.ok(new Call.Listen(a, 5));
                h.fails(new Call.Bind(sock(h, n), SERVER), Errno.EADDRINUSE);
                h.fails(new Call.Bind(sock(h, n), new SockAddr(0, SERVER.port())), Errno.EADDRINUSE);
            }
        }
    }

    /** exp10 10.8b: two bound-only sockets: without REUSEADDR the 2nd bind fails; with it on both, the 2nd listen fails. */
    @Test
    void twoBoundSockets() {
        Harness h = new Harness();
        h.ok(new Call.Bind(sock(h, false), SERVER));
        h.fails(new Call.Bind(sock(h, false), SERVER), Errno.EADDRINUSE);
        Harness g = new Harness();
        int x = sock(g, true), y = sock(g, true);
        g.ok(new Call.Bind(x, SERVER));
        assertEquals(0, g.ok(new Call.Bind(y, SERVER)));
        assertEquals(0, g.ok(new Call.Listen(x, 5)));
        g.fails(new Call.Listen(y, 5), Errno.EADDRINUSE);
    }

    /** Server-side TIME_WAIT: the server closes first, then the listener closes; leaves a TIME_WAIT on SERVER. */
    private static Harness serverTimeWait(boolean listenerReuse) {
        Harness h = new Harness();
        int a = sock(h, listenerReuse);
        h.ok(new Call.Bind(a, SERVER));
        h.ok(new Call.Listen(a, 5));
        int c = (int) h.ok(new Call.Socket(0));
        h.ok(new Call.Connect(c, SERVER));
        int s = (int) h.ok(new Call.Accept(a, 0));
        h.ok(new Call.Close(s));
        h.sleepMs(10);
        assertEquals(0, h.call(Harness.recv(c, 10, 0)).value());
        h.ok(new Call.Close(c));
        h.ok(new Call.Close(a));
        assertEquals(List.of("TIME_WAIT 0 0"), h.netstatBrief());
        return h;
    }

    /** exp10 10.9: port held by a server-side TIME_WAIT (listener REUSEADDR=1): REUSEADDR=0 EADDRINUSE; =1 binds and listens. */
    @Test
    void reuseAddrOverServerTimeWait() {
        Harness h = serverTimeWait(true);
        h.fails(new Call.Bind(sock(h, false), SERVER), Errno.EADDRINUSE);
        int n = sock(h, true);
        assertEquals(0, h.ok(new Call.Bind(n, SERVER)));
        assertEquals(0, h.ok(new Call.Listen(n, 5)));
    }

    /** exp10 10.9c: TIME_WAIT of a listener without SO_REUSEADDR: EADDRINUSE with or without REUSEADDR on the new socket. */
    @Test
    void timeWaitWithoutReuseBlocksBind() {
        Harness h = serverTimeWait(false);
        h.fails(new Call.Bind(sock(h, false), SERVER), Errno.EADDRINUSE);
        h.fails(new Call.Bind(sock(h, true), SERVER), Errno.EADDRINUSE);
    }

    /** exp10 10.16: fresh socket SO_ERROR 0, SO_LINGER (0, 0). */
    @Test
    void defaults() {
        Harness h = new Harness();
        int f = (int) h.ok(new Call.Socket(0));
        assertEquals(0, h.soError(f));
        assertArrayEquals(new int[] {0, 0}, h.call(new Call.GetSockOpt(f, SockOpt.SO_LINGER)).optval());
        h.linger(f, 1, 5);
        assertArrayEquals(new int[] {1, 5}, h.call(new Call.GetSockOpt(f, SockOpt.SO_LINGER)).optval());
    }

    private static double lingerClose(boolean peerHadData, boolean nonblock) {
        Harness h = new Harness();
        int[] e = h.established();
        if (peerHadData) {
            h.ok(send(e[1], "hello", 0));
            h.read(e[2], 10);
        }
        h.linger(e[1], 1, 5);
        if (nonblock) h.ok(new Call.Fcntl(e[1], Bits.F_SETFL, Bits.O_NONBLOCK));
        long t0 = h.model.now();
        assertEquals(0, h.ok(new Call.Close(e[1])));
        return (h.model.now() - t0) / 1e6;
    }

    /** exp5 5b: SO_LINGER{1,5}, peer had received data: close() blocks 40.6-44.4 ms (the peer's delayed ACK of the FIN). */
    @Test
    void lingerCloseWaitsForDelayedAck() {
        double d = lingerClose(true, false);
        assertTrue(d > 40 && d <= 44.5, "close blocked " + d + " ms");
    }

    /** exp5 5c: the same on an O_NONBLOCK socket still blocks (40.5-43.8 ms). */
    @Test
    void lingerCloseBlocksEvenNonBlocking() {
        double d = lingerClose(true, true);
        assertTrue(d > 40 && d <= 44.5, "close blocked " + d + " ms");
    }

    /** exp5 5a: peer never received data: the FIN's ACK comes on the next tick; close() blocks 2.6-4.3 ms. */
    @Test
    void lingerCloseWithoutDataWaitsOneTick() {
        double d = lingerClose(false, false);
        assertTrue(d > 0 && d <= 4.3, "close blocked " + d + " ms");
    }

    /** [M§13]: SO_ERROR reads and clears: ECONNREFUSED, then 0. */
    @Test
    void soErrorReadAndClear() {
        Harness h = new Harness();
        int c = (int) h.ok(new Call.Socket(Bits.SOCK_NONBLOCK));
        h.fails(new Call.Connect(c, SERVER), Errno.EINPROGRESS);
        assertEquals(Errno.ECONNREFUSED.number, h.soError(c));
        assertEquals(0, h.soError(c));
    }
}
